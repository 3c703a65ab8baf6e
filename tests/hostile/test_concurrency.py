"""Matrix P1-P7: crashes, two writers, a lock held by someone else, workers, fork, quitting.

Writers are real separate processes (``sys.executable -c``) over one real data dir; "committed"
means ``update_state`` returned and the child said so on stdout.
"""

from __future__ import annotations

import ast
import asyncio
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.common import record_tick_gaps
from tests.conftest import make_record
from tests.server import TestServer
from tui.core.errors import StoreError
from tui.core.pool import WorkerPool
from tui.core.store import Store

from .support import ROOT, PtyApp, child_env

_WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from tui.core.store import Store
    from tests.conftest import make_record
    store = Store.open(sys.argv[1])
    start = int(sys.argv[2])
    print("ready", flush=True)
    for n in range(start, start + 100000):
        store.update_state(make_record(n % 400).id, read=True, position=n)
        print(n, flush=True)
""")


def _start(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", script.format(root=str(ROOT)), *args],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=child_env())


def test_p1_kill_9_mid_write_loses_nothing_committed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.put_articles([make_record(n) for n in range(400)])
    committed: dict[str, int] = {}
    rng = random.Random(11)
    start = 0
    for _round in range(5):
        writer = _start(_WRITER, str(data), str(start))
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "ready", writer.stderr.read() if writer.stderr else ""
        # The random kill window starts at the first commit: on a loaded machine the writer
        # may need longer than the window just to get going.
        first = writer.stdout.readline().strip()
        last = int(first) if first.isdigit() else None
        deadline = time.monotonic() + rng.uniform(0.05, 0.4)
        while time.monotonic() < deadline:
            line = writer.stdout.readline().strip()
            if line.isdigit():
                last = int(line)
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        assert last is not None, "the writer committed nothing before the kill"
        for n in range(start, last + 1):
            committed[make_record(n % 400).id] = n
        start = last + 1000
        for db in (data / "state" / "cache.db", data / "articles" / "cache.db", data / "index.sqlite"):
            connection = sqlite3.connect(db)
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok", db
            connection.close()
    with Store.open(data) as store:
        for article_id, n in committed.items():
            state = store.get_state(article_id)
            assert state.read and state.position >= n, (article_id, n, state)
        # Lines still in the pipe at the kill were committed too: the index must agree with
        # the stored states, which hold at least what was seen committed.
        unread = sum(1 for n in range(400) if not store.get_state(make_record(n).id).read)
        assert store.unread_count() == unread <= 400 - len(committed)


_RMW = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from tui.core.store import Store
    from tests.conftest import make_record
    store = Store.open(sys.argv[1])
    field, bulk = sys.argv[2], sys.argv[3] == "bulk"
    ids = [make_record(n).id for n in range(300)]
    print("ready", flush=True)
    sys.stdin.readline()
    failures = 0
    for n in range(30 if bulk else 300):  # in bulk: thirds of the articles, ten times each
        try:
            if bulk:
                store.update_states(ids[n % 3::3], **{{field: True}})
            else:
                store.update_state(ids[n], **{{field: True}})
        except Exception as exc:
            failures += 1
            print("error", type(exc).__name__, exc, flush=True)
    store.close()
    print("done", failures, flush=True)
""")


@pytest.mark.parametrize("how", ["one", "bulk"])
def test_p2_two_processes_300_read_modify_writes_each_lose_nothing(tmp_path: Path, how: str) -> None:
    """One process marks the 300 articles read while another stars them, at once, one article
    per write or in bulk writes: every mark of both is there, and the index agrees."""
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.put_articles([make_record(n) for n in range(300)])
    writers = [_start(_RMW, str(data), field, how) for field in ("read", "starred")]
    for writer in writers:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
    for writer in writers:  # start both at once: maximum contention on the same articles
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()
    outputs = [w.communicate(timeout=120) for w in writers]
    for out, err in outputs:
        assert "done 0" in out, (out[-2000:], err[-2000:])
    with Store.open(data) as store:
        marks = sum(store.get_state(make_record(n).id).read for n in range(300)) + \
            sum(store.get_state(make_record(n).id).starred for n in range(300))
        assert marks == 600
        assert store.unread_count() == 0  # the derived index agrees
        assert [s.starred for s in store.summaries(store.rowids())] == [True] * 300


_HOLDER = textwrap.dedent("""
    import sys, time, diskcache
    cache = diskcache.Cache(sys.argv[1])
    with cache.transact():
        cache.set("holder", 1)
        print("holding", flush=True)
        time.sleep(float(sys.argv[2]))
    print("released", flush=True)
""")


def test_p3_writer_waits_at_most_the_busy_timeout_then_says_busy(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.put_articles([make_record(1)])
    store = Store.open(data)
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(data / "state"), "2.8"],
                              stdout=subprocess.PIPE, text=True, env=child_env())
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        started = time.monotonic()
        with pytest.raises(StoreError) as info:
            store.update_state(make_record(1).id, starred=True)
        waited = time.monotonic() - started
        assert waited < 3.5, f"blocked {waited:.1f} s"
        assert "busy" in str(info.value) and "\n" not in str(info.value), str(info.value)
        assert store.get_article(make_record(1).id) is not None  # reading still works
    finally:
        holder.wait(10)
    store.update_state(make_record(1).id, starred=True)  # and the write goes through afterwards
    assert store.get_state(make_record(1).id).starred
    store.close()


def test_p3_open_while_another_process_writes_is_bounded_and_says_busy(tmp_path: Path) -> None:
    data = tmp_path / "data"
    Store.open(data).close()
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(data / "state"), "2.8"],
                              stdout=subprocess.PIPE, text=True, env=child_env())
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        started = time.monotonic()
        with pytest.raises(StoreError) as info:
            Store.open(data).close()
        assert time.monotonic() - started < 3.0
        assert "busy" in str(info.value) and "\n" not in str(info.value), str(info.value)
    finally:
        holder.wait(10)


def test_p4_every_textual_worker_survives_its_own_errors() -> None:
    """Design rule 6: ``@work``/``run_worker`` with ``exit_on_error=False`` (default True exits)."""
    offenders = []
    for path in (ROOT / "tui" / "app").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ("work", "run_worker"):
                flags = {k.arg: k.value for k in node.keywords}
                value = flags.get("exit_on_error")
                if not (isinstance(value, ast.Constant) and value.value is False):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
        for node in ast.walk(tree):  # a bare @work decorator (no call) also defaults to True
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for deco in node.decorator_list:
                    if isinstance(deco, ast.Name) and deco.id == "work":
                        offenders.append(f"{path.relative_to(ROOT)}:{deco.lineno}")
    assert not offenders, offenders


async def test_p5_parse_in_the_pool_never_stalls_the_event_loop() -> None:
    from .support import GENERATORS

    feed = GENERATORS["redos_author"](16000)
    page = GENERATORS["many_paragraphs"](100000)
    gaps: list[float] = []
    stop = asyncio.Event()

    async with WorkerPool(2, timeout=1.5) as pool:
        await pool.warm()
        ticker = asyncio.create_task(record_tick_gaps(gaps, stop))
        results = await asyncio.gather(pool.parse_feed(feed, "https://x.example/f"),
                                       pool.extract(page, "https://x.example/p"),
                                       return_exceptions=True)
        stop.set()
        await ticker
    assert max(gaps) < 0.1, f"event loop stalled {max(gaps) * 1000:.0f} ms"
    assert "too long" in str(results[0])


async def test_p6_pool_spawns_and_survives_an_open_transaction(tmp_path: Path) -> None:
    async with WorkerPool(1, timeout=20) as pool:
        assert pool._context.get_start_method() == "spawn"
        with Store.open(tmp_path / "data") as store:
            with store._state.transact():  # an open write transaction in the parent
                store._state.set("x", "y")
                pid = await asyncio.wait_for(pool.run(os.getpid), 20)
        assert pid != os.getpid()
    sources = "\n".join(p.read_text() for p in (ROOT / "tui").rglob("*.py"))
    assert "os.fork(" not in sources and 'get_context("fork")' not in sources


def test_p7_sigterm_restores_the_terminal(tmp_path: Path) -> None:
    with Store.open(tmp_path / "data") as store:
        store.put_articles([make_record(1)])
    app = PtyApp(["--data-dir", str(tmp_path / "data")])
    assert app.wait_for(b"Article number 1", 20)
    os.kill(app.pid, signal.SIGTERM)
    status = app.finish()
    assert status is not None
    assert b"\x1b[?1049l" in app.output  # alternate screen off


def test_p7_quit_key_restores_the_terminal(tmp_path: Path) -> None:
    with Store.open(tmp_path / "data") as store:
        store.put_articles([make_record(1)])
    app = PtyApp(["--data-dir", str(tmp_path / "data")])
    assert app.wait_for(b"Article number 1", 20)
    app.send("q")
    status = app.finish()
    assert status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert b"\x1b[?1049l" in app.output


# -- P4/P5 in the running app ---------------------------------------------------------------------

def _walk(keys: list[str], start: int, rows: int) -> int:
    position = start
    for key in keys:
        position = max(0, min(rows - 1, position + (1 if key == "j" else -1)))
    return position


async def test_p5_keys_stay_in_order_and_the_ui_ticks_while_the_pool_parses(
        server: TestServer, tmp_path: Path) -> None:
    from tui.app.app import WartaApp
    from tui.core.library import Library
    from tui.core.models import Feed

    from .support import GENERATORS, app_config, wait_until

    feed = server.add("/redos.xml", GENERATORS["redos_author"](32000), "application/rss+xml")
    with Store.open(tmp_path / "data") as store:
        store.put_articles([make_record(n) for n in range(40)])
        # The parse must outlast 30 key presses on a loaded machine; it is killed after 8 s.
        app = WartaApp(Library(store, app_config(Feed(url=feed, name="ReDoS"), extract_timeout=8.0)))
        async with app.run_test(size=(100, 30)) as pilot:
            def busy() -> bool:  # the only worker has taken the parse
                pool = app.refresher.pool
                return bool(pool and pool._slots is not None and pool._slots.qsize() == 0
                            and pool._live)

            await wait_until(pilot, busy, 15)
            gaps: list[float] = []
            last = [time.monotonic()]

            def tick() -> None:
                now = time.monotonic()
                gaps.append(now - last[0])
                last[0] = now

            ticker = app.set_interval(0.01, tick)
            keys = ["k"] * 3 + ["j"] * 20 + ["k"] * 5 + ["j"] * 2
            await pilot.press(*keys)
            await pilot.pause(0.1)
            ticker.stop()
            assert app.refresher.running, "the parse ended before the keys: nothing was measured"
            assert app.main.article_list.cursor == _walk(keys, 0, 40) == 17
            print(f"\nP5: {len(gaps)} ticks, max gap {max(gaps) * 1000:.0f} ms")
            assert max(gaps) < 0.5, f"UI stalled {max(gaps) * 1000:.0f} ms while the pool parsed"
            await wait_until(pilot, lambda: "Refreshed" in str(app.main.status.render()), 30)
            assert any("feed took too long to parse" in reason for _, reason in app.last_errors)


async def test_p4_exception_in_the_refresh_worker_is_one_line_and_the_app_lives_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.app.app import WartaApp
    from tui.core.library import Library
    from tui.core.models import Feed
    from tui.core.refresh import Refresher

    from .support import app_config, toasts, wait_until

    async def explode(self: Refresher, feeds: object = None) -> None:
        raise RuntimeError("injected fault [bold]in the worker\nsecond line")

    monkeypatch.setattr(Refresher, "run", explode)
    with Store.open(tmp_path / "data") as store:
        store.put_articles([make_record(n) for n in range(3)])
        app = WartaApp(Library(store, app_config(Feed(url="http://127.0.0.1:9/feed.xml", name="Any"))))
        async with app.run_test(size=(100, 30)) as pilot:
            def failures() -> list[str]:
                return [t for t in toasts(app) if "injected fault" in t]

            await wait_until(pilot, lambda: bool(failures()), 10)
            (message,) = failures()
            assert "\n" not in message and message.startswith("refresh failed: RuntimeError")
            assert "[bold]" in message  # shown as written, not as markup
            assert "Refresh failed" in str(app.main.status.render())
            assert app.is_running and not app.refresher.running
            await pilot.press("j", "enter")  # still reading
            await pilot.pause()
            assert "Article number 1" in " ".join(app.main.reader.text_lines)
            await pilot.press("r")  # and a second refresh fails the same way, no worse
            await wait_until(pilot, lambda: len(failures()) == 2, 10)
            assert app.is_running


async def test_p4_exception_in_one_feed_is_that_feeds_error_and_the_others_refresh(
        server: TestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.app.app import WartaApp
    from tui.core.library import Library
    from tui.core.models import Feed
    from tui.core.refresh import Refresher

    from .support import app_config, wait_until

    rss = ('<?xml version="1.0"?><rss version="2.0"><channel><title>{0}</title><item><title>{0} one'
           '</title><link>https://{0}.example.com/1</link></item></channel></rss>')
    broken = Feed(url=server.add("/broken.xml", rss.format("broken"), "application/rss+xml"),
                  name="broken", full_text="never")
    fine = Feed(url=server.add("/fine.xml", rss.format("fine"), "application/rss+xml"),
                name="fine", full_text="never")
    merge = Refresher._merge_feed

    def faulty(self: Refresher, feed: Feed, *args: object) -> object:
        if feed.url == broken.url:
            raise KeyError("injected into one feed")
        return merge(self, feed, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Refresher, "_merge_feed", faulty)
    with Store.open(tmp_path / "data") as store:
        app = WartaApp(Library(store, app_config(broken, fine)))
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_until(pilot, lambda: "Refreshed 2 feeds" in str(app.main.status.render()), 15)
            errors = dict(app.last_errors)
            assert list(errors) == [broken.url]
            assert errors[broken.url].startswith("unexpected error (KeyError") and "\n" not in errors[broken.url]
            assert [s.title for s in store.summaries(store.rowids())] == ["fine one"]
            assert app.is_running
