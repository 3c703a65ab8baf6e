"""The main screen: the article list beside (or above) the reader, a status line, the footer."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.screen import Screen
from textual.widgets import Footer

from ...core import render
from ...core.models import ArticleRecord, ArticleState
from ...core.store import Store
from ..widgets.article_list import ArticleList
from ..widgets.reader import Reader
from ..widgets.status import StatusLine

_PREVIEW_DELAY = 0.08  # seconds the cursor must rest before the reader follows it


def welcome() -> Group:
    """What an empty data dir shows: how to get articles in."""
    text = Text()
    text.append("Welcome to Warta\n\n", style="bold")
    text.append("No articles yet. To add some:\n\n")
    for command, what in (
        ("warta add https://example.com/feed.xml", "subscribe to a feed (or any page that has one)"),
        ("warta import subscriptions.opml", "import the feeds of another reader"),
        ("[[feeds]] in config.toml", "list feeds in the config file"),
        ("r", "refresh now"),
        ("warta --demo", "try Warta on bundled sample articles, offline"),
    ):
        text.append(f"  {command}\n", style="bold")
        text.append(f"      {what}\n")
    text.append("\nPress ? for all keys, q to quit.")
    return Group(text)


class MainScreen(Screen[None]):
    """Owns the list/reader interplay; the app owns the store and background work."""

    BINDINGS = [
        Binding("space,pagedown", "reader_page_down", "Page", id="reader.page_down"),
        Binding("b,pageup", "reader_page_up", "Back", show=False, id="reader.page_up"),
        Binding("escape,h", "focus_list", "List", show=False, id="reader.back"),
    ]

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self._preview_timer: object | None = None
        self.highlight_terms: tuple[str, ...] = ()

    def compose(self) -> ComposeResult:
        with Container(id="panes"):
            yield ArticleList(self.store.index, id="list")
            yield Reader(id="reader")
        yield StatusLine(id="status")
        yield Footer()

    @property
    def article_list(self) -> ArticleList:
        return self.query_one(ArticleList)

    @property
    def reader(self) -> Reader:
        return self.query_one(Reader)

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    def on_mount(self) -> None:
        self.reload_list()
        self.article_list.focus()

    def reload_list(self, rowids: list[int] | None = None, filter_text: str = "") -> None:
        """Show ``rowids`` (default: every article, newest first) and update the counts."""
        if rowids is None:
            rowids = self.store.index.rowids()
        self.article_list.set_rows(rowids)
        self.update_counts(filter_text)
        if not rowids and self.store.index.count() == 0:
            self.reader.show(welcome())

    def update_counts(self, filter_text: str | None = None) -> None:
        status = self.status
        status.set_counts(len(self.article_list.rowids), self.store.index.unread_count(),
                          status.filter if filter_text is None else filter_text)

    # -- list -> reader -----------------------------------------------------------------------

    def on_article_list_highlighted(self, message: ArticleList.Highlighted) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()  # type: ignore[attr-defined]
        if message.article_id is not None:
            article_id = message.article_id
            self._preview_timer = self.set_timer(_PREVIEW_DELAY, lambda: self.show_article(article_id))

    def on_article_list_opened(self, message: ArticleList.Opened) -> None:
        self.open_article(message.article_id)

    def open_article(self, article_id: str) -> None:
        """Show the article, mark it read, and move the focus to the reader."""
        self.show_article(article_id)
        state = self.store.get_state(article_id)
        if not state.read:
            self.app.set_state(article_id, read=True)  # type: ignore[attr-defined]
        self.reader.focus()

    def show_article(self, article_id: str) -> None:
        if self.reader.article_id == article_id:
            return
        record = self.store.get_article(article_id)
        if record is None:
            self.reader.show(Text("This article is no longer in the cache."))
            return
        state = self.store.get_state(article_id)
        self.reader.show(self.render_record(record, state), article_id=article_id, line=state.position)

    def render_record(self, record: ArticleRecord, state: ArticleState) -> Group:
        return render.reader_renderable(record, state, highlight=self.highlight_terms)

    def refresh_article(self, article_id: str) -> None:
        """Redraw the reader if it shows ``article_id`` (its record or state changed)."""
        if self.reader.article_id == article_id:
            line = round(self.reader.scroll_y)
            self.reader.article_id = None
            record = self.store.get_article(article_id)
            if record is not None:
                state = self.store.get_state(article_id)
                self.reader.show(self.render_record(record, state), article_id=article_id, line=line)

    # -- actions ------------------------------------------------------------------------------

    def action_reader_page_down(self) -> None:
        self.reader.page_down()

    def action_reader_page_up(self) -> None:
        self.reader.page_up()

    def action_focus_list(self) -> None:
        self.article_list.focus()
