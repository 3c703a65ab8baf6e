"""[keys] in the config remaps keys by binding id; conflicts and unknown ids are reported."""

from __future__ import annotations


from tui.app.app import WartaApp
from tui.app.keys import find_conflicts
from tui.app.screens.help import HelpScreen
from tui.core.config import Config
from tui.core.store import Store

from .conftest import make_app
from .helpers import article_list, current_id, notifications

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
        text = "\n".join(app.screen.text_lines)  # type: ignore[attr-defined]
        star = next(line for line in text.splitlines() if "article.star" in line)
        assert star.split()[0] == "S"
        prompt = next(line for line in text.splitlines() if "filter.prompt" in line)
        assert prompt.split()[0] == "^f"
        assert "Saved filter Climate: +climate" in text
        assert "filter.saved_2" not in text  # only configured saved filters are listed
        for binding_id in ("list.down", "reader.page_down", "article.next_unread", "tags.pick",
                           "article.follow_link", "app.quit", "app.help"):
            assert binding_id in text


async def test_every_action_id_is_in_help_and_in_the_palette_of_its_screen(
        demo_store: Store) -> None:
    """Walks the keymap: every binding id of every screen and widget is listed by ? and offered
    by the command palette on the screen where the key works."""
    from tui.app.commands import WartaCommands
    from tui.app.keys import scopes
    from tui.app.screens.confirm import ConfirmOpen
    from tui.app.screens.picture import Picture, PictureScreen

    from tui.core.models import Feed

    demo_store.add_subscription(Feed(url="http://127.0.0.1:9/feed.xml", name="Local"))
    app = make_app(demo_store, Config(filters={"Climate": "+climate"}))
    offered: dict[str, set[str]] = {}  # screen class name -> ids its palette offers

    def palette() -> None:
        ids = {help_text.rsplit(" · ", 1)[-1] for _, help_text, _ in
               WartaCommands(app.screen)._commands()}
        offered.setdefault(type(app.screen).__name__, set()).update(ids)

    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        palette()
        await pilot.press("question_mark")
        help_text = "\n".join(app.screen.text_lines)  # type: ignore[attr-defined]
        palette()
        await pilot.press("escape")
        for opening, closing in ((["F"], ["escape"]), (["F", "j", "R"], ["escape", "escape"]),
                                 (["t"], ["escape"]), (["T"], ["escape"]), (["E"], ["escape"]),
                                 (["A"], ["n"])):
            await pilot.press(*opening)
            await pilot.pause()
            palette()
            await pilot.press(*closing)
            await pilot.pause()
        await pilot.press("vertical_line", *"cat", "enter")
        await pilot.pause()
        palette()
        await pilot.press("escape")
        await pilot.pause()
        for screen in (ConfirmOpen("https://example.org/", "it looks odd"),
                       PictureScreen([Picture("https://example.org/a.png", "")], 0, "x")):
            await app.push_screen(screen)
            await pilot.pause()
            palette()
            app.pop_screen()
            await pilot.pause()
    everywhere = set.intersection(*offered.values())
    for scope in scopes(WartaApp):
        for binding in scope.bindings:
            if binding.id == "filter.saved_1":
                assert "filter.saved_1" in help_text  # configured, so listed (2-9 are not)
                continue
            if (binding.id or "").startswith("filter.saved_"):
                continue
            assert binding.id in help_text, binding.id
            assert binding.id in everywhere or any(binding.id in ids for ids in offered.values()), \
                (binding.id, offered.keys())
    assert "app.quit" in everywhere and "feeds.unsubscribe" in offered["FeedsScreen"]
    assert "feeds.unsubscribe" not in offered["MainScreen"]  # each screen offers its own


async def test_a_palette_command_runs_on_its_node(app: WartaApp) -> None:
    from tui.app.commands import WartaCommands

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        provider = WartaCommands(app.main)
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
