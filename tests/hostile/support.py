"""Shared pieces of the hostile suite: fixture loading, generators, hostile strings, checks."""

from __future__ import annotations

import json
import os
import random
import re
import select
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui.core.models import Article, ArticleRecord, Block, ParsedFeed
from tui.core.sanitize import sanitize

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
_EXPECT = re.compile(rb"Expect:\s*(\{.*\})")

# -- hostile strings --------------------------------------------------------------------------

OSC_TITLE = "\x1b]0;pwned\x07"
OSC_CLIPBOARD = "\x1b]52;c;ZXZpbA==\x07"
OSC_LINK = "\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\"
CSI_CLEAR = "\x1b[2J\x1b[H"
C1_CSI = "\x9b31m"
NUL = "\x00"
BIDI = "\u202egnp.exe\u202c \u2066iso\u2069"
ALL_ESCAPES = OSC_TITLE + OSC_CLIPBOARD + OSC_LINK + CSI_CLEAR + C1_CSI + NUL + BIDI
FORBIDDEN_TERMINAL_BYTES = (b"\x1b[2J", b"\xc2\x9b", b"\x00", b"\x1b]0;pwned", b"\x1b]52",
                            b"evil.example", b"\xe2\x80\xae")  # \u202e as UTF-8


# -- data-driven fixtures ---------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    expect: dict[str, Any]

    @property
    def row(self) -> str:
        return str(self.expect["row"])


def load_cases(folder: str) -> list[Case]:
    """Every fixture in ``tests/fixtures/hostile/<folder>``; each carries its own Expect JSON."""
    cases = []
    for path in sorted((HOSTILE / folder).iterdir()):
        if path.name.endswith(".gen.json"):
            spec = json.loads(path.read_text(encoding="utf-8"))
            data = GENERATORS[spec["generator"]](**spec.get("args", {}))
            expect = spec["expect"]
            name = path.name[: -len(".gen.json")]
        else:
            data = path.read_bytes()
            if path.suffix == ".json":
                expect = json.loads(data)["_expect"]
            else:
                found = _EXPECT.search(data)
                assert found, f"{path} has no Expect: line"
                expect = json.loads(found.group(1))
            name = path.stem
        assert name.startswith(expect["row"] + "-"), f"{path}: file name must start with its row"
        cases.append(Case(name, data, expect))
    return cases


def _quadratic_blowup(entity_kb: int, refs: int) -> bytes:
    entity = "A" * (entity_kb * 1024)
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "{entity}">\n]>\n'
            '<rss version="2.0"><channel><title>Quadratic</title><item><title>q</title>'
            '<link>https://q.example.com/1</link><description>'
            + "&a;" * refs + "</description></item></channel></rss>").encode()


def _redos_author(repeat: int) -> bytes:
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>ReDoS</title><item>'
            '<title>t</title><link>https://redos.example.com/1</link><author>'
            + "a." * repeat + "@</author></item></channel></rss>").encode()


def many_items(count: int, padding: int = 20) -> bytes:
    """An RSS feed of ``count`` items; item ``i`` is ``i`` minutes after 2024-01-01."""
    base = 1704067200
    filler = " ".join(["word"] * padding)
    items = "".join(
        f"<item><title>Item {i}</title><link>https://many.example.com/{i}</link>"
        f"<guid>many-{i}</guid><pubDate>{_http_date(base + 60 * i)}</pubDate>"
        f"<description>{filler}</description></item>" for i in range(count))
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>Many</title>'
            + items + "</channel></rss>").encode()


def _http_date(stamp: float) -> str:
    import email.utils

    return email.utils.formatdate(stamp, usegmt=True)


def _guid_tricks(big_guid_kb: int) -> bytes:
    big = "g" * (big_guid_kb * 1024)
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>GUIDs</title>'
            '<item><title>Traversal</title><guid isPermaLink="false">../../etc/passwd</guid></item>'
            '<item><title>Traversal as link</title><guid isPermaLink="true">../../../etc/shadow</guid></item>'
            f'<item><title>Huge guid</title><guid isPermaLink="false">{big}</guid></item>'
            '<item><title>Dup A</title><link>https://g.example.com/same</link><guid>dup</guid></item>'
            '<item><title>Dup B</title><link>https://g.example.com/same</link><guid>dup</guid></item>'
            '<item><title>Same guid other link</title><link>https://g.example.com/other</link><guid>dup</guid></item>'
            '<item><title>No guid</title><link>https://g.example.com/noguid</link></item>'
            '<item><title>Nothing at all but a title</title></item>'
            '<item></item>'
            '</channel></rss>').encode()


def _page(body: str) -> bytes:
    return f"<html><head><title>Big</title></head><body>{body}</body></html>".encode()


GENERATORS: dict[str, Callable[..., bytes]] = {
    "quadratic_blowup": _quadratic_blowup,
    "redos_author": _redos_author,
    "many_items": many_items,
    "guid_tricks": _guid_tricks,
    "encode": lambda text, encoding: text.encode(encoding),
    "literal": lambda text: text.encode(),
    "random_bytes": lambda size, seed: random.Random(seed).randbytes(size),
    "big_page": lambda mb: _page("<article><h1>Big</h1>" + "<p>" + "lorem ipsum dolor sit amet "
                                 * (mb * 2**20 // 27) + "</p></article>"),
    "many_paragraphs": lambda count: _page("<p>para text here</p>" * count),
    "big_table": lambda rows: _page("<table>" + "<tr><td>cell</td><td>x</td></tr>" * rows + "</table>"),
    "deep_nesting": lambda depth: _page("<div>" * depth + "deep text" + "</div>" * depth),
}


# -- looking at results -----------------------------------------------------------------------

def strings_of(value: Any) -> Iterator[str]:
    """Every string inside a result (ParsedFeed, Article, records, tuples, dicts)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, (Article, ArticleRecord, Block, ParsedFeed)) or hasattr(value, "__dataclass_fields__"):
        for name in value.__dataclass_fields__:
            yield from strings_of(getattr(value, name))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_of(key)
            yield from strings_of(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings_of(item)


def unsanitised(value: Any) -> list[str]:
    """The strings in ``value`` that ``sanitize()`` would still change (should be none)."""
    return [s[:80] for s in strings_of(value) if sanitize(s) != s]


# -- processes and terminals ------------------------------------------------------------------

def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env(**changes: str | None) -> dict[str, str]:
    """The environment for a child ``python -m tui``: this checkout first on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_warta(*args: str, env: dict[str, str] | None = None, timeout: float = 30,
              user: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True,
                          env=env or child_env(), timeout=timeout, cwd=ROOT, user=user)


def assert_one_clean_line(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Exit status 1, one line on stderr starting ``warta:``, no traceback; returns the line."""
    err = result.stderr.strip()
    assert result.returncode == 1, (result.returncode, err)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("warta: "), err
    for needle in needles:
        assert needle in err, (needle, err)
    return err


class PtyApp:
    """The real app under a pseudo-terminal: send keys, collect every byte it writes."""

    def __init__(self, args: Iterable[str], *, cols: int = 100, rows: int = 30,
                 env: dict[str, str] | None = None) -> None:
        import fcntl
        import pty
        import struct
        import termios

        self.output = bytearray()
        pid, fd = pty.fork()
        if pid == 0:  # child: exec the venv's full python path (argv[0] picks the venv)
            try:
                environment = env or child_env(TERM="xterm-256color", COLUMNS=None, LINES=None)
                os.chdir(ROOT)
                os.execve(sys.executable, [sys.executable, "-m", "tui", *args], environment)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def read_for(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output += chunk

    def wait_for(self, needle: bytes, timeout: float = 20) -> bool:
        deadline = time.monotonic() + timeout
        while needle not in self.output and time.monotonic() < deadline:
            self.read_for(0.1)
        return needle in self.output

    def send(self, keys: str, settle: float = 0.3) -> None:
        os.write(self.fd, keys.encode())
        self.read_for(settle)

    def finish(self, timeout: float = 15) -> int | None:
        """Read until the child exits; its wait status (None if it had to be killed)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.read_for(0.2)
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.read_for(0.2)
                os.close(self.fd)
                return status
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
        os.close(self.fd)
        return None


# -- the app under Pilot ----------------------------------------------------------------------

async def wait_until(pilot: Any, condition: Callable[[], bool], timeout: float = 30) -> None:
    """Let the app run until ``condition()`` holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        await pilot.pause(0.05)


def toasts(app: Any) -> list[str]:
    """The messages of every notification the app has shown and still holds."""
    return [str(n.message) for n in app._notifications]


def reader_words(app: Any) -> str:
    """The reader's text with line wrapping undone (phrases can be searched whole)."""
    from tui.app.widgets.reader import Reader

    return " ".join(" ".join(app.main.query_one(Reader).text_lines).split())


def app_config(*feeds: Any, extract_timeout: float = 10.0, workers: int = 1,
               on_start: bool = True, path: Path | None = None) -> Any:
    """A config for app tests: these feeds, fast fetch limits, no periodic refresh."""
    from tui.core.config import Config, FetchConfig, RefreshConfig

    return Config(path=path, feeds=tuple(feeds),
                  fetch=FetchConfig(min_delay=0, retries=0, workers=workers, read_timeout=3,
                                    deadline=5, extract_timeout=extract_timeout),
                  refresh=RefreshConfig(on_start=on_start, interval_minutes=0))
