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
