"""The Warta app: owns the store, the config and the background work; screens show them."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.timer import Timer

from ..core.browser import Opener
from ..core.config import Config
from ..core.errors import WartaError
from ..core.markdown_export import default_export_dir
from ..core.models import Feed
from ..core.sources import all_feeds
from ..core.store import Store
from . import keys
from .commands import WartaCommands
from .refresh import ArticlesArrived, RefreshController, RefreshFinished, RefreshProgressed
from .screens.errors import ErrorsScreen
from .screens.help import HelpScreen
from .screens.main import MainScreen

ARRIVAL_BATCH = 0.3  # seconds: new articles are merged into the list at most this often


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
        Binding("E", "show_errors", "Errors", show=False,
                tooltip="Show which sources failed in the last refresh, and why", id="app.errors"),
    ]

    def __init__(self, store: Store, config: Config, *, notice: str | None = None,
                 export_dir: Path | None = None, opener: Opener | None = None,
                 refresh_on_start: bool | None = None) -> None:
        super().__init__()
        self.store = store
        self.config = config
        self.notice = notice
        self.refresh_on_start = config.refresh.on_start if refresh_on_start is None else refresh_on_start
        self.refresher = RefreshController(self)
        self.last_errors: tuple[tuple[str, str], ...] = ()
        self._arrived: set[str] = set()
        self._arrival_timer: Timer | None = None
        self._said_offline = False
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
        self._exit_on_signals()
        for notice in (self.notice, *self.store.notices):
            if notice:
                self.notify(notice, markup=False, timeout=10)
        if self.refresh_on_start:
            self.refresher.start()
        minutes = self.config.refresh.interval_minutes
        if minutes > 0:
            self.set_interval(minutes * 60, self.refresher.start)

    def _exit_on_signals(self) -> None:
        """SIGTERM/SIGHUP quit like q does, so the terminal is restored (alternate screen off)."""
        loop = asyncio.get_running_loop()
        for number in (signal.SIGTERM, signal.SIGHUP):
            try:
                loop.add_signal_handler(number, self.exit)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # not the main thread, or not a POSIX loop

    async def on_unmount(self) -> None:
        await self.refresher.close()

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
        self._start_refresh(None)

    def action_refresh_feed(self) -> None:
        article_id = self.main.current_article_id()
        record = self.store.get_article(article_id) if article_id else None
        wanted = set(record.feeds) if record else set()
        feeds = [feed for feed in all_feeds(self.config, self.store) if feed.url in wanted]
        if not feeds:
            self.notify("This article did not come from a feed you follow", markup=False)
            return
        self._start_refresh(feeds)

    def _start_refresh(self, feeds: list[Feed] | None) -> None:
        if self.refresher.running:
            self.notify("A refresh is already running", markup=False)
        elif not self.refresher.start(feeds):
            self.notify("No feeds to refresh: add one with  warta add URL  or in the config",
                        markup=False)

    def action_show_errors(self) -> None:
        if not isinstance(self.screen, ErrorsScreen):
            self.push_screen(ErrorsScreen(self.last_errors))

    # -- background refresh (messages from the worker) ----------------------------------------

    def on_refresh_progressed(self, message: RefreshProgressed) -> None:
        self.main.status.set_activity(message.progress.describe())

    def on_articles_arrived(self, message: ArticlesArrived) -> None:
        """Batch arrivals: the list is re-queried at most every ARRIVAL_BATCH seconds."""
        self._arrived.update(message.article_ids)
        if self._arrival_timer is None:
            self._arrival_timer = self.set_timer(ARRIVAL_BATCH, self._apply_arrivals)

    def _apply_arrivals(self) -> None:
        self._arrival_timer = None
        arrived, self._arrived = self._arrived, set()
        if arrived:
            self.main.articles_changed(arrived)

    def on_refresh_finished(self, message: RefreshFinished) -> None:
        self._apply_arrivals()
        progress = message.progress
        self.last_errors = progress.errors
        if message.offline:
            self.main.status.set_activity("offline — showing cached articles")
            if not self._said_offline:
                self._said_offline = True
                self.notify("offline — showing cached articles", markup=False)
            return
        summary = f"Refreshed {progress.feeds_total} feeds · {progress.new_articles} new"
        if progress.errors:
            count = len(progress.errors)
            summary += f" · {count} error{'s' if count != 1 else ''} (E shows them)"
        self.main.status.set_activity(summary)

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
