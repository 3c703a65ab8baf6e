"""One sync: push what the journal holds, then pull the server's feeds, items and marks.

Push before pull, so the server has this device's changes before its state is read back.
While a change is pending (not yet confirmed by the server) the local value wins; otherwise
the server's does. Server items become articles through the refresh pipeline
(``Refresher.merge``): the same article ids as a directly fetched feed (so one story is one
article whichever way it came), the same merge and tag rules, and Warta fetches and extracts
full pages itself as the feed's ``full_text`` policy says.

Store work runs on one thread of its own, so the event loop (the app's keys) never waits on
SQLite; the server's answers with items go to the worker pool as bytes, to be decoded and
parsed there.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, TypeVar

from ..errors import WartaError
from ..feeds import parsed_feed_from_json
from ..models import Feed, FeedEntry
from ..refresh import Refresher, entry_article_id
from ..store import Store
from ..urls import is_http_url
from .backend import Backend, ItemsAnswer, ServerFeed, ServerItem, Snapshot
from .entries import GUID_PREFIX, parse_server_items
from .errors import LabelsUnsupportedError, SyncError, SyncProtocolError, SyncServerError, SyncSetupError
from .journal import Change, SyncJournal
from .ledger import Ledger, SyncStatus

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SyncReport:
    server: str
    sent: int = 0
    new_articles: int = 0
    marks: int = 0  # local marks changed to the server's
    feeds_added: int = 0
    feeds_removed: int = 0
    requests: int = 0
    pending: int = 0
    notices: tuple[str, ...] = ()

    def describe(self) -> str:
        """ "Synced with host: 3 changes sent, 120 new articles, 5 marks updated" """
        parts = [f"{self.sent:,} change{'s' if self.sent != 1 else ''} sent",
                 f"{self.new_articles:,} new article{'s' if self.new_articles != 1 else ''}",
                 f"{self.marks:,} mark{'s' if self.marks != 1 else ''} updated"]
        if self.feeds_added or self.feeds_removed:
            parts.append(f"feeds +{self.feeds_added} -{self.feeds_removed}")
        if self.pending:
            parts.append(f"{self.pending:,} still pending")
        return f"Synced with {self.server}: " + ", ".join(parts)


class Syncer:
    """Runs syncs of one store against one server; ``run()`` is single-flight."""

    def __init__(self, store: Store, backend: Backend, refresher: Refresher, journal: SyncJournal,
                 *, account: str, server: str, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.backend = backend
        self.refresher = refresher
        self.journal = journal
        self.ledger = Ledger(store)
        self.account = account
        self.server = server
        self.clock = clock
        self._current: asyncio.Task[SyncReport] | None = None
        self._executor: ThreadPoolExecutor | None = None

    @property
    def running(self) -> bool:
        return self._current is not None and not self._current.done()

    async def run(self) -> SyncReport:
        """Sync now; a second call while one runs waits for it. ``SyncError`` on failure, after
        the failure and its time are saved for ``warta sync --status`` and the errors view."""
        if self._current is not None and not self._current.done():
            return await asyncio.shield(self._current)
        self._current = asyncio.ensure_future(self._run())
        return await self._current

    async def _run(self) -> SyncReport:
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="warta-sync")
        try:
            started = self.clock()
            status = await self._db(self.ledger.status)
            try:
                report = await self._sync()
            except SyncError as error:
                await self._save_status(replace(status, last_try=started, last_error=str(error)))
                raise
            except (TypeError, KeyError, ValueError, AttributeError) as exc:
                # Server data of a shape nobody foresaw: a failed sync, not a crash.
                failure = SyncProtocolError(f"sync: {self.server} sent an answer Warta does not "
                                            f"understand ({type(exc).__name__})")
                await self._save_status(replace(status, last_try=started, last_error=str(failure)))
                raise failure from exc
            await self._save_status(SyncStatus(last_ok=started, last_try=started,
                                               last_summary=report.describe()))
            return report
        finally:
            self._executor.shutdown(wait=False)
            self._executor = None

    async def _save_status(self, status: SyncStatus) -> None:
        try:
            await self._db(self.ledger.set_status, status)
        except Exception:  # noqa: BLE001 - a status that cannot be saved must not hide the sync
            pass

    async def _db(self, function: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(function, *args))

    # -- the sync -----------------------------------------------------------------------------

    async def _sync(self) -> SyncReport:
        await self._db(self.ledger.check_account, self.account)
        await self.backend.login()
        sent, notices = await self._push()
        streams, added, removed = await self._pull_feeds()
        snapshot = await self.backend.snapshot()
        if self.backend.keeps_labels:
            await self._db(self.store.sync_set, {"labels": True})
        items = await self._db(self.ledger.items)
        known = set(items)
        new = 0
        merging: asyncio.Future[int] | None = None  # the next batch downloads meanwhile
        try:
            async for batch in self.backend.new_items(snapshot, known):
                if merging is not None:
                    new += await merging
                merging = asyncio.ensure_future(self._merge(batch, streams))
            if merging is not None:
                new += await merging
        finally:
            if merging is not None and not merging.done():  # the download failed: let it end
                await asyncio.gather(merging, return_exceptions=True)
        known_before = known
        items = await self._db(self.ledger.items)
        previous = await self._db(self.ledger.snapshot)
        changed = None if previous is None or self.clock() - previous[0] > FULL_APPLY_EVERY \
            else _changed(previous[1], snapshot) | (set(items) - known_before)
        marks = await self._db(self._apply, snapshot, items, changed)
        full_at = self.clock() if changed is None or previous is None else previous[0]
        await self._db(self.ledger.set_snapshot, full_at, snapshot)
        if snapshot.listed is not None and len(snapshot.listed) < getattr(self.backend, "max_items", 0):
            gone = [sid for sid in items if sid not in snapshot.listed and sid not in snapshot.starred]
            if gone:
                await self._db(self.ledger.forget_items, gone, items)
        pending = await self._db(self.journal.count)
        requests = sum(getattr(self.backend, "http").requests.values())
        return SyncReport(server=self.server, sent=sent, new_articles=new, marks=marks,
                          feeds_added=added, feeds_removed=removed, requests=requests,
                          pending=pending, notices=tuple(notices))

    # -- push ---------------------------------------------------------------------------------

    async def _push(self) -> tuple[int, list[str]]:
        changes = await self._db(self.journal.pending)
        if not changes:
            return 0, []
        notices: list[str] = []
        sent = 0
        feeds = await self._db(self.ledger.feeds)
        items = await self._db(self.ledger.items)
        sids = {record["a"]: sid for sid, record in items.items()}
        for change in [c for c in changes if c.kind == "feed"]:
            sent += await self._push_feed(change, feeds, notices)
        covered: list[tuple[frozenset[str] | None, int]] = []  # (feed streams or None: all, newest µs)
        for change in [c for c in changes if c.kind == "mark_all"]:
            sent += await self._push_mark_all(change, feeds, items, sids, covered, notices)
        labels = await self._db(self.store.sync_get, "labels")
        groups: dict[tuple[str, bool], list[tuple[str, Change]]] = {}
        unsendable: list[Change] = []
        already: list[Change] = []
        for change in [c for c in changes if c.kind == "state"]:
            sid = sids.get(change.article_id)
            if change.field.startswith("tag:") and labels is False:
                unsendable.append(change)  # this server keeps no labels: the tag stays local
                continue
            if sid is None:
                record = await self._db(self.store.get_article, change.article_id)
                if record is None or not set(record.feeds) & set(feeds):
                    unsendable.append(change)  # an article the server does not carry
                continue
            if change.field == "read" and change.value is True and any(
                    (streams is None or items[sid].get("f") in streams) and items[sid].get("u", 0) <= newest
                    for streams, newest in covered):
                already.append(change)
                continue
            groups.setdefault((change.field, bool(change.value)), []).append((sid, change))
        if unsendable:
            await self._db(self.journal.discard, unsendable)
        if already:
            await self._db(self.journal.confirm, already)
            sent += len(already)
        for (field, value), members in groups.items():
            ids = [sid for sid, _ in members]
            if field.startswith("tag:") and labels is False:
                await self._db(self.journal.discard, [change for _, change in members])
                continue
            try:
                if field in ("read", "starred"):
                    await self.backend.set_flag(ids, field, value)
                else:
                    await self.backend.set_label(ids, field[4:], value)
            except LabelsUnsupportedError as error:
                if labels is not False:
                    notices.append(str(error))
                labels = False
                await self._db(self.store.sync_set, {"labels": False})
                await self._db(self.journal.discard, [change for _, change in members])
                continue
            except SyncServerError as error:
                if not _refused(error):
                    raise
                notices.append(f"{error} — {len(ids)} change(s) to {field} dropped")
                await self._db(self.journal.discard, [change for _, change in members])
                continue
            sent += await self._db(self.journal.confirm, [change for _, change in members])
        return sent, notices

    async def _push_feed(self, change: Change, feeds: dict[str, str], notices: list[str]) -> int:
        url, data = change.feed_url, change.data or {}
        try:
            if change.value:
                if url in feeds:
                    return await self._db(self.journal.confirm, [change])
                feed = Feed.from_json(data["feed"]) if data.get("feed") else Feed(url=url)
                stream = await self.backend.subscribe(url, feed.name, feed.tags)
                await self._db(self.ledger.set_feeds, {url: stream})
                feeds[url] = stream
            elif url in feeds:
                await self.backend.unsubscribe(feeds.pop(url))
                await self._db(self.ledger.set_feeds, {url: None})
        except SyncSetupError as error:  # the API cannot do it at all (Fever)
            notices.append(str(error))
            await self._db(self.journal.discard, [change])
            return 0
        except SyncServerError as error:
            if not _refused(error):
                raise
            notices.append(str(error))
            await self._db(self.journal.discard, [change])
            return 0
        return await self._db(self.journal.confirm, [change])

    async def _push_mark_all(self, change: Change, feeds: dict[str, str], items: dict[str, dict[str, Any]],
                             sids: dict[str, str], covered: list[tuple[frozenset[str] | None, int]],
                             notices: list[str]) -> int:
        data = change.data or {}
        seen = [sids[article_id] for article_id in data.get("seen") or () if article_id in sids]
        stream = feeds.get(data["feed"]) if data.get("feed") else None
        if not seen or (data.get("feed") and stream is None) \
                or (data.get("tag") and not getattr(self.backend, "marks_folders", True)):
            # nothing the server carries, or a tag the API cannot name (Fever's groups):
            await self._db(self.journal.discard, [change])  # its items were journaled one by one
            return 0
        record = max((items[sid] for sid in seen), key=lambda r: int(r.get("u") or 0))
        try:
            await self.backend.mark_all_read(stream, data.get("tag"), int(record.get("u") or 0),
                                             float(record.get("t") or 0))
        except SyncServerError as error:
            if not _refused(error):
                raise
            notices.append(f"{error} — marked item by item instead")
            await self._db(self.journal.discard, [change])
            return 0
        newest = int(record.get("u") or 0)
        if data.get("tag"):  # the label's stream: the feeds in that folder
            tag = str(data["tag"]).lower()
            subscriptions = await self._db(self.store.subscriptions)
            covered.append((frozenset(feeds[feed.url] for feed in subscriptions if feed.url in feeds
                                      and tag in (t.lower() for t in feed.tags)), newest))
        else:
            covered.append((None if stream is None else frozenset({stream}), newest))
        return await self._db(self.journal.confirm, [change])

    # -- pull ---------------------------------------------------------------------------------

    async def _pull_feeds(self) -> tuple[dict[str, Feed], int, int]:
        server = await self.backend.feeds()
        return await self._db(self._apply_feeds, server)

    def _apply_feeds(self, server: Sequence[ServerFeed]) -> tuple[dict[str, Feed], int, int]:
        """Store thread: the server's feeds become subscriptions, its folders their tags."""
        local = {feed.url: feed for feed in self.store.subscriptions()}
        mapped = self.ledger.feeds()
        url_of = {stream: url for url, stream in mapped.items()}
        pending = self.journal.pending_feeds()
        streams: dict[str, Feed] = {}
        changes: dict[str, str | None] = {}
        added = removed = 0
        for server_feed in server:
            url = url_of.get(server_feed.stream) or server_feed.url
            if not is_http_url(url) or (url in pending and url not in local):
                continue  # not a web feed, or unsubscribed here and not yet on the server
            existing = local.get(url)
            feed = replace(existing, name=server_feed.title or existing.name,
                           tags=server_feed.categories) if existing else \
                Feed(url=url, name=server_feed.title, tags=server_feed.categories)
            if feed != existing:
                self.store.add_subscription(feed, journal=False)
                added += existing is None
            streams[server_feed.stream] = feed
            if mapped.get(url) != server_feed.stream:
                changes[url] = server_feed.stream
        on_server = {server_feed.stream for server_feed in server}
        for url, stream in mapped.items():
            if stream not in on_server:
                changes[url] = None
                if url in local and url not in pending:
                    self.store.remove_subscription(url, journal=False)
                    removed += 1
        if changes:
            self.ledger.set_feeds(changes)
        return streams, added, removed

    async def _merge(self, batch: list[ServerItem] | ItemsAnswer, streams: dict[str, Feed]) -> int:
        """New server items -> entries (decoded and parsed in the pool, as a feed would be) ->
        articles."""
        try:
            parsed = await self.refresher.pool.run(
                parse_server_items, batch, {stream: feed.url for stream, feed in streams.items()},
                timeout=self.refresher.parse_timeout, error_type=WartaError,
                noun=f"items from {self.server}", verb="parse")
        except SyncError:
            raise
        except WartaError as error:  # the pool's own sentence (took too long, worker stopped)
            raise SyncProtocolError(f"sync: {error}") from None
        pairs = [(streams[stream], parsed_feed_from_json(data).entries)
                 for stream, data in parsed["feeds"].items()]
        if not pairs:
            return 0
        progress = await self.refresher.merge(pairs)
        await self._db(self._map_items, pairs, parsed["items"])
        return progress.new_articles

    def _map_items(self, pairs: list[tuple[Feed, Sequence[FeedEntry]]],
                   items: dict[str, tuple[str, int]]) -> None:
        """Store thread: each new server item -> the article it became, its feed and time."""
        now = self.clock()
        records: dict[str, dict[str, Any]] = {}
        for feed, entries in pairs:
            for entry in entries:
                sid = entry.guid[len(GUID_PREFIX):] if entry.guid.startswith(GUID_PREFIX) else ""
                if sid in items:
                    stream, crawled_usec = items[sid]
                    records[sid] = {"a": entry_article_id(self.store, feed, entry),
                                    "f": stream, "u": crawled_usec, "t": now}
        self.ledger.add_items(records)

    def _apply(self, snapshot: Snapshot, items: dict[str, dict[str, Any]],
               changed: set[str] | None) -> int:
        """Store thread: the server's marks win wherever no local change is pending.

        ``changed``: the items whose marks changed on the server since the last sync (or that
        are new); None looks at every item. Read, compared and written in one state
        transaction, so a key pressed meanwhile (journaled in its own transaction) is either
        seen as pending or comes after.
        """
        with self.store.state_transaction():
            pending = self.journal.pending_fields()
            changes: dict[str, dict[str, Any]] = {}
            for sid, record in items.items():
                if changed is not None and sid not in changed:
                    continue
                if snapshot.listed is not None and sid not in snapshot.listed \
                        and sid not in snapshot.starred:
                    continue  # the server no longer lists it: nothing to learn
                article_id = record["a"]
                if not self.store.has_article(article_id):
                    continue
                state = self.store.get_state(article_id)
                held = pending.get(article_id, set())
                wanted: dict[str, Any] = {}
                read = sid not in snapshot.unread
                if "read" not in held and state.read != read:
                    wanted["read"] = read
                starred = sid in snapshot.starred
                if "starred" not in held and state.starred != starred:
                    wanted["starred"] = starred
                if snapshot.labels is not None:
                    on_server = {name for name, ids in snapshot.labels.items() if sid in ids}
                    kept = [t for t in state.tags if t in on_server or "tag:" + t in held]
                    added = [t for t in sorted(on_server) if t not in state.tags and "tag:" + t not in held]
                    if tuple(kept + added) != state.tags:
                        wanted["tags"] = tuple(kept + added)
                if wanted:
                    changes[article_id] = wanted
            return self.store.update_each(changes, journal=False)


FULL_APPLY_EVERY = 6 * 3600.0  # seconds: now and then every item's marks are compared again


def _changed(before: Snapshot, after: Snapshot) -> set[str]:
    """Items whose marks differ between two snapshots of the server."""
    changed = set(before.unread ^ after.unread) | set(before.starred ^ after.starred)
    if (before.labels is None) != (after.labels is None):
        return changed | set().union(*(before.labels or {}).values(), *(after.labels or {}).values())
    for name in set(before.labels or {}) | set(after.labels or {}):
        changed |= set((before.labels or {}).get(name, frozenset())
                       ^ (after.labels or {}).get(name, frozenset()))
    return changed


def _refused(error: SyncServerError) -> bool:
    """A 4xx that says "never": retrying the same change would be refused forever."""
    return error.status in (400, 404, 409, 410, 422)
