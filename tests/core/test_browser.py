"""Opening links: only http(s), no shell, exactly one argument, a clear line when impossible."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.common import FakeOpener
from tui.core.browser import NoBrowserError, browser_program, open_url
from tui.core.errors import UnsafeURLError


@pytest.fixture
def browser(tmp_path: Path) -> str:
    program = tmp_path / "mybrowser"
    program.write_text("#!/bin/sh\nexit 0\n")
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    return str(program)


def test_http_url_goes_to_browser_as_the_only_argument(browser: str) -> None:
    opener = FakeOpener()
    url = "https://example.org/a?b=c&d=$(rm%20-rf%20~);x`id`"
    open_url(url, opener=opener, environ={"BROWSER": browser})
    assert opener.calls == [[browser, url]]


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "javascript:alert(1)", "-https://example.org", "--help",
    "https://example.org/\x1b]52;c;eA==\x07", "data:text/html,hi", "mailto:a@b.c",
    " https://example.org", "", "https://",
])
def test_refuses_anything_but_plain_http(url: str, browser: str) -> None:
    opener = FakeOpener()
    with pytest.raises(UnsafeURLError):
        open_url(url, opener=opener, environ={"BROWSER": browser})
    assert opener.calls == []


def test_browser_variable_with_arguments_uses_the_program_only(browser: str) -> None:
    opener = FakeOpener()
    open_url("http://example.org/", opener=opener, environ={"BROWSER": f"{browser} --new-window %s"})
    assert opener.calls == [[browser, "http://example.org/"]]


def test_first_browser_on_path_wins(browser: str) -> None:
    environ = {"BROWSER": os.pathsep.join(["no-such-browser-xyz", browser])}
    assert browser_program(environ) == browser


def test_headless_without_browser_says_so_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.platform", "linux")
    with pytest.raises(NoBrowserError) as caught:
        open_url("https://example.org/", opener=FakeOpener(), environ={})
    assert "\n" not in str(caught.value) and "no browser" in str(caught.value)


def test_missing_browser_program_is_named() -> None:
    with pytest.raises(NoBrowserError, match="not a program on PATH"):
        open_url("https://example.org/", opener=FakeOpener(), environ={"BROWSER": "no-such-xyz"})


def test_option_looking_browser_is_refused() -> None:
    with pytest.raises(NoBrowserError):
        browser_program({"BROWSER": "-rf"})


def test_real_spawn_passes_one_argument(tmp_path: Path) -> None:
    record = tmp_path / "argv.txt"
    program = tmp_path / "recorder"
    program.write_text(f'#!/bin/sh\nprintf "%s\\n" "$#" "$@" > {record}\n')
    program.chmod(0o755)
    open_url("https://example.org/a b".replace(" ", "%20"), environ={"BROWSER": str(program)})
    for _ in range(100):
        if record.exists() and record.read_text().count("\n") >= 2:
            break
        import time
        time.sleep(0.02)
    assert record.read_text().splitlines() == ["1", "https://example.org/a%20b"]
