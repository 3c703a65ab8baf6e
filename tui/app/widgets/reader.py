"""The reader: one article laid out once per width, drawn line by line.

The article becomes Rich renderables (``app/render.py``); here they are rendered to
lines at the reading width (capped near 90 columns) and only the visible lines are drawn, so a
long article costs one layout, not one widget per paragraph.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

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
        """The first visible line changed (the app saves it as the reading position)."""

        def __init__(self, line: int) -> None:
            super().__init__()
            self.line = line

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._renderable: RenderableType | None = None
        self._lines: list[Strip] = []
        self._laid_out_width = -1
        self.article_id: str | None = None
        self._styles: tuple[str, ReaderStyles] | None = None

    def show(self, renderable: RenderableType, *, article_id: str | None = None,
             line: int = 0) -> None:
        """Replace what is shown; start at ``line`` (a saved reading position)."""
        self._renderable = renderable
        self.article_id = article_id
        self._laid_out_width = -1
        self._layout()
        # force: the scrollbar of the previous (maybe empty) content may not allow scrolling yet
        self.scroll_to(y=line, animate=False, immediate=True, force=True)
        self.refresh()

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
        return [strip.text.rstrip() for strip in self._lines]

    def _reading_width(self) -> int:
        return max(10, min(self.scrollable_content_region.width, READING_WIDTH))

    def _layout(self) -> None:
        width = self._reading_width()
        if width == self._laid_out_width:
            return
        self._laid_out_width = width
        if self._renderable is None:
            self._lines = []
        else:
            console = self.app.console
            options = console.options.update_width(width)
            self._lines = [
                Strip(line).simplify()
                for line in console.render_lines(self._renderable, options, pad=False)
            ]
        self.virtual_size = Size(width, len(self._lines))

    def on_resize(self) -> None:
        self._layout()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        self._layout()
        width = self.scrollable_content_region.width
        line = round(self.scroll_y) + y
        if line >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        return self._lines[line].crop_extend(0, width, self.rich_style).apply_style(self.rich_style)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self.post_message(self.Scrolled(round(new_value)))

    def action_half_page_down(self) -> None:
        self.scroll_to(y=self.scroll_y + self.scrollable_content_region.height // 2, animate=False)

    def action_half_page_up(self) -> None:
        self.scroll_to(y=self.scroll_y - self.scrollable_content_region.height // 2, animate=False)

    def page_down(self) -> None:
        self.scroll_page_down(animate=False)

    def page_up(self) -> None:
        self.scroll_page_up(animate=False)

