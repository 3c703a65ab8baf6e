"""``|``: the article as Markdown into a real command, its output on screen, the app never stuck."""

from __future__ import annotations

import asyncio
import os
import shlex
import sys
from pathlib import Path

from tests.app.conftest import make_app
from tests.app.helpers import notifications
from tui.app.app import WartaApp
from tui.app.screens.pipe_output import PipeOutput
from tui.app.widgets.reader import Reader
from tui.core.config import Config, PipeConfig
from tui.core.store import Store

PY = shlex.quote(sys.executable)
FIRST_LINE = f"{PY} -c \"import sys; d = sys.stdin.read(); print('GOT', d.splitlines()[0]); print(len(d.split()), 'words')\""


async def _pipe(app: WartaApp, pilot: object, command: str) -> PipeOutput:
    await pilot.press("vertical_line")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    app.main.query_one("#pipe-prompt Input").value = command  # type: ignore[attr-defined]
    await pilot.press("enter")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    screen = app.screen
    assert isinstance(screen, PipeOutput)
    return screen


async def _finished(pilot: object, screen: PipeOutput) -> list[str]:
    for _ in range(600):
        if screen.result is not None or "cannot" in _status(screen):
            break
        await pilot.pause(0.05)  # type: ignore[attr-defined]
    return screen.query_one(Reader).text_lines


def _status(screen: PipeOutput) -> str:
    return str(screen.query_one("#pipe-output-status").render())


async def test_pipe_sends_the_article_as_markdown_and_shows_the_output(app: WartaApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        title = app.main.article_list.current.title  # type: ignore[union-attr]
        screen = await _pipe(app, pilot, FIRST_LINE)
        lines = await _finished(pilot, screen)
        assert lines[0].startswith("GOT # ") and title[:20] in lines[0]  # the Markdown title line
        assert lines[1].endswith("words") and int(lines[1].split()[0]) > 50
        assert "exit 0" in _status(screen)
        await pilot.press("escape")
        assert not isinstance(app.screen, PipeOutput)


async def test_a_named_command_from_the_config_and_its_stderr(demo_store: Store) -> None:
    script = f"{PY} -c \"import sys; sys.stdin.read(); print('out'); sys.stderr.write('no api key'); sys.exit(3)\""
    config = Config(pipe=PipeConfig(commands={"summary": script}))
    app = make_app(demo_store, config)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = await _pipe(app, pilot, "summary")
        lines = await _finished(pilot, screen)
        assert lines[:4] == ["out", "", "stderr", "no api key"]
        assert "exit 3" in _status(screen)


async def test_the_timeout_stops_the_command_and_the_app_keeps_answering(demo_store: Store) -> None:
    app = make_app(demo_store, Config(pipe=PipeConfig(timeout=3.0)))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = await _pipe(app, pilot, "sleep 30")
        assert "running" in _status(screen)
        await pilot.press("j")  # keys are handled while the command runs
        lines = await _finished(pilot, screen)
        assert screen.result is not None and screen.result.timed_out
        assert any("time limit" in line for line in lines)


async def test_closing_the_output_kills_a_running_command(demo_store: Store, tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    app = make_app(demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await _pipe(app, pilot, f"sh -c 'echo $$ > {pid_file}; exec sleep 60'")
        for _ in range(400):
            if pid_file.exists() and pid_file.read_text().strip():
                break
            await pilot.pause(0.05)
        pid = int(pid_file.read_text())
        await pilot.press("escape")
        assert not isinstance(app.screen, PipeOutput)
        for _ in range(400):
            if not _alive(pid):
                break
            await asyncio.sleep(0.05)
        assert not _alive(pid)


async def test_an_unreadable_command_keeps_the_prompt_open(app: WartaApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("vertical_line")
        await pilot.pause()
        app.main.query_one("#pipe-prompt Input").value = "tr 'a-z A-Z"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, PipeOutput)
        assert "cannot read the command" in str(app.main.query_one("#pipe-prompt .prompt--error").render())


async def test_a_missing_program_is_one_line(app: WartaApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = await _pipe(app, pilot, "no-such-command-xyz --flag")
        await _finished(pilot, screen)
        assert "cannot run no-such-command-xyz" in _status(screen)
        assert not notifications(app) or all("Traceback" not in n for n in notifications(app))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


async def test_the_pipe_key_is_remappable_and_in_help(demo_store: Store) -> None:
    from tui.app.screens.help import HelpScreen

    app = make_app(demo_store, Config(keys={"article.pipe": "ctrl+g"}))
    async with app.run_test(size=(120, 60)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(app.screen.text_lines)  # type: ignore[attr-defined]
        line = next(line for line in text.splitlines() if "article.pipe" in line)
        assert line.split()[0] == "^g" and "Pipe the article" in line
        await pilot.press("escape")
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert app.main.query_one("#pipe-prompt").has_class("-open")
