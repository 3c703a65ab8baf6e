"""A raw-socket HTTP server on 127.0.0.1 for tests: it can lie about framing on purpose.

Runs ``asyncio.start_server`` in a background thread and writes bytes itself, so routes can
hang, drip, send endless bodies, short bodies, corrupt gzip, bombs and redirect loops. Every
request is counted per path (``hits``) so tests can assert a route was *never* reached.

Content routes are registered with ``add(path, body, ...)``; ``add_sequence`` serves one
response per hit (retry tests). Built-in routes: ``/hang``, ``/drip``, ``/huge``, ``/short``,
``/badgz``, ``/loop``, ``/r/<n>``, ``/tofile``, ``/status/<n>[?retry_after=s]``, ``/pdf``,
``/private-redirect``, ``/secret``, ``/slow?s=<seconds>``.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

CRLF = b"\r\n"


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class TestServer:
    """The evil server. ``url(path)`` gives an absolute URL; ``alt_url`` the same on 127.0.0.2."""

    __test__ = False  # not a pytest test class

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.routes: dict[str, Response] = {}
        self.sequences: dict[str, list[Response]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.bytes_sent: Counter[str] = Counter()
        self.active = 0  # requests to /slow being answered right now
        self.max_active = 0
        self.starts: dict[str, list[float]] = {}
        self.port = 0
        self.alt_port = 0
        self.latency = 0.0  # seconds before answering a registered route (a real site's TTFB)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._servers: list[asyncio.base_events.Server] = []
        self._stop: asyncio.Event | None = None

    # -- control from the test thread ---------------------------------------------------------

    def start(self) -> TestServer:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("test server did not start")
        return self

    def stop(self) -> None:
        if self._loop and self._stop:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread:
            self._thread.join(5)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def alt_url(self, path: str) -> str:
        """Same server on 127.0.0.2: a second "host" for per-host and redirect tests."""
        return f"http://127.0.0.2:{self.alt_port}{path}"

    def add(self, path: str, body: bytes | str, content_type: str | None = "text/html",
            *, status: int = 200, headers: dict[str, str] | None = None) -> str:
        data = body.encode() if isinstance(body, str) else body
        all_headers = dict(headers or {})
        if content_type is not None:
            all_headers.setdefault("Content-Type", content_type)
        self.routes[path] = Response(status, data, all_headers)
        return self.url(path)

    def add_sequence(self, path: str, responses: list[Response]) -> str:
        self.sequences[path] = list(responses)
        return self.url(path)

    def reset(self) -> None:
        self.hits.clear()
        self.routes.clear()
        self.sequences.clear()
        self.requests.clear()
        self.bytes_sent.clear()
        self.starts.clear()
        self.max_active = 0

    # -- the server thread --------------------------------------------------------------------

    def _run(self, ready: threading.Event) -> None:
        self._loop = asyncio.new_event_loop()
        self._loop.run_until_complete(self._main(ready))
        self._loop.close()

    async def _main(self, ready: threading.Event) -> None:
        self._stop = asyncio.Event()
        first = await asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=512)
        self.port = first.sockets[0].getsockname()[1]
        self._servers.append(first)
        try:
            alt = await asyncio.start_server(self._serve, "127.0.0.2", self.port, backlog=512)
        except OSError:
            alt = await asyncio.start_server(self._serve, "127.0.0.2", 0, backlog=512)
        self.alt_port = alt.sockets[0].getsockname()[1]
        self._servers.append(alt)
        ready.set()
        await self._stop.wait()
        for server in self._servers:
            server.close()
        handlers = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in handlers:  # /hang, /drip and friends never end on their own
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(CRLF + CRLF)
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                _method, target, _version = (lines[0].split(" ") + ["", ""])[:3]
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                parts = urlsplit(target)
                self.hits[parts.path] += 1
                self.requests.append((target, headers))
                self.starts.setdefault(parts.path, []).append(time.monotonic())
                counted = parts.path == "/slow"  # other routes may hang on purpose
                if counted:
                    self.active += 1
                    self.max_active = max(self.max_active, self.active)
                try:
                    keep = await self._route(parts.path, parse_qs(parts.query), headers, writer)
                finally:
                    if counted:
                        self.active -= 1
                if not keep:
                    return
        except (ConnectionError, asyncio.CancelledError):
            return
        finally:
            try:
                writer.close()
            except Exception:  # noqa: BLE001 - the peer may be gone already
                pass

    async def _send(self, writer: asyncio.StreamWriter, path: str, status: int,
                    headers: dict[str, str], body: bytes = b"", *, length: bool = True) -> None:
        out = [f"HTTP/1.1 {status} X".encode()]
        if length and "Content-Length" not in headers:
            headers = {**headers, "Content-Length": str(len(body))}
        out += [f"{k}: {v}".encode("latin-1") for k, v in headers.items()]
        data = CRLF.join(out) + CRLF + CRLF + body
        writer.write(data)
        self.bytes_sent[path] += len(data)
        await writer.drain()

    async def _route(self, path: str, query: dict[str, list[str]], headers: dict[str, str],
                     writer: asyncio.StreamWriter) -> bool:
        """Answer one request; return whether the connection may be kept open."""
        if path in self.sequences and self.sequences[path]:
            seq = self.sequences[path]
            response = seq.pop(0) if len(seq) > 1 else seq[0]
            await self._send(writer, path, response.status, response.headers, response.body)
            return True
        if path in self.routes:
            response = self.routes[path]
            if self.latency:
                await asyncio.sleep(self.latency)
            etag = response.headers.get("ETag")
            if etag and headers.get("if-none-match") == etag:
                await self._send(writer, path, 304, {"ETag": etag})
                return True
            await self._send(writer, path, response.status, response.headers, response.body)
            return True
        if path == "/hang":
            await asyncio.sleep(3600)
            return False
        if path == "/slow":
            await asyncio.sleep(float(query.get("s", ["0.2"])[0]))
            await self._send(writer, path, 200, {"Content-Type": "text/html"},
                             b"<html><body><p>slow but fine</p></body></html>")
            return True
        if path == "/drip":
            await self._send(writer, path, 200, {"Content-Type": "text/html",
                                                 "Transfer-Encoding": "chunked"}, length=False)
            while True:
                writer.write(b"1\r\na\r\n")
                await writer.drain()
                await asyncio.sleep(float(query.get("every", ["0.05"])[0]))
        if path == "/huge":
            await self._send(writer, path, 200, {"Content-Type": "text/html",
                                                 "Transfer-Encoding": "chunked"}, length=False)
            chunk = b"%x\r\n" % 65536 + b"a" * 65536 + CRLF
            while True:
                writer.write(chunk)
                self.bytes_sent[path] += len(chunk)
                await writer.drain()
        if path == "/short":
            await self._send(writer, path, 200, {"Content-Type": "text/html",
                                                 "Content-Length": "1000"}, b"<html>short<")
            return False
        if path == "/badgz":
            await self._send(writer, path, 200, {"Content-Type": "text/html",
                                                 "Content-Encoding": "gzip"},
                             b"<html><body>not gzip at all</body></html>")
            return False
        if path == "/loop":
            await self._send(writer, path, 302, {"Location": "/loop"})
            return True
        if path.startswith("/r/"):
            left = int(path[3:] or 0)
            if left <= 0:
                await self._send(writer, path, 200, {"Content-Type": "text/html"},
                                 b"<html><body><p>arrived</p></body></html>")
            else:
                await self._send(writer, path, 302, {"Location": f"/r/{left - 1}"})
            return True
        if path == "/tofile":
            await self._send(writer, path, 302, {"Location": "file:///etc/passwd"})
            return True
        if path.startswith("/status/"):
            extra = {"Content-Type": "text/html"}
            if "retry_after" in query:
                extra["Retry-After"] = query["retry_after"][0]
            await self._send(writer, path, int(path[8:]), extra, b"<html>status</html>")
            return True
        if path == "/pdf":
            await self._send(writer, path, 200, {"Content-Type": "application/pdf",
                                                 "Content-Length": str(200 * 2**20)}, b"%PDF-1.7\n")
            await asyncio.sleep(3600)  # a client that reads the body would hang here
            return False
        if path == "/private-redirect":
            await self._send(writer, path, 302, {"Location": self.url("/secret")})
            return True
        if path == "/secret":
            await self._send(writer, path, 200, {"Content-Type": "text/html"},
                             b"<html>the router admin page</html>")
            return True
        await self._send(writer, path, 404, {"Content-Type": "text/html"}, b"not found")
        return True
