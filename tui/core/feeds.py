"""Feed bytes to ``ParsedFeed``: RSS and Atom through feedparser, JSON Feed directly.

feedparser knows twenty years of broken feeds, but it also raises on some character
references, expands entity declarations from the internal DTD subset (quadratic blowup), and
treats a bytes argument that happens to be a file name as a path. So the bytes are checked and
cleaned here first, feedparser only ever sees a stream, and whatever it raises becomes
``FeedParseError``. Everything that leaves this module is sanitised plain text.

CPU-bound and sometimes slow on hostile input: callers run it in the worker pool.
"""

from __future__ import annotations

import calendar
import codecs
import io
import json
import re
import time
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, UTC
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

from .errors import FeedParseError, NotAFeedError
from .models import FeedEntry, ParsedFeed
from .sanitize import sanitize, sanitize_line
from .urls import is_http_url

DEFAULT_MAX_ENTRIES = 500
SUMMARY_LIMIT = 100_000  # characters of feed text kept per entry
FULL_TEXT_WORDS = 150  # a summary this long is the article
FULL_CONTENT_WORDS = 50  # content:encoded this long is the article
FUTURE_SLACK = 86_400.0  # a date more than a day ahead is clamped to now + 1 day
_MIN_TIMESTAMP = 86_400.0  # "1970-01-01" is a placeholder, not a date

_FEED_ROOTS = frozenset({"rss", "feed", "rdf", "channel"})
_JSON_FEED_VERSION = "https://jsonfeed.org/version/1"
_FEED_LINK_TYPES = frozenset({"application/rss+xml", "application/atom+xml",
                              "application/feed+json", "application/rdf+xml"})
_BINARY_MAGIC = (b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"%PDF", b"PK\x03\x04", b"\x1f\x8b",
                 b"RIFF", b"OggS", b"ID3", b"\x00\x00\x00", b"BZh", b"\x7fELF", b"wOF")
_TRUNCATED = re.compile(r"(\.\.\.|…|\[…\]|\[\.\.\.\]|read more|continue reading|more»|more ›)\W*$",
                        re.IGNORECASE)
_WORD = re.compile(r"\w+")
_CHAR_REF = re.compile(rb"&#(?:([0-9]+)|[xX]([0-9a-fA-F]+));")
_DOCTYPE = re.compile(rb"<!DOCTYPE\b")
_ROOT_END = re.compile(rb"</(?:[\w.-]+:)?(?:rss|feed|rdf|RDF|channel)\s*>\s*(?:<!--.*?-->\s*)*\Z", re.S)
_XML_DECL_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])[^"']*(["'])""")
_ROOT_TAG = re.compile(r"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")
_HEAD_JUNK = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\]\s*)?>)", re.S | re.I)
_BLOCK_TAGS = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6",
                         "blockquote", "pre", "tr", "section", "article", "figure", "ul", "ol"})
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "svg", "head")


def parse_feed(content: bytes, url: str, content_type: str | None = None, *,
               max_entries: int = DEFAULT_MAX_ENTRIES, now: float | None = None) -> ParsedFeed:
    """Parse RSS 0.9x/1.0/2.0, Atom or JSON Feed; keep the newest ``max_entries`` entries.

    Raises ``NotAFeedError`` for HTML, images and other non-feeds (the caller may then try
    autodiscovery) and ``FeedParseError`` for a feed that is broken beyond use.
    """
    now = time.time() if now is None else now
    if not content or not content.strip():
        raise NotAFeedError("not a feed (the response is empty)", url)
    if content.lstrip()[:4].startswith(_BINARY_MAGIC):
        raise NotAFeedError("not a feed", url)
    content = _as_utf8_if_wide(content)
    if content.lstrip()[:1] in (b"{", b"["):
        return _parse_json_feed(content, url, max_entries, now)
    content = _strip_doctype(content)
    if _root_name(content[:4096].decode("latin-1")) not in _FEED_ROOTS:
        raise NotAFeedError("not a feed", url)
    cut_off = _ROOT_END.search(content[-256:]) is None
    content = _only_newest_items(content, max_entries)
    parsed = _parse_xml_feed(_repair_char_refs(content), url, content_type, max_entries, now)
    if cut_off:  # feedparser reads what is there without a word: say it, or nobody will know
        count = len(parsed.entries)
        parsed = replace(parsed, problem=f"the feed is cut off (a broken server or download); "
                                         f"kept the {count:,} item{'' if count == 1 else 's'} before the break")
    return parsed


# feedparser takes ~0.65 ms per item: a 100,000-item feed under the size cap would run into the
# parse time limit (65 s here) and be lost whole. Above this many items per kept entry, the
# newest are picked first with lxml (about a second) and only they reach feedparser.
_PRESELECT_FACTOR = 2
_ITEM_NAMES = frozenset({"item", "entry"})
_DATE_NAMES = ("pubDate", "published", "updated", "date", "modified", "issued", "created")


def _only_newest_items(content: bytes, limit: int) -> bytes:
    """The feed with only its newest ``limit`` items, when it has many more than that.

    Undated items count as newest, as in ``_newest``. A document lxml cannot make sense of is
    returned unchanged (feedparser is more forgiving, and the time limit still applies).
    """
    threshold = max(1, limit) * _PRESELECT_FACTOR
    if content.count(b"</item") + content.count(b"</entry") + content.count(b":item>") \
            + content.count(b":entry>") <= threshold:
        return content
    import lxml.etree

    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                  recover=True, huge_tree=True)
    try:
        root = lxml.etree.fromstring(content, parser)
    except (lxml.etree.XMLSyntaxError, ValueError):
        return content
    if root is None:
        return content
    items = [element for element in root.iter("{*}item", "{*}entry")
             if lxml.etree.QName(element).localname in _ITEM_NAMES]
    if len(items) <= threshold:
        return content
    ranked = sorted(range(len(items)), key=lambda n: (-_item_date(items[n]), n))
    keep = set(ranked[: max(0, limit)])
    for number, element in enumerate(items):
        if number not in keep and element.getparent() is not None:
            element.getparent().remove(element)
    return bytes(lxml.etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def _item_date(element: Any) -> float:
    """The item's date as a timestamp for ranking; +inf when it has none that parses."""
    for child in element:
        if not isinstance(child.tag, str) or child.text is None:
            continue
        if child.tag.rsplit("}", 1)[-1] in _DATE_NAMES:
            stamp = _any_date(child.text)
            if stamp is not None:
                return stamp
    return float("inf")


def _any_date(text: str) -> float | None:
    """An RFC 822 or ISO 8601 date as a timestamp (naive means UTC), or None."""
    text = text.strip()
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        return when.timestamp()
    except (OverflowError, ValueError, OSError):
        return None


def find_feed_links(html: bytes | str, base_url: str) -> list[str]:
    """Feed URLs a page advertises with ``<link rel="alternate" type="…rss+xml|atom+xml|feed+json">``."""
    import lxml.etree
    import lxml.html

    try:
        document = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError, TypeError):
        return []
    base = base_url
    for element in document.iter("base"):
        href = element.get("href")
        if href:
            base = urljoin(base_url, href.strip())
            break
    found: dict[str, None] = {}
    for link in document.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        media = (link.get("type") or "").split(";")[0].strip().lower()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and media in _FEED_LINK_TYPES and href:
            absolute = urljoin(base, href)
            if is_http_url(absolute):
                found.setdefault(absolute, None)
    return list(found)


# -- JSON conversion (results cross a process boundary) ---------------------------------------

def parsed_feed_to_json(feed: ParsedFeed) -> dict[str, Any]:
    return {
        "title": feed.title,
        "site_url": feed.site_url,
        "problem": feed.problem,
        "entries": [
            {"url": e.url, "title": e.title, "guid": e.guid, "published": e.published,
             "summary": e.summary, "summary_is_full": e.summary_is_full, "tags": list(e.tags),
             "author": e.author}
            for e in feed.entries
        ],
    }


def parsed_feed_from_json(data: dict[str, Any]) -> ParsedFeed:
    entries = tuple(
        FeedEntry(url=e["url"], title=e["title"], guid=e.get("guid", ""),
                  published=e.get("published"), summary=e.get("summary", ""),
                  summary_is_full=bool(e.get("summary_is_full")), tags=tuple(e.get("tags", ())),
                  author=e.get("author", ""))
        for e in data.get("entries", ())
    )
    return ParsedFeed(title=data.get("title", ""), site_url=data.get("site_url", ""),
                      entries=entries, problem=data.get("problem", ""))


# -- sniffing and cleaning the bytes ----------------------------------------------------------

def _as_utf8_if_wide(content: bytes) -> bytes:
    """UTF-16/32 documents re-encoded as UTF-8, so the byte-level checks below can see them."""
    encoding = ""
    for bom, name in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                      (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if content.startswith(bom):
            encoding = name
            break
    else:
        if content.startswith(b"<\x00?\x00") or content.startswith(b"<\x00r\x00"):
            encoding = "utf-16-le"
        elif content.startswith(b"\x00<\x00?") or content.startswith(b"\x00<\x00r"):
            encoding = "utf-16-be"
    if not encoding:
        return content
    text = content.decode(encoding, "replace").lstrip("\ufeff")
    text = _XML_DECL_ENCODING.sub(r"\1utf-8\2", text, count=1)
    return text.encode("utf-8")


def _root_name(head: str) -> str:
    """Local name of the first element after the prolog, lower-cased ("" if none)."""
    position = 0
    while True:
        junk = _HEAD_JUNK.match(head, position)
        if not junk or junk.end() == position:
            break
        position = junk.end()
    while position < len(head) and head[position].isspace():
        position += 1
    match = _ROOT_TAG.match(head, position) if head[position:position + 1] == "<" else None
    if not match:
        return ""
    return match.group(2).lower()


def _strip_doctype(content: bytes) -> bytes:
    """Remove the DOCTYPE with its internal subset, so no entity is ever declared or expanded.

    Billion laughs, quadratic blowup, XXE and feedparser's own entity-regex bug all live in
    the DTD. Feeds never need one; references to undeclared entities are left as text.
    """
    match = _DOCTYPE.search(content, 0, 65536)
    if not match:
        return content
    position = match.end()
    quote = 0
    depth = 0
    while position < len(content):
        byte = content[position]
        if quote:
            if byte == quote:
                quote = 0
        elif byte in (0x22, 0x27):
            quote = byte
        elif byte == 0x5B:  # [
            depth += 1
        elif byte == 0x5D:  # ]
            depth = max(0, depth - 1)
        elif byte == 0x3E and depth == 0:  # >
            return content[: match.start()] + content[position + 1:]
        position += 1
    raise FeedParseError("feed could not be parsed (unterminated DOCTYPE)")


def _repair_char_refs(content: bytes) -> bytes:
    """Replace character references no character can have (surrogates, > U+10FFFF, NUL).

    feedparser 6.0.14 raises on ``&#xD800;``, ``&#x110000;`` and ``&#99999999999;``; one bad
    character should cost one character, not the whole feed.
    """

    def fix(match: re.Match[bytes]) -> bytes:
        digits = match.group(1) or match.group(2)
        if len(digits) > 8:
            return b"&#xFFFD;"
        code = int(digits) if match.group(1) else int(digits, 16)
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return b"&#xFFFD;"
        return match.group(0)

    return _CHAR_REF.sub(fix, content)


# -- RSS and Atom -----------------------------------------------------------------------------

def _parse_xml_feed(data: bytes, url: str, content_type: str | None, max_entries: int,
                    now: float) -> ParsedFeed:
    import feedparser

    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    try:
        # A stream, never bytes: feedparser opens a bytes argument as a file path if it can.
        parsed = feedparser.parse(io.BytesIO(data), response_headers=headers,
                                  sanitize_html=False, resolve_relative_uris=False)
        version = parsed.get("version", "")
        raw_entries = list(parsed.get("entries", ()))
        channel = parsed.get("feed", {})
    except Exception as exc:  # noqa: BLE001 - feedparser raises anything on hostile input
        raise FeedParseError("feed could not be parsed", url) from exc
    if not version and not raw_entries:
        if parsed.get("bozo"):
            raise FeedParseError("feed could not be parsed", url)
        raise NotAFeedError("not a feed", url)
    try:
        entries = [e for e in (_xml_entry(raw, url, now) for raw in raw_entries) if e]
        site = _absolute(channel.get("link"), url)
        return ParsedFeed(title=sanitize_line(channel.get("title")), site_url=site,
                          entries=_newest(entries, max_entries))
    except Exception as exc:  # noqa: BLE001 - odd shapes in feedparser's dicts
        raise FeedParseError("feed could not be parsed", url) from exc


def _xml_entry(raw: Any, feed_url: str, now: float) -> FeedEntry | None:
    link = _absolute(raw.get("link"), feed_url)
    guid = sanitize_line(raw.get("id"), limit=500)
    if not link and guid and raw.get("guidislink", False):
        link = _absolute(raw.get("id"), feed_url)
    title = sanitize_line(_to_text(raw.get("title", ""), raw.get("title_detail")))
    contents = [c for c in raw.get("content", ()) or () if c.get("value")]
    summary_html = raw.get("summary", "")
    if contents:
        body = max(contents, key=lambda c: len(c.get("value", "")))
        text = _to_text(body.get("value", ""), body)
    else:
        text = _to_text(summary_html, raw.get("summary_detail"))
    if not (link or guid or title):
        return None
    if not title:
        title = sanitize_line(text, limit=120)
    published = _struct_time_ts(raw.get("published_parsed") or raw.get("updated_parsed"), now)
    tags = _tags(term.get("term") or term.get("label") for term in raw.get("tags", ()) or ())
    author = sanitize_line(raw.get("author", ""), limit=200)
    return FeedEntry(url=link, title=title, guid=guid, published=published,
                     summary=text, summary_is_full=_looks_full(text, has_content=bool(contents)),
                     tags=tags, author=author)


def feed_text(markup: str) -> str:
    """Feed HTML (or plain text) as the sanitised, capped plain text the store keeps."""
    return _to_text(markup)


def _to_text(value: Any, detail: Any = None) -> str:
    """Feed text as plain sanitised text; HTML is reduced to its words and paragraphs."""
    if not isinstance(value, str) or not value:
        return ""
    media = (detail or {}).get("type", "text/html") if isinstance(detail, dict) else "text/html"
    if media == "text/plain" or "<" not in value:
        text = value
        if "&" in value:
            import html

            text = html.unescape(value)
        return _tidy(text)
    return _tidy(_html_to_text(value))


def _html_to_text(markup: str) -> str:
    import lxml.etree
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return ""
    for element in list(root.iter(*_DROP_TAGS)):
        element.drop_tree()
    parts: list[str] = []

    def walk(element: Any) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _BLOCK_TAGS:
            parts.append("\n\n")
        if element.text and tag:
            parts.append(element.text)
        for child in element:
            walk(child)
        if tag in _BLOCK_TAGS:
            parts.append("\n\n")
        if element.tail:
            parts.append(element.tail)

    walk(root)
    return "".join(parts)


def _tidy(text: str) -> str:
    text = sanitize(text)
    paragraphs = (" ".join(p.split()) for p in re.split(r"\n\s*\n", text))
    joined = "\n\n".join(p for p in paragraphs if p)
    if len(joined) > SUMMARY_LIMIT:
        joined = joined[: SUMMARY_LIMIT - 1].rstrip() + "…"
    return joined


def _looks_full(text: str, *, has_content: bool) -> bool:
    """Whether the feed carries the whole article, so fetching the page can be skipped.

    ``content:encoded``/Atom content is taken as the article unless it is a line or two or
    visibly stops short; a plain summary counts only when it is long (teasers are short).
    """
    if not text or _TRUNCATED.search(text[-40:]):
        return False
    words = len(_WORD.findall(text))
    return words >= FULL_TEXT_WORDS or (has_content and words >= FULL_CONTENT_WORDS)


def _struct_time_ts(value: Any, now: float) -> float | None:
    if not value:
        return None
    try:
        return _clamp(float(calendar.timegm(value)), now)
    except (TypeError, ValueError, OverflowError):
        return None


def _clamp(ts: float, now: float) -> float | None:
    """None for placeholder dates; dates in the future are pulled back to now + 1 day."""
    if ts != ts or ts < _MIN_TIMESTAMP:
        return None
    return min(ts, now + FUTURE_SLACK)


def _absolute(link: Any, base: str) -> str:
    """An absolute http(s) URL, or "" for anything else (``javascript:``, ``file:``, junk)."""
    if not isinstance(link, str) or not link.strip():
        return ""
    try:
        absolute = urljoin(base, link.strip())
    except ValueError:
        return ""
    return absolute if is_http_url(absolute) and len(absolute) <= 4096 else ""


def _tags(values: Iterable[Any]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        if isinstance(value, str):
            tag = sanitize_line(value, limit=60)
            if tag:
                seen.setdefault(tag.casefold(), tag)
        if len(seen) >= 20:
            break
    return tuple(seen.values())


def _newest(entries: list[FeedEntry], limit: int) -> tuple[FeedEntry, ...]:
    """Drop duplicate links, then keep the newest ``limit`` (undated entries count as newest)."""
    unique: dict[str, FeedEntry] = {}
    for entry in entries:
        key = entry.url or (f"guid:{entry.guid}" if entry.guid else f"title:{entry.title}")
        unique.setdefault(key, entry)
    ordered = sorted(unique.values(),
                     key=lambda e: -(e.published if e.published is not None else float("inf")))
    return tuple(ordered[: max(0, limit)])


# -- JSON Feed --------------------------------------------------------------------------------

def _parse_json_feed(content: bytes, url: str, max_entries: int, now: float) -> ParsedFeed:
    try:
        data = json.loads(content)
    except (ValueError, RecursionError) as exc:
        raise FeedParseError("feed could not be parsed (invalid JSON)", url) from exc
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith(_JSON_FEED_VERSION):
        raise NotAFeedError("not a feed", url)
    items: Any = data.get("items")
    if not isinstance(items, list):
        raise FeedParseError("feed could not be parsed (no items)", url)
    items = [item for item in items if isinstance(item, dict)]
    if len(items) > max(1, max_entries) * _PRESELECT_FACTOR:  # convert only the newest
        def stamp(item: dict[str, Any]) -> float:
            found = _any_date(_str(item.get("date_published")) or _str(item.get("date_modified")))
            return float("inf") if found is None else found

        ranked = sorted(range(len(items)), key=lambda n: (-stamp(items[n]), n))
        items = [items[n] for n in sorted(ranked[: max(0, max_entries)])]
    entries = [e for e in (_json_entry(item, url, now) for item in items) if e]
    return ParsedFeed(title=sanitize_line(_str(data.get("title"))),
                      site_url=_absolute(data.get("home_page_url"), url),
                      entries=_newest(entries, max_entries))


def _json_entry(item: dict[str, Any], feed_url: str, now: float) -> FeedEntry | None:
    link = _absolute(item.get("url"), feed_url) or _absolute(item.get("external_url"), feed_url)
    guid = sanitize_line(_str(item.get("id")), limit=500)
    content_html, content_text = _str(item.get("content_html")), _str(item.get("content_text"))
    if content_html:
        text, has_content = _to_text(content_html), True
    elif content_text:
        text, has_content = _tidy(content_text), True
    else:
        text, has_content = _tidy(_str(item.get("summary"))), False
    title = sanitize_line(_str(item.get("title"))) or sanitize_line(text, limit=120)
    if not (link or guid or title):
        return None
    published = _iso_ts(_str(item.get("date_published")) or _str(item.get("date_modified")), now)
    raw_tags = item.get("tags")
    raw_tags = raw_tags if isinstance(raw_tags, list) else []
    authors = item.get("authors")
    authors = authors if isinstance(authors, list) else [item.get("author")]
    author = next((_str(a.get("name")) for a in authors if isinstance(a, dict) and a.get("name")), "")
    # JSON Feed's content_html/content_text is the item's content by definition (``summary``
    # is the teaser), however short: the page is not needed unless the text visibly stops.
    full = bool(text) and not _TRUNCATED.search(text[-40:]) if has_content \
        else _looks_full(text, has_content=False)
    return FeedEntry(url=link, title=title, guid=guid, published=published, summary=text,
                     summary_is_full=full, tags=_tags(raw_tags),
                     author=sanitize_line(author, limit=200))


def _str(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) else ""


def _iso_ts(value: str, now: float) -> float | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        return _clamp(when.timestamp(), now)
    except (OverflowError, ValueError, OSError):
        return None
