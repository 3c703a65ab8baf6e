"""Where articles come from: the config's feeds plus the subscriptions saved in the data dir,
and the fetch limits and worker pool a refresh runs with."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from .config import Config
from .fetch import Fetcher, FetchLimits, MiB
from .models import Feed
from .pool import WorkerPool
from .store import Store


def all_feeds(config: Config, store: Store) -> list[Feed]:
    """Config feeds first (they win on duplicates), then those added from the CLI or the app."""
    feeds = {feed.url: feed for feed in config.feeds}
    for feed in store.subscriptions():
        feeds.setdefault(feed.url, feed)
    return list(feeds.values())


def all_filters(config: Config, store: Store) -> dict[str, str]:
    """Saved filters: the config's first (they win on a name), then those imported into the data dir."""
    imported = store.saved_filters()
    return {**config.filters, **{name: text for name, text in imported.items() if name not in config.filters}}


def feed_names(feeds: list[Feed]) -> dict[str, str]:
    """Lower-case feed name -> URL, for the ``feed:`` filter."""
    return {feed.name.lower(): feed.url for feed in feeds if feed.name}


def fetch_limits(config: Config) -> FetchLimits:
    fetch = config.fetch
    return FetchLimits(
        max_connections=fetch.max_connections,
        max_per_host=fetch.per_host,
        min_delay_per_host=fetch.min_delay,
        connect_timeout=fetch.connect_timeout,
        read_timeout=fetch.read_timeout,
        total_deadline=fetch.deadline,
        retries=fetch.retries,
        page_max_bytes=int(fetch.page_max_mb * MiB),
        feed_max_bytes=int(fetch.feed_max_mb * MiB),
        trust_env=fetch.trust_env,
    )


def worker_pool(config: Config) -> WorkerPool:
    return WorkerPool(config.fetch.workers, timeout=config.fetch.extract_timeout)


@asynccontextmanager
async def network(config: Config) -> AsyncIterator[tuple[Fetcher, WorkerPool]]:
    """A fetcher and a worker pool for one command; both are shut down on the way out."""
    pool = worker_pool(config)
    try:
        async with Fetcher(fetch_limits(config)) as fetcher:
            yield fetcher, pool
    finally:
        pool.close()
