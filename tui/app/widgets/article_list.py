"""The article list: a virtual list that draws only the rows on screen.

It holds the row ids of the articles in view (ints, from the library's listing) and fetches the few
summaries it draws in one query, around the visible window, caching them. A widget per article
would take seconds at 100,000 articles; this starts in milliseconds and a cursor move repaints
two rows.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Protocol

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...core.models import ArticleSummary
from ...core.render import relative_date
from ...core.sanitize import sanitize_line
from .virtual import set_virtual_size

ROW_HEIGHT = 2
_FETCH_WINDOW = 100


class Rows(Protocol):
    """Where the list reads its rows (the library)."""

    def summaries(self, rowids: Sequence[int]) -> list[ArticleSummary]: ...

    def rowid_of(self, article_id: str) -> int | None: ...


class ArticleList(ScrollView, can_focus=True):
    """Two lines per article: unread dot, star and title; then site, age, state and tags."""

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False, tooltip="Next article in the list",
                id="list.down"),
        Binding("k,up", "cursor_up", "Up", show=False, tooltip="Previous article in the list",
                id="list.up"),
        Binding("g,home", "cursor_top", "Top", show=False, tooltip="First article", id="list.top"),
        Binding("G,end", "cursor_bottom", "Bottom", show=False, tooltip="Last article",
                id="list.bottom"),
        Binding("pagedown", "page_down", "Page down", show=False, tooltip="Page down the list",
                id="list.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, tooltip="Page up the list",
                id="list.page_up"),
        Binding("enter,l", "open", "Open", tooltip="Open the article in the reader",
                id="list.open"),
    ]

    COMPONENT_CLASSES = {
        "article-list--cursor",
        "article-list--marked",
        "article-list--unread",
        "article-list--read",
        "article-list--meta",
        "article-list--dot",
        "article-list--star",
        "article-list--failed",
        "article-list--tag-feed",
        "article-list--tag-page",
        "article-list--tag-user",
    }

    DEFAULT_CSS = """
    ArticleList {
        background: $surface;
        overflow-x: hidden;  /* rows are cut to the width: nothing to scroll sideways */
        scrollbar-size-vertical: 1;
    }
    ArticleList > .article-list--cursor { background: $accent 40%; }
    ArticleList:focus > .article-list--cursor { background: $accent; color: $text; }
    ArticleList > .article-list--marked { background: $secondary 50%; }
    ArticleList > .article-list--unread { text-style: bold; }
    ArticleList > .article-list--read { color: $text-muted; }
    ArticleList > .article-list--meta { color: $text-muted; }
    ArticleList > .article-list--dot { color: $success; }
    ArticleList > .article-list--star { color: $warning; }
    ArticleList > .article-list--failed { color: $error; }
    ArticleList > .article-list--tag-feed { color: ansi_cyan; }
    ArticleList > .article-list--tag-page { color: ansi_magenta; }
    ArticleList > .article-list--tag-user { color: ansi_green; }
    """

    cursor: reactive[int] = reactive(0, always_update=True, init=False, repaint=False)

    class Highlighted(Message):
        """The cursor rests on another article."""

        def __init__(self, article_id: str | None) -> None:
            super().__init__()
            self.article_id = article_id

    class Opened(Message):
        """The user asked to read the article under the cursor."""

        def __init__(self, article_id: str) -> None:
            super().__init__()
            self.article_id = article_id

    def __init__(self, rows: Rows, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows = rows
        self.rowids: list[int] = []
        self.marked: set[int] = set()  # rows marked with v for a bulk action
        self._summaries: LRUCache[int, ArticleSummary] = LRUCache(4 * _FETCH_WINDOW)
        # Drawn lines, each with the summary it was drawn from (a new summary: drawn again).
        self._strips: LRUCache[tuple[int, int, int, bool, bool, bool],
                               tuple[ArticleSummary, Strip]] = LRUCache(512)
        self._now = time.time()
        self._frame: tuple[int, int, Style, bool] | None = None  # set while a frame is drawn
        # Finished lines (see render_lines), by the drawn line they were made from.
        self._finished: LRUCache[int, tuple[Strip, Strip]] = LRUCache(512)
        self._finish_context: tuple[object, ...] = ()

    # -- data ---------------------------------------------------------------------------------

    def set_rows(self, rowids: Sequence[int], *, keep_cursor: bool = True) -> None:
        """Show ``rowids``. With ``keep_cursor`` the cursor stays on the same article, at the
        same place on screen, however many rows arrived above it."""
        current = self.current_rowid if keep_cursor else None
        old_position = self.cursor
        self.rowids = list(rowids)
        self.marked.intersection_update(self.rowids)
        self.forget()
        set_virtual_size(self, Size(self.size.width, len(self.rowids) * ROW_HEIGHT))
        position = 0
        if current is not None:
            try:
                position = self.rowids.index(current)
            except ValueError:
                position = min(self.cursor, max(0, len(self.rowids) - 1))
            else:
                shift = (position - old_position) * ROW_HEIGHT
                if shift:
                    self.scroll_to(y=self.scroll_y + shift, animate=False, force=True, immediate=True)
        elif not keep_cursor:
            self.scroll_to(y=0, animate=False, force=True, immediate=True)
        self.cursor = position
        self.refresh()

    def toggle_mark(self, rowid: int) -> None:
        self.marked.symmetric_difference_update({rowid})
        self.forget([rowid])

    def clear_marks(self) -> None:
        marked, self.marked = list(self.marked), set()
        self.forget(marked)

    def forget(self, rowids: Sequence[int] | None = None) -> None:
        """Drop cached rows (all, or those of ``rowids``) so they are drawn from the index again.

        For a few rows (a changed mark) only their lines are redrawn: a cached line is used only
        while its row's summary is the one it was drawn from, so dropping the summary is enough.
        """
        if rowids is not None:
            for rowid in rowids:
                self._summaries.discard(rowid)
            wanted = set(rowids)
            first = round(self.scroll_y) // ROW_HEIGHT
            last = first + self.scrollable_content_region.height // ROW_HEIGHT + 1
            for position in range(first, min(last + 1, len(self.rowids))):
                if self.rowids[position] in wanted:
                    self.refresh_lines(position * ROW_HEIGHT, ROW_HEIGHT)
            return
        self._summaries.clear()
        self._strips.clear()
        self._now = time.time()
        self.refresh()

    @property
    def current_rowid(self) -> int | None:
        if 0 <= self.cursor < len(self.rowids):
            return self.rowids[self.cursor]
        return None

    @property
    def current(self) -> ArticleSummary | None:
        return self.summary_at(self.cursor)

    def summary_at(self, position: int) -> ArticleSummary | None:
        if not 0 <= position < len(self.rowids):
            return None
        rowid = self.rowids[position]
        found = self._summaries.get(rowid)
        if found is None:  # read the window around it, less the rows still cached (a changed row)
            start = max(0, position - _FETCH_WINDOW // 2)
            window = [r for r in self.rowids[start : start + _FETCH_WINDOW]
                      if r == rowid or self._summaries.get(r) is None]
            summaries = self.rows.summaries(window)
            if len(summaries) == len(window):  # else some are gone: which ones is not said
                for rowid_, summary in zip(window, summaries):
                    self._summaries[rowid_] = summary
            found = self._summaries.get(rowid)
            if found is None:  # gone from the index since the list was built
                summaries = self.rows.summaries([rowid])
                found = summaries[0] if summaries else None
        return found

    def position_of(self, article_id: str) -> int | None:
        rowid = self.rows.rowid_of(article_id)
        if rowid is None:
            return None
        try:
            return self.rowids.index(rowid)
        except ValueError:
            return None

    # -- cursor -------------------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.rowids) - 1)) if self.rowids else 0

    def watch_cursor(self, old: int, new: int) -> None:
        # Lines of the whole list: ScrollView.refresh_lines takes off the scroll offset itself.
        self.refresh_lines(old * ROW_HEIGHT, ROW_HEIGHT)
        self.refresh_lines(new * ROW_HEIGHT, ROW_HEIGHT)
        self._scroll_cursor_into_view()
        current = self.current
        self.post_message(self.Highlighted(current.id if current else None))

    def _scroll_cursor_into_view(self) -> None:
        top = self.cursor * ROW_HEIGHT
        height = self.scrollable_content_region.height
        if top < self.scroll_y:
            self.scroll_to(y=top, animate=False)
        elif top + ROW_HEIGHT > self.scroll_y + height:
            self.scroll_to(y=top + ROW_HEIGHT - height, animate=False)

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_cursor_top(self) -> None:
        self.cursor = 0

    def action_cursor_bottom(self) -> None:
        self.cursor = len(self.rowids) - 1

    def action_page_down(self) -> None:
        self.cursor += max(1, self.scrollable_content_region.height // ROW_HEIGHT - 1)

    def action_page_up(self) -> None:
        self.cursor -= max(1, self.scrollable_content_region.height // ROW_HEIGHT - 1)

    def action_open(self) -> None:
        current = self.current
        if current is not None:
            self.post_message(self.Opened(current.id))

    def on_click(self, event: object) -> None:
        offset_y = getattr(event, "y", None)
        if isinstance(offset_y, int):
            self.cursor = (offset_y + round(self.scroll_y)) // ROW_HEIGHT

    def on_resize(self) -> None:
        # (Drawn lines stay: they are kept by width, so only a new width draws them again.)
        self.virtual_size = Size(self.size.width, len(self.rowids) * ROW_HEIGHT)

    # -- drawing ------------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        """The lines in ``crop``, finished for the compositor (widget style, border, filters).

        A scroll asks for every line again, and Textual's styles cache, which keeps finished
        lines by their place on screen, finishes each anew (~0.1 ms a line: most of a scrolled
        frame). Here a finished line is kept with the drawn row it was made from, wherever that
        row now shows, so a scroll by one row has Textual finish only the two lines that came
        into view.
        """
        # What every line needs, worked out once a frame: the widget's style walks the DOM up
        # to the app (a third of a scrolled list's repaint when it was asked for every line).
        self._frame = self._line_context()
        try:
            return self._finished_lines(crop)
        finally:
            self._frame = None

    def _finished_lines(self, crop: Region) -> list[Strip]:
        width = self.region.width
        context = (self.region.size, self.background_colors, self.styles.border, self.has_focus)
        if context != self._finish_context:
            self._finished.clear()
            self._finish_context = context
        finished = self._finished
        lines: list[Strip | None] = []
        drawn_lines: list[Strip] = []
        for y in crop.line_range:
            drawn = self.render_line(y)
            kept = finished.get(id(drawn))
            lines.append(kept[1] if kept is not None and kept[0] is drawn else None)
            drawn_lines.append(drawn)
        y = 0
        while y < len(lines):  # each run of lines not kept: finished by Textual, then kept
            if lines[y] is not None:
                y += 1
                continue
            end = y + 1
            while end < len(lines) and lines[end] is None:
                end += 1
            made = super().render_lines(Region(0, crop.y + y, width, end - y))
            for offset, strip in enumerate(made):
                lines[y + offset] = strip
                finished[id(drawn_lines[y + offset])] = (drawn_lines[y + offset], strip)
            y = end
        strips = [line for line in lines if line is not None]
        if crop.column_span != (0, width):
            first, last = crop.column_span
            strips = [strip.crop(first, last) for strip in strips]
        return strips

    def _line_context(self) -> tuple[int, int, Style, bool]:
        """(top line, width, base style, focused) for drawing lines now."""
        return (round(self.scroll_y), self.scrollable_content_region.width, self.rich_style,
                self.has_focus)

    def render_line(self, y: int) -> Strip:
        top, width, base, focused = self._frame or self._line_context()
        position, part = divmod(top + y, ROW_HEIGHT)
        summary = self.summary_at(position)
        if summary is None:
            return Strip.blank(width, base)
        selected = position == self.cursor
        marked = self.rowids[position] in self.marked
        key = (position, part, width, selected, focused, marked)
        cached = self._strips.get(key)
        if cached is not None and cached[0] is summary:
            return cached[1]
        text = self._row_text(summary, part, marked)
        text.truncate(width, overflow="ellipsis", pad=True)
        style = base
        if marked:
            style = base + self.get_component_rich_style("article-list--marked")
        if selected:
            style = base + self.get_component_rich_style("article-list--cursor")
        segments = [Segment(s.text, style + s.style if s.style else style)
                    for s in text.render(self.app.console)]
        strip = Strip(segments, width).crop_extend(0, width, style)
        self._strips[key] = (summary, strip)
        return strip

    def _row_text(self, summary: ArticleSummary, part: int, marked: bool = False) -> Text:
        # Partial styles: only what each part sets (colour, bold), never the list's background,
        # which would paint over the cursor's and the mark's on every styled cell.
        def styles(name: str) -> Style:
            return self.get_component_rich_style(name, partial=True)
        if part == 0:
            text = Text(no_wrap=True)
            text.append("● " if not summary.read else "  ", styles("article-list--dot"))
            text.append("★ " if summary.starred else "", styles("article-list--star"))
            title_style = styles("article-list--read" if summary.read else "article-list--unread")
            text.append(sanitize_line(summary.title) or "(untitled)", title_style)
            return text
        meta: Style = styles("article-list--meta")
        text = Text("✓ " if marked else "  ", no_wrap=True)
        text.append(sanitize_line(summary.site, 40), meta)
        age = relative_date(summary.published, now=self._now)
        if age:
            text.append(" · " + age, meta)
        if summary.status == "summary":
            text.append(" · summary", meta)
        elif summary.status == "failed":
            text.append(" · failed", styles("article-list--failed"))
        shown = 0
        for kind, tags in (("feed", summary.feed_tags), ("page", summary.page_tags),
                           ("user", summary.user_tags)):
            for tag in tags:
                if shown < 5:
                    text.append(" #" + sanitize_line(tag, 30), styles(f"article-list--tag-{kind}"))
                    shown += 1
        return text
