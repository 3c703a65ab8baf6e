"""One of the article's pictures over the whole screen; n/p step through the others.

The screen asks the app for the picture at its own size (``PicturesWanted``; the app's worker
decodes on a thread and caches the scaled copy), so opening is a frame of the caption and
"loading", then the picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from ...core.images import ImageError, ImageRef
from ...core.sanitize import sanitize_line
from ..graphics import Drawing, sixel_at
from ..messages import PicturesDone, PicturesLoaded, PicturesWanted
from ..pictures import Drawable, SixelPicture, picture_strips


@dataclass(frozen=True, slots=True)
class Picture:
    url: str
    caption: str = ""


class PictureView(Widget):
    """Paints one picture centred in the widget: half blocks or kitty's placeholders as its
    lines, or blank lines with the sixel drawn over them once they are on screen."""

    DEFAULT_CSS = "PictureView { height: 1fr; }"

    def __init__(self) -> None:
        super().__init__()
        self.cells: Drawable | None = None
        self._strips: list[Strip] = []

    def paint(self, cells: Drawable | None) -> None:
        self.cells = cells
        self._strips = picture_strips(cells, self.size.width) if cells is not None else []
        self.refresh()
        if isinstance(cells, SixelPicture):
            self.call_after_refresh(self._draw_sixel, cells)

    def _draw_sixel(self, picture: SixelPicture) -> None:
        """After the frame with the blank cells: the sixel over them (nothing scrolls here;
        leaving repaints those cells, which erases it)."""
        if self.cells is not picture or not self.is_mounted:
            return
        region = self.content_region
        x = region.x + max(0, (region.width - picture.width) // 2)
        y = region.y + max(0, (region.height - len(self._strips)) // 2)
        write = getattr(self.app, "_write_graphics", None)
        if write is not None:
            write(sixel_at(picture.data, x, y))

    def on_resize(self) -> None:
        self.paint(self.cells)

    def render_line(self, y: int) -> Strip:
        top = max(0, (self.size.height - len(self._strips)) // 2)
        if top <= y < top + len(self._strips):
            return self._strips[y - top].crop_extend(0, self.size.width, self.rich_style)
        return Strip.blank(self.size.width, self.rich_style)


class PictureScreen(ModalScreen[None]):
    """Shows ``pictures[index]`` as large as the screen allows."""

    BINDINGS = [
        Binding("escape,i", "close", "Close", tooltip="Back to the article", id="picture.close"),
        Binding("n,right,space", "step(1)", "Next", tooltip="The article's next picture",
                id="picture.next"),
        Binding("p,left,b", "step(-1)", "Previous", tooltip="The article's previous picture",
                id="picture.previous"),
    ]

    DEFAULT_CSS = """
    PictureScreen { background: $background; }
    PictureScreen > #caption { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, pictures: Sequence[Picture], index: int, article_id: str,
                 feeds: Sequence[str] = (), *, drawing: Drawing = "halfblock") -> None:
        super().__init__()
        self.drawing = drawing
        self.pictures = list(pictures)
        self.index = max(0, min(index, len(self.pictures) - 1))
        self.article_id = article_id
        self.feeds = tuple(feeds)

    def compose(self) -> ComposeResult:
        yield PictureView()
        yield Static(id="caption")

    @property
    def view(self) -> PictureView:
        return self.query_one(PictureView)

    def on_mount(self) -> None:
        self.call_after_refresh(self._show)  # the view has its size after the first layout

    def _show(self) -> None:
        picture = self.pictures[self.index]
        self.view.paint(None)
        self._caption("loading…")
        view = self.view
        background = self.styles.background
        self.post_message(PicturesWanted(
            self.article_id, [ImageRef(picture.url, picture.caption)], max(4, view.size.width),
            max(2, view.size.height), (background.r, background.g, background.b),
            reply_to=self, feeds=self.feeds, drawing=self.drawing))

    def _caption(self, note: str = "") -> None:
        picture = self.pictures[self.index]
        text = Text()
        if len(self.pictures) > 1:
            text.append(f"{self.index + 1}/{len(self.pictures)}  ", style="bold")
        text.append(sanitize_line(picture.caption, 300))
        if note:
            text.append(("  · " if picture.caption else "") + note, style="italic")
        keys = "n/p the others · Esc back" if len(self.pictures) > 1 else "Esc back"
        text.append(f"   {keys}", style="dim")
        self.query_one("#caption", Static).update(text)

    def on_pictures_loaded(self, message: PicturesLoaded) -> None:
        result = message.pictures.get(self.pictures[self.index].url)
        if isinstance(result, ImageError):
            self._caption(str(result))
        elif result is not None:
            self.view.paint(result)
            self._caption()

    def action_step(self, direction: int) -> None:
        if len(self.pictures) > 1:
            self.index = (self.index + direction) % len(self.pictures)
            self._show()

    def action_close(self) -> None:
        self.dismiss(None)

    def on_unmount(self) -> None:
        self.app.post_message(PicturesDone(self))
