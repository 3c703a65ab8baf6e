"""Undo, mark all read (and above/below the cursor) and bulk marks, through the real app."""

from __future__ import annotations

from pathlib import Path

from tui.app.app import WartaApp
from tui.app.screens.ask import Ask
from tui.core.models import Feed
from tui.core.store import Store

from .conftest import make_app
from .helpers import article_list, current_id, notifications, status_text

SIZE = (100, 30)


def unread(app: WartaApp) -> int:
    return app.library.counts()[1]


async def test_u_and_ctrl_z_undo_many_levels(app: WartaApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        first = current_id(app)
        await pilot.press("m", "s")
        state = app.library.state(first)
        assert state.read and state.starred
        await pilot.press("u")
        assert not app.library.state(first).starred and app.library.state(first).read
        await pilot.press("ctrl+z")
        assert app.library.state(first) == app.library.state("no-such-article")  # all default
        await pilot.press("u")
        await pilot.pause()
        assert "Nothing to undo" in notifications(app)


async def test_undo_is_saved_like_any_change(app: WartaApp, tmp_path: Path) -> None:
    """An undo goes through Library.change: the journals see it and the store keeps it."""
    recorded = []

    class Journal:
        def record(self, change):  # noqa: ANN001 - the Journal protocol
            recorded.append(change)

    app.library.journals.append(Journal())
    async with app.run_test(size=SIZE) as pilot:
        first = current_id(app)
        await pilot.press("s", "u")
    assert [c.after[first].starred for c in recorded] == [True, False]
    assert not app.library.state(first).starred


async def test_mark_all_read_says_scope_and_count_and_undoes(app: WartaApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        total_unread = unread(app)
        await pilot.press("slash", *"is:unread", "enter")
        await pilot.pause()
        shown = len(article_list(app).rowids)
        assert shown == total_unread > 2
        await pilot.press("A")
        await pilot.pause()
        assert isinstance(app.screen, Ask)
        question = str(app.screen.query_one("#question").render())
        assert f"Mark {shown} articles in is:unread read?" in question
        await pilot.press("y")
        await pilot.pause()
        assert unread(app) == 0
        assert "0 unread" in status_text(app)
        await pilot.press("u")
        await pilot.pause()
        assert unread(app) == total_unread
        assert f"{total_unread} unread" in status_text(app)


async def test_mark_all_read_asks_and_n_changes_nothing(app: WartaApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        before = unread(app)
        await pilot.press("A", "n")
        await pilot.pause()
        assert unread(app) == before
        assert not isinstance(app.screen, Ask)


async def test_mark_read_above_and_below_the_cursor(app: WartaApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        widget = article_list(app)
        await pilot.press("j", "j")
        ids = [widget.summary_at(i).id for i in range(len(widget.rowids))]  # type: ignore[union-attr]
        await pilot.press("K")
        assert [app.library.state(i).read for i in ids[:3]] == [True, True, False]
        await pilot.press("J")
        assert all(app.library.state(i).read for i in ids[3:])
        assert not app.library.state(ids[2]).read  # the one under the cursor is left alone
        await pilot.press("u")
        assert not any(app.library.state(i).read for i in ids[2:])


async def test_v_marks_then_s_and_m_act_on_all_marked(app: WartaApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        widget = article_list(app)
        await pilot.press("v", "v")
        ids = [widget.summary_at(i).id for i in range(3)]  # type: ignore[union-attr]
        assert "2 marked" in status_text(app)
        await pilot.press("s")
        assert [app.library.state(i).starred for i in ids] == [True, True, False]
        await pilot.press("m")
        assert [app.library.state(i).read for i in ids] == [True, True, False]
        await pilot.press("u", "u")
        assert not any(app.library.state(i).starred or app.library.state(i).read for i in ids)
        await pilot.press("V")
        assert "marked" not in status_text(app)


async def test_bulk_tag_edit_and_export(app: WartaApp, export_dir: Path) -> None:
    async with app.run_test(size=SIZE) as pilot:
        widget = article_list(app)
        await pilot.press("v", "v")
        ids = [widget.summary_at(i).id for i in range(2)]  # type: ignore[union-attr]
        await pilot.press("T")
        await pilot.pause()
        await pilot.press(*"later", "enter")
        await pilot.pause()
        assert all("later" in app.library.state(i).tags for i in ids)
        await pilot.press("e")
        await pilot.pause()
        assert len(list(export_dir.glob("*.md"))) == 2
        await pilot.press("u")
        assert not any(app.library.state(i).tags for i in ids)


async def test_unsubscribe_is_undoable(demo_store: Store) -> None:
    feed = Feed(url="http://127.0.0.1:9/feed.xml", name="Local")
    demo_store.add_subscription(feed)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        assert app.unsubscribe(feed.url)
        assert feed.url not in [f.url for f in app.library.feeds()]
        await pilot.press("u")
        await pilot.pause()
        assert feed.url in [f.url for f in app.library.feeds()], notifications(app)
        assert any("Undone: unsubscribe from Local" in n for n in notifications(app))


async def test_ctrl_c_quits_like_q(app: WartaApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+c")
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running


async def test_the_footer_keeps_q_and_help_first_when_narrow(app: WartaApp) -> None:
    from textual.widgets._footer import FooterKey

    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        keys = [key for key in app.screen.query(FooterKey)]
        assert [key.action for key in keys[:2]] == ["quit", "help"]
        assert all(key.region.right <= 60 and key.region.width > 0 for key in keys[:2])


async def test_O_cycles_the_sort_and_the_status_line_says_it(app: WartaApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        widget = article_list(app)

        def dates() -> list[float]:
            return [widget.summary_at(i).published for i in range(len(widget.rowids))]  # type: ignore[union-attr]

        assert dates() == sorted(dates(), reverse=True)
        await pilot.press("O")
        assert "sort: oldest" in status_text(app) and dates() == sorted(dates())
        await pilot.press("O")
        assert "sort: feed" in status_text(app)
        await pilot.press("m")  # the first article read: unread first puts it last
        first = current_id(app)
        await pilot.press("O")
        assert "sort: unread" in status_text(app)
        assert widget.summary_at(len(widget.rowids) - 1).id == first  # type: ignore[union-attr]
        await pilot.press("O")
        assert "sort" not in status_text(app) and dates() == sorted(dates(), reverse=True)


async def test_a_search_sorts_by_rank_and_O_can_change_it(app: WartaApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"the", "enter")
        await pilot.pause()
        assert "by rank" in status_text(app)
        await pilot.press("O")
        assert "sort: newest" not in status_text(app) and "by rank" not in status_text(app)
        await pilot.press("slash", "ctrl+a", "ctrl+k", "enter")
        await pilot.pause()
        assert "rank" not in status_text(app)


async def test_config_sets_the_default_sort(demo_store: Store) -> None:
    from tui.core.config import Config

    app = make_app(demo_store, Config(sort="oldest"))
    async with app.run_test(size=SIZE):
        widget = article_list(app)
        dates = [widget.summary_at(i).published for i in range(len(widget.rowids))]  # type: ignore[union-attr]
        assert dates == sorted(dates) and "sort: oldest" in status_text(app)


async def test_j_k_g_G_in_the_tag_picker_help_and_feed_pane(app: WartaApp) -> None:
    from textual.widgets import SelectionList

    from tui.app.widgets.reader import Reader
    from tui.app.widgets.row_list import RowList

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        tags = app.screen.query_one(SelectionList)
        start = tags.highlighted or 0
        await pilot.press("j", "j", "k")
        assert tags.highlighted == start + 1
        await pilot.press("G")
        assert tags.highlighted == tags.option_count - 1
        await pilot.press("g")
        assert tags.highlighted == 0
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        view = app.screen.query_one(Reader)
        await pilot.press("j", "j")
        assert view.scroll_y == 2
        await pilot.press("G")
        assert view.scroll_y == view.max_scroll_y > 0
        await pilot.press("g")
        assert view.scroll_y == 0
        await pilot.press("pagedown")
        assert view.scroll_y > 2
        await pilot.press("escape", "F")
        await pilot.pause()
        rows = app.screen.query_one(RowList)
        first = rows.cursor
        await pilot.press("j", "j", "k")
        assert rows.cursor == first + 1 and rows.current is not None
        await pilot.press("G")
        assert rows.cursor == len(rows.rows) - 1
        await pilot.press("g")
        assert rows.cursor == first  # the first row that can be picked (under a heading)
        await pilot.press("pagedown")
        assert rows.cursor > first + 5 and rows.current is not None
