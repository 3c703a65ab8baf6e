"""Pictures painted as text: each cell a "▀" whose foreground is the upper pixel and whose
background is the lower one (24-bit colour; Rich reduces it on terminals with fewer colours).

Why not a library: ``textual-image`` queries the terminal on import (it must be imported before
Textual starts, and it writes to stdout and reads stdin to do it), scales the picture inside
every render call, and its sixel widget leaves ghosts in scrolling panes; ``rich-pixels`` reads
the picture pixel by pixel with ``getpixel`` on every render and resizes with nearest-neighbour.
Both take a PIL image in the UI process. Here the core hands over the picture already scaled
(in a thread, cached on disk) as plain cells, and painting them is one pass that merges runs of
equal cells into one segment: the reader stays a line-API view of ready-made strips.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from rich.color import Color
from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.message import Message
from textual.message_pump import MessagePump
from textual.strip import Strip

from ..core import render
from ..core.images import RGB, CellImage, ImageError, ImageRef
from ..core.models import ArticleRecord, ArticleState, Block
from ..core.sanitize import sanitize_line

HALF_BLOCK = "▀"
Drawing = Literal["halfblock", "text"]


def drawing_for(mode: str, color_system: str | None) -> Drawing:
    """How pictures are drawn: ``off`` and colourless terminals keep the ``[image: …]`` line."""
    if mode == "off":
        return "text"
    if mode == "halfblock":
        return "halfblock"
    return "halfblock" if color_system in ("truecolor", "256") else "text"


def picture_strips(cells: CellImage, width: int) -> list[Strip]:
    """The picture as ``cells.height`` lines, centred in ``width`` columns."""
    pad = max(0, (width - cells.width) // 2)
    styles: dict[tuple[RGB, RGB], Style] = {}
    strips = []
    for row in cells.rows():
        segments = [Segment(" " * pad)] if pad else []
        run_style: Style | None = None
        run = 0
        for pair in row:
            style = styles.get(pair)
            if style is None:
                style = styles[pair] = Style(color=Color.from_rgb(*pair[0]),
                                             bgcolor=Color.from_rgb(*pair[1]))
            if style is run_style:
                run += 1
                continue
            if run:
                segments.append(Segment(HALF_BLOCK * run, run_style))
            run_style, run = style, 1
        if run:
            segments.append(Segment(HALF_BLOCK * run, run_style))
        strips.append(Strip(segments, pad + cells.width))
    return strips


# -- the reader's content with its pictures -------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PictureSlot:
    """Where a picture stands in the reader's content: no lines until its picture is set,
    then ``space_above`` blank lines, the picture, and its caption."""

    key: str
    caption: RenderableType | None = None
    space_above: int = 0


def preview_rows(reader_height: int) -> int:
    """A preview is a few rows: two fifths of the reader, between 4 and 12."""
    return max(4, min(12, reader_height * 2 // 5))


def reader_parts(record: ArticleRecord, state: ArticleState, *, blocks: Sequence[Block],
                 highlight: Iterable[str] = (),
                 pictures: Sequence[ImageRef] = ()) -> list[RenderableType | PictureSlot]:
    """The reader's content as parts: header, the lead picture's slot, then each block with
    a slot before each inline picture, and the link list. Without ``pictures`` the parts are
    exactly the text the reader showed before pictures existed."""
    lead = next((ref for ref in pictures if ref.lead), None)
    inline = {ref.url for ref in pictures if not ref.lead}
    links = record.article.links if record.article else ()
    parts: list[RenderableType | PictureSlot] = [render.header(record, state)]
    if lead is not None:
        caption = Text(sanitize_line(lead.alt, 300), style=render.STYLE_IMAGE) if lead.alt else None
        parts.append(PictureSlot(lead.url, caption, space_above=1))
    parts.append(Text(""))
    renderables = render.body(blocks, highlight=highlight)
    for index, renderable in enumerate(renderables):
        block = blocks[index] if index < len(blocks) and index < _shown_blocks(blocks) else None
        url = _picture_url(block, links) if block is not None else None
        if url in inline:
            parts.append(PictureSlot(url))
        parts += [renderable, Text("")]
    link_list = render.link_list(record.article)
    if link_list is not None:
        parts.append(link_list)
    return parts


def _shown_blocks(blocks: Sequence[Block]) -> int:
    """How many blocks ``render.body`` shows before its truncation notice."""
    used = 0
    for index, block in enumerate(blocks):
        used += len(block.text)
        if used > render.BODY_LIMIT:
            return index
    return len(blocks)


def _picture_url(block: Block, links: Sequence[str]) -> str | None:
    if block.kind != "image" or not block.links:
        return None
    number = block.links[0][2]
    return links[number - 1] if 0 < number <= len(links) else None


# -- messages: the screens ask the app for pictures, the app's worker answers ----------------------

class PicturesWanted(Message):
    """Load ``refs`` scaled to fit ``cols`` x ``rows`` cells; answers go to ``reply_to``."""

    def __init__(self, article_id: str, refs: Sequence[ImageRef], cols: int, rows: int,
                 background: RGB, reply_to: MessagePump, feeds: Sequence[str] = ()) -> None:
        super().__init__()
        self.article_id = article_id
        self.refs = tuple(refs)
        self.cols = cols
        self.rows = rows
        self.background = background
        self.reply_to = reply_to
        self.feeds = tuple(feeds)  # the article's feed URLs: whose hosts may be private


class PicturesLoaded(Message):
    """Pictures of ``article_id`` by URL, scaled, or why each is not shown: all the cached
    ones in one message (one repaint), then one message per download."""

    def __init__(self, article_id: str, pictures: Sequence[tuple[str, CellImage | ImageError]]) -> None:
        super().__init__()
        self.article_id = article_id
        self.pictures = dict(pictures)

    @property
    def shown(self) -> dict[str, CellImage]:
        return {url: cells for url, cells in self.pictures.items() if isinstance(cells, CellImage)}
