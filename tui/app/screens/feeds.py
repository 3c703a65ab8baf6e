"""``F``: the feed pane — every feed with its counts, last refresh and error; the saved filters
as smart folders with their counts; the tags. Enter filters the list by the row; on a feed row
``d`` unsubscribes (asks; undoable), ``R`` renames, ``T`` edits its tags, ``r`` refreshes it and
``o`` opens its site."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ...core.browser import open_url
from ...core.errors import WartaError
from ...core.library import FeedRow, Library
from ...core.render import relative_date
from ...core.sanitize import sanitize_line
from ...core.textwidth import fit
from ..messages import RefreshRequested
from ..widgets.footer import KeptFooter
from .ask import Ask
from .tag_editor import TagEditor

NAME_CELLS = 36


@dataclass(frozen=True, slots=True)
class FeedChoice:
    """What Enter on a row asks the list to show: ``text`` filtered, labelled ``label``."""

    text: str
    label: str


class KeyedOptionList(OptionList):
    """An option list that also answers to j/k/g/G (and PgUp/PgDn, Home/End as before)."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="options.down"),
        Binding("k", "cursor_up", "Up", show=False, id="options.up"),
        Binding("g", "first", "Top", show=False, id="options.top"),
        Binding("G", "last", "Bottom", show=False, id="options.bottom"),
    ]


def feed_prompt(row: FeedRow, now: float) -> Text:
    """One feed line: name, unread/total, last refresh, and its error if the last one failed."""
    text = Text(no_wrap=True)
    text.append(fit(sanitize_line(row.name, 200), NAME_CELLS), style="bold" if row.unread else "")
    text.append(f" {row.unread:>6,} unread {row.total:>7,} total  ", style="dim")
    text.append(fit(relative_date(row.checked, now=now) if row.checked else "never", 10),
                style="dim")
    if row.error:
        text.append(" ✗ " + sanitize_line(row.error, 80), style="red")
    if row.in_config:
        text.append(" (config)", style="dim")
    return text


def count_prompt(name: str, unread: int, total: int) -> Text:
    text = Text(no_wrap=True)
    text.append(fit(sanitize_line(name, 200), NAME_CELLS))
    text.append(f" {unread:>6,} unread {total:>7,} total", style="dim")
    return text


class FeedsScreen(Screen[FeedChoice | None]):
    """Dismisses with a ``FeedChoice`` on Enter, None on Esc or F."""

    BINDINGS = [
        Binding("escape,F", "close", "Close", id="feeds.close"),
        Binding("enter", "choose", "Filter", priority=True, id="feeds.choose"),
        Binding("d", "unsubscribe", "Unsubscribe", id="feeds.unsubscribe"),
        Binding("R", "rename", "Rename", id="feeds.rename"),
        Binding("T", "edit_tags", "Tags", id="feeds.edit_tags"),
        Binding("r", "refresh_feed", "Refresh", id="feeds.refresh"),
        Binding("o", "open_site", "Site", id="feeds.open_site"),
        Binding("q", "app.quit", "Quit", id="feeds.quit"),
        Binding("question_mark", "app.help", "Keys", id="feeds.help"),
    ]

    DEFAULT_CSS = """
    FeedsScreen KeyedOptionList { height: 1fr; border: none; }
    FeedsScreen #feeds-title { background: $panel; padding: 0 1; width: 100%; }
    """

    def __init__(self, library: Library, *, unsubscribe: Callable[[str], bool],
                 errors: dict[str, str] | None = None) -> None:
        super().__init__()
        self.library = library
        self._unsubscribe = unsubscribe
        self.errors = errors or {}  # this session's refresh failures, by feed URL
        self.feed_rows: list[FeedRow] = []

    def compose(self) -> ComposeResult:
        yield Label("", id="feeds-title")
        yield KeyedOptionList(id="feeds")
        yield KeptFooter()

    def on_mount(self) -> None:
        self.fill()
        self.query_one(KeyedOptionList).focus()

    def fill(self) -> None:
        """Read the rows afresh, keeping the highlight on the same row."""
        options = self.query_one(KeyedOptionList)
        kept = options.highlighted
        now = time.time()
        rows = self.library.feed_rows()
        self.feed_rows = [FeedRow(r.feed, r.unread, r.total, r.checked,
                                  self.errors.get(r.feed.url, r.error), r.site_url, r.in_config)
                          for r in rows]
        items: list[Option | None] = [Option(Text("Smart folders", style="bold underline"),
                                             disabled=True)]
        for name, text in self.library.filters().items():
            try:
                total, unread = self.library.counts(self.library.compile(text))
            except WartaError:
                total = unread = 0
            items.append(Option(count_prompt(name, unread, total), id=f"filter\x1f{name}"))
        items.append(Option(Text(f"Feeds ({len(self.feed_rows):,})", style="bold underline"),
                            disabled=True))
        items += [Option(feed_prompt(row, now), id=f"feed\x1f{n}")
                  for n, row in enumerate(self.feed_rows)]
        tags = self.library.tag_counts()
        items.append(Option(Text("Tags", style="bold underline"), disabled=True))
        items += [Option(count_prompt("#" + t.tag, t.unread, t.total), id=f"tag\x1f{t.tag}")
                  for t in tags]
        options.clear_options()
        options.add_options(items)
        if kept is not None and kept < options.option_count:
            options.highlighted = kept
        else:
            options.action_first()
        unread = sum(r.unread for r in self.feed_rows)
        self.query_one("#feeds-title", Label).update(Text(
            f"Feeds · {len(self.feed_rows):,} feeds · {unread:,} unread · enter filters the list",
            style="bold"))

    def _selected(self) -> tuple[str, str] | None:
        options = self.query_one(KeyedOptionList)
        if options.highlighted is None:
            return None
        option_id = options.get_option_at_index(options.highlighted).id or ""
        kind, _, value = option_id.partition("\x1f")
        return kind, value

    def _selected_feed(self) -> FeedRow | None:
        selected = self._selected()
        if selected is None or selected[0] != "feed":
            self.notify("Pick a feed first (the rows under Feeds)", timeout=3)
            return None
        return self.feed_rows[int(selected[1])]

    def action_choose(self) -> None:
        selected = self._selected()
        if selected is None:
            return
        kind, value = selected
        if kind == "feed":
            row = self.feed_rows[int(value)]
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
