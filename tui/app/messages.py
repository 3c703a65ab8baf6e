"""The messages the app's parts exchange: workers and screens post, handlers own the state.

Workers post to the app (``RefreshProgressed``, ``ArticlesArrived``, ``RefreshFinished``,
``SourceAdded``, ``IndexProgressed``, ``IndexRebuilt``); the main screen asks the app for work (``RefreshRequested``, ``AddRequested``,
``ChangesQueued``, ``QueueFlushed``, ``Failed``); the app tells the screen what changed (``ArticlesChanged``,
``Activity``). A screen that shows pictures asks the app for them (``PicturesWanted``) and the
app's worker answers that screen (``PicturesLoaded``). Nobody reaches into another's widgets.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from textual.message import Message
from textual.message_pump import MessagePump

from ..core.errors import WartaError
from ..core.images import RGB, ImageError, ImageRef
from ..core.models import Feed
from .graphics import Drawing
from .pictures import Drawable

if TYPE_CHECKING:
    from ..core.refresh import AddResult, RefreshProgress

# -- from the refresh worker to the app ----------------------------------------------------------


class RefreshProgressed(Message):
    """Where the running refresh stands."""

    def __init__(self, progress: RefreshProgress) -> None:
        super().__init__()
        self.progress = progress

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RefreshProgressed)


class ArticlesArrived(Message):
    """Articles were added or updated (one message per feed batch or page)."""

    def __init__(self, article_ids: list[str]) -> None:
        super().__init__()
        self.article_ids = article_ids


class SourceAdded(Message):
    """``a`` worked: a feed to refresh now, or one saved article."""

    def __init__(self, result: AddResult) -> None:
        super().__init__()
        self.result = result


class RefreshFinished(Message):
    def __init__(self, progress: RefreshProgress) -> None:
        super().__init__()
        self.progress = progress


class IndexProgressed(Message):
    """The list index rebuild behind the screen has indexed ``done`` of ``total`` articles."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, IndexProgressed)


class IndexRebuilt(Message):
    """The list index is whole again: the list is read afresh."""


# -- from the main screen to the app -------------------------------------------------------------


class RefreshRequested(Message):
    """Refresh ``feeds`` (None: every feed)."""

    def __init__(self, feeds: Sequence[Feed] | None = None) -> None:
        super().__init__()
        self.feeds = None if feeds is None else list(feeds)


class AddRequested(Message):
    """Subscribe to (or save) the page at ``url``, in the background."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url


class ChangesQueued(Message):
    """A change of user state could not be saved (disk full): it waits, shown as done."""


class QueueFlushed(Message):
    """The changes that waited for disk space are saved (``count`` articles)."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count


class Resubscribed(Message):
    """Undo subscribed to ``feed`` again (the app forgets it was gone)."""

    def __init__(self, feed: Feed) -> None:
        super().__init__()
        self.feed = feed


class Failed(Message):
    """Something the user asked for failed; the app says so (one place for every ``WartaError``)."""

    def __init__(self, error: WartaError) -> None:
        super().__init__()
        self.error = error


# -- from the app to the main screen -------------------------------------------------------------


class ArticlesChanged(Message):
    """Articles were added or updated (``None``: by another process, which ones is unknown)."""

    def __init__(self, article_ids: Collection[str] | None) -> None:
        super().__init__()
        self.article_ids = None if article_ids is None else set(article_ids)


class SessionNews(Message):
    """What arrived since the last session ("38 new in 6 feeds since the last session")."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class Activity(Message):
    """What is going on, for the status line ("Refreshing 3/12 feeds")."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, Activity)


# -- pictures: a screen asks the app, the app's worker answers the screen that asked ------------


class PicturesWanted(Message):
    """Load ``refs`` scaled to fit ``cols`` x ``rows`` cells; answers go to ``reply_to``."""

    def __init__(self, article_id: str, refs: Sequence[ImageRef], cols: int, rows: int,
                 background: RGB, reply_to: MessagePump, feeds: Sequence[str] = (),
                 drawing: Drawing = "halfblock") -> None:
        super().__init__()
        self.drawing = drawing  # halfblock, kitty or sixel: what the answers are drawn with
        self.article_id = article_id
        self.refs = tuple(refs)
        self.cols = cols
        self.rows = rows
        self.background = background
        self.reply_to = reply_to
        self.feeds = tuple(feeds)  # the article's feed URLs: whose hosts may be private


class PicturesLoaded(Message):
    """Pictures of ``article_id`` by URL, scaled, or why each is not shown: all the cached
    ones in one message (one repaint), then one message per download."""

    def __init__(self, article_id: str, pictures: Sequence[tuple[str, Drawable | ImageError]]) -> None:
        super().__init__()
        self.article_id = article_id
        self.pictures = dict(pictures)

    @property
    def shown(self) -> dict[str, Drawable]:
        return {url: cells for url, cells in self.pictures.items() if not isinstance(cells, ImageError)}


class PicturesDone(Message):
    """``owner`` (a screen) shows its pictures no more: the terminal may let go of them."""

    def __init__(self, owner: MessagePump) -> None:
        super().__init__()
        self.owner_id = id(owner)
