"""OPML import/export (matrix C14)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.errors import SourceError
from tui.core.models import Feed
from tui.core.opml import MAX_BYTES, MAX_DEPTH, MAX_FEEDS, OpmlImport, export_opml, import_opml, read_opml

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


@pytest.mark.parametrize("data", [b"", b"not xml", b"<opml><body>", b"<rss/>", b"<opml><body><outline",
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


# Format characters (bidi marks, zero-width) are stripped from web text on purpose: not tags.
_tag = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cf")), min_size=1, max_size=15).map(
    lambda t: t.replace(",", " ").replace("/", " ").strip()).filter(lambda t: " ".join(t.split()) == t and t)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10_000), st.lists(_tag, max_size=3, unique=True)),
                max_size=8, unique_by=lambda item: item[0]))
def test_round_trip_property(items: list[tuple[int, list[str]]]) -> None:
    """Same feeds and tags back; the order may change (feeds are grouped by folder)."""
    feeds = [Feed(url=f"https://f{n}.example.com/rss", tags=tuple(tags)) for n, tags in items]
    back = import_opml(export_opml(feeds).encode(), user_typed=True)
    assert sorted(back, key=lambda f: f.url) == sorted(feeds, key=lambda f: f.url)


# -- forgiving import: one hand-written file per fault real exports have ------------------------


def read(name: str) -> OpmlImport:
    return read_opml((OPML / name).read_bytes())


def by_url(result: OpmlImport) -> dict[str, Feed]:
    return {feed.url: feed for feed in result.feeds}


def test_well_formed_file_needs_no_repair() -> None:
    result = read("subscriptions.opml")
    assert result.repaired_lines == 0
    assert result.skipped == {"not an http(s) URL": 5}  # file:, |cmd, exec:, filter:, --option
    assert result.describe(4) == ["Imported 4 feeds (5 outlines skipped: not an http(s) URL)"]


def test_bare_ampersands_in_titles_and_urls() -> None:
    result = read("fault-bare-ampersand.opml")
    feeds = by_url(result)
    assert list(feeds) == ["https://ballot.example.com/feed.php?home&x=1&y=2",
                           "https://tj.example.com/rss", "https://rnd.example.com/atom"]
    ballot = feeds["https://ballot.example.com/feed.php?home&x=1&y=2"]
    assert ballot.name == "Ballot & Box" and ballot.tags == ("News & Politics",)
    assert feeds["https://tj.example.com/rss"].name == "Tom & Jerry"  # escaped one kept as is
    assert feeds["https://rnd.example.com/atom"].name == "R&D weekly"
    assert result.repaired_lines == 3
    assert result.describe(3) == ["Imported 3 feeds (3 lines repaired)"]


def test_less_than_inside_attribute_values() -> None:
    feeds = by_url(read("fault-less-than.opml"))
    assert feeds["https://lt.example.com/rss"].name == "Small < Big"
    assert "https://plain.example.com/rss" in feeds


def test_stray_quotes_inside_attribute_values() -> None:
    result = read("fault-stray-quotes.opml")
    feeds = by_url(result)
    assert feeds["https://best.example.com/rss"].name == 'The "Best" Blog'
    assert feeds["https://mine.example.com/feed"].name == "It's mine"
    assert feeds["https://unquoted.example.com/rss"].name == "Unquoted"
    assert all(feed.tags == ("Blogs",) for feed in feeds.values())
    assert result.repaired_lines == 3


def test_html_entities_become_characters() -> None:
    feeds = by_url(read("fault-html-entities.opml"))
    cafe = feeds["https://cafe.example.com/rss"]
    assert cafe.name == "Café – Kultur news" and cafe.tags == ("Kulturä",)
    assert feeds["https://bogus.example.com/rss"].name == "Bogus &zzz; entity"


def test_windows_1252_file_without_declared_encoding() -> None:
    [feed] = read("fault-cp1252.opml").feeds
    assert feed.name == "Café & Bar" and feed.url == "https://latin.example.com/rss"


def test_truncated_file_keeps_the_feeds_before_the_cut() -> None:
    result = read("fault-truncated.opml")
    assert [feed.url for feed in result.feeds] == ["https://first.example.com/rss",
                                                   "https://second.example.com/rss"]
    assert all(feed.tags == ("Tech",) for feed in result.feeds)
    assert result.repaired_lines >= 1


@pytest.mark.parametrize("opener", ["<?", "<? ", "<!--", "<![CDATA["])
def test_unterminated_comment_or_instruction_is_text_and_what_follows_is_repaired(opener: str) -> None:
    """lxml's recovery reads on past a ``<?`` with no target as markup; a reference to a lone
    surrogate in it reached ``outline.attrib`` unrepaired and raised UnicodeDecodeError."""
    data = ('<?xml version="1.0"?><opml version="2.0"><body>' + opener
            + '<outline text="a" type="rss" xmlUrl="&#xD800;"/>'
            + '<outline text="b &amp; c" type="rss" xmlUrl="https://b.example.com/&#xDC00;rss"/>'
            + "</body></opml>").encode()
    result = read_opml(data)
    assert [(feed.url, feed.name) for feed in result.feeds] == [("https://b.example.com/rss", "b & c")]
    assert result.skipped == {"no feed URL": 1}
    assert result.repaired_lines == 1


def test_broken_file_with_nothing_recoverable_says_where() -> None:
    with pytest.raises(SourceError, match=r"^OPML file could not be read \(malformed XML at line 1"):
        read_opml(b"<opml><body><outline text='a & b'>")


def test_html_page_is_named_as_such() -> None:
    with pytest.raises(SourceError, match="^not an OPML file: it is an HTML page"):
        read("not-opml.html")


def test_doctype_without_entities_is_refused_as_a_dtd() -> None:
    with pytest.raises(SourceError, match="^OPML file has a DOCTYPE declaration"):
        read_opml(b'<?xml version="1.0"?><!DOCTYPE opml SYSTEM "http://x/opml.dtd"><opml/>')


def test_outlines_with_no_feed_url_are_counted() -> None:
    data = (b'<opml version="2.0"><body><outline text="Site only" type="rss" '
            b'htmlUrl="https://site.example.com/"/><outline text="empty folder"/>'
            b'<outline text="ok" xmlUrl="https://ok.example.com/rss"/></body></opml>')
    result = read_opml(data)
    assert [feed.url for feed in result.feeds] == ["https://ok.example.com/rss"]
    assert result.describe(1, already=0) == ["Imported 1 feed (1 outline skipped: no feed URL)"]


# -- caps: a file over one says which -----------------------------------------------------------


def _opml_with(count: int) -> bytes:
    outlines = "".join(f'<outline type="rss" text="F{n}" xmlUrl="https://f{n}.example.com/rss"/>\n'
                       for n in range(count))
    return f'<opml version="2.0"><body>\n{outlines}</body></opml>'.encode()


def test_feed_cap_is_reported_not_silent() -> None:
    result = read_opml(_opml_with(MAX_FEEDS + 25))
    assert len(result.feeds) == MAX_FEEDS and result.over_cap == 25
    summary, cap = result.describe(MAX_FEEDS)
    assert summary == f"Imported {MAX_FEEDS:,} feeds"
    assert cap == f"Stopped at the cap of {MAX_FEEDS:,} feeds per OPML file: 25 more feeds in it " \
                  "were not imported"


def _nested(depth: int) -> bytes:
    opening = "".join(f'<outline text="level{n}">' for n in range(depth))
    return (f'<opml version="2.0"><body>{opening}<outline text="deep" '
            f'xmlUrl="https://deep.example.com/rss"/>{"</outline>" * depth}</body></opml>').encode()


def test_twenty_folders_deep_imports_with_every_folder_as_tag() -> None:
    [feed] = read_opml(_nested(20)).feeds
    assert feed.url == "https://deep.example.com/rss"
    assert feed.tags == tuple(f"level{n}" for n in range(20))


def test_deeper_than_the_depth_cap_is_reported() -> None:
    result = read_opml(_nested(MAX_DEPTH + 5))
    assert result.feeds == []
    assert result.skipped == {f"nested deeper than {MAX_DEPTH} levels": 6}
    assert "6 outlines skipped: nested deeper than 50 levels" in result.describe(0)[0]


def test_size_cap_is_named() -> None:
    data = b'<opml version="2.0"><body>' + b" " * (MAX_BYTES + 1) + b"</body></opml>"
    with pytest.raises(SourceError, match=r"over the 20 MiB cap for OPML files; refused$"):
        read_opml(data)


def test_large_generated_file_with_faults_in_every_tenth_outline() -> None:
    """5,000 feeds in 250 folders, every tenth outline broken in one of the three ways."""
    faults = ['text="News & Views {n}"', 'text="Small < Big {n}"', 'text="The "Best" {n}"']
    lines = []
    for folder in range(250):
        lines.append(f'<outline text="Folder {folder}">')
        for item in range(20):
            n = folder * 20 + item
            text = faults[n // 10 % 3].format(n=n) if n % 10 == 0 else f'text="Feed {n}"'
            lines.append(f'  <outline type="rss" {text} xmlUrl="https://f{n}.example.com/rss?a=1&b={n}"/>')
        lines.append("</outline>")
    data = ('<?xml version="1.0"?>\n<opml version="2.0"><head><title>Big</title></head><body>\n'
            + "\n".join(lines) + "\n</body></opml>\n").encode()
    result = read_opml(data)
    assert len(result.feeds) == 5000 and result.over_cap == 0
    assert result.repaired_lines == 5000  # every line has a bare & in its URL
    feeds = by_url(result)
    assert feeds["https://f0.example.com/rss?a=1&b=0"].name == "News & Views 0"
    assert feeds["https://f10.example.com/rss?a=1&b=10"].name == "Small < Big 10"
    assert feeds["https://f20.example.com/rss?a=1&b=20"].name == 'The "Best" 20'
    assert feeds["https://f4999.example.com/rss?a=1&b=4999"].tags == ("Folder 249",)
