"""Resizing what a line-API view scrolls over, without laying the whole screen out again."""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.widget import Widget


def set_virtual_size(view: ScrollView, size: Size) -> None:
    """Set ``view``'s virtual size. Textual's ``virtual_size`` reactive lays the whole screen
    out on every change (10-30 ms under load: each article the reader shows, each batch of
    arrivals in the list), though the view keeps its own size; only a scrollbar coming or
    going needs a layout, and its own reactive asks for one then."""
    if size == view.virtual_size:
        return
    view.set_reactive(Widget.virtual_size, size)
    view._scroll_update(size)  # scrollbar shown or hidden, and its window
    if view.scroll_y > view.max_scroll_y:
        view.scroll_y = view.max_scroll_y
    view.refresh()
