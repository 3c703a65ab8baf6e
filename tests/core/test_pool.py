"""The killable process pool: timeouts kill the worker, errors come back as WartaErrors."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.common import record_tick_gaps

from tui.core.errors import ExtractionError, FeedParseError, NotAFeedError, WartaError
from tui.core.pool import WorkerPool, extract_page

FEEDS = Path(__file__).parents[1] / "fixtures" / "feeds"
PAGE = ("<html><head><title>Pool page</title></head><body><article><h1>Pool page</h1>"
        + "<p>This is a paragraph of a real article with enough words to be kept. </p>" * 20
        + "</article></body></html>").encode()


@pytest.fixture
async def pool() -> AsyncIterator[WorkerPool]:
    workers = WorkerPool(2, timeout=5.0)
    try:
        yield workers
    finally:
        workers.close()


def reaped(pid: int) -> bool:
    """True when ``pid`` is neither running nor a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] == "X"
    except FileNotFoundError:
        return True


@pytest.mark.asyncio
async def test_parse_feed_in_worker(pool: WorkerPool) -> None:
    feed = await pool.parse_feed((FEEDS / "rss20.xml").read_bytes(), "https://feeds.example.com/f")
    assert feed.title == "Example & News" and len(feed.entries) == 3


@pytest.mark.asyncio
async def test_extract_in_worker(pool: WorkerPool) -> None:
    article = await pool.extract(PAGE, "https://example.com/a", "text/html; charset=utf-8")
    assert "paragraph of a real article" in article.text


def test_worker_function_runs_in_process_too() -> None:
    assert extract_page(PAGE, "https://example.com/a", None)["blocks"]


@pytest.mark.asyncio
async def test_workers_start_lazily_and_use_spawn(pool: WorkerPool) -> None:
    assert pool.pids == []
    assert await pool.run(os.getpid) != os.getpid()
    assert len(pool.pids) == 1
    assert pool._context.get_start_method() == "spawn"


@pytest.mark.asyncio
async def test_timeout_kills_that_worker_and_replaces_it(pool: WorkerPool) -> None:
    await pool.warm()
    before = set(pool.pids)
    started = time.monotonic()
    with pytest.raises(FeedParseError, match="^feed took too long to parse$"):
        await pool.run(time.sleep, 30, timeout=0.3, error_type=FeedParseError, noun="feed",
                       verb="parse")
    assert time.monotonic() - started < 2
    killed = before - set(pool.pids)
    assert len(killed) == 1 and all(reaped(pid) for pid in killed)
    assert await pool.run(pow, 2, 10) == 1024  # the pool still works
    await asyncio.gather(pool.run(time.sleep, 0.1), pool.run(time.sleep, 0.1))
    assert len(pool.pids) == 2  # the replacement started when it was needed


@pytest.mark.asyncio
async def test_redos_feed_killed_without_stalling_the_loop(pool: WorkerPool) -> None:
    """Matrix C3: feedparser's author regex is quadratic; the loop keeps ticking meanwhile."""
    await pool.warm()
    author = "a." * 16000 + "@"
    doc = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>x</title>'
           f"<link>https://x.example.com/</link><author>{author}</author></item></channel></rss>").encode()
    gaps: list[float] = []
    stop = asyncio.Event()
    tick = asyncio.create_task(record_tick_gaps(gaps, stop))
    with pytest.raises(FeedParseError, match="feed took too long to parse"):
        await pool.parse_feed(doc, "https://x.example.com/feed", timeout=0.5)
    stop.set()
    await tick
    assert max(gaps) < 0.1


@pytest.mark.asyncio
async def test_memory_limit(pool: WorkerPool) -> None:
    with pytest.raises(ExtractionError, match="too large to extract"):
        await pool.run(bytearray, 2**30, error_type=ExtractionError, noun="page", verb="extract")
    assert await pool.run(len, b"abc") == 3


@pytest.mark.asyncio
async def test_warta_errors_come_back_as_their_class(pool: WorkerPool) -> None:
    html = (FEEDS / "html_login.html").read_bytes()
    with pytest.raises(NotAFeedError, match="not a feed"):
        await pool.parse_feed(html, "https://site.example.com/")
    with pytest.raises(ExtractionError, match="no readable content"):
        await pool.extract(b"   ", "https://example.com/")


@pytest.mark.asyncio
async def test_other_exceptions_become_the_callers_error(pool: WorkerPool) -> None:
    with pytest.raises(FeedParseError, match=r"could not parse the feed \(ValueError\)"):
        await pool.run(int, "not a number", error_type=FeedParseError, noun="feed", verb="parse")


@pytest.mark.asyncio
async def test_worker_crash_is_an_error_not_a_crash(pool: WorkerPool) -> None:
    with pytest.raises(WartaError, match="worker stopped"):
        await pool.run(os._exit, 3)
    assert await pool.run(abs, -2) == 2


@pytest.mark.asyncio
async def test_parallel_tasks_use_both_workers(pool: WorkerPool) -> None:
    await pool.warm()
    started = time.monotonic()
    await asyncio.gather(*(pool.run(time.sleep, 0.4) for _ in range(4)))
    assert 0.8 <= time.monotonic() - started < 1.5


@pytest.mark.asyncio
async def test_cancelled_caller_kills_the_busy_worker(pool: WorkerPool) -> None:
    await pool.warm()
    task = asyncio.create_task(pool.run(time.sleep, 30))
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await pool.run(abs, -1) == 1


@pytest.mark.asyncio
async def test_close_leaves_no_processes() -> None:
    workers = WorkerPool(2)
    await workers.warm()
    pids = workers.pids
    assert len(pids) == 2
    workers.close()
    assert all(reaped(pid) for pid in pids)
    with pytest.raises(WartaError):
        await workers.run(abs, 1)
    workers.close()  # twice is fine


@pytest.mark.asyncio
async def test_large_tasks_and_results_go_whole_both_ways(pool: WorkerPool) -> None:
    """A task and a result far over the socket buffer (a big page, a batch of a sync server's
    items) travel in pieces as the socket takes them; two at once do not mix."""
    big = bytes(range(256)) * (12 * 2**20 // 256)  # 12 MB, every byte value
    upper, again = await asyncio.gather(pool.run(bytes.upper, big), pool.run(bytes.upper, big[::-1]))
    assert upper == big.upper() and again == big[::-1].upper()
    assert await pool.run(len, b"abc") == 3  # the workers are still in step
