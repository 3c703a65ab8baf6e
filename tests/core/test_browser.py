"""Opening links: only http(s), no shell, exactly one argument, a clear line when impossible."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.common import FakeOpener
from tui.core.browser import (NoBrowserError, browser_command, browser_program, open_url,
                              run_in_terminal)
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


def test_browser_variable_keeps_its_flags_and_fills_the_placeholder(browser: str) -> None:
    opener = FakeOpener()
    open_url("http://example.org/", opener=opener, environ={"BROWSER": f"{browser} --new-window %s"})
    assert opener.calls == [[browser, "--new-window", "http://example.org/"]]


def test_browser_flags_without_placeholder_put_the_url_last(browser: str) -> None:
    opener = FakeOpener()
    open_url("http://example.org/", opener=opener, environ={"BROWSER": f"{browser} --new-tab"})
    assert opener.calls == [[browser, "--new-tab", "http://example.org/"]]


def test_placeholder_inside_a_word_stays_one_argument(browser: str) -> None:
    url = "https://example.org/a?x=1&y=2;rm%20-rf"
    argv = browser_command({}, f"'{browser}' --url=%u -P 'my profile'").argv(url)
    assert argv == [browser, f"--url={url}", "-P", "my profile"]


def test_config_browser_wins_over_the_environment(browser: str) -> None:
    command = browser_command({"BROWSER": "no-such-browser-xyz"}, browser)
    assert command.program == browser and not command.in_terminal


@pytest.mark.parametrize("name", ["w3m", "lynx", "links", "elinks", "browsh"])
def test_known_text_browsers_run_in_the_terminal(tmp_path: Path, name: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    program = tmp_path / name
    program.write_text("#!/bin/sh\nexit 0\n")
    program.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert browser_command({"BROWSER": f"{name} -dump"}).in_terminal
    assert not browser_command({"BROWSER": name}, in_terminal=False).in_terminal


def test_in_terminal_setting_marks_any_browser(browser: str) -> None:
    assert browser_command({}, browser, in_terminal=True).in_terminal
    assert not browser_command({}, browser).in_terminal


def test_unbalanced_quote_in_browser_is_one_line() -> None:
    with pytest.raises(NoBrowserError, match="cannot be read"):
        browser_command({"BROWSER": "firefox 'oops"})


def test_terminal_browser_command_still_refuses_non_web_links(browser: str) -> None:
    with pytest.raises(UnsafeURLError):
        browser_command({}, browser, in_terminal=True).argv("file:///etc/passwd")


def test_run_in_terminal_waits_and_passes_one_argument(tmp_path: Path) -> None:
    record = tmp_path / "argv.txt"
    program = tmp_path / "textbrowser"
    program.write_text(f'#!/bin/sh\nprintf "%s\\n" "$#" "$@" > {record}\nexit 3\n')
    program.chmod(0o755)
    url = "https://example.org/x?q=$(id)"
    status = run_in_terminal(browser_command({}, f"{program} -o x", in_terminal=True).argv(url))
    assert status == 3  # waited for it: its exit status is known and the file is written
    assert record.read_text().splitlines() == ["3", "-o", "x", url]


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
