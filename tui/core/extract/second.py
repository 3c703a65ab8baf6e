"""A second, independent opinion on where the article is: trafilatura's main extractor.

readability scores containers by their paragraphs; trafilatura walks the page's text nodes and
filters them by their own rules. They fail on different pages (readability picks an author bio
or a newsletter box, trafilatura keeps a headline list or stops at a widget), so a selector
that judges the text each one gives can pick per page. Fast mode: the comparison with its own
readability port is what we do ourselves, so it is skipped.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Sequence

from lxml import etree
from lxml.html import HtmlElement

from ..models import Block

_WORD = re.compile(r"\w+")

_LOGGERS = ("trafilatura", "trafilatura.core", "trafilatura.main_extractor", "trafilatura.utils",
            "trafilatura.htmlprocessing", "trafilatura.readability_lxml", "htmldate", "courlan", "justext")


def trafilatura_content(root: HtmlElement) -> etree._Element | None:
    """trafilatura's article as a ``<body>`` of plain HTML tags, or None when it finds none.

    ``root`` is not changed (trafilatura works on its own copy). Links come back as the page
    wrote them, for ``to_blocks`` to resolve against the page's address as it does the first
    opinion's: given the URL, trafilatura resolves every link of the page before it chooses
    (a quarter of its time), and against the site's root rather than the page.
    """
    try:
        import trafilatura
        from trafilatura.htmlprocessing import convert_to_html
    except ImportError:  # pragma: no cover - a dependency; without it the first opinion stands
        return None
    for name in _LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        document = trafilatura.bare_extraction(
            root, url=None, fast=True, include_comments=False, include_links=True, include_images=True,
            include_tables=True, with_metadata=False, include_formatting=False,
        )
    except Exception:  # its own parse and rule errors alike: no second opinion on this page
        return None
    body = getattr(document, "body", None)
    if body is None or not len(body):
        return None
    converted = convert_to_html(body).find("body")
    return converted if converted is not None and len(converted) else None


def agreement(first: Sequence[Block], second: Sequence[Block]) -> float:
    """How much two extractions say the same thing, 0 to 1: the share of four-word runs they
    share (Dice over the multisets), so neither length nor order alone decides."""
    mine, theirs = _shingles(first), _shingles(second)
    total = sum(mine.values()) + sum(theirs.values())
    return 2 * sum((mine & theirs).values()) / total if total else 0.0


def _shingles(blocks: Sequence[Block]) -> Counter[tuple[str, ...]]:
    words = _WORD.findall(" ".join(block.text for block in blocks if block.kind != "image").casefold())
    return Counter(tuple(words[i:i + 4]) for i in range(max(1, len(words) - 3))) if words else Counter()
