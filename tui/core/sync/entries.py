"""Server items -> feed entries, in a worker process: the items are written as an Atom document
and read by the same feed parser (and sanitiser) as any feed, so text from a sync server is
cleaned at the border exactly like text from a feed. Run with ``WorkerPool.run``: the XML and
the parsing never hold the app's event loop."""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from .backend import ServerItem

GUID_PREFIX = "warta-sync:"  # an entry's guid names the server item it came from
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ATOM = "http://www.w3.org/2005/Atom"


def items_payload(items: Sequence[ServerItem]) -> list[dict[str, Any]]:
    """What crosses to the worker: plain dicts."""
    return [asdict(item) for item in items]


def parse_server_items(items: list[dict[str, Any]], feed_url: str) -> dict[str, Any]:
    """Worker side: the ``ParsedFeed`` of ``items`` as JSON-able data."""
    from ..feeds import parse_feed, parsed_feed_to_json

    document = atom([ServerItem(**item) for item in items])
    return parsed_feed_to_json(parse_feed(document, feed_url, "application/atom+xml",
                                          max_entries=max(1, len(items))))


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
