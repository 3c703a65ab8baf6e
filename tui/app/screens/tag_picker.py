"""``t``: every tag with its unread and total counts; choosing one or several filters by them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, SelectionList, Static
from textual.widgets.selection_list import Selection

from ...core.models import TagCount
from ...core.sanitize import sanitize_line
from ...core.textwidth import cells, fit
from ..render import STYLE_TAG


def tag_prompt(count: TagCount, width: int) -> Text:
    """One row: ``#tag`` in the colour of its kind, then the counts and the kind."""
    style = STYLE_TAG[count.kind]
    text = Text(fit("#" + sanitize_line(count.tag, 60), width - 1) + " ", style=style, no_wrap=True)
    text.append(f"{count.unread:>5} unread {count.total:>6} total  ", style="dim")
    text.append(count.kind, style=style)
    return text


class KeyedSelectionList(SelectionList[str]):
    """The tag list, with j/k/g/G as well as the arrows, Home/End and PgUp/PgDn."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="tag_picker.down"),
        Binding("k", "cursor_up", "Up", show=False, id="tag_picker.up"),
        Binding("g", "first", "Top", show=False, id="tag_picker.top"),
        Binding("G", "last", "Bottom", show=False, id="tag_picker.bottom"),
    ]


class TagPicker(ModalScreen[list[str] | None]):
    """Returns the chosen tags (space marks several, Enter filters), or None on Esc."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", tooltip="Close, the filter unchanged",
                id="tag_picker.cancel"),
        Binding("enter", "choose", "Filter", priority=True,
                tooltip="Filter by the marked tags (space marks), else the one highlighted",
                id="tag_picker.choose"),
    ]

    DEFAULT_CSS = """
    TagPicker { align: center middle; }
    TagPicker > Vertical {
        width: 72; max-width: 95%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    TagPicker SelectionList, TagPicker SelectionList:focus {
        height: auto; max-height: 20; border: none; padding: 0; background: $surface;
    }
    TagPicker .tag-picker--hint { color: $text-muted; }
    """

    def __init__(self, counts: Sequence[TagCount], selected: Iterable[str] = ()) -> None:
        super().__init__()
        self.counts = list(counts)
        self.initially_selected = {tag.lower() for tag in selected}

    def compose(self) -> ComposeResult:
        width = min(40, max((cells(sanitize_line(c.tag, 60)) + 2 for c in self.counts), default=10))
        with Vertical():
            yield Label(Text("Tags", style="bold"))
            if self.counts:
                yield KeyedSelectionList(*(
                    Selection(tag_prompt(count, width), count.tag,
                              count.tag.lower() in self.initially_selected)
                    for count in self.counts
                ))
            else:
                yield Static("No tags yet: feeds get tags in the config, articles with T.")
            yield Static("space marks several · enter filters by them · esc cancels",
                         classes="tag-picker--hint")

    def action_choose(self) -> None:
        lists = self.query(SelectionList)
        if not lists:
            self.dismiss(None)
            return
        options = lists.first(SelectionList)
        chosen = [str(tag) for tag in options.selected]
        if not chosen and options.highlighted is not None:
            chosen = [str(options.get_option_at_index(options.highlighted).value)]
        self.dismiss(chosen)

    def action_cancel(self) -> None:
        self.dismiss(None)
