"""The data dir: articles, raw pages and user state in diskcache, plus the derived list index.

Layout of a data dir::

    articles/   diskcache, never evicts: ArticleRecord JSON (metadata, feed summary, blocks)
    raw/        diskcache, LRU under a size limit: the pages as fetched, for offline re-extraction
    state/      diskcache, never evicts, fsync on commit: read/starred/user tags/position,
                subscriptions, per-feed HTTP validators
    index.sqlite  derived: the list index and full-text search (see ``index.py``); rebuilt from
                the two stores above whenever it is missing, corrupt or out of step

No value is ever pickled (a tampered pickle in a cache runs code on read): ``JSONDisk`` stores
bytes and text only and refuses pickled rows. Each diskcache carries a schema version.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

import diskcache
from diskcache.core import MODE_BINARY, MODE_PICKLE, MODE_RAW

from . import backup, readonly
from .errors import DiskFullError, SchemaMismatchError, StoreError
from .index import KIND_NAMES, ArticleIndex, PreparedStates
from .locks import WriteLock
from .models import ArticleRecord, ArticleState, ArticleSummary, Feed, TagCount
from .private import make_private
from .query import EVERYTHING, CompiledFilter
from .wellformed import well_formed

SCHEMA_VERSION = 1
_SCHEMA_KEY = "warta:schema"
_SEQ_KEY = "warta:seq"
RAW_SIZE_LIMIT = 512 * 2**20
IMAGE_KEY_PREFIX = "img:"  # pictures share the raw cache (and its budget) with pages
RebuildProgress = Callable[[int, int], None]  # (articles indexed so far, total)
_BUSY_TIMEOUT = 2.0


class CorruptEntryError(StoreError):
    """A cache row that is not one of ours (e.g. a pickle planted in the database)."""


class JSONDisk(diskcache.Disk):  # type: ignore[misc]  # diskcache is untyped
    """A diskcache ``Disk`` that never pickles: keys are str, values bytes or str."""

    def put(self, key: Any) -> tuple[Any, bool]:
        if not isinstance(key, str):
            raise TypeError(f"store keys are str, not {type(key).__name__}")
        stored: tuple[Any, bool] = super().put(key)
        return stored

    def get(self, key: Any, raw: bool) -> Any:
        if not raw:
            raise CorruptEntryError("cache row with a pickled key refused")
        return super().get(key, raw)

    def store(self, value: Any, read: bool, key: Any = None) -> Any:
        if not isinstance(value, (bytes, str, int)) or read:
            raise TypeError(f"store values are bytes or str, not {type(value).__name__}")
        if type(value) is bytes and len(value) >= self.min_file_size:
            # The same file diskcache writes, in one write: it iterates a BytesIO of the value,
            # i.e. writes it line by line (a 200 KB page took ~1,000 write calls).
            filename, full_path = self.filename(key, value) if key is not None else self.filename(value=value)
            self._write(full_path, iter((value,)), "xb")
            return len(value), MODE_BINARY, filename, None
        return super().store(value, read, key=key) if key is not None else super().store(value, read)

    def fetch(self, mode: int, filename: str | None, value: Any, read: bool) -> Any:
        if mode == MODE_PICKLE:
            raise CorruptEntryError("cache row holding a pickle refused")
        return super().fetch(mode, filename, value, read)


def _pack(data: Any) -> bytes:
    return zlib.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(), 3)


def pack_record(record: ArticleRecord) -> bytes:
    """``record`` as the store keeps it: made where the CPU is free (a pool worker), handed to
    ``Store.put_articles(packed=)``."""
    return _pack(record.to_json())


def _unpack(blob: Any) -> Any:
    if not isinstance(blob, bytes):
        raise CorruptEntryError("cache row of the wrong type")
    try:
        return json.loads(zlib.decompress(blob))
    except (zlib.error, ValueError) as exc:
        raise CorruptEntryError(f"unreadable cache row: {exc}") from exc


_Decoded = TypeVar("_Decoded", ArticleRecord, Feed)


def _decode(blob: Any, kind: type[_Decoded]) -> _Decoded | None:
    """One stored record, or None when the row is damaged in any way (reads as a miss)."""
    try:
        value = kind.from_json(_unpack(blob))
    except (CorruptEntryError, AttributeError, KeyError, TypeError, ValueError):
        return None
    return value if well_formed(value) else None


def _get(cache: diskcache.Cache, key: str) -> Any:
    """Read one value; a row that is not ours (a planted pickle) reads as missing."""
    try:
        return cache.get(key)
    except CorruptEntryError:
        return None


def _keys(cache: diskcache.Cache, prefix: str = "") -> list[str]:
    """The str keys of ``cache`` that start with ``prefix``, in key order.

    One range query on diskcache's (key, raw) index: ``iterkeys()`` pages through every key of
    the cache, so finding the few subscriptions among 100,000 article states took 170 ms.
    Rows with a pickled key (raw = 0) are not ours and are skipped.
    """
    if prefix:
        end = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        rows = cache._sql("SELECT key FROM Cache WHERE key >= ? AND key < ? AND raw = 1"
                          " ORDER BY key", (prefix, end)).fetchall()
    else:
        rows = cache._sql("SELECT key FROM Cache WHERE raw = 1 ORDER BY key").fetchall()
    return [key for (key,) in rows if isinstance(key, str)]


def _items(cache: diskcache.Cache, prefix: str, page: int = 500) -> Iterator[tuple[str, Any]]:
    """``(key, value)`` for the keys that start with ``prefix``, read a page of rows per query.

    The same rows ``cache.get`` would return (our caches neither expire nor count accesses),
    without one query per key: exporting 30,000 article states took 0.5 s that way.
    """
    end = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    after = prefix
    fetch = cache._disk.fetch
    while True:
        rows = cache._sql("SELECT key, mode, filename, value FROM Cache WHERE key > ? AND key < ?"
                          " AND raw = 1 ORDER BY key LIMIT ?", (after, end, page)).fetchall()
        for key, mode, filename, value in rows:
            try:
                yield key, fetch(mode, filename, value, False)
            except (CorruptEntryError, OSError):
                continue
        if len(rows) < page:
            return
        after = rows[-1][0]


def _records(articles: diskcache.Cache) -> Iterator[ArticleRecord]:
    for _key, blob in _items(articles, "a:"):
        record = _decode(blob, ArticleRecord)
        if record is not None:
            yield record


def _states(state: diskcache.Cache) -> Iterator[tuple[str, ArticleState]]:
    for key, blob in _items(state, "s:"):
        try:
            yield key[2:], ArticleState.from_json(_unpack(blob))
        except (CorruptEntryError, TypeError, ValueError):
            continue


def _build_index_file(data_dir: str, target: str, channel: Any) -> None:
    """A rebuild's own process (``Store.rebuild_index(separate=True)``): the list index of the
    stores as one snapshot has them, written to ``target``. Says "ready" once the stores are
    open; takes the snapshot when told and says ("taken", articles); then the count after each
    batch;
    then "built". It only reads the stores, with SQLite's locks (the app writes meanwhile)."""
    try:
        os.nice(10)  # the app's keys first
    except OSError:
        pass
    caches = [readonly.ReadOnlyCache(Path(data_dir) / name, JSONDisk, live=True)
              for name in ("articles", "state")]
    channel.send("ready")
    channel.recv()
    for cache in caches:
        cache._con.execute("BEGIN")  # one read transaction each: the snapshot
        cache._con.execute("SELECT count(*) FROM Settings").fetchone()
    articles, state = caches
    [(total,)] = articles._sql("SELECT count(*) FROM Cache WHERE key >= 'a:' AND key < 'a;'"
                               " AND raw = 1").fetchall()
    channel.send(("taken", total))
    states = dict(_states(state))
    built = ArticleIndex.create(Path(target))
    try:
        built.rebuild(((record, states.get(record.id, _DEFAULT_STATE))
                       for record in _records(articles)),
                      seqs=(-1, -1), progress=channel.send)
    finally:
        built.close()
    channel.send("built")


def _discard_file(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


_KEYS_PER_QUERY = 10_000
_REMEMBER_WORTH = 1_000  # articles: a smaller change reads its rows back faster than it keeps them
_DEFAULT_STATE = ArticleState()
_STATE_FIELDS = tuple(field.name for field in dataclass_fields(ArticleState))


def _chunks(values: Sequence[Any]) -> Iterator[str]:
    """``values`` as JSON arrays of at most ``_KEYS_PER_QUERY`` (for ``json_each``)."""
    for start in range(0, len(values), _KEYS_PER_QUERY):
        yield json.dumps(values[start : start + _KEYS_PER_QUERY])


def _write_rows(cache: diskcache.Cache, values: Mapping[str, bytes | str | None],
                rows: Mapping[str, tuple[int, str | None]]) -> bool:
    """Set (a value) or delete (None) many rows of a never-evicting cache, inside the caller's
    transaction; ``rows``: the ``(rowid, filename)`` of those keys that have a row now.

    The rows go straight to diskcache's table, laid out as ``Cache.set`` lays them out (a small
    value kept in the row, no expiry, no tag; a cache that never evicts has nothing to cull):
    one statement per kind of write, instead of a select, a write and a cull per key. Rows that
    share one value (a mark-all's states) are written by one statement over a JSON array of
    their keys. A value big enough for its own file, or a row that had one, goes through
    diskcache, which writes and removes the files (then False is returned). A row known to be
    there without its rowid (-1: written set-based earlier, see ``Store._last_bulk``) is found
    by its key.
    """
    assert cache.eviction_policy == "none", "an evicting cache must cull: use Cache.set"
    now = time.time()
    limit = cache._disk.min_file_size
    deletes: list[int] = []
    updates: dict[int, tuple[bytes | str, list[int]]] = {}  # by id(value): value, rowids
    by_key: list[str] = []  # rows there without a known rowid: deleted by key, then inserted
    inserts: dict[int, tuple[bytes | str, list[str]]] = {}  # by id(value): value, keys
    by_diskcache: list[tuple[str, bytes | str | None]] = []
    for key, value in values.items():
        row = rows.get(key)
        if (row is not None and row[1] is not None) or (value is not None and len(value) >= limit):
            by_diskcache.append((key, value))
        elif row is not None and row[0] < 0:
            by_key.append(key)
            if value is not None:
                inserts.setdefault(id(value), (value, []))[1].append(key)
        elif value is None:
            if row is not None:
                deletes.append(row[0])
        elif row is not None:
            updates.setdefault(id(value), (value, []))[1].append(row[0])
        else:
            inserts.setdefault(id(value), (value, []))[1].append(key)
    sql = cache._sql
    for chunk in _chunks(sorted(deletes)):
        sql("DELETE FROM Cache WHERE rowid IN (SELECT value FROM json_each(?))", (chunk,))
    for chunk in _chunks(sorted(by_key)):
        sql("DELETE FROM Cache WHERE key IN (SELECT value FROM json_each(?)) AND raw = 1", (chunk,))
    update = ("UPDATE Cache SET store_time = ?, expire_time = NULL, access_time = ?, access_count = 0,"
              f" tag = NULL, size = 0, mode = {MODE_RAW}, filename = NULL, value = ? WHERE rowid")
    insert = ("INSERT INTO Cache(key, raw, store_time, expire_time, access_time, access_count, tag,"
              f" size, mode, filename, value) {{}} 1, ?, NULL, ?, 0, NULL, 0, {MODE_RAW}, NULL, ?")
    single_updates: list[tuple[float, float, bytes | str, int]] = []
    single_inserts: list[tuple[str, float, float, bytes | str]] = []
    for value, rowids in updates.values():
        if len(rowids) == 1:
            single_updates.append((now, now, value, rowids[0]))
            continue
        for chunk in _chunks(sorted(rowids)):
            sql(update + " IN (SELECT value FROM json_each(?))", (now, now, value, chunk))
    for value, keys in inserts.values():
        if len(keys) == 1:
            single_inserts.append((keys[0], now, now, value))
            continue
        for chunk in _chunks(sorted(keys)):  # in key order: the key index fills in sequence
            sql(insert.format("SELECT value,") + " FROM json_each(?)", (now, now, value, chunk))
    cache._con.executemany(update + " = ?", single_updates)
    cache._con.executemany(insert.format("VALUES (?,") + ")", sorted(single_inserts))
    for key, value in by_diskcache:
        if value is None:
            cache.delete(key)
        else:
            cache.set(key, value)
    return not by_diskcache


def _rows_of(cache: diskcache.Cache, keys: Sequence[str]) -> list[tuple[int, str, int, str | None, Any]]:
    """``(rowid, key, mode, filename, value)`` of the rows of ``cache`` with these str keys
    (those there are, in no particular order): a query per ``_KEYS_PER_QUERY`` keys, passed as
    one JSON array, instead of one query per key."""
    rows: list[tuple[int, str, int, str | None, Any]] = []
    for wanted in _chunks(sorted(keys)):  # in key order: the lookups walk the index in step
        rows.extend(cache._sql("SELECT c.rowid, c.key, c.mode, c.filename, c.value FROM json_each(?) j"
                               " JOIN Cache c ON c.key = j.value AND c.raw = 1", (wanted,)).fetchall())
    return rows


def _is_disk_full(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "disk is full" in text or "no space" in text or getattr(exc, "errno", None) == 28


class Store:
    """The one way the rest of Warta reads and writes the data dir."""

    def __init__(self, data_dir: Path, articles: diskcache.Cache, raw: diskcache.Cache,
                 state: diskcache.Cache, index: ArticleIndex) -> None:
        self.data_dir = data_dir
        self._articles = articles
        self._raw = raw
        self._state = state
        self._index = index
        self.notices: list[str] = []
        self.damaged: set[str] = set()  # ids whose article row was found damaged (read as missing)
        self.earlier_notices: list[str] = []  # repairs earlier runs made that no app has shown
        self.read_only = False  # opened where nothing can be written (``_open_read_only``)
        self.articles_lost = False  # the article store started empty beside surviving pages
        self._write_lock_file = WriteLock(data_dir)
        self.on_notice: Callable[[str], None] | None = None  # said at once (the CLI's stderr)
        index.on_damage = self._index_damaged
        self._state_changed = False
        self._queued: dict[str, dict[str, Any]] = {}  # state changes not saved yet (disk full)
        self.index_stale = False  # the index lags the stores: ``rebuild_index`` is due
        self._known_seqs = (self._seq(articles), self._seq(state))
        self._written_elsewhere = False
        # Written while a rebuild runs, to replay onto it: records as the rebuild's snapshot
        # had them (None: not there), and articles whose state changed.
        self._touched_records: dict[str, ArticleRecord | None] | None = None
        self._touched_states: set[str] | None = None
        self._rebuilder: Any = None  # the rebuild's own process while it runs (``stop_rebuild``)
        self._rebuild_stopped = False
        self._rebuild_guard = threading.Lock()
        self._write_lock = threading.RLock()
        self.journals: list[StateJournal] = []  # see every state change (the sync journal)
        # What the last bulk state write left on disk: (the state seq it wrote, each of its
        # articles' stored state, their rows as ``_stored_states`` gives them, rowid -1 where
        # a row was inserted). While the seq is still that one, nobody has written a state
        # since, so the next change of those articles (the undo of a mark-all) need not read
        # 70,000 rows back.
        self._last_bulk: tuple[int, dict[str, ArticleState], dict[str, tuple[int, str | None]]] | None = None

    # -- opening and closing ------------------------------------------------------------------

    @classmethod
    def open(cls, data_dir: Path, *, raw_size_limit: int = RAW_SIZE_LIMIT,
             on_rebuild: RebuildProgress | None = None, rebuild_later: bool = False) -> Store:
        """Open (creating if needed) the data dir, repairing what can be repaired.

        A corrupt article or page cache is moved aside and started afresh; a corrupt or lost
        state store is restored from the latest backup. What was done is in ``notices``.
        An index that lags the stores is rebuilt now, or with ``rebuild_later`` only marked
        ``index_stale`` (the app shows what it has and calls ``rebuild_index`` on a thread).
        """
        data_dir = Path(data_dir)
        notices: list[str] = []
        if readonly.cannot_write(data_dir) and (data_dir / "state" / "cache.db").is_file():
            return cls._open_read_only(data_dir, raw_size_limit)
        try:
            data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            articles, articles_new = _open_or_move_aside(data_dir / "articles", notices,
                                                         eviction_policy="none")
            raw, _ = _open_or_move_aside(data_dir / "raw", notices,
                                         eviction_policy="least-recently-stored",
                                         size_limit=raw_size_limit)
            state, state_is_new = _open_or_move_aside(data_dir / "state", notices,
                                                      eviction_policy="none", sqlite_synchronous=2)
            index = ArticleIndex.open(data_dir / "index.sqlite")
            for private in (data_dir, data_dir / "backups"):  # also when it was made 0755 before
                make_private(private)
        except (OSError, sqlite3.Error) as exc:
            if readonly.cannot_write(data_dir) and (data_dir / "state" / "cache.db").is_file():
                return cls._open_read_only(data_dir, raw_size_limit)  # filled up meanwhile
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise StoreError(f"cannot open data dir {data_dir}: {reason}") from exc
        store = cls(data_dir, articles, raw, state, index)
        store.notices = notices
        if articles_new and store.raw_ids():  # lost (moved aside, deleted); the pages survive
            store.articles_lost = True
            notices.append(f"the article store is empty but {len(store.raw_ids()):,} pages survive "
                           "in the page cache: warta reextract brings their articles back "
                           "(warta fetch does it first)")
        store._apply_parked()
        if state_is_new:
            store._restore_lost_state()
        store.earlier_notices = backup.unseen_notices(data_dir)
        backup.remember_notices(data_dir, store.notices)  # every repair, for the app to say too
        network_fs = backup.network_filesystem(data_dir)
        if network_fs:
            notices.append(f"data dir {data_dir} is on {network_fs}: SQLite locking is unreliable "
                           "there; run one Warta at a time")
        with store._write_lock_file.held():  # a writer half-way through one write is no lag
            stale = store._index.applied_seqs() != store.seqs()
            if stale and store.seqs() == (0, 0) and not store.has_articles():
                try:  # a new data dir: its empty index is in step, nothing to rebuild
                    store._index.set_seqs((0, 0))
                    stale = False
                except sqlite3.Error:
                    pass  # a full disk: rebuilt (in memory if need be) as any stale index
        if stale:
            store.index_stale = True
            if not rebuild_later:
                store.rebuild_index(on_rebuild)
        return store

    @classmethod
    def _open_read_only(cls, data_dir: Path, raw_size_limit: int) -> Store:
        """The data dir as it is, for reading, when nothing can be written there (full disk,
        read-only filesystem): every write fails as a full disk does, and is queued or said."""
        why = readonly.cannot_write(data_dir) or "full"
        try:
            articles = readonly.ReadOnlyCache(data_dir / "articles", JSONDisk)
            raw = readonly.ReadOnlyCache(data_dir / "raw", JSONDisk, eviction_policy="least-recently-stored",
                                         size_limit=raw_size_limit)
            state = readonly.ReadOnlyCache(data_dir / "state", JSONDisk)
            store = cls(data_dir, articles, raw, state, ArticleIndex.open_read_only(data_dir / "index.sqlite"))
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open data dir {data_dir}: {exc}") from exc
        what = "the disk is full" if why == "full" else "its filesystem is read-only"
        store.notices.append(f"{what}: opened {data_dir} read-only; reading works, and changes "
                             "are kept until they can be saved")
        store.read_only = True
        seqs = (store._seq(store._articles), store._seq(store._state))
        if store._index.applied_seqs() != seqs:  # rebuilt in memory, not on the disk
            store._index = ArticleIndex.in_memory()
            store._index.on_damage = store._index_damaged
            store.rebuild_index()
        store._apply_parked()
        return store

    def _apply_parked(self) -> None:
        """Apply the changes a previous session parked because the disk was full."""
        parked = backup.take_pending(self.data_dir)
        if not parked:
            return
        for article_id, changes in parked.items():
            self.queue_state(article_id, **changes)
        try:
            saved = self.save_queued()
        except StoreError:
            self.notices.append(backup.park_pending(self.data_dir, self._queued))
            return
        self.notices.append(f"saved {saved:,} changes left over from a session that ran out of disk")

    def _restore_lost_state(self) -> None:
        saved = backup.latest(self.data_dir)
        if saved is None:
            if len(self._articles) > 1:
                self.notices.append("read/star state was missing and there is no backup; "
                                    "starting with every article unread")
            return
        restored = self.import_state(saved.data)
        self.notices.append(f"read/star state was missing; restored {restored:,} marks from the "
                            f"backup of {saved.when} ({saved.path})")

    def notice(self, text: str) -> None:
        """A repair made after opening: kept in ``notices``, said now, and kept for the app."""
        self.notices.append(text)
        backup.remember_notices(self.data_dir, [text])
        if self.on_notice is not None:
            self.on_notice(text)

    def notices_shown(self) -> None:
        """The app has shown ``notices`` and ``earlier_notices``: no need to keep them."""
        self.earlier_notices = []
        backup.forget_notices(self.data_dir)

    def _index_damaged(self, reason: str) -> None:
        """The index found damage in use and started afresh: refill it from the stores."""
        self.rebuild_index()
        self.notice(f"the article index {self.data_dir / 'index.sqlite'} was damaged ({reason}); "
                    "rebuilt it from the article and state stores")

    def backup_state(self) -> Path:
        """Write everything the user saved to ``backups/state.json`` (atomic, fsynced)."""
        return backup.write(self.data_dir, self.export_state())

    def import_state(self, data: dict[str, Any]) -> int:
        """Merge a state export (backup) into the store; returns how many articles it marked."""
        states = data.get("states") or {}
        with self._writing():
            with self._state.transact():
                for article_id, value in states.items():
                    if isinstance(article_id, str) and isinstance(value, dict):
                        self._state.set("s:" + article_id, _pack(ArticleState.from_json(value).to_json()))
                for feed in data.get("subscriptions") or ():
                    if isinstance(feed, dict) and isinstance(feed.get("url"), str):
                        self._state.set("sub:" + feed["url"], _pack(Feed.from_json(feed).to_json()))
                filters = data.get("filters")
                if isinstance(filters, dict) and filters:
                    self._state.set("filters", _pack({**self.saved_filters(), **filters}))
                self._bump(self._state)
        return len(states)

    def close(self) -> None:
        self.stop_rebuild()
        try:
            self.save_queued()
        except StoreError:
            # Still no room in the data dir: park the changes elsewhere (the temp dir is often
            # another filesystem) for the next open to apply, rather than lose them.
            self.notices.append(backup.park_pending(self.data_dir, self._queued))
        try:
            if self._state_changed:
                self.backup_state()
        except (OSError, StoreError):
            pass  # a backup that cannot be written must not lose the session
        self._index.close()
        for cache in (self._articles, self._raw, self._state):
            cache.close()
        self._write_lock_file.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def rebuild_index(self, progress: RebuildProgress | None = None, *,
                      separate: bool = False) -> None:
        """Rebuild the list index from the stores; ``progress(done, total)`` after each batch.

        Built beside the old index (``index.sqlite.new``) from one snapshot of the stores,
        while the old index stays readable and writable, then swapped in; what was written
        after the snapshot is replayed onto it. So it can run on a thread while the app shows
        and changes what the old index has. ``separate``: built in a process of its own, at a
        lower priority (the app's rebuild): in this one, decoding 100,000 records held the
        GIL against the app's keys (45 ms a key at 10,000 articles, measured), and the
        machine's cores go to the keys first.
        """
        elsewhere = self._written_elsewhere
        total = len(_keys(self._articles, "a:")) if progress and not separate else 0
        report = (lambda done: progress(done, total)) if progress else None
        if self.read_only or self._index.path == Path(":memory:"):
            # Nothing may be written beside it: rebuilt in place (memory), before anyone reads.
            states = dict(self._iter_states())
            self._index.rebuild(((r, states.get(r.id, ArticleState())) for r in self.iter_articles()),
                                seqs=self.seqs(), progress=report)
            self.index_stale = False
            return

        def rows() -> Iterator[tuple[ArticleRecord, ArticleState]]:
            # The index's reader thread: its own connections, each held in one read
            # transaction (a snapshot), opened together with the record of later writes.
            caches = (self._articles, self._state)
            with self._write_lock:
                for cache in caches:
                    cache._con.execute("BEGIN")
                    cache._con.execute("SELECT count(*) FROM Settings").fetchone()
                self._touched_records, self._touched_states = {}, set()
            try:
                states = dict(self._iter_states())
                for record in self.iter_articles():
                    yield record, states.get(record.id, ArticleState())
            finally:
                # Close that thread's connections now, or the caches' WAL outlives the store
                # (and hides later damage to the file).
                for cache in caches:
                    try:
                        cache._con.execute("COMMIT")
                    except sqlite3.Error:
                        pass
                    cache.close()

        target = self._index.path.with_name(self._index.path.name + ".new")
        try:
            if separate:
                built = self._build_elsewhere(target, progress)
            else:
                built = ArticleIndex.create(target)
                try:
                    built.rebuild(rows(), seqs=(-1, -1), progress=report)
                except BaseException:
                    built.discard()
                    raise
            with self._write_lock, self._index.lock:
                self._index.adopt(built)
                self._replay()
        finally:
            self._touched_records, self._touched_states = None, None
        # Written by another process meanwhile: its index write went to the old file; stay
        # stale so that the next open rebuilds again.
        self.index_stale = self._written_elsewhere and not elsewhere

    def _build_elsewhere(self, target: Path, progress: RebuildProgress | None) -> ArticleIndex:
        """The index built at ``target`` by a spawned process (``_build_index_file``) from a
        snapshot it takes while this store holds its write lock, which is when the record of
        later writes (replayed onto it) starts."""
        import multiprocessing

        from .spawn import real_stderr

        context = multiprocessing.get_context("spawn")  # never forked: open SQLite, threads
        ours, theirs = context.Pipe()
        with real_stderr():
            process = context.Process(target=_build_index_file, name="warta-index-rebuild",
                                      args=(str(self.data_dir), str(target), theirs), daemon=True)
            process.start()
        theirs.close()
        with self._rebuild_guard:
            self._rebuilder = process
            if self._rebuild_stopped:  # stopped while it was starting
                process.kill()

        def said() -> object:
            try:
                return ours.recv()
            except (EOFError, OSError) as exc:
                raise StoreError(f"the index rebuild stopped (exit code {process.exitcode})") from exc

        try:
            if said() != "ready":
                raise StoreError("the index rebuild did not start")
            with self._write_lock:
                ours.send("snapshot")
                taken = said()
                if not (isinstance(taken, tuple) and taken[0] == "taken"):
                    raise StoreError("the index rebuild could not read the stores")
                self._touched_records, self._touched_states = {}, set()
            total = int(taken[1])
            while isinstance(done := said(), int):
                if progress is not None:
                    progress(done, total)
            if done != "built":
                raise StoreError("the index rebuild did not finish")
            process.join()
        except BaseException:
            process.kill()
            process.join()
            _discard_file(target)
            raise
        finally:
            with self._rebuild_guard:
                self._rebuilder = None
            ours.close()
        return ArticleIndex.open(target)

    def stop_rebuild(self) -> None:
        """End a rebuild running in its own process (quitting must not wait ~40 s for one at
        100,000 articles): its ``rebuild_index`` raises ``StoreError``, the index stays stale
        and the next open rebuilds it. Any thread may call it; a store it was called on is
        closing, so a separate rebuild that starts after it ends at once too."""
        with self._rebuild_guard:
            self._rebuild_stopped = True
            if self._rebuilder is not None:
                self._rebuilder.kill()

    def _replay(self) -> None:
        """Bring a rebuilt index up to date with what was written after its snapshot."""
        for article_id, indexed in (self._touched_records or {}).items():
            record = self.get_article(article_id)
            if record is None:
                if indexed is not None:
                    self._index.delete([indexed], articles_seq=-1)
            else:
                self._index.upsert([(record, indexed)], {article_id: self.get_state(article_id)},
                                   articles_seq=-1)
        states = self.get_states(list(self._touched_states or ()))
        self._index.set_states(states, state_seq=-1)
        self._index.set_seqs(self.seqs())

    def seqs(self) -> tuple[int, int]:
        """The article and state stores' write counters (every write, by any process, bumps one)."""
        return self._seq(self._articles), self._seq(self._state)

    def changed_elsewhere(self) -> bool:
        """Whether another process wrote to the data dir since the last call (cheap: two reads).

        The index is shared, so what it wrote is already there to read; the caller re-reads.
        """
        current = self.seqs()
        changed = self._written_elsewhere or current != self._known_seqs
        self._known_seqs = current
        self._written_elsewhere = False
        return changed

    @staticmethod
    def _seq(cache: diskcache.Cache) -> int:
        value = _get(cache, _SEQ_KEY) or 0
        return value if isinstance(value, int) else 0

    def _bump(self, cache: diskcache.Cache) -> int:
        seq = int(cache.incr(_SEQ_KEY))
        which = 0 if cache is self._articles else 1
        known = list(self._known_seqs)
        if seq != known[which] + 1:  # someone else wrote in between
            self._written_elsewhere = True
        known[which] = seq
        self._known_seqs = (known[0], known[1])
        return seq


    # -- articles -----------------------------------------------------------------------------

    def get_article(self, article_id: str) -> ArticleRecord | None:
        """The record, or None if it is not there or is damaged (then ``damaged`` names it)."""
        blob = _get(self._articles, "a:" + article_id)
        if blob is None:
            return None
        record = _decode(blob, ArticleRecord)
        if record is None:
            self.damaged.add(article_id)
        return record

    def has_article(self, article_id: str) -> bool:
        return ("a:" + article_id) in self._articles

    def article_ids_present(self, article_ids: Sequence[str]) -> set[str]:
        """Which of ``article_ids`` the store has (one query per 10,000, not one per id)."""
        present: set[str] = set()
        for wanted in _chunks(sorted("a:" + i for i in article_ids)):
            present.update(key[2:] for (key,) in self._articles._sql(
                "SELECT c.key FROM json_each(?) j JOIN Cache c ON c.key = j.value AND c.raw = 1",
                (wanted,)))
        return present

    def has_articles(self) -> bool:
        """Whether the store holds any article (one indexed lookup)."""
        return self._articles._sql("SELECT 1 FROM Cache WHERE key >= 'a:' AND key < 'a;' AND raw = 1"
                                   " LIMIT 1").fetchone() is not None

    def iter_articles(self) -> Iterator[ArticleRecord]:
        return _records(self._articles)

    def put_articles(self, records: Sequence[ArticleRecord], *,
                     previous: Mapping[str, ArticleRecord | None] | None = None,
                     packed: Mapping[str, bytes] | None = None) -> None:
        """Insert or replace ``records``; the index and the search follow in the same call.

        One read of the rows there are, one write per kind of row (``_write_rows``) and one
        bulk index update, for a batch of any size. ``previous``: what the caller (the
        refresh's one store thread) has just read for these ids, so a record is decoded once
        per write, not again here. ``packed``: id -> ``pack_record`` of that same record, made
        elsewhere (a pool worker) so this thread does not. A record given twice is stored as
        given last.
        """
        if not records:
            return
        given = records
        records = list({record.id: record for record in given}.values())
        known = previous or {}
        blobs = packed or {}
        with self._writing(), self._write_lock:
            with self._articles.transact():
                values: dict[str, bytes | str | None] = {}
                for record in records:
                    blob = blobs.get(record.id)
                    values["a:" + record.id] = pack_record(record) if blob is None else blob
                for record in given:  # one fingerprint of two records: the later one's
                    if record.fingerprint:
                        values["f:" + record.fingerprint] = record.id
                found = _rows_of(self._articles, list(values))
                rows = {key: (rowid, filename) for rowid, key, _mode, filename, _value in found}
                stored = {key[2:]: (mode, filename, value) for _rowid, key, mode, filename, value
                          in found if key.startswith("a:")}
                old = [known[r.id] if r.id in known else
                       self._decoded_row(r.id, *stored[r.id]) if r.id in stored else None
                       for r in records]
                _write_rows(self._articles, values, rows)
                seq = self._bump(self._articles)
            if self._touched_records is not None:
                for record, before in zip(records, old):
                    self._touched_records.setdefault(record.id, before)
            states = self.get_states([r.id for r in records])
            with self._derived():
                self._index.upsert(list(zip(records, old)), states, articles_seq=seq)

    def _decoded_row(self, article_id: str, mode: int, filename: str | None,
                     value: Any) -> ArticleRecord | None:
        """``get_article`` of a row already read."""
        try:
            blob = self._articles._disk.fetch(mode, filename, value, False)
        except (CorruptEntryError, OSError):
            return None
        record = _decode(blob, ArticleRecord)
        if record is None:
            self.damaged.add(article_id)
        return record

    def delete_articles(self, article_ids: Iterable[str]) -> int:
        """Remove articles (retention); their user state goes too. Returns how many went."""
        removed: list[ArticleRecord] = []
        with self._writing(), self._write_lock:
            with self._articles.transact():
                for article_id in article_ids:
                    record = self.get_article(article_id)
                    if record is None:
                        continue
                    removed.append(record)
                    self._articles.delete("a:" + article_id)
                    if record.fingerprint:
                        self._articles.delete("f:" + record.fingerprint)
                seq = self._bump(self._articles)
            for record in removed:
                self._raw.delete(record.id)
            state_seq = None
            if removed:
                with self._state.transact():
                    gone = [self._state.delete("s:" + record.id) for record in removed]
                    if any(gone):
                        state_seq = self._bump(self._state)
                        self._state_changed = True
            if self._touched_records is not None:
                for record in removed:
                    self._touched_records.setdefault(record.id, record)
            with self._derived():
                self._index.delete(removed, articles_seq=seq, state_seq=state_seq)
        return len(removed)

    def find_by_fingerprint(self, fingerprint: str) -> str | None:
        value = _get(self._articles, "f:" + fingerprint)
        return value if isinstance(value, str) else None

    # -- raw pages ----------------------------------------------------------------------------

    def put_raw(self, article_id: str, body: bytes, headers: dict[str, str]) -> None:
        meta = json.dumps(headers).encode()
        with self._writing():
            self._raw.set(article_id, len(meta).to_bytes(4, "big") + meta + body)

    def get_raw(self, article_id: str) -> tuple[bytes, dict[str, str]] | None:
        blob = _get(self._raw, article_id)
        if not isinstance(blob, bytes) or len(blob) < 4:
            return None
        size = int.from_bytes(blob[:4], "big")
        try:
            headers = json.loads(blob[4 : 4 + size])
        except ValueError:
            return None
        return blob[4 + size :], headers

    def raw_ids(self) -> list[str]:
        return [key for key in _keys(self._raw) if not key.startswith(("warta:", IMAGE_KEY_PREFIX))]

    def raw_size(self) -> int:
        """Bytes the raw pages take on disk (diskcache's estimate: database pages plus files)."""
        return int(self._raw.volume())

    def trim_raw(self, budget_bytes: int) -> int:
        """Evict the oldest-stored raw pages until they fit ``budget_bytes``; returns how many.

        The cache's own size limit (``raw_size_limit``) is restored afterwards.
        """
        limit = self._raw.size_limit
        with self._writing():
            try:
                self._raw.reset("size_limit", max(0, int(budget_bytes)))
                removed = int(self._raw.cull())
            finally:
                self._raw.reset("size_limit", limit)
            if _get(self._raw, _SCHEMA_KEY) is None:  # culled too: not a page
                self._raw.set(_SCHEMA_KEY, SCHEMA_VERSION)
                removed = max(0, removed - 1)
        return removed

    # -- user state ---------------------------------------------------------------------------

    def get_state(self, article_id: str) -> ArticleState:
        """The article's state as the user last set it, including changes still queued."""
        state = self._stored_state(article_id)
        queued = self._queued.get(article_id)
        return replace(state, **queued) if queued else state

    def get_states(self, article_ids: Sequence[str]) -> dict[str, ArticleState]:
        """``get_state`` of many articles, from one read of their rows (a mark-all's before)."""
        stored, _rows = self._stored_states(article_ids)
        for article_id, queued in self._queued.items():
            if article_id in stored:
                stored[article_id] = replace(stored[article_id], **queued)
        return stored

    def _stored_state(self, article_id: str) -> ArticleState:
        return self._stored_states([article_id])[0][article_id]

    def _stored_states(self, article_ids: Sequence[str]) -> tuple[dict[str, ArticleState],
                                                                   dict[str, tuple[int, str | None]]]:
        """The saved state of each article (a missing or unreadable row reads as the default,
        as ``_get`` reads it), and the ``(rowid, filename)`` of the rows there are.

        Equal rows are decoded once and share one state object (most of a mark-all's rows are
        one of a few values)."""
        states = dict.fromkeys(article_ids, _DEFAULT_STATE)
        rows: dict[str, tuple[int, str | None]] = {}
        decoded: dict[bytes, ArticleState] = {}
        fetch = self._state._disk.fetch
        for rowid, key, mode, filename, value in _rows_of(self._state, ["s:" + i for i in states]):
            article_id = key[2:]
            rows[key] = (rowid, filename)
            if mode == MODE_RAW:  # what ``fetch`` does with a small value, without the call
                blob = value
            else:
                try:
                    blob = fetch(mode, filename, value, False)
                except (CorruptEntryError, OSError):
                    continue
            if not isinstance(blob, bytes):
                continue
            state = decoded.get(blob)
            if state is None:
                try:
                    state = ArticleState.from_json(_unpack(blob))
                except (CorruptEntryError, AttributeError, TypeError, ValueError):
                    continue
                decoded[blob] = state
            states[article_id] = state
        return states, rows

    # A full disk must not undo what the user just did: the change is kept here, shown as done
    # (``get_state``, ``with_queued``) and written by ``save_queued`` once there is room again.

    def queue_state(self, article_id: str, **changes: Any) -> ArticleState:
        """Keep a change that could not be saved (``DiskFullError``) until ``save_queued``."""
        self._queued.setdefault(article_id, {}).update(changes)
        return self.get_state(article_id)

    def queue_states(self, article_ids: Iterable[str], **changes: Any) -> None:
        """``queue_state`` for many articles (a mark-all on a full disk)."""
        for article_id in article_ids:
            self._queued.setdefault(article_id, {}).update(changes)

    @property
    def queued_count(self) -> int:
        """How many articles have state changes waiting to be saved."""
        return len(self._queued)

    def save_queued(self) -> int:
        """Write the queued changes; returns how many articles were saved.

        Stops at the first failure (``DiskFullError`` or another ``StoreError``) and keeps the
        rest queued, so it can simply be called again later.
        """
        saved = 0
        for ids in self._queued_groups():
            self.update_states(ids)  # the queued changes are part of what it saves
            saved += len(ids)
        return saved

    def _queued_groups(self) -> list[list[str]]:
        """The queued articles, grouped by equal changes (a queued mark-all is one group)."""
        groups: dict[str, list[str]] = {}
        for article_id, changes in self._queued.items():
            key = json.dumps(changes, sort_keys=True, default=list)
            groups.setdefault(key, []).append(article_id)
        return list(groups.values())

    def with_queued(self, summaries: Sequence[ArticleSummary]) -> list[ArticleSummary]:
        """List rows with the queued changes applied (the index only has what was saved)."""
        if not self._queued:
            return list(summaries)
        shown = []
        for summary in summaries:
            if summary.id in self._queued:
                state = self.get_state(summary.id)
                summary = replace(summary, read=state.read, starred=state.starred,
                                  user_tags=state.tags)
            shown.append(summary)
        return shown

    def update_state(self, article_id: str, *, journal: bool = True, **changes: Any) -> ArticleState:
        """Change the user's state of one article; durable (fsync) before this returns.

        The registered ``journals`` see the change in the same transaction, so a journaled
        change and the state it describes are on disk together or not at all. Changes that
        come from the sync server itself pass ``journal=False``.
        """
        return self.update_states([article_id], journal=journal, **changes)[article_id]

    def update_states(self, article_ids: Sequence[str], *, journal: bool = True,
                      **changes: Any) -> dict[str, ArticleState]:
        """The same change to many articles in one transaction (one fsync: mark-all, imports).

        Each state is read and written inside the transaction, so two processes changing
        different fields of one article (one marks it read, the other stars it) lose nothing.
        Changes still queued for these articles are part of what is saved. Returns every
        article's new state; only those that differ from what was stored are written.
        """
        return self.change_states(article_ids, changes, journal=journal).after

    def change_states(self, article_ids: Sequence[str], changes: Mapping[str, Any], *,
                      journal: bool = True,
                      before_write: Callable[[StateDiff], None] | None = None) -> StateDiff:
        """``update_states``, reporting each article's state before (as shown: queued changes
        included) and after, and which changed. ``before_write`` sees that report inside the
        transaction, before anything is written (only when something changes): the library's
        journals (undo, sync) record it there, so the report is the very states replaced."""
        return self._save_states(dict.fromkeys(article_ids, changes), journal=journal,
                                 before_write=before_write, same=changes)

    def update_each(self, changes: dict[str, dict[str, Any]], *, journal: bool = True) -> int:
        """A different change to each article, in one transaction (what a sync pulls); only
        articles whose state really changes are written. Returns how many were."""
        return self._save_states(changes, journal=journal).written

    def _save_states(self, changes: Mapping[str, Mapping[str, Any]], *, journal: bool,
                     before_write: Callable[[StateDiff], None] | None = None,
                     same: Mapping[str, Any] | None = None) -> StateDiff:
        """Apply ``changes`` (article id -> fields) on top of the stored (and queued) states, in
        one transaction: one read of all the rows, one statement per kind of write, the
        journals inside it, then one bulk index update — worked out by the index while the
        store writes, and committed after the store's commit. ``same``: the change every
        article gets (``change_states``), which lets the index start before the store reads."""
        with self._writing(), self._write_lock:
            index_write: PreparedStates | None = None
            try:
                with self._state.transact():
                    if same is not None and not self._queued:
                        index_write = self._index.prepare_fields(list(changes), same)
                    stored, rows = self._remembered_states(changes) or self._stored_states(list(changes))
                    diff = _diff(stored, changes, self._queued)
                    written = diff.written_states
                    if before_write is not None and diff.changed:
                        before_write(diff)
                    if written:
                        if index_write is None:
                            index_write = self._index.prepare_states(written)
                        by_rows = self._put_states(written, stored, rows, journal=journal)
                        seq = self._bump(self._state)
                    elif index_write is not None:  # nothing changed after all
                        index_write.abandon()
                        index_write = None
            except BaseException:
                self._last_bulk = None
                if index_write is not None:
                    index_write.abandon()
                raise
            for article_id in changes:
                self._queued.pop(article_id, None)
            if index_write is not None:
                self._remember_bulk(seq, stored, rows, written, by_rows)
                self._state_changed = True
                if self._touched_states is not None:
                    self._touched_states.update(written)
                try:
                    with self._derived():
                        self._index.commit_states(index_write, written, state_seq=seq)
                finally:
                    index_write.abandon()  # only if the commit never got to it
        return diff

    def _remembered_states(self, changes: Mapping[str, object]) -> tuple[
            dict[str, ArticleState], dict[str, tuple[int, str | None]]] | None:
        """``_stored_states`` of ``changes``' articles from ``_last_bulk``, if it holds them all
        and no state was written since (checked inside the write transaction); else None."""
        last = self._last_bulk
        if last is None or len(changes) < _REMEMBER_WORTH:
            return None
        seq, states, rows = last
        if self._seq(self._state) != seq or not all(map(states.__contains__, changes)):
            self._last_bulk = None
            return None
        if len(changes) == len(states):
            return dict(states), dict(rows)
        get = rows.get
        return ({i: states[i] for i in changes},
                {key: row for i in changes if (row := get(key := "s:" + i)) is not None})

    def _remember_bulk(self, seq: int, stored: dict[str, ArticleState],
                       rows: dict[str, tuple[int, str | None]],
                       written: Mapping[str, ArticleState], by_rows: bool) -> None:
        """Keep what a bulk write left on disk for ``_remembered_states`` (not when part of
        it went through diskcache's own calls: those rows are not known here)."""
        if len(stored) < _REMEMBER_WORTH or not by_rows:
            self._last_bulk = None
            return
        states = dict(stored)
        states.update(written)
        after = dict(rows)
        distinct = {id(state): state for state in written.values()}  # a few shared objects
        defaults = {key for key, state in distinct.items() if state.is_default}
        if defaults:  # their rows were deleted
            for article_id in [i for i, state in written.items() if id(state) in defaults]:
                after.pop("s:" + article_id, None)
        after.update(dict.fromkeys(  # inserted: found by key
            [key for i, state in written.items()
             if id(state) not in defaults and (key := "s:" + i) not in after], (-1, None)))
        self._last_bulk = (seq, states, after)

    def _put_states(self, states: Mapping[str, ArticleState], stored: Mapping[str, ArticleState],
                    rows: Mapping[str, tuple[int, str | None]], *, journal: bool) -> bool:
        """Write many articles' states inside the caller's transaction, and journal them there,
        so a change and its sync record are durable together (a default state is no row).
        False: some went through diskcache's own calls (``_write_rows``)."""
        packed: dict[int, tuple[ArticleState, bytes | None]] = {}  # by id: few distinct states
        values: dict[str, bytes | None] = {}
        for article_id, state in states.items():
            entry = packed.get(id(state))
            if entry is None:
                entry = packed[id(state)] = (state, None if state.is_default else _pack(state.to_json()))
            values["s:" + article_id] = entry[1]
        by_rows = _write_rows(self._state, values, rows)
        for recorder in self.journals if journal else ():
            record_states = getattr(recorder, "record_states", None)
            if record_states is not None:
                record_states([(i, stored[i], state) for i, state in states.items()])
            else:
                for article_id, state in states.items():
                    recorder.record_state(article_id, stored[article_id], state)
        return by_rows

    def _iter_states(self) -> Iterator[tuple[str, ArticleState]]:
        return _states(self._state)

    def export_state(self) -> dict[str, Any]:
        """Everything the user saved, as JSON-able data (for backups and ``warta export``)."""
        return {
            "schema": SCHEMA_VERSION,
            "exported": time.time(),
            "states": {aid: st.to_json() for aid, st in self._iter_states()},
            "subscriptions": [feed.to_json() for feed in self.subscriptions()],
            "filters": self.saved_filters(),
        }

    # -- the list index: derived, read through these -----------------------------------------

    def rowids(self, where: CompiledFilter = EVERYTHING) -> list[int]:
        return self._index.rowids(where)

    def rowids_with_unread(self, where: CompiledFilter = EVERYTHING) -> tuple[list[int], int]:
        return self._index.rowids_with_unread(where)

    def counts(self, where: CompiledFilter = EVERYTHING) -> tuple[int, int]:
        """``(matching, unread)``; for everything from two narrow indexes."""
        if where.is_empty:
            return self._index.count(), self._index.unread_count()
        return self._index.counts(where)

    def summaries(self, rowids: Sequence[int]) -> list[ArticleSummary]:
        return self._index.summaries(rowids)

    def ids_of(self, rowids: Sequence[int], *, unread_only: bool = False) -> list[str]:
        return self._index.ids_of(rowids, unread_only=unread_only)

    def summary(self, article_id: str) -> ArticleSummary | None:
        return self._index.summary(article_id)

    def rowid_of(self, article_id: str) -> int | None:
        return self._index.rowid_of(article_id)

    def sites_of(self, article_ids: Sequence[str]) -> set[str]:
        return self._index.sites_of(article_ids)

    def feed_counts(self, where: CompiledFilter = EVERYTHING) -> dict[str, tuple[int, int]]:
        return self._index.feed_counts(where)

    def count(self) -> int:
        """How many articles the index lists."""
        return self._index.count()

    def unread_count(self) -> int:
        return self._index.unread_count()

    def tag_counts(self) -> list[TagCount]:
        return [TagCount(tag, KIND_NAMES[kind], unread, total)
                for tag, kind, unread, total in self._index.tag_counts()]

    def site_article_ids(self, site: str, limit: int = 200) -> list[str]:
        return self._index.site_article_ids(site, limit)

    # -- subscriptions and per-feed metadata --------------------------------------------------

    def subscriptions(self) -> list[Feed]:
        feeds = []
        for _, blob in _items(self._state, "sub:"):  # a page of rows per query, not one per feed
            feed = _decode(blob, Feed)
            if feed is not None:
                feeds.append(feed)
        return feeds

    def subscription_urls(self) -> list[str]:
        """The URLs of the subscriptions, in ``subscriptions()`` order, without reading them."""
        return [key[len("sub:"):] for key in _keys(self._state, "sub:")]

    def subscription(self, url: str) -> Feed | None:
        """One subscription (None: not there, or its row is damaged)."""
        return _decode(_get(self._state, "sub:" + url), Feed)

    def add_subscription(self, feed: Feed, *, journal: bool = True) -> None:
        self.add_subscriptions([feed], journal=journal)

    def add_subscriptions(self, feeds: Sequence[Feed], *, journal: bool = True) -> None:
        """Save (or replace) subscriptions in one transaction: an import of 5,000 is one fsync."""
        with self._writing():
            with self._state.transact():
                for feed in feeds:
                    self._state.set("sub:" + feed.url, _pack(feed.to_json()))
                    for recorder in self.journals if journal else ():
                        recorder.record_subscription(feed.url, feed)

    def remove_subscription(self, url: str, *, journal: bool = True) -> None:
        with self._writing():
            with self._state.transact():
                self._state.delete("sub:" + url)
                for recorder in self.journals if journal else ():
                    recorder.record_subscription(url, None)

    def saved_filters(self) -> dict[str, str]:
        """Filters saved in the data dir (imported from another reader), name -> filter text."""
        blob = _get(self._state, "filters")
        try:
            data = _unpack(blob) if blob is not None else {}
        except CorruptEntryError:
            data = {}
        if not isinstance(data, dict):
            return {}
        return {str(name): text for name, text in data.items() if isinstance(text, str)}

    def save_filters(self, filters: dict[str, str]) -> None:
        """Add or replace saved filters by name; the others stay."""
        with self._writing():
            self._state.set("filters", _pack({**self.saved_filters(), **filters}))

    def session_mark(self) -> float | None:
        """When the last app session ended (or, if it never said, began); None before the
        first session."""
        blob = _get(self._state, "session:mark")
        try:
            value = _unpack(blob) if blob is not None else None
        except CorruptEntryError:
            return None
        return float(value) if isinstance(value, (int, float)) else None

    def set_session_mark(self, when: float) -> None:
        """Move the session mark to ``when``; never back (two sessions at once, a clock step)."""
        with self._writing():
            with self._state.transact():
                if when > (self.session_mark() or 0.0):
                    self._state.set("session:mark", _pack(when))

    def get_feed_meta(self, feed_url: str) -> dict[str, Any]:
        blob = _get(self._state, "feedmeta:" + feed_url)
        try:
            data = _unpack(blob) if blob is not None else {}
        except CorruptEntryError:
            data = {}
        return data if isinstance(data, dict) else {}

    def feed_metas(self) -> dict[str, dict[str, Any]]:
        """Feed URL -> its metadata, for every feed that has some, read a page at a time
        (the feed pane reads 2,000 at once: one query per feed took 55 ms)."""
        metas = {}
        for key, blob in _items(self._state, "feedmeta:"):
            try:
                data = _unpack(blob)
            except CorruptEntryError:
                continue
            if isinstance(data, dict):
                metas[key[len("feedmeta:"):]] = data
        return metas

    def set_feed_meta(self, feed_url: str, meta: dict[str, Any]) -> None:
        with self._writing():
            self._state.set("feedmeta:" + feed_url, _pack(meta))

    # -- sync records (the journal of changes to push, the server's ids) ----------------------
    # Kept in the state store beside the user state they describe: never evicted, fsynced, and
    # written in the same transaction as the state change (``state_transaction``).

    @contextlib.contextmanager
    def state_transaction(self) -> Iterator[None]:
        """One durable transaction on the user state; writes inside commit together."""
        with self._writing():
            with self._state.transact():
                yield

    def sync_get(self, key: str) -> Any:
        blob = _get(self._state, "sync:" + key)
        try:
            return _unpack(blob) if blob is not None else None
        except CorruptEntryError:
            return None

    def sync_get_many(self, keys: Sequence[str]) -> dict[str, Any]:
        """``sync_get`` of many keys in one read; keys without a (readable) record are left out."""
        found: dict[str, Any] = {}
        fetch = self._state._disk.fetch
        for _rowid, key, mode, filename, value in _rows_of(self._state, ["sync:" + k for k in keys]):
            try:
                found[key[5:]] = _unpack(fetch(mode, filename, value, False))
            except (CorruptEntryError, OSError):
                continue
        return found

    def sync_set(self, values: dict[str, Any]) -> None:
        """Set (value) or delete (None) several sync records in one transaction (one read of
        their rows and one statement per kind of write, however many there are)."""
        with self._writing():
            with self._state.transact():
                keys = ["sync:" + key for key in values]
                rows = {key: (rowid, filename) for rowid, key, _m, filename, _v
                        in _rows_of(self._state, keys)}
                packed: dict[str, bytes] = {}  # equal records are packed (and written) as one
                blobs: dict[str, bytes | str | None] = {}
                for key, value in zip(keys, values.values()):
                    if value is None:
                        blobs[key] = None
                        continue
                    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
                    if text not in packed:
                        packed[text] = _pack(value)
                    blobs[key] = packed[text]
                _write_rows(self._state, blobs, rows)

    def sync_items(self, prefix: str) -> Iterator[tuple[str, Any]]:
        """``(key without "sync:", value)`` for the sync records starting with ``prefix``."""
        for key, blob in _items(self._state, "sync:" + prefix):
            try:
                yield key[5:], _unpack(blob)
            except CorruptEntryError:
                continue

    # -- upkeep -------------------------------------------------------------------------------

    def check_caches(self) -> list[str]:
        """Repair the article and page caches (``Cache.check(fix=True)``); returns what it found.

        Drops rows whose value file is gone (they read as a miss anyway and are fetched again),
        removes orphaned files and fixes the size counters. It holds each cache's write lock
        and runs VACUUM, so call it from a thread while no refresh writes. Failures (a full
        disk, a busy cache) are not reported: the caches stay as usable as they were.
        """
        found: list[str] = []
        for cache in (self._articles, self._raw):
            try:
                found.extend(str(warning.message) for warning in cache.check(fix=True))
            except (OSError, sqlite3.Error, diskcache.Timeout):
                continue
        return found

    # -- errors -------------------------------------------------------------------------------

    def _writing(self) -> _WriteGuard:
        return _WriteGuard(self.data_dir, self._write_lock_file)

    @contextmanager
    def _derived(self) -> Iterator[None]:
        """An index write after its store write succeeded: if it cannot be made now (another
        process holds the index, a full disk), skip it rather than fail what is already saved.
        The index then stays behind the stores' counters for good (``ArticleIndex._set_seq``),
        so it is rebuilt: by the app now (``index_stale``), else at the next open."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if not ("locked" in text or "busy" in text or "disk I/O" in text or _is_disk_full(exc)):
                raise
            self.index_stale = True

    def index_lags(self) -> bool:
        """Whether the index misses a write (one skipped here or by another Warta); then
        ``index_stale`` is set. Asked only while nobody writes (else the answer waits for the
        next ask): between a store write and its index write the index lags for a moment."""
        with self._write_lock_file.held(timeout=0) as alone:
            if alone and self._index.applied_seqs() != self.seqs():
                self.index_stale = True
        return self.index_stale


@dataclass(frozen=True, slots=True)
class StateDiff:
    """What a bulk state change does: ``before`` (as shown, queued changes included) and
    ``after`` of every article, the ids that change and the fields that do (of any of them),
    and the states to write (those that differ from the stored row)."""

    before: dict[str, ArticleState]
    after: dict[str, ArticleState]
    changed: tuple[str, ...]
    fields: frozenset[str]
    written_states: dict[str, ArticleState]

    @property
    def written(self) -> int:
        return len(self.written_states)


def changed_fields(before: ArticleState, after: ArticleState) -> frozenset[str]:
    """The state fields (read, starred, tags, position) that differ."""
    return frozenset(name for name in _STATE_FIELDS if getattr(before, name) != getattr(after, name))


def _diff(stored: dict[str, ArticleState], changes: Mapping[str, Mapping[str, Any]],
          queued: Mapping[str, Mapping[str, Any]]) -> StateDiff:
    """``StateDiff`` of applying ``changes`` over ``stored`` and the ``queued`` changes.

    The same fields on the same stored state give the same result, so articles are grouped by
    the pair and each group worked out once (a mark-all of 100,000 meets a handful of distinct
    states); a group keeps both objects alive, so their ids stay theirs.
    """
    before = dict(stored) if queued else stored
    after: dict[str, ArticleState] = dict.fromkeys(changes, _DEFAULT_STATE)  # filled in below
    written: dict[str, ArticleState] = {}
    changed: set[str] = set()
    names: set[str] = set()
    groups: dict[tuple[int, int], tuple[ArticleState, Mapping[str, Any], list[str]]] = {}
    for article_id, fields in changes.items():
        saved = stored[article_id]
        waiting = queued.get(article_id) if queued else None
        if waiting:
            shown = before[article_id] = replace(saved, **waiting)
            state = after[article_id] = replace(shown, **fields)
            differs = changed_fields(shown, state)
            if differs:
                changed.add(article_id)
                names.update(differs)
            if state != saved:
                written[article_id] = state
            continue
        group = groups.get((id(saved), id(fields)))
        if group is None:
            group = groups[(id(saved), id(fields))] = (saved, fields, [])
        group[2].append(article_id)
    for saved, fields, ids in groups.values():
        state = replace(saved, **fields)
        same = dict.fromkeys(ids, state)
        after.update(same)
        differs = changed_fields(saved, state)
        if differs:
            written.update(same)
            changed.update(ids)
            names.update(differs)
    in_order = tuple(changes) if len(changed) == len(changes) else \
        tuple(i for i in changes if i in changed)
    return StateDiff(before, after, in_order, frozenset(names), written)


class StateJournal(Protocol):
    """Something that must see every user state change, inside the transaction that saves it."""

    def record_state(self, article_id: str, before: ArticleState, after: ArticleState) -> None: ...

    def record_subscription(self, url: str, feed: Feed | None) -> None: ...


class _WriteGuard:
    """Turns the ways a write can fail into ``StoreError``s with a sentence for the user."""

    def __init__(self, data_dir: Path, lock: WriteLock) -> None:
        self.data_dir = data_dir
        self._held = lock.held()

    def __enter__(self) -> None:
        self._held.__enter__()  # the store write and its index write, as one for other openers
        return None

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: object) -> Literal[False]:
        self._held.__exit__(None, None, None)
        if exc is None or isinstance(exc, StoreError):
            return False
        if isinstance(exc, (OSError, sqlite3.Error)) and _is_disk_full(exc):
            raise DiskFullError(f"disk full — not saving to {self.data_dir}; reading continues") from exc
        if isinstance(exc, diskcache.Timeout):
            raise StoreError("data dir busy (another Warta is writing); try again") from exc
        if isinstance(exc, (OSError, sqlite3.Error)):
            raise StoreError(f"cannot write to {self.data_dir}: {exc}") from exc
        return False


def _open_or_move_aside(directory: Path, notices: list[str],
                        **settings: Any) -> tuple[diskcache.Cache, bool]:
    """Open one diskcache; if its database is corrupt, move it aside and start a new one."""
    try:
        return _open_cache(directory, **settings)
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and not _is_corruption(exc):
            raise
        aside = directory.with_name(f"{directory.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        directory.rename(aside)
        notices.append(f"{directory.name} store was corrupt ({exc}); moved to {aside} and started afresh")
        return _open_cache(directory, **settings)


def _is_corruption(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text or "corrupt" in text


def _connect_cache(directory: Path, settings: dict[str, Any]) -> diskcache.Cache:
    """``diskcache.Cache(...)``, but saying "busy" within ``_BUSY_TIMEOUT`` when another process
    holds a write transaction (diskcache's set-up would retry its writes for 60 s)."""
    database = directory / "cache.db"
    if database.exists():
        probe = sqlite3.connect(str(database), timeout=_BUSY_TIMEOUT, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreError("data dir busy (another Warta is writing); try again") from exc
            raise
        finally:
            probe.close()
    return diskcache.Cache(str(directory), timeout=_BUSY_TIMEOUT, disk=JSONDisk, **settings)


def _open_cache(directory: Path, **settings: Any) -> tuple[diskcache.Cache, bool]:
    """Open one diskcache, refusing one written with another schema; say if it is new."""
    settings.setdefault("size_limit", 2**62)
    cache = _connect_cache(directory, settings)
    try:
        make_private(directory)
        found = _get(cache, _SCHEMA_KEY)
        created = found is None and len(cache) == 0
        # An evicting cache evicts its own schema mark first (it is the oldest entry stored).
        evicted_mark = found is None and cache.eviction_policy != "none"
        if created or evicted_mark:
            cache.set(_SCHEMA_KEY, SCHEMA_VERSION)
            found = SCHEMA_VERSION
    except BaseException:
        cache.close()
        raise
    if found != SCHEMA_VERSION:
        cache.close()
        raise SchemaMismatchError(
            f"{directory} was written by another version of Warta (schema {found}, this one "
            f"reads {SCHEMA_VERSION}); use a new --data-dir or move this one aside"
        )
    return cache, created
