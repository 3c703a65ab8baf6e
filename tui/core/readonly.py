"""Reading a data dir that cannot be written: a full disk, a read-only filesystem.

Opening a diskcache writes (its settings, a WAL and its shared-memory file), so on a full disk
nothing opened at all: not ``warta list``, not the reader. Reading must still work, so these
stand-ins read the same SQLite files without writing a byte: ``immutable=1`` (no locks, no
WAL) or, where a WAL was left behind by a session that could not checkpoint it, ``mode=ro``
first so its last commits are seen. Every write fails as a full disk does, which the store
already turns into "disk full — not saving to …; reading continues" and a queue of changes.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

_FULL = "database or disk is full"  # what SQLite says on ENOSPC: the store's disk-full line


def cannot_write(directory: Path) -> str | None:
    """Why nothing can be written in ``directory`` ("full", "read-only"), or None."""
    probe = directory if directory.exists() else directory.parent
    try:
        info = os.statvfs(probe)
    except OSError:
        return None
    if info.f_flag & os.ST_RDONLY:
        return "read-only"
    free = info.f_bfree if os.getuid() == 0 else info.f_bavail  # root may use the reserve
    if free == 0 or (info.f_favail == 0 and info.f_files):
        return "full"
    return None


def connect(database: Path, *, live: bool = False) -> sqlite3.Connection:
    """A connection to ``database`` that never writes (raises ``sqlite3.Error`` if unreadable).
    ``live``: another process writes it meanwhile, so it is read with SQLite's locks, never as
    an immutable file."""
    if not database.is_file():
        raise sqlite3.OperationalError(f"unable to open database file {database}")
    uri = "file:" + quote(str(database))
    attempts = ["?mode=ro", "?immutable=1"] if Path(str(database) + "-wal").exists() else ["?immutable=1"]
    if live:
        attempts = ["?mode=ro"]
    error: sqlite3.Error | None = None
    for query in attempts:
        try:
            connection = sqlite3.connect(uri + query, uri=True, check_same_thread=False,
                                         isolation_level=None)
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return connection
        except sqlite3.Error as exc:
            error = exc
    assert error is not None
    raise error


class ReadOnlyCache:
    """The part of ``diskcache.Cache`` the store uses, reading only; writes fail as on ENOSPC."""

    def __init__(self, directory: Path, disk: Any, *, eviction_policy: str = "none",
                 size_limit: int = 2**62, live: bool = False, **_ignored: Any) -> None:
        self.directory = str(directory)
        self._con = connect(directory / "cache.db", live=live)
        self._disk = disk(self.directory)
        self.eviction_policy = eviction_policy
        self.size_limit = size_limit

    def _sql(self, query: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        return self._con.execute(query, params)

    def get(self, key: Any, default: Any = None) -> Any:
        db_key, raw = self._disk.put(key)
        row = self._con.execute("SELECT mode, filename, value FROM Cache WHERE key = ? AND raw = ?",
                                (db_key, raw)).fetchone()
        if row is None:
            return default
        try:
            return self._disk.fetch(row[0], row[1], row[2], False)
        except OSError:
            return default

    def __contains__(self, key: Any) -> bool:
        db_key, raw = self._disk.put(key)
        return self._con.execute("SELECT 1 FROM Cache WHERE key = ? AND raw = ?",
                                 (db_key, raw)).fetchone() is not None

    def __len__(self) -> int:
        return int(self._con.execute("SELECT count(*) FROM Cache").fetchone()[0])

    def volume(self) -> int:
        pages = self._con.execute("PRAGMA page_count").fetchone()[0]
        size = self._con.execute("PRAGMA page_size").fetchone()[0]
        stored = self._con.execute("SELECT value FROM Settings WHERE key = 'size'").fetchone()
        return int(pages) * int(size) + int(stored[0] if stored else 0)

    def close(self) -> None:
        self._con.close()

    @contextmanager
    def transact(self, retry: bool = False) -> Iterator[None]:
        raise sqlite3.OperationalError(_FULL)
        yield  # pragma: no cover - a generator for contextmanager

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise sqlite3.OperationalError(_FULL)

    set = delete = incr = cull = reset = check = add = pop = clear = _refuse

