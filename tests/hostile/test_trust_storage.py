"""Issue #10 on a real filesystem: parked changes other users cannot plant or redirect, and
the repairs a damaged data dir gets."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path

import pytest

from tests.conftest import make_record
from tui.core import backup
from tui.core.store import Store

NOBODY = 65534


@pytest.fixture
def shared_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A world-writable sticky temp dir standing in for /tmp, with no XDG_RUNTIME_DIR."""
    shared = tmp_path / "shared-tmp"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    return shared


def _changes() -> dict[str, dict[str, object]]:
    return {make_record(1).id: {"starred": True, "tags": ["later"]}}


def test_parked_changes_go_to_a_private_dir_not_a_predictable_tmp_name(
        tmp_path: Path, shared_tmp: Path) -> None:
    data = tmp_path / "data"
    Store.open(data).close()
    line = backup.park_pending(data, _changes())
    assert not list(shared_tmp.glob("warta-pending-*"))
    (spare,) = shared_tmp.iterdir()
    assert spare.name == f"warta-{os.getuid()}" and str(spare) in line
    assert stat.S_IMODE(spare.stat().st_mode) == 0o700
    (parked,) = spare.iterdir()
    assert stat.S_IMODE(parked.stat().st_mode) == 0o600
    with Store.open(data) as store:
        assert store.get_state(make_record(1).id).starred
        assert any("left over from a session" in n for n in store.notices)
    assert not list(spare.iterdir())


def test_a_planted_symlink_is_never_written_through(tmp_path: Path, shared_tmp: Path) -> None:
    data = tmp_path / "data"
    Store.open(data).close()
    victim = tmp_path / "victims-file"
    victim.write_text("precious")
    backup.park_pending(data, _changes())  # learn the file name (the attacker can compute it)
    (spare,) = shared_tmp.iterdir()
    (parked,) = spare.iterdir()
    parked.unlink()
    parked.symlink_to(victim)
    for name in [f".{parked.name}.{os.getpid()}.tmp"]:  # the temporary name too
        (spare / name).symlink_to(victim)
    backup.park_pending(data, _changes())
    assert victim.read_text() == "precious"
    assert parked.is_file() and not parked.is_symlink()


def test_changes_planted_by_another_user_are_ignored(tmp_path: Path, shared_tmp: Path) -> None:
    data = tmp_path / "data"
    Store.open(data).close()
    backup.park_pending(data, _changes())
    (spare,) = shared_tmp.iterdir()
    (parked,) = spare.iterdir()
    os.chown(parked, NOBODY, NOBODY)
    with Store.open(data) as store:
        assert not store.get_state(make_record(1).id).starred
    symlinked = {make_record(2).id: {"read": True}}
    target = tmp_path / "elsewhere.json"
    target.write_text(json.dumps(symlinked))
    parked.unlink()
    parked.symlink_to(target)
    with Store.open(data) as store:
        assert not store.get_state(make_record(2).id).read


def test_a_spare_dir_someone_else_made_is_refused_and_said(tmp_path: Path, shared_tmp: Path) -> None:
    data = tmp_path / "data"
    Store.open(data).close()
    hijacked = shared_tmp / f"warta-{os.getuid()}"
    hijacked.mkdir()
    os.chmod(hijacked, 0o777)
    os.chown(hijacked, NOBODY, NOBODY)
    line = backup.park_pending(data, _changes())
    assert "could not be saved" in line and "not private" in line and str(hijacked) in line
    assert not list(hijacked.iterdir())


# -- damaged article rows: a miss with a message, in the CLI and in the app ---------------------------

_DAMAGE = {
    "a-list": [1, 2, 3],
    "wrong-types": {"url": 5, "title": None, "feeds": "abc", "article": {"blocks": "xyz"}},
    "bad-link-span": {"url": "https://example.org/x", "title": "t",
                      "article": {"blocks": [{"kind": "paragraph", "text": "x", "links": [[1, 2]]}]}},
    "date-as-text": {"url": "https://example.org/x", "title": "t", "published": "yesterday"},
    "unknown-status": {"url": "https://example.org/x", "title": "t", "status": "exploded"},
    "not-json": None,
}


def _damage_row(data: Path, article_id: str, damage: object) -> None:
    import sqlite3

    from tui.core.store import _pack

    if isinstance(damage, dict):
        damage = {"id": article_id, **damage}
    value = b"\x78\x9cgarbage" if damage is None else _pack(damage)
    connection = sqlite3.connect(data / "articles" / "cache.db")
    connection.execute("UPDATE Cache SET value = ? WHERE key = ?", (value, "a:" + article_id))
    connection.commit()
    connection.close()


@pytest.mark.parametrize("damage", list(_DAMAGE), ids=list(_DAMAGE))
def test_a_damaged_article_row_reads_as_a_miss_with_a_message(tmp_path: Path, damage: str) -> None:
    from .support import assert_one_clean_line, run_warta

    data = tmp_path / "data"
    with Store.open(data) as store:
        store.put_articles([make_record(n) for n in range(3)])
    victim = make_record(1).id
    _damage_row(data, victim, _DAMAGE[damage])
    shown = run_warta("--data-dir", str(data), "show", victim)
    assert_one_clean_line(shown, f"article {victim} is damaged", "reads as missing")
    assert run_warta("--data-dir", str(data), "show", make_record(2).id).returncode == 0
    listed = run_warta("--data-dir", str(data), "list")
    assert listed.returncode == 0 and "Traceback" not in listed.stderr
    (data / "index.sqlite").unlink()  # a rebuild reads every row: the damaged one is skipped
    with Store.open(data) as store:
        assert store.count() == 2 and store.get_article(victim) is None


async def test_highlighting_a_damaged_article_in_the_app_is_a_miss_not_a_crash(tmp_path: Path) -> None:
    from .support import reader_words
    from .test_storage import _app, titles_shown

    data = tmp_path / "data"
    with Store.open(data) as store:
        store.put_articles([make_record(n) for n in range(3)])
    _damage_row(data, make_record(1).id, _DAMAGE["date-as-text"])
    with Store.open(data) as store:
        app = _app(store)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert titles_shown(app)[1] == "Article number 1"
            await pilot.press("j", "enter")
            await pilot.pause()
            assert app.is_running and "no longer in the cache" in reader_words(app)
            await pilot.press("escape", "j", "enter")
            await pilot.pause()
            assert "Paragraph about topic 0" in reader_words(app)


# -- a derived file damaged past its header: rebuilt and said, never a traceback ----------------------

def _damage_article_rows(db: Path) -> None:
    """Overwrite every page of the index's article rows but the table's root with noise: the
    header and schema stay readable, whatever order the writes laid the file out in (SQLite's
    dbstat table says which pages hold the table)."""
    import random
    import sqlite3

    connection = sqlite3.connect(db)
    try:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        pages = [number for (number,) in connection.execute(
            "SELECT pageno FROM dbstat WHERE name = 'articles' AND pagetype != 'internal'"
            " AND path != '/' ORDER BY pageno")]
    finally:
        connection.close()
    assert len(pages) >= 4, pages  # 300 articles: the table spans pages beyond its root
    noise = random.Random(1)
    with open(db, "r+b") as handle:
        for number in pages:
            handle.seek((number - 1) * page_size)
            handle.write(noise.randbytes(page_size))


@pytest.mark.parametrize("command", [["list"], ["list", "--json"], ["list", "number 7"],
                                     ["show", "ID"]], ids=["list", "json", "search", "show"])
def test_an_index_damaged_past_its_header_is_rebuilt_and_said(tmp_path: Path, command: list[str]) -> None:
    from .support import run_warta

    data = tmp_path / "data"
    with Store.open(data) as store:
        store.put_articles([make_record(n, body="words " * 400) for n in range(300)])
        store.update_state(make_record(7).id, starred=True)
    _damage_article_rows(data / "index.sqlite")
    args = [make_record(7).id if word == "ID" else word for word in command]
    result = run_warta("--data-dir", str(data), *args)
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.returncode == 0, result.stderr
    again = run_warta("--data-dir", str(data), "list", "--json")  # reads every row
    assert again.returncode == 0 and "Traceback" not in again.stderr, again.stderr[-3000:]
    said = result.stderr + again.stderr  # where the damage is met first: a search may miss it
    assert said.count("the article index") == 1 and "rebuilt it" in said, said
    assert len(again.stdout.splitlines()) == 300
    assert sum(json.loads(line)["starred"] for line in again.stdout.splitlines()) == 1


# -- every recovery said: by the CLI at once, and once by the next app -------------------------------

async def test_a_store_moved_aside_by_cron_is_said_by_the_cli_and_once_by_the_app(tmp_path: Path) -> None:
    from .support import run_warta, toasts
    from .test_storage import _app, _overwrite_header

    data = tmp_path / "data"
    with Store.open(data) as store:
        store.put_articles([make_record(n) for n in range(5)])
    _overwrite_header(data / "articles" / "cache.db")
    cron = run_warta("--data-dir", str(data), "gc")  # the cron job nobody watches
    assert cron.returncode == 0, cron.stderr
    assert "articles store was corrupt" in cron.stderr and ".corrupt-" in cron.stderr
    for session in range(2):
        with Store.open(data) as store:
            app = _app(store)
            async with app.run_test(size=(100, 30)) as pilot:
                await pilot.pause()
                said = [t for t in toasts(app) if "articles store was corrupt" in t]
                assert len(said) == (1 if session == 0 else 0), toasts(app)


# -- opening while another process writes ---------------------------------------------------------------

_BUSY_WRITER = """
import sys, time
sys.path.insert(0, {root!r})
from tests.conftest import make_record
from tui.core.errors import StoreError
from tui.core.store import Store
store = Store.open(sys.argv[1])
print("ready", flush=True)
errors, n, end = [], 0, time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    n += 1
    try:
        store.put_articles([make_record(100 + (n * 40 + k) % 400, body="words " * 2000)
                            for k in range(40)])  # one feed's batch, as a refresh writes it
        store.update_state(make_record(n % 50).id, read=bool(n % 2))
    except StoreError as exc:
        errors.append(str(exc))
store.close()
print(repr((n, errors)), flush=True)
"""


def test_opening_while_a_fetch_writes_never_rebuilds_and_the_writer_never_fails(tmp_path: Path) -> None:
    import subprocess
    import sys

    from .support import ROOT, child_env

    data = tmp_path / "data"
    with Store.open(data) as store:
        store.put_articles([make_record(n) for n in range(50)])
    writer = subprocess.Popen([sys.executable, "-c", _BUSY_WRITER.format(root=str(ROOT)), str(data), "4"],
                              stdout=subprocess.PIPE, text=True, env=child_env())
    assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
    rebuilds: list[tuple[int, int]] = []
    opens = 0
    try:
        while writer.poll() is None and opens < 40:
            with Store.open(data, on_rebuild=lambda done, total: rebuilds.append((done, total))):
                opens += 1
    finally:
        out, _ = writer.communicate(timeout=60)
    writes, errors = eval(out.strip().splitlines()[-1])  # noqa: S307 - our own child's repr
    assert opens >= 3 and writes >= 3, (opens, writes)  # both really ran (however loaded)
    assert rebuilds == [], f"{len(rebuilds)} rebuild batches in {opens} opens"
    assert errors == []
