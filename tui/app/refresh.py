"""Background refresh for the app: the core ``Refresher`` in an async worker, reporting by message.

The worker never touches a widget. It posts ``RefreshProgressed`` (each replaces the last one
still queued), ``ArticlesArrived`` (batched by the screen) and ``RefreshFinished``; the app's
handlers own the state. Network waits are async; parsing and extraction happen in the worker
pool's processes; store writes on the refresher's own thread — so the event loop stays free.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.message import Message

from ..core.fetch import Fetcher
from ..core.images import image_policy
from ..core.models import Feed
from ..core.pool import WorkerPool
from ..core.refresh import AddResult, Refresher, RefreshProgress, add_url
from ..core.sources import all_feeds, fetch_limits, worker_pool

if TYPE_CHECKING:
    from .app import WartaApp

# Reasons that mean "no network here", not "this feed is broken".
_OFFLINE_REASONS = ("host not found", "connection refused", "network unreachable",
                    "proxy unreachable", "no route to host", "cannot connect")


class RefreshProgressed(Message):
    """Where the running refresh stands."""

    def __init__(self, progress: RefreshProgress) -> None:
        super().__init__()
        self.progress = progress

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RefreshProgressed)


class ArticlesArrived(Message):
    """Articles were added or updated (one message per feed batch or page)."""

    def __init__(self, article_ids: list[str]) -> None:
        super().__init__()
        self.article_ids = article_ids


class SourceAdded(Message):
    """``a`` worked: a feed to refresh now, or one saved article."""

    def __init__(self, result: AddResult) -> None:
        super().__init__()
        self.result = result


class RefreshFinished(Message):
    def __init__(self, progress: RefreshProgress, *, offline: bool) -> None:
        super().__init__()
        self.progress = progress
        self.offline = offline


class RefreshController:
    """Owns the fetcher, the worker pool and the refresher for the app's lifetime."""

    def __init__(self, app: WartaApp) -> None:
        self.app = app
        self._pool: WorkerPool | None = None
        self._fetcher: Fetcher | None = None
        self._refresher: Refresher | None = None

    @property
    def running(self) -> bool:
        return self._refresher is not None and self._refresher.running

    def start(self, feeds: Sequence[Feed] | None = None) -> bool:
        """Refresh ``feeds`` (default: every feed) in the background; False if one is running."""
        if self.running:
            return False
        chosen = list(feeds) if feeds is not None else all_feeds(self.app.config, self.app.store)
        if not chosen:
            return False
        self.app.run_worker(self._run(chosen), name="refresh", group="refresh", exit_on_error=False)
        return True

    async def _run(self, feeds: list[Feed]) -> None:
        refresher = await self._ready()
        progress = await refresher.run(feeds)
        self.app.post_message(RefreshFinished(progress, offline=_looks_offline(progress)))

    def add(self, url: str) -> None:
        """Subscribe to ``url`` (a feed, or a page that advertises one) or save it as one article,
        in the background; the outcome arrives as ``SourceAdded``."""
        self.app.run_worker(self._add(url), name="add", group="add", exit_on_error=False)

    async def _add(self, url: str) -> None:
        refresher = await self._ready()
        result = await add_url(url, store=self.app.store, fetcher=refresher.fetcher,
                               pool=refresher.pool)
        if result.feed is not None:
            await asyncio.to_thread(self.app.store.add_subscription, result.feed)
        self.app.post_message(SourceAdded(result))

    async def shared(self) -> Refresher:
        """The app's refresher (built on first use), for the sync to merge server items with."""
        return await self._ready()

    async def _ready(self) -> Refresher:
        if self._refresher is None:
            config = self.app.config
            self._pool = worker_pool(config)
            self._fetcher = Fetcher(fetch_limits(config))
            await self._fetcher.__aenter__()
            self._refresher = Refresher(
                self.app.store, self._fetcher, self._pool,
                on_progress=lambda progress: self.app.post_message(RefreshProgressed(progress)),
                on_articles=lambda ids: self.app.post_message(ArticlesArrived(list(ids))),
                extract_timeout=config.fetch.extract_timeout, rules=config.rules,
                fetch_images=image_policy(config.images),
            )
        return self._refresher

    async def close(self) -> None:
        if self._fetcher is not None:
            await self._fetcher.aclose()
        if self._pool is not None:
            self._pool.close()


def _looks_offline(progress: RefreshProgress) -> bool:
    feed_errors = [reason for url, reason in progress.errors]
    # A page queued means some feed answered: a page that cannot be reached is not "offline".
    return (progress.feeds_total > 0 and progress.pages_total == 0
            and len(feed_errors) >= progress.feeds_total
            and all(any(word in reason for word in _OFFLINE_REASONS) for reason in feed_errors))

