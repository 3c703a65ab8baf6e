"""The pipe command: real small programs, the article on stdin, never a shell, bounded."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from tui.core.pipe import PipeError, command_argv, run_pipe, terminal_text

PY = sys.executable


async def test_article_goes_in_on_stdin_and_output_comes_back() -> None:
    article = "# 熊本の半導体\n\nBody with $(id) and `rm -rf ~` and ; | & in it.\n"
    result = await run_pipe([PY, "-c", "import sys; d = sys.stdin.read(); print(len(d)); print(d.upper())"],
                            article)
    assert result.ok and result.returncode == 0
    first, rest = result.stdout.split("\n", 1)
    assert int(first) == len(article)
    assert rest.startswith("# 熊本の半導体") and "$(ID)" in rest  # text, never run


async def test_stderr_and_exit_status_are_kept() -> None:
    result = await run_pipe([PY, "-c", "import sys; sys.stderr.write('no api key\\n'); sys.exit(4)"], "x")
    assert not result.ok and result.returncode == 4
    assert result.stderr == "no api key\n" and result.stdout == ""
    assert result.summary().endswith("exit 4")


async def test_cat_round_trips_a_large_article() -> None:
    article = "línea 行 " * 200_000  # ~2.6 MB: more than a pipe buffer in both directions
    result = await run_pipe(["cat"], article, max_output=10 * 1024 * 1024)
    assert result.ok and result.stdout == article and not result.truncated


async def test_a_command_that_ignores_stdin_is_fine() -> None:
    result = await run_pipe([PY, "-c", "print('done')"], "x" * 1_000_000)
    assert result.ok and result.stdout == "done\n"


async def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    marker = tmp_path / "child.pid"
    # The shell starts a grandchild that would outlive a kill of the shell alone.
    script = f"sleep 60 & echo $! > {marker}; wait"
    result = await run_pipe(["sh", "-c", script], "", timeout=1.0)
    assert result.timed_out and result.returncode is None and not result.ok
    assert "time limit" in result.summary()
    child = int(marker.read_text())
    for _ in range(200):
        if not _alive(child):
            break
        await asyncio.sleep(0.02)
    assert not _alive(child), "the grandchild survived the timeout"


async def test_output_is_capped_and_the_command_stopped() -> None:
    result = await run_pipe([PY, "-c", "import sys\nwhile True: sys.stdout.write('y' * 65536)"], "",
                            max_output=100_000, timeout=30)
    assert result.truncated and len(result.stdout) == 100_000
    assert "size limit" in result.summary()


async def test_missing_program_is_one_line() -> None:
    with pytest.raises(PipeError) as caught:
        await run_pipe(["no-such-command-xyz"], "x")
    assert "\n" not in str(caught.value) and "no-such-command-xyz" in str(caught.value)


async def test_the_event_loop_keeps_running_while_a_command_works() -> None:
    ticks = 0
    stop = asyncio.Event()

    async def tick() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.ensure_future(tick())
    result = await run_pipe(["sleep", "0.5"], "")
    stop.set()
    await ticker
    assert result.ok and ticks >= 2  # the loop ran while sleep did (not a timing bound)


def test_named_commands_and_typed_ones_are_split_with_shell_rules() -> None:
    named = {"glow": "glow -s dark -", "sum": "llm -s 'Summarise this in 3 lines'"}
    assert command_argv("glow", named) == ["glow", "-s", "dark", "-"]
    assert command_argv(" sum ", named) == ["llm", "-s", "Summarise this in 3 lines"]
    assert command_argv("tr a-z A-Z; rm -rf ~", named) == ["tr", "a-z", "A-Z;", "rm", "-rf", "~"]
    with pytest.raises(PipeError, match="cannot read"):
        command_argv("echo 'unbalanced", named)
    with pytest.raises(PipeError, match="no command"):
        command_argv("   ", named)


def test_output_keeps_colours_but_no_other_escapes() -> None:
    raw = "\x1b[1;31mred\x1b[0m \x1b]52;c;ZXZpbA==\x07\x1b[2J\x1b]0;title\x07done\x07\r\n"
    assert terminal_text(raw) == "\x1b[1;31mred\x1b[0m done\n"
    assert terminal_text(raw, colours=False) == "red done\n"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purpose (its parent, the killed shell, is gone too).
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False
