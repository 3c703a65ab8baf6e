"""Text that renders right in every script, read off the real app's screen: kinsoku line breaks,
code that keeps its indentation, aligned tables, and columns measured in cells."""

from __future__ import annotations

import time

from tests.app.conftest import make_app
from tests.app.helpers import reader_text
from tui.core.models import Article, ArticleRecord, Block
from tui.core.store import Store
from tui.core.textwidth import NO_END, NO_START, cells
from tui.core.urls import article_id

JAPANESE = ("熊本の半導体新工場が量産開始。「人材確保が課題だ」と社長（５８）は語った。"
            "地元の高専や大学との連携を強める方針で、来年度には研修施設も開く予定だという。"
            "県は補助金を拡充し、住宅や交通の整備も急ぐ。")
CODE = "def main():\n    return compute_everything(first_argument, second_argument, third_argument, fourth)"


def _record(blocks: tuple[Block, ...], title: str = "テスト記事", site: str = "テックウォッチ日報") -> ArticleRecord:
    url = "https://example.jp/articles/1"
    article = Article(url=url, title=title, site_name=site, blocks=blocks)
    return ArticleRecord(id=article_id(url), url=url, title=title, site=site, published=time.time(),
                         fetched=time.time(), status="full", article=article)


async def _read(store: Store, blocks: tuple[Block, ...], size: tuple[int, int]) -> list[str]:
    store.put_articles([_record(blocks)])
    app = make_app(store)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        return reader_text(app).split("\n")


async def test_japanese_lines_never_start_with_a_closing_mark(store: Store) -> None:
    for width in (61, 101):  # one pane (the narrow layout) and two
        lines = [line.strip() for line in await _read(store, (Block("paragraph", JAPANESE),), (width, 30))]
        body = [line for line in lines if line and line[0] not in "h#"]  # not the URL or tag lines
        assert len(body) >= 4, lines
        for line in body:
            assert line[0] not in NO_START, (width, line)
            assert line[-1] not in NO_END, (width, line)
        assert JAPANESE in "".join(lines)  # nothing lost to the breaking


async def test_wrapped_code_keeps_its_indentation(store: Store) -> None:
    lines = await _read(store, (Block("paragraph", "Intro."), Block("code", CODE)), (60, 30))
    start = next(i for i, line in enumerate(lines) if "def main():" in line)
    base = len(lines[start]) - len(lines[start].lstrip())
    body = [line for line in lines[start + 1:] if line.strip()][:3]
    assert "return" in body[0] and len(body) >= 2
    first_indent = len(body[0]) - len(body[0].lstrip())
    assert first_indent == base + 4
    for line in body[1:]:
        assert len(line) - len(line.lstrip()) > first_indent  # a continuation, never column 0


async def test_a_table_is_aligned_and_falls_back_to_rows_when_too_wide(store: Store) -> None:
    rows = (Block("row", "City\t人口\tArea", marker="th"), Block("row", "東京\t14,000,000\t2,194 km²"),
            Block("row", "Bandung\t2,500,000\t167"))
    lines = await _read(store, (Block("paragraph", "Intro."), *rows), (120, 30))
    table = [line for line in lines if any(w in line for w in ("人口", "14,000,000", "2,500,000"))]
    assert len(table) == 3
    second = {cells(line[:line.index(key)]) for line, key in zip(table, ("人口", "14,000,000", "2,500,000"))}
    assert len(second) == 1, table  # one column, whatever the width of the text before it
    narrow = await _read(store, (Block("paragraph", "Intro."), *rows), (24, 30))
    assert "人口: 14,000,000" in narrow and "City: Bandung" in narrow, narrow  # row by row


async def test_tag_picker_columns_line_up_with_wide_tags(store: Store) -> None:
    from tui.app.screens.tag_picker import TagPicker

    records = []
    for n, tags in enumerate((("半導体", "tech"), ("経済",), ("a-very-long-latin-tag",))):
        record = _record((Block("paragraph", JAPANESE),), title=f"記事 {n}")
        url = f"https://example.jp/{n}"
        records.append(ArticleRecord(id=article_id(url), url=url, title=record.title, site=record.site,
                                     published=time.time() - n, fetched=time.time(), status="full",
                                     feed_tags=tags, article=record.article))
    store.put_articles(records)
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TagPicker)
        lines = [line for line in _screen_lines(app) if " total " in line]
        assert len(lines) == 4, lines
        columns = {cells(line[:line.index(" unread")]) for line in lines}
        assert len(columns) == 1, lines


async def test_list_titles_are_cut_by_cells(store: Store) -> None:
    store.put_articles([_record((Block("paragraph", JAPANESE),), title=JAPANESE[:60])])
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lines = _screen_lines(app)
        title_line = next(line for line in lines if "熊本" in line)
        assert cells(title_line) <= 80
        assert "…" in title_line


def _screen_lines(app: object) -> list[str]:
    """The screen as text, one string per row, as the compositor draws it."""
    from textual.app import App

    assert isinstance(app, App)
    return [strip.text for strip in app.screen._compositor.render_strips()]
