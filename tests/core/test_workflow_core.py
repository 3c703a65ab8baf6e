"""The core of the reading workflow: bulk ids, sorts in SQL, feed rows, undo by groups."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tui.core.config import parse_config
from tui.core.errors import ConfigError, WartaError
from tui.core.library import Library
from tui.core.models import Feed
from tui.core.query import next_sort
from tui.core.store import Store
from tui.core.undo import UndoStack

from ..conftest import make_record


def filled(store: Store) -> Library:
    store.put_articles([replace(make_record(n, site=f"s{n % 3}.org"), feeds=(f"http://f{n % 2}/",))
                        for n in range(10)])
    return Library(store)


def test_sorts_come_from_the_index(store: Store) -> None:
    library = filled(store)
    newest = library.summaries(library.listing().rowids)
    assert [s.published for s in newest] == sorted((s.published for s in newest), reverse=True)
    oldest = library.summaries(library.listing(sort="oldest").rowids)
    assert [s.id for s in oldest] == [s.id for s in reversed(newest)]
    library.change([newest[0].id], read=True)
    unread_first = library.summaries(library.listing(sort="unread").rowids)
    assert unread_first[-1].id == newest[0].id
    assert next_sort("unread", searching=False) == "newest"
    assert next_sort("unread", searching=True) == "rank"


def test_mark_all_read_and_its_undo_restore_exactly(store: Store) -> None:
    library = filled(store)
    ids = [s.id for s in library.summaries(library.listing().rowids)]
    library.change(ids[:2], read=True, starred=True)
    unread = library.ids_of(library.listing().rowids, unread_only=True)
    assert sorted(unread) == sorted(ids[2:])
    undo = UndoStack(library)
    undo.push("mark all read", [library.change(unread, read=True)])
    assert library.counts()[1] == 0
    undone = undo.undo()
    assert undone is not None and undone.label == "mark all read"
    assert library.counts()[1] == 8
    assert all(library.state(i).read and library.state(i).starred for i in ids[:2])
    assert undo.undo() is None


def test_undo_groups_articles_with_the_same_before_values(store: Store) -> None:
    library = filled(store)
    ids = [s.id for s in library.summaries(library.listing().rowids)]
    library.change(ids[:3], tags=("a",))
    library.change(ids[3:5], tags=("b",))
    undo = UndoStack(library)
    undo.push("tag all", [library.change(ids, tags=("z",))])
    undone = undo.undo()
    assert undone is not None and len(undone.changes) == 3  # ("a",), ("b",) and no tags
    assert [library.state(i).tags for i in ids[:6]] == [("a",)] * 3 + [("b",)] * 2 + [()]


def test_feed_rows_rename_and_find(store: Store) -> None:
    library = filled(store)
    library.subscribe(Feed(url="http://f0/", name="Zero"))
    library.subscribe(Feed(url="http://f1/", name="One"))
    rows = {row.name: row for row in library.feed_rows()}
    assert (rows["Zero"].unread, rows["Zero"].total) == (5, 5)
    assert library.find_feed("zero").url == "http://f0/"
    library.rename("http://f0/", "Nil")
    assert library.find_feed("Nil").url == "http://f0/"
    with pytest.raises(WartaError, match="No feed"):
        library.find_feed("Zero")


def test_config_sort(tmp_path: Path) -> None:
    assert parse_config(b'sort = "oldest"\n', tmp_path / "c.toml").sort == "oldest"
    with pytest.raises(ConfigError, match="sort"):
        parse_config(b'sort = "sideways"\n', tmp_path / "c.toml")
