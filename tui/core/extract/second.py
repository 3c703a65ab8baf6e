"""A second, independent opinion on where the article is: trafilatura's main extractor.

readability scores containers by their paragraphs; trafilatura walks the page's text nodes and
filters them by their own rules. They fail on different pages (readability picks an author bio
or a newsletter box, trafilatura keeps a headline list or stops at a widget), so a selector
that judges the text each one gives can pick per page. Fast mode: the comparison with its own
readability port is what we do ourselves, so it is skipped.
"""

from __future__ import annotations

import logging

from lxml import etree
from lxml.html import HtmlElement

_LOGGERS = ("trafilatura", "trafilatura.core", "trafilatura.main_extractor", "trafilatura.utils",
            "trafilatura.htmlprocessing", "trafilatura.readability_lxml", "htmldate", "courlan", "justext")


def trafilatura_content(root: HtmlElement, url: str | None) -> etree._Element | None:
    """trafilatura's article as a ``<body>`` of plain HTML tags, or None when it finds none.

    ``root`` is not changed (trafilatura works on its own copy).
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
            root, url=url, fast=True, include_comments=False, include_links=True, include_images=True,
            include_tables=True, with_metadata=False, include_formatting=False,
        )
    except Exception:  # its own parse and rule errors alike: no second opinion on this page
        return None
    body = getattr(document, "body", None)
    if body is None or not len(body):
        return None
    converted = convert_to_html(body).find("body")
    return converted if converted is not None and len(converted) else None
