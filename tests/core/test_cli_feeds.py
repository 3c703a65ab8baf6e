"""``warta feeds``, ``warta rename`` and ``warta remove`` against a real feed on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.server import TestServer

from .test_cli import data_dir, publish_feed, run  # noqa: F401 - the fixture

__all__ = ["data_dir"]


def test_feeds_rename_remove(server: TestServer, data_dir: Path,  # noqa: F811
                             capsys: pytest.CaptureFixture[str]) -> None:
    feed = publish_feed(server)
    where = ("--data-dir", str(data_dir))
    assert run(capsys, "add", feed, *where)[0] == 0
    assert run(capsys, "fetch", *where)[0] == 0
    status, out, _ = run(capsys, "feeds", *where)
    assert status == 0
    [line] = [line for line in out.splitlines() if feed in line]
    assert line.startswith("River News") and "      3       3" in line
    status, out, _ = run(capsys, "rename", "river news", "Rivers", *where)
    assert status == 0 and "Renamed River News to Rivers" in out
    assert run(capsys, "feeds", *where)[1].splitlines()[1].startswith("Rivers ")
    status, out, _ = run(capsys, "remove", "Rivers", *where)
    assert status == 0 and "Unsubscribed from Rivers" in out
    assert "No feeds yet" in run(capsys, "feeds", *where)[1]
    status, _, err = run(capsys, "remove", "Rivers", *where)
    assert status == 1 and "No feed Rivers" in err


def test_feeds_in_a_subprocess_and_a_config_feed_cannot_be_removed(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[[feeds]]\nurl = "http://127.0.0.1:9/x.xml"\nname = "Kept"\n')
    env = {**os.environ, "WARTA_CONFIG": str(config)}
    where = ["--data-dir", str(tmp_path / "data")]
    listed = subprocess.run([sys.executable, "-m", "tui", "feeds", *where], env=env,
                            capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0 and "Kept" in listed.stdout and "never" in listed.stdout
    removed = subprocess.run([sys.executable, "-m", "tui", "remove", "Kept", *where], env=env,
                             capture_output=True, text=True, timeout=60)
    assert removed.returncode == 1 and "in the config file" in removed.stderr
