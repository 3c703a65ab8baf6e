"""The pictures benchmark runs in its smoke mode, so an API change that breaks it fails here."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def test_images_benchmark_smoke_prints_every_figure() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "images.py"), "--smoke"],
                            capture_output=True, text=True, timeout=110)
    assert result.returncode == 0, result.stderr[-2000:]
    figures = dict(re.findall(r"^(.+?)\s{2,}(-?\d+\.\d)$", result.stdout, re.MULTILINE))
    for name in ("text frame: difference", "pictures after the text, first open",
                 "pictures after the text, again", "RSS: pictures' share", "raw cache after"):
        assert any(key.startswith(name) for key in figures), (name, result.stdout)
