"""Matrix S1-S10: storage faults on real diskcache directories.

Corrupt and truncated databases, lost state, deleted value files, planted pickles, a really
full disk (a 1 MiB tmpfs when we may mount, else ``RLIMIT_FSIZE`` in a child), read-only and
is-a-file data dirs, size pressure, schema mismatch, and the durability settings.
"""

from __future__ import annotations

import errno
import gc
import os
import time
import pickle
import random
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import diskcache
import pytest

from tests.disks import mounted_tmpfs, tmpfs

from tests.conftest import make_record
from tui.core import backup
from tui.core.errors import DiskFullError, SchemaMismatchError, StoreError
from tui.core.models import ArticleState
from tui.core.store import Store

from .support import (ROOT, app_config, assert_one_clean_line, reader_words, run_warta, toasts,
                      wait_until)


def article_list_of(app: Any) -> Any:
    return app.main.article_list


def titles_shown(app: Any) -> list[str]:
    widget = article_list_of(app)
    return [s.title for s in (widget.summary_at(i) for i in range(len(widget.rowids))) if s]


def _seed(data: Path, n: int = 20) -> list[str]:
    """A data dir with ``n`` articles, a few read/starred/tagged, and its state backup."""
    ids = []
    with Store.open(data) as store:
        store.put_articles([make_record(i) for i in range(n)])
        for i in range(n):
            ids.append(make_record(i).id)
        store.update_state(ids[0], read=True)
        store.update_state(ids[1], starred=True, tags=("keep",))
        store.update_state(ids[2], read=True, starred=True)
    return ids


def _overwrite_header(db: Path) -> None:
    with open(db, "r+b") as handle:
        handle.write(b"\0" * 140)


def _truncate_half(db: Path) -> None:
    os.truncate(db, db.stat().st_size // 2)
    _overwrite_header(db)  # a half file alone may pass the open; the matrix does both


def _assert_marks(store: Store, ids: list[str]) -> None:
    assert store.get_state(ids[0]).read
    assert store.get_state(ids[1]) == ArticleState(starred=True, tags=("keep",))
    assert store.get_state(ids[2]).read and store.get_state(ids[2]).starred


# -- S1 corrupt page/article caches ------------------------------------------------------------

@pytest.mark.parametrize("which,damage", [
    ("articles", _overwrite_header), ("articles", _truncate_half),
    ("raw", _overwrite_header), ("raw", _truncate_half),
], ids=["S1-articles-header", "S1-articles-truncated", "S1-raw-header", "S1-raw-truncated"])
def test_s1_corrupt_cache_moved_aside_state_untouched(tmp_path: Path, which: str, damage) -> None:
    data = tmp_path / "data"
    ids = _seed(data)
    with Store.open(data) as store:
        store.put_raw(ids[3], b"<html>page</html>", {"content-type": "text/html"})
    damage(data / which / "cache.db")
    with Store.open(data) as store:
        notice = next(n for n in store.notices if f"{which} store was corrupt" in n)
        assert str(data) in notice and ".corrupt-" in notice
        _assert_marks(store, ids)
        store.put_raw("fresh", b"<html>again</html>", {})  # the rebuilt cache works
        assert store.get_raw("fresh") is not None
        store.put_articles([make_record(99)])
        assert store.get_article(make_record(99).id) is not None
    assert list(data.glob(f"{which}.corrupt-*"))


def test_s1_corruption_found_after_open_is_not_a_traceback(tmp_path: Path) -> None:
    """Damage in the middle of the file passes the open; reading must still not crash the CLI."""
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.put_articles([make_record(i, body="x" * 3000) for i in range(200)])
    db = data / "articles" / "cache.db"
    with open(db, "r+b") as handle:
        handle.seek(db.stat().st_size // 2)
        handle.write(random.Random(1).randbytes(8192))
    result = run_warta("--data-dir", str(data), "list")
    assert "Traceback" not in result.stderr, result.stderr[-2000:]


# -- S2/S3 state lost or corrupt ----------------------------------------------------------------

@pytest.mark.parametrize("damage", ["header", "truncated", "zero-bytes", "deleted"],
                         ids=["S2-state-header", "S2-state-truncated", "S3-state-zero-bytes",
                              "S3-state-deleted"])
def test_s2_s3_lost_state_restored_from_backup(tmp_path: Path, damage: str) -> None:
    data = tmp_path / "data"
    ids = _seed(data)
    assert (data / "backups" / "state.json").exists()
    db = data / "state" / "cache.db"
    if damage == "header":
        _overwrite_header(db)
    elif damage == "truncated":
        _truncate_half(db)
    elif damage == "zero-bytes":
        for extra in db.parent.glob("cache.db-*"):
            extra.unlink()
        os.truncate(db, 0)
    else:
        shutil.rmtree(db.parent)
    with Store.open(data) as store:
        assert any("restored 3 marks" in n for n in store.notices), store.notices
        _assert_marks(store, ids)
        assert store.summary(ids[1]).starred  # type: ignore[union-attr]


def test_s2_lost_state_without_backup_is_never_silent(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _seed(data)
    shutil.rmtree(data / "backups")
    _overwrite_header(data / "state" / "cache.db")
    with Store.open(data) as store:
        assert any("no backup" in n for n in store.notices), store.notices


# -- S4 deleted value file --------------------------------------------------------------------

def test_s4_deleted_value_file_is_a_cache_miss(tmp_path: Path) -> None:
    data = tmp_path / "data"
    big_page = random.Random(4).randbytes(64 * 1024)  # incompressible: lives in a .val file
    record = make_record(1, body=random.Random(5).randbytes(60_000).hex())
    with Store.open(data) as store:
        store.put_articles([record, make_record(2)])
        store.put_raw(record.id, big_page, {"content-type": "text/html"})
    values = sorted(data.rglob("*.val"))
    assert len(values) == 2, values
    for value in values:
        value.unlink()
    with Store.open(data) as store:
        assert store.get_raw(record.id) is None
        assert store.get_article(record.id) is None
        assert [r.id for r in store.iter_articles()] == [make_record(2).id]
    result = run_warta("--data-dir", str(data), "show", record.id)
    assert "Traceback" not in result.stderr, result.stderr


# -- S5 planted pickle ------------------------------------------------------------------------

class _Exploit:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (open, (str(self.marker), "w"))


def _plant(db: Path, key: object, raw: int, value: bytes, mode: int) -> None:
    connection = sqlite3.connect(db)
    connection.execute(
        "INSERT OR REPLACE INTO Cache(key, raw, store_time, expire_time, access_time, access_count,"
        " tag, size, mode, filename, value) VALUES (?, ?, 0, NULL, 0, 0, NULL, 0, ?, NULL, ?)",
        (key, raw, mode, value))
    connection.commit()
    connection.close()


@pytest.mark.parametrize("where", ["article-value", "state-value", "pickled-key"],
                         ids=["S5-article-value", "S5-state-value", "S5-pickled-key"])
def test_s5_planted_pickle_never_runs(tmp_path: Path, where: str) -> None:
    data = tmp_path / "data"
    ids = _seed(data, 3)
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Exploit(marker))
    if where == "article-value":
        _plant(data / "articles" / "cache.db", "a:" + ids[0], 1, payload, 4)
    elif where == "state-value":
        _plant(data / "state" / "cache.db", "s:" + ids[1], 1, payload, 4)
    else:  # a key diskcache would unpickle while iterating
        _plant(data / "articles" / "cache.db", payload, 0, b"x", 1)
    (data / "index.sqlite").unlink()  # force a rebuild: it iterates every key
    with Store.open(data) as store:
        store.get_article(ids[0])
        store.get_state(ids[1])
        list(store.iter_articles())
    assert not marker.exists(), "a pickle from the cache was executed"
    result = run_warta("--data-dir", str(data), "list")
    assert "Traceback" not in result.stderr, result.stderr
    assert not marker.exists()


# -- S6 disk full -----------------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path | None]:
    """A 1 MiB tmpfs (real ENOSPC) when we may mount; None otherwise."""
    with tmpfs(tmp_path / "disk", "1m") as mounted:
        yield tmp_path / "disk" if mounted else None


_DISK_FULL_SCRIPT = textwrap.dedent("""
    import os, random, resource, signal, sys
    sys.path.insert(0, {root!r})
    from tests.conftest import make_record
    from tui.core.errors import DiskFullError, StoreError
    from tui.core.store import Store
    data = sys.argv[1]
    store = Store.open(data)
    store.put_articles([make_record(0)])
    if {limit}:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        used = sum(p.stat().st_size for p in __import__("pathlib").Path(data).rglob("*") if p.is_file())
        resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))
    messages = []
    rng = random.Random(6)
    for n in range(1, 400):
        try:
            store.put_articles([make_record(n, body=rng.randbytes(6000).hex())])
        except DiskFullError as exc:
            messages.append(("full", str(exc)))
        except StoreError as exc:
            messages.append(("store", str(exc)))
        if len(messages) >= 3:
            break
    # reading continues
    ok = store.get_article(make_record(0).id) is not None and store.count() >= 1
    try:
        store.update_state(make_record(0).id, read=True)
        state = "saved"
    except DiskFullError as exc:
        state = "full"
    print(repr((messages, ok, state)))
    os._exit(0)
""")


@pytest.mark.parametrize("how", ["tmpfs", "rlimit"], ids=["S6-tmpfs-enospc", "S6-rlimit-fsize"])
def test_s6_disk_full_is_one_clear_error_and_reading_continues(small_disk: Path | None,
                                                               tmp_path: Path, how: str) -> None:
    if how == "tmpfs" and small_disk is None:
        pytest.skip("cannot mount a tmpfs here; the rlimit variant covers the row")
    data = (small_disk if how == "tmpfs" else tmp_path) / "data"  # type: ignore[operator]
    script = _DISK_FULL_SCRIPT.format(root=str(ROOT), limit=how == "rlimit")
    result = subprocess.run([sys.executable, "-c", script, str(data)], capture_output=True,
                            text=True, timeout=60)
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    messages, reading_ok, _state = eval(result.stdout.strip().splitlines()[-1])  # noqa: S307
    assert messages, "the disk never filled"
    assert len({text for _, text in messages}) == 1, "one message, not a different one per write"
    for kind, text in messages:
        assert "\n" not in text and str(data) in text
        if how == "tmpfs":  # a real ENOSPC is recognised as disk full
            assert kind == "full" and text.startswith("disk full") and "reading continues" in text
        else:  # EFBIG reaches SQLite as a generic "disk I/O error": a plain write failure
            assert kind in ("full", "store")
    assert reading_ok


# -- S7 unusable data dir ---------------------------------------------------------------------

def test_s7_data_dir_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "data"
    target.write_text("not a directory")
    result = run_warta("--data-dir", str(target), "list")
    assert_one_clean_line(result, str(target))


def test_s7_data_dir_parent_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    target = tmp_path / "file" / "data"
    result = run_warta("--data-dir", str(target), "list")
    assert_one_clean_line(result, str(target))


def _remount_read_only(mount_point: Path) -> None:
    """``mount -o remount,ro``; a file still closing elsewhere in the process makes it "busy"."""
    for _ in range(20):
        gc.collect()
        if subprocess.run(["mount", "-o", "remount,ro", str(mount_point)],
                          capture_output=True).returncode == 0:
            return
        time.sleep(0.1)
    subprocess.run(["mount", "-o", "remount,ro", str(mount_point)], check=True)


def test_s7_read_only_data_dir(tmp_path: Path) -> None:
    """A read-only filesystem (tmpfs remounted ro; root ignores chmod 0500)."""
    mount_point = tmp_path / "ro"
    with mounted_tmpfs(mount_point, "4m"):
        data = mount_point / "data"
        _seed(data, 3)
        _remount_read_only(mount_point)
        empty = mount_point / "never-created"
        for target in (data, empty):
            result = run_warta("--data-dir", str(target), "list")
            assert "Traceback" not in result.stderr, result.stderr[-2000:]
            if result.returncode:
                assert_one_clean_line(result, str(target))


# -- S8 size pressure -------------------------------------------------------------------------

def test_s8_size_pressure_never_evicts_state(tmp_path: Path) -> None:
    data = tmp_path / "data"
    limit = 200_000
    with Store.open(data, raw_size_limit=limit) as store:
        store.put_articles([make_record(i) for i in range(50)])
        ids = [make_record(i).id for i in range(50)]
        store.update_state(ids[0], starred=True)
        for article_id in ids[1:]:
            store.update_state(article_id, read=True)
        rng = random.Random(8)
        for n in range(300):
            store.put_raw(f"page-{n}", rng.randbytes(10_000), {"content-type": "text/html"})
        assert len(store.raw_ids()) < 300, "nothing was evicted: the limit is not applied"
        assert store._raw.volume() <= limit * 2  # page-aligned SQLite overhead allowed
        assert store.get_state(ids[0]).starred
        assert all(store.get_state(i).read for i in ids[1:])
        assert len(list(store.iter_articles())) == 50
    state = diskcache.Cache(str(data / "state"))  # what is on disk, without the Store
    try:
        assert len([k for k in state.iterkeys() if str(k).startswith("s:")]) == 50
    finally:
        state.close()


def test_s8_data_dir_reopens_after_size_pressure(tmp_path: Path) -> None:
    """The page cache evicts its own schema mark first (the oldest entry); reopening still works."""
    data = tmp_path / "data"
    with Store.open(data, raw_size_limit=200_000) as store:
        store.update_state(make_record(0).id, starred=True)
        rng = random.Random(8)
        for n in range(300):
            store.put_raw(f"page-{n}", rng.randbytes(10_000), {})
    with Store.open(data, raw_size_limit=200_000) as store:
        assert store.get_state(make_record(0).id).starred


# -- S9 other versions and network filesystems ------------------------------------------------

def test_s9_schema_mismatch_is_a_clear_message(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _seed(data, 3)
    cache = diskcache.Cache(str(data / "articles"))
    cache.set("warta:schema", 0)
    cache.close()
    with pytest.raises(SchemaMismatchError, match="another version of Warta"):
        Store.open(data)
    assert_one_clean_line(run_warta("--data-dir", str(data), "list"), "another version of Warta")


def test_s9_network_filesystem_warns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backup, "network_filesystem", lambda path: "nfs4")
    with Store.open(tmp_path / "data") as store:
        assert any("nfs4" in n and "one Warta at a time" in n for n in store.notices)


# -- S10 durability settings --------------------------------------------------------------------

def test_s10_state_store_is_synchronous_full(tmp_path: Path) -> None:
    with Store.open(tmp_path / "data") as store:
        state = store._state
        assert state._sql("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert state.eviction_policy == "none"
        assert store._articles.eviction_policy == "none"
        assert store._raw.eviction_policy != "none"  # only the page cache may lose things
        assert state.disk.__class__.__name__ == "JSONDisk"
    assert oct((tmp_path / "data" / "state").stat().st_mode & 0o777) == "0o700"


# -- S4 and S6 in the app: background repair, a full disk while reading ---------------------------

def _app(store: Store, **settings: float) -> Any:
    from tui.app.app import WartaApp
    from tui.core.library import Library

    app = WartaApp(Library(store, app_config(on_start=False)), refresh_on_start=False)
    for name, value in settings.items():
        setattr(app, name, value)  # CACHE_CHECK_DELAY, SAVE_RETRY_INTERVAL
    return app


async def test_s4_missing_value_file_reads_as_a_miss_and_the_background_check_repairs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    big = make_record(1, title="Big article", body=random.Random(5).randbytes(60_000).hex())
    with Store.open(data) as store:
        store.put_articles([big, make_record(2, title="Small article")])
    (value,) = data.joinpath("articles").rglob("*.val")
    value.unlink()
    orphan = value.with_name("orphan-from-a-crash.val")
    orphan.write_bytes(b"left behind")
    threads: list[bool] = []
    with Store.open(data) as store:
        check = store.check_caches
        monkeypatch.setattr(store, "check_caches",
                            lambda: threads.append(threading.current_thread() is threading.main_thread())
                            or check())
        assert store.has_article(big.id)  # the row is still there until the check runs
        app = _app(store, CACHE_CHECK_DELAY=1.0)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert titles_shown(app) == ["Small article", "Big article"]
            await pilot.press("j", "enter")  # the article whose value file is gone
            await pilot.pause()
            assert "no longer in the cache" in reader_words(app)
            await pilot.press("escape", "k", "enter")  # the other one still reads
            await pilot.pause()
            assert "Paragraph about topic 2" in reader_words(app)
            await wait_until(pilot, lambda: not orphan.exists() and not store.has_article(big.id), 10)
            assert threads == [False], "the check ran on the event loop (or more than once)"
            assert app.is_running and not [t for t in toasts(app) if "check" in t.lower()]


async def test_s4_background_check_errors_are_ignored(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: diskcache.Cache, fix: bool = False, retry: bool = False) -> list[Any]:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(diskcache.Cache, "check", broken)
    with Store.open(tmp_path / "data") as store:
        store.put_articles([make_record(1)])
        assert store.check_caches() == []  # core: failures are swallowed
        calls: list[int] = []

        def crash() -> list[str]:
            calls.append(1)
            raise RuntimeError("check blew up")

        monkeypatch.setattr(store, "check_caches", crash)
        app = _app(store, CACHE_CHECK_DELAY=0.2)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_until(pilot, lambda: bool(calls), 10)
            await pilot.pause(0.3)
            assert app.is_running and toasts(app) == []  # app side: even a crash stays quiet


class _FullDisk:
    """Fills the 1 MiB tmpfs for real; where nothing can be mounted, makes state writes raise
    ``DiskFullError`` the way the store does on ENOSPC."""

    def __init__(self, mount_point: Path | None) -> None:
        self.mount_point = mount_point
        self.patch = pytest.MonkeyPatch()

    def fill(self) -> None:
        if self.mount_point is None:
            def full(store: Store, article_id: str, **changes: Any) -> ArticleState:
                raise DiskFullError(f"disk full — not saving to {store.data_dir}; reading continues")

            self.patch.setattr(Store, "update_state", full)
            return
        fd = os.open(self.mount_point / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
        finally:
            os.close(fd)

    def free(self) -> None:
        self.patch.undo()
        if self.mount_point is not None:
            (self.mount_point / "filler").unlink()


@pytest.fixture
def full_disk_store(small_disk: Path | None, tmp_path: Path) -> Iterator[tuple[Store, _FullDisk]]:
    data = (small_disk or tmp_path) / "data"
    store = Store.open(data)
    store.put_articles([make_record(n) for n in range(1, 11)])
    disk = _FullDisk(small_disk)
    try:
        yield store, disk
    finally:
        disk.patch.undo()
        store.close()


async def test_s6_app_disk_full_one_notice_changes_kept_queued_and_retried(
        full_disk_store: tuple[Store, _FullDisk]) -> None:
    store, disk = full_disk_store
    app = _app(store, SAVE_RETRY_INTERVAL=0.3)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        ids = [article_list_of(app).summary_at(n).id for n in range(4)]  # type: ignore[union-attr]
        disk.fill()
        await pilot.press("m", "j", "s", "j", "m", "j", "enter")  # read, star, read, open (read)
        await pilot.pause()
        full = [t for t in toasts(app) if "disk full" in t]
        assert len(full) == 1, toasts(app)  # one notice, not one per key
        assert "reading continues" in full[0] and "\n" not in full[0]
        rows = [article_list_of(app).summary_at(n) for n in range(4)]
        assert [r.read for r in rows] == [True, False, True, True]  # type: ignore[union-attr]
        assert rows[1].starred  # type: ignore[union-attr]
        assert "Article number 7" in reader_words(app)  # reading continues
        assert store.queued_count == 4
        assert not store.summary(ids[0]).read  # type: ignore[union-attr]  # not on disk yet
        await pilot.press("escape", "j", "enter")
        await pilot.pause()
        assert "Article number 6" in reader_words(app)
        assert len([t for t in toasts(app) if "disk full" in t]) == 1
        disk.free()
        await wait_until(pilot, lambda: any("saved 5 pending changes" in t for t in toasts(app)), 5)
        assert store.queued_count == 0
        saved = [store.summary(i) for i in ids]
        assert [s.read for s in saved] == [True, False, True, True]  # type: ignore[union-attr]
        assert saved[1].starred  # type: ignore[union-attr]


async def test_s6_app_queue_saved_with_the_next_write_that_succeeds(
        full_disk_store: tuple[Store, _FullDisk]) -> None:
    store, disk = full_disk_store
    app = _app(store, SAVE_RETRY_INTERVAL=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        first = article_list_of(app).summary_at(0).id  # type: ignore[union-attr]
        disk.fill()
        await pilot.press("s")
        await pilot.pause()
        assert store.queued_count == 1 and store.get_state(first).starred
        disk.free()
        await pilot.press("j", "s")
        await pilot.pause()
        assert any("saved 1 pending change" in t for t in toasts(app)), toasts(app)
        assert store.queued_count == 0 and store.summary(first).starred  # type: ignore[union-attr]


def test_s6_changes_still_queued_at_quit_are_parked_and_applied_next_time(
        full_disk_store: tuple[Store, _FullDisk]) -> None:
    """Quit while the disk is still full: the queue goes to the temp dir, not into the void."""
    store, disk = full_disk_store
    first = make_record(1).id
    disk.fill()
    with pytest.raises(StoreError):
        store.update_state(first, starred=True)
    store.queue_state(first, starred=True, tags=("later",))
    store.close()
    assert any("kept in" in n and "until there is room" in n for n in store.notices), store.notices
    disk.free()
    with Store.open(store.data_dir) as reopened:
        assert reopened.get_state(first).starred and reopened.get_state(first).tags == ("later",)
        assert any("left over from a session that ran out of disk" in n for n in reopened.notices)
    with Store.open(store.data_dir) as again:  # applied once, not on every start
        assert not any("left over" in n for n in again.notices)
