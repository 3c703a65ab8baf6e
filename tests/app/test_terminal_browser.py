"""A browser that lives in the terminal: the real ``warta`` on a real pseudo-terminal hands the
terminal to it (keyboard included) and takes it back when it quits."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path


from tests.app.conftest import make_app
from tests.app.helpers import notifications
from tests.common import FakeOpener
from tui.core.config import Config
from tui.core.store import Store

WAIT = 60.0  # seconds to wait for the program to get somewhere, however loaded the machine


class Terminal:
    """``warta`` on a pseudo-terminal of 100x30; what it wrote, and keys to type."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.controller, terminal = pty.openpty()
        fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        self.process = subprocess.Popen(argv, stdin=terminal, stdout=terminal, stderr=terminal,
                                        env=env, start_new_session=True)
        os.close(terminal)
        self.output = b""

    def wait_for(self, found: object, what: str) -> None:
        """Read until ``found()`` (a callable) is true; fail after ``WAIT`` seconds."""
        deadline = time.monotonic() + WAIT
        while not found():  # type: ignore[operator]
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; got {self.output[-2000:]!r}")
            ready, _, _ = select.select([self.controller], [], [], 0.2)
            if ready:
                try:
                    self.output += os.read(self.controller, 65536)
                except OSError:
                    return

    def type(self, keys: str) -> None:
        os.write(self.controller, keys.encode())

    def close(self) -> int:
        """Wait for the program to end, reading what it still writes (a full terminal would
        block it)."""
        try:
            self.wait_for(lambda: self.process.poll() is not None, "the program to end")
            return self.process.wait(timeout=WAIT)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            os.close(self.controller)


def test_terminal_browser_gets_the_terminal_and_the_app_comes_back(tmp_path: Path) -> None:
    record = tmp_path / "argv.txt"
    typed = tmp_path / "typed.txt"
    browser = tmp_path / "w3m"  # a known text browser's name: the terminal mode is automatic
    browser.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {record}\necho "FAKE BROWSER READY"\n'
                       f'read line\nprintf "%s" "$line" > {typed}\n')
    browser.chmod(0o755)
    config = tmp_path / "config.toml"
    config.write_text(f'browser = "{browser} -o confirm_qq=false"\n[refresh]\non_start = false\n')
    env = dict(os.environ, WARTA_CONFIG=str(config), TERM="xterm-256color", COLUMNS="100", LINES="30")
    app = Terminal([sys.executable, "-m", "tui", "--demo", "--offline"], env)
    try:
        app.wait_for(lambda: b"articles" in app.output, "the list")
        app.type("o")
        app.wait_for(lambda: b"FAKE BROWSER READY" in app.output, "the browser on the terminal")
        argv = record.read_text().splitlines()
        assert argv[:2] == ["-o", "confirm_qq=false"] and len(argv) == 3
        assert argv[2].startswith(("https://", "http://"))  # the article's URL, one argument
        mark = len(app.output)
        app.type("hello from the keyboard\r")  # the browser, not the app, reads the keys
        app.wait_for(lambda: typed.exists() and typed.read_text() == "hello from the keyboard",
                     "the browser to read the keyboard")
        app.wait_for(lambda: b"\x1b[?1049h" in app.output[mark:], "the app to take the screen back")
        app.wait_for(lambda: b"articles" in app.output[mark:], "the list drawn again")
        app.type("q")
    finally:
        status = app.close()
    assert status == 0


async def test_configured_browser_keeps_its_flags(demo_store: Store, opener: FakeOpener) -> None:
    app = make_app(demo_store, Config(browser="/bin/true --new-tab"), opener=opener)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        url = app.main.article_list.current.url  # type: ignore[union-attr]
        await pilot.press("o")
        await pilot.pause()
        assert opener.calls == [["/bin/true", "--new-tab", url]]


async def test_a_terminal_browser_where_the_terminal_cannot_be_handed_over_says_so(
        demo_store: Store, opener: FakeOpener) -> None:
    # run_test's headless driver cannot suspend: the real hand-over is the pty test above.
    app = make_app(demo_store, Config(browser="/bin/true", browser_in_terminal=True), opener=opener)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        assert opener.calls == []  # never started in the background
        assert any("cannot hand the terminal to true" in n for n in notifications(app))
