"""The feed pane (F): counts, smart folders, tags; Enter filters; unsubscribe/rename/tags/refresh."""

from __future__ import annotations

from dataclasses import replace

from tests.common import FakeOpener
from tui.app.app import WartaApp
from tui.app.screens.ask import Ask
from tui.app.screens.feeds import FeedsScreen
from tui.app.widgets.row_list import RowList
from tui.core.config import Config
from tui.core.models import Feed
from tui.core.store import Store

from .conftest import link_record, make_app
from .helpers import article_list, notifications, status_text

SIZE = (120, 30)
ARS = Feed(url="http://127.0.0.1:9/ars.xml", name="Ars")
OTHER = Feed(url="http://127.0.0.1:9/other.xml", name="Other")


def seeded(store: Store) -> None:
    store.add_subscription(ARS)
    store.add_subscription(OTHER)
    store.put_articles([replace(link_record(n, 1), feeds=(ARS.url,)) for n in range(1, 4)]
                       + [replace(link_record(n, 1), feeds=(OTHER.url,)) for n in range(4, 6)])
    store.set_feed_meta(OTHER.url, {"checked": 1.0, "error": "HTTP 500"})


def screen_text(app: WartaApp) -> str:
    """Every row of the pane (drawn or not: the list draws only what is on screen)."""
    return "\n".join(app.screen.query_one(RowList).line_texts())


async def counted(pilot, app: WartaApp) -> None:  # noqa: ANN001
    """Until the pane has drawn its counts (read on a thread behind its first frame)."""
    await pilot.pause()
    await app.workers.wait_for_complete([w for w in app.workers if w.name == "feed counts"])
    await pilot.pause()


async def open_pane(pilot, app: WartaApp) -> None:  # noqa: ANN001
    await pilot.press("F")
    await counted(pilot, app)


async def goto(pilot, app: WartaApp, label: str) -> None:  # noqa: ANN001
    rows = app.screen.query_one(RowList)
    for i, text in enumerate(rows.line_texts()):
        if text.startswith(label) and rows.rows[i].selectable:
            rows.cursor = i
            await pilot.pause()
            return
    raise AssertionError(f"no row {label!r}")


async def test_feed_pane_lists_counts_folders_tags_and_errors(store: Store) -> None:
    seeded(store)
    config = Config(filters={"unread": "is:unread"})
    app = make_app(store, config, refresh_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(pilot, app)
        assert isinstance(app.screen, FeedsScreen)
        text = screen_text(app)
        assert "Smart folders" in text and "Tags" in text
        assert any(line.startswith("Ars") and "3 unread" in line and "3 total" in line
                   for line in text.splitlines())
        assert any(line.startswith("Other") and "HTTP 500" in line for line in text.splitlines())
        assert any(line.startswith("unread") and "5 unread" in line for line in text.splitlines())
        assert any(line.startswith("#news") for line in text.splitlines())
        await open_pane(pilot, app)
        assert not isinstance(app.screen, FeedsScreen)


async def test_enter_on_a_feed_filters_the_list_and_mark_all_says_the_feed(store: Store) -> None:
    seeded(store)
    app = make_app(store, refresh_on_start=False)  # the pane, not a refresh of its (unreachable) feeds
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(pilot, app)
        await goto(pilot, app, "Ars")
        await pilot.press("enter")
        await pilot.pause()
        assert len(article_list(app).rowids) == 3
        assert "feed:Ars" in status_text(app)
        await pilot.press("A")
        await pilot.pause()
        assert isinstance(app.screen, Ask)
        assert "Mark 3 articles in feed:Ars read?" in str(app.screen.query_one("#question").render())


async def test_unsubscribe_from_the_pane_asks_and_undoes(store: Store) -> None:
    seeded(store)
    app = make_app(store, refresh_on_start=False)  # the pane, not a refresh of its (unreachable) feeds
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(pilot, app)
        await goto(pilot, app, "Ars")
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, Ask)
        await pilot.press("y")
        await pilot.pause()
        assert ARS.url not in [f.url for f in app.library.feeds()]
        assert "Ars" not in [line[:3] for line in screen_text(app).splitlines()]
        await pilot.press("escape", "u")
        await pilot.pause()
        assert ARS.url in [f.url for f in app.library.feeds()]


async def test_rename_and_retag_a_feed(store: Store) -> None:
    seeded(store)
    app = make_app(store, refresh_on_start=False)  # the pane, not a refresh of its (unreachable) feeds
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(pilot, app)
        await goto(pilot, app, "Ars")
        await pilot.press("R")
        await pilot.pause()
        await pilot.press("ctrl+a", "ctrl+k", *"Ars Technica", "enter")
        await pilot.pause()
        assert [f.name for f in app.library.feeds() if f.url == ARS.url] == ["Ars Technica"]
        await goto(pilot, app, "Ars Technica")
        await pilot.press("T")
        await pilot.pause()
        await pilot.press(*"tech", "enter")
        await pilot.pause()
        assert [f.tags for f in app.library.feeds() if f.url == ARS.url] == [("tech",)]


async def test_refresh_and_open_site_from_the_pane(store: Store, opener: FakeOpener) -> None:
    seeded(store)
    app = make_app(store, opener=opener, refresh_on_start=False)
    requested = []
    async with app.run_test(size=SIZE, message_hook=lambda m: requested.append(m)) as pilot:
        await open_pane(pilot, app)
        await goto(pilot, app, "Other")
        await pilot.press("r")
        await pilot.pause()
        from tui.app.messages import RefreshRequested

        asked = [m for m in requested if isinstance(m, RefreshRequested)]
        assert asked and [f.url for f in asked[-1].feeds] == [OTHER.url]
        await pilot.press("o")
        await pilot.pause()
        assert any("Opening" in n for n in notifications(app)), notifications(app)
        assert opener.calls and opener.calls[-1][-1] == OTHER.url


async def test_an_empty_section_says_what_would_be_there(store: Store) -> None:
    store.put_articles([replace(link_record(1, 1), feed_tags=())])
    app = make_app(store, refresh_on_start=False)  # the pane, not a refresh of its (unreachable) feeds
    async with app.run_test(size=SIZE) as pilot:
        await open_pane(pilot, app)
        lines = screen_text(app).splitlines()
        assert [line for line in lines if "none yet" in line] == [
            "  none yet: saved filters from [filters] in the config, e.g. unread = \"is:unread\"",
            "  none yet: press a (in the list) to subscribe, or warta add URL, warta import FILE",
            "  none yet: feeds give tags from the config, T tags an article"]
        await pilot.press("j", "d")  # nothing to pick: said, nothing breaks
        await pilot.pause()
        assert isinstance(app.screen, FeedsScreen)
