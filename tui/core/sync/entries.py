"""Server items -> feed entries, in a worker process: the items are written as an Atom document
and read by the same feed parser (and sanitiser) as any feed, so text from a sync server is
cleaned at the border exactly like text from a feed. Run with ``WorkerPool.run``: the server's
answer goes to the worker as the bytes it came in, so its JSON, the XML and the parsing never
hold the app's event loop."""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

from .backend import ItemsAnswer, ServerItem

GUID_PREFIX = "warta-sync:"  # an entry's guid names the server item it came from
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ATOM = "http://www.w3.org/2005/Atom"


def parse_server_items(items: list[ServerItem] | ItemsAnswer,
                       feed_urls: Mapping[str, str]) -> dict[str, Any]:
    """Worker side: the items of the feeds in ``feed_urls`` (stream -> feed URL), as
    ``{"feeds": {stream: ParsedFeed as JSON-able data}, "items": {sid: [stream, crawled_usec]}}``;
    items of other streams are left out."""
    from ..feeds import parse_feed, parsed_feed_to_json

    if isinstance(items, ItemsAnswer):
        items = items.decode(items.body, items.host)
    by_stream: dict[str, list[ServerItem]] = {}
    for item in items:
        if item.stream in feed_urls:
            by_stream.setdefault(item.stream, []).append(item)
    return {
        "feeds": {stream: parsed_feed_to_json(parse_feed(atom(group), feed_urls[stream],
                                                         "application/atom+xml",
                                                         max_entries=len(group)))
                  for stream, group in by_stream.items()},
        "items": {item.sid: [item.stream, item.crawled_usec]
                  for group in by_stream.values() for item in group},
    }


def atom(items: Sequence[ServerItem]) -> bytes:
    root = ET.Element(f"{{{_ATOM}}}feed")
    ET.SubElement(root, f"{{{_ATOM}}}title").text = "sync"
    for item in items:
        entry = ET.SubElement(root, f"{{{_ATOM}}}entry")
        ET.SubElement(entry, f"{{{_ATOM}}}id").text = GUID_PREFIX + item.sid
        ET.SubElement(entry, f"{{{_ATOM}}}title").text = _clean(item.title)
        if item.url:
            ET.SubElement(entry, f"{{{_ATOM}}}link", rel="alternate", href=_clean(item.url))
        if item.published:
            ET.SubElement(entry, f"{{{_ATOM}}}published").text = time.strftime(
                "%Y-%m-%dT%H:%M:%SZ", time.gmtime(max(0.0, item.published)))
        if item.author:
            author = ET.SubElement(entry, f"{{{_ATOM}}}author")
            ET.SubElement(author, f"{{{_ATOM}}}name").text = _clean(item.author)
        if item.html:
            ET.SubElement(entry, f"{{{_ATOM}}}content", type="html").text = _clean(item.html)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)
