"""Background refresh for the app: the library's network in an async worker, reporting by message.

The worker never touches a widget. It posts ``RefreshProgressed`` (each replaces the last one
still queued), ``ArticlesArrived`` (batched by the app) and ``RefreshFinished``; the app's
handlers own the state. Network waits are async; parsing and extraction happen in the worker
pool's processes; store writes on the refresher's own thread — so the event loop stays free.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any

from textual.app import App

from ..core.library import Library, Network
from ..core.models import Feed
from .messages import ArticlesArrived, RefreshFinished, RefreshProgressed, SourceAdded

if TYPE_CHECKING:
    from ..core.pool import WorkerPool
    from ..core.refresh import RefreshProgress

PROGRESS_EVERY = 0.25  # seconds: the status line says where a refresh stands at most this often


class RefreshController:
    """Holds the library's network open for the app's lifetime, once first needed."""

    def __init__(self, app: App[Any], library: Library) -> None:
        self.app = app
        self.library = library
        self._exit = AsyncExitStack()
        self._network: Network | None = None
        self._progress: RefreshProgress | None = None  # the latest, not yet posted
        self._progress_due: asyncio.TimerHandle | None = None

    @property
    def running(self) -> bool:
        return self._network is not None and self._network.running

    @property
    def pool(self) -> WorkerPool | None:
        return self._network.pool if self._network is not None else None

    def start(self, feeds: Sequence[Feed] | None = None) -> bool:
        """Refresh ``feeds`` (default: every feed) in the background; False if one is running."""
        if self.running:
            return False
        chosen = list(feeds) if feeds is not None else self.library.feeds()
        if not chosen:
            return False
        self.app.run_worker(self._run(chosen), name="refresh", group="refresh", exit_on_error=False)
        return True

    async def _run(self, feeds: list[Feed]) -> None:
        network = await self._ready()
        progress = await network.refresh(feeds)
        self.drop_progress()
        self.app.post_message(RefreshFinished(progress))

    def add(self, url: str) -> None:
        """Subscribe to ``url`` (a feed, or a page that advertises one) or save it as one article,
        in the background; the outcome arrives as ``SourceAdded``."""
        self.app.run_worker(self._add(url), name="add", group="add", exit_on_error=False)

    async def _add(self, url: str) -> None:
        network = await self._ready()
        self.app.post_message(SourceAdded(await network.add(url)))

    async def shared(self) -> Network:
        """The app's network (built on first use), for the sync to merge server items with."""
        return await self._ready()

    async def _ready(self) -> Network:
        if self._network is None:
            self._network = await self._exit.enter_async_context(self.library.network(
                on_progress=self._progressed, on_articles=self._arrived))
        return self._network

    def _progressed(self, progress: RefreshProgress) -> None:
        """The latest progress, posted at most every PROGRESS_EVERY: each post is a frame, and
        a refresh or sync of thousands of pages reports after every page."""
        self._progress = progress
        if self._progress_due is None:
            self._progress_due = asyncio.get_running_loop().call_later(PROGRESS_EVERY, self._post_progress)

    def _post_progress(self) -> None:
        self._progress_due = None
        progress, self._progress = self._progress, None
        if progress is not None:
            self.app.post_message(RefreshProgressed(progress))

    def drop_progress(self) -> None:
        """Forget progress not yet posted: the outcome (finished, synced, failed) comes next and
        must not be overwritten by where the work stood a moment before."""
        if self._progress_due is not None:
            self._progress_due.cancel()
            self._progress_due = None
        self._progress = None

    def _arrived(self, article_ids: list[str]) -> None:
        self.app.post_message(ArticlesArrived(list(article_ids)))

    async def close(self) -> None:
        await self._exit.aclose()

