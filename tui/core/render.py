"""Turn an article into terminal text: Rich renderables for the reader, plain text for the CLI.

Web text only ever enters ``Text`` objects as plain strings (never markup), so a title like
``[@click=app.quit]`` is shown as written and does nothing.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.segment import Segment
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from .models import Article, ArticleRecord, ArticleState, Block
from .sanitize import sanitize, sanitize_line
from .textwidth import TABLE_GAP, column_widths, pad

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


def format_date(timestamp: float, *, now: float | None = None) -> str:
    """An absolute date for the reader header ("2019-09-26 10:15")."""
    if not timestamp:
        return ""
    try:
        return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")
    except (OverflowError, OSError, ValueError):
        return ""


def relative_date(timestamp: float, *, now: float | None = None) -> str:
    """A short age for the list column ("5m", "3h", "2d", "2019-09-26")."""
    if not timestamp:
        return ""
    age = (now if now is not None else time.time()) - timestamp
    if age < 0:
        return "now"
    if age < 3600:
        return f"{max(1, int(age // 60))}m"
    if age < 86400:
        return f"{int(age // 3600)}h"
    if age < 86400 * 30:
        return f"{int(age // 86400)}d"
    try:
        return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d")
    except (OverflowError, OSError, ValueError):
        return ""


_BYLINE_LABEL = re.compile(r"^(?:by|oleh|von|por|par|door|penulis|reporter|author|autor)\b\s*:?\s*",
                           re.IGNORECASE)


def display_byline(byline: str | None) -> str:
    """The byline for the header: extraction keeps it as the page wrote it ("By Jane Doe");
    the header already says it is the author, so the label goes."""
    return _BYLINE_LABEL.sub("", sanitize_line(byline))


def header(record: ArticleRecord, state: ArticleState) -> Text:
    """Title; site · author · date · reading time; tags by kind; URL; full-text status."""
    article = record.article
    text = Text()
    text.append(sanitize_line(record.title, 500) or "(untitled)", style=STYLE_TITLE)
    text.append("\n")
    parts = [
        sanitize_line(record.site),
        display_byline(record.byline),
        format_date(record.published),
        f"{article.reading_minutes} min read" if article else "",
    ]
    text.append(" · ".join(p for p in parts if p), style=STYLE_META)
    tagged = [(t, "feed") for t in record.feed_tags] + [(t, "page") for t in record.page_tags] + [
        (t, "user") for t in state.tags
    ]
    if tagged:
        text.append("\n")
        for number, (tag, kind) in enumerate(tagged):
            if number:
                text.append(" ")
            text.append("#" + sanitize_line(tag, 60), style=STYLE_TAG[kind])
    text.append("\n")
    text.append(sanitize_line(record.url, 2000), style=STYLE_META)
    if state.starred:
        text.append("  ★", style="bold yellow")
    if record.status == "summary":
        text.append("\nFull text not fetched yet — showing the feed summary.", style=STYLE_NOTICE)
    elif record.status == "failed":
        text.append(f"\nFull text failed: {sanitize_line(record.error)} — showing the feed summary;"
                    " press o to open it in the browser.", style=STYLE_NOTICE)
    return text


def body_blocks(record: ArticleRecord) -> tuple[Block, ...]:
    """The blocks to show: the extracted article, else the feed summary as paragraphs."""
    if record.article and record.article.blocks:
        return record.article.blocks
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", sanitize(record.summary)) if p.strip()]
    return tuple(Block("paragraph", p) for p in paragraphs)


def body(blocks: Sequence[Block], *, highlight: Iterable[str] = (),
         limit: int = BODY_LIMIT) -> list[RenderableType]:
    """Renderables for the reader, one per block, with link numbers and search highlights."""
    pattern = _highlight_pattern(highlight)
    renderables: list[RenderableType] = []
    used = 0
    for block in blocks:
        used += len(block.text)
        if used > limit:
            renderables.append(Text(f"[Article truncated after {limit:,} characters — open it in "
                                    "the browser (o) to read the rest.]", style=STYLE_NOTICE))
            break
        renderables.append(_render_block(block, pattern))
    return renderables


def _render_block(block: Block, pattern: re.Pattern[str] | None) -> RenderableType:
    text = _block_text(block, pattern)
    if block.kind == "heading":
        text.stylize(STYLE_HEADING if block.level <= 2 else STYLE_SUBHEADING)
        return text
    if block.kind == "item":
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1)
        grid.add_row(Text(sanitize_line(block.marker, 8) or "•", style="bold"), text)
        return Padding(grid, (0, 0, 0, 2 * block.level))
    if block.kind == "quote":
        text.stylize(STYLE_QUOTE)
        return _Quote(text)
    if block.kind == "code":
        text.stylize(STYLE_CODE)
        text.no_wrap = False
        text.overflow = "fold"
        return Padding(text, (0, 0, 0, 4))
    if block.kind == "image":  # its text is already "[image: alt]"
        text.stylize(STYLE_IMAGE)
    return text


class _Quote:
    """A block quote: the text indented behind a bar on every line."""

    def __init__(self, text: Text) -> None:
        self.text = text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(1, options.max_width - 3)
        bar = Segment(" ▌ ", console.get_style("dim"))
        for line in console.render_lines(self.text, options.update_width(width), pad=False):
            yield bar
            yield from line
            yield Segment.line()


def _block_text(block: Block, pattern: re.Pattern[str] | None) -> Text:
    source = sanitize(block.text)
    text = Text()
    position = 0
    for start, end, number in sorted(block.links):
        if start < position or end > len(source):
            continue
        text.append(source[position:end])
        text.append(f"[{number}]", style=STYLE_LINK_REF)
        position = end
    text.append(source[position:])
    if pattern is not None:
        text.highlight_regex(pattern, style=STYLE_HIGHLIGHT)
    return text


def _highlight_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({t for t in terms if t}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


def link_list(article: Article | None) -> Text | None:
    """The numbered link references printed at the end of the article."""
    if not article or not article.links:
        return None
    text = Text("Links\n", style=STYLE_SUBHEADING)
    for number, url in enumerate(article.links, 1):
        text.append(f"[{number}] ", style=STYLE_LINK_REF)
        text.append(sanitize_line(url, 2000) + "\n", style=STYLE_META)
    text.rstrip()
    return text


def reader_renderable(record: ArticleRecord, state: ArticleState, *,
                      blocks: Sequence[Block] | None = None,
                      highlight: Iterable[str] = ()) -> Group:
    """Header, body and link list, separated by blank lines."""
    parts: list[RenderableType] = [header(record, state), Text("")]
    for renderable in body(blocks if blocks is not None else body_blocks(record), highlight=highlight):
        parts.append(renderable)
        parts.append(Text(""))
    links = link_list(record.article)
    if links is not None:
        parts.append(links)
    return Group(*parts)


def plain_text(record: ArticleRecord, *, with_header: bool = True) -> str:
    """The article as plain text (for ``warta show`` and ``warta extract``)."""
    lines: list[str] = []
    if with_header:
        article = record.article
        lines.append(sanitize_line(record.title, 500))
        meta = [sanitize_line(record.site), display_byline(record.byline), format_date(record.published)]
        if article:
            meta.append(f"{article.reading_minutes} min read")
        lines.append(" · ".join(m for m in meta if m))
        tags = (*record.feed_tags, *record.page_tags)
        if tags:
            lines.append(" ".join("#" + sanitize_line(t, 60) for t in tags))
        lines.append(sanitize_line(record.url, 2000))
        lines.append("")
    paragraphs = []
    rows: list[list[str]] = []
    for block in body_blocks(record):
        text = sanitize(block.text)
        if block.kind == "row":
            rows.append(text.split("\t"))
            continue
        if rows:
            paragraphs.append(aligned_table(rows))
            rows = []
        if block.kind == "item":
            text = "  " * block.level + (sanitize_line(block.marker, 8) or "•") + " " + text
        paragraphs.append(text)
    if rows:
        paragraphs.append(aligned_table(rows))
    return "\n".join([*lines, "\n\n".join(paragraphs)])


def aligned_table(rows: list[list[str]]) -> str:
    """Table rows as lines of columns padded to their widths in terminal cells."""
    widths = column_widths(rows, 10**6) or []
    gap = " " * TABLE_GAP
    return "\n".join(gap.join(pad(cell, width) for cell, width in zip(row, widths)).rstrip()
                     for row in rows)
