"""The footer, with quit and help first so a narrow terminal never cuts them off."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer

KEPT_ACTIONS = ("quit", "app.quit", "screen.focus_list", "help", "app.help")


class KeptFooter(Footer):
    """Textual's footer, its keys reordered: q and ? lead, the screen's keys follow."""

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        rank = {action: n for n, action in enumerate(KEPT_ACTIONS)}
        kept = sorted((w for w in widgets if getattr(w, "action", None) in rank),
                      key=lambda w: rank[getattr(w, "action")])
        yield from kept
        yield from (w for w in widgets if w not in kept)
