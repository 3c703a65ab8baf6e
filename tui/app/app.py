"""The Warta app: owns the store, the config and the background work; screens show them."""

from __future__ import annotations

import asyncio
import gc
import signal
from pathlib import Path
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from ..core.browser import Opener
from ..core.config import Config
from ..core.errors import DiskFullError, WartaError
from ..core.markdown_export import default_export_dir
from ..core.models import Feed
from ..core.sanitize import sanitize_line
from ..core.sources import all_feeds
from ..core.store import Store
from . import keys
from .commands import WartaCommands
from .refresh import (ArticlesArrived, RefreshController, RefreshFinished, RefreshProgressed,
                      SourceAdded)
from .screens.errors import ErrorsScreen
from .screens.help import HelpScreen
from .screens.main import MainScreen
from .sync import SyncController, SyncFailed, SyncFinished

ARRIVAL_BATCH = 0.3  # seconds: new articles are merged into the list at most this often


class WartaApp(App[None]):
    """Workers post messages; handlers here own the state and turn errors into notifications.

    ``export_dir`` (default ``~/Downloads`` or the current directory) and ``opener`` (how the
    browser is started) are injectable for tests.
    """

    CACHE_CHECK_DELAY = 30.0  # seconds after start: repair the caches once, in a thread
    SAVE_RETRY_INTERVAL = 5.0  # seconds between tries to save what a full disk refused

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
        self.sync = SyncController(self)
        self.sync_error: tuple[str, str] | None = None  # (server, what failed + last good sync)
        self.last_errors: tuple[tuple[str, str], ...] = ()
        self._arrived: set[str] = set()
        self._arrival_timer: Timer | None = None
        self._said_offline = False
        self.gone_feeds: set[str] = set()
        self._save_retry: Timer | None = None
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
        for notice in (self.notice, *self.store.earlier_notices, *self.store.notices):
            if notice:
                self.notify(notice, markup=False, timeout=10)
        self.store.notices_shown()  # every repair said once in the app, then forgotten
        if self.refresh_on_start:
            self.refresher.start()
            self.sync.start()
        minutes = self.config.refresh.interval_minutes
        if minutes > 0:
            self.set_interval(minutes * 60, self.refresher.start)
            self.set_interval(minutes * 60, self.sync.start)
        self.set_timer(self.CACHE_CHECK_DELAY, self._check_caches)

    def on_ready(self) -> None:
        # Everything built so far lives as long as the app: keep the collector from walking it
        # on every full pass (a 25-35 ms pause in the middle of a key press, measured).
        gc.freeze()

    def _exit_on_signals(self) -> None:
        """SIGTERM/SIGHUP quit like q does, so the terminal is restored (alternate screen off)."""
        loop = asyncio.get_running_loop()
        for number in (signal.SIGTERM, signal.SIGHUP):
            try:
                loop.add_signal_handler(number, self.exit)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # not the main thread, or not a POSIX loop

    async def on_unmount(self) -> None:
        await self.sync.close()
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
        self.sync.start()

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
            hints = {url: self._gone_hint(url) for url in self.gone_feeds}
            errors = (*self.last_errors, *([self.sync_error] if self.sync_error else []))
            self.push_screen(ErrorsScreen(errors, gone=hints, unsubscribe=self.unsubscribe))

    def _config_file_hint(self, url: str) -> str | None:
        """For a feed listed in the config file: where to remove it (the app never edits it)."""
        if any(feed.url == url for feed in self.config.feeds):
            return f"remove it from {self.config.path or 'the config file'}"
        return None

    def _gone_hint(self, url: str) -> str:
        return f"gone (HTTP 410) — {self._config_file_hint(url) or 'press u to unsubscribe'}"

    def unsubscribe(self, url: str) -> bool:
        """Stop following a feed added from the CLI or the app; config feeds only get a hint."""
        hint = self._config_file_hint(url)
        if hint is not None:
            self.notify(f"{sanitize_line(url, 200)} is in the config file: {hint}",
                        severity="warning", markup=False)
            return False
        try:
            self.store.remove_subscription(url)
        except WartaError as error:
            self.report(error)
            return False
        self.gone_feeds.discard(url)
        self.last_errors = tuple(entry for entry in self.last_errors if entry[0] != url)
        self.notify(f"Unsubscribed from {sanitize_line(url, 200)} (its articles stay)", markup=False)
        return True

    # -- background refresh (messages from the worker) ----------------------------------------

    def on_source_added(self, message: SourceAdded) -> None:
        result = message.result
        if result.feed is not None:
            name = sanitize_line(result.feed.name or result.feed.url)
            if self.refresher.start([result.feed]):
                self.notify(f"Subscribed to {name}; fetching it now", markup=False)
            else:
                self.notify(f"Subscribed to {name}; it is fetched with the next refresh",
                            markup=False)
        elif result.article_id is not None:
            self.notify(f"Saved {sanitize_line(result.title)}", markup=False)
            self.main.articles_changed({result.article_id})

    def on_sync_finished(self, message: SyncFinished) -> None:
        self.sync_error = None
        self.main.status.set_activity(message.report.describe())
        for notice in message.report.notices:
            self.notify(sanitize_line(notice), markup=False, timeout=10)

    def on_sync_failed(self, message: SyncFailed) -> None:
        self.sync_error = (f"sync with {message.server}", message.line)
        self.main.status.set_activity(f"sync failed (E shows why): {sanitize_line(message.line, 120)}")

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
        self.gone_feeds = set(progress.gone)
        if message.offline:
            self.main.status.set_activity("offline — showing cached articles")
            if not self._said_offline:
                self._said_offline = True
                self.notify("offline — showing cached articles", markup=False)
            return
        feeds = progress.feeds_total
        summary = f"Refreshed {feeds} feed{'s' if feeds != 1 else ''} · {progress.new_articles} new"
        if progress.errors:
            count = len(progress.errors)
            summary += f" · {count} error{'s' if count != 1 else ''} (E shows them)"
        if self.sync_error is not None:
            summary += " · sync failed (E shows why)"
        self.main.status.set_activity(summary)

    # -- state --------------------------------------------------------------------------------

    def set_state(self, article_id: str, **changes: Any) -> None:
        """Save a change of user state now (durable before the next key), then redraw.

        On a full disk the change is kept in memory and shown as done, one notice says so,
        and the queue is saved by a timer or with the next write that succeeds.
        """
        try:
            self.store.update_state(article_id, **changes)
        except DiskFullError as error:
            self.store.queue_state(article_id, **changes)
            self._disk_full(error)
        except WartaError as error:
            self.report(error)
            return
        else:
            if self.store.queued_count:
                self._save_queued()
        if changes.keys() == {"position"}:
            return  # nothing on screen shows it
        main = self.main
        rowid = self.store.index.rowid_of(article_id)
        if rowid is not None:
            main.article_list.forget([rowid])
            main.update_counts()
        main.refresh_article(article_id)

    def _disk_full(self, error: DiskFullError) -> None:
        if self._save_retry is None:
            self.notify(str(error), severity="error", timeout=15, markup=False)
            self._save_retry = self.set_interval(self.SAVE_RETRY_INTERVAL, self._save_queued)

    def _save_queued(self) -> None:
        """Try the queued state changes again; say once when they are all saved."""
        count = self.store.queued_count
        try:
            self.store.save_queued()
        except WartaError:
            return  # still full (or busy): the timer tries again
        if self._save_retry is not None:
            self._save_retry.stop()
            self._save_retry = None
        if count:
            self.notify(f"saved {count} pending change{'s' if count != 1 else ''}", markup=False)

    # -- background upkeep and worker failures ------------------------------------------------

    def _check_caches(self) -> None:
        """Once per session, while no refresh writes: repair the article and page caches."""
        if self.refresher.running:
            self.set_timer(self.CACHE_CHECK_DELAY, self._check_caches)
            return
        self.run_worker(self.store.check_caches, name="cache check", group="upkeep",
                        thread=True, exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that died of an unforeseen error is one line, not the end of the app."""
        worker = event.worker
        if event.state != WorkerState.ERROR or worker.group == "upkeep":
            return
        error = worker.error
        if isinstance(error, WartaError):
            self.report(error)
        else:
            what = worker.name or "background task"
            self.notify(sanitize_line(f"{what} failed: {type(error).__name__}: {error}", 300),
                        severity="error", timeout=10, markup=False)
        if worker.group == "refresh" and self.is_screen_installed("main"):
            self.main.status.set_activity("Refresh failed (r tries again)")

    def report(self, error: WartaError) -> None:
        """The one place a ``WartaError`` becomes something the user sees."""
        self.notify(str(error), severity="error", timeout=8, markup=False)
