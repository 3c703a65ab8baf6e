"""An article as plain text: dates, bylines, the blocks to show, ``warta show``/``extract``.

The reader's styled view is the app's (``tui/app/render.py``); nothing here knows Rich.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, UTC

from .models import ArticleRecord, Block
from .sanitize import sanitize, sanitize_line
from .textwidth import TABLE_GAP, column_widths, pad


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
        return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d")
    except (OverflowError, OSError, ValueError):
        return ""


_BYLINE_LABEL = re.compile(r"^(?:by|oleh|von|por|par|door|penulis|reporter|author|autor)\b\s*:?\s*",
                           re.IGNORECASE)


def display_byline(byline: str | None) -> str:
    """The byline for the header: extraction keeps it as the page wrote it ("By Jane Doe");
    the header already says it is the author, so the label goes."""
    return _BYLINE_LABEL.sub("", sanitize_line(byline))


def body_blocks(record: ArticleRecord) -> tuple[Block, ...]:
    """The blocks to show: the extracted article, else the feed summary as paragraphs."""
    if record.article and record.article.blocks:
        return record.article.blocks
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", sanitize(record.summary)) if p.strip()]
    return tuple(Block("paragraph", p) for p in paragraphs)


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
