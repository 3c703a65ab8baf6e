"""Issue #10, a full disk, for real (a small tmpfs, as root): reading works, fetching onto it
says so once and fails, and nothing is left behind."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import make_record
from tests.disks import fill, mounted_tmpfs
from tests.server import TestServer
from tui.core.store import Store

from .support import assert_one_clean_line, child_env, run_warta

WORDS = " ".join(f"Sentence {n} of a long report about the harbour and its boats." for n in range(40))


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    with mounted_tmpfs(tmp_path / "disk", "3m") as disk:
        yield disk


def _snapshot(folder: Path) -> dict[str, tuple[int, float]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime)
            for p in folder.rglob("*") if p.is_file()}


def _env(tmp_path: Path, *feeds: str) -> dict[str, str]:
    config = tmp_path / "config.toml"
    config.write_text("[fetch]\nmin_delay = 0\nretries = 0\n"
                      + "".join(f'[[feeds]]\nurl = "{url}"\n' for url in feeds))
    return child_env(WARTA_CONFIG=str(config), HOME=str(tmp_path), XDG_RUNTIME_DIR=None)


def test_a_full_disk_still_reads_list_show_export(tmp_path: Path, disk: Path) -> None:
    data = disk / "data"
    with Store.open(data) as store:
        store.put_articles([make_record(n) for n in range(40)])
        store.update_state(make_record(3).id, starred=True)
    fill(disk)
    before = _snapshot(data)
    env = _env(tmp_path)
    for command in (["list"], ["list", "--json"], ["show", make_record(3).id], ["export"]):
        result = run_warta("--data-dir", str(data), *command, env=env)
        assert result.returncode == 0, (command, result.stderr)
        assert "opened" in result.stderr and "read-only" in result.stderr
    listed = run_warta("--data-dir", str(data), "list", env=env)
    assert len(listed.stdout.splitlines()) == 40 and "★" in listed.stdout
    assert _snapshot(data) == before  # not one byte written, no WAL left
    fetched = run_warta("--data-dir", str(data), "fetch", env=env)
    assert fetched.returncode == 1 and "Traceback" not in fetched.stderr
    assert fetched.stderr.count("disk full") == 1 and "nothing fetched" in fetched.stderr


def test_fetch_onto_a_disk_that_fills_up_says_it_once_and_fails(tmp_path: Path, disk: Path,
                                                                 server: TestServer) -> None:
    rng = random.Random(3)
    links = []
    for n in range(40):  # incompressible pages: the raw cache fills the disk
        noise = rng.randbytes(40_000).hex()
        links.append(server.add(f"/big/{n}", f"<html><head><title>Big {n}</title></head><body>"
                                f"<article><h1>Big {n}</h1><p>{WORDS}</p><p>{noise}</p></article>"
                                "</body></html>"))
    items = "".join(f"<item><title>Big {n}</title><link>{link}</link><description>Teaser…"
                    "</description></item>" for n, link in enumerate(links))
    feed = server.add("/big.xml", f'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>'
                      f"{items}</channel></rss>", "application/rss+xml")
    data = disk / "data"
    Store.open(data).close()
    fill(disk, leave=400_000)
    result = run_warta("--data-dir", str(data), "fetch", env=_env(tmp_path, feed), timeout=120)
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("disk full") == 1, result.stderr
    assert "the refresh stopped" in result.stderr


def test_a_failed_open_on_a_full_disk_is_one_line(tmp_path: Path, disk: Path) -> None:
    """A data dir that does not exist yet cannot be created on a full disk: one clean line."""
    fill(disk)
    result = run_warta("--data-dir", str(disk / "never-made"), "list", env=_env(tmp_path))
    if result.returncode:
        assert_one_clean_line(result, str(disk / "never-made"))


async def test_the_app_opens_a_full_disk_and_reads(disk: Path) -> None:
    from .support import reader_words, toasts
    from .test_storage import _app

    data = disk / "data"
    with Store.open(data) as store:
        store.put_articles([make_record(n) for n in range(5)])
    fill(disk)
    before = _snapshot(data)
    with Store.open(data) as store:
        assert store.read_only
        app = _app(store)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert any("read-only" in t for t in toasts(app)), toasts(app)
            await pilot.press("enter")
            await pilot.pause()
            assert "Paragraph about topic 4" in reader_words(app)
            await pilot.press("escape", "s", "j", "s")
            await pilot.pause()
            assert len([t for t in toasts(app) if "disk full" in t]) == 1, toasts(app)
            assert app.is_running
    assert _snapshot(data) == before
