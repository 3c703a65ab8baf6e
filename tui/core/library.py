"""The one door to Warta's data: what the app and the CLI use, and nothing else.

A ``Library`` owns the store (the data dir) and the config. It answers the questions a screen
or a command asks — which feeds, which articles a filter lists and how many are unread, what
one article says, which tags there are — and it is the only way user state changes:
``change()`` works out the before and after of every article, tells the journals (undo, sync),
saves, and reports what changed so a screen repaints just that. ``network()`` is the one place
a fetcher, a worker pool and a refresher are put together, for ``warta fetch`` and the app alike.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from .changes import StateChange
from .config import Config
from .errors import DiskFullError, FilterError, StoreError, WartaError
from .furniture import SiteFurniture
from .images import ImageLoader, image_mode, image_policy, trusted_hosts
from .models import ArticleRecord, ArticleState, ArticleSummary, Feed, TagCount
from .query import EVERYTHING, CompiledFilter, compile_filter, parse_filter, sorted_by
from .retention import GcSummary, collect_garbage
from .sanitize import sanitize_line
from .store import RebuildProgress, StateDiff, Store

if TYPE_CHECKING:  # the network's modules (httpx, the worker pool) load when it is first used:
    # the reader's first frame and a plain ``warta list`` need none of them
    from .fetch import FetchLimits
    from .newsboat import CacheImport
    from .pool import WorkerPool
    from .refresh import AddResult, ArticlesCallback, ProgressCallback, Refresher, RefreshProgress
    from .sync import SyncStatus, Syncer

STATE_FIELDS = tuple(field.name for field in fields(ArticleState))


@runtime_checkable
class Journal(Protocol):
    """Told of every state change before it is saved; durable when ``record`` returns
    (the sync journal is one)."""

    def record(self, change: StateChange) -> None: ...


@runtime_checkable
class BulkJournal(Protocol):
    """A store journal that can send a mark-all-read as one bulk call (the sync journal)."""

    def record_mark_all(self, seen_article_ids: Sequence[str], *, feed_url: str | None = None,
                        tag: str | None = None) -> None: ...


@dataclass(frozen=True, slots=True)
class FeedRow:
    """One line of the feed list: the feed, its counts, when it was last refreshed and how."""

    feed: Feed
    unread: int
    total: int
    checked: float | None  # last refresh (epoch seconds), None: never
    error: str  # the last refresh's failure, "" when it worked
    site_url: str  # the site the feed says it belongs to ("" unknown)
    in_config: bool  # listed in the config file: renamed and removed there

    @property
    def name(self) -> str:
        return self.feed.name or self.feed.url

    @property
    def filter_text(self) -> str:
        """The filter that lists this feed's articles."""
        return f'feed:"{self.feed.url}"'


class FeedTable:
    """Every followed feed; its name and last refresh read only when a row is asked for (the
    feed pane draws the 30 rows on screen: reading all 2,000 feeds and their metadata first
    took 55 ms), its counts when ``count()`` is called (one grouped scan of every article:
    25 ms at 20,000, so the pane calls it on a thread after its first frame)."""

    def __init__(self, store: Store, config_feeds: Sequence[Feed], *,
                 errors: Mapping[str, str] | None = None) -> None:
        self._store = store
        configured = {feed.url: feed for feed in config_feeds}
        self._feeds: dict[str, Feed | None] = dict(configured)
        for url in store.subscription_urls():
            self._feeds.setdefault(url, None)  # read when its row is
        self.urls = list(self._feeds)
        self._in_config = set(configured)
        self.counts: dict[str, tuple[int, int]] | None = None  # None: not counted yet
        self._errors = dict(errors or {})  # failures newer than the stored ones (this session)
        self._rows: dict[int, FeedRow] = {}

    def __len__(self) -> int:
        return len(self.urls)

    def count(self) -> dict[str, tuple[int, int]]:
        """Feed URL -> (unread, total), read now (safe on a thread: the index locks)."""
        return self._store.feed_counts()

    def set_counts(self, counts: dict[str, tuple[int, int]]) -> None:
        self.counts = counts
        self._rows = {}

    @property
    def unread(self) -> int | None:
        if self.counts is None:
            return None
        return sum(self.counts.get(url, (0, 0))[0] for url in self.urls)

    def row(self, index: int) -> FeedRow:
        found = self._rows.get(index)
        if found is None:
            url = self.urls[index]
            feed = self._feeds[url] or self._store.subscription(url) or Feed(url=url)
            meta = self._store.get_feed_meta(url)
            unread, total = (self.counts or {}).get(url, (0, 0))
            checked = meta.get("checked")
            found = self._rows[index] = FeedRow(
                feed, unread, total, float(checked) if isinstance(checked, (int, float)) else None,
                self._errors.get(url) or str(meta.get("error") or ""),
                str(meta.get("site_url") or ""), url in self._in_config)
        return found


@dataclass(frozen=True, slots=True)
class Listing:
    """The articles a filter lists, as index row ids in list order, and how many are unread."""

    rowids: list[int]
    unread: int
    where: CompiledFilter = EVERYTHING

    @property
    def total(self) -> int:
        return len(self.rowids)


@dataclass(frozen=True, slots=True)
class WhatsNew:
    """What arrived since the last session: ``articles`` new ones from ``feeds`` feeds
    (``first``: no session before this one, so everything counts as new)."""

    articles: int
    feeds: int
    first: bool = False

    def describe(self) -> str:
        """The status line's words: "38 new in 6 feeds since the last session". Nothing at a
        first session: everything there is new, which says nothing."""
        if self.first:
            return ""
        if not self.articles:
            return "nothing new since the last session"
        noun = "feed" if self.feeds == 1 else "feeds"
        where = f" in {self.feeds:,} {noun}" if self.feeds else ""
        return f"{self.articles:,} new{where} since the last session (is:new)"


class Library:
    """The store and the config behind one narrow door (see the module docstring)."""

    def __init__(self, store: Store, config: Config | None = None) -> None:
        self._store = store
        self.config = config or Config()
        # Store journals that also want each change whole (the sync journal) are told here too.
        self.journals: list[Journal] = [j for j in store.journals if isinstance(j, Journal)]
        self.furniture = SiteFurniture(store)
        self.save_error: DiskFullError | None = None  # why changes wait (the disk is full)
        self._new_since: float | None = None  # see ``new_since``

    @classmethod
    def open(cls, config: Config, data_dir: Path, *, on_rebuild: RebuildProgress | None = None,
             rebuild_later: bool = False) -> Library:
        """Open the data dir (see ``Store.open``); ``notices`` says what opening repaired."""
        limit = int(config.storage.raw_cache_mb * 2**20)
        store = Store.open(data_dir, raw_size_limit=limit, on_rebuild=on_rebuild,
                           rebuild_later=rebuild_later)
        if config.sync is not None:  # every change from now on is journaled for the server
            from .sync import attach_journal

            attach_journal(store)
        return cls(store, config)

    @property
    def notices(self) -> list[str]:
        """What opening (and closing) repaired or recovered, to be said once."""
        return self._store.notices

    @property
    def earlier_notices(self) -> list[str]:
        """Repairs earlier runs made that no app has shown yet."""
        return self._store.earlier_notices

    def notices_shown(self) -> None:
        """The app has said every notice once: forget them."""
        self._store.notices_shown()

    @property
    def on_notice(self) -> Callable[[str], None] | None:
        """Told of a repair made after opening (an index found damaged in use), at once."""
        return self._store.on_notice

    @on_notice.setter
    def on_notice(self, handler: Callable[[str], None] | None) -> None:
        self._store.on_notice = handler

    @property
    def articles_lost(self) -> bool:
        """The article store started empty beside pages that survived (``reextract`` them)."""
        return self._store.articles_lost

    def is_damaged(self, article_id: str) -> bool:
        """The article's row was found damaged (it reads as missing)."""
        return article_id in self._store.damaged

    @property
    def read_only(self) -> bool:
        """Opened where nothing can be written (a full disk): reading works, changes queue."""
        return self._store.read_only

    @property
    def data_dir(self) -> Path:
        return self._store.data_dir

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- feeds --------------------------------------------------------------------------------

    def feeds(self) -> list[Feed]:
        """Config feeds first (they win on duplicates), then those added from the CLI or the app."""
        feeds = {feed.url: feed for feed in self.config.feeds}
        for feed in self._store.subscriptions():
            feeds.setdefault(feed.url, feed)
        return list(feeds.values())

    def subscriptions(self) -> list[Feed]:
        """The feeds added from the CLI or the app (kept in the data dir)."""
        return self._store.subscriptions()

    def filters(self) -> dict[str, str]:
        """Saved filters (keys 1-9): the config's first (they win on a name), then those
        imported into the data dir."""
        imported = self._store.saved_filters()
        return {**self.config.filters,
                **{name: text for name, text in imported.items() if name not in self.config.filters}}

    def save_filters(self, filters: Mapping[str, str]) -> None:
        """Keep imported saved filters in the data dir."""
        self._store.save_filters(dict(filters))

    async def import_newsboat_cache(self, path: Path) -> CacheImport:
        """Read and star marks (and articles) from newsboat's ``cache.db`` (read-only); the
        marks go through ``change()``, the cached HTML through a worker pool."""
        from .newsboat import import_cache
        from .pool import WorkerPool

        config = self.config
        pool = WorkerPool(config.fetch.workers, timeout=config.fetch.extract_timeout)
        try:
            return await import_cache(path, self._store, self.feeds(), pool=pool,
                                      change=self.change)
        finally:
            pool.close()

    # -- sessions: what is new ---------------------------------------------------------------

    @property
    def new_since(self) -> float:
        """``is:new`` lists the articles first stored after this time: the end of the last app
        session (or its start, if it was killed before it could say). Read once, so the list
        stays the same all session while the mark moves on; 0 before the first session.

        A cron ``warta fetch`` between sessions stores articles after the mark: they are new.
        One reader per data dir (``locks.reader_lock``), and the mark only moves forward, so
        a second session elsewhere cannot make the first one's new articles old.
        """
        if self._new_since is None:
            self._new_since = self._store.session_mark() or 0.0
        return self._new_since

    def begin_session(self, now: float) -> WhatsNew:
        """The app starts: fix ``new_since``, count what is new, and mark this session's start
        (a session killed with -9 then still counts as one)."""
        since = self.new_since
        where = self.compile("is:new")
        total, _ = self.counts(where)
        feeds = len(self._store.feed_counts(where)) if total else 0
        self._save_session_mark(now)
        return WhatsNew(total, feeds, first=since == 0.0)

    def end_session(self, now: float) -> None:
        """The app quits: what arrived up to now was there to see in this session."""
        self._save_session_mark(now)

    def _save_session_mark(self, now: float) -> None:
        try:
            self._store.set_session_mark(now)
        except (StoreError, OSError, sqlite3.Error):
            pass  # a full or read-only disk: next time more counts as new, nothing is lost

    def feed_names(self) -> dict[str, str]:
        """Lower-case feed name -> URL, for the ``feed:`` filter."""
        return {feed.name.lower(): feed.url for feed in self.feeds() if feed.name}

    def feeds_of(self, article_id: str) -> list[Feed]:
        """The followed feeds an article came from."""
        record = self._store.get_article(article_id)
        wanted = set(record.feeds) if record else set()
        return [feed for feed in self.feeds() if feed.url in wanted]

    def config_file_hint(self, url: str) -> str | None:
        """For a feed listed in the config file: where to remove it (Warta never edits it)."""
        if any(feed.url == url for feed in self.config.feeds):
            return f"remove it from {self.config.path or 'the config file'}"
        return None

    def feed_rows(self) -> list[FeedRow]:
        """Every feed with its counts and last refresh, in ``feeds()`` order."""
        counts = self._store.feed_counts()
        metas = self._store.feed_metas()
        in_config = {feed.url for feed in self.config.feeds}
        rows = []
        for feed in self.feeds():
            meta = metas.get(feed.url, {})
            unread, total = counts.get(feed.url, (0, 0))
            checked = meta.get("checked")
            rows.append(FeedRow(feed, unread, total,
                                float(checked) if isinstance(checked, (int, float)) else None,
                                str(meta.get("error") or ""), str(meta.get("site_url") or ""),
                                feed.url in in_config))
        return rows

    def feed_table(self, errors: Mapping[str, str] | None = None) -> FeedTable:
        """``feed_rows()`` for a screen that shows a few at a time (``errors``: newer
        failures by feed URL, said instead of the stored ones)."""
        return FeedTable(self._store, self.config.feeds, errors=errors)

    def find_feed(self, url_or_name: str) -> Feed:
        """The followed feed with this URL, or this name (case-insensitive); ``WartaError``
        when none or several match."""
        feeds = self.feeds()
        for feed in feeds:
            if feed.url == url_or_name:
                return feed
        named = [feed for feed in feeds if feed.name.lower() == url_or_name.strip().lower()]
        if len(named) == 1:
            return named[0]
        what = sanitize_line(url_or_name, 200)
        if named:
            raise WartaError(f"{len(named)} feeds are called {what}: give the URL")
        raise WartaError(f"No feed {what} (warta feeds lists them)")

    def rename(self, url: str, name: str) -> Feed:
        """Give a feed added from the CLI or the app a new name (config feeds: ``WartaError``)."""
        return self._edit_subscription(url, name=sanitize_line(name, 200))

    def retag(self, url: str, tags: Sequence[str]) -> Feed:
        """Set the tags a feed gives its new articles."""
        return self._edit_subscription(url, tags=tuple(tags))

    def _edit_subscription(self, url: str, **changes: Any) -> Feed:
        hint = self.config_file_hint(url)
        if hint is not None:
            raise WartaError(f"{sanitize_line(url, 200)} is in the config file: edit it there "
                             f"({self.config.path or 'config.toml'})")
        feed = next((f for f in self._store.subscriptions() if f.url == url), None)
        if feed is None:
            raise WartaError(f"Not subscribed to {sanitize_line(url, 200)}")
        edited = replace(feed, **changes)
        self._store.add_subscription(edited)
        return edited

    def subscribe(self, feed: Feed) -> None:
        self._store.add_subscription(feed)

    def subscribe_many(self, feeds: Sequence[Feed]) -> None:
        """Subscribe to many feeds in one write (an OPML file of 5,000 is one fsync)."""
        self._store.add_subscriptions(feeds)

    def unsubscribe(self, url: str) -> None:
        """Stop following a feed added from the CLI or the app (its articles stay).

        A feed of the config file raises ``WartaError`` saying where to remove it.
        """
        hint = self.config_file_hint(url)
        if hint is not None:
            raise WartaError(f"{sanitize_line(url, 200)} is in the config file: {hint}")
        self._store.remove_subscription(url)

    # -- listings and articles ----------------------------------------------------------------

    def compile(self, text: str) -> CompiledFilter:
        """The filter ``text`` (raises ``FilterError``), with ``feed:`` knowing feed names."""
        return compile_filter(text, feed_names=self.feed_names, new_since=self.new_since)

    def listing(self, where: CompiledFilter = EVERYTHING, sort: str | None = None) -> Listing:
        """The articles ``where`` lists, newest first (ranked when it searches), or in the
        order ``sort`` names (``query.SORTS``: the index sorts, SQL ORDER BY).

        Raises ``FilterError`` for a search SQLite refuses (the caller keeps its old filter).
        """
        if sort is not None:
            where = sorted_by(where, sort)
        try:
            if where.is_empty and where.order_by == EVERYTHING.order_by:
                rowids = self._store.rowids()
                unread = self._store.unread_count()
            else:
                rowids, unread = self._store.rowids_with_unread(where)
        except sqlite3.Error as error:  # an FTS query SQLite refuses
            raise FilterError(f"Filter failed ({error})") from error
        return Listing(rowids, unread, where)

    def counts(self, where: CompiledFilter = EVERYTHING) -> tuple[int, int]:
        """``(matching, unread)`` for ``where``, without listing the rows."""
        return self._store.counts(where)

    def article_count(self) -> int:
        """How many articles there are in all."""
        return self._store.count()

    def summaries(self, rowids: Sequence[int]) -> list[ArticleSummary]:
        """List rows, with changes still waiting for disk space shown as done."""
        return self._store.with_queued(self._store.summaries(rowids))

    def ids_of(self, rowids: Sequence[int], *, unread_only: bool = False) -> list[str]:
        """The article ids behind list rows (only the unread ones if asked), for bulk changes.
        Changes still waiting for disk space count as done."""
        if not unread_only or not self._store.queued_count:
            return self._store.ids_of(rowids, unread_only=unread_only)
        ids = self._store.ids_of(rowids)
        states = self._store.get_states(ids)
        return [i for i in ids if not states[i].read]

    def summary(self, article_id: str) -> ArticleSummary | None:
        found = self._store.summary(article_id)
        return None if found is None else self._store.with_queued([found])[0]

    def sites_of(self, article_ids: Sequence[str]) -> set[str]:
        return self._store.sites_of(article_ids)

    def rowid_of(self, article_id: str) -> int | None:
        return self._store.rowid_of(article_id)

    def tag_counts(self) -> list[TagCount]:
        """Every tag with its unread and total counts, most used first."""
        return self._store.tag_counts()

    def article(self, article_id: str) -> ArticleRecord | None:
        return self._store.get_article(article_id)

    def state(self, article_id: str) -> ArticleState:
        return self._store.get_state(article_id)

    # -- the one door for user state ----------------------------------------------------------

    def change(self, ids: Sequence[str], **changes: Any) -> StateChange:
        """Set ``changes`` (read, starred, tags, position: absolute values) on ``ids``.

        Before and after are worked out, every journal records the change (durable), then the
        store saves it in one transaction. On a full disk the change is kept queued and shown
        as done (``queued``); ``save_queued`` writes it later. Other store errors are raised.
        """
        unknown = set(changes) - set(STATE_FIELDS)
        if unknown:
            raise TypeError(f"not a state field: {', '.join(sorted(unknown))}")
        ids = tuple(dict.fromkeys(ids))
        reported: list[StateChange] = []

        def record(diff: StateDiff) -> None:  # inside the store's transaction, before the write
            reported.append(StateChange._of(ids, diff))
            for journal in self.journals:
                journal.record(reported[0])

        try:
            diff = self._store.change_states(ids, changes, before_write=record)
        except DiskFullError as error:
            change = reported[0] if reported else self._planned(ids, changes)
            self._store.queue_states(change.changed_ids, **changes)
            self.save_error = error
            return change._replaced(queued=True)
        change = reported[0] if reported else StateChange._of(ids, diff)
        if self._store.queued_count:
            change = change._replaced(flushed=self.save_queued())
        return change

    def _planned(self, ids: tuple[str, ...], changes: Mapping[str, Any]) -> StateChange:
        """What ``change`` would do, worked out without the store's transaction (the disk is
        full before it began); told to the journals, as a saved change would have been."""
        before = self._store.get_states(ids)
        change = StateChange(ids, before, {i: replace(s, **changes) for i, s in before.items()})
        if change.changed_ids:
            for journal in self.journals:
                journal.record(change)
        return change

    def mark_all_read(self, ids: Sequence[str], where: CompiledFilter = EVERYTHING) -> StateChange:
        """Mark ``ids`` read: the articles the list showed for ``where``, all the user saw.

        A sync server gets one bulk call up to the newest of them where ``where`` is
        everything, one feed or one of the feeds' tags, so an item that reached the server
        unseen stays unread there; any other filter is sent article by article. Undo is
        ``change(ids, read=False)``, which takes back a bulk call not sent yet.
        """
        scope = self._bulk_scope(where)
        bulk = [j for j in self._store.journals if isinstance(j, BulkJournal)]
        if scope is not None and bulk and any(not self._store.get_state(i).read for i in ids):
            try:
                for journal in bulk:
                    journal.record_mark_all(ids, **scope)
            except StoreError:
                pass  # a full disk: the marks are journaled one by one when they are saved
        return self.change(ids, read=True)

    def _bulk_scope(self, where: CompiledFilter) -> dict[str, str] | None:
        """``{}`` (everything), ``{"feed_url": u}`` or ``{"tag": t}`` when ``where`` lists
        exactly what the server's bulk call covers (``is:unread`` aside); else None."""
        try:
            terms = [t for t in parse_filter(where.text)
                     if not (t.key == "is" and t.value.lower() == "unread" and not t.sign)]
        except FilterError:
            return None
        if not terms:
            return {}
        if len(terms) > 1 or terms[0].sign == "-":
            return None
        term = terms[0]
        feeds = self.feeds()
        if term.key == "feed" and any(feed.url == term.value for feed in feeds):
            return {"feed_url": term.value}
        if (term.key == "tag" or (not term.key and term.sign == "+")) and any(
                term.value.lower() == tag.lower() for feed in feeds for tag in feed.tags):
            return {"tag": term.value}
        return None

    @property
    def queued_count(self) -> int:
        """How many articles have changes waiting for disk space."""
        return self._store.queued_count

    def save_queued(self) -> int:
        """Try the waiting changes again; how many articles were saved (0: still full)."""
        count = self._store.queued_count
        try:
            self._store.save_queued()
        except StoreError:
            return 0
        self.save_error = None
        return count

    # -- other processes, derived data --------------------------------------------------------

    def changed_elsewhere(self) -> bool:
        """Whether another process (a cron ``warta fetch``) wrote since the last call."""
        return self._store.changed_elsewhere()

    @property
    def index_stale(self) -> bool:
        """The list index lags the stores (opened with ``rebuild_later``): rebuild it."""
        return self._store.index_stale

    def index_lags(self) -> bool:
        """Whether the index misses a write (then ``index_stale``); asked off the event loop:
        it waits for a write of this process to finish."""
        return self._store.index_lags()

    def rebuild_index(self, progress: RebuildProgress | None = None, *,
                      separate: bool = False) -> None:
        """Rebuild the list index; the old one stays readable meanwhile (thread-safe).
        ``separate``: in a process of its own (behind the app: see ``Store.rebuild_index``)."""
        self._store.rebuild_index(progress, separate=separate)

    def stop_rebuild(self) -> None:
        """End a separate rebuild now (see ``Store.stop_rebuild``): the next open does it."""
        self._store.stop_rebuild()

    def sync_status(self) -> tuple[SyncStatus, int]:
        """The last sync's outcome and how many changes wait for the server (no network)."""
        from .sync import sync_status

        return sync_status(self._store)

    def check_caches(self) -> list[str]:
        return self._store.check_caches()

    def collect_garbage(self, *, keep_days: float | None = None) -> GcSummary:
        """Apply the retention rules of the config (``keep_days`` overrides its own)."""
        storage = self.config.storage
        return collect_garbage(self._store, keep_days=storage.keep_days if keep_days is None
                               else keep_days, keep_starred=storage.keep_starred,
                               raw_budget_bytes=int(storage.raw_cache_mb * 2**20))

    def seed_demo(self) -> int:
        """Fill the data dir with the bundled sample articles (``warta --demo``)."""
        from .demo import seed_demo

        return seed_demo(self._store)

    # -- pictures -----------------------------------------------------------------------------

    def image_mode(self, record: ArticleRecord) -> str:
        """This article's picture mode ("auto", "halfblock", "off", "kitty" or "sixel"): its
        feed's setting, else the config's."""
        return image_mode(self.config.images, self.feeds(), record.feeds)  # type: ignore[arg-type]

    def pictures(self, network: Network | None) -> ImageLoader:
        """Pictures from the raw cache, downloading the missing ones over ``network`` (None:
        offline, the cache only)."""
        return ImageLoader(self._store, network.refresher.fetcher if network is not None else None)

    def picture_hosts(self, feed_urls: Sequence[str]) -> frozenset[str]:
        """Hosts an article's pictures may come from on the user's own network: those of the
        feeds the user gave it by (``images.trusted_hosts``)."""
        wanted = set(feed_urls)
        return trusted_hosts(feed for feed in self.feeds() if feed.url in wanted)

    # -- the network --------------------------------------------------------------------------

    @asynccontextmanager
    async def network(self, *, on_progress: ProgressCallback | None = None,
                      on_articles: ArticlesCallback | None = None) -> AsyncIterator[Network]:
        """A fetcher, a worker pool and a refresher over this library; shut down on the way out."""
        from .fetch import Fetcher
        from .pool import WorkerPool
        from .refresh import Refresher

        config = self.config
        pool = WorkerPool(config.fetch.workers, timeout=config.fetch.extract_timeout)
        try:
            async with Fetcher(fetch_limits(config)) as fetcher:
                refresher = Refresher(self._store, fetcher, pool, on_progress=on_progress,
                                      on_articles=on_articles,
                                      extract_timeout=config.fetch.extract_timeout,
                                      rules=config.rules, fetch_images=image_policy(config.images))
                yield Network(self, refresher)
        finally:
            pool.close()


class Network:
    """What a library can do with the network open (from ``Library.network()``)."""

    def __init__(self, library: Library, refresher: Refresher) -> None:
        self.library = library
        self.refresher = refresher

    @property
    def running(self) -> bool:
        return self.refresher.running

    @property
    def pool(self) -> WorkerPool:
        return self.refresher.pool

    async def refresh(self, feeds: Sequence[Feed] | None = None) -> RefreshProgress:
        """Refresh ``feeds`` (default: every feed) and prefetch their pages."""
        return await self.refresher.run(self.library.feeds() if feeds is None else list(feeds))

    async def add(self, url: str, *, tags: Sequence[str] = (), page_only: bool = False) -> AddResult:
        """Subscribe to ``url`` (a feed, or a page that advertises one) or save it as one article;
        a feed already followed comes back ``known`` and is left as it is."""
        from .refresh import add_url

        store = self.library._store
        known = [feed.url for feed in self.library.feeds()]
        result = await add_url(url, store=store, fetcher=self.refresher.fetcher,
                               pool=self.refresher.pool, tags=tags, page_only=page_only,
                               known_feeds=known)
        if result.feed is not None and not result.known:
            await asyncio.to_thread(self.library.subscribe, result.feed)
        return result

    def syncer(self, **http_options: object) -> Syncer:
        """A ``Syncer`` for the config's [sync] server over this network (``SyncSetupError``
        without one, or without a password); it may run the password command: not on a loop."""
        from .sync import open_sync

        return open_sync(self.library.config, self.library._store, self.refresher, **http_options)

    async def reextract(self, *, on_articles: Callable[[list[str]], None] | None = None) -> int:
        """Extract every cached page again, offline."""
        from .refresh import reextract

        return await reextract(self.library._store, self.refresher.pool, on_articles=on_articles)


def fetch_limits(config: Config) -> FetchLimits:
    """The fetcher's limits from the config's ``[fetch]`` section."""
    from .fetch import FetchLimits

    return FetchLimits.from_config(config.fetch)
