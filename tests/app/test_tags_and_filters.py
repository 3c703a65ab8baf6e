"""Tags (picker, editor) and the / filter prompt: good input filters, bad input changes nothing."""

from __future__ import annotations

from rich.style import Style
from textual.widgets import Input, SelectionList

from tui.app.app import WartaApp
from tui.app.screens.tag_editor import TagEditor, parse_tags
from tui.app.screens.tag_picker import TagPicker
from tui.app.widgets.prompt import FilterPrompt
from tui.app.render import STYLE_HIGHLIGHT
from tui.core.store import Store

from .conftest import link_record, make_app
from .helpers import article_list, current_id, notifications, plain, reader, status_text

SIZE = (100, 30)


def tagged_store(store: Store) -> Store:
    store.put_articles([
        link_record(1, 1, tags=("climate", "news"), page_tags=("kelp",)),
        link_record(2, 1, tags=("climate",)),
        link_record(3, 1, tags=("sport",)),
    ])
    return store


async def test_tag_picker_lists_tags_with_counts(store: Store) -> None:
    app = make_app(tagged_store(store))
    async with app.run_test(size=SIZE) as pilot:
        ids = [s.id for s in store.summaries(store.rowids())]
        app.main.set_state(ids[1], read=True)
        await pilot.press("t")
        assert isinstance(app.screen, TagPicker)
        options = app.screen.query_one(SelectionList)
        rows = {str(options.get_option_at_index(i).value):
                plain(options.get_option_at_index(i).prompt) for i in range(options.option_count)}
        assert set(rows) == {"climate", "news", "kelp", "sport"}
        assert "1 unread" in rows["climate"] and "2 total" in rows["climate"]
        assert "page" in rows["kelp"] and "feed" in rows["sport"]


async def test_choosing_one_tag_filters(store: Store) -> None:
    app = make_app(tagged_store(store))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        options = app.screen.query_one(SelectionList)
        sport = next(i for i in range(options.option_count)
                     if options.get_option_at_index(i).value == "sport")
        options.highlighted = sport
        await pilot.press("enter")
        assert not isinstance(app.screen, TagPicker)
        assert len(article_list(app).rowids) == 1
        assert "filter: +sport" in status_text(app)


async def test_several_tags_combine(store: Store) -> None:
    app = make_app(tagged_store(store))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        options = app.screen.query_one(SelectionList)
        options.select("climate")
        options.select("news")
        await pilot.press("enter")
        assert len(article_list(app).rowids) == 1
        assert "+climate +news" in status_text(app)
        await pilot.press("t")  # reopens with both chosen; unchoosing one widens the filter
        options = app.screen.query_one(SelectionList)
        assert set(options.selected) == {"climate", "news"}
        options.deselect("news")
        await pilot.press("enter")
        assert len(article_list(app).rowids) == 2


async def test_tag_picker_escape_changes_nothing(store: Store) -> None:
    app = make_app(tagged_store(store))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t", "escape")
        assert not isinstance(app.screen, TagPicker)
        assert len(article_list(app).rowids) == 3


async def test_T_edits_user_tags(store: Store) -> None:
    app = make_app(tagged_store(store))
    async with app.run_test(size=SIZE) as pilot:
        article = current_id(app)
        await pilot.press("T")
        assert isinstance(app.screen, TagEditor)
        app.screen.query_one(Input).value = "later, #Deep dive,later"
        await pilot.press("enter")
        assert app.library.state(article).tags == ("later", "Deep", "dive")
        assert "later" in article_list(app).current.user_tags  # type: ignore[union-attr]
        await pilot.press("t")
        options = app.screen.query_one(SelectionList)
        assert "later" in [options.get_option_at_index(i).value for i in range(options.option_count)]


def test_parse_tags() -> None:
    assert parse_tags(" a,b  c ,, #d +e A") == ("a", "b", "c", "d", "e")
    assert parse_tags("") == ()
    assert parse_tags("x\x1b[2Jy") == ("xy",)


async def test_filter_prompt_applies_and_shows_count(app: WartaApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        prompt = app.main.query_one(FilterPrompt)
        assert prompt.is_open
        await pilot.press(*"+climate")
        await pilot.press("enter")
        assert not prompt.is_open
        count = len(article_list(app).rowids)
        assert 0 < count < app.library.article_count()
        assert f"{count} articles" in status_text(app) and "filter: +climate" in status_text(app)
        assert app.focused is article_list(app)


async def test_bad_filter_points_at_the_token_and_keeps_the_old_one(app: WartaApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"is:unread", "enter")
        before = list(article_list(app).rowids)
        await pilot.press("slash")
        prompt = app.main.query_one(FilterPrompt)
        prompt.input.value = "kelp bogus:x"
        await pilot.press("enter")
        assert prompt.is_open and prompt.has_class("-error")
        error = str(prompt.query_one(".prompt--error").render())
        assert "bogus:" in error and "column 6" in error and "\n" not in error.strip()
        assert prompt.input.selected_text == "bogus:"
        assert article_list(app).rowids == before
        assert "filter: is:unread" in status_text(app)
        await pilot.press("escape")
        assert not prompt.is_open
        assert "filter: is:unread" in status_text(app)


async def test_empty_filter_clears(app: WartaApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"+sport", "enter")
        assert len(article_list(app).rowids) < app.library.article_count()
        await pilot.press("slash", "ctrl+u", "enter")  # ctrl+u: delete to the start of the line
        assert len(article_list(app).rowids) == app.library.article_count()
        assert "filter" not in status_text(app)


async def test_search_words_are_highlighted_in_the_reader(store: Store) -> None:
    app = make_app(tagged_store(store))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"mentions", "enter", "enter")
        await pilot.pause()
        highlight = Style.parse(STYLE_HIGHLIGHT)
        marked = [segment.text for strip in reader(app)._lines for segment in strip
                  if segment.style and segment.style.bgcolor == highlight.bgcolor]
        assert marked and all(text.lower() == "mentions" for text in marked)


async def test_filter_prompt_escape_restores_focus(app: WartaApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "slash", "x", "escape")
        assert app.focused is reader(app)
        assert not notifications(app) or "filter" not in status_text(app)
