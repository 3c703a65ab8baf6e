"""Issue #10 in the real app: a second reader on one data dir, recoveries said in the app."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import make_record
from tui.core.store import Store

from .support import PtyApp, assert_one_clean_line, child_env, run_warta


def _seed(data: Path, count: int = 4) -> None:
    with Store.open(data) as store:
        store.put_articles([make_record(n) for n in range(count)])


def _env(tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "config.toml"
    config.write_text("[refresh]\non_start = false\n")
    return child_env(TERM="xterm-256color", COLUMNS=None, LINES=None, WARTA_CONFIG=str(config),
                     HOME=str(tmp_path))


def test_a_second_reader_on_one_data_dir_is_refused_and_the_first_keeps_going(tmp_path: Path) -> None:
    """Refused rather than kept in step: a toggle decided from a screen a moment behind (the
    other reader just unstarred) would star again, and polling cannot close that window."""
    data = tmp_path / "data"
    _seed(data)
    env = _env(tmp_path)
    first = PtyApp(["--data-dir", str(data)], env=env)
    try:
        assert first.wait_for(b"4 articles", 25), bytes(first.output[-2000:])
        second = run_warta("--data-dir", str(data), env=env)
        assert_one_clean_line(second, "already open on", str(data), f"pid {first.pid}")
        listed = run_warta("--data-dir", str(data), "list", env=env)  # the CLI still works
        assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 4, listed.stderr
        first.send("s", settle=0.5)  # the first reader still writes
    finally:
        first.send("q", settle=0.3)
        status = first.finish()
    assert status is not None and os.WIFEXITED(status)
    with Store.open(data) as store:
        assert store.get_state(make_record(3).id).starred
    again = PtyApp(["--data-dir", str(data)], env=env)  # the lock went with the first reader
    try:
        assert again.wait_for(b"4 articles", 25), bytes(again.output[-2000:])
    finally:
        again.send("q", settle=0.3)
        again.finish()
