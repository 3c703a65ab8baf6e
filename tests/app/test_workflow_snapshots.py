"""Snapshots of the reading workflow: the feed pane, the narrow layouts (80x24 and 60x20, the
list and the reader), a CJK list at 60x20 and a find in the article. Undated articles and feeds
never refreshed, so the pictures do not age."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app.conftest import make_app
from tests.app.test_text_snapshots import ARTICLES
from tui.core.config import Config, RefreshConfig
from tui.core.models import Article, ArticleRecord, Block, Feed
from tui.core.store import Store
from tui.core.urls import article_id

FEEDS = [Feed(url=f"http://127.0.0.1:9/{n}.xml", name=name, tags=tags) for n, (name, tags) in
         enumerate([("The Byteline", ("tech",)), ("テックウォッチ日報", ("半導体",)),
                    ("Longreads weekly", ()), ("Gone feed", ())])]
LATIN = [
    ("Lantern 3.0 ditches the browser", "The open source feed reader goes terminal-first. The "
     "release notes explain why a reader that lives in the terminal reads faster, and how the "
     "team kept every key remappable. Readers asked for a find inside the article; it is there."),
    ("Café owners weigh a four-day week", "In Lyon, three cafés tried a four-day week for a "
     "summer. The owners say the café trade is changing; the staff say the week is better."),
    ("Why terminal readers are back", "A look at newsboat, elfeed and the new readers, and why "
     "people read feeds in a terminal again: speed, keys, and no tracking."),
]


@pytest.fixture
def workflow_store(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(tmp_path / "data")
    store.add_subscriptions(FEEDS)
    store.set_feed_meta(FEEDS[3].url, {"error": "HTTP 410 Gone"})
    records = []
    rows = [(title, FEEDS[0 if n != 1 else 2], text) for n, (title, text) in enumerate(LATIN)]
    rows += [(title, FEEDS[1], text) for title, _, _, text in ARTICLES[:2]]
    for n, (title, feed, text) in enumerate(rows):
        url = f"https://example.org/w{n}"
        article = Article(url=url, title=title, site_name=feed.name,
                          blocks=(Block("paragraph", text), Block("paragraph", text)))
        records.append(ArticleRecord(id=article_id(url), url=url, title=title, site=feed.name,
                                     published=0, fetched=1, feeds=(feed.url,),
                                     feed_tags=feed.tags, status="full", article=article))
    store.put_articles(records)
    try:
        yield store
    finally:
        store.close()


def _app(store: Store) -> object:
    return make_app(store, Config(refresh=RefreshConfig(on_start=False, interval_minutes=0),
                                  filters={"unread": "is:unread", "new": "is:new"}))


async def _feed_pane(pilot) -> None:  # noqa: ANN001
    await pilot.press("F", "j")
    await pilot.pause()
    app = pilot.app
    await app.workers.wait_for_complete([w for w in app.workers if w.name == "feed counts"])
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=["80x24", "160x45"])
def test_feed_pane(snap_compare: object, workflow_store: Store, size: tuple[int, int]) -> None:
    # smart folders, four feeds (one gone, in red), tags, with their counts; the cursor on the
    # first feed
    assert snap_compare(_app(workflow_store), terminal_size=size, run_before=_feed_pane)  # type: ignore[operator]


@pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=["80x24", "60x20"])
def test_narrow_list(snap_compare: object, workflow_store: Store, size: tuple[int, int]) -> None:
    # the list takes the whole screen; the footer keeps q and ?
    assert snap_compare(_app(workflow_store), terminal_size=size, press=["j"])  # type: ignore[operator]


@pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=["80x24", "60x20"])
def test_narrow_reader(snap_compare: object, workflow_store: Store, size: tuple[int, int]) -> None:
    # Enter: the reader takes the whole screen (Esc goes back)
    assert snap_compare(_app(workflow_store), terminal_size=size, press=["enter"])  # type: ignore[operator]


def test_cjk_list_at_60x20(snap_compare: object, workflow_store: Store) -> None:
    # Japanese and Chinese titles cut by display cells, never in the middle of a character
    assert snap_compare(_app(workflow_store), terminal_size=(60, 20), press=["G"])  # type: ignore[operator]


def test_find_in_the_article_at_80x24(snap_compare: object, workflow_store: Store) -> None:
    # "cafe" finds Café and cafés; the current match stands out; the count in the prompt
    assert snap_compare(_app(workflow_store), terminal_size=(80, 24),  # type: ignore[operator]
                        press=["j", "j", "j", "enter", "ctrl+f", *"cafe", "enter", "n"])
