"""The Warta app: owns the store, the config and the background work; screens show them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App
from textual.binding import Binding

from ..core.browser import Opener
from ..core.config import Config
from ..core.errors import WartaError
from ..core.markdown_export import default_export_dir
from ..core.store import Store
from . import keys
from .commands import WartaCommands
from .screens.help import HelpScreen
from .screens.main import MainScreen


class WartaApp(App[None]):
    """Workers post messages; handlers here own the state and turn errors into notifications.

    ``export_dir`` (default ``~/Downloads`` or the current directory) and ``opener`` (how the
    browser is started) are injectable for tests.
    """

    CSS_PATH = "app.tcss"
    TITLE = "Warta"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {WartaCommands}

    BINDINGS = [
        Binding("q", "quit", "Quit", tooltip="Quit Warta", id="app.quit"),
        Binding("question_mark", "help", "Keys", tooltip="Show every key", id="app.help"),
        Binding("r", "refresh_all", "Refresh", show=False, tooltip="Refresh every feed",
                id="app.refresh_all"),
        Binding("R", "refresh_feed", "Refresh feed", show=False,
                tooltip="Refresh the feed of the current article", id="app.refresh_feed"),
    ]

    def __init__(self, store: Store, config: Config, *, notice: str | None = None,
                 export_dir: Path | None = None, opener: Opener | None = None) -> None:
        super().__init__()
        self.store = store
        self.config = config
        self.notice = notice
        self.export_dir = export_dir or default_export_dir()
        self.opener = opener
        self.theme = config.theme if config.theme in self.available_themes else "textual-dark"

    @property
    def main(self) -> MainScreen:
        screen = self.get_screen("main")
        assert isinstance(screen, MainScreen)
        return screen

    def on_mount(self) -> None:
        self.install_screen(MainScreen(self.store), "main")
        self.push_screen("main")
        self.apply_keymap()
        if self.notice:
            self.notify(self.notice, markup=False)

    def apply_keymap(self) -> None:
        """Remap keys from ``[keys]`` and say, once, what in it cannot work."""
        keymap = self.config.keys
        self.set_keymap(dict(keymap))
        for binding_id in keys.unknown_ids(type(self), keymap):
            self.notify(f"[keys] {binding_id}: no such key id (press ? to see them)",
                        severity="warning", markup=False, timeout=10)
        for conflict in keys.find_conflicts(type(self), keymap):
            self.notify(conflict.message(self), severity="warning", markup=False, timeout=10)

    # -- actions ------------------------------------------------------------------------------

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.config.keys, self.config.filters))

    async def action_quit(self) -> None:
        if self.is_screen_installed("main"):
            self.main.flush_position()
        self.exit()

    def action_refresh_all(self) -> None:
        self.notify("Refresh is not available yet")

    def action_refresh_feed(self) -> None:
        self.notify("Refresh is not available yet")

    # -- state --------------------------------------------------------------------------------

    def set_state(self, article_id: str, **changes: Any) -> None:
        """Save a change of user state now (durable before the next key), then redraw."""
        try:
            self.store.update_state(article_id, **changes)
        except WartaError as error:
            self.report(error)
            return
        if changes.keys() == {"position"}:
            return  # nothing on screen shows it
        main = self.main
        position = main.article_list.position_of(article_id)
        rowid = main.store.index.rowid_of(article_id)
        if rowid is not None:
            main.article_list.forget([rowid])
        if position is not None:
            main.update_counts()
        main.refresh_article(article_id)

    def report(self, error: WartaError) -> None:
        """The one place a ``WartaError`` becomes something the user sees."""
        self.notify(str(error), severity="error", timeout=8, markup=False)
