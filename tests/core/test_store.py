"""The store: round trips, user state that survives everything, no pickle, schema versions."""

from __future__ import annotations

import os
import pickle
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import diskcache
import pytest

from tui.core.errors import SchemaMismatchError
from tui.core.models import ArticleState, Feed
from tui.core.store import Store, _pack
from tui.core.query import CompiledFilter

from ..conftest import make_record


def test_article_round_trip_keeps_every_field(store: Store) -> None:
    record = make_record(1, tags=("tech", "science"))
    store.put_articles([record])
    assert store.get_article(record.id) == record
    [summary] = store.summaries(store.rowids())
    assert (summary.id, summary.title, summary.feed_tags) == (record.id, record.title, ("tech", "science"))


def test_list_is_newest_first_and_updates_replace(store: Store) -> None:
    records = [make_record(n) for n in range(5)]
    store.put_articles(records)
    store.put_articles([records[0].with_changes(title="Retitled")])
    titles = [s.title for s in store.summaries(store.rowids())]
    assert titles == ["Article number 4", "Article number 3", "Article number 2",
                      "Article number 1", "Retitled"]


def test_search_follows_replacements(store: Store) -> None:
    record = make_record(1, body="The zeppelin landed in the harbour. " * 10)
    store.put_articles([record])
    hits = lambda word: store._index.rowids(CompiledFilter(  # noqa: E731
        sql="a.rowid IN (SELECT rowid FROM search WHERE search MATCH ?)", params=(word,)))
    assert len(hits("zeppelin")) == 1
    store.put_articles([make_record(1, body="A submarine surfaced instead. " * 10)])
    assert hits("zeppelin") == [] and len(hits("submarine")) == 1


def test_search_entry_kept_through_a_change_of_feeds_and_tags(store: Store) -> None:
    """A record re-put with the same title and text keeps one search entry, and the entry
    is still the one a later change of the text takes away (a contentless index holds no
    text of its own: taking away other words than it holds would leave the old ones)."""
    record = make_record(1, body="The zeppelin landed in the harbour. " * 10)
    store.put_articles([record])
    matches = lambda word: store._index.db.execute(  # noqa: E731
        "SELECT count(*) FROM search WHERE search MATCH ?", (word,)).fetchone()[0]
    retagged = record.with_changes(feeds=("https://example.org/feed",), feed_tags=("air",))
    store.put_articles([retagged], previous={record.id: record})
    assert matches("zeppelin") == 1 and matches("number") == 1
    [summary] = store.summaries(store.rowids())
    assert summary.feed_tags == ("air",)
    store.put_articles([make_record(1, body="A submarine surfaced instead. " * 10)])
    assert matches("zeppelin") == 0 and matches("submarine") == 1


def test_state_round_trip_and_index_flags(store: Store) -> None:
    record = make_record(1)
    store.put_articles([record])
    store.update_state(record.id, read=True, starred=True, tags=("later",), position=12)
    assert store.get_state(record.id) == ArticleState(True, True, ("later",), 12)
    [summary] = store.summaries(store.rowids())
    assert summary.read and summary.starred and summary.user_tags == ("later",)


def test_state_survives_reopen(tmp_path: Path) -> None:
    with Store.open(tmp_path) as first:
        first.put_articles([make_record(1)])
        first.update_state(make_record(1).id, starred=True)
    with Store.open(tmp_path) as second:
        assert second.get_state(make_record(1).id).starred


def test_index_rebuilt_when_it_missed_a_write(tmp_path: Path) -> None:
    """A crash between the store write and the index write is repaired at the next open."""
    with Store.open(tmp_path) as store:
        store.put_articles([make_record(1)])
        record = make_record(2)
        store._articles.set("a:" + record.id, _pack(record.to_json()))  # write without index
        store._articles.incr("warta:seq")
    with Store.open(tmp_path) as store:
        assert store.count() == 2


def test_an_index_write_skipped_while_another_holds_the_index_is_never_covered_up(
        tmp_path: Path) -> None:
    """Another process holds the index (its rebuild, a long bulk write) past the busy timeout:
    the store write stands, its index write is skipped. The next write's index write succeeds,
    but must not make the index look in step: the skipped article would stay out of the list
    for good. Here the holder is a real second SQLite connection in a write transaction."""
    with Store.open(tmp_path) as store:
        store.put_articles([make_record(1)])
        holder = sqlite3.connect(tmp_path / "index.sqlite", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            store.put_articles([make_record(2)])  # waits out the busy timeout, then skips
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert store.get_article(make_record(2).id) is not None  # what was saved stays saved
        store.put_articles([make_record(3)])
        assert store.count() == 2  # the index really missed article 2 ...
        assert store.index_stale and store.index_lags()  # ... and says so
        store.rebuild_index()
        assert store.count() == 3 and not store.index_lags()
    with Store.open(tmp_path) as again:
        assert again.count() == 3 and not again.index_stale


def test_a_second_warta_missing_the_index_is_seen_and_repaired_at_the_next_open(
        tmp_path: Path) -> None:
    with Store.open(tmp_path) as ours, Store.open(tmp_path) as theirs:
        ours.put_articles([make_record(1)])
        holder = sqlite3.connect(tmp_path / "index.sqlite", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            theirs.put_articles([make_record(2)])
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        ours.put_articles([make_record(3)])
        assert ours.count() == 2 and ours.index_lags()
    with Store.open(tmp_path) as store:
        assert store.count() == 3


def test_index_writes_out_of_order_are_in_step_once_the_gap_fills(store: Store) -> None:
    """Two writers whose index writes land in the other order (the write lock timed out):
    the later one is noted ahead of the gap and counted once the earlier one arrives."""
    index = store._index
    articles, states = index.applied_seqs()
    one, two = make_record(1), make_record(2)
    index.upsert([(two, None)], {}, articles_seq=articles + 2)
    assert index.applied_seqs() == (articles, states)  # a gap: not in step with +2
    index.upsert([(one, None)], {}, articles_seq=articles + 1)
    assert index.applied_seqs() == (articles + 2, states)
    index.upsert([(one, None)], {}, articles_seq=articles + 4)
    index.set_seqs((articles + 9, states))  # a replay ends with the stores' own counters
    index.upsert([(one, None)], {}, articles_seq=articles + 10)
    assert index.applied_seqs() == (articles + 10, states)


def test_a_new_data_dir_opens_without_a_rebuild(tmp_path: Path) -> None:
    with Store.open(tmp_path, rebuild_later=True) as store:
        assert not store.index_stale
        store.put_articles([make_record(1)])
    with Store.open(tmp_path, rebuild_later=True) as store:
        assert not store.index_stale and store.count() == 1


def test_corrupt_index_is_rebuilt(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        store.put_articles([make_record(n) for n in range(3)])
    (tmp_path / "index.sqlite").write_bytes(b"garbage" * 100)
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"index.sqlite{suffix}").unlink(missing_ok=True)
    with Store.open(tmp_path) as store:
        assert store.count() == 3


def test_raw_pages_are_evicted_but_user_state_never(tmp_path: Path) -> None:
    with Store.open(tmp_path, raw_size_limit=200_000) as store:
        records = [make_record(n) for n in range(300)]
        store.put_articles(records)
        store.update_state(records[0].id, starred=True)
        store.update_state(records[1].id, read=True)
        for record in records:
            store.put_raw(record.id, os.urandom(40_000), {"content-type": "text/html"})
        assert store._raw.volume() <= 200_000 + 400_000  # diskcache culls in steps
        assert len(store.raw_ids()) < 300
        assert store.get_state(records[0].id).starred
        assert store.get_state(records[1].id).read
        assert all(store.get_article(r.id) is not None for r in records)


def test_raw_round_trip(store: Store) -> None:
    store.put_raw("abc", b"<html>hi</html>", {"content-type": "text/html"})
    assert store.get_raw("abc") == (b"<html>hi</html>", {"content-type": "text/html"})
    assert store.get_raw("missing") is None


def test_planted_pickle_is_never_loaded(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self) -> tuple[object, ...]:
            return (open, (str(marker), "w"))

    with Store.open(tmp_path / "data") as store:
        store.put_articles([make_record(1)])
    # Plant a pickled value the way diskcache's default Disk would store one (mode 4).
    db = sqlite3.connect(tmp_path / "data" / "state" / "cache.db")
    db.execute("INSERT INTO Cache(key, raw, store_time, expire_time, access_time, access_count,"
               " tag, size, mode, filename, value) VALUES (?, 1, 0, NULL, 0, 0, NULL, 0, 4, NULL, ?)",
               ("s:" + make_record(1).id, pickle.dumps(Exploit())))
    db.commit()
    db.close()
    with Store.open(tmp_path / "data") as store:
        assert store.get_state(make_record(1).id) == ArticleState()
    assert not marker.exists()


def test_schema_mismatch_is_a_clear_error(tmp_path: Path) -> None:
    with Store.open(tmp_path):
        pass
    cache = diskcache.Cache(str(tmp_path / "articles"))
    cache.set("warta:schema", 999)
    cache.close()
    with pytest.raises(SchemaMismatchError, match="another version of Warta"):
        Store.open(tmp_path)


def test_subscriptions_and_feed_meta_persist(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        store.add_subscription(Feed(url="https://example.org/feed", tags=("tech",)))
        store.set_feed_meta("https://example.org/feed", {"etag": "abc"})
    with Store.open(tmp_path) as store:
        assert store.subscriptions() == [Feed(url="https://example.org/feed", tags=("tech",))]
        assert store.get_feed_meta("https://example.org/feed") == {"etag": "abc"}
        store.remove_subscription("https://example.org/feed")
        assert store.subscriptions() == []


def test_tag_counts_count_unread(store: Store) -> None:
    records = [make_record(n, tags=("tech",) if n % 2 else ("tech", "world")) for n in range(4)]
    store.put_articles(records)
    store.update_state(records[0].id, read=True)
    counts = {tag: (unread, total) for tag, _kind, unread, total in store._index.tag_counts()}
    assert counts == {"tech": (3, 4), "world": (1, 2)}


def _counted_tags(store: Store) -> list[tuple[str, int, int, int]]:
    """``tag_counts()`` the slow way: counted from the tag rows (what tag_stats must equal)."""
    rows = store._index.db.execute(
        "SELECT t.tag, min(t.kind), count(DISTINCT CASE WHEN a.read = 0 THEN t.article END),"
        " count(DISTINCT t.article) FROM tags t JOIN articles a ON a.rowid = t.article"
        " GROUP BY t.tag").fetchall()
    return sorted(rows, key=lambda row: (-row[3], row[0]))


def test_tag_counts_follow_every_kind_of_write(store: Store) -> None:
    import random

    rng = random.Random(5)
    names = ["tech", "world", "Tech", "later", "sport"]
    ids = []
    for step in range(150):
        n = rng.randrange(30)
        action = rng.random()
        if action < 0.4:
            record = make_record(n, tags=tuple(rng.sample(names, rng.randint(0, 3))))
            page = tuple(rng.sample(names, rng.randint(0, 2)))
            store.put_articles([record.with_changes(page_tags=page)])
            ids.append(record.id)
        elif action < 0.8 and ids:
            store.update_state(rng.choice(ids), read=rng.random() < 0.5,
                               tags=tuple(rng.sample(names, rng.randint(0, 2))))
        elif ids:
            store.delete_articles([rng.choice(ids)])
        assert store._index.tag_counts() == _counted_tags(store), f"step {step}"
    assert store._index.tag_counts()  # the walk did leave some tags


def test_tag_counts_survive_a_rebuild_and_an_index_without_them(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        records = [make_record(n, tags=("tech",) if n % 2 else ("tech", "world")) for n in range(6)]
        store.put_articles(records)
        store.update_state(records[1].id, read=True, tags=("later", "tech"))
        expected = store._index.tag_counts()
        assert expected == _counted_tags(store)
        store.rebuild_index()
        assert store._index.tag_counts() == expected
        # An index written by a Warta that did not keep tag_stats: no table, or stale seqs.
        store._index.db.execute("DROP TABLE tag_stats")
    with Store.open(data) as store:
        assert store._index.tag_counts() == expected
        with store._index.db:
            store._index.db.execute("DELETE FROM tag_stats WHERE tag = 'world'")
            store._index.db.execute("UPDATE meta SET value = value + 1 WHERE key = 'state_seq'")
    with Store.open(data) as store:  # out of step: rebuilt, stats and all
        assert store._index.tag_counts() == expected
        with store._index.db:
            store._index.db.execute("DELETE FROM tag_stats WHERE tag = 'world'")
            store._index.db.execute("DELETE FROM meta WHERE key = 'tag_stats:articles_seq'")
    with Store.open(data) as store:  # index in step, stats not: stats refilled, no rebuild
        assert store._index.tag_counts() == expected


def test_rebuild_keeps_search_and_tags_and_rolls_back_on_error(store: Store) -> None:
    from tui.core.models import ArticleState as State

    records = [make_record(n, body=f"Unique word quokka{n} here. " * 5) for n in range(1200)]
    store.put_articles(records)
    store.update_state(records[7].id, read=True, starred=True)
    hits = lambda word: store._index.rowids(CompiledFilter(
        sql="a.rowid IN (SELECT rowid FROM search WHERE search MATCH ?)", params=(word,)))
    before = store.summaries(store.rowids())
    seen: list[int] = []
    store._index.rebuild(
        ((r, store.get_state(r.id)) for r in [*records, records[3]]),  # a duplicate id is skipped
        seqs=store._index.applied_seqs(), progress=seen.append)
    assert store.summaries(store.rowids()) == before
    assert seen[-1] == 1200 and len(seen) > 1
    assert len(hits("quokka1199")) == 1 and len(hits("quokka7")) == 1
    assert store._index.tag_counts() == _counted_tags(store) == [("news", 0, 1199, 1200)]

    def failing() -> Iterator[tuple[object, State]]:
        yield from ((r, State()) for r in records[:600])
        raise OSError("disk went away")

    with pytest.raises(OSError, match="went away"):
        store._index.rebuild(failing(), seqs=(0, 0))  # type: ignore[arg-type]
    assert store.summaries(store.rowids()) == before  # rolled back
    assert len(hits("quokka1199")) == 1


def test_rebuild_at_open_reports_progress(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        store.put_articles([make_record(n) for n in range(5)])
    (tmp_path / "index.sqlite").unlink()
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"index.sqlite{suffix}").unlink(missing_ok=True)
    calls: list[tuple[int, int]] = []
    with Store.open(tmp_path, on_rebuild=lambda done, total: calls.append((done, total))) as store:
        assert store.count() == 5
    assert calls and calls[-1] == (5, 5)
