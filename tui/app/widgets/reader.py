"""The reader: one article laid out once per width, drawn line by line.

The article becomes Rich renderables (``app/render.py``); here they are rendered to
lines at the reading width (capped near 90 columns) and only the visible lines are drawn, so a
long article costs one layout, not one widget per paragraph. Each part of the content is laid
out on its own, so a picture painted in later costs its own rows, not a second layout.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from rich.console import ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...core.find import Match, find_all
from ...core.textwidth import cells
from ..pictures import Drawable, PictureSlot, picture_strips
from ..render import ReaderStyles
from .virtual import set_virtual_size

READING_WIDTH = 90


class Reader(ScrollView, can_focus=True):
    """Shows one renderable (usually an article) at a comfortable reading width."""

    BINDINGS = [
        Binding("j,down", "scroll_down", "Down", show=False, tooltip="Scroll down a line",
                id="reader.down"),
        Binding("k,up", "scroll_up", "Up", show=False, tooltip="Scroll up a line", id="reader.up"),
        Binding("g,home", "scroll_home", "Top", show=False, tooltip="Go to the top of the article",
                id="reader.top"),
        Binding("G,end", "scroll_end", "Bottom", show=False,
                tooltip="Go to the end of the article", id="reader.bottom"),
        # q goes back a level, as in newsboat and mutt: from the reader to the list, and from
        # the list (the app's q) out of Warta; Q quits from anywhere.
        Binding("q", "screen.focus_list", "List", tooltip="Back to the list (Q quits)", id="reader.list"),
        # While a find is on (ctrl+f) these three answer, and the footer shows them; otherwise
        # the key goes on to the screen (n: next unread, N: next, esc: back to the list).
        Binding("n", "find_step(1)", "Next match",
                tooltip="Next match of the find (while finding)", id="reader.find_next"),
        Binding("N", "find_step(-1)", "Prev match",
                tooltip="Previous match of the find (while finding)", id="reader.find_previous"),
        Binding("escape", "end_find", "End find",
                tooltip="End the find: its highlights go (while finding)", id="reader.find_end"),
    ]

    # The article's look, from the theme: ``article_styles`` hands these to ``render``.
    COMPONENT_CLASSES = {
        "reader--title", "reader--meta", "reader--heading", "reader--subheading", "reader--quote",
        "reader--code", "reader--image", "reader--link-ref", "reader--notice", "reader--star",
        "reader--tag-feed", "reader--tag-page", "reader--tag-user", "reader--match",
        "reader--match-current",
    }

    DEFAULT_CSS = """
    Reader {
        background: $background;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    Reader > .reader--title { text-style: bold; }
    Reader > .reader--meta { color: $text-muted; }
    Reader > .reader--heading { text-style: bold underline; }
    Reader > .reader--subheading { text-style: bold; }
    Reader > .reader--quote { text-style: italic; }
    Reader > .reader--code { color: $accent; text-style: bold; }
    Reader > .reader--image { color: $text-muted; text-style: italic; }
    Reader > .reader--link-ref { color: $secondary; }
    Reader > .reader--notice { color: $warning; text-style: bold; }
    Reader > .reader--star { color: $warning; text-style: bold; }
    Reader > .reader--tag-feed { color: ansi_cyan; }
    Reader > .reader--tag-page { color: ansi_magenta; }
    Reader > .reader--tag-user { color: ansi_green; }
    Reader > .reader--match { background: ansi_yellow; color: ansi_black; }
    Reader > .reader--match-current { background: $accent; color: $text; text-style: bold; }
    """

    class Scrolled(Message):
        """The first visible line of text changed (the app saves it as the reading position).

        Picture rows are not counted: a position saved while the pictures showed still points
        at the same text when the article opens again, before its pictures are painted in.
        """

        def __init__(self, line: int) -> None:
            super().__init__()
            self.line = line

    class Found(Message):
        """Where the find stands: match ``current`` (1-based, 0: none) of ``count``."""

        def __init__(self, query: str, current: int, count: int) -> None:
            super().__init__()
            self.query = query
            self.current = current
            self.count = count

        @property
        def counter(self) -> str:
            """"3/17", or "no match"."""
            return f"{self.current}/{self.count}" if self.count else "no match"

    class Resized(Message):
        """The reader's size changed (the screen fits the pictures to it again)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._parts: list[RenderableType | PictureSlot] = []
        # A picture's rows stay (key, row) until drawn: painting one costs only what shows.
        self._part_lines: list[list[Strip | tuple[str, int]]] = []
        self._lines: list[Strip | tuple[str, int]] = []
        self._laid_out_width = -1
        self._pictures: dict[str, Drawable] = {}
        self._picture_strips: dict[tuple[str, int], list[Strip]] = {}  # (key, width) -> painted
        self._picture_lines: dict[tuple[tuple[str, int], int, Style], Strip] = {}  # drawn rows
        self._pictures_of: str | None = None
        self.article_id: str | None = None
        self._styles: tuple[str, ReaderStyles] | None = None
        self.find_query = ""  # the find in progress ("" none)
        self._matches: list[Match] = []
        self._match = 0  # index of the current match
        self._match_cells: dict[int, list[tuple[int, int, bool]]] = {}  # line -> cell spans

    def show(self, content: RenderableType | Sequence[RenderableType | PictureSlot], *,
             article_id: str | None = None, line: int = 0) -> None:
        """Replace what is shown; start at text line ``line`` (a saved reading position).

        ``content`` is one renderable or a sequence of parts laid out one after another; a
        ``PictureSlot`` part is empty until its picture is set. Pictures already set for the
        same article stay (a redraw after a star keeps them).
        """
        self._parts = list(content) if isinstance(content, (list, tuple)) else [cast(RenderableType, content)]
        if article_id is None or article_id != self._pictures_of:
            self._pictures = {}
            self._picture_strips = {}
            self._picture_lines = {}
            if self.find_query:  # another article: the find ends
                self.find_query = ""
                self.refresh_bindings()
                self.post_message(self.Found("", 0, 0))
        self._pictures_of = article_id
        self.article_id = article_id
        self._laid_out_width = -1
        self._layout()
        # force: the scrollbar of the previous (maybe empty) content may not allow scrolling yet
        self.scroll_to(y=self._screen_line(line), animate=False, immediate=True, force=True)
        self.refresh()

    def set_pictures(self, pictures: dict[str, Drawable]) -> None:
        """Paint the pictures of these slots in; the text in view stays where it is."""
        self._pictures.update(pictures)
        for key in pictures:
            self._picture_strips = {k: v for k, v in self._picture_strips.items() if k[0] != key}
            self._picture_lines = {k: v for k, v in self._picture_lines.items() if k[0][0] != key}
        if self._laid_out_width < 0:
            return
        top = self.text_line
        for index, part in enumerate(self._parts):
            if isinstance(part, PictureSlot) and part.key in pictures:
                self._part_lines[index] = self._slot_lines(part, self._laid_out_width)
        self._join()
        self.scroll_to(y=self._screen_line(top), animate=False, immediate=True, force=True)
        self.refresh()

    def forget_pictures(self) -> None:
        """Empty every picture slot again (the pictures were scaled for another size)."""
        top = self.text_line
        self._pictures = {}
        self._picture_strips = {}
        self._picture_lines = {}
        self._laid_out_width = -1
        self._layout()
        self.scroll_to(y=self._screen_line(top), animate=False, immediate=True, force=True)
        self.refresh()

    @property
    def picture_keys(self) -> list[str]:
        """The slots whose picture is painted, top to bottom."""
        return [part.key for part in self._parts
                if isinstance(part, PictureSlot) and part.key in self._pictures]

    @property
    def painted(self) -> dict[str, Drawable]:
        """The pictures painted in, by slot key."""
        return dict(self._pictures)

    def picture_in_view(self) -> str | None:
        """The painted picture nearest the top of the view: the first one not scrolled past,
        else the last one above."""
        self._layout()
        row = 0
        above = None
        for part, lines in zip(self._parts, self._part_lines):
            if isinstance(part, PictureSlot) and part.key in self._pictures:
                if row + len(lines) > round(self.scroll_y):
                    return part.key
                above = part.key
            row += len(lines)
        return above

    @property
    def text_line(self) -> int:
        """The first visible line, not counting picture rows above it."""
        self._layout()
        top = round(self.scroll_y)
        row = text = 0
        for part, lines in zip(self._parts, self._part_lines):
            if row >= top:
                break
            seen = min(len(lines), top - row)
            if not isinstance(part, PictureSlot):
                text += seen
            row += len(lines)
        return text

    def _screen_line(self, text_line: int) -> int:
        """The line that shows text line ``text_line`` now that some pictures are painted."""
        row = text = 0
        for part, lines in zip(self._parts, self._part_lines):
            if isinstance(part, PictureSlot):
                row += len(lines)
                continue
            if text + len(lines) > text_line:
                return row + text_line - text
            text += len(lines)
            row += len(lines)
        return row + max(0, text_line - text)

    def article_styles(self) -> ReaderStyles:
        """The reader's styles as the current theme and CSS make them (worked out once a theme)."""
        theme = self.app.theme
        if self._styles is None or self._styles[0] != theme:
            self._styles = (theme, self._resolve_styles())
        return self._styles[1]

    def _resolve_styles(self) -> ReaderStyles:
        def style(name: str) -> Style:
            return self.get_component_rich_style(f"reader--{name.replace('_', '-')}")

        names = ("title", "meta", "heading", "subheading", "quote", "code", "image", "link_ref",
                 "notice", "star", "tag_feed", "tag_page", "tag_user")
        return ReaderStyles(**{name: style(name) for name in names})

    @property
    def text_lines(self) -> list[str]:
        """What the reader shows, as plain lines (for tests and copy)."""
        self._layout()
        return [self._strip(line).text.rstrip() for line in self._lines]

    def _reading_width(self) -> int:
        return max(10, min(self.scrollable_content_region.width, READING_WIDTH))

    def _layout(self) -> None:
        width = self._reading_width()
        if width == self._laid_out_width:
            return
        self._laid_out_width = width
        options = self.app.console.options.update_width(width)
        self._part_lines = [self._slot_lines(part, width) if isinstance(part, PictureSlot)
                            else self._render_strips(part, options) for part in self._parts]
        self._join()

    def _render_strips(self, renderable: RenderableType,
                       options: ConsoleOptions) -> list[Strip | tuple[str, int]]:
        return [Strip(line).simplify()
                for line in self.app.console.render_lines(renderable, options, pad=False)]

    def _slot_lines(self, slot: PictureSlot, width: int) -> list[Strip | tuple[str, int]]:
        cells = self._pictures.get(slot.key)
        if cells is None:
            return []
        lines: list[Strip | tuple[str, int]] = [Strip.blank(0)] * slot.space_above
        lines += [(slot.key, row) for row in range(cells.height)]
        if slot.caption is not None:
            lines += self._render_strips(slot.caption, self.app.console.options.update_width(width))
        return lines

    def _strip(self, line: Strip | tuple[str, int]) -> Strip:
        if isinstance(line, Strip):
            return line
        key, row = line
        width = self._laid_out_width
        strips = self._picture_strips.get((key, width))
        if strips is None:
            strips = self._picture_strips[key, width] = picture_strips(self._pictures[key], width)
        return strips[row]

    def _join(self) -> None:
        self._lines = [line for lines in self._part_lines for line in lines]
        set_virtual_size(self, Size(self._laid_out_width, len(self._lines)))
        self._rematch()

    # -- find in the article ------------------------------------------------------------------

    @property
    def finding(self) -> bool:
        return bool(self.find_query)

    def find(self, query: str) -> Found:
        """Find ``query`` (case and accents aside); go to the first match from the top of the
        view on. An empty query ends the find."""
        if bool(query.strip()) != self.finding:
            self.refresh_bindings()
        self.find_query = query.strip()
        self._layout()
        self._rematch(keep=False)
        top = round(self.scroll_y)
        self._match = next((n for n, m in enumerate(self._matches) if m.line >= top), 0)
        return self._show_match()

    def find_step(self, step: int) -> Found:
        """The next (1) or previous (-1) match, round the end."""
        if self._matches:
            self._match = (self._match + step) % len(self._matches)
        return self._show_match()

    def end_find(self) -> None:
        if self.finding:
            self.refresh_bindings()
        self.find_query = ""
        self._rematch(keep=False)
        self.refresh()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Without a find, n, N and Esc are not the reader's: they go on to the screen (next
        unread, next, back to the list), and the footer shows those."""
        if action in ("find_step", "end_find"):
            return self.finding
        return True

    def action_find_step(self, step: int) -> None:
        self.post_message(self.find_step(step))

    def action_end_find(self) -> None:
        self.end_find()
        self.post_message(self.Found("", 0, 0))

    def _rematch(self, keep: bool = True) -> None:
        """The matches in the lines as laid out now (a new width wraps them elsewhere)."""
        current = self._match if keep else 0
        self._matches, self._match_cells = [], {}
        if not self.find_query:
            return
        text_rows = [row for row, line in enumerate(self._lines) if isinstance(line, Strip)]
        texts = [self._lines[row].text for row in text_rows]  # type: ignore[union-attr]
        self._matches = [Match(tuple((text_rows[line], start, end) for line, start, end in m.pieces))
                         for m in find_all(texts, self.find_query)]
        self._match = min(current, max(0, len(self._matches) - 1))
        self._spans()

    def _spans(self) -> None:
        """Each line's highlighted cells, the current match marked."""
        self._match_cells = {}
        for number, match in enumerate(self._matches):
            for row, start, end in match.pieces:
                text = self._lines[row].text  # type: ignore[union-attr]
                begin = cells(text[:start])
                self._match_cells.setdefault(row, []).append(
                    (begin, begin + cells(text[start:end]), number == self._match))

    def _show_match(self) -> Found:
        """Scroll the current match into view (a third down when it was out of sight)."""
        self._spans()
        if self._matches:
            row = self._matches[self._match].line
            height = self.scrollable_content_region.height
            if not self.scroll_y <= row < self.scroll_y + height:
                self.scroll_to(y=max(0, row - height // 3), animate=False, immediate=True,
                               force=True)
        self.refresh()
        return self.Found(self.find_query, self._match + 1 if self._matches else 0,
                          len(self._matches))

    def _highlight(self, strip: Strip, spans: list[tuple[int, int, bool]]) -> Strip:
        match = self.get_component_rich_style("reader--match")
        current = self.get_component_rich_style("reader--match-current")
        cuts = sorted({cut for begin, end, _ in spans for cut in (begin, end)} | {strip.cell_length})
        pieces = strip.divide(cuts)
        segments: list[Segment] = []
        start = 0
        for piece, stop in zip(pieces, cuts):
            style = next((current if is_current else match for begin, end, is_current in spans
                          if begin <= start and stop <= end), None)
            segments += piece if style is None else Segment.apply_style(piece, post_style=style)
            start = stop
        return Strip(segments)

    def on_resize(self) -> None:
        self._layout()
        self.refresh()
        self.post_message(self.Resized())

    def render_line(self, y: int) -> Strip:
        self._layout()
        width = self.scrollable_content_region.width
        line = round(self.scroll_y) + y
        if line >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        entry = self._lines[line]
        if isinstance(entry, tuple):  # a picture's row: styled once, not on every frame
            key = (entry, width, self.rich_style)
            found = self._picture_lines.get(key)
            if found is None:
                found = self._picture_lines[key] = self._strip(entry) \
                    .crop_extend(0, width, self.rich_style).apply_style(self.rich_style)
            return found
        strip = self._strip(entry)
        spans = self._match_cells.get(line)
        if spans:
            strip = self._highlight(strip, spans)
        return strip.crop_extend(0, width, self.rich_style).apply_style(self.rich_style)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self.post_message(self.Scrolled(self.text_line))

    def action_half_page_down(self) -> None:
        self.scroll_to(y=self.scroll_y + self.scrollable_content_region.height // 2, animate=False)

    def action_half_page_up(self) -> None:
        self.scroll_to(y=self.scroll_y - self.scrollable_content_region.height // 2, animate=False)

    def page_down(self) -> None:
        self.scroll_page_down(animate=False)

    def page_up(self) -> None:
        self.scroll_page_up(animate=False)
