"""HTML of the article element to ``Block``s: plain text, with links kept as spans.

Links never leave markers in the text: each is a ``(start, end, n)`` span into its block and a
1-based index into the article's link list (one number per distinct URL). Images become image
blocks reading ``[image: alt]`` whose span points at the image. Whitespace is collapsed as a
browser would, except in ``<pre>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement

from ..models import Block, BlockKind
from ..sanitize import sanitize, sanitize_line
from ..urls import is_http_url

_BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details dialog div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hgroup hr html li main nav ol p pre section summary table tbody thead tfoot "
    "tr td th ul caption".split()
)
_SKIP_TAGS = frozenset("script style noscript template head title svg canvas button select input textarea "
                       "option iframe object embed audio video source track map area meta link".split())
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_SPACE = re.compile(r"[ \t\n\r\f\v\u00a0\u200b]+")
_MAX_DEPTH = 400
_BREAK = "\n\x00"  # a <br>; sanitize() removes NUL, so no text node can equal it
MAX_BLOCKS = 20_000
MAX_CHARS = 2_000_000


@dataclass(slots=True)
class _Run:
    """Inline text being gathered for one block: pieces of text, some of them links."""

    pieces: list[tuple[str, str | None]] = field(default_factory=list)

    def add(self, text: str, href: str | None) -> None:
        if text:
            self.pieces.append((text, href))

    def add_break(self) -> None:
        self.pieces.append((_BREAK, None))


@dataclass(slots=True)
class _Context:
    kind: BlockKind = "paragraph"
    list_depth: int = -1


class BlockBuilder:
    """Walks an element tree and collects blocks and the article's link list."""

    def __init__(self, base_url: str | None) -> None:
        self.base_url = base_url
        self.blocks: list[Block] = []
        self.links: list[str] = []
        self._link_numbers: dict[str, int] = {}
        self._run = _Run()
        self._run_kind: BlockKind = "paragraph"
        self._run_level = 0
        self._run_marker = ""
        self._chars = 0

    # -- public ---------------------------------------------------------------------------

    def build(self, element: HtmlElement) -> tuple[tuple[Block, ...], tuple[str, ...]]:
        self._walk(element, _Context(), None, 0)
        self._flush()
        return tuple(self.blocks), tuple(self.links)

    # -- walking --------------------------------------------------------------------------

    def _full(self) -> bool:
        return len(self.blocks) >= MAX_BLOCKS or self._chars >= MAX_CHARS

    def _walk(self, element: HtmlElement, context: _Context, href: str | None, depth: int) -> None:
        if depth > _MAX_DEPTH or self._full():
            return
        tag = element.tag if isinstance(element.tag, str) else ""
        if not tag or tag in _SKIP_TAGS:
            self._tail(element, context, href)
            return
        if tag == "br":
            self._run.add_break()
            self._tail(element, context, href)
            return
        if tag == "img":
            self._image(element)
            self._tail(element, context, href)
            return
        if tag == "table" and _is_data_table(element):
            self._flush()
            self._table(element, context, href, depth)
            self._tail(element, context, href)
            return
        outer_href = href
        if tag == "a":
            href = self._href(element.get("href"), unresolved=True) or href
        if tag in ("td", "th"):
            if self._run.pieces:
                self._add_text("  ", href, context)
        elif tag in _BLOCK_TAGS:
            self._flush()
            context = self._enter(element, tag, context)
            if tag == "li":
                self._start_item(element, context)
        if tag == "pre":
            self._start(kind="code")
            self._add_text("".join(element.itertext()), href, context)
            self._flush()
            self._tail(element, context, outer_href)
            return
        if element.text:
            self._add_text(element.text, href, context)
        for child in element:
            self._walk(child, context, href, depth + 1)
        if tag in _BLOCK_TAGS and tag not in ("td", "th"):
            self._flush()
        self._tail(element, context, outer_href)

    def _tail(self, element: HtmlElement, context: _Context, href: str | None) -> None:
        if element.tail:
            self._add_text(element.tail, href, context)

    def _enter(self, element: HtmlElement, tag: str, context: _Context) -> _Context:
        if tag in _HEADINGS:
            self._start(kind="heading", level=_HEADINGS[tag])
            return _Context("heading", context.list_depth)
        if tag == "blockquote":
            return _Context("quote", context.list_depth)
        if tag in ("ul", "ol"):
            return _Context(context.kind if context.kind == "quote" else "item", context.list_depth + 1)
        if tag in ("p", "div", "section", "tr", "dd", "dt", "figcaption"):
            self._start(kind=context.kind if context.kind in ("quote", "heading") else "paragraph",
                        marker="figcaption" if tag == "figcaption" else "")
        return context

    def _start_item(self, element: HtmlElement, context: _Context) -> None:
        marker = "•"
        parent = element.getparent()
        if parent is not None and parent.tag == "ol":
            start = parent.get("start") or "1"
            index = int(start) if start.isdigit() and len(start) < 6 else 1
            index += sum(1 for sibling in element.itersiblings(preceding=True) if sibling.tag == "li")
            marker = f"{index}."
        self._start(kind="item", level=max(0, context.list_depth), marker=marker)

    def _start(self, kind: BlockKind, level: int = 0, marker: str = "") -> None:
        self._flush()
        self._run_kind, self._run_level, self._run_marker = kind, level, marker

    def _add_text(self, text: str, href: str | None, context: _Context) -> None:
        if not self._run.pieces and self._run_kind == "paragraph" and context.kind == "quote":
            self._run_kind = "quote"
        self._run.add(text, href)

    def _image(self, element: HtmlElement) -> None:
        source = element.get("data-src") or element.get("data-original") or element.get("src") or ""
        width, height = element.get("width") or "", element.get("height") or ""
        if width in ("0", "1") or height in ("0", "1") or source.startswith("data:"):
            return
        target = self._href(source)
        if not target:
            return
        alt = sanitize_line(element.get("alt") or element.get("title") or "", limit=200)
        saved = (self._run, self._run_kind, self._run_level, self._run_marker)
        self._run = _Run()
        text = f"[image: {alt}]" if alt else "[image]"
        number = self._number(target)
        self.blocks.append(Block("image", text, links=((0, len(text), number),)))
        self._run, self._run_kind, self._run_level, self._run_marker = saved

    def _table(self, element: HtmlElement, context: _Context, href: str | None, depth: int) -> None:
        """A data table: one ``row`` block per ``<tr>``, its cells joined by tabs (whitespace
        inside a cell is collapsed, so a tab can only be a cell boundary); a row of ``<th>``
        only has the marker ``th``."""
        for row in element.iter("tr"):
            if self._full():
                return
            cells = [cell for cell in row if isinstance(cell.tag, str) and cell.tag in ("td", "th")]
            texts: list[str] = []
            links: list[tuple[int, int, int]] = []
            offset = 0
            for cell in cells:
                saved = self._run
                self._run = _Run()
                if cell.text:
                    self._run.add(cell.text, href)
                for child in cell:
                    self._walk(child, _Context("paragraph", context.list_depth), href, depth + 1)
                pieces, self._run = self._run.pieces, saved
                text, spans = _join([(p if p == _BREAK else sanitize(p), h) for p, h in pieces], False)
                text = text.replace("\n", " ")
                links += [(offset + a, offset + b, self._number(h)) for a, b, h in spans if b > a]
                texts.append(text)
                offset += len(text) + 1
            if any(t.strip() for t in texts):
                joined = "\t".join(texts)
                header = all(cell.tag == "th" for cell in cells)
                self.blocks.append(Block("row", joined, marker="th" if header else "", links=tuple(links)))
                self._chars += len(joined)

    # -- links ----------------------------------------------------------------------------

    def _href(self, href: str | None, *, unresolved: bool = False) -> str | None:
        """The absolute http(s) address of ``href``, or None. With ``unresolved``, a relative
        link on a page whose address is unknown comes back as written: it is still a link
        (the rules that tell a list of teasers from prose weigh linked text), and the pipeline
        drops it from what the reader can follow."""
        if not href:
            return None
        href = href.strip()
        if href.startswith("#") or href.lower().startswith(("javascript:", "data:", "mailto:", "tel:")):
            return None
        try:
            absolute = urljoin(self.base_url or "", href)
        except ValueError:
            return None
        if is_http_url(absolute):
            return absolute
        return href if unresolved and self.base_url is None and not urlsplit(href).scheme else None

    def _number(self, url: str) -> int:
        url = sanitize_line(url, limit=2000)
        number = self._link_numbers.get(url)
        if number is None:
            self.links.append(url)
            number = len(self.links)
            self._link_numbers[url] = number
        return number

    # -- flushing -------------------------------------------------------------------------

    def _flush(self) -> None:
        pieces = self._run.pieces
        self._run = _Run()
        if not pieces:
            return
        preformatted = self._run_kind == "code"
        text, spans = _join([(piece if piece == _BREAK else sanitize(piece), href) for piece, href in pieces],
                            preformatted)
        if not text.strip():
            return
        for part, part_spans in _split_paragraphs(text, spans, self._run_kind):
            links = tuple((start, end, self._number(href)) for start, end, href in part_spans if end > start)
            self.blocks.append(Block(self._run_kind, part, level=self._run_level, marker=self._run_marker, links=links))
            self._chars += len(part)
        if self._run_kind in ("heading", "item"):
            self._run_kind, self._run_level, self._run_marker = "paragraph", 0, ""


_TABLE_BLOCKS = frozenset("table p div ul ol pre blockquote h1 h2 h3 h4 h5 h6 section article "
                          "header footer nav aside figure form".split())


def _is_data_table(table: HtmlElement) -> bool:
    """A table of data (rows of short cells, two columns or more), not one laying out a page:
    a layout table holds paragraphs, lists or other tables, and stays ordinary blocks."""
    rows = 0
    widest = 0
    for element in table.iterdescendants():
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _TABLE_BLOCKS:
            return False
        if tag == "tr":
            rows += 1
            widest = max(widest, sum(1 for c in element if isinstance(c.tag, str) and c.tag in ("td", "th")))
    return rows >= 2 and 2 <= widest <= 20


_LETTER_SPACED = re.compile(r"^\s*(?:[^\W\d_](?:[ \t\u00a0]+|$)){5,}\s*$")
_WORD_GAP = re.compile(r"[ \t\u00a0]{2,}")
_ANY_SPACE = re.compile(r"\s+")


def _unspaced(text: str) -> str:
    """ "R E L A T E D  C O N T E N T" -> "RELATED CONTENT": a heading set letter by letter
    (a wider gap between its words) reads, and is matched, as the words it spells."""
    if not _LETTER_SPACED.match(text):
        return text
    return " ".join(_ANY_SPACE.sub("", word) for word in _WORD_GAP.split(text.strip()))


def _join(pieces: list[tuple[str, str | None]], preformatted: bool) -> tuple[str, list[tuple[int, int, str]]]:
    """Concatenate pieces, collapsing whitespace, and return the text with its link spans."""
    out: list[str] = []
    length = 0
    spans: list[tuple[int, int, str]] = []
    for raw, href in pieces:
        if preformatted:
            piece = raw.replace("\r\n", "\n").strip("\n") if not out else raw
        elif raw == _BREAK:
            piece = "\n"
        else:
            piece = _SPACE.sub(" ", _unspaced(raw))
            previous = out[-1][-1:] if out else "\n"
            if piece.startswith(" ") and previous in (" ", "\n", ""):
                piece = piece[1:]
        if not piece:
            continue
        if piece == "\n" and out and out[-1].endswith(" "):
            out[-1] = out[-1][:-1]
            length -= 1
        start = length
        out.append(piece)
        length += len(piece)
        if href:
            lead = len(piece) - len(piece.lstrip())
            trail = len(piece) - len(piece.rstrip())
            begin, end = start + lead, length - trail
            if spans and spans[-1][2] == href and spans[-1][1] >= begin - 1:
                begin = spans.pop()[0]
            if end > begin:
                spans.append((begin, end, href))
    text = "".join(out)
    if preformatted:
        text = text.rstrip()
        return text, [(a, min(b, len(text)), h) for a, b, h in spans if a < len(text)]
    # Collapse the line breaks that <br> left: at most one blank line, none at the ends.
    stripped_left = len(text) - len(text.lstrip())
    text = text.strip()
    spans = [(max(0, a - stripped_left), min(len(text), b - stripped_left), h) for a, b, h in spans]
    if "\n" in text:
        text, spans = _tidy_lines(text, spans)
    return text, [(a, b, h) for a, b, h in spans if b > a]


def _split_paragraphs(
    text: str, spans: list[tuple[int, int, str]], kind: BlockKind
) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """A blank line (two <br>s) ends a paragraph: the cleanup rules judge each on its own."""
    if kind not in ("paragraph", "quote") or "\n\n" not in text:
        return [(text, spans)]
    parts: list[tuple[str, list[tuple[int, int, str]]]] = []
    offset = 0
    for chunk in text.split("\n\n"):
        start, end = offset, offset + len(chunk)
        offset = end + 2
        if chunk.strip():
            parts.append((chunk, [(max(a, start) - start, min(b, end) - start, h)
                                  for a, b, h in spans if a < end and b > start]))
    return parts


def _tidy_lines(text: str, spans: list[tuple[int, int, str]]) -> tuple[str, list[tuple[int, int, str]]]:
    """Strip spaces around line breaks and limit runs of them to two, keeping spans aligned."""
    keep: list[bool] = [True] * len(text)
    newline_run = 0
    for index, char in enumerate(text):
        if char == "\n":
            newline_run += 1
            if newline_run > 2:
                keep[index] = False
        else:
            newline_run = 0
    for index, char in enumerate(text):
        if char == " " and ((index + 1 < len(text) and text[index + 1] == "\n") or (index > 0 and text[index - 1] == "\n")):
            keep[index] = False
    mapping: list[int] = []
    position = 0
    for flag in keep:
        mapping.append(position)
        if flag:
            position += 1
    mapping.append(position)
    new_text = "".join(char for char, flag in zip(text, keep) if flag)
    return new_text, [(mapping[a], mapping[b], h) for a, b, h in spans]


def to_blocks(element: HtmlElement | etree._Element, base_url: str | None) -> tuple[tuple[Block, ...], tuple[str, ...]]:
    """The element's content as blocks, and the URLs their link spans number (plain lxml
    elements, as trafilatura builds them, read the same as HTML ones)."""
    if not isinstance(element, etree._Element) or not isinstance(element.tag, str):
        return (), ()
    return BlockBuilder(base_url).build(element)
