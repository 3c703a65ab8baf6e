"""Pipe an article into a command of the user's (a summariser, a translator, ``glow``, a script).

The command is the user's own words, split with shell rules (``shlex``) into an argv and
started without a shell: nothing from the article ever becomes part of a command line; the
article goes in on stdin only. The command runs in its own process group under a hard timeout
(the whole group is killed, so a ``sh -c 'sleep 100 | cat'`` cannot outlive it), and stdout and
stderr are each read up to a cap so a runaway command cannot fill memory. Its output is text
for a terminal, so it is sanitised; only colour (SGR) sequences may be kept, for a viewer that
turns them into styles.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shlex
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .errors import WartaError
from .sanitize import sanitize, sanitize_line

DEFAULT_TIMEOUT = 60.0  # seconds
DEFAULT_MAX_OUTPUT = 256 * 1024  # bytes of stdout (and, separately, of stderr)
_KILL_GRACE = 2.0  # seconds between SIGTERM and SIGKILL to the group


class PipeError(WartaError):
    """The command cannot be started, or its text cannot be read as a command."""


@dataclass(frozen=True, slots=True)
class PipeResult:
    """What the command did: its output (decoded, unsanitised), exit status, and what cut it."""

    argv: tuple[str, ...]
    stdout: str
    stderr: str
    returncode: int | None  # None when it was killed
    timed_out: bool = False
    truncated: bool = False  # output went past the cap; the command was stopped there

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def summary(self) -> str:
        """One line saying how it ended ("glow: exit 0", "sleep: killed after 5 s")."""
        name = sanitize_line(os.path.basename(self.argv[0]), 40)
        if self.timed_out:
            return f"{name}: stopped, it took longer than the time limit"
        if self.truncated:
            return f"{name}: stopped, its output passed the size limit"
        if self.returncode is not None and self.returncode < 0:
            return f"{name}: killed by signal {-self.returncode}"
        return f"{name}: exit {self.returncode}"


def command_argv(text: str, named: Mapping[str, str] | None = None) -> list[str]:
    """The argv for what the user typed: the name of a configured command (``[pipe.commands]``)
    or a command line of their own, split with shell rules. ``PipeError`` when empty or
    unreadable (an unbalanced quote)."""
    text = text.strip()
    if named and text in named:
        text = named[text]
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise PipeError(f"cannot read the command {sanitize_line(text, 60)!r}: {exc}") from None
    if not words:
        raise PipeError("no command given")
    return words


async def run_pipe(argv: Sequence[str], stdin_text: str, *, timeout: float = DEFAULT_TIMEOUT,
                   max_output: int = DEFAULT_MAX_OUTPUT, cwd: str | None = None) -> PipeResult:
    """Run ``argv`` with ``stdin_text`` on its stdin; never waits longer than ``timeout``."""
    argv = tuple(argv)
    try:
        process = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, start_new_session=True, close_fds=True, cwd=cwd,
        )
    except OSError as exc:
        raise PipeError(f"cannot run {sanitize_line(argv[0], 60)}: {exc.strerror or exc}") from None
    cut = asyncio.Event()
    stdout, stderr = bytearray(), bytearray()

    async def complete() -> None:
        await asyncio.gather(_read(process.stdout, stdout, max_output, cut),
                             _read(process.stderr, stderr, max_output, cut))
        await process.wait()

    feeding = asyncio.ensure_future(_feed(process, stdin_text.encode("utf-8")))
    completing = asyncio.ensure_future(complete())
    cutting = asyncio.ensure_future(cut.wait())
    try:
        done, _ = await asyncio.wait({completing, cutting}, timeout=timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
        timed_out = not done
        if completing not in done:
            await _kill_group(process)
            with contextlib.suppress(asyncio.TimeoutError):  # collect what is still in the pipes
                await asyncio.wait_for(asyncio.shield(completing), _KILL_GRACE)
    finally:
        for task in (feeding, completing, cutting):
            task.cancel()
        await asyncio.gather(feeding, completing, cutting, return_exceptions=True)
        if process.returncode is None:
            await _kill_group(process)
    return PipeResult(
        argv=argv,
        stdout=bytes(stdout).decode("utf-8", "replace"),
        stderr=bytes(stderr).decode("utf-8", "replace"),
        returncode=None if timed_out else process.returncode,
        timed_out=timed_out,
        truncated=cut.is_set(),
    )


async def _feed(process: asyncio.subprocess.Process, data: bytes) -> None:
    """Write the article and close stdin; a command that does not read it is fine."""
    assert process.stdin is not None
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        process.stdin.write(data)
        await process.stdin.drain()
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        process.stdin.close()
        await process.stdin.wait_closed()


async def _read(stream: asyncio.StreamReader | None, into: bytearray, limit: int,
                cut: asyncio.Event) -> None:
    """Read ``stream`` to its end into ``into``, at most ``limit`` bytes; set ``cut`` past that.

    Past the limit the rest is read and dropped (the command is being stopped): a pipe left
    unread never sees its end, and its transport would outlive the event loop."""
    assert stream is not None
    while chunk := await stream.read(65536):
        room = limit - len(into)
        if room > 0:
            into += chunk[:room]
        if len(chunk) > room:
            cut.set()


async def _kill_group(process: asyncio.subprocess.Process) -> None:
    """SIGTERM the command's whole process group, SIGKILL it if it lingers; reap it."""
    for number, grace in ((signal.SIGTERM, _KILL_GRACE), (signal.SIGKILL, None)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, number)
        try:
            await asyncio.wait_for(process.wait(), grace)
            break
        except TimeoutError:
            continue
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # children that ignored SIGTERM


_SGR = re.compile(r"\x1b\[[0-9;:]*m")


def terminal_text(output: str, *, colours: bool = True) -> str:
    """Command output made safe to show: every escape and control character removed except,
    with ``colours``, SGR colour sequences (which a viewer may turn into styles)."""
    if not colours:
        return sanitize(output)
    parts: list[str] = []
    position = 0
    for found in _SGR.finditer(output):
        parts.append(sanitize(output[position:found.start()]))
        parts.append(found.group())
        position = found.end()
    parts.append(sanitize(output[position:]))
    return "".join(parts)
