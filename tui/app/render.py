"""The reader's view of an article: Rich renderables, styled from the app's theme.

Web text only ever enters ``Text`` objects as plain strings (never markup), so a title like
``[@click=app.quit]`` is shown as written and does nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.segment import Segment
from rich.style import StyleType
from rich.table import Table
from rich.text import Text

from ..core.images import ImageRef
from ..core.models import Article, ArticleRecord, ArticleState, Block, TagKind
from ..core.render import body_blocks, display_byline, format_date
from ..core.sanitize import sanitize, sanitize_line
from .pictures import PictureSlot
from .textlayout import CodeBlock, TableBlock, wrapped

BODY_LIMIT = 200_000  # characters; beyond this the reader shows a notice instead of stalling

STYLE_TITLE = "bold"
STYLE_META = "dim"
STYLE_HEADING = "bold underline"
STYLE_SUBHEADING = "bold"
STYLE_QUOTE = "italic"
STYLE_CODE = "bold cyan"
STYLE_IMAGE = "dim italic"
STYLE_LINK_REF = "dim cyan"
STYLE_HIGHLIGHT = "black on yellow"
STYLE_NOTICE = "bold yellow"
STYLE_TAG = {"feed": "cyan", "page": "magenta", "user": "green"}



@dataclass(frozen=True, slots=True)
class ReaderStyles:
    """How the reader styles an article. The defaults are plain terminal styles; the app builds
    its own from the theme (``Reader.article_styles``: the reader's component classes)."""

    title: StyleType = STYLE_TITLE
    meta: StyleType = STYLE_META
    heading: StyleType = STYLE_HEADING
    subheading: StyleType = STYLE_SUBHEADING
    quote: StyleType = STYLE_QUOTE
    code: StyleType = STYLE_CODE
    image: StyleType = STYLE_IMAGE
    link_ref: StyleType = STYLE_LINK_REF
    highlight: StyleType = STYLE_HIGHLIGHT
    notice: StyleType = STYLE_NOTICE
    star: StyleType = "bold yellow"
    tag_feed: StyleType = STYLE_TAG["feed"]
    tag_page: StyleType = STYLE_TAG["page"]
    tag_user: StyleType = STYLE_TAG["user"]

    def tag(self, kind: TagKind) -> StyleType:
        return self.tag_feed if kind == "feed" else self.tag_page if kind == "page" else self.tag_user


PLAIN = ReaderStyles()

# The article state the reader draws (the header's user tags and star): a change of anything
# else (read, position) leaves the reader as it is.
READER_FIELDS = frozenset({"starred", "tags"})


def header(record: ArticleRecord, state: ArticleState, styles: ReaderStyles = PLAIN) -> Text:
    """Title; site · author · date · reading time; tags by kind; URL; full-text status."""
    article = record.article
    text = Text()
    text.append(sanitize_line(record.title, 500) or "(untitled)", style=styles.title)
    text.append("\n")
    parts = [
        sanitize_line(record.site),
        display_byline(record.byline),
        format_date(record.published),
        f"{article.reading_minutes} min read" if article else "",
    ]
    text.append(" · ".join(p for p in parts if p), style=styles.meta)
    tagged: list[tuple[str, TagKind]] = [(t, "feed") for t in record.feed_tags]
    tagged += [(t, "page") for t in record.page_tags] + [(t, "user") for t in state.tags]
    if tagged:
        text.append("\n")
        for number, (tag, kind) in enumerate(tagged):
            if number:
                text.append(" ")
            text.append("#" + sanitize_line(tag, 60), style=styles.tag(kind))
    text.append("\n")
    text.append(sanitize_line(record.url, 2000), style=styles.meta)
    if state.starred:
        text.append("  ★", style=styles.star)
    if record.status == "summary":
        text.append("\n" + (sanitize_line(record.note, 300) if record.note else
                            "Full text not fetched yet — showing the feed summary."),
                    style=styles.notice)
    elif record.status == "failed":
        text.append(f"\nFull text failed: {sanitize_line(record.error)} — showing the feed summary;"
                    " press o to open it in the browser.", style=styles.notice)
    return text


def body(blocks: Sequence[Block], *, highlight: Iterable[str] = (), limit: int = BODY_LIMIT,
         styles: ReaderStyles = PLAIN) -> list[RenderableType]:
    """Renderables for the reader, one per block, with link numbers and search highlights."""
    pattern = _highlight_pattern(highlight)
    renderables: list[RenderableType] = []
    rows: list[Text] = []  # consecutive table rows become one table
    used = 0
    for block in blocks:
        used += len(block.text)
        if used > limit:
            renderables.append(Text(f"[Article truncated after {limit:,} characters — open it in "
                                    "the browser (o) to read the rest.]", style=styles.notice))
            break
        if block.kind == "row":
            rows.append(_block_text(block, pattern, styles))
            continue
        if rows:
            renderables.append(_table(rows, styles))
            rows = []
        renderables.append(_render_block(block, pattern, styles))
    if rows:
        renderables.append(_table(rows, styles))
    return renderables


def _table(rows: list[Text], styles: ReaderStyles) -> TableBlock:
    """Rows whose cells are split by tabs (link numbers may follow a cell's text)."""
    cells = []
    for row in rows:
        cut = [i for i, ch in enumerate(row.plain) if ch == "\t"]
        cells.append([piece for piece in row.divide(cut)])
        cells[-1] = [cells[-1][0]] + [piece[1:] for piece in cells[-1][1:]]  # drop the tab
    return TableBlock(cells, header_style=styles.subheading)


def _render_block(block: Block, pattern: re.Pattern[str] | None,
                  styles: ReaderStyles) -> RenderableType:
    text = _block_text(block, pattern, styles)
    if block.kind == "heading":
        text.stylize(styles.heading if block.level <= 2 else styles.subheading)
        return wrapped(text)
    if block.kind == "item":
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1)
        grid.add_row(Text(sanitize_line(block.marker, 8) or "•", style="bold"), wrapped(text))
        return Padding(grid, (0, 0, 0, 2 * block.level))
    if block.kind == "quote":
        text.stylize(styles.quote)
        return _Quote(text, styles.meta)
    if block.kind == "code":
        text.stylize(styles.code)
        return CodeBlock(text)
    if block.kind == "image":  # its text is already "[image: alt]"
        text.stylize(styles.image)
    return wrapped(text)


class _Quote:
    """A block quote: the text indented behind a bar on every line."""

    def __init__(self, text: Text, bar_style: StyleType) -> None:
        self.text = text
        self.bar_style = bar_style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(1, options.max_width - 3)
        bar = Segment(" ▌ ", console.get_style(self.bar_style))
        for line in console.render_lines(wrapped(self.text), options.update_width(width), pad=False):
            yield bar
            yield from line
            yield Segment.line()


def _block_text(block: Block, pattern: re.Pattern[str] | None, styles: ReaderStyles) -> Text:
    source = sanitize(block.text)
    text = Text()
    position = 0
    for start, end, number in sorted(block.links):
        if start < position or end > len(source):
            continue
        text.append(source[position:end])
        text.append(f"[{number}]", style=styles.link_ref)
        position = end
    text.append(source[position:])
    if pattern is not None:
        text.highlight_regex(pattern, style=styles.highlight)
    return text


def _highlight_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({t for t in terms if t}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


def link_list(article: Article | None, styles: ReaderStyles = PLAIN) -> Text | None:
    """The numbered link references printed at the end of the article."""
    if not article or not article.links:
        return None
    text = Text("Links\n", style=styles.subheading)
    for number, url in enumerate(article.links, 1):
        text.append(f"[{number}] ", style=styles.link_ref)
        text.append(sanitize_line(url, 2000) + "\n", style=styles.meta)
    text.rstrip()
    return text


def reader_renderable(record: ArticleRecord, state: ArticleState, *,
                      blocks: Sequence[Block] | None = None,
                      highlight: Iterable[str] = (), styles: ReaderStyles = PLAIN) -> Group:
    """Header, body and link list, separated by blank lines (the reader's text, no pictures)."""
    return Group(*(part for part in reader_parts(record, state, blocks=blocks, highlight=highlight,
                                                 styles=styles)
                   if not isinstance(part, PictureSlot)))


def reader_parts(record: ArticleRecord, state: ArticleState, *, blocks: Sequence[Block] | None = None,
                 highlight: Iterable[str] = (), styles: ReaderStyles = PLAIN,
                 pictures: Sequence[ImageRef] = ()) -> list[RenderableType | PictureSlot]:
    """The reader's content as parts: header, the lead picture's slot, then each block with
    a slot before each inline picture, and the link list. Without ``pictures`` the parts are
    exactly the text the reader showed before pictures existed."""
    lead = next((ref for ref in pictures if ref.lead), None)
    inline = {ref.url for ref in pictures if not ref.lead}
    links = record.article.links if record.article else ()
    blocks = blocks if blocks is not None else body_blocks(record)
    parts: list[RenderableType | PictureSlot] = [wrapped(header(record, state, styles))]
    if lead is not None:
        words = lead.caption or lead.alt
        caption = Text(sanitize_line(words, 300), style=styles.image) if words else None
        parts.append(PictureSlot(lead.url, caption, space_above=1))
    parts.append(Text(""))
    # The body in runs that end before each inline picture (``body`` groups table rows, so
    # its renderables are not one per block); the character budget runs across the runs.
    cuts = [i for i, block in enumerate(blocks) if _picture_url(block, links) in inline]
    used, start = 0, 0
    for cut in [*cuts, len(blocks)]:
        run = blocks[start:cut]
        for renderable in body(run, highlight=highlight, limit=BODY_LIMIT - used, styles=styles):
            parts += [renderable, Text("")]
        used += sum(len(block.text) for block in run)
        if used > BODY_LIMIT:
            break  # the notice is in
        if cut < len(blocks):
            parts.append(PictureSlot(_picture_url(blocks[cut], links) or ""))
        start = cut
    references = link_list(record.article, styles)
    if references is not None:
        parts.append(references)
    return parts


def _picture_url(block: Block, links: Sequence[str]) -> str | None:
    if block.kind != "image" or not block.links:
        return None
    number = block.links[0][2]
    return links[number - 1] if 0 < number <= len(links) else None



