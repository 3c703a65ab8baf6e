"""OPML import and export of subscriptions.

An OPML file is often someone else's file, so import trusts nothing: any DOCTYPE or entity
declaration is refused before parsing (billion laughs, XXE), only http/https feed URLs are
taken (no ``file:``, no ``|command`` filters as some readers allowed), and names are
sanitised. Folders become tags; export writes them back as nested outlines plus a
``category`` attribute, so ``import_opml(export_opml(feeds))`` keeps the tags.
"""

from __future__ import annotations

import codecs
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from email.utils import formatdate

from .errors import SourceError
from .models import Feed, union
from .sanitize import sanitize_line
from .urls import is_http_url

MAX_FEEDS = 10_000
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_FULL_TEXT = ("always", "never", "auto")
_DEFAULT_MAX_ARTICLES = Feed(url="").max_articles


def import_opml(data: bytes, *, user_typed: bool = False) -> list[Feed]:
    """The feeds in an OPML file, folders as tags, duplicates merged.

    ``user_typed=False`` (the default) keeps private-network addresses blocked for these
    feeds, as for any URL Warta did not get from the user's own keyboard.
    """
    if _declares_entities(data):
        raise SourceError("OPML file uses entity declarations; refused")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line = getattr(exc, "position", (0, 0))[0]
        raise SourceError(f"OPML file could not be read (malformed XML at line {line})") from None
    except (ValueError, UnicodeError, RecursionError):
        raise SourceError("OPML file could not be read") from None
    if _local(root.tag) != "opml":
        raise SourceError("not an OPML file")
    body = next((child for child in root if _local(child.tag) == "body"), None)
    feeds: dict[str, Feed] = {}
    if body is not None:
        _collect(body, (), feeds, user_typed)
    return list(feeds.values())


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


def _declares_entities(data: bytes) -> bool:
    if _DECLARATION.search(data):
        return True
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
                          (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be")):
        if data.startswith(bom) or (encoding.startswith("utf-16") and b"\x00<\x00" in data[:64]):
            text = data.decode(encoding, "ignore").encode("utf-8", "ignore")
            if _DECLARATION.search(text):
                return True
    return False


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _collect(element: ET.Element, folders: tuple[str, ...], feeds: dict[str, Feed],
             user_typed: bool) -> None:
    for outline in element:
        if _local(outline.tag) != "outline" or len(feeds) >= MAX_FEEDS:
            continue
        name = sanitize_line(outline.get("title") or outline.get("text"))
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if not url:
            if len(folders) < 20:
                _collect(outline, (*folders, name) if name else folders, feeds, user_typed)
            continue
        if not is_http_url(url):
            continue  # file:, javascript:, "|cmd" filters, junk: never imported
        tags = union(folders, _categories(outline.get("category", "")))
        previous = feeds.get(url)
        if previous is not None:
            feeds[url] = Feed(**{**previous.to_json(), "tags": union(previous.tags, tags)})
            continue
        full_text = outline.get("wartaFullText", "auto")
        max_articles = outline.get("wartaMaxArticles", "")
        feeds[url] = Feed(
            url=url, name=name if name != sanitize_line(url) else "", tags=tags,
            enabled=outline.get("wartaEnabled", "true").lower() != "false",
            full_text=full_text if full_text in _FULL_TEXT else "auto",  # type: ignore[arg-type]
            max_articles=int(max_articles) if max_articles.isdigit() and 0 < int(max_articles)
            <= 100_000 else _DEFAULT_MAX_ARTICLES,
            user_typed=user_typed)


def _categories(value: str) -> tuple[str, ...]:
    """OPML 2.0 categories: comma-separated, each maybe a "/"-path; we keep the last segment."""
    tags = []
    for part in value.split(","):
        segment = part.strip().rstrip("/").rsplit("/", 1)[-1]
        tag = sanitize_line(segment, limit=60)
        if tag:
            tags.append(tag)
    return tuple(tags)
