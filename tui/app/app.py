"""The Warta app: owns the library's background work (refresh, upkeep); screens show articles.

The app and its screens talk in messages (``messages.py``): the main screen asks for a refresh
or reports a failure, the app tells it what arrived and what is going on.
"""

from __future__ import annotations

import asyncio
import gc
import signal
import time
from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from ..core.browser import Opener
from ..core.errors import RefreshFailure, WartaError
from ..core.images import ImageError, PixelImage, Scaled
from ..core.library import Library
from ..core.markdown_export import default_export_dir
from ..core.models import Feed
from ..core.sanitize import sanitize_line
from ..core.undo import UndoStack
from . import keys
from .commands import WartaCommands
from .graphics import KittyPictures, Terminal, sixel_encode
from .messages import (Activity, AddRequested, ArticlesArrived, ArticlesChanged, ChangesQueued,
                       Failed, IndexProgressed, IndexRebuilt, PicturesDone, PicturesLoaded, PicturesWanted,
                       QueueFlushed, RefreshFinished, RefreshProgressed, RefreshRequested,
                       Resubscribed, SessionNews, SourceAdded)
from .pictures import Drawable, SixelPicture
from .refresh import RefreshController
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
    LIVE_POLL_INTERVAL = 2.0  # seconds between looks at what other processes wrote

    CSS_PATH = "app.tcss"
    TITLE = "Warta"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {WartaCommands}

    BINDINGS = [
        Binding("q,ctrl+c", "quit", "Quit", tooltip="Quit Warta (Ctrl-C too)", id="app.quit"),
        Binding("Q", "quit", "Quit", show=False, tooltip="Quit Warta, from the reader too", id="app.quit_anywhere"),
        Binding("question_mark", "help", "Keys", tooltip="Show every key", id="app.help"),
        Binding("r", "refresh_all", "Refresh", show=False, tooltip="Refresh every feed",
                id="app.refresh_all"),
        Binding("R", "screen.refresh_feed", "Refresh feed", show=False,
                tooltip="Refresh the feed of the current article", id="app.refresh_feed"),
        Binding("E", "show_errors", "Errors", show=False,
                tooltip="Show which sources failed in the last refresh, and why", id="app.errors"),
    ]

    def __init__(self, library: Library, *, notice: str | None = None,
                 export_dir: Path | None = None, opener: Opener | None = None,
                 refresh_on_start: bool | None = None, offline: bool = False,
                 terminal: Terminal | None = None) -> None:
        super().__init__()
        self.offline = offline  # --offline and --demo: nothing is downloaded unasked, pictures never
        self.terminal = terminal  # the picture protocols it answered for (None: not asked)
        self.kitty = KittyPictures(self._write_graphics, tmux=bool(terminal and terminal.tmux))
        self.library = library
        self.config = config = library.config
        self.notice = notice
        self.refresh_on_start = config.refresh.on_start if refresh_on_start is None else refresh_on_start
        self.refresher = RefreshController(self, library)
        self.undo_stack = UndoStack(library)  # the session's: every screen's changes
        self.sync = SyncController(self, library, self.refresher)
        self.sync_error: RefreshFailure | None = None  # what failed + the last good sync
        self.last_errors: tuple[RefreshFailure, ...] = ()
        self._arrived: set[str] = set()
        self._arrival_timer: Timer | None = None
        self._said_offline = False
        self._session_begun = False  # what is new since the last session counted and said
        self.gone_feeds: set[str] = set()
        self._save_retry: Timer | None = None
        self.export_dir = export_dir or default_export_dir(library.data_dir)
        self.opener = opener
        self.theme = config.theme if config.theme in self.available_themes else "textual-dark"
        self.theme_warning = ""  # said at mount, with the names that do exist
        if self.theme != config.theme:
            self.theme_warning = (f"Unknown theme {config.theme!r} in the config; using "
                                  "textual-dark. Themes: " + ", ".join(sorted(self.available_themes)))

    @property
    def main(self) -> MainScreen:
        screen = self.get_screen("main")
        assert isinstance(screen, MainScreen)
        return screen

    def on_mount(self) -> None:
        self.install_screen(MainScreen(self.library, export_dir=self.export_dir,
                                       opener=self.opener, undo=self.undo_stack), "main")
        self.push_screen("main")
        self.apply_keymap()
        self._exit_on_signals()
        if self.notice:  # what this session is stays in view, in the status line, over nothing
            self._tell_main(Activity(self.notice))
        for notice in (self.theme_warning, *self.library.earlier_notices, *self.library.notices):
            if notice:
                self.notify(notice, markup=False, timeout=10)
        self.library.notices_shown()  # every repair said once in the app, then forgotten
        minutes = self.config.refresh.interval_minutes
        if minutes > 0:
            self.set_interval(minutes * 60, self.refresher.start)
            self.set_interval(minutes * 60, self.sync.start)
        self.set_timer(self.CACHE_CHECK_DELAY, self._check_caches)
        self.set_interval(self.LIVE_POLL_INTERVAL, self._look_for_outside_changes)
        if self.library.index_stale:
            self._tell_main(Activity("Rebuilding the article index…"))

    def on_ready(self) -> None:
        """After the first frame: background work starts only now, so it never delays it."""
        # Everything built so far lives as long as the app: keep the collector from walking it
        # on every full pass (a 25-35 ms pause in the middle of a key press, measured). It was
        # off while starting (``tui.__main__``).
        gc.freeze()
        gc.enable()
        # Textual draws the first screen inside its start-up batch and drops that frame; a
        # widget drawn then and not changed since (the status line with the counts) was
        # missing from the first frame the terminal got, ~50 ms before a later full one.
        for widget in self.screen.walk_children():
            widget.refresh()
        if self.library.index_stale:  # its process starts once the first frame is out
            self.call_after_refresh(self._start_rebuild)
        if self.refresh_on_start:
            self.refresher.start()
            self.sync.start()
        # What is new since the last session: counted behind the first frame, from an index in
        # step (a missing one counted "nothing new" while it was rebuilt). The mark is read
        # here, on this thread, so ``is:new`` means the same all session.
        _ = self.library.new_since
        if not self.library.index_stale:
            self._count_whats_new()

    def _count_whats_new(self) -> None:
        self._session_begun = True
        self.run_worker(self._begin_session, name="what's new", group="upkeep", thread=True,
                        exit_on_error=False)

    def _begin_session(self) -> None:
        news = self.library.begin_session(time.time()).describe()
        if news:
            self.call_from_thread(self._tell_main, SessionNews(news))

    def _exit_on_signals(self) -> None:
        """SIGTERM/SIGHUP quit like q does, so the terminal is restored (alternate screen off)."""
        loop = asyncio.get_running_loop()
        for number in (signal.SIGTERM, signal.SIGHUP):
            try:
                loop.add_signal_handler(number, self.exit)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # not the main thread, or not a POSIX loop

    async def on_unmount(self) -> None:
        self.library.stop_rebuild()  # quitting never waits for it; the next start does it again
        self.library.end_session(time.time())
        self.kitty.forget_all()
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
            self.push_screen(HelpScreen(keys.help_sections(self, self.config.keys,
                                                           self.library.filters())))

    async def action_quit(self) -> None:
        self.exit()  # the main screen saves the reading position as it unmounts

    def action_refresh_all(self) -> None:
        self._start_refresh(None)
        self.sync.start()

    def on_refresh_requested(self, message: RefreshRequested) -> None:
        self._start_refresh(message.feeds)

    def on_add_requested(self, message: AddRequested) -> None:
        self.notify(f"Adding {message.url}…", markup=False)
        self.refresher.add(message.url)

    def on_failed(self, message: Failed) -> None:
        self.report(message.error)

    def _tell_main(self, message: ArticlesChanged | Activity | SessionNews) -> None:
        if self.is_screen_installed("main"):
            self.main.post_message(message)

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

    def _gone_hint(self, url: str) -> str:
        hint = self.library.config_file_hint(url)
        return f"gone (HTTP 410) — {hint or 'press u to unsubscribe'}"

    def unsubscribe(self, url: str) -> bool:
        """Stop following a feed added from the CLI or the app; config feeds only get a hint."""
        feed = next((f for f in self.library.subscriptions() if f.url == url), None)
        try:
            self.library.unsubscribe(url)
        except WartaError as error:
            in_config = self.library.config_file_hint(url) is not None
            self.notify(str(error), severity="warning" if in_config else "error", markup=False)
            return False
        self.gone_feeds.discard(url)
        self.last_errors = tuple(failure for failure in self.last_errors if failure.url != url)
        if feed is not None:
            self.undo_stack.push_unsubscribe(f"unsubscribe from {sanitize_line(feed.name or url, 80)}",
                                             feed)
        self.notify(f"Unsubscribed from {sanitize_line(url, 200)} (its articles stay; u undoes)",
                    markup=False)
        return True

    def on_resubscribed(self, message: Resubscribed) -> None:
        self.gone_feeds.discard(message.feed.url)

    # -- background refresh (messages from the worker) ----------------------------------------

    def on_source_added(self, message: SourceAdded) -> None:
        result = message.result
        if result.feed is not None and result.known:
            self.notify(f"Already subscribed to {sanitize_line(result.feed.url, 200)}", markup=False)
        elif result.feed is not None:
            name = sanitize_line(result.feed.name or result.feed.url)
            if self.refresher.start([result.feed]):
                self.notify(f"Subscribed to {name}; fetching it now", markup=False)
            else:
                self.notify(f"Subscribed to {name}; it is fetched with the next refresh",
                            markup=False)
        elif result.article_id is not None:
            self.notify(f"Saved {sanitize_line(result.title)}", markup=False)
            self._tell_main(ArticlesChanged({result.article_id}))

    def on_sync_finished(self, message: SyncFinished) -> None:
        self.sync_error = None
        self._tell_main(Activity(message.report.describe()))
        for notice in message.report.notices:
            self.notify(sanitize_line(notice), markup=False, timeout=10)

    def on_sync_failed(self, message: SyncFailed) -> None:
        self.sync_error = RefreshFailure(f"sync with {message.server}", message.line)
        self._tell_main(Activity(f"sync failed (E shows why): {sanitize_line(message.line, 120)}"))

    def on_refresh_progressed(self, message: RefreshProgressed) -> None:
        self._tell_main(Activity(message.progress.describe()))

    def on_articles_arrived(self, message: ArticlesArrived) -> None:
        """Batch arrivals: the list is re-queried at most every ARRIVAL_BATCH seconds."""
        self._arrived.update(message.article_ids)
        if self._arrival_timer is None:
            self._arrival_timer = self.set_timer(ARRIVAL_BATCH, self._apply_arrivals)

    def _apply_arrivals(self) -> None:
        self._arrival_timer = None
        arrived, self._arrived = self._arrived, set()
        if arrived:
            self._tell_main(ArticlesChanged(arrived))

    def on_refresh_finished(self, message: RefreshFinished) -> None:
        self._apply_arrivals()
        progress = message.progress
        self.last_errors = progress.errors
        self.gone_feeds = set(progress.gone)
        summary = progress.summary()
        if self.sync_error is not None and not progress.offline:
            summary += " · sync failed (E shows why)"
        self._tell_main(Activity(summary))
        if progress.offline and not self._said_offline:
            self._said_offline = True
            self.notify(progress.summary(), markup=False)

    # -- pictures (asked for by the screens, loaded by a worker) --------------------------------

    def on_pictures_wanted(self, message: PicturesWanted) -> None:
        self.run_worker(self._load_pictures(message), name="pictures", exclusive=True,
                        group=f"pictures-{id(message.reply_to)}", exit_on_error=False)

    async def _load_pictures(self, wanted: PicturesWanted) -> None:
        """Cached pictures first, in one message, then each download as it arrives (none
        offline); the answers go to whoever asked. For kitty and sixel the pictures are scaled
        in pixels and made into what that protocol draws before the screen gets them."""
        loader = self.library.pictures(None if self.offline else await self.refresher.shared())
        size = (wanted.cols, wanted.rows, wanted.background)
        cell = (self.terminal or Terminal()).cell if wanted.drawing in ("kitty", "sixel") else None
        if wanted.drawing != "kitty":
            self.kitty.forget(id(wanted.reply_to))  # nothing of that screen is drawn by kitty now
        cached = await loader.cached(wanted.refs, *size, cell=cell)
        ready = [(ref.url, await self._drawable(wanted, result)) for ref, result in cached
                 if result is not None]
        if ready:
            wanted.reply_to.post_message(PicturesLoaded(wanted.article_id, ready))
        missing = [ref for ref, result in cached if result is None]
        async for ref, result in loader.downloaded(
                missing, *size, counting=wanted.refs, cell=cell,
                trusted_hosts=self.library.picture_hosts(wanted.feeds)):
            wanted.reply_to.post_message(PicturesLoaded(wanted.article_id,
                                                        [(ref.url, await self._drawable(wanted, result))]))

    def on_pictures_done(self, message: PicturesDone) -> None:
        self.kitty.forget(message.owner_id)

    async def _drawable(self, wanted: PicturesWanted, scaled: Scaled | ImageError) -> Drawable | ImageError:
        if not isinstance(scaled, PixelImage):
            return scaled
        if wanted.drawing == "sixel":
            return SixelPicture(scaled.cols, scaled.rows, await asyncio.to_thread(sixel_encode, scaled))
        return self.kitty.send(id(wanted.reply_to), wanted.article_id, scaled)

    def _write_graphics(self, escapes: str) -> None:
        """Picture escapes straight to the terminal, between frames (never in tests' headless
        driver, which has no terminal)."""
        driver = self._driver
        if driver is not None and not self.is_headless:
            driver.write(escapes)
            driver.flush()

    # -- changes the disk could not take, and changes by other processes ---------------------

    def on_changes_queued(self, message: ChangesQueued) -> None:
        """Disk full: one notice, then the library tries to save the queue every few seconds."""
        if self._save_retry is None:
            self.notify(str(self.library.save_error or "disk full"), severity="error", timeout=15,
                        markup=False)
            self._save_retry = self.set_interval(self.SAVE_RETRY_INTERVAL, self._save_queued)

    def _save_queued(self) -> None:
        """Try the queued state changes again; say once when they are all saved."""
        saved = self.library.save_queued()
        if not self.library.queued_count:
            self._queue_flushed(saved)
        # else still full (or busy): the timer tries again

    def on_queue_flushed(self, message: QueueFlushed) -> None:
        self._queue_flushed(message.count)

    def _queue_flushed(self, saved: int) -> None:
        if self._save_retry is not None:
            self._save_retry.stop()
            self._save_retry = None
        if saved:
            self.notify(f"saved {saved} pending change{'s' if saved != 1 else ''}", markup=False)

    def _rebuild_index(self) -> None:
        """Thread: the list shows what the old index has meanwhile (see ``Store.rebuild_index``)."""
        def progress(done: int, total: int) -> None:
            self.post_message(IndexProgressed(done, total))

        self.library.rebuild_index(progress, separate=True)
        self.post_message(IndexRebuilt())

    def on_index_progressed(self, message: IndexProgressed) -> None:
        self._tell_main(Activity(f"Rebuilding the article index: {message.done:,}/{message.total:,}"))

    def on_index_rebuilt(self, message: IndexRebuilt) -> None:
        self._tell_main(ArticlesChanged(None))
        self._tell_main(Activity("Article index rebuilt"))
        if not self._session_begun:
            self._count_whats_new()

    def _look_for_outside_changes(self) -> None:
        """A cron ``warta fetch`` (or a second Warta) wrote: show its articles and counts; and
        rebuild the index if a write missed it (here, or there: asked on a thread)."""
        if self.library.changed_elsewhere():
            self._tell_main(ArticlesChanged(None))
            if not self.workers_in("index"):
                self.run_worker(self._check_index, name="index check", group="index", thread=True,
                                exit_on_error=False)
        elif self.library.index_stale:
            self._start_rebuild()

    def _start_rebuild(self) -> None:
        if not self.workers_in("index"):
            self.run_worker(self._rebuild_index, name="index rebuild", group="index", thread=True,
                            exit_on_error=False)

    def _check_index(self) -> None:
        """Thread: whether the index misses another process's write (it skipped its index write
        while this one held the index); then it is rebuilt, behind the list."""
        if self.library.index_lags():
            self._rebuild_index()

    # -- background upkeep and worker failures ------------------------------------------------

    def _check_caches(self) -> None:
        """Once per session, while no refresh writes: repair the article and page caches."""
        if self.refresher.running or self.workers_in("index") or self.library.index_stale:
            self.set_timer(self.CACHE_CHECK_DELAY, self._check_caches)  # the rebuild goes first
            return
        self.run_worker(self.library.check_caches, name="cache check", group="upkeep",
                        thread=True, exit_on_error=False)

    def workers_in(self, group: str) -> bool:
        return any(worker.group == group and not worker.is_finished for worker in self.workers)

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
        if worker.group == "refresh":
            self._tell_main(Activity("Refresh failed (r tries again)"))

    def report(self, error: WartaError) -> None:
        """The one place a ``WartaError`` becomes something the user sees."""
        self.notify(str(error), severity="error", timeout=8, markup=False)
