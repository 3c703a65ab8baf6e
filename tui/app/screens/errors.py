"""``E``: which sources failed in the last refresh, and why, in plain words."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...core.sanitize import sanitize_line


def errors_table(errors: Sequence[tuple[str, str]]) -> Table | Text:
    if not errors:
        return Text("No errors in the last refresh.")
    table = Table.grid(padding=(0, 2), expand=True)
    table.add_column(ratio=2, overflow="fold")
    table.add_column(ratio=1)
    for url, reason in errors:
        table.add_row(Text(sanitize_line(url, 500), style="dim"), Text(sanitize_line(reason), style="bold"))
    return table


class ErrorsScreen(ModalScreen[None]):
    """Esc, q or E closes it."""

    BINDINGS = [Binding("escape,q,E", "close", "Close", id="errors.close")]

    DEFAULT_CSS = """
    ErrorsScreen { align: center middle; }
    ErrorsScreen > VerticalScroll {
        width: 90%; max-width: 120; height: 80%;
        border: round $error; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, errors: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.errors = list(errors)

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = f"Refresh errors ({len(self.errors)})"
            yield Static(errors_table(self.errors))

    def action_close(self) -> None:
        self.dismiss()
