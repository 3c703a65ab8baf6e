"""The filter language: what it accepts, what it refuses, and what it finds."""

from __future__ import annotations

import time

import pytest

from tui.core.errors import FilterError
from tui.core.query import compile_filter, parse_filter
from tui.core.store import Store

from ..conftest import make_record


def rows(store: Store, text: str) -> list[str]:
    compiled = compile_filter(text)
    rowids = store._index.rowids(compiled)
    return [s.title for s in store.summaries(rowids)]


@pytest.fixture
def filled(store: Store) -> Store:
    store.put_articles([
        make_record(1, title="Rust 2.0 released", tags=("tech",), site="lwn.net",
                    body="The compiler got faster and the borrow checker friendlier. " * 5),
        make_record(2, title="Election results", tags=("world", "politics"), site="bbc.co.uk",
                    body="Voters went to the polls; the compiler of results was late. " * 5),
        make_record(3, title="Old news", tags=("tech",), site="lwn.net", age_days=400,
                    body="An old story about a compiler. " * 5),
        make_record(4, title="Open Source summit", tags=("Open Source", "tech"), site="example.org",
                    body="Maintainers met in Berlin to talk about funding. " * 5),
    ])
    state_id = make_record(2, site="bbc.co.uk").id
    store.update_state(state_id, read=True, starred=True)
    return store


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["Open Source summit", "Election results", "Rust 2.0 released", "Old news"]),
        ("+tech", ["Open Source summit", "Rust 2.0 released", "Old news"]),
        ("+TECH -world", ["Open Source summit", "Rust 2.0 released", "Old news"]),
        ('+"open source"', ["Open Source summit"]),
        ("site:lwn", ["Rust 2.0 released", "Old news"]),
        ("is:unread", ["Open Source summit", "Rust 2.0 released", "Old news"]),
        ("is:starred", ["Election results"]),
        ("since:30d +tech", ["Open Source summit", "Rust 2.0 released"]),
        ("before:2020-01-01", []),
        ("before:0001-01-01", []),  # a date, but before the clock's start: once "use a date"
        ("after:0001-01-01 +tech", ["Open Source summit", "Rust 2.0 released", "Old news"]),
        ("before:9999-12-31 is:starred", ["Election results"]),
        ("berlin", ["Open Source summit"]),
        ("compil +tech", ["Rust 2.0 released", "Old news"]),
        ('"borrow checker"', ["Rust 2.0 released"]),
        ('"checker borrow"', []),
    ],
)
def test_filters_find_the_right_articles(filled: Store, text: str, expected: list[str]) -> None:
    found = rows(filled, text)
    if text in ("compil +tech",):
        assert sorted(found) == sorted(expected)
    else:
        assert found == expected


def test_search_ranks_title_matches_first(store: Store) -> None:
    store.put_articles([
        make_record(1, title="Weather today", body="Mentions volcano once. " + "Filler words here. " * 30),
        make_record(2, title="Volcano erupts", body="The volcano erupted at dawn. " * 3),
    ])
    assert rows(store, "volcano")[0] == "Volcano erupts"


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [
        ("+tech colour:red", 7, "unknown filter 'colour:'"),
        ("is:maybe", 1, "is:maybe"),
        ("since:soon", 1, "since:soon"),
        ("after:2024-13-45", 1, "after:2024-13-45"),
        ('"unclosed phrase', 1, "unclosed quote"),
        ("+tech +", 7, "needs a value"),
    ],
)
def test_malformed_filters_point_at_the_bad_token(text: str, column: int, fragment: str) -> None:
    with pytest.raises(FilterError) as caught:
        compile_filter(text)
    assert fragment in str(caught.value)
    assert f"column {column}" in str(caught.value)
    assert caught.value.position == column - 1


def test_parse_keeps_phrases_and_signs() -> None:
    terms = parse_filter('+a -b "c d" site:x e')
    assert [(t.sign, t.key, t.value) for t in terms] == [
        ("+", "", "a"), ("-", "", "b"), ("", "", "c d"), ("", "site", "x"), ("", "", "e")]


def test_fts_syntax_in_user_text_is_inert(store: Store) -> None:
    store.put_articles([make_record(1, body="plain words only " * 10)])
    for hostile in ('NEAR(a b)', 'title:x', 'a OR', '*', '"', "AND", "^x", "a-b"):
        try:
            compiled = compile_filter(hostile)
        except FilterError:
            continue
        store._index.rowids(compiled)


def test_since_uses_now() -> None:
    compiled = compile_filter("since:1d", now=1_000_000.0)
    assert compiled.params == (1_000_000.0 - 86400,)
    assert time.time() > 0
