"""OPML import and export of subscriptions.

An OPML file is often someone else's file, so import trusts nothing: any DOCTYPE or entity
declaration is refused before parsing (billion laughs, XXE), only http/https feed URLs are
taken (no ``file:``, no ``|command`` filters as some readers allowed), and names are
sanitised. Folders become tags; export writes them back as nested outlines plus a
``category`` attribute, so ``import_opml(export_opml(feeds))`` keeps the tags.

Real exports are often not well-formed XML (a bare ``&`` in "News & Politics", a ``<`` in a
description, a ``"`` inside an attribute value). The file is parsed strictly first; when that
fails, a repair pass rewrites those faults line by line, and lxml's recovering parser takes
whatever is still broken. The result says how many lines were repaired and which outlines
were skipped and why, so nothing is dropped without a word.
"""

from __future__ import annotations

import codecs
import html.entities
import re
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

from .errors import SourceError
from .models import Feed, union
from .sanitize import sanitize_line
from .urls import is_http_url

MAX_FEEDS = 10_000
MAX_DEPTH = 50  # nested outlines; deeper ones are skipped and counted
MAX_BYTES = 20 * 2**20
_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_ENTITY_DECLARATION = re.compile(r"<!\s*ENTITY", re.IGNORECASE)
_HTML = re.compile(r"<!\s*DOCTYPE\s+html|<html[\s>]", re.IGNORECASE)
_OPML = re.compile(r"<opml[\s>]", re.IGNORECASE)
_FULL_TEXT = ("always", "never", "auto")
_FEED_TYPES = ("rss", "atom", "feed")
_DEFAULT_MAX_ARTICLES = Feed(url="").max_articles

# Skip reasons, as the report says them.
NO_FEED_URL = "no feed URL"
NOT_HTTP = "not an http(s) URL"
TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels"


@dataclass(frozen=True, slots=True)
class OpmlImport:
    """What reading an OPML file gave: the feeds, and what it took to get them."""

    feeds: list[Feed]
    repaired_lines: int = 0  # lines the repair pass (or the recovering parser) had to change
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> outlines
    over_cap: int = 0  # feeds beyond MAX_FEEDS, not imported

    def describe(self, imported: int, already: int = 0) -> list[str]:
        """One or two lines for the user: what was imported, repaired, skipped, capped."""
        notes = []
        if already:
            notes.append(f"{already:,} already subscribed")
        if self.repaired_lines:
            notes.append(f"{_count(self.repaired_lines, 'line')} repaired")
        for reason, number in sorted(self.skipped.items(), key=lambda item: -item[1]):
            notes.append(f"{_count(number, 'outline')} skipped: {reason}")
        line = f"Imported {_count(imported, 'feed')}" + (f" ({', '.join(notes)})" if notes else "")
        lines = [line]
        if self.over_cap:
            lines.append(f"Stopped at the cap of {MAX_FEEDS:,} feeds per OPML file: "
                         f"{self.over_cap:,} more feeds in it were not imported")
        return lines


def import_opml(data: bytes, *, user_typed: bool = False) -> list[Feed]:
    """The feeds in an OPML file, folders as tags, duplicates merged (see ``read_opml``)."""
    return read_opml(data, user_typed=user_typed).feeds


def read_opml(data: bytes, *, user_typed: bool = False) -> OpmlImport:
    """Read an OPML file, repairing what real exports get wrong; refuse what is dangerous.

    ``user_typed=False`` (the default) keeps private-network addresses blocked for these
    feeds, as for any URL Warta did not get from the user's own keyboard.
    """
    if len(data) > MAX_BYTES:
        raise SourceError(f"OPML file is {len(data) / 2**20:.1f} MiB, over the "
                          f"{MAX_BYTES // 2**20} MiB cap for OPML files; refused")
    probe = _probe_text(data)
    if _ENTITY_DECLARATION.search(probe):
        raise SourceError("OPML file uses entity declarations; refused")
    head = probe[:4096]
    if _HTML.search(head) and not _OPML.search(head):
        raise SourceError("not an OPML file: it is an HTML page (look on it for a link to "
                          "an .opml file, or give the page's address to warta add)")
    if _DECLARATION.search(probe):
        raise SourceError("OPML file has a DOCTYPE declaration (a DTD); refused")
    repaired_lines = error_line = 0
    try:
        root: Any = ET.fromstring(data)
    except ET.ParseError as exc:
        error_line = getattr(exc, "position", (1, 0))[0]
        root, repaired_lines = _recover(data, error_line)
    except (ValueError, UnicodeError, RecursionError):
        root, repaired_lines = _recover(data, 1)
    if _local(root.tag) != "opml":
        raise SourceError("not an OPML file")
    body = next((child for child in root if _local(child.tag) == "body"), None)
    walk = _Walk(user_typed)
    if body is not None:
        walk.collect(body, (), 0)
    if repaired_lines and not walk.feeds:
        raise SourceError(f"OPML file could not be read (malformed XML at line {error_line}, "
                          "and no feed could be recovered from it)")
    return OpmlImport(list(walk.feeds.values()), repaired_lines, walk.skipped, walk.over_cap)


def export_opml(feeds: Sequence[Feed], title: str = "Warta subscriptions") -> str:
    """OPML 2.0 text: feeds grouped in outlines by their first tag; all tags in ``category``."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = formatdate(time.time(), usegmt=True)
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}
    for feed in feeds:
        parent = body
        if feed.tags:
            folder = feed.tags[0]
            if folder not in folders:
                folders[folder] = ET.SubElement(body, "outline", text=folder, title=folder)
            parent = folders[folder]
        attributes = {"type": "rss", "text": feed.name or feed.url, "xmlUrl": feed.url}
        if feed.name:
            attributes["title"] = feed.name
        if feed.tags:
            attributes["category"] = ",".join(feed.tags)
        if not feed.enabled:
            attributes["wartaEnabled"] = "false"
        if feed.full_text != "auto":
            attributes["wartaFullText"] = feed.full_text
        if feed.max_articles != _DEFAULT_MAX_ARTICLES:
            attributes["wartaMaxArticles"] = str(feed.max_articles)
        ET.SubElement(parent, "outline", attributes)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# -- reading ----------------------------------------------------------------------------------


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _probe_text(data: bytes) -> str:
    """The file as text good enough to look for declarations in, whatever its encoding."""
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
                          (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data.decode(encoding, "ignore")
    if b"\x00<\x00" in data[:64]:
        return data.decode("utf-16-le" if data[:1] == b"<" else "utf-16-be", "ignore")
    return data.decode("latin-1")


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


class _Walk:
    """Collects the feeds of a body: folders as tags, duplicates merged, caps counted."""

    def __init__(self, user_typed: bool) -> None:
        self.user_typed = user_typed
        self.feeds: dict[str, Feed] = {}
        self.skipped: Counter[str] = Counter()
        self.over_cap = 0
        self._capped: set[str] = set()

    def collect(self, element: Any, folders: tuple[str, ...], depth: int) -> None:
        for outline in element:
            if _local(outline.tag) != "outline":
                continue
            if depth >= MAX_DEPTH:
                self.skipped[TOO_DEEP] += sum(1 for o in outline.iter() if _local(o.tag) == "outline")
                continue
            attributes = {str(k).lower(): str(v) for k, v in outline.attrib.items()}
            name = sanitize_line(attributes.get("title") or attributes.get("text"))
            url = (attributes.get("xmlurl") or "").strip()
            kind = attributes.get("type", "").lower()
            if not url and kind in _FEED_TYPES:
                url = attributes.get("url", "").strip()
            if not url:
                if len(outline):
                    self.collect(outline, (*folders, name) if name else folders, depth + 1)
                elif kind in _FEED_TYPES or "htmlurl" in attributes:
                    self.skipped[NO_FEED_URL] += 1
                continue
            if not is_http_url(url):
                self.skipped[NOT_HTTP] += 1  # file:, javascript:, "|cmd" filters, junk
                continue
            self._add(url, name, union(folders, _categories(attributes.get("category", ""))),
                      attributes)

    def _add(self, url: str, name: str, tags: tuple[str, ...], attributes: dict[str, str]) -> None:
        previous = self.feeds.get(url)
        if previous is not None:
            self.feeds[url] = Feed(**{**previous.to_json(), "tags": union(previous.tags, tags)})
            return
        if len(self.feeds) >= MAX_FEEDS:
            if url not in self._capped:
                self._capped.add(url)
                self.over_cap += 1
            return
        full_text = attributes.get("wartafulltext", "auto")
        max_articles = attributes.get("wartamaxarticles", "")
        self.feeds[url] = Feed(
            url=url, name=name if name != sanitize_line(url) else "", tags=tags,
            enabled=attributes.get("wartaenabled", "true").lower() != "false",
            full_text=full_text if full_text in _FULL_TEXT else "auto",  # type: ignore[arg-type]
            max_articles=int(max_articles) if max_articles.isdigit() and 0 < int(max_articles)
            <= 100_000 else _DEFAULT_MAX_ARTICLES,
            user_typed=self.user_typed)


def _categories(value: str) -> tuple[str, ...]:
    """OPML 2.0 categories: comma-separated, each maybe a "/"-path; we keep the last segment."""
    tags = []
    for part in value.split(","):
        segment = part.strip().rstrip("/").rsplit("/", 1)[-1]
        tag = sanitize_line(segment, limit=60)
        if tag:
            tags.append(tag)
    return tuple(tags)


# -- recovery ---------------------------------------------------------------------------------


def _recover(data: bytes, line: int) -> tuple[Any, int]:
    """Parse a file the strict parser refused: repair pass first, then lxml's recovery."""
    text = _decode(data)
    repaired, lines = _repair(text)
    try:
        return ET.fromstring(repaired), len(lines)
    except (ET.ParseError, ValueError, RecursionError):
        pass
    from lxml import etree

    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True,
                             load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(repaired.encode("utf-8"), parser)
    except etree.Error:
        root = None
    if root is None:
        raise SourceError(f"OPML file could not be read (malformed XML at line {line})")
    changed = {error.line for error in parser.error_log} | lines
    return root, max(len(changed), 1)


_ENCODING = re.compile(r"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def _decode(data: bytes) -> str:
    """The file as text: its BOM or declared encoding, else UTF-8, else Windows-1252."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32"),
                          (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, "replace").lstrip("\ufeff")
    declared = _ENCODING.match(data[:200].decode("latin-1"))
    candidates = [declared.group(1)] if declared else []
    for encoding in (*candidates, "utf-8"):
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", "replace")


# A tag's attribute: its name, "=", and an opening quote (the value's end is found separately).
_ATTRIBUTE = re.compile(r"""\s+([A-Za-z_:][-\w:.]*)(?:\s*=\s*(["']?))?""")
_TAG_END = re.compile(r"\s*(/?)>")
_NAME = re.compile(r"[A-Za-z_][-\w:.]*")
_REFERENCE = re.compile(r"&(#[0-9]{1,7};|#[xX][0-9A-Fa-f]{1,6};|[A-Za-z][A-Za-z0-9]{0,31};)?")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_INVALID_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_VALUE_END: dict[str, re.Pattern[str]] = {
    quote: re.compile(quote + r"""(?=\s+[A-Za-z_:][-\w:.]*\s*(?:=|/?>)|\s*/?>)""")
    for quote in "\"'"}
_UNQUOTED_END = re.compile(r"""[\s>]|/>""")


def _repair(text: str) -> tuple[str, set[int]]:
    """Rewrite what real OPML exports get wrong; returns the text and the lines changed.

    Fixed: bare ``&`` (escaped, or HTML entities like ``&nbsp;`` turned into characters),
    ``<`` that starts no tag, quotes inside attribute values (a value ends at the last quote
    before the next ``name=`` or the tag's end), unquoted values, control characters and
    references to them. Comments, CDATA and processing instructions are kept as they are; an
    unterminated one, or a ``<?`` with no target, is text (its ``<`` escaped), since lxml's
    recovery reads on past it as markup that this pass would not have repaired.
    """
    text = _XML_DECLARATION.sub("", text, count=1)
    out: list[str] = []
    changed: set[int] = set()
    position = 0
    counted = [0, 1]  # a position and its line number: counting goes forward only

    def note(start: int) -> None:
        counted[1] += text.count("\n", counted[0], start)
        counted[0] = start
        changed.add(counted[1])

    while True:
        start = text.find("<", position)
        chunk = text[position:] if start < 0 else text[position:start]
        fixed = _fix_text(chunk)
        if fixed != chunk:
            note(position + next((i for i, (a, b) in enumerate(zip(chunk, fixed)) if a != b), 0))
        out.append(fixed)
        if start < 0:
            break
        for opener, closer in (("<!--", "-->"), ("<![CDATA[", "]]>"), ("<?", "?>")):
            if text.startswith(opener, start):
                end = text.find(closer, start + len(opener))
                if end < 0 or (opener == "<?" and not _NAME.match(text, start + 2)):
                    out.append("&lt;")  # no comment or PI: lxml would read on in it unrepaired
                    note(start)
                    position = start + 1
                else:
                    out.append(text[start:end + len(closer)])
                    position = end + len(closer)
                break
        else:
            tag, position = _repair_tag(text, start)
            if tag != text[start:position]:
                note(start)
            out.append(tag)
    return "".join(out), changed


def _repair_tag(text: str, start: int) -> tuple[str, int]:
    """One tag starting at ``text[start] == "<"``, rewritten well-formed; or ``&lt;`` if none."""
    closing = text.startswith("</", start)
    name = _NAME.match(text, start + (2 if closing else 1))
    if name is None:
        return "&lt;", start + 1
    if closing:
        end = _TAG_END.match(text, name.end())
        if end is None or end.group(1):
            return "&lt;", start + 1
        return f"</{name.group()}>", end.end()
    parts = [f"<{name.group()}"]
    seen: set[str] = set()
    position = name.end()
    while True:
        end = _TAG_END.match(text, position)
        if end is not None:
            return "".join(parts) + ("/>" if end.group(1) else ">"), end.end()
        attribute = _ATTRIBUTE.match(text, position)
        if attribute is None:
            return "&lt;", start + 1
        quote = attribute.group(2)
        value_start = attribute.end()
        if quote is None:  # a name with no value: not XML, and nothing OPML needs
            position = value_start
            continue
        if quote:
            close = _VALUE_END[quote].search(text, value_start)
            if close is None:
                return "&lt;", start + 1
            value, position = text[value_start:close.start()], close.end()
        else:
            close = _UNQUOTED_END.search(text, value_start)
            stop = close.start() if close else len(text)
            value, position = text[value_start:stop], stop
        key = attribute.group(1)
        if key.lower() not in seen:  # a repeated attribute is an error too: keep the first
            seen.add(key.lower())
            parts.append(f' {key}="{_escape_value(value)}"')


def _fix_text(chunk: str) -> str:
    """Character data: bare ``&`` escaped, HTML entities resolved, control characters dropped."""
    chunk = _INVALID_CHARS.sub("", chunk)
    if "&" in chunk:
        chunk = _REFERENCE.sub(_reference, chunk)
    return chunk


def _escape_value(value: str) -> str:
    value = _fix_text(value)
    return value.replace("<", "&lt;").replace('"', "&quot;").replace("\n", "&#10;")


def _reference(found: re.Match[str]) -> str:
    body = found.group(1)
    if body is None:
        return "&amp;"
    name = body[:-1]
    if name.startswith("#"):
        try:
            code = int(name[2:], 16) if name[1:2] in ("x", "X") else int(name[1:])
        except ValueError:
            return "&amp;" + body
        if code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD \
                or 0x10000 <= code <= 0x10FFFF:
            return found.group()
        return ""  # a reference to a control character: dropped (sanitize would drop it anyway)
    if name in _XML_ENTITIES:
        return found.group()
    character = html.entities.html5.get(body)
    return _escape_char(character) if character else "&amp;" + body


def _escape_char(character: str) -> str:
    return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}.get(character, character)
