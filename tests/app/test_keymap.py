"""[keys] in the config remaps keys by binding id; conflicts and unknown ids are reported."""

from __future__ import annotations

from textual.widgets import Static

from tui.app.app import WartaApp
from tui.app.keys import find_conflicts
from tui.app.screens.help import HelpScreen
from tui.core.config import Config
from tui.core.store import Store

from .conftest import make_app
from .helpers import article_list, current_id, notifications, plain

SIZE = (100, 30)


async def test_remapped_keys_work_and_old_ones_do_not(demo_store: Store) -> None:
    app = make_app(demo_store, Config(keys={"article.star": "S", "list.down": "x,ctrl+n"}))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x", "ctrl+n")
        assert article_list(app).cursor == 2
        await pilot.press("j")
        assert article_list(app).cursor == 2
        article = current_id(app)
        await pilot.press("s")
        assert not demo_store.get_state(article).starred
        await pilot.press("S")
        assert demo_store.get_state(article).starred
        assert not notifications(app)


async def test_conflict_is_reported_at_start(demo_store: Store) -> None:
    app = make_app(demo_store, Config(keys={"article.star": "m"}))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        messages = notifications(app)
        assert any("Key m does two things" in m and "article.star" in m and
                   "article.toggle_read" in m for m in messages), messages


async def test_unknown_key_id_is_reported(demo_store: Store) -> None:
    app = make_app(demo_store, Config(keys={"article.stra": "S"}))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert any("article.stra: no such key id" in m for m in notifications(app))


def test_default_keys_have_no_conflicts() -> None:
    assert find_conflicts(WartaApp, {}) == []


def test_remap_into_a_different_pane_is_no_conflict() -> None:
    # j moves the list and scrolls the reader: two panes, two meanings, no conflict.
    assert find_conflicts(WartaApp, {"list.down": "j,down", "reader.down": "j"}) == []
    assert [c.key for c in find_conflicts(WartaApp, {"reader.down": "n"})] == ["n"]


async def test_help_lists_the_remapped_keys(demo_store: Store) -> None:
    app = make_app(demo_store, Config(keys={"article.star": "S", "filter.prompt": "ctrl+f"},
                                      filters={"Climate": "+climate"}))
    async with app.run_test(size=(120, 60)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = plain(app.screen.query_one("#help-keys", Static).content, width=110)  # type: ignore[arg-type]
        star = next(line for line in text.splitlines() if "article.star" in line)
        assert star.split()[0] == "S"
        prompt = next(line for line in text.splitlines() if "filter.prompt" in line)
        assert prompt.split()[0] == "^f"
        assert "Saved filter Climate: +climate" in text
        assert "filter.saved_2" not in text  # only configured saved filters are listed
        for binding_id in ("list.down", "reader.page_down", "article.next_unread", "tags.pick",
                           "article.follow_link", "app.quit", "app.help"):
            assert binding_id in text


async def test_every_action_is_in_the_command_palette(app: WartaApp) -> None:
    from tui.app.commands import WartaCommands
    from tui.app.keys import all_bindings

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        provider = WartaCommands(app.main)
        titles = [title for title, _, _ in provider._commands()]
        for _, binding in all_bindings(WartaApp):
            if not (binding.id or "").startswith("filter.saved_"):
                assert (binding.tooltip or binding.description) in titles
        command = next(c for t, _, c in provider._commands() if t == "Star or unstar the article")
        article = current_id(app)
        await command()  # type: ignore[misc]
        assert app.library.state(article).starred


async def test_command_palette_opens_and_runs_a_command(app: WartaApp) -> None:
    from textual.command import CommandPalette

    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"mark the article")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert app.library.state(current_id(app)).read
