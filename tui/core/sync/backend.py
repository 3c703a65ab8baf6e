"""What the sync engine needs from a server, whatever API it speaks.

``greader.py`` and ``fever.py`` implement ``Backend``. Item ids are kept as decimal strings
(the Google Reader API's long form ``tag:google.com,2005:reader/item/<hex>`` is converted), so
one server item has one id however the server spelled it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ServerFeed:
    stream: str  # the server's id: "feed/12" (Google Reader API), "12" (Fever)
    url: str
    title: str = ""
    categories: tuple[str, ...] = ()  # folders, which become the feed's tags


@dataclass(frozen=True, slots=True)
class ServerItem:
    sid: str
    stream: str  # the feed it belongs to (``ServerFeed.stream``)
    url: str
    title: str = ""
    html: str = ""
    author: str = ""
    published: float | None = None
    crawled_usec: int = 0  # when the server stored it: the mark-all-read timestamp base


@dataclass(frozen=True, slots=True)
class ItemsAnswer:
    """A server's answer holding items, as received: decoded in the worker pool, not on the
    event loop (a page of 250 items is megabytes of JSON)."""

    decode: Callable[[bytes, str], list[ServerItem]]  # module level: it runs in a worker
    body: bytes
    host: str  # for the messages of an answer that is not what it should be


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The server's state as ids: cheap to list, so every sync asks for all of it."""

    listed: frozenset[str] | None  # every item id the server still lists (None: cannot list)
    unread: frozenset[str]
    starred: frozenset[str]
    labels: dict[str, frozenset[str]] | None = field(default=None)  # None: no item labels


class Backend(Protocol):
    name: str
    keeps_labels: bool  # item labels that are not folders (FreshRSS does, Miniflux does not)
    can_subscribe: bool

    async def login(self) -> None: ...

    async def feeds(self) -> list[ServerFeed]: ...

    async def snapshot(self) -> Snapshot: ...

    def new_items(self, snapshot: Snapshot, known: set[str]) -> AsyncIterator[list[ServerItem] | ItemsAnswer]:
        """Batches of the items the client does not have yet (contents, not only ids), decoded
        or as the server's answer still to be decoded."""
        ...

    async def set_flag(self, sids: Sequence[str], flag: str, value: bool) -> None:
        """``flag`` is "read" or "starred"; returns only once the server confirmed it."""
        ...

    async def set_label(self, sids: Sequence[str], label: str, value: bool) -> None: ...

    async def mark_all_read(self, stream: str | None, category: str | None, newest_usec: int,
                            newest_seen_at: float) -> None: ...

    async def subscribe(self, url: str, title: str, categories: Sequence[str]) -> str: ...

    async def unsubscribe(self, stream: str) -> None: ...

    async def aclose(self) -> None: ...
