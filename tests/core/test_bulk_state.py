"""Bulk state changes (mark all read, its undo): set-based writes that must equal one at a time.

Real diskcache on disk throughout; two writers are real processes; a full disk is a real tmpfs
where one can be mounted (see ``tests/hostile/test_storage.py``).
"""

from __future__ import annotations

import random
from pathlib import Path

import diskcache
import pytest

from tests.hostile.test_storage import _FullDisk, full_disk_store, small_disk  # noqa: F401
from tui.core import index as index_module
from tui.core import store as store_module
from tui.core.library import Library
from tui.core.models import ArticleState
from tui.core.store import JSONDisk, Store, _pack
from tui.core.undo import UndoStack

from ..conftest import make_record
from .test_store import _counted_tags

NAMES = ("tech", "world", "Tech", "later", "sport")


@pytest.fixture(params=["as shipped", "every shortcut"])
def shortcuts(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Run a test as shipped, and again with the bulk shortcuts taken for changes of any size
    (they start at a few thousand articles): the index's part worked out on a thread while the
    store writes, rows found by the rowids ``ids_of`` gave out, and the stored states of the
    last bulk write kept instead of read back."""
    if request.param == "every shortcut":
        monkeypatch.setattr(index_module, "_PARALLEL_WORTH", 1)
        monkeypatch.setattr(index_module, "_MEMO_WORTH", 1)
        monkeypatch.setattr(store_module, "_REMEMBER_WORTH", 1)
        return True
    return False


def _stored_rows(data: Path) -> dict[str, bytes]:
    """The state rows as diskcache itself reads them (a second, plain diskcache)."""
    cache = diskcache.Cache(str(data / "state"), disk=JSONDisk)
    try:
        return {key[2:]: cache.get(key) for key in cache.iterkeys() if str(key).startswith("s:")}
    finally:
        cache.close()


def test_bulk_changes_equal_one_at_a_time_in_store_index_and_tag_counts(
        tmp_path: Path, shortcuts: bool) -> None:
    """A random walk of bulk changes on one data dir and the same changes one article at a
    time on another: same states, same rows on disk, same list index and tag counts. Some
    steps change a part of the articles the step before changed (an undo does), some follow
    a lookup of the listed rows' ids (mark all read does)."""
    rng = random.Random(13)
    records = [make_record(n, tags=tuple(rng.sample(NAMES, rng.randint(0, 3)))) for n in range(60)]
    ids = [r.id for r in records]
    with Store.open(tmp_path / "bulk") as bulk, Store.open(tmp_path / "single") as single:
        for store in (bulk, single):
            store.put_articles(records)
        chosen = ids
        for step in range(40):
            if rng.random() < 0.4:
                chosen = rng.sample(chosen, rng.randint(1, len(chosen)))
            else:
                chosen = rng.sample(ids, rng.randint(1, 60))
            if rng.random() < 0.5:
                bulk.ids_of(bulk.rowids(), unread_only=rng.random() < 0.5)
            fields: dict[str, object] = {}
            for name in rng.sample(["read", "starred", "tags", "position"], rng.randint(1, 3)):
                fields[name] = (rng.random() < 0.5 if name in ("read", "starred") else
                                tuple(rng.sample(NAMES, rng.randint(0, 2))) if name == "tags"
                                else rng.randint(0, 3))
            saved = bulk.update_states(chosen, **fields)
            for article_id in chosen:
                single.update_state(article_id, **fields)
            assert saved == {i: single.get_state(i) for i in chosen}, f"step {step}"
            assert bulk.get_states(ids) == {i: single.get_state(i) for i in ids}, f"step {step}"
            assert bulk._index.tag_counts() == _counted_tags(bulk) == single._index.tag_counts()
            assert bulk.summaries(bulk.rowids()) == single.summaries(single.rowids())
            assert bulk.counts() == single.counts()
        final = single.get_states(ids)
    rows = _stored_rows(tmp_path / "bulk")
    assert rows == _stored_rows(tmp_path / "single")
    assert rows == {i: _pack(s.to_json()) for i, s in final.items() if not s.is_default}
    for name in ("bulk", "single"):  # diskcache's own bookkeeping (count, size) stays right
        cache = diskcache.Cache(str(tmp_path / name / "state"), disk=JSONDisk)
        try:
            assert list(cache.check()) == []
            assert len(cache) == cache._sql("SELECT count(*) FROM Cache").fetchone()[0]
        finally:
            cache.close()


def test_mark_all_and_undo_are_bulk_and_exact(tmp_path: Path, shortcuts: bool) -> None:
    """Library.change over every unread article, then the undo: states, counts and tag counts
    come back exactly (starred and tagged articles keep those marks throughout)."""
    with Store.open(tmp_path / "data") as store:
        records = [make_record(n, tags=("tech",) if n % 3 else ("tech", "world")) for n in range(300)]
        store.put_articles(records)
        store.update_states([r.id for r in records[:40]], read=True)
        store.update_states([r.id for r in records[30:60]], starred=True, tags=("later",))
        library = Library(store)
        before = {r.id: library.state(r.id) for r in records}
        counts_before, tags_before = library.counts(), library.tag_counts()
        undo = UndoStack(library)
        unread = library.ids_of(library.listing().rowids, unread_only=True)
        assert len(unread) == 260
        change = library.change(unread, read=True)
        assert set(change.changed_ids) == set(unread) and change.fields_changed() == {"read"}
        undo.push("mark all read", [change])
        assert library.counts() == (300, 0)
        assert all(t.unread == 0 for t in library.tag_counts())
        assert store._index.tag_counts() == _counted_tags(store)
        assert library.state(records[50].id) == ArticleState(read=True, starred=True, tags=("later",))
        undone = undo.undo()
        assert undone is not None and len(undone.changes) == 1  # one bulk change, not 260
        assert {r.id: library.state(r.id) for r in records} == before
        assert library.counts() == counts_before and library.tag_counts() == tags_before
        assert store._index.tag_counts() == _counted_tags(store)
    with Store.open(tmp_path / "data") as reopened:  # durable, and the index agrees after reopening
        assert {r.id: reopened.get_state(r.id) for r in records} == before
        assert not reopened.index_stale


def test_a_journal_sees_the_bulk_change_inside_its_transaction(tmp_path: Path, shortcuts: bool) -> None:
    """Store journals record every written article of a bulk change in the same transaction:
    a journal that fails rolls the whole change back."""

    class Recorder:
        def __init__(self) -> None:
            self.seen: list[tuple[str, ArticleState, ArticleState]] = []
            self.fail = False

        def record_states(self, changes: list[tuple[str, ArticleState, ArticleState]]) -> None:
            if self.fail:
                raise RuntimeError("journal broke")
            self.seen.extend(changes)

        def record_state(self, article_id: str, before: ArticleState, after: ArticleState) -> None:
            raise AssertionError("a bulk change is recorded in bulk")

        def record_subscription(self, url: str, feed: object) -> None: ...

    with Store.open(tmp_path / "data") as store:
        records = [make_record(n) for n in range(20)]
        store.put_articles(records)
        store.update_states([records[0].id], read=True, journal=False)
        recorder = Recorder()
        store.journals.append(recorder)  # type: ignore[arg-type]
        store.update_states([r.id for r in records], read=True)
        assert sorted(i for i, _, _ in recorder.seen) == sorted(r.id for r in records[1:])
        assert all(b == ArticleState() and a == ArticleState(read=True) for _, b, a in recorder.seen)
        recorder.fail = True
        with pytest.raises(RuntimeError):
            store.update_states([r.id for r in records], starred=True)
        assert not any(store.get_state(r.id).starred for r in records)
        assert store.unread_count() == 0


def test_bulk_change_on_a_full_disk_is_queued_shown_and_saved_later(
        full_disk_store: tuple[Store, _FullDisk], monkeypatch: pytest.MonkeyPatch,  # noqa: F811
        shortcuts: bool) -> None:
    """Mark all read with no room left: nothing is lost, the change is queued and shown as done,
    and saved in one go once there is room (as a bulk write, not one per article)."""
    import sqlite3

    store, disk = full_disk_store
    library = Library(store)
    ids = library.ids_of(library.listing().rowids, unread_only=True)
    assert len(ids) == 10
    if disk.mount_point is None:  # no tmpfs here: fail the write the way SQLite does on ENOSPC
        def full(*args: object, **kwargs: object) -> None:
            raise sqlite3.OperationalError("database or disk is full")

        disk.patch.setattr(Store, "_put_states", full)
    else:
        disk.fill()
    change = library.change(ids, read=True)
    assert change.queued and set(change.changed_ids) == set(ids)
    assert store.queued_count == 10 and library.save_error is not None
    assert all(s.read for s in library.summaries(library.listing().rowids))  # shown as done
    assert library.ids_of(library.listing().rowids, unread_only=True) == []
    assert store.unread_count() == 10  # not on disk yet
    disk.free()
    calls: list[int] = []
    original = Store.change_states

    def counted(self: Store, *args: object, **kwargs: object) -> object:
        calls.append(1)
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "change_states", counted)
    assert library.save_queued() == 10
    assert calls == [1]  # the queued mark-all is saved as one bulk change
    assert store.queued_count == 0 and store.unread_count() == 0
    assert all(s.read for s in store.get_states(ids).values())


def test_a_batch_of_records_equals_one_record_per_write(tmp_path: Path) -> None:
    """put_articles of batches (new, replaced, given twice, with user state and fingerprints)
    leaves the same stores, list index, search and tag counts as one record per call."""
    rng = random.Random(21)
    with Store.open(tmp_path / "bulk") as bulk, Store.open(tmp_path / "single") as single:
        for step in range(25):
            batch = []
            for _ in range(rng.randint(1, 12)):
                n = rng.randrange(40)
                record = make_record(n, tags=tuple(rng.sample(NAMES, rng.randint(0, 3))),
                                     body=f"{rng.choice(NAMES)} zeppelin{n} harbour " * 5)
                batch.append(record.with_changes(page_tags=tuple(rng.sample(NAMES, rng.randint(0, 2))),
                                                 fingerprint=f"fp{n % 7}"))
            if step % 4 == 3:  # user state first: the index rows carry it
                chosen = [r.id for r in batch[:3]]
                for store in (bulk, single):
                    store.update_states(chosen, read=True, tags=("later",))
            bulk.put_articles(batch)
            for record in batch:
                single.put_articles([record])
            assert bulk.summaries(bulk.rowids()) == single.summaries(single.rowids()), f"step {step}"
            assert bulk._index.tag_counts() == _counted_tags(bulk) == single._index.tag_counts()
            for n in range(7):
                assert bulk.find_by_fingerprint(f"fp{n}") == single.find_by_fingerprint(f"fp{n}")
        from tui.core.query import compile_filter

        for word in ("zeppelin3", "harbour", "tech"):
            where = compile_filter(word)
            assert sorted(bulk.rowids(where)) == sorted(single.rowids(where)), word
        ids = [make_record(n).id for n in range(40)]
        assert [bulk.get_article(i) for i in ids] == [single.get_article(i) for i in ids]
        assert bulk.article_ids_present(ids + ["nope"]) == {i for i in ids if single.has_article(i)}


def test_the_sync_journal_records_a_bulk_change_per_article_and_field(tmp_path: Path) -> None:
    """With sync on, a mark-all journals every article's read mark (what the server is sent if
    its own mark-all call cannot cover them), written with the change; undoing it before a
    sync cancels them (opposites cancel), star marks made earlier stay."""
    from tui.core.sync import attach_journal

    with Store.open(tmp_path / "data") as store:
        records = [make_record(n) for n in range(200)]
        store.put_articles(records)
        journal = attach_journal(store)
        library = Library(store)
        library.change([records[0].id], starred=True)
        unread = library.ids_of(library.listing().rowids, unread_only=True)
        change = library.change(unread, read=True)
        pending = {(c.article_id, c.field, c.value) for c in journal.pending()}
        assert pending == {(r.id, "read", True) for r in records} | {(records[0].id, "starred", True)}
        undo = UndoStack(library)
        undo.push("mark all read", [change])
        undo.undo()
        assert {(c.article_id, c.field) for c in journal.pending()} == {(records[0].id, "starred")}


def test_rows_that_moved_are_found_by_id(tmp_path: Path, shortcuts: bool) -> None:
    """The rowids ``ids_of`` gave out are not used once an article went and another took its
    rowid (SQLite reuses the highest), nor after another process wrote to the index."""
    with Store.open(tmp_path / "data") as store:
        records = [make_record(n) for n in range(30)]
        store.put_articles(records)
        ids = store.ids_of(store.rowids())
        newest = max(records, key=lambda r: store.rowid_of(r.id) or 0)
        rowid = store.rowid_of(newest.id)
        store.delete_articles([newest.id])
        newcomer = make_record(99)
        store.put_articles([newcomer])
        assert store.rowid_of(newcomer.id) == rowid  # the rowid the memo holds for another
        store.update_states(ids, read=True)
        assert store.summary(newcomer.id).read is False  # type: ignore[union-attr]
        assert store.unread_count() == 1
        listed = store.summaries(store.rowids())
        assert {s.id: s.read for s in listed} == {
            i: state.read for i, state in store.get_states([s.id for s in listed]).items()}
        ids = store.ids_of(store.rowids())
        with Store.open(tmp_path / "data") as other:  # a second Warta on the same data dir
            other.update_states(ids[:5], starred=True)
        store.update_states(ids, read=False)
        listed = {s.id: (s.read, s.starred) for s in store.summaries(store.rowids())}
        assert listed == {i: (False, n < 5) for n, i in enumerate(ids)}


def test_two_wartas_lose_nothing_between_a_bulk_change_and_its_undo(
        tmp_path: Path, shortcuts: bool) -> None:
    """Mark all read here, star some of those articles in a second Warta on the same data dir,
    undo here: the undo must read what the other wrote (the kept states of the bulk write are
    stale), so the stars stay, on disk and in the list."""
    with Store.open(tmp_path / "data") as store:
        records = [make_record(n) for n in range(40)]
        store.put_articles(records)
        library = Library(store)
        undo = UndoStack(library)
        ids = library.ids_of(library.listing().rowids, unread_only=True)
        undo.push("mark all read", [library.change(ids, read=True)])
        with Store.open(tmp_path / "data") as other:
            other.update_states(ids[:7], starred=True)
        assert undo.undo() is not None
        states = store.get_states(ids)
        assert states == {i: ArticleState(starred=n < 7) for n, i in enumerate(ids)}
        listed = {s.id: (s.read, s.starred) for s in store.summaries(store.rowids())}
        assert listed == {i: (False, n < 7) for n, i in enumerate(ids)}
    with Store.open(tmp_path / "data") as reopened:
        assert reopened.get_states(ids) == states
        assert not reopened.index_stale


def test_the_checkpoint_after_a_bulk_commit_never_creates_an_index(tmp_path: Path) -> None:
    """The WAL checkpoint a bulk change leaves to a thread of its own copies the WAL into the
    index file; an index that is gone by then (replaced, deleted) is not made again, empty."""
    with Store.open(tmp_path / "data") as store:
        store.put_articles([make_record(n) for n in range(3)])
        store.update_states([make_record(n).id for n in range(3)], read=True)
        thread = index_module._checkpoint_soon(store._index.path)
        assert thread is not None
        thread.join()
        assert store.unread_count() == 0
    gone = tmp_path / "gone" / "index.sqlite"
    gone.parent.mkdir()
    thread = index_module._checkpoint_soon(gone)
    assert thread is not None
    thread.join()
    assert not gone.exists()
