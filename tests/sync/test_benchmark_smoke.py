"""``benchmarks/sync.py --smoke`` runs and prints its figures (not checked against targets)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.sync.freshrss import why_not_available

ROOT = Path(__file__).resolve().parents[2]


def test_sync_benchmark_smoke() -> None:
    reason = why_not_available()
    if reason:
        pytest.skip(f"real FreshRSS unavailable: {reason}")
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "sync.py"), "--smoke"],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    for figure in ("baseline  bare API listing", "first     sync", "no-change sync",
                   "key press to frame while a sync runs", "targets:"):
        assert figure in done.stdout, done.stdout
