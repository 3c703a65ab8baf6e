"""Pictures painted as text: each cell a "▀" whose foreground is the upper pixel and whose
background is the lower one (24-bit colour; Rich reduces it on terminals with fewer colours).

Why not a library: ``textual-image`` queries the terminal on import (it must be imported before
Textual starts, and it writes to stdout and reads stdin to do it), scales the picture inside
every render call, and its sixel widget leaves ghosts in scrolling panes; ``rich-pixels`` reads
the picture pixel by pixel with ``getpixel`` on every render and resizes with nearest-neighbour.
Both take a PIL image in the UI process. Here the core hands over the picture already scaled
(in a thread, cached on disk) as plain cells, and painting them is one pass that merges runs of
equal cells into one segment: the reader stays a line-API view of ready-made strips. Terminals
that answer for kitty graphics or sixel get those (``graphics.py``); this module paints what
either needs in the cells: kitty's placeholders, or blank cells a sixel is drawn over.
"""

from __future__ import annotations

from dataclasses import dataclass

from functools import lru_cache

from rich.color import Color, ColorType
from rich.color_triplet import ColorTriplet
from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.strip import Strip

from ..core.images import RGB, CellImage
from .graphics import KittyPicture, kitty_strips

HALF_BLOCK = "▀"


@dataclass(frozen=True, slots=True)
class SixelPicture:
    """A picture as one sixel image (``data``) over ``width`` x ``height`` cells."""

    width: int
    height: int
    data: str


Drawable = CellImage | KittyPicture | SixelPicture  # what a picture slot can show


def picture_strips(picture: Drawable, width: int) -> list[Strip]:
    """The picture's cells as ``picture.height`` lines, centred in ``width`` columns (for a
    sixel, blank lines it is drawn over)."""
    if isinstance(picture, KittyPicture):
        return kitty_strips(picture, width)
    if isinstance(picture, SixelPicture):
        return [Strip.blank(width)] * picture.height
    return _half_blocks(picture, width)


def _half_blocks(cells: CellImage, width: int) -> list[Strip]:
    """Painted once per picture and width, and kept (``_PAINTED``): an article opened again,
    or a picture redrawn after a star, costs no second pass over its cells."""
    key = (cells.width, cells.height, width, cells.pixels)
    strips = _PAINTED.get(key)
    if strips is None:
        strips = _PAINTED[key] = _paint(cells, width)
    return strips


def _paint(cells: CellImage, width: int) -> list[Strip]:
    pad = max(0, (width - cells.width) // 2)
    styles: dict[tuple[RGB, RGB], Style] = {}
    strips = []
    for row in cells.rows():
        segments = [Segment(" " * pad)] if pad else []
        run_style: Style | None = None
        run = 0
        for pair in row:
            style = styles.get(pair)
            if style is None:  # the fast constructor: no parsing, colours made once each
                style = styles[pair] = Style.from_color(_colour(pair[0]), _colour(pair[1]))
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


@lru_cache(maxsize=1 << 16)
def _colour(rgb: RGB) -> Color:
    return Color(f"#{rgb[0]:02x}{rgb[1]:02x}{rgb[2]:02x}", ColorType.TRUECOLOR,
                 triplet=ColorTriplet(*rgb))


_PAINTED: LRUCache[tuple[int, int, int, bytes], list[Strip]] = LRUCache(64)  # ~100 KB each


# -- where pictures go in the reader ---------------------------------------------------------------

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
