"""A yes/no question before a change that touches many articles or a subscription."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static

from ...core.sanitize import sanitize_line


class Ask(ModalScreen[bool]):
    """Dismisses with True on y or Enter, False on n or Esc."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", tooltip="Do it (u undoes it later)", id="ask.yes"),
        Binding("n,escape", "answer(False)", "No", tooltip="Leave everything as it is",
                id="ask.no"),
    ]

    DEFAULT_CSS = """
    Ask { align: center middle; }
    Ask > Static {
        width: 80%; max-width: 80; height: auto;
        border: round $accent; background: $surface; padding: 1 2;
    }
    """

    def __init__(self, question: str, *, hint: str = "undo with u") -> None:
        super().__init__()
        self.question = question
        self.hint = hint

    def compose(self) -> ComposeResult:
        text = Text()
        text.append(sanitize_line(self.question, 300) + "\n\n", style="bold")
        text.append(f"y yes · n no{' · ' + self.hint if self.hint else ''}")
        yield Static(text, id="question")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
