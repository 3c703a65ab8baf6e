"""``E``: which sources failed in the last refresh, and why, in plain words.

A feed that answered 410 Gone will not come back: its row says so, and ``u`` on it unsubscribes
(feeds listed in the config file get a pointer to the file instead).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...core.errors import RefreshFailure
from ...core.sanitize import sanitize_line

STYLE_SELECTED = "reverse"


def errors_table(errors: Sequence[RefreshFailure], gone: Mapping[str, str] | None = None,
                 selected: int | None = None) -> Table | Text:
    """One row per failed source; ``gone`` replaces the reason of 410 feeds with a hint."""
    if not errors:
        return Text("No errors in the last refresh.")
    gone = gone or {}
    table = Table.grid(padding=(0, 2), expand=True)
    table.add_column(ratio=2, overflow="fold")
    table.add_column(ratio=1, overflow="fold")
    for number, (url, reason) in enumerate(errors):
        shown = gone.get(url) or reason
        table.add_row(Text(sanitize_line(url, 500), style="dim"), Text(sanitize_line(shown, 500), style="bold"),
                      style=STYLE_SELECTED if number == selected else None)
    return table


class ErrorsScreen(ModalScreen[None]):
    """Esc, q or E closes it; j/k pick a row, u unsubscribes from a feed that is gone."""

    BINDINGS = [
        Binding("escape,q,E", "close", "Close", tooltip="Back to where you were", id="errors.close"),
        Binding("j,down", "move(1)", "Down", show=False, id="errors.down"),
        Binding("k,up", "move(-1)", "Up", show=False, id="errors.up"),
        Binding("g,home", "move(-1000000)", "Top", show=False, id="errors.top"),
        Binding("G,end", "move(1000000)", "Bottom", show=False, id="errors.bottom"),
        Binding("pagedown", "move(10)", "Page down", show=False, id="errors.page_down"),
        Binding("pageup", "move(-10)", "Page up", show=False, id="errors.page_up"),
        Binding("u", "unsubscribe", "Unsubscribe",
                tooltip="Unsubscribe from the picked feed that is gone (HTTP 410)",
                id="errors.unsubscribe"),
    ]

    DEFAULT_CSS = """
    ErrorsScreen { align: center middle; }
    ErrorsScreen > VerticalScroll {
        width: 90%; max-width: 120; height: 80%;
        border: round $error; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, errors: Sequence[RefreshFailure], *, gone: Mapping[str, str] | None = None,
                 unsubscribe: Callable[[str], bool] | None = None) -> None:
        super().__init__()
        self.errors = list(errors)
        self.gone = dict(gone or {})
        self._unsubscribe = unsubscribe
        first_gone = [n for n, (url, _) in enumerate(self.errors) if url in self.gone]
        self.selected = first_gone[0] if first_gone else 0

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = f"Refresh errors ({len(self.errors)})"
            yield Static(self._table(), id="errors-table")

    def _table(self) -> Table | Text:
        return errors_table(self.errors, self.gone, self.selected if self.gone else None)

    def _redraw(self) -> None:
        self.query_one("#errors-table", Static).update(self._table())

    def action_move(self, step: int) -> None:
        """j/k a row, PgDn/PgUp ten, g/G to the ends; the view follows the picked row."""
        if self.errors:
            self.selected = max(0, min(len(self.errors) - 1, self.selected + step))
            self._redraw()
            view = self.query_one(VerticalScroll)
            if self.selected == 0:
                view.scroll_home(animate=False)
            elif self.selected == len(self.errors) - 1:
                view.scroll_end(animate=False)
            else:
                view.scroll_to(y=max(0, self.selected - view.size.height // 2), animate=False)

    def action_unsubscribe(self) -> None:
        if not self.errors or self._unsubscribe is None:
            return
        url, _ = self.errors[self.selected]
        if url not in self.gone:
            self.notify("Only a feed that is gone (HTTP 410) can be unsubscribed here",
                        markup=False, timeout=5)
            return
        if self._unsubscribe(url):
            del self.errors[self.selected]
            del self.gone[url]
            self.selected = max(0, min(self.selected, len(self.errors) - 1))
            self._redraw()

    def action_close(self) -> None:
        self.dismiss()
