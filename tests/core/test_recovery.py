"""Storage faults: corrupt caches are moved aside, lost state comes back from its backup."""

from __future__ import annotations

import os
from pathlib import Path

from tui.core.store import Store

from ..conftest import make_record


def _corrupt(db: Path) -> None:
    with open(db, "r+b") as handle:
        handle.write(b"\0" * 140)


def test_corrupt_article_cache_is_moved_aside_and_state_kept(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        store.put_articles([make_record(1)])
        store.update_state(make_record(1).id, starred=True)
    _corrupt(tmp_path / "articles" / "cache.db")
    with Store.open(tmp_path) as store:
        assert any("articles store was corrupt" in n and ".corrupt-" in n for n in store.notices)
        assert store.get_state(make_record(1).id).starred
    assert list(tmp_path.glob("articles.corrupt-*"))


def test_truncated_state_store_is_restored_from_backup(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        store.put_articles([make_record(n) for n in range(3)])
        store.update_state(make_record(0).id, read=True)
        store.update_state(make_record(1).id, starred=True, tags=("keep",))
    assert (tmp_path / "backups" / "state.json").exists()
    db = tmp_path / "state" / "cache.db"
    os.truncate(db, db.stat().st_size // 2)
    _corrupt(db)
    with Store.open(tmp_path) as store:
        assert any("restored 2 marks" in n for n in store.notices), store.notices
        assert store.get_state(make_record(0).id).read
        assert store.get_state(make_record(1).id).tags == ("keep",)
        assert store.summary(make_record(1).id).starred  # type: ignore[union-attr]


def test_deleted_state_store_is_noticed_and_restored(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        store.put_articles([make_record(1)])
        store.update_state(make_record(1).id, read=True)
    for path in (tmp_path / "state").iterdir():
        path.unlink()
    with Store.open(tmp_path) as store:
        assert store.notices and "restored 1 marks" in store.notices[0]
        assert store.get_state(make_record(1).id).read


def test_lost_state_without_backup_is_never_silent(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        store.put_articles([make_record(1)])
    import shutil

    shutil.rmtree(tmp_path / "backups", ignore_errors=True)
    shutil.rmtree(tmp_path / "state")
    with Store.open(tmp_path) as store:
        assert any("no backup" in n for n in store.notices)
