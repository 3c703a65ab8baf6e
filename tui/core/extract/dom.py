"""Parsing and small read-only questions about lxml elements, shared by the other modules."""

from __future__ import annotations

import re
from functools import lru_cache

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from ..errors import ExtractionError
from ..sanitize import TITLE_LIMIT, sanitize

MAX_HTML_CHARS = 2_000_000  # what readability and our rules get to see of a page
_WHITESPACE = re.compile(r"\s+")
_HIDDEN_STYLE = re.compile(
    r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden|opacity\s*:\s*0(?:\.0*)?\s*(?:;|$|!))",
    re.I,
)
# Class names of text meant only for screen readers: not on screen, so not in the article.
_SCREEN_READER_CLASS = re.compile(
    r"(?:^|\s)(?:sr-only|visually-?hidden|screen-reader-text|screenreader-only|a11y-hidden|"
    r"element-invisible|offscreen|is-hidden|u-hidden)(?:\s|$)",
    re.I,
)
_HIDDEN_CLASS = re.compile(r"(?:^|\s)(?:hidden|hide|d-none)(?:\s|$)", re.I)
_RESPONSIVE_CLASS = re.compile(r"\S:\S|(?:^|\s)(?:d|visible)-(?:sm|md|lg|xl)", re.I)
# lxml refuses a str that declares its own encoding; the page is already decoded, so it goes.
_XML_DECLARATION = re.compile(r"\s*<\?xml[^>]*>")
# An HTML parser ends a doctype at its first ">", so an internal subset ("<!DOCTYPE x [ <!ENTITY
# …> ]>", XML documents carry them) would leave "]>" behind as the article's text; it goes whole.
_DOCTYPE_SUBSET = re.compile(r"\s*<!DOCTYPE[^\[>]*\[[^\]]*\]\s*>", re.I)
_TITLE_TAG = re.compile(r"<title\b[^>]*>", re.I)
_MAX_TITLE_CHARS = TITLE_LIMIT  # longer is not a title but a page the title tag swallowed
_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
# lxml.html picks each element's class in Python, once per element object made, and the passes
# over a page make hundreds of thousands; only form controls get other classes there, and
# nothing here uses their form API, so every element is an HtmlElement, chosen in C.
_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity))


def parse_html(text: str) -> HtmlElement:
    """Parse a page (capped at ``MAX_HTML_CHARS``) into an ``<html>`` element."""
    if len(text) > MAX_HTML_CHARS:
        text = text[:MAX_HTML_CHARS]
    # Escape sequences go whole (not just their ESC, which would leave "[2J" behind); lxml
    # refuses the other C0 controls ("All strings must be XML compatible").
    text = sanitize(text)
    declaration = _XML_DECLARATION.match(text)
    if declaration:
        text = text[declaration.end():]
    doctype = _DOCTYPE_SUBSET.match(text)
    if doctype:
        text = text[doctype.end():]
    root = _parse(text)
    if _title_swallowed_page(root):
        # An unclosed <title> swallows the page as text; parse it again without that tag.
        root = _parse(_TITLE_TAG.sub("", text, count=1))
    return root


def _parse(text: str) -> HtmlElement:
    try:
        root = lxml.html.document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError("no readable content: the page could not be parsed") from exc
    if root is None:
        raise ExtractionError("no readable content: the page could not be parsed")
    return root


def _title_swallowed_page(root: HtmlElement) -> bool:
    title = root.find("head/title")
    if title is None or len(title.text or "") <= _MAX_TITLE_CHARS:
        return False
    body = root.find("body")
    return body is None or not normalize_space(body.text_content())


def normalize_space(text: str | None) -> str:
    return _WHITESPACE.sub(" ", text or "").strip()


def text_of(element: HtmlElement) -> str:
    """The element's visible text with whitespace collapsed."""
    return normalize_space(element.text_content())


def short_text(element: HtmlElement, limit: int) -> str | None:
    """``text_of(element)`` if it is at most ``limit`` characters, else None, reading no more of
    a big element than it takes to know (the questions "is this a short byline?" are asked of
    every element of a page)."""
    pieces: list[str] = []
    size = 0
    checkpoint = 2 * limit + 64  # collapsed whitespace can shrink the raw text, so check now and then
    for piece in element.itertext():
        pieces.append(piece)
        size += len(piece)
        if size > checkpoint:
            if len(normalize_space("".join(pieces))) > limit:
                return None
            checkpoint = 2 * size
    text = normalize_space("".join(pieces))
    return text if len(text) <= limit else None


def leading_text(element: HtmlElement, length: int) -> str:
    """The first ``length`` characters of ``text_of(element)`` (or all of it, if shorter)."""
    pieces: list[str] = []
    size = 0
    checkpoint = 4 * length + 64  # as in short_text: whitespace between tags adds up
    for piece in element.itertext():
        pieces.append(piece)
        size += len(piece)
        if size > checkpoint:
            if len(normalize_space("".join(pieces))) > length:
                break
            checkpoint = 2 * size
    return normalize_space("".join(pieces))[:length]


def class_and_id(element: HtmlElement) -> str:
    value = f"{element.get('class') or ''} {element.get('id') or ''}"
    return value if value.strip() else ""


def is_hidden(element: HtmlElement) -> bool:
    """Hidden from sighted readers by attribute, inline style or a screen-reader-only class."""
    if element.get("hidden") is not None:
        return True
    style = element.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    classes = element.get("class")
    return _hidden_by_class(classes) if classes else False


@lru_cache(maxsize=8192)
def _hidden_by_class(classes: str) -> bool:
    """Read once per distinct class string: a page repeats them."""
    if _SCREEN_READER_CLASS.search(classes):
        return True
    # "hidden md:block" is shown on wide screens: only a plain "hidden" counts.
    return bool(_HIDDEN_CLASS.search(classes)) and not _RESPONSIVE_CLASS.search(classes)


def link_density(element: HtmlElement) -> float:
    total = len(text_of(element))
    if not total:
        return 0.0
    linked = sum(len(text_of(link)) for link in element.iter("a"))
    return min(1.0, linked / total)


def is_element(node: object) -> bool:
    """True for real elements (lxml also yields comments and processing instructions)."""
    return isinstance(node, HtmlElement) and isinstance(node.tag, str)
