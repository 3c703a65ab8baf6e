"""``?``: every key, generated from the bindings as the keymap left them."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from .. import keys
from ..widgets.reader import Reader
from ...core.sanitize import sanitize_line
from ...core.textwidth import cells


# The filter language, as ``core.query`` reads it (the / prompt, saved filters, warta list).
FILTER_ROWS = (
    ("words", "Search", 'Title and body, best match first; "quoted phrase" for the exact words'),
    ("+tag  -tag", "Tag", "With / without a tag (of the feed, the page or yours); tag:name too"),
    ("site:  feed:", "Where", "Site name or host; feed URL or name (lang:en, the language)"),
    ("is:unread", "State", "Also is:read, is:starred, is:unstarred, is:full, is:summary, is:failed"),
    ("is:new", "What's new", "Arrived since the last session (a cron warta fetch counts too)"),
    ("since:7d", "Age", "h, d, w, m, y; after:2024-01-31 and before:2024-02-01 take dates"),
)


def help_rows(app: App[object], keymap: Mapping[str, str],
              saved_filters: Mapping[str, str]) -> list[tuple[str, list[tuple[str, str, str, str]]]]:
    """(group title, rows of key, action, description, id), as the keymap left the keys."""
    sections: list[tuple[str, list[tuple[str, str, str, str]]]] = []
    for scope in keys.scopes(type(app)):
        rows = []
        for binding in scope.bindings:
            what = binding.tooltip or binding.description
            if binding.id and binding.id.startswith("filter.saved_"):
                number = int(binding.id.rsplit("_", 1)[1])
                names = list(saved_filters)
                if number > len(names):
                    continue
                name = names[number - 1]
                what = f"Saved filter {sanitize_line(name, 30)}: {sanitize_line(saved_filters[name], 40)}"
            rows.append((keys.key_display(app, binding, keymap), binding.description, what,
                         binding.id or ""))
        if rows:
            sections.append((scope.title, rows))
    sections.append(("Command palette", [
        ("^p", "Palette", "Every action of the screen by name, with its key and id", ""),
    ]))
    sections.append(("Filter language (/, saved filters, warta list)",
                     [(term, action, what, "") for term, action, what in FILTER_ROWS]))
    return sections


def help_table(app: App[object], keymap: Mapping[str, str],
               saved_filters: Mapping[str, str]) -> Group:
    """One table: key, action, what it does, and the id to remap it with, grouped by screen.
    Every group's columns have the same widths, so the columns line up from top to bottom."""
    sections = help_rows(app, keymap, saved_filters)
    every = [row for _, rows in sections for row in rows]
    key_width, action_width, id_width = (max(cells(row[column]) for row in every)
                                         for column in (0, 1, 3))
    parts: list[Text | Table] = []
    for title, rows in sections:
        parts.append(Text(title, style="bold underline"))
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(no_wrap=True, style="bold", width=key_width)
        table.add_column(no_wrap=True, width=action_width)
        table.add_column(ratio=1, overflow="fold")
        table.add_column(no_wrap=True, style="dim", width=id_width)
        for key, action, what, binding_id in rows:
            table.add_row(Text(key), Text(action), Text(what), Text(binding_id))
        parts += [table, Text("")]
    return Group(*parts)


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

    def __init__(self, keymap: Mapping[str, str], saved_filters: Mapping[str, str]) -> None:
        super().__init__()
        self.keymap = keymap
        self.saved_filters = saved_filters

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
        self.query_one(Reader).show(help_table(self.app, self.keymap, self.saved_filters))

    @property
    def text_lines(self) -> list[str]:
        """The help as the user sees it, line by line (for tests)."""
        return self.query_one(Reader).text_lines

    def action_close(self) -> None:
        self.dismiss(None)
