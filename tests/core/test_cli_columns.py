"""``warta list`` columns line up in any script: the real CLI in a subprocess, cells not len()."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from tui.core.store import Store
from tui.core.textwidth import cells

from ..conftest import make_record

SITES = ["テックウォッチ日報", "云帆新闻", "The Byteline", "한국경제신문 온라인 뉴스 속보 서비스 센터",
         "Le Courrier du Matin"]
TITLES = ["熊本の半導体新工場が量産開始 人材確保が課題", "三万册古籍“上线”：苏州一家图书馆用十年",
          "Lantern 3.0 ditches the browser", "반도체 수출 증가", "À Lyon, les bibliothèques restent ouvertes"]


def _data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.put_articles([replace(make_record(n, title=title), site=site)
                            for n, (site, title) in enumerate(zip(SITES, TITLES))])
    return data


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, WARTA_CONFIG=str(tmp_path / "none.toml"), **extra)
    (tmp_path / "none.toml").write_text("")
    return env


def test_list_columns_line_up_with_wide_characters(tmp_path: Path) -> None:
    data = _data_dir(tmp_path)
    result = subprocess.run([sys.executable, "-m", "tui", "list", "--data-dir", str(data)],
                            capture_output=True, text=True, env=_env(tmp_path), timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(TITLES)
    starts = set()
    for line in lines:
        title = next(t for t in TITLES if t in line)
        starts.add(cells(line[:line.index(title)]))  # the cell column where the title begins
    assert len(starts) == 1, result.stdout
    assert any("…" in line for line in lines)  # the long Korean site name was cut to its column


def test_list_on_a_terminal_fits_titles_to_its_width(tmp_path: Path) -> None:
    data = _data_dir(tmp_path)
    controller, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "tui", "list", "--data-dir", str(data)],
                               stdout=terminal, stderr=subprocess.PIPE, env=_env(tmp_path, COLUMNS="70"))
    os.close(terminal)
    output = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the program closed the terminal
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    assert process.wait(timeout=60) == 0
    lines = output.decode("utf-8").replace("\r\n", "\n").splitlines()
    assert len(lines) == len(TITLES)
    assert all(cells(line) <= 70 for line in lines), lines
    assert any(line.endswith("…") for line in lines)  # a title was cut, not wrapped
