"""OPML import/export (matrix C14)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.errors import SourceError
from tui.core.models import Feed
from tui.core.opml import export_opml, import_opml

OPML = Path(__file__).parents[1] / "fixtures" / "opml"


def test_import_folders_become_tags_and_only_http_is_taken() -> None:
    feeds = import_opml((OPML / "subscriptions.opml").read_bytes())
    by_url = {feed.url: feed for feed in feeds}
    assert set(by_url) == {"https://planetpython.org/rss20.xml", "https://lwn.net/headlines/rss",
                           "http://example.com/feed", "https://esc.example.com/rss"}
    assert by_url["https://planetpython.org/rss20.xml"].tags == ("Tech", "Python")
    assert by_url["https://planetpython.org/rss20.xml"].name == "Planet Python"
    assert by_url["https://lwn.net/headlines/rss"].tags == ("Tech", "Kernel", "news", "dup")
    assert by_url["http://example.com/feed"].tags == ()
    assert by_url["https://esc.example.com/rss"].name == "Escape evil"
    assert all(not feed.user_typed for feed in feeds)


@pytest.mark.parametrize("name", ["billion_laughs.opml", "xxe.opml"])
def test_entity_declarations_refused_fast(name: str) -> None:
    started = time.monotonic()
    with pytest.raises(SourceError, match="^OPML file uses entity declarations; refused$"):
        import_opml((OPML / name).read_bytes())
    assert time.monotonic() - started < 1


def test_entity_declarations_refused_in_utf16() -> None:
    data = (OPML / "xxe.opml").read_text().encode("utf-16")
    with pytest.raises(SourceError, match="entity declarations"):
        import_opml(data)


@pytest.mark.parametrize("data", [b"", b"not xml", b"<opml><body>", b"<rss/>",
                                  b"<?xml version='1.0'?><html><body/></html>"])
def test_broken_or_foreign_files(data: bytes) -> None:
    with pytest.raises(SourceError):
        import_opml(data)


def test_opml_without_body_is_empty() -> None:
    assert import_opml(b"<opml version='2.0'><head/></opml>") == []


def test_round_trip() -> None:
    feeds = [
        Feed(url="https://a.example.com/rss", name="A & <B>", tags=("news", "world")),
        Feed(url="https://b.example.com/atom", tags=("news",), full_text="always", enabled=False),
        Feed(url="http://c.example.com/feed.json", name="C", max_articles=50, full_text="never"),
        Feed(url="https://d.example.com/rss", name="D", tags=("tech", "news")),
    ]
    text = export_opml(feeds)
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<opml version="2.0">')
    assert import_opml(text.encode()) == [replace_typed(f) for f in feeds]
    assert import_opml(text.encode(), user_typed=True) == feeds


def replace_typed(feed: Feed) -> Feed:
    return Feed(**{**feed.to_json(), "tags": feed.tags, "user_typed": False})


_tag = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=15).map(
    lambda t: t.replace(",", " ").replace("/", " ").strip()).filter(lambda t: " ".join(t.split()) == t and t)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10_000), st.lists(_tag, max_size=3, unique=True)),
                max_size=8, unique_by=lambda item: item[0]))
def test_round_trip_property(items: list[tuple[int, list[str]]]) -> None:
    """Same feeds and tags back; the order may change (feeds are grouped by folder)."""
    feeds = [Feed(url=f"https://f{n}.example.com/rss", tags=tuple(tags)) for n, tags in items]
    back = import_opml(export_opml(feeds).encode(), user_typed=True)
    assert sorted(back, key=lambda f: f.url) == sorted(feeds, key=lambda f: f.url)
