"""The open app follows the data dir: what another process writes shows up, and a stale index is
rebuilt behind the first frame instead of before it."""

from __future__ import annotations

import asyncio
import shutil
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from tui.app.app import WartaApp
from tui.core.config import Config
from tui.core.library import Library
from tui.core.store import RebuildProgress, Store

from ..conftest import make_record
from .conftest import make_app
from .helpers import article_list, current_id, status_text, titles
from .test_refresh import wait_for

ROOT = Path(__file__).resolve().parents[2]
SIZE = (100, 30)

_WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from tests.conftest import make_record
    from tui.core.store import Store
    with Store.open(sys.argv[1]) as store:
        store.put_articles([make_record(10), make_record(11)])
        store.update_state(make_record(1).id, read=True)
""")


async def test_what_another_process_writes_appears_with_right_counts(store: Store) -> None:
    store.put_articles([make_record(n) for n in range(1, 4)])
    app = make_app(store)
    app.LIVE_POLL_INTERVAL = 0.2  # type: ignore[misc]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert len(article_list(app).rowids) == 3 and "3 articles · 3 unread" in status_text(app)
        writer = await asyncio.create_subprocess_exec(
            sys.executable, "-c", _WRITER.format(root=str(ROOT)), str(store.data_dir),
            stderr=asyncio.subprocess.PIPE)
        _, errors = await writer.communicate()
        assert writer.returncode == 0, errors.decode()
        await wait_for(pilot, lambda: len(article_list(app).rowids) == 5, timeout=15)
        assert "5 articles · 4 unread" in status_text(app)
        assert titles(app)[:2] == ["Article number 11", "Article number 10"]
        row = article_list(app).summary_at(titles(app).index("Article number 1"))
        assert row is not None and row.read  # the other process's mark, not a cached row


def _held_rebuild(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """Hold the app's index rebuild at its first progress report until released (a slow disk
    on demand: the only way to look at the screen while it runs every time, not when timing
    allows). The report comes after the rebuild's snapshot of the stores, from this process
    (the reading itself runs in a process of its own)."""
    reading, go_on = threading.Event(), threading.Event()
    rebuild_index = Library.rebuild_index

    def held(self: Library, progress: RebuildProgress | None = None, **options: bool) -> None:
        def report(done: int, total: int) -> None:
            if not reading.is_set():
                reading.set()
                go_on.wait(30)
            if progress is not None:
                progress(done, total)

        rebuild_index(self, report, **options)

    monkeypatch.setattr(Library, "rebuild_index", held)
    return reading, go_on


async def test_stale_index_shows_the_list_first_and_rebuilds_behind_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.put_articles([make_record(n) for n in range(1, 21)])
    shutil.copy(data / "index.sqlite", tmp_path / "old-index.sqlite")
    with Store.open(data) as store:
        store.put_articles([make_record(n) for n in range(21, 31)])
    shutil.copy(tmp_path / "old-index.sqlite", data / "index.sqlite")  # a week-old index
    reading, go_on = _held_rebuild(monkeypatch)
    library = Library.open(Config(), data, rebuild_later=True)
    try:
        app = WartaApp(library, refresh_on_start=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await wait_for(pilot, reading.is_set, timeout=30)  # the rebuild has started, and is held
            assert len(article_list(app).rowids) == 20  # what the old index has
            assert "Rebuilding the article index" in status_text(app)
            await pilot.press("j", "m")  # keys work meanwhile, and their changes are kept
            marked = current_id(app)
            assert library.state(marked).read
            go_on.set()
            await wait_for(pilot, lambda: "Article index rebuilt" in status_text(app), timeout=30)
            assert len(article_list(app).rowids) == 30
            assert "30 articles · 29 unread" in status_text(app)
            assert library.summary(marked).read  # type: ignore[union-attr]
    finally:
        library.close()


async def test_the_cache_check_waits_for_the_index_rebuild_and_starts_no_second_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.put_articles([make_record(n) for n in range(1, 11)])
    (data / "index.sqlite").unlink()  # rebuilt behind the first frame
    reading, go_on = _held_rebuild(monkeypatch)
    rebuilds: list[int] = []
    checks: list[int] = []
    rebuild_index, check_caches = Library.rebuild_index, Library.check_caches

    def counted_rebuild(self: Library, *args: object, **options: bool) -> None:
        rebuilds.append(1)
        rebuild_index(self, *args, **options)  # type: ignore[arg-type]

    def counted_check(self: Library) -> None:
        checks.append(1)
        check_caches(self)

    monkeypatch.setattr(Library, "rebuild_index", counted_rebuild)
    monkeypatch.setattr(Library, "check_caches", counted_check)
    library = Library.open(Config(), data, rebuild_later=True)
    try:
        app = WartaApp(library, refresh_on_start=False)
        app.CACHE_CHECK_DELAY = 0.05  # type: ignore[misc]
        turns: list[int] = []
        check_later = app._check_caches

        def counted_turn() -> None:
            turns.append(1)
            check_later()

        app._check_caches = counted_turn  # type: ignore[method-assign]
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, reading.is_set, timeout=30)  # the rebuild has started, and is held
            await wait_for(pilot, lambda: len(turns) >= 3, timeout=30)  # the check came back, waited
            assert rebuilds == [1] and checks == []
            go_on.set()
            await wait_for(pilot, lambda: bool(checks), timeout=30)
            assert rebuilds == [1] and checks == [1]
            assert len(article_list(app).rowids) == 10
    finally:
        library.close()


async def test_a_write_that_missed_the_index_is_rebuilt_into_the_list(store: Store) -> None:
    """Another process held the index past the busy timeout while this one wrote: the store
    write stands, the index write was skipped. The open app notices and rebuilds behind the
    list, instead of leaving that article out of it until the next start."""
    import sqlite3

    store.put_articles([make_record(n) for n in range(1, 3)])
    app = make_app(store)
    app.LIVE_POLL_INTERVAL = 0.2  # type: ignore[misc]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert len(article_list(app).rowids) == 2
        holder = sqlite3.connect(store.data_dir / "index.sqlite", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:  # the app's own store, written from a thread as its refresh does
            await asyncio.to_thread(store.put_articles, [make_record(3)])
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        await wait_for(pilot, lambda: len(article_list(app).rowids) == 3, timeout=20)
        assert "3 articles" in status_text(app) and not app.library.index_stale


def test_quitting_during_the_rebuild_does_not_wait_for_it(tmp_path: Path) -> None:
    """The real app on a pty, q pressed while its index rebuild runs: it exits at once (it used
    to sit on a blank screen until the rebuild was done, ~40 s at 100,000 articles), and the
    index is left stale for the next start rather than half-built."""
    import os
    import time

    from ..hostile.support import PtyApp

    data = tmp_path / "data"
    with Store.open(data) as store:  # enough that the rebuild takes a second or two
        records = [make_record(n) for n in range(1, 30_001)]
        for start in range(0, len(records), 5_000):
            store.put_articles(records[start:start + 5_000])
    for suffix in ("", "-wal", "-shm"):
        Path(f"{data / 'index.sqlite'}{suffix}").unlink(missing_ok=True)
    app = PtyApp(["--data-dir", str(data), "--offline"], cols=100, rows=30)
    assert app.wait_for(b"/30,000", 60), bytes(app.output[-2000:])  # its progress: it builds
    asked = time.monotonic()
    app.send("q", settle=0.0)
    status = app.finish(timeout=60)
    took = time.monotonic() - asked
    assert status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert b"Article index rebuilt" not in app.output
    with Store.open(data, rebuild_later=True) as store:
        assert store.index_stale  # stopped, not finished: the next start rebuilds it
    assert took < 10, took
