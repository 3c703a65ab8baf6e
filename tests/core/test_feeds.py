"""Feed parsing on real fixture files and hostile inputs (matrix C1-C7, C10-C13)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.server import TestServer
from tui.core import feeds
from tui.core.errors import FeedParseError, NotAFeedError
from tui.core.feeds import (find_feed_links, parse_feed, parsed_feed_from_json,
                            parsed_feed_to_json)

FEEDS = Path(__file__).parents[1] / "fixtures" / "feeds"
URL = "https://feeds.example.com/feed.xml"
NOW = 1_750_000_000.0


def parse(name: str, **kw: object):
    return parse_feed((FEEDS / name).read_bytes(), URL, now=NOW, **kw)  # type: ignore[arg-type]


def rss(item_xml: str, *, title: str = "T", prolog: str = "") -> bytes:
    return (f'<?xml version="1.0"?>\n{prolog}<rss version="2.0"><channel><title>{title}</title>'
            f"{item_xml}</channel></rss>").encode()


def test_rss20_entries() -> None:
    feed = parse("rss20.xml")
    assert feed.title == "Example & News" and feed.site_url == "https://news.example.com/"
    by_title = {e.title: e for e in feed.entries}
    first = by_title["First story"]
    assert first.url == "https://news.example.com/2025/first?utm_source=rss"
    assert first.guid == "id-1" and first.tags == ("Politics", "World")
    assert first.published == 1735725600.0
    assert "alert" not in first.summary and "<" not in first.summary  # plain text, no script
    assert not first.summary_is_full  # a teaser ending in "Read more…"
    second = by_title["Second story"]
    assert second.url == "https://feeds.example.com/2025/second"  # relative link made absolute
    assert second.summary_is_full and second.author == "Jane Doe"
    assert second.summary.startswith("word0 word1") and second.summary.endswith("The end.")
    assert by_title["Third story, no date"].published is None


def test_newest_entries_first_and_limited() -> None:
    feed = parse("rss20.xml", max_entries=2)
    assert [e.title for e in feed.entries] == ["Third story, no date", "Second story"]


def test_atom() -> None:
    feed = parse("atom.xml")
    assert feed.title == "An Atom blog"
    one = next(e for e in feed.entries if e.guid.endswith(":1"))
    assert one.url == "https://blog.example.org/posts/one"  # xml:base honoured
    assert one.title == "Post one" and one.tags == ("python",)
    assert one.summary == "Summary of post one"
    two = next(e for e in feed.entries if e.guid.endswith(":2"))
    assert two.published == 1740909600.0  # +02:00 converted to UTC
    assert two.summary == "Complete short post."


def test_rss10_and_rss091() -> None:
    rdf = parse("rss10.rdf")
    assert rdf.entries[0].url == "https://rdf.example.net/a" and rdf.entries[0].tags == ("Holidays",)
    old = parse("rss091.xml")  # Netscape DTD, latin-1, &nbsp;
    assert old.title == "Old school" and old.entries[0].title == "Café opening"


def test_json_feed() -> None:
    feed = parse("jsonfeed.json")
    assert feed.title == "JSON blog" and feed.site_url == "https://json.example.com/"
    by_id = {e.guid: e for e in feed.entries}
    assert by_id["1"].title == "Hello evil"  # bidi override removed
    assert by_id["1"].summary == "Hi there" and by_id["1"].tags == ("Greeting",)
    assert by_id["1"].author == "Ann" and by_id["1"].published == 1738404000.0
    assert by_id["2"].url == "https://elsewhere.example.org/x" and by_id["2"].published is None
    assert by_id["2"].title == "No title here, just text."
    assert by_id["3"].url == ""  # javascript: link dropped, entry kept


def test_json_feed_lone_surrogate_and_nul() -> None:
    feed = parse("jsonfeed_surrogate.json")
    assert feed.title == "Sur\ufffdrogate"
    entry = feed.entries[0]
    assert "\ud800" not in entry.title and "\x00" not in entry.title
    entry.title.encode("utf-8")  # storable


@pytest.mark.parametrize("doc", [b'{"version": "https://jsonfeed.org/version/1"}',
                                 b'{"version": "https://jsonfeed.org/version/1.1", "items": 3}',
                                 b'{"version": 1, "items": [', b"[" * 100_000])
def test_broken_json_feeds(doc: bytes) -> None:
    with pytest.raises((FeedParseError, NotAFeedError)):
        parse_feed(doc, URL)


def test_plain_json_is_not_a_feed() -> None:
    with pytest.raises(NotAFeedError):
        parse_feed(b'{"hello": "world"}', URL)


@pytest.mark.parametrize("name", ["html_login.html"])
def test_html_is_not_a_feed(name: str) -> None:
    with pytest.raises(NotAFeedError, match="not a feed"):
        parse(name)


@pytest.mark.parametrize("content", [b"\x89PNG\r\n\x1a\n....", b"%PDF-1.4", b"", b"   \n",
                                     b"\x00\x01\x02\x03binary", b"just some text",
                                     b'<?xml version="1.0"?><urlset><url/></urlset>'])
def test_other_things_are_not_feeds(content: bytes) -> None:
    with pytest.raises(NotAFeedError):
        parse_feed(content, URL)


# -- C1/C2 entity tricks ------------------------------------------------------------------------

def test_billion_laughs_finishes_fast() -> None:
    started = time.monotonic()
    feed = parse("billion_laughs.xml")
    assert time.monotonic() - started < 1
    assert all(len(e.title) < 100 for e in feed.entries)
    assert "lollol" not in feed.title


def test_xxe_reads_no_file() -> None:
    feed = parse("xxe.xml")
    text = feed.title + "".join(e.title + e.summary for e in feed.entries)
    assert "root:" not in text


def test_external_dtd_never_fetched(server: TestServer) -> None:
    server.add("/evil.dtd", b'<!ENTITY x "boom">', "application/xml-dtd")
    doc = rss("<item><title>&x;</title><link>https://e.example.com/1</link></item>",
              prolog=f'<!DOCTYPE rss SYSTEM "{server.url("/evil.dtd")}">\n')
    feed = parse_feed(doc, URL)
    assert feed.entries and server.hits["/evil.dtd"] == 0


def test_quadratic_blowup_is_cheap() -> None:
    big = "A" * 100_000
    prolog = f'<!DOCTYPE rss [\n<!ENTITY a "{big}">\n]>\n'
    doc = rss("<item><title>" + "&a;" * 20_000 + "</title><link>https://q.example.com/</link></item>",
              prolog=prolog)
    started = time.monotonic()
    feed = parse_feed(doc, URL)
    assert time.monotonic() - started < 2
    assert len(feed.entries[0].title) <= 300


# -- C4 feedparser raising ------------------------------------------------------------------------

@pytest.mark.parametrize("ref", ["&#xD800;", "&#x110000;", "&#99999999999;", "&#0;",
                                 "&#" + "9" * 5000 + ";"])
def test_impossible_char_refs_cost_one_character(ref: str) -> None:
    doc = rss(f"<item><title>a{ref}b</title><link>https://c.example.com/1</link></item>")
    feed = parse_feed(doc, URL)
    assert feed.entries[0].title in ("a\ufffdb", "ab")


@pytest.mark.parametrize("ref", ["&#xD800;", "&#x110000;", "&#99999999999;"])
def test_feedparser_exceptions_become_feed_parse_error(ref: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the repair, feedparser 6.0.14 raises; whatever it raises is caught."""
    monkeypatch.setattr(feeds, "_repair_char_refs", lambda data: data)
    doc = rss(f"<item><title>a{ref}b</title><link>https://c.example.com/1</link></item>")
    try:
        parse_feed(doc, URL)
    except FeedParseError as exc:
        assert str(exc) == "feed could not be parsed"


def test_entity_with_backslash() -> None:
    doc = rss("<item><title>&p;</title><link>https://c.example.com/1</link></item>",
              prolog='<!DOCTYPE rss [\n<!ENTITY p "C:\\data">\n]>\n')
    assert parse_feed(doc, URL).entries[0].url == "https://c.example.com/1"


def test_any_feedparser_exception_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    import feedparser

    def explode(*args: object, **kwargs: object) -> None:
        raise RecursionError("deep")

    monkeypatch.setattr(feedparser, "parse", explode)
    with pytest.raises(FeedParseError, match="^feed could not be parsed$"):
        parse("rss20.xml")


def test_feedparser_never_opens_content_as_a_path(tmp_path: Path) -> None:
    secret = tmp_path / "secret.xml"
    secret.write_bytes(rss("<item><title>SECRET</title><link>https://s.example.com/</link></item>"))
    with pytest.raises(NotAFeedError):
        parse_feed(str(secret).encode(), URL)


def test_unterminated_doctype() -> None:
    with pytest.raises(FeedParseError):
        parse_feed(b'<?xml version="1.0"?><!DOCTYPE rss [ <!ENTITY a "x"> <rss/>', URL)


# -- C6 dates ---------------------------------------------------------------------------------------

def test_bad_dates() -> None:
    feed = parse("bad_dates.xml")
    published = {e.title: e.published for e in feed.entries}
    for title in ("garbage", "feb31", "ancient", "missing"):
        assert published[title] is None, title
    assert published["future"] == NOW + 86_400
    assert published["good"] == 1740783600.0
    assert isinstance(published["overflow"], (float, type(None)))  # feedparser normalises it


# -- C7 encodings -------------------------------------------------------------------------------------

def test_cp1252_declared_as_utf8() -> None:
    feed = parse("cp1252_as_utf8.xml")
    assert feed.entries[0].title == "Naïve résumé"


def test_utf16_without_bom() -> None:
    feed = parse("utf16_nobom.xml")
    assert feed.title == "UTF-16 feed" and feed.entries[0].title == "Ünïcode title"


# -- C10/C11 links and guids ------------------------------------------------------------------------

def test_dangerous_links_dropped_and_duplicates_merged() -> None:
    feed = parse("dangerous_links.xml")
    urls = [e.url for e in feed.entries]
    assert all(u == "" or u.startswith("https://") for u in urls)
    assert urls.count("https://links.example.com/ok") == 1
    assert not any("file:" in u or "javascript:" in u or "data:" in u for u in urls)
    assert "js" in {e.title for e in feed.entries}  # kept, just not fetchable


def test_long_guid_bounded() -> None:
    doc = rss(f"<item><title>t</title><guid isPermaLink='false'>{'g' * 1_000_000}</guid></item>")
    assert len(parse_feed(doc, URL).entries[0].guid) <= 500


# -- C12/C13 and T1 ---------------------------------------------------------------------------------

def test_terminal_escapes_removed() -> None:
    feed = parse("terminal_escapes.xml")
    text = feed.title + "".join(e.title + e.summary for e in feed.entries)
    for bad in ("\x1b", "\x07", "\x9b", "\u202e", "\x00"):
        assert bad not in text


def test_empty_feed_has_no_entries() -> None:
    feed = parse_feed(rss(""), URL)
    assert feed.title == "T" and feed.entries == ()


def test_huge_feed_keeps_newest() -> None:
    items = "".join(
        f"<item><title>n{i}</title><link>https://h.example.com/{i}</link>"
        f"<pubDate>{time.strftime('%a, %d %b %Y %H:%M:%S GMT', time.gmtime(1_600_000_000 + i * 60))}"
        f"</pubDate></item>" for i in range(3000))
    feed = parse_feed(rss(items), URL, max_entries=50)
    assert len(feed.entries) == 50 and feed.entries[0].title == "n2999"


def test_summary_is_full_heuristic() -> None:
    long_text = " ".join(["word"] * 200)
    cases = {
        f"<description>{long_text}</description>": True,
        f"<description>{long_text} […]</description>": False,
        f"<description>{long_text} Read more</description>": False,
        "<description>A short teaser.</description>": False,
    }
    for item, expected in cases.items():
        doc = rss(f"<item><title>t</title><link>https://s.example.com/</link>{item}</item>")
        assert parse_feed(doc, URL).entries[0].summary_is_full is expected, item


def test_json_round_trip() -> None:
    feed = parse("rss20.xml")
    data = parsed_feed_to_json(feed)
    assert parsed_feed_from_json(json.loads(json.dumps(data))) == feed


# -- autodiscovery ----------------------------------------------------------------------------------

def test_find_feed_links() -> None:
    html = (FEEDS / "html_login.html").read_bytes()
    assert find_feed_links(html, "https://site.example.com/login") == [
        "https://site.example.com/feed.xml", "https://site.example.com/atom.xml",
        "https://site.example.com/feed.json"]


def test_find_feed_links_honours_base_and_survives_junk() -> None:
    html = b'<html><head><base href="https://cdn.example.net/x/"><link rel=alternate type="application/atom+xml" href="a.xml"></head></html>'
    assert find_feed_links(html, "https://site.example.com/") == ["https://cdn.example.net/x/a.xml"]
    assert find_feed_links(b"", "https://site.example.com/") == []
    assert find_feed_links(b"\x00\xff garbage", "https://site.example.com/") == []
