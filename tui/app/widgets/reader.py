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
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...core.images import CellImage
from ..pictures import PictureSlot, picture_strips
from ..render import ReaderStyles

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
    ]

    # The article's look, from the theme: ``article_styles`` hands these to ``render``.
    COMPONENT_CLASSES = {
        "reader--title", "reader--meta", "reader--heading", "reader--subheading", "reader--quote",
        "reader--code", "reader--image", "reader--link-ref", "reader--notice", "reader--star",
        "reader--tag-feed", "reader--tag-page", "reader--tag-user",
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
    """

    class Scrolled(Message):
        """The first visible line of text changed (the app saves it as the reading position).

        Picture rows are not counted: a position saved while the pictures showed still points
        at the same text when the article opens again, before its pictures are painted in.
        """

        def __init__(self, line: int) -> None:
            super().__init__()
            self.line = line

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._parts: list[RenderableType | PictureSlot] = []
        # A picture's rows stay (key, row) until drawn: painting one costs only what shows.
        self._part_lines: list[list[Strip | tuple[str, int]]] = []
        self._lines: list[Strip | tuple[str, int]] = []
        self._laid_out_width = -1
        self._pictures: dict[str, CellImage] = {}
        self._picture_strips: dict[tuple[str, int], list[Strip]] = {}  # (key, width) -> painted
        self._pictures_of: str | None = None
        self.article_id: str | None = None
        self._styles: tuple[str, ReaderStyles] | None = None

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
        self._pictures_of = article_id
        self.article_id = article_id
        self._laid_out_width = -1
        self._layout()
        # force: the scrollbar of the previous (maybe empty) content may not allow scrolling yet
        self.scroll_to(y=self._screen_line(line), animate=False, immediate=True, force=True)
        self.refresh()

    def set_pictures(self, pictures: dict[str, CellImage]) -> None:
        """Paint the pictures of these slots in; the text in view stays where it is."""
        self._pictures.update(pictures)
        for key in pictures:
            self._picture_strips = {k: v for k, v in self._picture_strips.items() if k[0] != key}
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
    def painted(self) -> dict[str, CellImage]:
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
        self.virtual_size = Size(self._laid_out_width, len(self._lines))

    def on_resize(self) -> None:
        self._layout()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        self._layout()
        width = self.scrollable_content_region.width
        line = round(self.scroll_y) + y
        if line >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        return self._strip(self._lines[line]).crop_extend(0, width, self.rich_style) \
            .apply_style(self.rich_style)

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
