"""``?``: every key, generated from the bindings as the keymap left them."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from .. import keys
from ...core.sanitize import sanitize_line


def help_table(app: App[object], keymap: Mapping[str, str],
               saved_filters: Mapping[str, str]) -> Group:
    """Key, what it does, and the id to remap it with, grouped by where the key works."""
    sections: list[tuple[str, list[tuple[str, str, str]]]] = []
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
            rows.append((keys.key_display(app, binding, keymap), what, binding.id or ""))
        sections.append((scope.title, rows))
    sections.append(("In dialogs and prompts", [
        ("esc", "Close without changing anything", ""),
        ("enter", "Accept", ""),
        ("ctrl+p", "Command palette: every action by name", ""),
    ]))
    key_width = max(len(key) for _, rows in sections for key, _, _ in rows)
    parts: list[Text | Table] = []
    for title, rows in sections:
        parts.append(Text(title, style="bold underline"))
        table = Table.grid(padding=(0, 2), expand=True)
        table.add_column(no_wrap=True, style="bold", min_width=key_width)
        table.add_column(ratio=1)
        table.add_column(no_wrap=True, style="dim")
        for key, what, binding_id in rows:
            table.add_row(Text(key), Text(what), Text(binding_id))
        parts += [table, Text("")]
    return Group(*parts)


class HelpScreen(ModalScreen[None]):
    """Esc, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close"),
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
        view = self.query_one(VerticalScroll)
        {"down": view.scroll_down, "up": view.scroll_up, "home": view.scroll_home,
         "end": view.scroll_end, "page_down": view.scroll_page_down,
         "page_up": view.scroll_page_up}[how](animate=False)

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 96; max-width: 98%; height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, keymap: Mapping[str, str], saved_filters: Mapping[str, str]) -> None:
        super().__init__()
        self.keymap = keymap
        self.saved_filters = saved_filters

    def compose(self) -> ComposeResult:
        intro = Text("Keys", style="bold")
        intro.append("   remap any of them in the config file under [keys], e.g.  "
                     'article.star = "S"', style="dim")
        with VerticalScroll():
            yield Static(intro)
            yield Static(help_table(self.app, self.keymap, self.saved_filters), id="help-keys")

    def action_close(self) -> None:
        self.dismiss(None)
