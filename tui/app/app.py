"""The Warta app: owns the store, the config and the background work; screens show them."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.binding import Binding

from ..core.config import Config
from ..core.errors import WartaError
from ..core.store import Store
from .screens.main import MainScreen


class WartaApp(App[None]):
    """Workers post messages; handlers here own the state and turn errors into notifications."""

    CSS_PATH = "app.tcss"
    TITLE = "Warta"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(self, store: Store, config: Config, *, notice: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.config = config
        self.notice = notice
        self.theme = config.theme if config.theme in self.available_themes else "textual-dark"

    @property
    def main(self) -> MainScreen:
        screen = self.get_screen("main")
        assert isinstance(screen, MainScreen)
        return screen

    def on_mount(self) -> None:
        self.install_screen(MainScreen(self.store), "main")
        self.push_screen("main")
        if self.notice:
            self.notify(self.notice)

    def set_state(self, article_id: str, **changes: Any) -> None:
        """Save a change of user state now (durable before the next key), then redraw."""
        try:
            self.store.update_state(article_id, **changes)
        except WartaError as error:
            self.report(error)
            return
        main = self.main
        position = main.article_list.position_of(article_id)
        rowid = main.store.index.rowid_of(article_id)
        if rowid is not None:
            main.article_list.forget([rowid])
        if position is not None:
            main.update_counts()
        if "position" not in changes:
            main.refresh_article(article_id)

    def report(self, error: WartaError) -> None:
        """The one place a ``WartaError`` becomes something the user sees."""
        self.notify(str(error), severity="error", timeout=8)

