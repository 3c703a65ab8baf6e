"""A yes/no question before opening a link that may not go where it says."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static

from ...core.browser import display_url
from ...core.sanitize import sanitize_line


class ConfirmOpen(ModalScreen[bool]):
    """Dismisses with True on y, False on n or Esc. The URL is shown with its host in punycode."""

    BINDINGS = [
        Binding("y", "answer(True)", "Open", tooltip="Open the link all the same",
                id="confirm.yes"),
        Binding("n,escape", "answer(False)", "Cancel", id="confirm.no"),
    ]

    DEFAULT_CSS = """
    ConfirmOpen { align: center middle; }
    ConfirmOpen > Static {
        width: 80%; max-width: 90; height: auto;
        border: round $warning; background: $surface; padding: 1 2;
    }
    """

    def __init__(self, url: str, warning: str) -> None:
        super().__init__()
        self.url = url
        self.warning = warning

    def compose(self) -> ComposeResult:
        text = Text()
        text.append("Open this link?\n\n", style="bold")
        text.append(sanitize_line(self.warning, 300) + "\n\n")
        text.append(display_url(self.url) + "\n\n", style="bold")
        text.append("y open it · n don't")
        box = Static(text)
        box.border_title = "Check the address"
        yield box

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
