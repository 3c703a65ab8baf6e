"""The main screen: the article list beside (or above) the reader, prompts, status line, footer.

The screen owns the reading workflow: which article is current, the active filter, the reading
position, and the actions on the current article. It reads and changes articles through the
library; every change of user state goes through ``Library.change`` (durable before the next
key) and the screen repaints what its report says changed. It asks the app for background work
in messages (``messages.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.screen import Screen
from textual.timer import Timer

from ...core.browser import Opener, display_url, link_warning
from ...core.config import normalise_feed_url
from ...core.errors import FilterError, WartaError
from ...core.changes import StateChange
from ...core.library import Library
from ...core.markdown_export import article_markdown, export_article
from ...core.pipe import PipeError, command_argv
from ...core.models import ArticleRecord, ArticleState
from ...core.query import CompiledFilter, Term, next_sort, parse_filter
from ...core.sanitize import sanitize_line
from ...core.undo import UndoStack
from ...core.urls import is_http_url
from ...core.images import ImageRef, article_images
from .. import render
from ..browsing import launch
from ..compositor import UpdateCompositor
from ..messages import (Activity, AddRequested, ArticlesChanged, ChangesQueued, Failed,
                        PicturesLoaded, PicturesWanted, QueueFlushed, RefreshRequested,
                        Resubscribed, SessionNews)
from ..graphics import Drawing, drawing_for
from ..pictures import preview_rows
from ..widgets.article_list import ArticleList
from ..widgets.footer import KeptFooter
from ..widgets.prompt import (AddPrompt, BottomPrompt, FilterPrompt, FindPrompt, LinkPrompt,
                              PipePrompt)
from ..widgets.reader import READING_WIDTH, Reader
from ..widgets.status import StatusLine
from .ask import Ask
from .confirm import ConfirmOpen
from .feeds import FeedChoice, FeedsScreen
from .picture import Picture, PictureScreen
from .pipe_output import PipeOutput
from .tag_editor import TagEditor
from .tag_picker import TagPicker

_PREVIEW_DELAY = 0.08  # seconds the cursor must rest before the reader follows it
_POSITION_DELAY = 0.3  # seconds the reader must rest before its position is saved
_STEP_WINDOW = 200  # rows read at a time when looking for the next unread article
_REPAINT_ALL = 500  # a change of more articles than this repaints the whole list


def welcome() -> Group:
    """What an empty data dir shows: how to get articles in."""
    text = Text()
    text.append("Welcome to Warta\n\n", style="bold")
    text.append("No articles yet. To add some:\n\n")
    for command, what in (
        ("a", "here: type or paste the URL of a feed, a site, or a page to save"),
        ("warta add https://example.com/feed.xml", "the same from the shell"),
        ("warta import subscriptions.opml", "import the feeds of another reader"),
        ("[[feeds]] in config.toml", "list feeds in the config file"),
        ("r", "refresh now"),
        ("warta --demo", "try Warta on bundled sample articles, offline"),
    ):
        text.append(f"  {command}\n", style="bold")
        text.append(f"      {what}\n")
    text.append("\nPress ? for all keys, q to quit.")
    return Group(text)


def _saved_filter_bindings() -> list[Binding]:
    return [Binding(str(n), f"saved_filter({n})", f"Filter {n}", show=False,
                    tooltip=f"Apply saved filter {n} (from [filters] in the config)",
                    id=f"filter.saved_{n}") for n in range(1, 10)]


class MainScreen(Screen[None]):
    """Owns the list/reader interplay and the actions on the current article."""

    BINDINGS = [
        Binding("n", "step(1, True)", "Next unread", tooltip="Open the next unread article",
                id="article.next_unread"),
        Binding("p", "step(-1, True)", "Prev unread", show=False,
                tooltip="Open the previous unread article", id="article.prev_unread"),
        Binding("N", "step(1, False)", "Next", show=False,
                tooltip="Open the next article, read or not", id="article.next"),
        Binding("P", "step(-1, False)", "Previous", show=False,
                tooltip="Open the previous article, read or not", id="article.prev"),
        Binding("m", "toggle_read", "Read", tooltip="Mark the article read or unread",
                id="article.toggle_read"),
        Binding("s", "toggle_star", "Star", tooltip="Star or unstar the article", id="article.star"),
        Binding("u,ctrl+z", "undo", "Undo", tooltip="Undo the last change (many levels)",
                id="edit.undo"),
        Binding("A", "mark_all_read", "All read", show=False,
                tooltip="Mark every article the list shows read (asks first)",
                id="list.mark_all_read"),
        Binding("K", "mark_read_side(-1)", "Read above", show=False,
                tooltip="Mark the articles above the cursor read", id="list.mark_read_above"),
        Binding("J", "mark_read_side(1)", "Read below", show=False,
                tooltip="Mark the articles below the cursor read", id="list.mark_read_below"),
        Binding("O", "cycle_sort", "Order", show=False,
                tooltip="Sort the list: newest, oldest, by feed, unread first (by rank when "
                        "searching)", id="list.sort"),
        Binding("F", "feeds", "Feeds", tooltip="Feeds, smart folders and tags with their counts",
                id="feeds.toggle"),
        Binding("v", "toggle_mark", "Mark", show=False,
                tooltip="Mark the article for a bulk action (m, s, T, e then act on all marked)",
                id="bulk.toggle_mark"),
        Binding("V", "clear_marks", "Unmark all", show=False,
                tooltip="Unmark every marked article", id="bulk.clear"),
        Binding("t", "pick_tags", "Tags", tooltip="Filter by tags (pick one or several)",
                id="tags.pick"),
        Binding("T", "edit_tags", "Edit tags", show=False,
                tooltip="Edit the article's own tags", id="tags.edit"),
        Binding("a", "add_source", "Add", show=False,
                tooltip="Subscribe to a feed, or save a page (type or paste its URL)", id="source.add"),
        Binding("slash", "filter_prompt", "Filter", tooltip="Filter the list (words, +tag, is:unread, is:new…)",
                id="filter.prompt"),
        Binding("o", "open_browser", "Browser", tooltip="Open the article in the web browser",
                id="article.open_browser"),
        Binding("y", "copy_url", "Copy URL", show=False, tooltip="Copy the article's URL",
                id="article.copy_url"),
        Binding("e", "export", "Export", show=False,
                tooltip="Export the article as a Markdown file", id="article.export"),
        Binding("vertical_line", "pipe", "Pipe", show=False,
                tooltip="Pipe the article, as Markdown, into a command and show its output",
                id="article.pipe"),
        Binding("f", "follow_link", "Link", show=False,
                tooltip="Open link number N of the article (f, then the number)",
                id="article.follow_link"),
        Binding("tab", "switch_pane", "Switch pane", show=False,
                tooltip="Move between the list and the reader", id="main.switch_pane"),
        Binding("escape,h", "focus_list", "List", show=False, tooltip="Back to the list",
                id="reader.back"),
        Binding("space,pagedown", "reader_page_down", "Page", show=False,
                tooltip="Scroll the reader down a page", id="reader.page_down"),
        Binding("b,pageup", "reader_page_up", "Back", show=False,
                tooltip="Scroll the reader up a page", id="reader.page_up"),
        Binding("ctrl+d", "reader_half_down", "Half down", show=False,
                tooltip="Scroll the reader down half a page", id="reader.half_down"),
        Binding("ctrl+u", "reader_half_up", "Half up", show=False,
                tooltip="Scroll the reader up half a page", id="reader.half_up"),
        Binding("ctrl+f", "find", "Find", show=False,
                tooltip="Find in the article: the matches lit, n/N step, Esc ends",
                id="reader.find"),
        Binding("i", "open_picture", "Picture", show=False,
                tooltip="Show the picture in view (else the lead picture) over the whole pane",
                id="reader.picture"),
        *_saved_filter_bindings(),
    ]

    def __init__(self, library: Library, *, export_dir: Path, opener: Opener | None = None,
                 undo: UndoStack | None = None) -> None:
        super().__init__()
        self._compositor = UpdateCompositor()
        self.library = library
        self.undo_stack = undo if undo is not None else UndoStack(library)
        self.export_dir = export_dir
        self.opener = opener
        self.filter = CompiledFilter()
        self.filter_label = ""
        self.sort = library.config.sort  # "rank" while a search is on, until O picks another
        self.highlight_terms: tuple[str, ...] = ()
        self._preview_timer: Timer | None = None
        self._position_timer: Timer | None = None
        self._pending_position: tuple[str, int] | None = None
        self._focus_before: ArticleList | Reader | None = None
        self._link_article_id: str | None = None
        self._pipe_article_id: str | None = None
        self._pipe_command = ""  # the last command piped into, offered again
        self.furniture = library.furniture
        self._pictures_asked: dict[str, set[str]] = {}  # article id -> picture URLs asked for
        self._picture_size: tuple[int, int] | None = None  # (cols, rows) they were asked at

    def compose(self) -> ComposeResult:
        with Container(id="panes"):
            yield ArticleList(self.library, id="list")
            yield Reader(id="reader")
        yield FilterPrompt(id="filter-prompt")
        yield LinkPrompt(id="link-prompt")
        yield AddPrompt(id="add-prompt")
        yield PipePrompt(id="pipe-prompt")
        yield FindPrompt(id="find-prompt")
        yield StatusLine(id="status")
        yield KeptFooter()

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

    def on_descendant_focus(self, event: Any) -> None:
        """The reader has the screen to itself in a narrow terminal while it has the focus."""
        widget = getattr(event, "widget", None)
        if isinstance(widget, (Reader, ArticleList)):
            self.set_class(isinstance(widget, Reader), "-reading")

    def on_unmount(self) -> None:
        self.flush_position()  # quitting: the reading position is saved

    # -- what the app tells the screen --------------------------------------------------------

    def on_articles_changed(self, message: ArticlesChanged) -> None:
        self.articles_changed(message.article_ids)

    def on_activity(self, message: Activity) -> None:
        self.status.set_activity(message.text)

    def on_session_news(self, message: SessionNews) -> None:
        self.status.set_news(message.text)

    def _report(self, error: WartaError) -> None:
        self.post_message(Failed(error))

    # -- the list and its filter --------------------------------------------------------------

    def reload_list(self, *, keep_cursor: bool = True) -> None:
        """Show the articles the current filter matches (all, newest first, by default)."""
        try:
            listing = self.library.listing(self.filter, self.sort)
        except FilterError as error:  # a search SQLite refuses: show everything instead
            self.notify(f"{error}; showing all articles", severity="warning", markup=False)
            self.filter, self.filter_label, self.highlight_terms = CompiledFilter(), "", ()
            self.sort = self.library.config.sort
            listing = self.library.listing(self.filter, self.sort)
        self.status.set_sort(self.sort)
        self.article_list.set_rows(listing.rowids, keep_cursor=keep_cursor)
        self.status.set_counts(listing.total, listing.unread, self.filter_label)
        self.status.set_marked(len(self.article_list.marked))
        empty = not listing.rowids and self.library.article_count() == 0
        was_empty = self.has_class("-empty")
        self.set_class(empty, "-empty")  # the welcome takes the whole screen
        if empty:
            self.reader.show(welcome())
        elif not listing.rowids:  # the reader must not go on showing an article the filter excludes
            self.reader.show(Text(f"No articles match {self.filter_label or 'this filter'}; "
                                  "press / to change it."))
        elif was_empty:
            self.article_list.focus()

    def update_counts(self) -> None:
        """Counts for the status line, after a change of state."""
        _, unread = self.library.counts(self.filter)
        self.status.set_counts(len(self.article_list.rowids), unread, self.filter_label)

    def apply_filter(self, text: str, *, label: str | None = None) -> FilterError | None:
        """Filter the list by ``text``; on a malformed filter return the error, change nothing."""
        try:
            compiled = self.library.compile(text)
        except FilterError as error:
            return error
        highlight_changed = compiled.search_terms != self.highlight_terms
        if compiled.search_terms and not self.filter.search_terms:
            self.sort = "rank"  # a new search: best match first
        elif not compiled.search_terms and self.sort == "rank":
            self.sort = self.library.config.sort
        self.filter = compiled
        self.filter_label = compiled.text if label is None else label
        self.highlight_terms = compiled.search_terms
        self.reload_list(keep_cursor=False)
        if highlight_changed and self.reader.article_id is not None:
            self.refresh_article(self.reader.article_id)
        return None

    def action_filter_prompt(self) -> None:
        self._remember_focus()
        self.query_one(FilterPrompt).open(self.filter.text)

    def action_add_source(self) -> None:
        self._remember_focus()
        self.query_one(AddPrompt).open("")

    def on_bottom_prompt_submitted(self, message: BottomPrompt.Submitted) -> None:
        if isinstance(message.prompt, FilterPrompt):
            error = self.apply_filter(message.value)
            if error is None:
                self._close_prompt(message.prompt)
            else:
                message.prompt.show_error(Text(f"Not applied: {error}"),
                                          select=_token_span(message.value, error))
        elif isinstance(message.prompt, LinkPrompt):
            self._close_prompt(message.prompt)
            self.open_link(int(message.value) if message.value else 0)
        elif isinstance(message.prompt, PipePrompt):
            self._pipe(message.prompt, message.value)
        elif isinstance(message.prompt, FindPrompt):
            self._close_prompt(message.prompt)  # the find stays: n/N step, Esc ends it
            if not self.reader.finding:
                self.status.set_find("")
        elif isinstance(message.prompt, AddPrompt):
            url = normalise_feed_url(message.value) if message.value.strip() else None
            if url is None:
                message.prompt.show_error(Text("Not an http(s) address"))
                return
            self._close_prompt(message.prompt)
            self.post_message(AddRequested(url))

    def on_bottom_prompt_cancelled(self, message: BottomPrompt.Cancelled) -> None:
        if isinstance(message.prompt, FindPrompt) and self.reader.finding:
            self.reader.end_find()
            self.status.set_find("")
        self._close_prompt(message.prompt)

    # -- find in the article ------------------------------------------------------------------

    def action_find(self) -> None:
        """ctrl+f: find in the article being read (from the list: the one under the cursor,
        which the reader then shows, on its own in a narrow terminal)."""
        if self.reader.article_id is None:
            current = self.article_list.current
            if current is None:
                self.notify("No article to find in", timeout=3)
                return
            self.show_article(current.id)
        self.reader.focus()
        self._focus_before = self.reader  # (the focus moves after this handler)
        prompt = self.query_one(FindPrompt)
        prompt.open(self.reader.find_query)
        prompt.show_count("")

    def on_find_prompt_changed(self, message: FindPrompt.Changed) -> None:
        found = self.reader.find(message.value)
        message.prompt.show_count(found.counter if found.query else "")
        self._show_find(found)

    def on_reader_found(self, message: Reader.Found) -> None:
        self.query_one(FindPrompt).show_count(message.counter if message.query else "")
        self._show_find(message)

    def _show_find(self, found: Reader.Found) -> None:
        self.status.set_find(f"“{sanitize_line(found.query, 40)}” {found.counter}"
                             if found.query else "")

    def _remember_focus(self) -> None:
        focused = self.focused
        self._focus_before = focused if isinstance(focused, (ArticleList, Reader)) else None

    def _close_prompt(self, prompt: BottomPrompt) -> None:
        prompt.close()
        target = self._focus_before or self.article_list
        target.focus()

    def action_saved_filter(self, number: int) -> None:
        filters = list(self.library.filters().items())
        if not 1 <= number <= len(filters):
            self.notify(f"No saved filter {number}: add one under [filters] in the config, "
                              'e.g. unread = "is:unread"', markup=False)
            return
        name, text = filters[number - 1]
        error = self.apply_filter(text, label=f"{name} ({text})" if text else "")
        if error is not None:
            self.notify(f"Saved filter {name!r}: {error}", severity="error", markup=False)

    def action_cycle_sort(self) -> None:
        self.sort = next_sort(self.sort, searching=bool(self.filter.search_terms))
        self.reload_list(keep_cursor=True)

    def action_feeds(self) -> None:
        errors = {failure.url: failure.message for failure in getattr(self.app, "last_errors", ())}
        unsubscribe: Callable[[str], bool] = getattr(self.app, "unsubscribe")  # WartaApp.unsubscribe
        self.app.push_screen(FeedsScreen(self.library, unsubscribe=unsubscribe, errors=errors),
                             self._feed_chosen)

    def _feed_chosen(self, choice: FeedChoice | None) -> None:
        if choice is None:
            self.reload_list()  # counts may have changed (unsubscribe, refresh)
            return
        error = self.apply_filter(choice.text, label=choice.label)
        if error is not None:
            self.notify(f"Cannot filter by that: {error}", severity="error", markup=False)

    def action_pick_tags(self) -> None:
        selected = [t.value for t in self._filter_terms() if _is_tag_term(t)]
        self.app.push_screen(TagPicker(self.library.tag_counts(), selected), self._tags_picked)

    def _tags_picked(self, tags: list[str] | None) -> None:
        if tags is None:
            return
        kept = [text for term, text in zip(self._filter_terms(), self._filter_texts())
                if not _is_tag_term(term)]
        chosen = ["+" + (tag if re.fullmatch(r"[\w.-]+", tag) else f'"{tag}"')
                  for tag in tags if '"' not in tag]
        error = self.apply_filter(" ".join([*chosen, *kept]))
        if error is not None:
            self.notify(f"Cannot filter by that tag: {error}", severity="error", markup=False)

    def _filter_terms(self) -> list[Term]:
        try:
            return parse_filter(self.filter.text)
        except FilterError:
            return []

    def _filter_texts(self) -> list[str]:
        """The text of each term of the current filter, as typed."""
        terms = self._filter_terms()
        text = self.filter.text
        ends = [term.position for term in terms[1:]] + [len(text)]
        return [text[term.position:end].strip() for term, end in zip(terms, ends)]

    # -- list -> reader -----------------------------------------------------------------------

    def on_article_list_highlighted(self, message: ArticleList.Highlighted) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()
        if message.article_id is not None:
            article_id = message.article_id
            self._preview_timer = self.set_timer(_PREVIEW_DELAY, lambda: self.show_article(article_id))

    def on_article_list_opened(self, message: ArticleList.Opened) -> None:
        self.open_article(message.article_id)

    def open_article(self, article_id: str) -> None:
        """Show the article, mark it read, and move the focus to the reader."""
        self.show_article(article_id)
        if not self.library.state(article_id).read:
            self.set_state(article_id, read=True)
        self.reader.focus()

    def show_article(self, article_id: str) -> None:
        if self.reader.article_id == article_id:
            return
        self.flush_position()
        record = self.library.article(article_id)
        if record is None:
            self.reader.show(Text("This article is no longer in the cache."))
            return
        state = self.library.state(article_id)
        self.reader.show(self.render_record(record, state), article_id=article_id, line=state.position)
        self._pictures_asked = {}
        self.want_pictures(record)

    def render_record(self, record: ArticleRecord, state: ArticleState) -> list[Any]:
        """The reader's content. A site's furniture not yet known is worked out on a thread
        (it reads that site's newest articles: 10-16 ms at 100k) and the reader redrawn."""
        furniture = self.furniture.known(record.site)
        if furniture is None and record.article is not None:
            self._learn_furniture(record.site, record.id)
        return render.reader_parts(record, state,
                                   blocks=self.furniture.blocks(record, furniture or set()),
                                   highlight=self.highlight_terms, styles=self.reader.article_styles(),
                                   pictures=self.pictures_of(record))

    # -- pictures -----------------------------------------------------------------------------

    def pictures_of(self, record: ArticleRecord) -> tuple[ImageRef, ...]:
        """The pictures the reader shows for ``record``: none where the mode or the terminal
        says text (the ``[image: …]`` lines stay either way)."""
        refs = article_images(record.article)
        if not refs:
            return ()
        return refs if self.drawing(record, scrolls=True) != "text" else ()

    def drawing(self, record: ArticleRecord, *, scrolls: bool) -> Drawing:
        """How ``record``'s pictures are drawn here: its mode and what the terminal answered."""
        return drawing_for(self.library.image_mode(record), self.app.console.color_system,
                           getattr(self.app, "terminal", None), scrolls=scrolls)

    def want_pictures(self, record: ArticleRecord) -> None:
        """Ask the app for the pictures not painted or asked for yet, once the text is on
        screen: the request goes out after the next frame, so it never delays that frame."""
        asked = self._pictures_asked.get(record.id, set()) | set(self.reader.picture_keys)
        refs = [ref for ref in self.pictures_of(record) if ref.url not in asked]
        if not refs:
            return
        self._pictures_asked = {record.id: asked | {ref.url for ref in refs}}
        self.call_after_refresh(self._ask_pictures, record.id, refs, record.feeds,
                                self.drawing(record, scrolls=True))

    def _ask_pictures(self, article_id: str, refs: list[ImageRef], feeds: tuple[str, ...],
                      drawing: Drawing) -> None:
        if self.reader.article_id != article_id:
            return  # another article is shown by now
        self._picture_size = cols, rows = self._preview_size()
        self.post_message(PicturesWanted(article_id, refs, cols, rows, _background(self.reader),
                                         reply_to=self, feeds=feeds, drawing=drawing))

    def _preview_size(self) -> tuple[int, int]:
        """Cells a preview may take: the reading width, a few rows of the reader's height."""
        region = self.reader.scrollable_content_region
        return max(8, min(region.width, READING_WIDTH)), preview_rows(region.height)

    def on_resize(self) -> None:
        """Pictures scaled for another size are asked for again at this one (from the cache)."""
        self._rescale_pictures()

    def _rescale_pictures(self) -> None:
        if self._picture_size is None or self._preview_size() == self._picture_size:
            return
        self._picture_size = None
        article_id = self.reader.article_id
        record = self.library.article(article_id) if article_id else None
        if record is not None:
            self.reader.forget_pictures()
            self._pictures_asked = {}
            self.want_pictures(record)

    def on_reader_resized(self, _message: Reader.Resized) -> None:
        """The reader alone can change size (below 100 columns Enter gives it the whole screen):
        its pictures are fitted to it again."""
        self._rescale_pictures()

    def on_pictures_loaded(self, message: PicturesLoaded) -> None:
        if message.article_id == self.reader.article_id and message.shown:
            self.reader.set_pictures(message.shown)

    def action_open_picture(self) -> None:
        article_id = self.reader.article_id
        record = self.library.article(article_id) if article_id else None
        painted = self.reader.picture_keys
        if record is None or not painted:
            self.notify("No picture to show here", markup=False)
            return
        alts = {ref.url: ref.caption or ref.alt for ref in self.pictures_of(record)}
        pictures = [Picture(url, alts.get(url, "")) for url in painted]
        shown = self.reader.picture_in_view() or painted[0]
        self.app.push_screen(PictureScreen(pictures, painted.index(shown), record.id, record.feeds,
                                           drawing=self.drawing(record, scrolls=False)))

    @work(thread=True, group="furniture", exit_on_error=False)
    def _learn_furniture(self, site: str, article_id: str) -> None:
        if self.furniture.for_site(site):
            self.app.call_from_thread(self.refresh_article, article_id)

    def articles_changed(self, article_ids: set[str] | None) -> None:
        """New or updated articles (None: unknown which, written by another process): re-run
        the filter in place and redraw what shows them."""
        if article_ids is None:
            self.furniture.forget_all()
        else:  # one query for all their sites (a sync brings hundreds at a time)
            self.furniture.forget(self.library.sites_of(list(article_ids)))
        self.reload_list(keep_cursor=True)
        shown = self.reader.article_id
        if shown is not None and (article_ids is None or shown in article_ids):
            self.refresh_article(shown)

    def refresh_article(self, article_id: str) -> None:
        """Redraw the reader if it shows ``article_id`` (its record or state changed)."""
        if self.reader.article_id == article_id:
            line = self.reader.text_line
            self.reader.article_id = None
            record = self.library.article(article_id)
            if record is not None:
                state = self.library.state(article_id)
                self.reader.show(self.render_record(record, state), article_id=article_id, line=line)
                self.want_pictures(record)

    # -- reading position ---------------------------------------------------------------------

    def on_reader_scrolled(self, message: Reader.Scrolled) -> None:
        article_id = self.reader.article_id
        if article_id is None:
            return
        self._pending_position = (article_id, message.line)
        if self._position_timer is not None:
            self._position_timer.stop()
        self._position_timer = self.set_timer(_POSITION_DELAY, self.flush_position)

    def flush_position(self) -> None:
        """Save the reading position now if it changed (leaving the article, quitting)."""
        if self._position_timer is not None:
            self._position_timer.stop()
            self._position_timer = None
        pending, self._pending_position = self._pending_position, None
        if pending is None:
            return
        article_id, line = pending
        if self.library.state(article_id).position != line:
            self.set_state(article_id, position=line)

    # -- the current article ------------------------------------------------------------------

    def current_article_id(self) -> str | None:
        """The article being read (reader focused), else the one under the list cursor."""
        if self.reader.has_focus and self.reader.article_id is not None:
            return self.reader.article_id
        current = self.article_list.current
        return current.id if current is not None else None

    def _current_record(self) -> ArticleRecord | None:
        article_id = self.current_article_id()
        record = self.library.article(article_id) if article_id else None
        if record is None:
            self.notify("No article selected", severity="warning")
        return record

    def action_step(self, direction: int, unread_only: bool) -> None:
        """Open the next (1) or previous (-1) article in the list, optionally unread only."""
        article_list = self.article_list
        rowids = article_list.rowids
        position = article_list.cursor + direction
        while 0 <= position < len(rowids):
            if direction > 0:
                window = [rowids[i] for i in range(position, min(len(rowids), position + _STEP_WINDOW))]
            else:
                window = [rowids[i] for i in range(position, max(-1, position - _STEP_WINDOW), -1)]
            for summary in self.library.summaries(window):
                if not (unread_only and summary.read):
                    found = article_list.position_of(summary.id)
                    if found is not None:
                        article_list.cursor = found
                        self.open_article(summary.id)
                        return
            position += direction * len(window)
        what = "unread article" if unread_only else "article"
        self.notify(f"No {'next' if direction > 0 else 'previous'} {what}", timeout=2)

    # -- changing state -----------------------------------------------------------------------

    def set_state(self, article_id: str, **changes: Any) -> StateChange | None:
        """Change the article's state through the library, then repaint what changed."""
        return self.change_articles([article_id], _describe(changes, 1), **changes)

    def change_articles(self, ids: list[str], label: str, *, where: CompiledFilter | None = None,
                        **changes: Any) -> StateChange | None:
        """One user action on ``ids``: saved through the library, repainted, undoable."""
        change = self._save(ids, where=where, **changes)
        if change is not None:
            self.undo_stack.push(label, [change])
        return change

    def _save(self, ids: list[str], *, where: CompiledFilter | None = None,
              **changes: Any) -> StateChange | None:
        """``where``: the filter a mark-all-read covered (one bulk call for a sync server)."""
        try:
            change = (self.library.change(ids, **changes) if where is None
                      else self.library.mark_all_read(ids, where))
        except WartaError as error:
            self._report(error)
            return None
        self._saved(change)
        return change

    def _saved(self, change: StateChange) -> None:
        if change.queued:
            self.post_message(ChangesQueued())
        elif change.flushed:
            self.post_message(QueueFlushed(change.flushed))
        self.show_change(change)

    def show_change(self, change: StateChange) -> None:
        """Repaint what ``change`` changed: its list rows and the counts; the reader only if it
        shows the article and a field it draws (tags, star) changed."""
        drawn = change.fields_changed() - {"position"}
        if not drawn:
            return  # nothing on screen shows it
        if len(change.changed_ids) > _REPAINT_ALL:
            self.article_list.forget()
            self.update_counts()
        else:
            rowids = [r for r in map(self.library.rowid_of, change.changed_ids) if r is not None]
            if rowids:
                self.article_list.forget(rowids)
                self.update_counts()
        shown = self.reader.article_id
        if shown in change.changed_ids and change.fields_changed(shown) & render.READER_FIELDS:
            self.refresh_article(shown)

    def action_toggle_read(self) -> None:
        marked = self.marked_ids()
        if marked:  # all read, unless all already are: then all unread
            read = not all(self.library.state(i).read for i in marked)
            self.change_articles(marked, _describe({"read": read}, len(marked)), read=read)
            return
        article_id = self.current_article_id()
        if article_id is not None:
            self.set_state(article_id, read=not self.library.state(article_id).read)

    def action_toggle_star(self) -> None:
        marked = self.marked_ids()
        if marked:
            starred = not all(self.library.state(i).starred for i in marked)
            self.change_articles(marked, _describe({"starred": starred}, len(marked)),
                                 starred=starred)
            return
        article_id = self.current_article_id()
        if article_id is not None:
            self.set_state(article_id, starred=not self.library.state(article_id).starred)

    # -- undo, mark all read, bulk marks ------------------------------------------------------

    def action_undo(self) -> None:
        try:
            undone = self.undo_stack.undo()
        except WartaError as error:
            self._report(error)
            return
        if undone is None:
            self.notify("Nothing to undo", timeout=2)
            return
        for change in undone.changes:
            self._saved(change)
        if undone.feed is not None:
            self.post_message(Resubscribed(undone.feed))
        self.notify(f"Undone: {undone.label}", markup=False, timeout=3)

    def scope_text(self) -> str:
        """What the list shows, in words: "in feed:Ars" or "" for everything."""
        return f" in {sanitize_line(self.filter_label, 80)}" if self.filter_label else ""

    def action_mark_all_read(self) -> None:
        ids = self.library.ids_of(self.article_list.rowids, unread_only=True)
        if not ids:
            self.notify(f"No unread articles{self.scope_text()}", markup=False, timeout=3)
            return
        noun = "article" if len(ids) == 1 else "articles"
        label = f"mark {len(ids):,} {noun}{self.scope_text()} read"

        def answered(yes: bool | None) -> None:
            if yes:
                self.change_articles(ids, label, where=self.filter)

        self.app.push_screen(Ask(f"Mark {len(ids):,} {noun}{self.scope_text()} read?"), answered)

    def action_mark_read_side(self, direction: int) -> None:
        """Mark read the unread articles above (-1) or below (1) the cursor, not the one on it."""
        rowids = self.article_list.rowids
        cursor = self.article_list.cursor
        side = rowids[:cursor] if direction < 0 else rowids[cursor + 1:]
        ids = self.library.ids_of(side, unread_only=True)
        where = "above" if direction < 0 else "below"
        if not ids:
            self.notify(f"No unread articles {where} the cursor", timeout=3)
            return
        noun = "article" if len(ids) == 1 else "articles"
        self.change_articles(ids, f"mark {len(ids):,} {noun} {where} read", read=True)
        self.notify(f"Marked {len(ids):,} {noun} {where} the cursor read (u undoes)",
                    markup=False, timeout=3)

    def marked_ids(self) -> list[str]:
        """The articles marked with v, in list order."""
        article_list = self.article_list
        marked = [rowid for rowid in article_list.rowids if rowid in article_list.marked]
        return self.library.ids_of(marked)

    def action_toggle_mark(self) -> None:
        article_list = self.article_list
        rowid = article_list.current_rowid
        if rowid is None:
            return
        article_list.toggle_mark(rowid)
        self.status.set_marked(len(article_list.marked))
        article_list.cursor += 1

    def action_clear_marks(self) -> None:
        self.article_list.clear_marks()
        self.status.set_marked(0)

    def action_refresh_feed(self) -> None:
        article_id = self.current_article_id()
        feeds = self.library.feeds_of(article_id) if article_id else []
        if not feeds:
            self.notify("This article did not come from a feed you follow", markup=False)
            return
        self.post_message(RefreshRequested(feeds))

    def action_edit_tags(self) -> None:
        marked = self.marked_ids()
        if marked:
            self._edit_marked_tags(marked)
            return
        record = self._current_record()
        if record is None:
            return
        article_id = record.id

        def save(tags: tuple[str, ...] | None) -> None:
            if tags is not None:
                self.set_state(article_id, tags=tags)

        self.app.push_screen(TagEditor(record.title, self.library.state(article_id).tags), save)

    def _edit_marked_tags(self, ids: list[str]) -> None:
        """Edit the tags the marked articles share: added ones go on all, removed ones off all;
        other tags of each article stay."""
        states = {i: self.library.state(i) for i in ids}
        common = tuple(t for t in states[ids[0]].tags if all(t in s.tags for s in states.values()))

        def save(tags: tuple[str, ...] | None) -> None:
            if tags is None:
                return
            removed = set(common) - set(tags)
            groups: dict[tuple[str, ...], list[str]] = {}
            for article_id, state in states.items():
                kept = tuple(t for t in state.tags if t not in removed)
                new = kept + tuple(t for t in tags if t not in kept)
                groups.setdefault(new, []).append(article_id)
            changes = [c for new, group in groups.items()
                       if (c := self._save(group, tags=new)) is not None]
            self.undo_stack.push(f"edit tags of {len(ids):,} articles", changes)

        self.app.push_screen(TagEditor(f"{len(ids):,} marked articles", common), save)

    def action_open_browser(self) -> None:
        record = self._current_record()
        if record is not None:
            self._open(record.url, "the article")

    def action_copy_url(self) -> None:
        record = self._current_record()
        if record is not None:
            self.app.copy_to_clipboard(record.url)
            self.notify(f"Copied {sanitize_line(record.url, 200)}", markup=False, timeout=3)

    def action_export(self) -> None:
        marked = self.marked_ids()
        if marked:
            self._export_marked(marked)
            return
        record = self._current_record()
        if record is None:
            return
        try:
            path = export_article(record, self.library.state(record.id), self.export_dir)
        except OSError as error:
            self.notify(f"Export failed: {error.strerror or error}", severity="error",
                              markup=False)
            return
        self.notify(f"Saved as {path}", markup=False, timeout=6)

    def _export_marked(self, ids: list[str]) -> None:
        saved = 0
        for article_id in ids:
            record = self.library.article(article_id)
            if record is None:
                continue
            try:
                export_article(record, self.library.state(article_id), self.export_dir)
            except OSError as error:
                self.notify(f"Export failed after {saved}: {error.strerror or error}",
                            severity="error", markup=False)
                return
            saved += 1
        self.notify(f"Saved {saved} articles as Markdown in {self.export_dir}", markup=False,
                    timeout=6)

    def action_follow_link(self) -> None:
        record = self._current_record()
        if record is None:
            return
        links = record.article.links if record.article else ()
        if not links:
            self.notify("This article has no links", timeout=3)
            return
        self._link_article_id = record.id
        self._remember_focus()
        self.query_one(LinkPrompt).open_for(len(links))

    def action_pipe(self) -> None:
        record = self._current_record()
        if record is not None:
            self._pipe_article_id = record.id
            self._remember_focus()
            self.query_one(PipePrompt).open_with(self._pipe_command, list(self.library.config.pipe.commands))

    def _pipe(self, prompt: PipePrompt, command: str) -> None:
        """Start ``command`` on the article in the output screen; a bad command keeps the prompt."""
        pipe = self.library.config.pipe
        try:
            argv = command_argv(command, pipe.commands)
        except PipeError as error:
            prompt.show_error(Text(str(error)))
            return
        self._close_prompt(prompt)
        record = self.library.article(self._pipe_article_id) if self._pipe_article_id else None
        if record is None:
            self.notify("This article is no longer in the cache", severity="warning")
            return
        self._pipe_command = command
        markdown = article_markdown(record, self.library.state(record.id))
        self.app.push_screen(PipeOutput(argv, markdown, title=command, timeout=pipe.timeout,
                                        max_output=int(pipe.max_output_kb * 1024)))

    def open_link(self, number: int) -> None:
        record = self.library.article(self._link_article_id) if self._link_article_id else None
        links = record.article.links if record and record.article else ()
        if not 1 <= number <= len(links):
            self.notify(f"No link {number}: this article has links 1–{len(links)}",
                              severity="warning", timeout=3)
            return
        self._open(links[number - 1], f"link {number}", _link_text(record, number) if record else "")

    def _open(self, url: str, what: str, text: str = "") -> None:
        """Open ``url``; first ask when its text or its letters may hide where it goes."""
        warning = link_warning(url, text) if is_http_url(url) else None
        if warning is None:
            self._launch(url, what)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._launch(url, what)
            else:
                self.notify(f"Not opened: {warning}", markup=False, timeout=5)

        self.app.push_screen(ConfirmOpen(url, warning), answered)

    def _launch(self, url: str, what: str) -> None:
        try:
            ended = launch(self.app, url, self.library.config, self.opener)
        except WartaError as error:
            self._report(error)
            return
        self.notify(ended or f"Opening {what}: {display_url(url)}", markup=False, timeout=3)

    # -- panes and scrolling ------------------------------------------------------------------

    def action_switch_pane(self) -> None:
        if self.article_list.has_focus:
            self.reader.focus()
        else:
            self.action_focus_list()

    def action_focus_list(self) -> None:
        self.flush_position()
        self.article_list.focus()

    def action_reader_page_down(self) -> None:
        self.reader.page_down()

    def action_reader_page_up(self) -> None:
        self.reader.page_up()

    def action_reader_half_down(self) -> None:
        self.reader.action_half_page_down()

    def action_reader_half_up(self) -> None:
        self.reader.action_half_page_up()


def _describe(changes: dict[str, Any], count: int) -> str:
    """An undo label: "mark 3 articles read", "star the article"."""
    what = "the article" if count == 1 else f"{count:,} articles"
    if "read" in changes:
        return f"mark {what} {'read' if changes['read'] else 'unread'}"
    if "starred" in changes:
        return f"{'star' if changes['starred'] else 'unstar'} {what}"
    if "tags" in changes:
        return f"edit tags of {what}"
    return f"change {what}"


def _background(widget: Any) -> tuple[int, int, int]:
    """The colour transparent parts of a picture are laid on: the reader's own background."""
    colour = widget.styles.background
    return (colour.r, colour.g, colour.b) if colour.a else (0, 0, 0)


def _link_text(record: ArticleRecord, number: int) -> str:
    """The words link ``number`` sits on in the article (what the reader shows before [n])."""
    for block in record.article.blocks if record.article else ():
        for start, end, link in block.links:
            if link == number:
                return block.text[start:end]
    return ""


def _is_tag_term(term: Term) -> bool:
    """``+tag`` or ``tag:name``: what the tag picker adds and replaces."""
    return (term.sign == "+" and term.key in ("", "tag")) or (term.sign == "" and term.key == "tag")


def _token_span(text: str, error: FilterError) -> tuple[int, int]:
    """Where the bad token of ``error`` is in ``text`` (to select it in the prompt)."""
    start = text.find(error.token, error.position) if error.token else -1
    if start < 0:
        return error.position, error.position + 1
    return start, start + len(error.token)
