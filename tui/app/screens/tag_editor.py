"""``T``: edit the article's own (user) tags as one line of text."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from ...core.sanitize import sanitize_line

TAG_LIMIT = 60


def parse_tags(text: str) -> tuple[str, ...]:
    """``"#a, b  c"`` -> ``("a", "b", "c")``: comma or space separated, no duplicates."""
    tags: dict[str, None] = {}
    for word in re.split(r"[,\s]+", text):
        tag = sanitize_line(word.lstrip("#+"), TAG_LIMIT).strip('"')
        if tag and tag.lower() not in {t.lower() for t in tags}:
            tags[tag] = None
    return tuple(tags)


class TagEditor(ModalScreen[tuple[str, ...] | None]):
    """Returns the new user tags (Enter), or None (Esc)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="tag_editor.cancel")]

    DEFAULT_CSS = """
    TagEditor { align: center middle; }
    TagEditor > Vertical {
        width: 64; max-width: 95%; height: auto;
        border: round $accent; background: $surface; padding: 0 1;
    }
    TagEditor .tag-editor--hint { color: $text-muted; }
    """

    def __init__(self, title: str, tags: Sequence[str]) -> None:
        super().__init__()
        self.article_title = title
        self.tags = tuple(tags)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("Your tags for: ", style="bold") + Text(sanitize_line(self.article_title, 50)))
            yield Input(", ".join(self.tags), placeholder="e.g. later, climate")
            yield Static("comma or space separated · enter saves · esc cancels",
                         classes="tag-editor--hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(parse_tags(event.value))

    def action_cancel(self) -> None:
        self.dismiss(None)
