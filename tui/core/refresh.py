"""Refreshing: feeds in, articles out, pages prefetched and extracted. No Textual here.

The shape of a refresh: every enabled feed is fetched concurrently (the ``Fetcher`` bounds
connections per host and in total), parsed in the worker pool, and its entries are merged into
the store in one batch per feed. As soon as a feed's batch is stored, the pages that need full
text join one queue, served newest first by a few page workers that fetch, keep the raw HTML,
extract in the pool and store the result. One feed's or page's failure becomes a line in
``RefreshProgress.errors``; it never stops the others, and nothing cached is ever deleted.

Store calls run on one dedicated thread, so the event loop never waits on SQLite and
read-modify-write sequences (merging a record) never interleave.
"""

from __future__ import annotations

import asyncio
import hashlib
import heapq
import itertools
import time
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from .errors import (DiskFullError, ExtractionError, FetchError, HttpStatus, NotAFeedError,
                     Offline, RefreshFailure, SourceError, StoreError, WartaError, failure_from)
from .articles import apply_rules, record_from_article, with_article
from .config import TagRule, normalise_feed_url
from .feeds import find_feed_links
from .fetch import Fetcher, FetchResult
from .images import ImageLoader, article_images, trusted_hosts
from .models import Article, ArticleRecord, Feed, FeedEntry, ParsedFeed, union
from .pool import WorkerPool
from .sanitize import sanitize_line
from .store import Store
from .urls import article_id, is_http_url, origin, site_of, url_problem

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RefreshProgress:
    """Where a refresh stands; each report replaces the previous one."""

    feeds_done: int = 0
    feeds_total: int = 0
    pages_done: int = 0
    pages_total: int = 0
    errors: tuple[RefreshFailure, ...] = ()  # one per failed feed or page; unpacks (url, message)
    new_articles: int = 0
    gone: tuple[str, ...] = ()  # feeds that answered 410 Gone: worth offering to unsubscribe
    stopped: str = ""  # why the refresh stopped early (a full disk), said once

    @property
    def finished(self) -> bool:
        return self.feeds_done == self.feeds_total and self.pages_done == self.pages_total

    def describe(self) -> str:
        """ "Refreshing 12/40 feeds · 85/300 pages · 3 errors" """
        text = f"Refreshing {self.feeds_done}/{self.feeds_total} feeds"
        if self.pages_total:
            text += f" · {self.pages_done}/{self.pages_total} pages"
        if self.errors:
            count = len(self.errors)
            text += f" · {count} error{'s' if count != 1 else ''}"
        return text

    # The lines a finished refresh is told in: here, so the app and the CLI say the same.

    @property
    def offline(self) -> bool:
        """Every feed failed for want of a network (not one answered): say "offline" once,
        rather than one error per feed."""
        # A page queued means some feed answered: a page that cannot be reached is not "offline".
        return (self.feeds_total > 0 and self.pages_total == 0
                and len(self.errors) >= self.feeds_total
                and all(isinstance(failure, Offline) for failure in self.errors))

    def summary(self) -> str:
        """The app's status line after a refresh."""
        if self.stopped:
            return f"{self.stopped}; the refresh stopped"
        if self.offline:
            return OFFLINE_MESSAGE
        text = f"Refreshed {_count(self.feeds_total, 'feed', plain=True)} · {self.new_articles} new"
        if self.errors:
            text += f" · {_count(len(self.errors), 'error', plain=True)} (E shows them)"
        return text

    def report(self) -> str:
        """The last line of ``warta fetch``."""
        return (f"Refreshed {_count(self.feeds_total, 'feed')}: "
                f"{_count(self.new_articles, 'new article')}, {_count(self.pages_done, 'page')} "
                f"fetched, {_count(len(self.errors), 'error')}")

    @property
    def failed_all(self) -> bool:
        """Nothing worked at all (``warta fetch`` exits 1)."""
        return self.feeds_total > 0 and len(self.errors) >= self.feeds_total + self.pages_total


OFFLINE_MESSAGE = "offline — showing cached articles"


def _count(number: int, noun: str, *, plain: bool = False) -> str:
    return f"{number if plain else format(number, ',')} {noun}{'' if number == 1 else 's'}"


@dataclass(order=True, frozen=True, slots=True)
class _PageJob:
    priority: float  # -published: the heap pops the newest first
    seq: int
    article_id: str = field(compare=False)
    url: str = field(compare=False)
    allow_private: bool = field(compare=False)
    images_from: frozenset[str] | None = field(compare=False, default=None)  # None: no pictures


class _Stopped(Exception):
    """Internal: the refresh has stopped (``RefreshProgress.stopped`` says why)."""


ProgressCallback = Callable[[RefreshProgress], None]
ArticlesCallback = Callable[[list[str]], None]
ImagePolicy = Callable[[Feed], bool]  # fetch this feed's pictures with its pages?
_IMAGE_WORKERS = 2


class Refresher:
    """Runs refreshes against one store; a second ``run()`` joins the one in progress."""

    def __init__(self, store: Store, fetcher: Fetcher, pool: WorkerPool, *,
                 on_progress: ProgressCallback | None = None,
                 on_articles: ArticlesCallback | None = None,
                 page_workers: int | None = None, parse_timeout: float | None = None,
                 extract_timeout: float | None = None,
                 rules: Sequence[TagRule] = (),
                 fetch_images: ImagePolicy | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.fetcher = fetcher
        self.pool = pool
        self.on_progress = on_progress
        self.on_articles = on_articles
        self.page_workers = page_workers or fetcher.limits.max_connections
        self.parse_timeout = parse_timeout
        self.extract_timeout = extract_timeout
        self.rules = tuple(rules)
        self.fetch_images = fetch_images
        self.clock = clock
        self._current: asyncio.Task[RefreshProgress] | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._reset()

    def _reset(self) -> None:
        self._progress = RefreshProgress()
        self._pages: list[_PageJob] = []
        self._page_ids: set[str] = set()  # articles whose page this refresh fetches already
        # Entries merged into a twin during this refresh: another feed listing the same entry
        # later in the round must find the twin, not count the entry as new again.
        self._twins: dict[str, str] = {}
        self._page_ready = asyncio.Event()
        self._feeds_finished = False
        self._seq = itertools.count()
        self._image_tasks: set[asyncio.Task[None]] = set()
        self._image_slots = asyncio.Semaphore(_IMAGE_WORKERS)

    @property
    def running(self) -> bool:
        return self._current is not None and not self._current.done()

    async def run(self, feeds: Sequence[Feed] | None = None) -> RefreshProgress:
        """Refresh ``feeds`` (default: the store's subscriptions) and prefetch their pages.

        Single-flight: while a refresh runs, further calls wait for it and get its result.
        Cancelling the caller that started it cancels the refresh.
        """
        if self._current is not None and not self._current.done():
            return await asyncio.shield(self._current)
        self._current = asyncio.ensure_future(self._run(feeds))
        return await self._current

    async def merge(self, batches: Sequence[tuple[Feed, Sequence[FeedEntry]]]) -> RefreshProgress:
        """Store entries that came from elsewhere (a sync server) as if their feeds had just
        been fetched: the same article ids and merge rules, and the same full-text pages
        fetched and extracted. Waits for a refresh in progress (they share the page queue)."""
        while self._current is not None and not self._current.done():
            await asyncio.shield(self._current)
        given = {feed.url: entries for feed, entries in batches}
        self._current = asyncio.ensure_future(self._run([feed for feed, _ in batches], given))
        return await self._current

    # -- the whole refresh --------------------------------------------------------------------

    async def _run(self, feeds: Sequence[Feed] | None,
                   given: dict[str, Sequence[FeedEntry]] | None = None) -> RefreshProgress:
        self._reset()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="warta-store")
        try:
            if feeds is None:
                feeds = await self._store(self.store.subscriptions)
            active = [feed for feed in feeds if feed.enabled]
            self._update(feeds_total=len(active))
            workers = [asyncio.create_task(self._page_worker()) for _ in range(self.page_workers)]
            try:
                await asyncio.gather(*(self._guarded(
                    self._refresh_feed(feed) if given is None else self._merge_given(feed, given[feed.url]),
                    feed.url, feed=True) for feed in active))
                self._feeds_finished = True
                self._page_ready.set()
                await asyncio.gather(*workers)
                await asyncio.gather(*self._image_tasks)
            finally:
                for task in (*workers, *self._image_tasks):
                    task.cancel()
            return self._progress
        finally:
            self._executor.shutdown(wait=False)
            self._executor = None

    async def _store(self, function: Callable[..., T], *args: Any) -> T:
        """Run a store call on the store thread. A full disk stops the whole refresh: every
        later write would fail the same way (158 identical lines), and nothing more is saved."""
        if self._progress.stopped:
            raise _Stopped()
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, partial(function, *args))
        except DiskFullError as exc:
            if not self._progress.stopped:
                self._update(stopped=str(exc))
            raise _Stopped() from None

    async def _guarded(self, work: Any, url: str, *, feed: bool = False) -> None:
        """A bug or an unforeseen error in one feed or page must not end the whole refresh."""
        try:
            await work
        except _Stopped:  # said once, in ``stopped``
            if feed:
                self._update(feeds_done=self._progress.feeds_done + 1)
        except Exception as exc:  # noqa: BLE001 - reported, never raised
            done = {"feeds_done": self._progress.feeds_done + 1} if feed else {}
            self._fail(failure_from(exc, url), **done)

    def _update(self, **changes: Any) -> None:
        fields = {name: getattr(self._progress, name) for name in RefreshProgress.__slots__}
        fields.update(changes)
        self._progress = RefreshProgress(**fields)
        if self.on_progress is not None:
            self.on_progress(self._progress)

    def _fail(self, failure: RefreshFailure, **changes: Any) -> None:
        self._update(errors=(*self._progress.errors, failure), **changes)

    def _announce(self, ids: list[str]) -> None:
        if ids and self.on_articles is not None:
            self.on_articles(ids)

    # -- feeds --------------------------------------------------------------------------------

    async def _refresh_feed(self, feed: Feed) -> None:
        meta = await self._store(self.store.get_feed_meta, feed.url)
        checked = self.clock()
        try:
            result = await self.fetcher.fetch(
                feed.url, kind="feed", etag=meta.get("etag"),
                last_modified=meta.get("last_modified"), allow_private=feed.user_typed)
            parsed = None if result.not_modified else await self.pool.parse_feed(
                result.content, result.url, result.content_type,
                max_entries=feed.max_articles, timeout=self.parse_timeout)
        except WartaError as exc:
            await self._store(self._save_meta, feed.url, {"checked": checked, "error": str(exc)})
            failure = failure_from(exc, feed.url)
            gone = self._progress.gone
            if isinstance(failure, HttpStatus) and failure.code == 410:
                gone = (*gone, feed.url)
            self._fail(failure, feeds_done=self._progress.feeds_done + 1, gone=gone)
            return
        if parsed is None:  # 304: nothing changed, keep everything
            await self._store(self._save_meta, feed.url, {"checked": checked, "error": ""})
            self._update(feeds_done=self._progress.feeds_done + 1)
            return
        await self._merged(feed, parsed, result)

    async def _merge_given(self, feed: Feed, entries: Sequence[FeedEntry]) -> None:
        await self._merged(feed, ParsedFeed(entries=tuple(entries)), None)

    async def _merged(self, feed: Feed, parsed: ParsedFeed, result: FetchResult | None) -> None:
        try:
            changed, new, jobs = await self._store(self._merge_feed, feed, parsed, result)
        except StoreError as exc:
            self._fail(failure_from(exc, feed.url), feeds_done=self._progress.feeds_done + 1)
            return
        jobs = [job for job in jobs if job.article_id not in self._page_ids]  # in 3 feeds: once
        self._page_ids.update(job.article_id for job in jobs)
        for job in jobs:
            heapq.heappush(self._pages, job)
        if jobs:
            self._page_ready.set()
        self._update(feeds_done=self._progress.feeds_done + 1,
                     pages_total=self._progress.pages_total + len(jobs),
                     new_articles=self._progress.new_articles + new)
        if parsed.problem:  # stored what it had, but the user should know it is not all
            self._fail(RefreshFailure(feed.url, parsed.problem))
        self._announce(changed)

    def _merge_feed(self, feed: Feed, parsed: ParsedFeed,
                    result: FetchResult | None) -> tuple[list[str], int, list[_PageJob]]:
        """Store thread: merge the entries into records, write one batch, save validators."""
        now = self.clock()
        meta = self.store.get_feed_meta(feed.url)
        aliases: dict[str, str] = meta.get("aliases") or {}
        records: dict[str, ArticleRecord] = {}
        stored: dict[str, ArticleRecord | None] = {}
        jobs: list[_PageJob] = []
        new = 0
        for entry in parsed.entries:
            entry_id = raw_id = _entry_id(feed, entry)
            entry_id = aliases.get(raw_id, raw_id)
            if entry_id == raw_id and raw_id in self._twins:
                entry_id = aliases[raw_id] = self._twins[raw_id]
            if entry_id in records:
                continue
            existing = stored[entry_id] = self.store.get_article(entry_id)
            record = apply_rules(_merge_entry(existing, entry_id, feed, entry, now), self.rules)
            if record.status == "summary":  # say why no page will come, or that one will
                record = record.with_changes(note=_why_no_page(feed, entry))
            if record != existing:
                records[entry_id] = record
                new += existing is None
            if _wants_page(feed, entry, record):
                jobs.append(_PageJob(-record.published, next(self._seq), entry_id, entry.url,
                                     _may_fetch_private(feed, entry.url),
                                     trusted_hosts([feed]) if self._wants_images(feed) else None))
        if records:
            self.store.put_articles(list(records.values()), previous=stored)
        if result is None:  # entries from a sync server: the feed's validators stay as they are
            return list(records), new, jobs
        note = parsed.problem or ("0 items (unchanged)" if not parsed.entries else "")
        live_ids = {_entry_id(feed, entry) for entry in parsed.entries}
        self._save_meta(feed.url, {
            "etag": result.etag, "last_modified": result.last_modified, "checked": now,
            "ok": now, "error": "", "note": note, "title": parsed.title,
            "site_url": parsed.site_url, "entries": len(parsed.entries),
            "aliases": {k: v for k, v in aliases.items() if k in live_ids},
        })
        return list(records), new, jobs

    def _save_meta(self, feed_url: str, changes: dict[str, Any]) -> None:
        """Store thread: read-modify-write of one feed's metadata."""
        meta = self.store.get_feed_meta(feed_url)
        meta.update(changes)
        self.store.set_feed_meta(feed_url, meta)

    # -- pages --------------------------------------------------------------------------------

    async def _page_worker(self) -> None:
        while True:
            while not self._pages:
                if self._feeds_finished:
                    return
                self._page_ready.clear()
                await self._page_ready.wait()
            job = heapq.heappop(self._pages)
            if not self._progress.stopped:
                await self._guarded(self._prefetch(job), job.url)
            self._update(pages_done=self._progress.pages_done + 1)

    async def _prefetch(self, job: _PageJob) -> None:
        result: FetchResult | None = None
        try:
            result = await self.fetcher.fetch(job.url, kind="page", allow_private=job.allow_private)
            article = await self.pool.extract(result.content, result.url, result.content_type,
                                              timeout=self.extract_timeout)
        except (SourceError, ExtractionError) as exc:
            try:  # a page that does not extract is kept too, for a later extractor
                await self._store(self._mark_failed, job.article_id, str(exc), result)
            except StoreError as store_error:  # report it, leave the record as it was
                self._fail(failure_from(store_error, job.url))
                return
            self._fail(failure_from(exc, job.url))
            self._announce([job.article_id])
            return
        try:
            ids = await self._store(self._store_article, job.article_id, article, result.url, result)
        except StoreError as exc:
            self._fail(failure_from(exc, job.url))
            return
        self._announce(ids)
        if job.images_from is not None:
            task = asyncio.create_task(self._fetch_images(article, job.images_from))
            self._image_tasks.add(task)
            task.add_done_callback(self._image_tasks.discard)

    def _wants_images(self, feed: Feed) -> bool:
        return self.fetch_images is not None and self.fetch_images(feed)

    async def _fetch_images(self, article: Article, hosts: frozenset[str]) -> None:
        """The page's pictures, so they show offline; their failures are the reader's to show."""
        async with self._image_slots:
            loader = ImageLoader(self.store, self.fetcher, run=self._store)
            try:
                await loader.fetch(article_images(article), trusted_hosts=hosts)
            except StoreError:
                pass  # a full disk is reported by the pages' own writes

    def _keep_page(self, article_id_: str, page: FetchResult | None) -> None:
        if page is not None:
            self.store.put_raw(article_id_, page.content, page.headers)

    def _mark_failed(self, article_id_: str, reason: str, page: FetchResult | None = None) -> None:
        """Store thread: the record says why there is no full text; a page that came is kept."""
        self._keep_page(article_id_, page)
        record = self.store.get_article(article_id_)
        if record is not None and record.status != "full":  # never downgrade full text
            self.store.put_articles([record.with_changes(status="failed", error=reason)],
                                    previous={article_id_: record})

    def _store_article(self, article_id_: str, article: Article, final_url: str,
                       page: FetchResult | None = None) -> list[str]:
        """Store thread: the record becomes "full" and ``page`` is kept, or it merges into its
        twin under another URL (and ``page``, which the twin's stands for, is not written).

        Only a twin on the same site: the same text on another site is a copy (a scraper
        republishing it), and a merge must never move an article to another site's URL.
        """
        record = self.store.get_article(article_id_)
        if record is None:
            self._keep_page(article_id_, page)
            return []
        updated = with_article(record, article, final_url)
        twin_id = self.store.find_by_fingerprint(updated.fingerprint) if updated.fingerprint else None
        twin = self.store.get_article(twin_id) if twin_id and twin_id != article_id_ else None
        if twin is not None and site_of(twin.url) != site_of(updated.url):
            twin = None
        if twin is None:
            self._keep_page(article_id_, page)
            self.store.put_articles([updated], previous={article_id_: record})
            return [article_id_]
        self.store.put_articles([twin.with_changes(
            feeds=union(twin.feeds, record.feeds),
            feed_tags=union(twin.feed_tags, record.feed_tags))], previous={twin.id: twin})
        _carry_state(self.store, article_id_, twin.id)
        self.store.delete_articles([article_id_])
        self._twins[article_id_] = twin.id
        for feed_url in record.feeds:  # next refresh maps this entry straight to the twin
            meta = self.store.get_feed_meta(feed_url)
            meta.setdefault("aliases", {})[article_id_] = twin.id
            self.store.set_feed_meta(feed_url, meta)
        return [twin.id, article_id_]


# -- records --------------------------------------------------------------------------------------

def _entry_id(feed: Feed, entry: FeedEntry) -> str:
    """The article id: from the link; for link-less entries, from the feed and the guid/title."""
    if entry.url:
        return article_id(entry.url)
    key = f"{feed.url}\0{entry.guid or entry.title}"
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def entry_article_id(store: Store, feed: Feed, entry: FeedEntry) -> str:
    """The article ``merge`` keeps ``entry`` as: the id from its link, or the twin it joined."""
    entry_id = _entry_id(feed, entry)
    aliases = store.get_feed_meta(feed.url).get("aliases") or {}
    return str(aliases.get(entry_id, entry_id))


def _merge_entry(existing: ArticleRecord | None, entry_id: str, feed: Feed, entry: FeedEntry,
                 now: float) -> ArticleRecord:
    """The record for ``entry``: new, or the existing one with this feed and its tags added.

    What the page gave (status, article, page tags, fingerprint) is never touched here.
    """
    tags = union(feed.tags, entry.tags)
    if existing is None:
        return ArticleRecord(
            id=entry_id, url=entry.url, title=entry.title or sanitize_line(entry.url),
            site=site_of(entry.url) if entry.url else site_of(feed.url),
            published=entry.published if entry.published is not None else now,
            fetched=now, feeds=(feed.url,), feed_tags=tags, byline=entry.author,
            summary=entry.summary, status="summary")
    return existing.with_changes(
        title=entry.title or existing.title,
        feeds=union(existing.feeds, (feed.url,)),
        feed_tags=union(existing.feed_tags, tags),
        summary=entry.summary or existing.summary,
        byline=existing.byline or entry.author,
        published=existing.published or (entry.published or now),
    )


def _wants_page(feed: Feed, entry: FeedEntry, record: ArticleRecord) -> bool:
    if record.status != "summary" or not is_http_url(entry.url):
        return False
    if feed.full_text == "always":
        return True
    if feed.full_text == "never":
        return False
    return not entry.summary_is_full


def _why_no_page(feed: Feed, entry: FeedEntry) -> str:
    """What the reader says instead of "not fetched yet" when no page fetch is coming."""
    if feed.full_text == "never":
        return ('Full text is off for this feed (full_text = "never") — showing the feed\'s '
                "text; press o to open the page in the browser.")
    if feed.full_text != "always" and entry.summary_is_full:
        return "The feed carries the whole article."
    return ""


def _may_fetch_private(feed: Feed, url: str) -> bool:
    """A feed the user gave on a private host may link to pages on that same origin (host and
    port; not the host's other ports)."""
    return feed.user_typed and origin(url) == origin(feed.url)


def _carry_state(store: Store, from_id: str, to_id: str) -> None:
    """Read/starred marks on a duplicate move to the article it merges into."""
    state = store.get_state(from_id)
    if state.is_default:
        return
    target = store.get_state(to_id)
    store.update_state(to_id, read=target.read or state.read,
                       starred=target.starred or state.starred,
                       tags=union(target.tags, state.tags))


# -- offline re-extraction and "warta add" --------------------------------------------------------

async def reextract(store: Store, pool: WorkerPool, *,
                    on_articles: ArticlesCallback | None = None) -> int:
    """Extract every cached raw page again (after an extractor upgrade). No network.

    Returns how many articles were updated. A page that no longer extracts keeps its old full
    text; a summary-only record gets the new error. A page whose record is gone (a damaged
    article store started afresh) brings its article back under the same id, so the user's
    read/star marks, kept apart, find it again; the next refresh adds its feeds back.
    """
    updated = 0
    ids = await asyncio.to_thread(store.raw_ids)
    limit = asyncio.Semaphore(pool.size * 2)

    async def one(raw_id: str) -> None:
        nonlocal updated
        async with limit:
            raw = await asyncio.to_thread(store.get_raw, raw_id)
            record = await asyncio.to_thread(store.get_article, raw_id)
            if raw is None:
                return
            body, headers = raw
            url = headers.get("url") or (record.url if record else "")
            if record is None and not is_http_url(url):
                return
            try:
                article = await pool.extract(body, url, headers.get("content-type"))
            except WartaError as exc:
                if record is not None and record.status != "full":
                    await asyncio.to_thread(partial(
                        store.put_articles, [record.with_changes(status="failed", error=str(exc))],
                        previous={raw_id: record}))
                return
            stored = record
            if record is None:  # back from the page alone
                record = record_from_article(article, url=url, fetched=time.time()).with_changes(
                    id=raw_id)
            await asyncio.to_thread(partial(store.put_articles, [with_article(record, article, url)],
                                            previous={raw_id: stored}))
            updated += 1
            if on_articles is not None:
                on_articles([raw_id])

    await asyncio.gather(*(one(raw_id) for raw_id in ids))
    return updated


@dataclass(frozen=True, slots=True)
class AddResult:
    """What ``add_url`` found: a feed to subscribe to, or one saved article."""

    feed: Feed | None = None
    article_id: str | None = None
    title: str = ""
    known: bool = False  # ``feed`` is one the user is already subscribed to
    other_feeds: tuple[str, ...] = ()  # further feeds the page advertised, not taken
    problem: str = ""  # the feed works, but not fully (cut off): worth saying at once


async def add_url(url: str, *, store: Store, fetcher: Fetcher, pool: WorkerPool,
                  tags: Sequence[str] = (), page_only: bool = False,
                  known_feeds: Collection[str] = ()) -> AddResult:
    """Work out what the user gave ``warta add``: a feed, a page advertising one, or a page.

    Returns the ``Feed`` to subscribe to (the caller subscribes unless ``known``: it is one of
    ``known_feeds``) or the id of the one article saved. ``example.com/feed`` means https, as
    everywhere else a user types an address. Raises ``SourceError``/``ExtractionError`` with a
    plain reason otherwise.
    """
    url = normalise_feed_url(url) or url.strip()
    problem = url_problem(url)
    if problem:
        raise SourceError(f"not a web address ({problem})", url)
    if not page_only and url in known_feeds:
        return AddResult(feed=Feed(url=url, tags=tuple(tags)), known=True)
    result = await fetcher.fetch(url, kind="feed", allow_private=True)
    if not page_only:
        try:
            parsed = await pool.parse_feed(result.content, result.url, result.content_type)
            return AddResult(feed=Feed(url=url, name=parsed.title, tags=tuple(tags)),
                             title=parsed.title, problem=parsed.problem)
        except NotAFeedError:
            pass
        links = await asyncio.to_thread(find_feed_links, result.content[: 2**20], result.url)
        for number, link in enumerate(links[:3]):
            own = origin(link) == origin(url)  # the page advertised it: content, unless on the
            try:                                # origin the user gave
                found = await fetcher.fetch(link, kind="feed", allow_private=own)
                parsed = await pool.parse_feed(found.content, found.url, found.content_type)
            except (SourceError, WartaError):
                continue
            return AddResult(feed=Feed(url=link, name=parsed.title, tags=tuple(tags),
                                       user_typed=own),
                             title=parsed.title, known=link in known_feeds,
                             problem=parsed.problem,
                             other_feeds=tuple(links[:number] + links[number + 1:]))
    media = (result.content_type or "").split(";")[0].strip().lower()
    if media and media not in ("text/html", "application/xhtml+xml"):
        what = "not a web page" if page_only else "not a feed or a web page"
        raise FetchError(f"{what} ({media[:80]})", url)
    article = await pool.extract(result.content, result.url, result.content_type)
    record = record_from_article(article, url=url, fetched=time.time(), feed_tags=tuple(tags))
    record_id = record.id
    await asyncio.to_thread(store.put_raw, record_id, result.content, result.headers)
    await asyncio.to_thread(store.put_articles, [record])
    return AddResult(article_id=record_id, title=record.title)
