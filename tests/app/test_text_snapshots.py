"""Snapshots of text in other scripts: a CJK list with the reader, and a table, at 80x24 and
160x45. Dates are left out (published 0) so the pictures do not age."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app.conftest import make_app
from tui.core.config import Config, RefreshConfig
from tui.core.models import Article, ArticleRecord, Block
from tui.core.store import Store
from tui.core.urls import article_id

ARTICLES = [
    ("熊本の半導体新工場が量産開始 人材確保へ高専と連携", "テックウォッチ日報", ("半導体", "熊本"),
     "熊本県菊陽町に建設された半導体の新工場が、11月から本格的な量産を開始した。運営会社によると、"
     "主に自動車や産業機器向けのロジック半導体を生産し、フル稼働時には月産約5万枚（300ミリウエハー"
     "換算）を見込む。同社の担当者は「国内の顧客から想定を上回る引き合いがある」と述べた。"),
    ("三万册古籍“上线”：苏州一家图书馆用十年完成数字化", "云帆新闻", ("古籍",),
     "苏州图书馆用十年时间完成了三万册古籍的数字化（约三百万页），读者可在线阅读。馆长表示：“这只是开始。”"),
    ("반도체 수출 석 달 연속 증가", "한국경제", ("경제",), "반도체 수출이 석 달 연속 증가했다. 업계는 하반기에도 회복세가 이어질 것으로 본다."),
    ("Lantern 3.0 ditches the browser", "The Byteline", ("tech",),
     "The open source feed reader goes terminal-first, with a table of releases below."),
]
TABLE = (Block("row", "Version\t発売日\tNotes", marker="th"), Block("row", "3.0\t2026年11月\tterminal first"),
         Block("row", "2.4\t2026年3月\tlast with a browser UI"))


@pytest.fixture
def cjk_store(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(tmp_path / "data")
    records = []
    for n, (title, site, tags, text) in enumerate(ARTICLES):
        url = f"https://example.org/{n}"
        blocks = (Block("paragraph", text), *(TABLE if n == 3 else ()),
                  Block("code", "def main():\n    return render_everything(first_argument, second_argument, third)"
                        if n == 3 else "print('熊本')"))
        article = Article(url=url, title=title, site_name=site, blocks=blocks)
        records.append(ArticleRecord(id=article_id(url), url=url, title=title, site=site, published=0,
                                     fetched=0, feed_tags=tags, status="full", article=article))
    store.put_articles(records)
    try:
        yield store
    finally:
        store.close()


def _app(store: Store) -> object:
    return make_app(store, Config(refresh=RefreshConfig(on_start=False, interval_minutes=0)))


@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=["80x24", "160x45"])
def test_cjk_list_and_reader(snap_compare: object, cjk_store: Store, size: tuple[int, int]) -> None:
    # the list: every script, columns cut by cells; the reader: the Japanese article (the last)
    assert snap_compare(_app(cjk_store), terminal_size=size, press=["G", "enter"])  # type: ignore[operator]


def test_table_and_code_in_the_reader(snap_compare: object, cjk_store: Store) -> None:
    # the first article (all are undated, the newest stored first) has the table and the code
    assert snap_compare(_app(cjk_store), terminal_size=(160, 45), press=["enter"])  # type: ignore[operator]
