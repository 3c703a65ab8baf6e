"""The status line: how many articles are in view, the filter, and what is going on.

It is one line high whatever it says, so a change repaints that line only: a ``Static``
would lay the whole screen out again on every update (each ``m``, each progress message of
a refresh or sync).
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from ...core.sanitize import sanitize_line


_GAP = 2  # cells between the counts and the activity


class StatusLine(Widget):
    """Left: counts and filter (always visible). Right: activity (refresh progress, errors)."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        background: $panel;
        color: $text;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Text()  # counts, marked, filter, sort, find and news
        self._activity = Text()
        self._counts_width = 0
        self.count = 0
        self.unread = 0
        self.filter = ""
        self.activity = ""
        self.marked = 0
        self.sort = "newest"
        self.news = ""  # what arrived since the last session, until the filter changes
        self.find = ""  # the find in the article: "“word” 3/17"

    def set_counts(self, count: int, unread: int, filter_text: str = "") -> None:
        if filter_text != self.filter:
            self.news = ""  # the user has moved on from the start
        self.count, self.unread, self.filter = count, unread, filter_text
        self._redraw()

    def set_find(self, find: str) -> None:
        if find != self.find:
            self.find = find
            self._redraw()

    def set_news(self, news: str) -> None:
        self.news = news
        self._redraw()

    def set_sort(self, sort: str) -> None:
        if sort != self.sort:
            self.sort = sort
            self._redraw()

    def set_marked(self, marked: int) -> None:
        if marked != self.marked:
            self.marked = marked
            self._redraw()

    def set_activity(self, activity: str) -> None:
        self.activity = activity
        self._redraw()

    def _redraw(self) -> None:
        noun = "article" if self.count == 1 else "articles"
        text = Text(f"{self.count:,} {noun}", style="bold")
        text.append(f" · {self.unread:,} unread")
        self._counts_width = text.cell_len
        if self.marked:
            text.append(f" · {self.marked:,} marked", style="bold")
        if self.filter:
            text.append(" · filter: ")
            text.append(sanitize_line(self.filter, 80), style="bold")
        if self.sort != "newest":
            text.append(f" · {'by rank' if self.sort == 'rank' else 'sort: ' + self.sort}")
        if self.find:
            text.append(" · find ")
            text.append(self.find, style="bold")
        if self.news:
            text.append(" · ")
            text.append(sanitize_line(self.news, 120), style="bold")
        self._text = text
        self._activity = Text(sanitize_line(self.activity, 120), style="italic")
        self.refresh()

    def render(self) -> Text:
        """Counts, then what is going on: when both do not fit, the filter and the news give way
        (cut with an ellipsis) before the activity does, and the counts never do."""
        if not self._activity:
            return self._text
        width = self.content_size.width
        room = width - _GAP - self._activity.cell_len
        activity = self._activity
        if room < self._counts_width:  # the text always starts with the counts
            room = self._counts_width
            activity = activity.copy()
            activity.truncate(max(width - _GAP - room, 0), overflow="ellipsis")
        text = self._text.copy()
        if text.cell_len > room:
            text.truncate(room, overflow="ellipsis")
        text.append(" " * _GAP)
        text.append_text(activity)
        return text
