"""``benchmarks/scale.py bulk --smoke`` runs and prints its figures (values not checked)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bulk_benchmark_smoke() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "scale.py"), "bulk", "--smoke"],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    for figure in ("mark all read, y to frame", "undo mark all read, u to frame",
                   "feed pane, 2,000 feeds, F to frame", "baseline: whole-list repaint",
                   "articles marked"):
        assert figure in done.stdout, done.stdout
