"""``?``: every key, generated from the bindings as the keymap left them."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ..widgets.reader import Reader
from ...core.textwidth import cells, fit, pad, wrap


Sections = list[tuple[str, list[tuple[str, str, str, str]]]]  # (title, rows of key, action, what, id)

# The filter language, as ``core.query`` reads it (the / prompt, saved filters, warta list).
FILTER_ROWS = (
    ("words", "Search", 'Title and body, best match first; "quoted phrase" for the exact words'),
    ("+tag  -tag", "Tag", "With / without a tag (of the feed, the page or yours); tag:name too"),
    ("site:  feed:", "Where", "Site name or host; feed URL or name (lang:en, the language)"),
    ("is:unread", "State", "Also is:read, is:starred, is:unstarred, is:full, is:summary, is:failed"),
    ("is:new", "What's new", "Arrived since the last session (a cron warta fetch counts too)"),
    ("since:7d", "Age", "h, d, w, m, y; after:2024-01-31 and before:2024-02-01 take dates"),
)


def _with_palette_and_filters(key_sections: Sections) -> Sections:
    """The keys' sections (``keys.help_sections``), then the palette and the filter language."""
    return [*key_sections,
            ("Command palette", [
                ("^p", "Palette", "Every action of the screen by name, with its key and id", ""),
            ]),
            ("Filter language (/, saved filters, warta list)",
             [(term, action, what, "") for term, action, what in FILTER_ROWS])]


class HelpTable:
    """The help as one table: every group's columns have the same widths, so key, action, what
    it does and the id line up from top to bottom; only "what it does" wraps. Drawn straight to
    segments at the width there is (as Rich tables, the ~130 rows took 600 ms to lay out)."""

    def __init__(self, sections: Sections) -> None:
        self.sections = sections
        every = [row for _, rows in sections for row in rows]
        self.widths = tuple(max(cells(row[column]) for row in every) for column in (0, 1, 3))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        key_width, action_width, id_width = self.widths
        what_width = max(12, options.max_width - key_width - action_width - id_width - 3)
        bold, dim = Style(bold=True), Style(dim=True)
        title_style = Style(bold=True, underline=True)
        for number, (title, rows) in enumerate(self.sections):
            if number:
                yield Segment.line()
            yield Segment(fit(title, options.max_width), title_style)
            yield Segment.line()
            for key, action, what, binding_id in rows:
                for line, text in enumerate(wrap(what, what_width) or [""]):
                    first = line == 0
                    yield Segment(pad(key if first else "", key_width) + " ", bold)
                    yield Segment(pad(action if first else "", action_width) + " ")
                    yield Segment(pad(text, what_width) + " ")
                    yield Segment(binding_id if first else "", dim)
                    yield Segment.line()


class HelpScreen(ModalScreen[None]):
    """Esc, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close", tooltip="Close the help",
                id="help.close"),
        Binding("j,down", "scroll('down')", "Down", show=False, id="help.down"),
        Binding("k,up", "scroll('up')", "Up", show=False, id="help.up"),
        Binding("g,home", "scroll('home')", "Top", show=False, id="help.top"),
        Binding("G,end", "scroll('end')", "Bottom", show=False, id="help.bottom"),
        Binding("pagedown,space", "scroll('page_down')", "Page down", show=False,
                id="help.page_down"),
        Binding("pageup,b", "scroll('page_up')", "Page up", show=False, id="help.page_up"),
    ]

    def action_scroll(self, how: str) -> None:
        """j/k/g/G and the page keys scroll the help, as they do every list."""
        view = self.query_one(Reader)
        {"down": view.scroll_down, "up": view.scroll_up, "home": view.scroll_home,
         "end": view.scroll_end, "page_down": view.scroll_page_down,
         "page_up": view.scroll_page_up}[how](animate=False)

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 96; max-width: 98%; height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    HelpScreen Static { height: auto; }
    HelpScreen Reader { height: 1fr; background: $surface; padding: 0; }
    """

    def __init__(self, key_sections: Sections) -> None:
        """``key_sections``: the app's keys as the keymap left them (``keys.help_sections``)."""
        super().__init__()
        self.sections = _with_palette_and_filters(key_sections)

    def compose(self) -> ComposeResult:
        intro = Text("Keys", style="bold")
        intro.append("   remap any of them in the config file under [keys], e.g.  "
                     'article.star = "S"', style="dim")
        with Vertical():
            yield Static(intro)
            # Laid out once per width and drawn a screen at a time: as a Static, the ~130 rows
            # were rendered again on every layout pass (250 ms to open, measured).
            keys_view = Reader(id="help-keys")
            keys_view.can_focus = False  # the keys above scroll it (help.*), not the reader's
            yield keys_view

    def on_mount(self) -> None:
        self.query_one(Reader).show(HelpTable(self.sections))

    @property
    def text_lines(self) -> list[str]:
        """The help as the user sees it, line by line (for tests)."""
        return self.query_one(Reader).text_lines

    def action_close(self) -> None:
        self.dismiss(None)
