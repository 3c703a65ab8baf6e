"""The list index: one SQLite file with the fields the list and the filters need, and FTS5.

It is derived data. The diskcache stores hold the truth; this file lets the app open, filter,
search and scroll 100,000 articles without reading a single article body. It records the
sequence numbers of the store writes it reflects, so a crash between a store write and the
index write is noticed at the next start and repaired from the stores.
"""

from __future__ import annotations

import functools
import json
import queue
import sqlite3
import threading
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from .errors import StoreError
from .models import ArticleRecord, ArticleState, ArticleSummary, TagKind
from .query import EVERYTHING, CompiledFilter

INDEX_VERSION = 1
TAG_FEED, TAG_PAGE, TAG_USER = 0, 1, 2
KIND_NAMES: dict[int, TagKind] = {TAG_FEED: "feed", TAG_PAGE: "page", TAG_USER: "user"}
_SEP = "\x1f"
_SUMMARY_COLUMNS = ("a.id, a.url, a.title, a.site, a.published, a.fetched, a.feed_tags, "
                    "a.page_tags, a.user_tags, a.read, a.starred, a.status, a.lang, a.byline")

_READ_INDEX = "CREATE INDEX articles_read ON articles(read, published DESC, rowid DESC)"
_SCHEMA = f"""
PRAGMA user_version = {INDEX_VERSION};
CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE articles(
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    site TEXT NOT NULL,
    published REAL NOT NULL,
    fetched REAL NOT NULL,
    feed_tags TEXT NOT NULL,
    page_tags TEXT NOT NULL,
    user_tags TEXT NOT NULL,
    feeds TEXT NOT NULL,
    read INTEGER NOT NULL DEFAULT 0,
    starred INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    lang TEXT NOT NULL,
    byline TEXT NOT NULL
);
CREATE INDEX articles_published ON articles(published DESC, rowid DESC);
CREATE INDEX articles_site ON articles(site);
{_READ_INDEX};
CREATE TABLE tags(tag TEXT NOT NULL, kind INTEGER NOT NULL, article INTEGER NOT NULL,
                  PRIMARY KEY(tag, article, kind)) WITHOUT ROWID;
CREATE INDEX tags_article ON tags(article);
CREATE INDEX tags_nocase ON tags(tag COLLATE NOCASE, article);
CREATE VIRTUAL TABLE search USING fts5(title, body, content='',
                                       tokenize='unicode61 remove_diacritics 2');
"""


# Per-tag counts, kept up to date by every write below, so the tag picker reads ~200 rows instead
# of counting 300,000 tag rows (110-157 ms at 100,000 articles). ``feed``/``page``/``user``: how
# many of the tag's articles have it at best as a feed, page or user tag (the picker shows the
# first kind present, i.e. min(kind)). Added after INDEX_VERSION 1 shipped: created and filled at
# open when missing, and refilled when the seqs it was last kept at (``tag_stats:*`` in meta)
# are not the index's own (an older Warta wrote without keeping it).
_TAG_STATS_SCHEMA = """
CREATE TABLE IF NOT EXISTS tag_stats(tag TEXT PRIMARY KEY, total INTEGER NOT NULL,
                                     unread INTEGER NOT NULL, feed INTEGER NOT NULL,
                                     page INTEGER NOT NULL, user INTEGER NOT NULL) WITHOUT ROWID
"""
_FILL_TAG_STATS = """
INSERT INTO tag_stats
SELECT tag, count(*), sum(read = 0), sum(kind = 0), sum(kind = 1), sum(kind = 2)
FROM (SELECT t.tag AS tag, min(t.kind) AS kind, a.read AS read FROM tags t
      JOIN articles a ON a.rowid = t.article GROUP BY t.tag, t.article)
GROUP BY tag
"""
_ADD_TAG_STATS = """
INSERT INTO tag_stats VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(tag) DO UPDATE SET
    total = total + excluded.total, unread = unread + excluded.unread,
    feed = feed + excluded.feed, page = page + excluded.page, user = user + excluded.user
"""
# ``set_states``: the tag counts follow a bulk state change (``state_change`` holds the changed
# articles, their new flags and tags and whether the tags changed) in one statement each.
# Articles that keep their tags: each of their tags' unread count moves by the change of their
# read flag, a tag an article has as two kinds counting once (DISTINCT; over the tags table in
# its own (tag, article) order this took half the time of grouping per article first).
# ``{join}``: for a large change, every tag row is read in the table's own order and the
# changed articles looked up (half the time of going through them one article at a time); for
# a small one, only the changed articles' tags (``_FEW_TAGS``).
_MOVE_UNREAD = """
INSERT INTO tag_stats(tag, total, unread, feed, page, user)
SELECT t.tag, 0, count(DISTINCT CASE WHEN c.read = 0 THEN t.article END)
                 - count(DISTINCT CASE WHEN c.read = 1 THEN t.article END), 0, 0, 0
FROM {join}
WHERE NOT c.retag AND c.read != c.was_read
GROUP BY t.tag
ON CONFLICT(tag) DO UPDATE SET unread = unread + excluded.unread
"""
_ALL_TAGS = "tags t NOT INDEXED JOIN state_change c ON c.article = t.article"
_FEW_TAGS = "state_change c CROSS JOIN tags t ON t.article = c.article"
_IDS_PER_QUERY = 10_000
# ``set_states`` fills ``state_change`` with the changed articles whose indexed state differs
# from the wanted one (?1-?3: read, starred, user tags; ?4 a JSON array): by rowid when
# ``ids_of`` just gave the rows out, else by article id.
_STATE_CHANGE_TABLE = ("CREATE TEMP TABLE IF NOT EXISTS state_change(article INTEGER PRIMARY KEY,"
                       " read INTEGER, starred INTEGER, user_tags TEXT, was_read INTEGER, retag INTEGER)")
_FILL = ("INSERT OR REPLACE INTO state_change SELECT a.rowid, {read}, {starred}, {tags}, a.read,"
         " a.user_tags != {tags} FROM json_each(?4) j CROSS JOIN articles a ON a.{key} = j.value"
         " WHERE a.read != {read} OR a.starred != {starred} OR a.user_tags != {tags}")
_FILL_BY_ROWID = _FILL.format(read="?1", starred="?2", tags="?3", key="rowid")
_FILL_BY_ID = _FILL.format(read="?1", starred="?2", tags="?3", key="id")
_MEMO_WORTH = 1_000  # fewer ids are looked up faster than the memo is checked
_PARALLEL_WORTH = 5_000  # states: below this a second thread costs more than it saves
# Take away (-1, before the change) or add (1, after it) the tags of the retagged articles.
_COUNT_RETAGGED = """
INSERT INTO tag_stats
SELECT tag, sign * count(*), sign * sum(read = 0), sign * sum(kind = 0), sign * sum(kind = 1),
       sign * sum(kind = 2)
FROM (SELECT s.sign AS sign, t.tag AS tag, min(t.kind) AS kind,
             CASE WHEN s.sign < 0 THEN c.was_read ELSE c.read END AS read
      FROM (SELECT ? AS sign) s, state_change c JOIN tags t ON t.article = c.article
      WHERE c.retag GROUP BY t.tag, t.article)
WHERE true GROUP BY tag
ON CONFLICT(tag) DO UPDATE SET
    total = total + excluded.total, unread = unread + excluded.unread,
    feed = feed + excluded.feed, page = page + excluded.page, user = user + excluded.user
"""
_INSERT_ARTICLE = ("INSERT INTO articles(rowid, id, url, title, site, published, fetched, feed_tags,"
                   " page_tags, user_tags, feeds, read, starred, status, lang, byline)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_SEQ_KEYS = ("articles_seq", "state_seq")
_DEFAULT_STATE = ArticleState()

# A rebuild inserts in batches of this many articles, read and prepared by a second thread while
# SQLite (which lets go of the GIL) indexes the previous batch.
_REBUILD_BATCH = 500
# FTS5 settings for a rebuild: a bigger in-memory term buffer (fewer, larger segments) and lazier
# merging; the defaults are put back before the commit. With the batches and the second thread:
# 49 s -> 20 s at 100,000 articles. Larger buffers (64 MB, and a 128 MB page cache) were no
# faster and took the peak RSS from ~210 to ~410 MB.
_FTS_BULK = (("hashsize", 8 * 2**20), ("automerge", 8), ("crisismerge", 64))
_REBUILD_CACHE_KIB = 16 * 1024  # SQLite's page cache while rebuilding (2 MB otherwise)
_FTS_DEFAULTS = (("hashsize", 2**20), ("automerge", 4), ("crisismerge", 16))

# Indexes added after INDEX_VERSION 1 shipped: created at open when missing (well under a second
# at 100,000 articles), so an existing index needs no rebuild.
_ADDED_INDEXES = (
    _READ_INDEX.replace("INDEX", "INDEX IF NOT EXISTS", 1),
)


def search_text(record: ArticleRecord) -> tuple[str, str]:
    """The text the full-text index holds for ``record`` (also needed to delete it again)."""
    body = record.article.text if record.article else record.summary
    return record.title, body


class ArticleIndex:
    """Thread-safe access to ``index.sqlite``; every method is one short transaction."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self.db = connection
        self.lock = threading.RLock()
        # Called (with the reason) after damage found in use was repaired by starting afresh:
        # the owner refills the index from the stores and tells the user. None: just raise.
        self.on_damage: Callable[[str], None] | None = None
        self._healing = False
        # The rows ``ids_of`` last answered, id -> rowid: the bulk change that usually follows
        # (mark all read, its undo) finds its rows by rowid instead of looking up 70,000 ids
        # (a third of its index time). Dropped when rows may have moved: another connection
        # wrote (``data_version``), or this one inserted, deleted or rebuilt.
        self._rowid_memo: dict[str, int] = {}
        self._memo_version = 0

    @classmethod
    def open(cls, path: Path) -> ArticleIndex:
        try:
            connection = _connect(path)
            if connection.execute("PRAGMA user_version").fetchone()[0] != INDEX_VERSION:
                raise sqlite3.DatabaseError("index version mismatch")
            connection.execute("SELECT count(*) FROM meta").fetchone()
            for statement in _ADDED_INDEXES:
                connection.execute(statement)
            _ensure_tag_stats(connection)
        except sqlite3.DatabaseError:
            # Derived data: throw it away and let the store rebuild it.
            try:
                connection.close()
            except (NameError, sqlite3.Error):
                pass
            _unlink(path)
            connection = _connect(path)
            connection.executescript(_SCHEMA)
            _ensure_tag_stats(connection)
        return cls(path, connection)

    @classmethod
    def create(cls, path: Path) -> ArticleIndex:
        """A new, empty index at ``path`` (whatever was there goes)."""
        _unlink(path)
        connection = _connect(path)
        path.chmod(0o600)  # private like the rest of the data dir (SQLite's WAL files follow it)
        connection.executescript(_SCHEMA)
        _ensure_tag_stats(connection)
        return cls(path, connection)

    @classmethod
    def open_read_only(cls, path: Path) -> ArticleIndex:
        """The index file without writing to it (a full disk); in memory if it is unusable."""
        from . import readonly

        try:
            connection = readonly.connect(path)
            if connection.execute("PRAGMA user_version").fetchone()[0] != INDEX_VERSION:
                raise sqlite3.DatabaseError("index version mismatch")
            connection.execute("SELECT count(*) FROM tag_stats").fetchone()
            connection.execute("SELECT count(*) FROM meta").fetchone()
            connection.isolation_level = "DEFERRED"
        except sqlite3.Error:
            return cls.in_memory()
        return cls(path, connection)

    @classmethod
    def in_memory(cls) -> ArticleIndex:
        """An empty index in memory, to be rebuilt from the stores (nothing lands on disk)."""
        connection = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        connection.executescript(_SCHEMA)
        _ensure_tag_stats(connection)
        connection.isolation_level = "DEFERRED"
        return cls(Path(":memory:"), connection)

    def close(self) -> None:
        with self.lock:
            self.db.close()

    def discard(self) -> None:
        """Close and delete this index's file."""
        self.close()
        _unlink(self.path)

    def adopt(self, built: ArticleIndex) -> None:
        """Take ``built`` (a finished rebuild in another file) as this index, in place."""
        built.close()
        with self.lock:
            self._rowid_memo = {}
            self.db.close()
            wal = Path(str(self.path) + "-wal")
            if wal.exists() and wal.stat().st_size:
                # Another process still has the old file open: copy over it through SQLite
                # (a rename would leave that process's WAL to be replayed onto the new file).
                self.db = _connect(self.path)
                source = sqlite3.connect(str(built.path))
                try:
                    source.backup(self.db)
                finally:
                    source.close()
                _unlink(built.path)
            else:
                for suffix in ("-wal", "-shm"):
                    Path(str(self.path) + suffix).unlink(missing_ok=True)
                built.path.replace(self.path)
                self.db = _connect(self.path)

    def set_seqs(self, seqs: tuple[int, int]) -> None:
        """Record that the index reflects the stores at ``seqs`` (after a replay)."""
        with self.lock, self.db:
            self._put_seqs(seqs)

    def _put_seqs(self, seqs: tuple[int, int]) -> None:
        self.db.execute("DELETE FROM meta WHERE key LIKE 'ahead:%'")
        self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                            [(key, value) for name, value in zip(_SEQ_KEYS, seqs)
                             for key in (name, "tag_stats:" + name)])

    # -- bookkeeping --------------------------------------------------------------------------

    def applied_seqs(self) -> tuple[int, int]:
        with self.lock:
            rows = dict(self.db.execute("SELECT key, value FROM meta").fetchall())
        return rows.get("articles_seq", -1), rows.get("state_seq", -1)

    def _set_seq(self, key: str, value: int) -> None:
        """Record that the store write numbered ``value`` is in the index.

        The seq says "every write up to here is in": it moves only from ``value - 1``. A write
        the index missed (skipped while another process held it, or on a full disk) thus leaves
        it behind for good, so it is rebuilt, instead of the next write making it look in step.
        Two Wartas can reach the index out of order: a write ahead of a gap is noted
        (``ahead:…``) and taken in when the gap fills. -1: a replay, which ``set_seqs`` ends.
        The tag_stats twin says tag_stats was kept up to date by the same write (see open()).
        """
        if key == "articles_seq":  # articles came or went: a rowid may now be another's
            self._rowid_memo = {}
        if value < 0:
            return
        db = self.db
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        applied = -1 if row is None else int(row[0])
        if value <= applied:
            return
        if value > applied + 1:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (f"ahead:{key}:{value}", value))
            return
        ahead = {int(v) for (v,) in db.execute("SELECT value FROM meta WHERE key LIKE ?",
                                                (f"ahead:{key}:%",))}
        while value + 1 in ahead:
            value += 1
        db.execute("DELETE FROM meta WHERE key LIKE ? AND value <= ?", (f"ahead:{key}:%", value))
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                       ((key, value), ("tag_stats:" + key, value)))

    # -- writes -------------------------------------------------------------------------------

    def rebuild(self, rows: Iterable[tuple[ArticleRecord, ArticleState]], seqs: tuple[int, int],
                progress: Callable[[int], None] | None = None) -> None:
        """Replace everything with ``rows``, in one transaction (a crash leaves the old index).

        ``rows`` is consumed by a second thread, which also prepares the SQL parameters, while
        this one inserts (SQLite works without the GIL), in batches. ``progress`` is called with
        the number of articles inserted so far after each batch (from this thread).
        """
        with self.lock, self.db:
            self.db.execute("DELETE FROM articles")
            self.db.execute("DELETE FROM tags")
            self.db.execute("DELETE FROM tag_stats")
            self.db.execute("INSERT INTO search(search) VALUES ('delete-all')")
            self.db.execute("DELETE FROM meta")
            cache_size = self.db.execute("PRAGMA cache_size").fetchone()[0]
            self.db.execute(f"PRAGMA cache_size = -{_REBUILD_CACHE_KIB}")
            try:
                self._set_fts(_FTS_BULK)
                done = 0
                batches = _in_thread(_prepared(rows))
                try:
                    for articles, tags, texts in batches:
                        self.db.executemany(_INSERT_ARTICLE, articles)
                        self.db.executemany("INSERT OR IGNORE INTO tags VALUES (?, ?, ?)", tags)
                        self.db.executemany("INSERT INTO search(rowid, title, body) VALUES (?, ?, ?)",
                                            texts)
                        done += len(articles)
                        if progress is not None:
                            progress(done)
                finally:
                    batches.close()
                self._set_fts(_FTS_DEFAULTS)
                self.db.execute(_FILL_TAG_STATS)
                self._put_seqs(seqs)
            finally:
                self.db.execute(f"PRAGMA cache_size = {int(cache_size)}")

    def _set_fts(self, settings: Iterable[tuple[str, int]]) -> None:
        for name, value in settings:
            try:
                self.db.execute("INSERT INTO search(search, rank) VALUES (?, ?)", (name, value))
            except sqlite3.OperationalError:  # an older SQLite without the option: just slower
                pass

    def upsert(self, pairs: Sequence[tuple[ArticleRecord, ArticleRecord | None]],
               states: Mapping[str, ArticleState], articles_seq: int) -> None:
        """Insert new records and replace old ones (``old`` is what the store held before).

        A batch at a time: the rows, tags and search entries of all records go in with one
        statement each, and the tag counts move by one write (summed from the records), not
        half a dozen statements per article. Only records the index had already are looked
        at one by one, to take their old tags and search entry away.
        """
        pairs = list({record.id: (record, old) for record, old in pairs}.values())  # one per id
        with self.lock, self.db:
            if pairs:
                self._upsert(pairs, states)
            self._set_seq("articles_seq", articles_seq)

    def _upsert(self, pairs: Sequence[tuple[ArticleRecord, ArticleRecord | None]],
                states: Mapping[str, ArticleState]) -> None:
        db = self.db
        existing = self._rowids_of([record.id for record, _ in pairs])
        # A record whose title and text stay (its feeds, tags or status changed) keeps its
        # search entry: taking it away and adding it again tokenises the whole text twice.
        same_text: set[str] = set()
        for record, old in pairs:
            rowid = existing.get(record.id)
            if rowid is not None:
                self._count_tags(rowid, -1)
                if old is not None and search_text(old) == search_text(record):
                    same_text.add(record.id)
                    old = None
                self._remove(rowid, old)
        next_rowid = db.execute("SELECT coalesce(max(rowid), 0) FROM articles").fetchone()[0]
        articles: list[tuple[object, ...]] = []
        tags: list[tuple[str, int, int]] = []
        texts: list[tuple[int, str, str]] = []
        added: dict[str, list[int]] = {}  # tag -> its new counts (as _ADD_TAG_STATS takes them)
        for record, _old in pairs:
            rowid = existing.get(record.id)
            if rowid is None:
                next_rowid += 1
                rowid = next_rowid
            state = states.get(record.id, _DEFAULT_STATE)
            _add_rows(record, state, rowid, articles, tags, [] if record.id in same_text else texts)
            # Counted from the record, not read back: min kind per tag, as tag_stats keeps.
            kinds: dict[str, int] = {}
            for kind, names in ((TAG_USER, state.tags), (TAG_PAGE, record.page_tags),
                                (TAG_FEED, record.feed_tags)):
                kinds.update(dict.fromkeys(names, kind))
            for tag, kind in kinds.items():
                counts = added.setdefault(tag, [0, 0, 0, 0, 0])
                counts[0] += 1
                counts[1] += not state.read
                counts[2 + kind] += 1
        db.executemany(_INSERT_ARTICLE.replace("INSERT", "INSERT OR REPLACE", 1), articles)
        db.executemany("INSERT OR IGNORE INTO tags VALUES (?, ?, ?)", tags)
        db.executemany("INSERT INTO search(rowid, title, body) VALUES (?, ?, ?)", texts)
        db.executemany(_ADD_TAG_STATS, [(tag, *counts) for tag, counts in added.items()])

    def _rowids_of(self, article_ids: Sequence[str]) -> dict[str, int]:
        """id -> rowid of those of ``article_ids`` the index has (a query per 10,000 ids)."""
        found: dict[str, int] = {}
        for start in range(0, len(article_ids), _IDS_PER_QUERY):
            chunk = json.dumps(article_ids[start : start + _IDS_PER_QUERY])
            found.update(self.db.execute("SELECT a.id, a.rowid FROM json_each(?) j"
                                         " CROSS JOIN articles a ON a.id = j.value", (chunk,)))
        return found

    def delete(self, records: Sequence[ArticleRecord], articles_seq: int,
               state_seq: int | None = None) -> None:
        """Remove ``records``; ``state_seq`` when their user state went from the store too."""
        with self.lock, self.db:
            for record in records:
                rowid = self._rowid(record.id)
                if rowid is not None:
                    self._count_tags(rowid, -1)
                    self._remove(rowid, record)
                    self.db.execute("DELETE FROM articles WHERE rowid = ?", (rowid,))
            self._set_seq("articles_seq", articles_seq)
            if state_seq is not None:
                self._set_seq("state_seq", state_seq)

    def set_state(self, article_id: str, state: ArticleState, state_seq: int) -> None:
        self.set_states({article_id: state}, state_seq)

    def prepare_states(self, states: Mapping[str, ArticleState]) -> PreparedStates:
        """Start the index's part of a state change while the store saves its own part.

        A large change (mark all read) is worked out on a thread, in a transaction left open,
        so the two databases' writes overlap on two cores; ``commit_states`` then commits it
        (after the store's commit: the index never shows what was not saved) and
        ``PreparedStates.abandon`` rolls it back when the store's write failed. The index is
        locked to everyone else meanwhile. A small change is simply written at commit time.
        """
        prepared = PreparedStates(self, lambda: self._set_states(states))
        if len(states) >= _PARALLEL_WORTH:
            prepared.start()
        return prepared

    def prepare_fields(self, ids: Sequence[str], fields: Mapping[str, Any]) -> PreparedStates | None:
        """``prepare_states`` of setting the same ``fields`` on all of ``ids``, begun before the
        store has even read their states (None for a small change: wait for the states).

        Each article's new indexed state is its indexed one with ``fields`` applied: the
        index holds what the store holds (its seqs say so), so the caller must have no
        changes queued for these articles, which the store would save along."""
        if len(ids) < _PARALLEL_WORTH:
            return None
        prepared = PreparedStates(self, lambda: self._set_fields(ids, fields))
        prepared.start()
        return prepared

    def commit_states(self, prepared: PreparedStates, states: Mapping[str, ArticleState],
                      state_seq: int) -> None:
        """Save what ``prepare_*`` began (``states``: the change's new states), recording that
        the index reflects ``state_seq``."""
        if not prepared.finish(state_seq):  # not begun (small), or undone by a repair: redo here
            self.set_states(states, state_seq)

    def set_states(self, states: Mapping[str, ArticleState], state_seq: int) -> None:
        """The user's state of many articles, in one transaction.

        Set-based: the wanted states go into a temporary table, the articles whose indexed
        state differs are picked out by one join, and every table follows in one statement
        each (the tag counts by aggregate deltas), so marking 100,000 articles read is a few
        statements, not several per article.
        """
        with self.lock, self.db:
            if states:
                self._set_states(states)
            self._set_seq("state_seq", state_seq)

    def _set_states(self, states: Mapping[str, ArticleState]) -> None:
        db = self.db
        db.execute(_STATE_CHANGE_TABLE)
        db.execute("DELETE FROM state_change")
        groups: dict[int, tuple[ArticleState, list[str]]] = {}  # by id: a few distinct states
        for article_id, state in states.items():
            group = groups.get(id(state))
            if group is None:
                group = groups[id(state)] = (state, [])
            group[1].append(article_id)
        for state, ids in groups.values():
            values = (int(state.read), int(state.starred), _SEP.join(state.tags))
            rowids = self._remembered_rowids(ids)
            if rowids is not None:
                for start in range(0, len(rowids), _IDS_PER_QUERY):
                    db.execute(_FILL_BY_ROWID, (*values, json.dumps(rowids[start : start + _IDS_PER_QUERY])))
                continue
            for start in range(0, len(ids), _IDS_PER_QUERY):
                db.execute(_FILL_BY_ID, (*values, json.dumps(sorted(ids[start : start + _IDS_PER_QUERY]))))
        self._apply_state_change()

    def _set_fields(self, ids: Sequence[str], fields: Mapping[str, Any]) -> None:
        """``_set_states`` of ``fields`` set on every one of ``ids`` over their indexed state."""
        db = self.db
        db.execute(_STATE_CHANGE_TABLE)
        db.execute("DELETE FROM state_change")
        fill = _FILL.format(read="?1" if "read" in fields else "a.read",
                            starred="?2" if "starred" in fields else "a.starred",
                            tags="?3" if "tags" in fields else "a.user_tags", key="{key}")
        values = (int(bool(fields.get("read"))), int(bool(fields.get("starred"))),
                  _SEP.join(fields.get("tags") or ()))
        rowids = self._remembered_rowids(ids)
        keys: Sequence[object] = rowids if rowids is not None else sorted(ids)
        statement = fill.format(key="rowid" if rowids is not None else "id")
        for start in range(0, len(keys), _IDS_PER_QUERY):
            db.execute(statement, (*values, json.dumps(keys[start : start + _IDS_PER_QUERY])))
        self._apply_state_change()

    def _apply_state_change(self) -> None:
        """Bring the tag counts, the rows and their tags to what ``state_change`` holds."""
        db = self.db
        changed = db.execute("SELECT count(*) FROM state_change").fetchone()[0]
        if not changed:
            return
        # A fifth of the articles or more: a large change. Moving that many entries inside
        # ``articles_read`` costs more than building it again (at 100,000 articles: 0.45 s to
        # move 70,000, 0.13 s to build), and reading all tag rows beats looking them up.
        large = changed * 5 >= self._article_count()
        db.execute(_MOVE_UNREAD.format(join=_ALL_TAGS if large else _FEW_TAGS))
        retagged = db.execute("SELECT article, user_tags FROM state_change WHERE retag").fetchall()
        if retagged:
            db.execute(_COUNT_RETAGGED, (-1,))
        rebuild_read_index = large
        if rebuild_read_index:
            db.execute("DROP INDEX IF EXISTS articles_read")
        db.execute("UPDATE articles SET (read, starred, user_tags) = (SELECT c.read, c.starred,"
                   " c.user_tags FROM state_change c WHERE c.article = articles.rowid)"
                   " WHERE rowid IN (SELECT article FROM state_change)")
        if rebuild_read_index:
            db.execute(_READ_INDEX)
        if retagged:
            db.execute("DELETE FROM tags WHERE kind = ? AND article IN"
                       " (SELECT article FROM state_change WHERE retag)", (TAG_USER,))
            db.executemany("INSERT OR IGNORE INTO tags VALUES (?, ?, ?)",
                           [(tag, TAG_USER, rowid) for rowid, joined in retagged for tag in _split(joined)])
            db.execute(_COUNT_RETAGGED, (1,))
            db.execute("DELETE FROM tag_stats WHERE total <= 0")
        db.execute("DELETE FROM state_change")

    def _remembered_rowids(self, ids: Sequence[str]) -> list[int] | None:
        """The rowids of ``ids`` (sorted) if ``ids_of`` gave them all out and no other
        connection has written since (``data_version``; this one's own article writes clear
        the memo); else None: look them up by id."""
        if len(ids) < _MEMO_WORTH or not self._rowid_memo:
            return None
        if self.db.execute("PRAGMA data_version").fetchone()[0] != self._memo_version:
            self._rowid_memo = {}
            return None
        memo = self._rowid_memo
        if not all(map(memo.__contains__, ids)):
            return None
        return sorted(map(memo.__getitem__, ids))

    def _article_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM articles").fetchone()[0])

    def _rowid(self, article_id: str) -> int | None:
        row = self.db.execute("SELECT rowid FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    def _remove(self, rowid: int, old: ArticleRecord | None) -> None:
        if old is not None:
            title, body = search_text(old)
            self.db.execute("INSERT INTO search(search, rowid, title, body) VALUES ('delete', ?, ?, ?)",
                            (rowid, title, body))
        self.db.execute("DELETE FROM tags WHERE article = ?", (rowid,))

    def _count_tags(self, rowid: int, sign: int) -> None:
        """Add (1) or take away (-1) the article's current tags and read flag in tag_stats."""
        rows = self.db.execute(
            "SELECT t.tag, min(t.kind), a.read FROM tags t JOIN articles a ON a.rowid = t.article"
            " WHERE t.article = ? GROUP BY t.tag", (rowid,)).fetchall()
        if not rows:
            return
        self.db.executemany(_ADD_TAG_STATS, [
            (tag, sign, sign * (not read), sign * (kind == TAG_FEED), sign * (kind == TAG_PAGE),
             sign * (kind == TAG_USER)) for tag, kind, read in rows])
        if sign < 0:
            self.db.executemany("DELETE FROM tag_stats WHERE tag = ? AND total <= 0",
                                [(tag,) for tag, _, _ in rows])

    # -- reads --------------------------------------------------------------------------------

    def rowids(self, where: CompiledFilter = EVERYTHING) -> list[int]:
        """Row ids of the articles ``where`` matches, in list order."""
        sql = f"SELECT a.rowid FROM articles a {where.joins} WHERE {where.sql} ORDER BY {where.order_by}"
        with self.lock:
            return [rowid for (rowid,) in self.db.execute(sql, where.params)]

    def rowids_with_unread(self, where: CompiledFilter = EVERYTHING) -> tuple[list[int], int]:
        """``rowids(where)`` and how many of them are unread, from the same query.

        For a filter the unread count comes free with the rows (each row is read for its date
        anyway); a second query for it doubled the cost of a filter. For the whole list use
        ``rowids()`` and ``unread_count()``: those read two narrow indexes instead.
        """
        sql = (f"SELECT a.rowid, a.read FROM articles a {where.joins} WHERE {where.sql}"
               f" ORDER BY {where.order_by}")
        with self.lock:
            rows = self.db.execute(sql, where.params).fetchall()
        return [rowid for rowid, _ in rows], sum(1 for _, read in rows if not read)

    def counts(self, where: CompiledFilter = EVERYTHING) -> tuple[int, int]:
        """``(matching, unread)`` for a filter, in one query that neither sorts nor returns rows."""
        sql = (f"SELECT count(*), coalesce(sum(a.read = 0), 0) FROM articles a {where.joins}"
               f" WHERE {where.sql}")
        with self.lock:
            total, unread = self.db.execute(sql, where.params).fetchone()
        return int(total), int(unread)

    def summaries(self, rowids: Sequence[int]) -> list[ArticleSummary]:
        """The list rows for ``rowids``, in that order (missing ones are skipped)."""
        found: dict[int, ArticleSummary] = {}
        with self.lock:
            for start in range(0, len(rowids), 500):
                chunk = rowids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for row in self.db.execute(
                    f"SELECT a.rowid, {_SUMMARY_COLUMNS} FROM articles a WHERE a.rowid IN ({marks})",
                    tuple(chunk),
                ):
                    found[row[0]] = _summary(row[1:])
        return [found[r] for r in rowids if r in found]

    def sites_of(self, article_ids: Sequence[str]) -> set[str]:
        """The sites of ``article_ids``: one query per 500, not one per article."""
        sites: set[str] = set()
        with self.lock:
            for start in range(0, len(article_ids), 500):
                chunk = tuple(article_ids[start : start + 500])
                marks = ",".join("?" * len(chunk))
                sites.update(str(site) for (site,) in self.db.execute(
                    f"SELECT DISTINCT site FROM articles WHERE id IN ({marks})", chunk))
        return sites

    def ids_of(self, rowids: Sequence[int], *, unread_only: bool = False) -> list[str]:
        """The article ids of ``rowids`` (only the unread ones if asked), in that order: what a
        bulk change (mark all read) acts on, without building 100k summaries.

        The row ids go in as JSON arrays and each is looked up by rowid (CROSS JOIN keeps that
        order): with ``rowid IN (...)`` lists SQLite walked the unread index once per list,
        3.5 s for 70,000 unread of 100,000."""
        found: list[tuple[str, int]] = []
        extra = " WHERE a.read = 0" if unread_only else ""
        with self.lock:
            for start in range(0, len(rowids), _IDS_PER_QUERY):
                chunk = json.dumps(list(rowids[start : start + _IDS_PER_QUERY]))
                found.extend(self.db.execute(
                    "SELECT a.id, a.rowid FROM json_each(?) j CROSS JOIN articles a"
                    f" ON a.rowid = j.value{extra}", (chunk,)))
            if len(found) >= _MEMO_WORTH:
                self._rowid_memo = dict(found)
                self._memo_version = self.db.execute("PRAGMA data_version").fetchone()[0]
        return [article_id for article_id, _ in found]

    def summary(self, article_id: str) -> ArticleSummary | None:
        with self.lock:
            row = self.db.execute(f"SELECT {_SUMMARY_COLUMNS} FROM articles a WHERE a.id = ?",
                                  (article_id,)).fetchone()
        return _summary(row) if row else None

    def rowid_of(self, article_id: str) -> int | None:
        with self.lock:
            return self._rowid(article_id)

    def feed_counts(self, where: CompiledFilter = EVERYTHING) -> dict[str, tuple[int, int]]:
        """Feed URL -> ``(unread, total)`` of the articles ``where`` lists: one grouped scan
        (an article of two feeds counts for both)."""
        counts: dict[str, tuple[int, int]] = {}
        with self.lock:
            rows = self.db.execute(
                f"SELECT a.feeds, sum(a.read = 0), count(*) FROM articles a {where.joins}"
                f" WHERE {where.sql} GROUP BY a.feeds", where.params).fetchall()
        for feeds, unread, total in rows:
            for url in _split(feeds):
                old_unread, old_total = counts.get(url, (0, 0))
                counts[url] = (old_unread + unread, old_total + total)
        return counts

    def count(self) -> int:
        with self.lock:
            return int(self.db.execute("SELECT count(*) FROM articles").fetchone()[0])

    def unread_count(self) -> int:
        with self.lock:
            return int(self.db.execute("SELECT count(*) FROM articles WHERE read = 0").fetchone()[0])

    def tag_counts(self) -> list[tuple[str, int, int, int]]:
        """``(tag, kind, unread, total)`` for every tag, most used first.

        Read from ``tag_stats``, which every write keeps current: well under a millisecond
        for 200 tags at any number of articles (counting the tag rows took 110-157 ms at
        100,000). ``kind`` is the first of feed, page, user that any article has the tag as.
        """
        with self.lock:
            rows = self.db.execute(
                "SELECT tag, CASE WHEN feed > 0 THEN 0 WHEN page > 0 THEN 1 ELSE 2 END, unread, total"
                " FROM tag_stats WHERE total > 0").fetchall()
        result = [(str(tag), int(kind), int(unread), int(total)) for tag, kind, unread, total in rows]
        result.sort(key=lambda row: (-row[3], row[0]))
        return result

    def site_article_ids(self, site: str, limit: int = 200) -> list[str]:
        """Ids of the newest articles of ``site`` (for cross-page boilerplate detection)."""
        with self.lock:
            return [row[0] for row in self.db.execute(
                "SELECT id FROM articles WHERE site = ? AND status = 'full'"
                " ORDER BY published DESC LIMIT ?", (site, limit))]


class PreparedStates:
    """A bulk state change being written into the index on a thread (``prepare_states``).

    The index's lock is held from ``start`` to ``finish``/``abandon``, by the thread that
    called them, so nothing else uses the connection while the worker thread does."""

    def __init__(self, index: ArticleIndex, work: Callable[[], None]) -> None:
        self.index = index
        self._work = work  # the index's part, run in the transaction left open
        self._worker: threading.Thread | None = None
        self._error: BaseException | None = None

    def start(self) -> None:
        self.index.lock.acquire()
        self._worker = threading.Thread(target=self._prepare, name="index-states", daemon=True)
        self._worker.start()

    def _prepare(self) -> None:
        db = self.index.db
        try:
            if not db.in_transaction:
                db.execute("BEGIN")
            self._work()
        except BaseException as exc:  # raised where the change is committed
            self._error = exc

    def finish(self, state_seq: int) -> bool:
        """Commit the prepared change (False: nothing was prepared; raises what the worker
        met, after rolling back)."""
        worker, self._worker = self._worker, None
        if worker is None:
            return False
        db = self.index.db
        try:
            worker.join()
            if self._error is not None:
                raise self._error
            self.index._set_seq("state_seq", state_seq)
            # Copying the WAL back into the file (tens of MB after a mark-all) is left to a
            # thread of its own, not done inside the commit the user waits for.
            limit = db.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
            db.execute("PRAGMA wal_autocheckpoint = 0")
            try:
                db.commit()
            finally:
                db.execute(f"PRAGMA wal_autocheckpoint = {int(limit)}")
            _checkpoint_soon(self.index.path)
        except BaseException:
            _roll_back(db)
            raise
        finally:
            self.index.lock.release()
        return True

    def abandon(self) -> None:
        """Roll the prepared change back: the store's write failed."""
        worker, self._worker = self._worker, None
        if worker is None:
            return
        try:
            worker.join()
            _roll_back(self.index.db)
        finally:
            self.index.lock.release()


def _checkpoint_soon(path: Path) -> threading.Thread | None:
    """A passive WAL checkpoint of ``path`` on a daemon thread, through its own connection
    (readers and writers go on meanwhile; if another checkpoint runs, this one gives way)."""
    if str(path) == ":memory:":
        return None

    def checkpoint() -> None:
        try:
            # mode=rw: never create the file (the index may be gone or replaced by now)
            connection = sqlite3.connect(path.resolve().as_uri() + "?mode=rw", uri=True, timeout=1.0)
            try:
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                connection.close()
        except sqlite3.Error:
            pass  # the next commit's own checkpoint does it then

    thread = threading.Thread(target=checkpoint, name="index-checkpoint", daemon=True)
    thread.start()
    return thread


def _roll_back(db: sqlite3.Connection) -> None:
    try:
        db.rollback()
    except sqlite3.Error:
        pass


def _ensure_tag_stats(connection: sqlite3.Connection) -> None:
    """Create and fill tag_stats if missing, or refill it if a write did not keep it."""
    with connection:
        existed = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tag_stats'").fetchone()
        meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
        if existed and all(meta.get(key) == meta.get("tag_stats:" + key) for key in _SEQ_KEYS):
            return
        connection.execute(_TAG_STATS_SCHEMA)
        connection.execute("DELETE FROM tag_stats")
        connection.execute(_FILL_TAG_STATS)
        connection.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                               [("tag_stats:" + key, meta[key]) for key in _SEQ_KEYS if key in meta])


_Batch = tuple[list[tuple[object, ...]], list[tuple[str, int, int]], list[tuple[int, str, str]]]


def _add_rows(record: ArticleRecord, state: ArticleState, rowid: int, articles: list[tuple[object, ...]],
              tags: list[tuple[str, int, int]], texts: list[tuple[int, str, str]]) -> None:
    """Append the parameters of one article's index rows (its row, tags and search entry)."""
    articles.append((rowid, record.id, record.url, record.title, record.site, record.published,
                     record.fetched, _SEP.join(record.feed_tags), _SEP.join(record.page_tags),
                     _SEP.join(state.tags), _SEP.join(record.feeds), int(state.read),
                     int(state.starred), record.status, record.lang, record.byline))
    for kind, names in ((TAG_FEED, record.feed_tags), (TAG_PAGE, record.page_tags),
                        (TAG_USER, state.tags)):
        tags.extend((tag, kind, rowid) for tag in names)
    texts.append((rowid, *search_text(record)))


def _prepared(rows: Iterable[tuple[ArticleRecord, ArticleState]]) -> Iterator[_Batch]:
    """The parameters of the rebuild's inserts, ``_REBUILD_BATCH`` articles at a time.

    Row ids are given out in order (the tables were just emptied); a second record with an id
    already seen is skipped, as ``INSERT OR REPLACE`` would have orphaned the first one's tags.
    """
    seen: set[str] = set()
    articles: list[tuple[object, ...]] = []
    tags: list[tuple[str, int, int]] = []
    texts: list[tuple[int, str, str]] = []
    rowid = 0
    for record, state in rows:
        if record.id in seen:
            continue
        seen.add(record.id)
        rowid += 1
        _add_rows(record, state, rowid, articles, tags, texts)
        if len(articles) >= _REBUILD_BATCH:
            yield articles, tags, texts
            articles, tags, texts = [], [], []
    if articles:
        yield articles, tags, texts


_DONE = object()


def _in_thread(batches: Iterator[_Batch], ahead: int = 4) -> Generator[_Batch, None, None]:
    """Run ``batches`` in a daemon thread, at most ``ahead`` batches ahead of the consumer.

    An exception in the thread is raised here; a consumer that stops early stops the thread.
    """
    handoff: queue.Queue[object] = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def offer(item: object) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for batch in batches:
                if not offer(batch):
                    return
            offer(_DONE)
        except BaseException as error:  # noqa: BLE001 - handed to the consumer
            offer(error)

    thread = threading.Thread(target=produce, name="warta-index-rebuild", daemon=True)
    thread.start()
    try:
        while True:
            item = handoff.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join()


def _unlink(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute("PRAGMA busy_timeout = 2000")
    connection.isolation_level = "DEFERRED"
    return connection


def _split(value: str) -> tuple[str, ...]:
    return tuple(value.split(_SEP)) if value else ()


def _summary(row: Sequence[object]) -> ArticleSummary:
    (aid, url, title, site, published, fetched, feed_tags, page_tags, user_tags, read, starred,
     status, lang, byline) = row
    return ArticleSummary(
        id=str(aid), url=str(url), title=str(title), site=str(site), published=float(published),  # type: ignore[arg-type]
        fetched=float(fetched), feed_tags=_split(str(feed_tags)), page_tags=_split(str(page_tags)),  # type: ignore[arg-type]
        user_tags=_split(str(user_tags)), read=bool(read), starred=bool(starred),
        status=status,  # type: ignore[arg-type]
        lang=str(lang), byline=str(byline),
    )


# -- damage found in use ----------------------------------------------------------------------
# ``open`` only reads the header; damage further into the file shows up on some later query.
# The index is derived data, so every public method heals the same way: start the file afresh,
# let the owner refill it (``on_damage``), and run the call again, instead of a traceback.

_DAMAGE_WORDS = ("malformed", "not a database", "corrupt", "disk image", "could not decode")
# Methods whose arguments came from the index itself: after a rebuild they point nowhere, so
# the caller is told (``IndexRebuiltError``) and asks again, instead of getting other rows.
_STALE_AFTER_REBUILD = frozenset({"summaries", "ids_of"})


class IndexRebuiltError(StoreError):
    """The index was damaged and has been rebuilt; what the caller held from it is stale."""


def _is_damage(exc: sqlite3.DatabaseError) -> bool:
    return any(word in str(exc).lower() for word in _DAMAGE_WORDS)


def _start_afresh(index: ArticleIndex) -> None:
    with index.lock:
        index._rowid_memo = {}
        try:
            index.db.close()
        except sqlite3.Error:
            pass
        for suffix in ("", "-wal", "-shm"):
            Path(str(index.path) + suffix).unlink(missing_ok=True)
        index.db = _connect(index.path)
        index.db.executescript(_SCHEMA)
        _ensure_tag_stats(index.db)


def _healing(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(index: ArticleIndex, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(index, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            if index.on_damage is None or index._healing or not _is_damage(exc):
                raise
            index._healing = True
            try:
                _start_afresh(index)
                index.on_damage(str(exc))
            finally:
                index._healing = False
            if method.__name__ in _STALE_AFTER_REBUILD:
                raise IndexRebuiltError("the article index was damaged and has been rebuilt; "
                                        "run the command again") from None
            return method(index, *args, **kwargs)
    return call


for _name, _method in list(vars(ArticleIndex).items()):
    if callable(_method) and not _name.startswith("_") and _name not in (
            "open", "create", "close", "discard", "adopt", "rebuild"):
        setattr(ArticleIndex, _name, _healing(_method))
