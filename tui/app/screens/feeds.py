"""``F``: the feed pane — every feed with its counts, last refresh and error; the saved filters
as smart folders with their counts; the tags. Enter filters the list by the row; on a feed row
``d`` unsubscribes (asks; undoable), ``R`` renames, ``T`` edits its tags, ``r`` refreshes it and
``o`` opens its site."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, Static

from ...core.browser import open_url
from ...core.errors import WartaError
from ...core.library import FeedRow, FeedTable, Library
from ...core.render import relative_date
from ...core.sanitize import sanitize_line
from ...core.textwidth import fit
from ..compositor import UpdateCompositor
from ..messages import RefreshRequested
from ..widgets.footer import KeptFooter
from ..widgets.row_list import Row, RowList
from .ask import Ask
from .tag_editor import TagEditor

NAME_CELLS = 36
# What an empty section would hold, and how to fill it.
EMPTY = {
    "filter": "none yet: saved filters from [filters] in the config, e.g. unread = \"is:unread\"",
    "feed": "none yet: press a (in the list) to subscribe, or warta add URL, warta import FILE",
    "tag": "none yet: feeds give tags from the config, T tags an article",
}


@dataclass(frozen=True, slots=True)
class FeedChoice:
    """What Enter on a row asks the list to show: ``text`` filtered, labelled ``label``."""

    text: str
    label: str


def name_cells(width: int) -> int:
    """The name column: up to NAME_CELLS, less in a narrow terminal so the error still shows."""
    return max(12, min(NAME_CELLS, width - 56))


def _counts(unread: int, total: int, counted: bool) -> str:
    if not counted:
        return f" {'…':>6} unread {'…':>7} total"
    return f" {unread:>6,} unread {total:>7,} total"


def feed_prompt(row: FeedRow, now: float, width: int = 120, counted: bool = True) -> Text:
    """One feed line: name, unread/total, last refresh, and its error if the last one failed."""
    text = Text(no_wrap=True)
    text.append(fit(sanitize_line(row.name, 200), name_cells(width)),
                style="bold" if row.unread else "")
    text.append(_counts(row.unread, row.total, counted) + "  ", style="dim")
    text.append(fit(relative_date(row.checked, now=now) if row.checked else "never", 10),
                style="dim")
    if row.error:
        text.append(" ✗ " + sanitize_line(row.error, 80), style="red")
    if row.in_config:
        text.append(" (config)", style="dim")
    return text


def count_prompt(name: str, unread: int, total: int, width: int = 120,
                 counted: bool = True) -> Text:
    text = Text(no_wrap=True)
    text.append(fit(sanitize_line(name, 200), name_cells(width)))
    text.append(_counts(unread, total, counted), style="dim")
    return text


class FeedsScreen(Screen[FeedChoice | None]):
    """Dismisses with a ``FeedChoice`` on Enter, None on Esc or F."""

    BINDINGS = [
        Binding("escape,F", "close", "Close", tooltip="Back to the articles", id="feeds.close"),
        Binding("enter", "choose", "Filter", priority=True,
                tooltip="List the articles of the feed, smart folder or tag", id="feeds.choose"),
        Binding("d", "unsubscribe", "Unsubscribe",
                tooltip="Unsubscribe from the feed (asks; its articles stay; u undoes)",
                id="feeds.unsubscribe"),
        Binding("R", "rename", "Rename", tooltip="Rename the feed", id="feeds.rename"),
        Binding("T", "edit_tags", "Tags", tooltip="Edit the tags the feed gives its articles",
                id="feeds.edit_tags"),
        Binding("r", "refresh_feed", "Refresh", tooltip="Refresh the feed now", id="feeds.refresh"),
        Binding("o", "open_site", "Site", tooltip="Open the feed's site in the browser",
                id="feeds.open_site"),
        Binding("q", "app.quit", "Quit", tooltip="Quit Warta", id="feeds.quit"),
        Binding("question_mark", "app.help", "Keys", tooltip="Show every key", id="feeds.help"),
    ]

    DEFAULT_CSS = """
    FeedsScreen RowList { height: 1fr; }
    FeedsScreen #feeds-title { background: $panel; padding: 0 1; width: 100%; }
    """

    def __init__(self, library: Library, *, unsubscribe: Callable[[str], bool],
                 errors: dict[str, str] | None = None) -> None:
        super().__init__()
        self._compositor = UpdateCompositor()
        self.library = library
        self._unsubscribe = unsubscribe
        self.errors = errors or {}  # this session's refresh failures, by feed URL
        self.feeds: FeedTable  # read by fill(), on mount and after each change
        self.folder_counts: dict[str, tuple[int, int]] = {}  # saved filter -> (unread, total)
        self.tag_counts: dict[str, tuple[int, int]] = {}
        self._now = time.time()

    def compose(self) -> ComposeResult:
        yield Label("", id="feeds-title")
        yield RowList(self._row_text, id="feeds")
        yield KeptFooter()

    @property
    def row_list(self) -> RowList:
        return self.query_one(RowList)

    def on_mount(self) -> None:
        self.fill()
        self.row_list.focus()

    def fill(self) -> None:
        """Read the rows afresh, keeping the cursor on the same row. Only the rows on screen
        are drawn (``RowList``); the counts of feeds and smart folders, which scan every
        article, are read on a thread behind this frame and drawn when they come."""
        row_list = self.query_one(RowList)
        kept = row_list.cursor if row_list.rows else None
        self._now = time.time()
        self.feeds = self.library.feed_table(self.errors)
        filters = self.library.filters()
        self.folder_counts = {}
        self.tag_counts = {t.tag: (t.unread, t.total) for t in self.library.tag_counts()}
        rows = [Row("heading", "Smart folders", selectable=False)]
        rows += [Row("filter", name) for name in filters] or [Row("note", EMPTY["filter"], False)]
        rows.append(Row("heading", f"Feeds ({len(self.feeds):,})", selectable=False))
        rows += [Row("feed", str(n)) for n in range(len(self.feeds))] or [
            Row("note", EMPTY["feed"], False)]
        rows.append(Row("heading", "Tags", selectable=False))
        rows += [Row("tag", tag) for tag in self.tag_counts] or [Row("note", EMPTY["tag"], False)]
        row_list.set_rows(rows, cursor=kept if kept is not None else 0)
        self._title()
        self.run_worker(partial(self._count, self.feeds, filters), name="feed counts",
                        group="feed-counts", thread=True, exclusive=True, exit_on_error=False)

    def _count(self, feeds: FeedTable, filters: dict[str, str]) -> None:
        """Thread: the counts that scan every article; handed to the screen to draw."""
        folders = {}
        for name, text in filters.items():
            try:
                total, unread = self.library.counts(self.library.compile(text))
            except WartaError:
                total = unread = 0
            folders[name] = (unread, total)
        counts = feeds.count()
        self.app.call_from_thread(self._counted, feeds, counts, folders)

    def _counted(self, feeds: FeedTable, counts: dict[str, tuple[int, int]],
                 folders: dict[str, tuple[int, int]]) -> None:
        if feeds is not self.feeds or not self.is_attached:
            return  # read afresh since, or closed
        feeds.set_counts(counts)
        self.folder_counts = folders
        self.row_list.redraw()
        self._title()

    def _title(self) -> None:
        unread = self.feeds.unread
        counted = "counting…" if unread is None else f"{unread:,} unread"
        self.query_one("#feeds-title", Label).update(Text(
            f"Feeds · {len(self.feeds):,} feeds · {counted} · enter filters the list",
            style="bold"))

    def _row_text(self, row: Row, width: int) -> Text:
        if row.kind == "heading":
            return Text(row.value, style="bold underline", no_wrap=True)
        if row.kind == "note":
            return Text("  " + row.value, style="dim italic", no_wrap=True)
        if row.kind == "feed":
            return feed_prompt(self.feeds.row(int(row.value)), self._now, width,
                               self.feeds.counts is not None)
        if row.kind == "filter":
            counted = row.value in self.folder_counts
            unread, total = self.folder_counts.get(row.value, (0, 0))
            return count_prompt(row.value, unread, total, width, counted)
        unread, total = self.tag_counts.get(row.value, (0, 0))
        return count_prompt("#" + row.value, unread, total, width)

    def _selected(self) -> tuple[str, str] | None:
        row = self.row_list.current
        return None if row is None else (row.kind, row.value)

    def _selected_feed(self) -> FeedRow | None:
        selected = self._selected()
        if selected is None or selected[0] != "feed":
            self.notify("Pick a feed first (the rows under Feeds)", timeout=3)
            return None
        return self.feeds.row(int(selected[1]))

    def action_choose(self) -> None:
        selected = self._selected()
        if selected is None:
            return
        kind, value = selected
        if kind == "feed":
            row = self.feeds.row(int(value))
            self.dismiss(FeedChoice(row.filter_text, f"feed:{sanitize_line(row.name, 60)}"))
        elif kind == "filter":
            text = self.library.filters()[value]
            self.dismiss(FeedChoice(text, f"{value} ({text})" if text else value))
        elif kind == "tag":
            quoted = value if value.replace("-", "").replace(".", "").isalnum() else f'"{value}"'
            self.dismiss(FeedChoice(f"+{quoted}", f"#{value}"))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_unsubscribe(self) -> None:
        row = self._selected_feed()
        if row is None:
            return
        if row.in_config:
            self.notify(f"{sanitize_line(row.name, 80)} is in the config file: "
                        f"{self.library.config_file_hint(row.feed.url)}", markup=False,
                        severity="warning")
            return

        def answered(yes: bool | None) -> None:
            if yes and self._unsubscribe(row.feed.url):
                self.fill()

        self.app.push_screen(Ask(f"Unsubscribe from {row.name}? (its {row.total:,} articles "
                                 "stay)"), answered)

    def action_rename(self) -> None:
        row = self._selected_feed()
        if row is None:
            return

        def renamed(name: str | None) -> None:
            if name:
                self._edit(lambda: self.library.rename(row.feed.url, name), f"Renamed to {name}")

        self.app.push_screen(NamePrompt(row.name), renamed)

    def action_edit_tags(self) -> None:
        row = self._selected_feed()
        if row is None:
            return

        def tagged(tags: tuple[str, ...] | None) -> None:
            if tags is not None:
                self._edit(lambda: self.library.retag(row.feed.url, tags),
                           "Tags saved (new articles get them)")

        self.app.push_screen(TagEditor(f"feed {row.name}", row.feed.tags), tagged)

    def _edit(self, edit: Callable[[], object], done: str) -> None:
        try:
            edit()
        except WartaError as error:
            self.notify(str(error), severity="warning", markup=False)
            return
        self.notify(sanitize_line(done, 120), markup=False, timeout=3)
        self.fill()

    def action_refresh_feed(self) -> None:
        row = self._selected_feed()
        if row is not None:
            self.post_message(RefreshRequested([row.feed]))

    def action_open_site(self) -> None:
        row = self._selected_feed()
        if row is None:
            return
        url = row.site_url or row.feed.url
        try:
            open_url(url, opener=getattr(self.app, "opener", None))
        except WartaError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.notify(f"Opening {sanitize_line(url, 120)}", markup=False, timeout=3)


class NamePrompt(ModalScreen[str | None]):
    """A new name for a feed: Enter saves, Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="name_prompt.cancel")]

    DEFAULT_CSS = """
    NamePrompt { align: center middle; }
    NamePrompt > Vertical {
        width: 70; max-width: 95%; height: auto;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, name: str) -> None:
        super().__init__()
        self.old_name = name

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("New name for: ", style="bold") + Text(sanitize_line(self.old_name, 50)))
            yield Input(sanitize_line(self.old_name, 200))
            yield Static("enter saves · esc cancels")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
