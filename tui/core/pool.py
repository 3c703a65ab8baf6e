"""A small process pool for CPU work on hostile input: killable, memory-capped, asyncio-native.

Feed parsing and extraction can take seconds or gigabytes on crafted input (a ReDoS in
feedparser's author regex, a 300k-paragraph page), and a thread cannot be stopped. Each
worker here is a *spawned* process (never forked: forking with an open SQLite connection or a
running event loop can deadlock the child) with ``RLIMIT_AS`` set; a task that outlives its
wall-clock limit gets its worker killed and replaced. Tasks and results go over one socket per
worker that the event loop reads and writes only when it is ready, piece by piece, so neither
waiting nor a large page or result ever blocks the loop.
"""

from __future__ import annotations

import asyncio
import importlib
import multiprocessing
import multiprocessing.connection
import signal
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.reduction import ForkingPickler
from typing import Any

from .errors import ExtractionError, FeedParseError, WartaError
from .models import Article, ParsedFeed
from .spawn import real_stderr

MiB = 2**20
DEFAULT_WORKERS = 2
DEFAULT_TIMEOUT = 10.0
DEFAULT_MEMORY_LIMIT = 512 * MiB

Connection = multiprocessing.connection.Connection


# -- functions the workers run ------------------------------------------------------------------

def extract_page(html: bytes, url: str | None, content_type: str | None) -> dict[str, Any]:
    """Extraction in a worker; the ``Article`` travels back as its JSON form."""
    from .extract import extract

    return extract(html, url, content_type=content_type).to_json()


def parse_feed_bytes(content: bytes, url: str, content_type: str | None,
                     max_entries: int = 500) -> dict[str, Any]:
    """Feed parsing in a worker; the ``ParsedFeed`` travels back as JSON-able data."""
    from .feeds import parse_feed, parsed_feed_to_json

    return parsed_feed_to_json(parse_feed(content, url, content_type, max_entries=max_entries))


def _worker_main(conn: Connection, memory_limit: int) -> None:
    """Run tasks from ``conn`` until it closes. Replies: ("ok", result) or a failure tuple."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if memory_limit:
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
        except (ImportError, ValueError, OSError):
            pass
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        except Exception as exc:  # noqa: BLE001 - a task that cannot be unpickled
            conn.send(("error", type(exc).__name__))
            continue
        if task is None:
            return
        function, args = task
        reply: tuple[Any, ...]
        try:
            reply = ("ok", function(*args))
        except MemoryError:
            reply = ("memory",)
        except WartaError as exc:
            reply = ("warta", type(exc).__module__, type(exc).__qualname__, str(exc))
        except BaseException as exc:  # noqa: BLE001 - everything goes back as a message
            reply = ("error", type(exc).__name__)
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(("memory",))
        except Exception as exc:  # noqa: BLE001 - e.g. an unpicklable result
            conn.send(("error", type(exc).__name__))
        if reply[0] == "memory":
            return  # a fresh process is cheaper than trusting this heap


# -- the parent side ----------------------------------------------------------------------------

@dataclass(slots=True, eq=False)  # identity semantics: kept in a set
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: socket.socket  # non-blocking; the worker's end is a ``Connection`` (same framing)


class WorkerPool:
    """``workers`` spawned processes started on first use; ``await pool.run(fn, *args)``."""

    def __init__(self, workers: int = DEFAULT_WORKERS, *, timeout: float = DEFAULT_TIMEOUT,
                 memory_limit: int = DEFAULT_MEMORY_LIMIT) -> None:
        self.size = max(1, workers)
        self.timeout = timeout
        self.memory_limit = memory_limit
        self._context = multiprocessing.get_context("spawn")
        self._slots: asyncio.Queue[_Worker | None] | None = None
        self._live: set[_Worker] = set()
        self._closed = False

    async def __aenter__(self) -> WorkerPool:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    def _queue(self) -> asyncio.Queue[_Worker | None]:
        if self._slots is None:
            self._slots = asyncio.Queue()
            for _ in range(self.size):
                self._slots.put_nowait(None)  # None: a slot whose process is not started yet
        return self._slots

    @property
    def pids(self) -> list[int]:
        return [w.process.pid for w in self._live if w.process.pid is not None]

    # -- running tasks --------------------------------------------------------------------------

    async def run(self, function: Callable[..., Any], *args: Any, timeout: float | None = None,
                  error_type: type[WartaError] = WartaError, noun: str = "task",
                  verb: str = "run") -> Any:
        """Run ``function(*args)`` in a worker and return its result.

        ``function`` must be importable by name (module level). Failures raise ``error_type``
        with a sentence built from ``noun``/``verb`` ("feed took too long to parse"); a
        ``WartaError`` raised in the worker comes back as its own class and message.
        """
        if self._closed:
            raise error_type(f"could not {verb} the {noun} (shutting down)")
        slots = self._queue()
        worker = await slots.get()
        try:
            if worker is None or not worker.process.is_alive():
                if worker is not None:
                    self._discard(worker)
                worker = await asyncio.to_thread(self._start)
            reply = await self._exchange(worker, function, args,
                                         self.timeout if timeout is None else timeout)
        except TimeoutError:
            self._discard(worker)
            worker = None
            raise error_type(f"{noun} took too long to {verb}") from None
        except (EOFError, OSError, BrokenPipeError):
            self._discard(worker)
            worker = None
            raise error_type(f"could not {verb} the {noun} (the worker stopped)") from None
        except BaseException:  # cancelled mid-task: the worker's answer would be stale
            self._discard(worker)
            worker = None
            raise
        finally:
            slots.put_nowait(worker)
        return self._result(reply, worker, error_type, noun, verb)

    def _result(self, reply: tuple[Any, ...], worker: _Worker | None,
                error_type: type[WartaError], noun: str, verb: str) -> Any:
        kind = reply[0]
        if kind == "ok":
            return reply[1]
        if kind == "memory":
            limit = self.memory_limit // MiB
            raise error_type(f"{noun} too large to {verb} (over {limit} MB of memory)")
        if kind == "warta":
            raise _rebuild_error(reply[1], reply[2], reply[3], error_type)
        raise error_type(f"could not {verb} the {noun} ({reply[1]})")

    async def _exchange(self, worker: _Worker, function: Callable[..., Any],
                        args: tuple[Any, ...], timeout: float) -> tuple[Any, ...]:
        # A blocking send or recv of more than the socket buffer (a page, a batch of items, a
        # parsed result) waits for the worker process to be scheduled: on a loaded machine that
        # held keys up for tens of ms. Here each piece goes when the socket is ready.
        loop = asyncio.get_running_loop()
        await _send(loop, worker.conn, ForkingPickler.dumps((function, args)))
        async with asyncio.timeout(timeout):
            reply = ForkingPickler.loads(await _receive(loop, worker.conn))
        if not isinstance(reply, tuple) or not reply:
            raise EOFError("malformed reply")
        return reply

    # -- convenience wrappers for the two jobs the pool exists for ----------------------------

    async def parse_feed(self, content: bytes, url: str, content_type: str | None = None, *,
                         max_entries: int = 500, timeout: float | None = None) -> ParsedFeed:
        from .feeds import parsed_feed_from_json

        data = await self.run(parse_feed_bytes, content, url, content_type, max_entries,
                              timeout=timeout, error_type=FeedParseError, noun="feed", verb="parse")
        return parsed_feed_from_json(data)

    async def extract(self, html: bytes, url: str | None, content_type: str | None = None, *,
                      timeout: float | None = None) -> Article:
        data = await self.run(extract_page, html, url, content_type, timeout=timeout,
                              error_type=ExtractionError, noun="page", verb="extract")
        return Article.from_json(data)

    async def warm(self) -> None:
        """Start every worker now (e.g. while the first feeds download)."""
        slots = self._queue()
        taken = [await slots.get() for _ in range(self.size)]
        try:
            for index, worker in enumerate(taken):
                if worker is None:
                    taken[index] = await asyncio.to_thread(self._start)
        finally:
            for worker in taken:
                slots.put_nowait(worker)

    # -- process lifetime ---------------------------------------------------------------------

    def _start(self) -> _Worker:
        parent_end, child = socket.socketpair()  # what Pipe(duplex=True) is made of
        child_end = Connection(child.detach())
        parent_end.setblocking(False)
        process = self._context.Process(target=_worker_main, args=(child_end, self.memory_limit),
                                        name="warta-worker", daemon=True)
        try:
            with real_stderr():
                process.start()
        except BaseException:
            parent_end.close()
            raise
        finally:
            child_end.close()
        worker = _Worker(process, parent_end)
        self._live.add(worker)
        return worker

    def _discard(self, worker: _Worker | None) -> None:
        """Kill and reap one worker (no zombie left behind)."""
        if worker is None:
            return
        self._live.discard(worker)
        try:
            worker.conn.close()
        except OSError:
            pass
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)

    def close(self) -> None:
        """Stop every worker now; safe to call twice."""
        self._closed = True
        for worker in list(self._live):
            self._discard(worker)


async def _send(loop: asyncio.AbstractEventLoop, conn: socket.socket, payload: bytes | memoryview) -> None:
    """One message as ``Connection.send_bytes`` frames it: a 4-byte length, or -1 and 8 bytes."""
    size = len(payload)
    await loop.sock_sendall(conn, struct.pack("!i", size) if size <= 0x7FFFFFFF
                            else struct.pack("!iQ", -1, size))
    await loop.sock_sendall(conn, payload)


async def _receive(loop: asyncio.AbstractEventLoop, conn: socket.socket) -> bytearray:
    """One message as ``Connection.recv_bytes`` reads it; ``EOFError`` when the worker is gone."""
    (size,) = struct.unpack("!i", await _read(loop, conn, 4))
    if size == -1:
        (size,) = struct.unpack("!Q", await _read(loop, conn, 8))
    return await _read(loop, conn, size)


async def _read(loop: asyncio.AbstractEventLoop, conn: socket.socket, size: int) -> bytearray:
    buffer = bytearray(size)
    view = memoryview(buffer)
    done = 0
    while done < size:
        count = await loop.sock_recv_into(conn, view[done:])
        if not count:
            raise EOFError("the worker closed its end")
        done += count
    return buffer


def _rebuild_error(module: str, qualname: str, message: str,
                   fallback: type[WartaError]) -> WartaError:
    """The worker's ``WartaError`` as the same class in this process (only from ``tui``)."""
    if module == "tui" or module.startswith("tui."):
        try:
            cls = getattr(importlib.import_module(module), qualname)
            if isinstance(cls, type) and issubclass(cls, WartaError):
                return cls(message)
        except (ImportError, AttributeError, TypeError):
            pass
    return fallback(message)
