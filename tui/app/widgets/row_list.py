"""A virtual one-line-per-row list: only the rows on screen are drawn.

The feed pane lists every feed (thousands, for some people); an ``OptionList`` lays out every
option when it is filled (about 650 ms for 2,000 feeds, measured), this draws the 30 in view.
Rows are described by ``Row`` (a kind and a value the screen understands, and whether the cursor
may rest on it); their text, for the width there is, is asked for only when a row is drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.text import Text
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip


@dataclass(frozen=True, slots=True)
class Row:
    """One line: ``kind``/``value`` say what it stands for; a heading is not ``selectable``."""

    kind: str
    value: str
    selectable: bool = True


class RowList(ScrollView, can_focus=True):
    """The cursor skips headings; j/k/g/G, PgUp/PgDn and Home/End move it as in every list."""

    BINDINGS = [
        Binding("j,down", "cursor(1)", "Down", show=False, tooltip="Next row", id="rows.down"),
        Binding("k,up", "cursor(-1)", "Up", show=False, tooltip="Previous row", id="rows.up"),
        Binding("g,home", "top", "Top", show=False, tooltip="First row", id="rows.top"),
        Binding("G,end", "bottom", "Bottom", show=False, tooltip="Last row", id="rows.bottom"),
        Binding("pagedown", "page(1)", "Page down", show=False, tooltip="A page down",
                id="rows.page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, tooltip="A page up",
                id="rows.page_up"),
    ]

    COMPONENT_CLASSES = {"row-list--cursor"}

    DEFAULT_CSS = """
    RowList { background: $surface; scrollbar-size-vertical: 1; }
    RowList > .row-list--cursor { background: $accent 40%; }
    RowList:focus > .row-list--cursor { background: $accent; color: $text; }
    """

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        """The cursor rests on another row."""

        def __init__(self, row: Row | None) -> None:
            super().__init__()
            self.row = row

    def __init__(self, text_of: Callable[[Row, int], Text], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text_of = text_of
        self.rows: list[Row] = []
        self._strips: LRUCache[tuple[int, int, bool, bool], Strip] = LRUCache(256)

    def set_rows(self, rows: Sequence[Row], *, cursor: int | None = None) -> None:
        """Show ``rows``; the cursor goes to ``cursor`` (else stays), on a selectable row."""
        self.rows = list(rows)
        self._strips.clear()
        self.virtual_size = Size(self.size.width, len(self.rows))
        self.cursor = self._selectable(self.cursor if cursor is None else cursor, 1)
        self.refresh()

    def redraw(self) -> None:
        """Draw every row again (what they show changed, not which rows there are)."""
        self._strips.clear()
        self.refresh()

    @property
    def current(self) -> Row | None:
        if 0 <= self.cursor < len(self.rows) and self.rows[self.cursor].selectable:
            return self.rows[self.cursor]
        return None

    def line_texts(self) -> list[str]:
        """Every row's text, plain (for tests: the screen shows only some of them)."""
        width = self.scrollable_content_region.width or 120
        return [self.text_of(row, width).plain for row in self.rows]

    def move_to(self, kind: str, value: str) -> bool:
        """Put the cursor on the row standing for (``kind``, ``value``), if there is one."""
        for position, row in enumerate(self.rows):
            if row.kind == kind and row.value == value and row.selectable:
                self.cursor = position
                return True
        return False

    def _selectable(self, position: int, direction: int) -> int:
        """The nearest selectable row from ``position`` in ``direction`` (else the other way)."""
        if not self.rows:
            return 0
        position = max(0, min(position, len(self.rows) - 1))
        for step in (direction, -direction):
            probe = position
            while 0 <= probe < len(self.rows):
                if self.rows[probe].selectable:
                    return probe
                probe += step
        return position

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_lines(old, 1)  # lines of the whole list: ScrollView subtracts the scroll
        self.refresh_lines(new, 1)
        height = self.scrollable_content_region.height
        if new < self.scroll_y:  # the heading right above comes into view with it
            heading = new > 0 and not self.rows[new - 1].selectable
            self.scroll_to(y=new - 1 if heading else new, animate=False)
        elif new >= self.scroll_y + height:
            self.scroll_to(y=new - height + 1, animate=False)
        self.post_message(self.Highlighted(self.current))

    def action_cursor(self, step: int) -> None:
        self.cursor = self._selectable(self.cursor + step, step)

    def action_top(self) -> None:
        self.cursor = self._selectable(0, 1)
        self.scroll_to(y=0, animate=False)

    def action_bottom(self) -> None:
        self.cursor = self._selectable(len(self.rows) - 1, -1)

    def action_page(self, direction: int) -> None:
        step = max(1, self.scrollable_content_region.height - 1) * direction
        self.cursor = self._selectable(self.cursor + step, direction)

    def on_click(self, event: object) -> None:
        offset_y = getattr(event, "y", None)
        if isinstance(offset_y, int):
            self.cursor = self._selectable(offset_y + round(self.scroll_y), 1)

    def on_resize(self) -> None:
        self._strips.clear()
        self.virtual_size = Size(self.size.width, len(self.rows))

    def render_line(self, y: int) -> Strip:
        position = round(self.scroll_y) + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if not 0 <= position < len(self.rows):
            return Strip.blank(width, base)
        selected = position == self.cursor
        key = (position, width, selected, self.has_focus)
        cached = self._strips.get(key)
        if cached is not None:
            return cached
        text = self.text_of(self.rows[position], width)
        text.truncate(width, overflow="ellipsis", pad=True)
        style = base + self.get_component_rich_style("row-list--cursor") if selected else base
        segments = [Segment(s.text, style + s.style if s.style else style)
                    for s in text.render(self.app.console)]
        strip = Strip(segments, width).crop_extend(0, width, style)
        self._strips[key] = strip
        return strip

    def on_focus(self) -> None:
        self._strips.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._strips.clear()
        self.refresh()
