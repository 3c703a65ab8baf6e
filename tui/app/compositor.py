"""A compositor whose partial updates draw only what they change.

Textual answers a partial update (j moving the list cursor: four lines) by rendering every
widget whose clip overlaps it, and the clip is the parent's region, so that is every widget on
screen, each in full (the reader's 28 lines, both scrollbars, the status line, the footer),
before keeping the changed lines. Here a widget is rendered only where what shows of it meets
the update, and only its lines in the update: about a quarter of a j/k's main-thread CPU at
100k articles (benchmarks/keys.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from textual._compositor import Compositor
from textual.geometry import Region
from textual.strip import Strip


class UpdateCompositor(Compositor):
    """The same frames as Textual's compositor, made from fewer rendered lines."""

    def _get_renders(self, crop: Region | None = None) -> Iterable[tuple[Region, Region, list[Strip]]]:
        if crop is None:
            yield from super()._get_renders(crop)
            return
        for widget, (region, clip) in self.visible_widgets.items():
            shown = region.intersection(clip)
            top, bottom = max(shown.y, crop.y), min(shown.bottom, crop.bottom)
            if top >= bottom or shown.right <= crop.x or crop.right <= shown.x:
                continue  # nothing of it in the update
            # Whole lines of it: the frame is cut where widgets meet, never inside one.
            drawn = Region(shown.x, top, shown.width, bottom - top)
            yield drawn, drawn, widget.render_lines(
                Region(drawn.x - region.x, drawn.y - region.y, drawn.width, drawn.height))
