"""One test per key of the reading workflow, driven through the real app with Pilot."""

from __future__ import annotations

from pathlib import Path

from tui.app.app import WartaApp
from tui.core.config import Config
from tui.core.store import Store
from tui.core.query import CompiledFilter

from .conftest import FakeOpener, link_record, make_app
from .helpers import article_list, current_id, notifications, reader, reader_text, titles

SIZE = (100, 30)


async def test_j_k_move_the_list_cursor(app: WartaApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "j", "k")
        assert article_list(app).cursor == 2


async def test_g_and_G_go_to_top_and_bottom(app: WartaApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("G")
        assert article_list(app).cursor == len(article_list(app).rowids) - 1
        await pilot.press("g")
        assert article_list(app).cursor == 0


async def test_l_opens_and_focuses_the_reader(app: WartaApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "l")
        await pilot.pause()
        assert app.focused is reader(app)
        assert reader(app).article_id == current_id(app)
        assert app.library.state(current_id(app)).read


async def test_h_and_escape_go_back_to_the_list(app: WartaApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        for key in ("h", "escape"):
            await pilot.press("enter")
            assert app.focused is reader(app)
            await pilot.press(key)
            assert app.focused is article_list(app)


async def test_reader_keys_scroll_when_reader_focused(app: WartaApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        view = reader(app)
        await pilot.press("j", "j")
        assert view.scroll_y == 2
        await pilot.press("k")
        assert view.scroll_y == 1
        await pilot.press("G")
        assert view.scroll_y == view.max_scroll_y > 0
        await pilot.press("g")
        assert view.scroll_y == 0
        assert article_list(app).cursor == 0  # j/k in the reader do not move the list


async def test_pagedown_pageup_scroll_the_reader(app: WartaApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "pagedown")
        view = reader(app)
        assert view.scroll_y >= view.scrollable_content_region.height - 1
        await pilot.press("pageup")
        assert view.scroll_y == 0


async def test_space_scrolls_the_reader_from_the_list(app: WartaApp) -> None:
    async with app.run_test(size=(120, 24)) as pilot:  # two panes: the reader is on screen
        await pilot.pause(0.2)  # the preview follows the cursor
        await pilot.press("space")
        assert reader(app).scroll_y > 0
        assert app.focused is article_list(app)


async def test_ctrl_d_ctrl_u_scroll_half_a_page(app: WartaApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "ctrl+d")
        view = reader(app)
        half = view.scrollable_content_region.height // 2
        assert view.scroll_y == half
        await pilot.press("ctrl+u")
        assert view.scroll_y == 0


async def test_tab_switches_pane(app: WartaApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab")
        assert app.focused is reader(app)
        await pilot.press("tab")
        assert app.focused is article_list(app)


async def test_n_opens_next_unread_skipping_read(app: WartaApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        ids = [s.id for s in app.library.summaries(article_list(app).rowids)]
        app.main.set_state(ids[1], read=True)
        await pilot.press("n")
        assert article_list(app).cursor == 2
        assert reader(app).article_id == ids[2]
        assert app.library.state(ids[2]).read
        await pilot.press("p")  # back to the previous unread: row 0 (row 1 is read)
        assert article_list(app).cursor == 0


async def test_N_and_P_do_not_skip_read_articles(app: WartaApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        ids = [s.id for s in app.library.summaries(article_list(app).rowids)]
        app.main.set_state(ids[1], read=True)
        await pilot.press("N")
        assert article_list(app).cursor == 1
        assert reader(app).article_id == ids[1]
        await pilot.press("P")
        assert article_list(app).cursor == 0


async def test_n_at_the_end_says_so(app: WartaApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("G", "n")
        await pilot.pause()
        assert any("No next unread article" in m for m in notifications(app))


async def test_m_toggles_read_and_persists(app: WartaApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        article = current_id(app)
        unread_before = app.library.counts()[1]
        await pilot.press("m")
        assert app.library.state(article).read
        assert article_list(app).current is not None and article_list(app).current.read
        assert f"{unread_before - 1} unread" in str(app.main.status.render())
        await pilot.press("m")
        assert not app.library.state(article).read


async def test_s_stars_and_persists(app: WartaApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.2)
        article = current_id(app)
        await pilot.press("s")
        assert app.library.state(article).starred
        assert app.library.summary(article).starred  # type: ignore[union-attr]
        assert "★" in reader_text(app)
        await pilot.press("s")
        assert not app.library.state(article).starred


async def test_o_opens_the_article_in_the_browser(app: WartaApp, opener: FakeOpener) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        url = app.library.summary(current_id(app)).url  # type: ignore[union-attr]
        assert opener.calls == [["/bin/true", url]]


async def test_y_copies_the_url(app: WartaApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "y")
        await pilot.pause()
        url = app.library.summary(current_id(app)).url  # type: ignore[union-attr]
        assert app.clipboard == url
        assert any(m.startswith("Copied ") for m in notifications(app))


async def test_e_exports_markdown(app: WartaApp, export_dir: Path) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        files = list(export_dir.glob("*.md"))
        assert len(files) == 1
        assert files[0].read_text(encoding="utf-8").startswith("# " + titles(app)[0][:10])
        assert any(str(files[0]) in m for m in notifications(app))


async def test_r_with_no_feeds_says_how_to_add_one(app: WartaApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r", "R")
        await pilot.pause()
        said = notifications(app)
        assert any("No feeds to refresh" in n for n in said)
        assert any("did not come from a feed you follow" in n for n in said)


async def test_f_then_number_opens_that_link(store: Store, opener: FakeOpener) -> None:
    store.put_articles([link_record(1, 3)])
    app = make_app(store, opener=opener)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "f", "2")  # 3 links: "2" is unambiguous
        await pilot.pause()
        assert opener.calls == [["/bin/true", "https://example.org/source/2"]]
        assert app.focused is reader(app)


async def test_f_with_many_links_waits_for_enter(store: Store, opener: FakeOpener) -> None:
    store.put_articles([link_record(1, 12)])
    app = make_app(store, opener=opener)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", "1")
        assert opener.calls == []  # 1, 10, 11 or 12?
        await pilot.press("enter")
        assert opener.calls == [["/bin/true", "https://example.org/source/1"]]
        await pilot.press("f", "1", "2")
        assert opener.calls[-1] == ["/bin/true", "https://example.org/source/12"]
        await pilot.press("f", "9")  # 90 > 12: nothing longer can follow
        assert opener.calls[-1] == ["/bin/true", "https://example.org/source/9"]
        await pilot.press("f", "0", "enter")
        await pilot.pause()
        assert len(opener.calls) == 3
        assert any("No link 0" in m for m in notifications(app))
        await pilot.press("f", "escape")
        assert len(opener.calls) == 3 and app.focused is article_list(app)


async def test_f_refuses_a_non_web_link(store: Store, opener: FakeOpener) -> None:
    from tui.core.models import Article

    record = link_record(1, 2)
    assert record.article is not None
    record = record.with_changes(article=Article(
        title=record.title, blocks=record.article.blocks,
        links=("javascript:alert(1)", "file:///etc/passwd")))
    store.put_articles([record])
    app = make_app(store, opener=opener)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", "1")
        await pilot.pause()
        assert opener.calls == []
        assert any("only http(s) links" in m for m in notifications(app))


async def test_number_keys_apply_saved_filters(demo_store: Store) -> None:
    config = Config(filters={"climate": "+climate", "unread": "is:unread"})
    app = make_app(demo_store, config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1")
        climate = len(demo_store._index.rowids(CompiledFilter(
            sql="a.rowid IN (SELECT article FROM tags WHERE tag = 'climate')")))
        assert len(article_list(app).rowids) == climate
        assert "climate (+climate)" in str(app.main.status.render())
        await pilot.press("2")
        assert len(article_list(app).rowids) == demo_store.unread_count()
        await pilot.press("3")
        await pilot.pause()
        assert any("No saved filter 3" in m for m in notifications(app))


async def test_question_mark_shows_help_and_closes(app: WartaApp) -> None:
    from tui.app.screens.help import HelpScreen

    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
