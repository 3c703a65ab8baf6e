"""Retention: what ``collect_garbage`` removes, what it keeps, and the sentence it says."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tui.core.models import ArticleRecord
from tui.core.retention import GcSummary, collect_garbage
from tui.core.store import Store
from tui.core.query import CompiledFilter

from ..conftest import make_record

NOW = time.time()


def aged(n: int, days: float, **changes: object) -> ArticleRecord:
    """Article ``n`` published and fetched ``days`` ago."""
    record = make_record(n, age_days=days)
    return record.with_changes(fetched=NOW - days * 86400, **changes)


def test_old_articles_go_young_and_starred_stay(store: Store) -> None:
    old, young, starred = aged(1, 200), aged(2, 10), aged(3, 400)
    store.put_articles([old, young, starred])
    store.update_state(starred.id, starred=True)
    store.update_state(old.id, read=True)

    summary = collect_garbage(store, keep_days=90, now=NOW)

    assert (summary.articles_removed, summary.starred_kept, summary.articles_remaining) == (1, 1, 2)
    assert store.get_article(old.id) is None
    assert store.get_article(young.id) is not None and store.get_article(starred.id) is not None
    assert [s.id for s in store.summaries(store.rowids())] == [young.id, starred.id]


def test_unread_articles_age_out_too(store: Store) -> None:
    store.put_articles([aged(1, 100), aged(2, 100)])
    store.update_state(aged(1, 100).id, read=True)
    summary = collect_garbage(store, keep_days=30, now=NOW)
    assert (summary.articles_removed, summary.unread_removed) == (2, 1)


def test_starred_go_too_when_not_kept(store: Store) -> None:
    record = aged(1, 400)
    store.put_articles([record])
    store.update_state(record.id, starred=True)
    summary = collect_garbage(store, keep_days=90, keep_starred=False, now=NOW)
    assert summary.articles_removed == 1 and store.count() == 0


def test_a_recent_fetch_keeps_an_old_dated_article(store: Store) -> None:
    """Deleting it would only see the next refresh add it again, unread."""
    record = aged(1, 900).with_changes(fetched=NOW - 3600)
    store.put_articles([record])
    assert collect_garbage(store, keep_days=90, now=NOW).articles_removed == 0


def test_removed_articles_leave_search_state_and_raw_pages(store: Store) -> None:
    old = aged(1, 200, title="Zeppelin over the harbour")
    store.put_articles([old, aged(2, 1)])
    store.update_state(old.id, read=True, tags=("later",))
    store.put_raw(old.id, b"<html>" + b"x" * 50_000, {"content-type": "text/html"})

    summary = collect_garbage(store, keep_days=90, now=NOW)

    assert store.get_raw(old.id) is None and summary.raw_bytes_freed >= 50_000
    assert store.get_state(old.id).is_default
    assert store._index.rowids(CompiledFilter(
        sql="a.rowid IN (SELECT rowid FROM search WHERE search MATCH ?)", params=("zeppelin",))) == []
    assert all(tag != "later" for tag, *_ in store._index.tag_counts())


def test_nothing_to_collect_changes_nothing(store: Store) -> None:
    store.put_articles([aged(n, 1) for n in range(3)])
    summary = collect_garbage(store, keep_days=30, now=NOW)
    assert summary.articles_removed == 0 and summary.articles_remaining == 3


def test_raw_pages_are_trimmed_to_the_budget_oldest_first(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        records = [aged(n, 1) for n in range(20)]
        store.put_articles(records)
        for record in records:
            store.put_raw(record.id, os.urandom(40_000), {"content-type": "text/html"})
        summary = collect_garbage(store, keep_days=30, raw_budget_bytes=400_000, now=NOW)
        assert summary.articles_removed == 0 and summary.raw_pages_removed > 0
        assert store.raw_size() <= 400_000
        assert store.get_raw(records[-1].id) is not None and store.get_raw(records[0].id) is None
        assert summary.raw_bytes_freed >= summary.raw_pages_removed * 40_000
        assert all(store.get_article(r.id) is not None for r in records)
    with Store.open(tmp_path) as store:  # the raw cache keeps its schema mark and its limit
        assert store.raw_size() <= 400_000
        assert store._raw.size_limit == 512 * 2**20


def test_state_and_index_agree_after_collecting(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The next start must not find the index out of step (a full rebuild at 100,000)."""
    with Store.open(tmp_path) as store:
        records = [aged(n, 200 if n % 2 else 1) for n in range(10)]
        store.put_articles(records)
        for record in records:
            store.update_state(record.id, read=True)
        collect_garbage(store, keep_days=90, now=NOW)
    monkeypatch.setattr(Store, "rebuild_index", lambda self: pytest.fail("index rebuilt"))
    with Store.open(tmp_path) as store:
        assert store.count() == 5 and store.unread_count() == 0


def test_negative_keep_days_is_refused(store: Store) -> None:
    with pytest.raises(ValueError):
        collect_garbage(store, keep_days=-1)


@pytest.mark.parametrize(
    ("summary", "line"),
    [
        (GcSummary(90, True, 1204, 0, 0, 0, 312_000_000, 98_796),
         ("removed 1,204 articles older than 90 days (starred kept), 312 MB of raw pages; "
          "98,796 articles remain")),
        (GcSummary(30, True, 1, 1, 3, 12, 2_500_000, 1),
         ("removed 1 article older than 30 days (1 of them unread, 3 starred kept), 2.5 MB of raw "
          "pages (12 trimmed to the budget); 1 article remains")),
        (GcSummary(1, False, 0, 0, 0, 0, 0, 0),
         "removed 0 articles older than 1 day, 0 bytes of raw pages; 0 articles remain"),
    ],
)
def test_describe(summary: GcSummary, line: str) -> None:
    assert summary.describe() == line


def test_a_full_raw_cache_still_opens(tmp_path: Path) -> None:
    """Eviction takes the oldest entry first, the cache's schema mark included."""
    with Store.open(tmp_path, raw_size_limit=1_000_000) as store:
        for n in range(40):
            store.put_raw(f"page{n}", os.urandom(40_000), {})
    with Store.open(tmp_path, raw_size_limit=1_000_000) as store:
        assert store.get_raw("page39") is not None
