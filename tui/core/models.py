"""The types the rest of Warta passes around: frozen, JSON-serialisable, no behaviour of note.

``Article`` is what extraction produces from one page. ``ArticleRecord`` is what the store keeps
for one article (where it came from, its feed summary, its fetch state, and the extracted
``Article`` once there is one). ``ArticleSummary`` is one row of the list: only the fields the
list and the filters need. ``ArticleState`` is what the user said about an article. ``Feed`` is a
subscription.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

BlockKind = Literal["heading", "paragraph", "item", "quote", "code", "image", "row"]
FullTextStatus = Literal["summary", "full", "failed"]
FullTextPolicy = Literal["always", "never", "auto"]

_WORD = re.compile(r"\w+")
WORDS_PER_MINUTE = 230


def union(*groups: Sequence[str]) -> tuple[str, ...]:
    """The items of ``groups`` in order of first appearance, each once."""
    return tuple(dict.fromkeys(item for group in groups for item in group))


@dataclass(frozen=True, slots=True)
class Block:
    """One block of article text.

    ``links`` are ``(start, end, number)`` spans of ``text``; ``number`` is 1-based into
    ``Article.links``. The plain text never contains link markers (the reader adds "[n]").
    ``level`` is the heading level (1-6) or the nesting depth of a list item (0 = top).
    ``marker`` is the list item's bullet ("•") or number ("3."), or ``th`` for a table's header
    row. A ``row`` is one row of a data table, its cells separated by tabs (consecutive rows
    make one table).
    """

    kind: BlockKind
    text: str
    level: int = 0
    marker: str = ""
    links: tuple[tuple[int, int, int], ...] = ()

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "text": self.text}
        if self.level:
            data["level"] = self.level
        if self.marker:
            data["marker"] = self.marker
        if self.links:
            data["links"] = [list(span) for span in self.links]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Block:
        return cls(
            kind=data["kind"],
            text=data.get("text", ""),
            level=int(data.get("level", 0)),
            marker=data.get("marker", ""),
            links=tuple((int(a), int(b), int(n)) for a, b, n in data.get("links", ())),
        )


@dataclass(frozen=True, slots=True)
class Article:
    """The readable content and metadata of one page, as extraction found them."""

    url: str | None = None
    canonical_url: str | None = None
    title: str = ""
    byline: str | None = None
    site_name: str | None = None
    published: str | None = None  # ISO 8601
    lang: str | None = None
    tags: tuple[str, ...] = ()
    description: str | None = None
    image: str | None = None
    blocks: tuple[Block, ...] = ()
    links: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """Plain text as the reader shows it, paragraphs separated by one blank line."""
        return "\n\n".join(block.text for block in self.blocks if block.kind != "image")

    @property
    def word_count(self) -> int:
        return sum(len(_WORD.findall(block.text)) for block in self.blocks if block.kind != "image")

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.word_count / WORDS_PER_MINUTE))

    def to_json(self) -> dict[str, Any]:
        # Not asdict(): it deep-copies every block only for them to be replaced below.
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["tags"] = list(self.tags)
        data["links"] = list(self.links)
        data["blocks"] = [block.to_json() for block in self.blocks]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Article:
        return cls(
            url=data.get("url"),
            canonical_url=data.get("canonical_url"),
            title=data.get("title") or "",
            byline=data.get("byline"),
            site_name=data.get("site_name"),
            published=data.get("published"),
            lang=data.get("lang"),
            tags=tuple(data.get("tags") or ()),
            description=data.get("description"),
            image=data.get("image"),
            blocks=tuple(Block.from_json(b) for b in data.get("blocks") or ()),
            links=tuple(data.get("links") or ()),
        )


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """Everything the store keeps about one article except raw HTML and user state.

    ``published``/``fetched`` are Unix timestamps. ``summary`` is the feed's own text (plain,
    sanitised), shown until the full text arrives. ``error`` says why full text failed.
    """

    id: str
    url: str
    title: str
    site: str = ""
    published: float = 0.0
    fetched: float = 0.0
    feeds: tuple[str, ...] = ()  # URLs of the feeds that carried it
    feed_tags: tuple[str, ...] = ()
    page_tags: tuple[str, ...] = ()
    lang: str = ""
    byline: str = ""
    summary: str = ""
    status: FullTextStatus = "summary"
    error: str = ""
    fingerprint: str = ""
    article: Article | None = None
    note: str = ""  # why the feed's text is shown and no page is coming (full_text = "never")

    def with_changes(self, **changes: Any) -> ArticleRecord:
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        for name in ("feeds", "feed_tags", "page_tags"):
            data[name] = list(data[name])
        data["article"] = self.article.to_json() if self.article else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ArticleRecord:
        values = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for name in ("feeds", "feed_tags", "page_tags"):
            values[name] = tuple(values.get(name) or ())
        article = values.get("article")
        values["article"] = Article.from_json(article) if article else None
        return cls(**values)


@dataclass(frozen=True, slots=True)
class ArticleState:
    """What the user said about one article; kept in its own never-evicting store."""

    read: bool = False
    starred: bool = False
    tags: tuple[str, ...] = ()
    position: int = 0  # first visible line of the reader

    @property
    def is_default(self) -> bool:
        return self == ArticleState()

    def to_json(self) -> dict[str, Any]:
        return {"read": self.read, "starred": self.starred, "tags": list(self.tags),
                "position": self.position}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ArticleState:
        return cls(
            read=bool(data.get("read", False)),
            starred=bool(data.get("starred", False)),
            tags=tuple(str(t) for t in data.get("tags") or ()),
            position=int(data.get("position", 0)),
        )


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """One row of the article list: what the list draws and the filters read."""

    id: str
    url: str
    title: str
    site: str
    published: float
    fetched: float
    feed_tags: tuple[str, ...] = ()
    page_tags: tuple[str, ...] = ()
    user_tags: tuple[str, ...] = ()
    read: bool = False
    starred: bool = False
    status: FullTextStatus = "summary"
    lang: str = ""
    byline: str = ""

    @property
    def tags(self) -> tuple[str, ...]:
        return union(self.feed_tags, self.page_tags, self.user_tags)


TagKind = Literal["feed", "page", "user"]


@dataclass(frozen=True, slots=True)
class TagCount:
    """One tag as the tag picker lists it; ``kind`` is the first of feed, page, user that any
    article has the tag as."""

    tag: str
    kind: TagKind
    unread: int
    total: int


@dataclass(frozen=True, slots=True)
class Feed:
    """A subscription, from the config or added from the CLI/app."""

    url: str
    name: str = ""
    tags: tuple[str, ...] = ()
    enabled: bool = True
    full_text: FullTextPolicy = "auto"
    max_articles: int = 200
    user_typed: bool = True  # typed by the user: private addresses allowed
    images: str = ""  # "auto" | "halfblock" | "off"; "" follows the config's ``images``

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["tags"] = list(self.tags)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Feed:
        values = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        values["tags"] = tuple(values.get("tags") or ())
        return cls(**values)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry of a parsed feed, before it becomes an ``ArticleRecord``."""

    url: str
    title: str
    guid: str = ""
    published: float | None = None
    summary: str = ""
    summary_is_full: bool = False  # the entry carries the whole article
    tags: tuple[str, ...] = ()
    author: str = ""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A feed as the parser saw it."""

    title: str = ""
    site_url: str = ""
    entries: tuple[FeedEntry, ...] = field(default_factory=tuple)
    problem: str = ""  # usable, but worth telling the user (a feed cut off mid-way)
