"""A fault-injecting HTTP proxy in front of the real FreshRSS: it passes requests through, or
plays the failures a real server meets (down, 500, 401, garbage JSON, slow, cut mid-sync).

Only the failure is made up; everything it passes is the real server's answer.
"""

from __future__ import annotations

import asyncio
import threading

CRLF2 = b"\r\n\r\n"


class FaultProxy:
    __test__ = False

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.port = 0
        self.mode = "pass"  # pass | down | status:<n> | garbage | slow:<seconds>
        self.pass_first = 0  # with a fault mode: let this many requests through first
        self.requests: list[str] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stop: asyncio.Event | None = None

    def fail(self, mode: str, after: int = 0) -> None:
        """Play ``mode`` from the request after the next ``after`` ones (which pass)."""
        self.requests.clear()
        self.mode, self.pass_first = mode, after

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> FaultProxy:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop and self._stop:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread:
            self._thread.join(5)

    def _run(self, ready: threading.Event) -> None:
        self._loop = asyncio.new_event_loop()
        self._loop.run_until_complete(self._main(ready))
        self._loop.close()

    async def _main(self, ready: threading.Event) -> None:
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        ready.set()
        await self._stop.wait()
        server.close()
        for task in [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]:
            task.cancel()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(CRLF2)
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            body = await reader.readexactly(length) if length else b""
            target = head.split(b" ", 2)[1].decode("latin-1")
            self.requests.append(target)
            mode = self.mode if len(self.requests) > self.pass_first else "pass"
            if mode == "down":
                return  # connection closed with no answer: the server went away
            if mode.startswith("status:"):
                code = int(mode[7:])
                writer.write(f"HTTP/1.1 {code} Fault\r\nContent-Type: text/plain\r\n"
                             f"Content-Length: 6\r\nConnection: close\r\n\r\nfault!".encode())
                await writer.drain()
                return
            if mode == "garbage":
                junk = b'{"itemRefs": [{"id": "12'  # cut-off JSON, with a JSON content type
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                             + str(len(junk)).encode() + b"\r\nConnection: close\r\n\r\n" + junk)
                await writer.drain()
                return
            if mode.startswith("slow:"):
                await asyncio.sleep(float(mode[5:]))
            await self._forward(head, body, writer)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            return
        finally:
            writer.close()

    async def _forward(self, head: bytes, body: bytes, writer: asyncio.StreamWriter) -> None:
        lines = [line for line in head[:-4].split(b"\r\n")
                 if not line.lower().startswith((b"connection:", b"keep-alive:"))]
        request = b"\r\n".join(lines) + b"\r\nConnection: close" + CRLF2 + body
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        try:
            up_writer.write(request)
            await up_writer.drain()
            while chunk := await up_reader.read(65536):
                writer.write(chunk)
                await writer.drain()
        finally:
            up_writer.close()
