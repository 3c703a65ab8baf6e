"""A mark is on disk the moment it shows: the real app under a pty, killed with SIGKILL."""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from tui.core.store import Store

from ..conftest import make_record

ROOT = Path(__file__).resolve().parents[2]
STAR = "★".encode()


def read_until(master: int, needle: bytes, start: int, output: bytearray, timeout: float) -> bool:
    """Read the pty into ``output`` until ``needle`` appears after ``start``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if needle in output[start:]:
            return True
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return needle in output[start:]
            if not chunk:
                break
            output += chunk
    return needle in output[start:]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
def test_marks_survive_sigkill_right_after(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with Store.open(data_dir) as store:
        store.put_articles([make_record(n) for n in range(1, 6)])
        first = store.summaries(store.rowids())[0]
    assert first.title == "Article number 5" and not first.read and not first.starred
    config = tmp_path / "config.toml"
    config.write_text("")

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30",
           "WARTA_CONFIG": str(config), "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "--data-dir", str(data_dir), "--offline"],
        stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=env, start_new_session=True,
    )
    os.close(slave)
    output = bytearray()
    try:
        assert read_until(master, b"Article number 5", 0, output, 20), output[-2000:]
        time.sleep(0.3)  # let the first frame settle before typing
        mark = len(output)
        os.write(master, b"m")
        os.write(master, b"s")
        assert read_until(master, STAR, mark, output, 10), output[mark:][-2000:]
        os.kill(process.pid, signal.SIGKILL)  # no quit, no flush, no atexit
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        os.close(master)
    assert process.returncode == -signal.SIGKILL
    with Store.open(data_dir) as store:
        state = store.get_state(first.id)
        assert state.read and state.starred
        summary = store.summary(first.id)
        assert summary is not None and summary.read and summary.starred
