"""The two-pane reader driven like a user would: keys in, screen out."""

from __future__ import annotations

from tui.app.app import WartaApp

from tui.core.library import Library
from tui.app.widgets.article_list import ArticleList
from tui.app.widgets.reader import Reader
from tui.core.config import Config
from tui.core.store import Store

from .conftest import SEED_TITLE


def list_titles(app: WartaApp) -> list[str]:
    widget = app.screen.query_one(ArticleList)
    return [s.title for s in (widget.summary_at(i) for i in range(len(widget.rowids))) if s]


def reader_text(app: WartaApp) -> str:
    return "\n".join(app.screen.query_one(Reader).text_lines)


async def test_demo_list_shows_the_seed_title(app: WartaApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert SEED_TITLE in list_titles(app)
        status = str(app.screen.query_one("#status").render())
        count = len(list_titles(app))
        assert f"{count} articles" in status


async def test_moving_and_enter_show_text_and_metadata(app: WartaApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        position = list_titles(app).index(SEED_TITLE)
        for _ in range(position):
            await pilot.press("j")
        await pilot.press("enter")
        await pilot.pause()
        text = reader_text(app)
        assert SEED_TITLE in text
        assert "Warta Ekonomi" in text
        assert "Muhammad Syahrianto" in text
        assert "Sekelompok spesialis militer Rusia" in text
        assert app.focused is app.screen.query_one(Reader)
        seed = app.screen.query_one(ArticleList).summary_at(position)
        assert seed is not None and app.library.state(seed.id).read


async def test_arrows_move_and_tab_switches_pane(app: WartaApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        article_list = app.screen.query_one(ArticleList)
        await pilot.press("down", "down", "up")
        assert article_list.cursor == 1
        await pilot.press("tab")
        assert app.focused is app.screen.query_one(Reader)
        await pilot.press("tab")
        assert app.focused is article_list


async def test_space_and_b_scroll_the_reader(app: WartaApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        reader = app.screen.query_one(Reader)
        await pilot.pause()
        assert reader.virtual_size.height > reader.size.height
        await pilot.press("space")
        await pilot.pause()
        assert reader.scroll_y > 0
        await pilot.press("b")
        await pilot.pause()
        assert reader.scroll_y == 0


async def test_q_quits(app: WartaApp) -> None:
    async with app.run_test() as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


def footer_text(app: WartaApp) -> str:
    from textual.widgets import Footer

    footer = app.screen.query_one(Footer)
    return " ".join(str(key.render()) for key in footer.children)


async def open_in_reader(pilot, app: WartaApp) -> None:  # noqa: ANN001
    await pilot.press("enter")
    await pilot.pause()
    assert app.screen.query_one(Reader).has_focus


async def test_q_in_the_reader_goes_back_to_the_list_and_q_there_quits(app: WartaApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await open_in_reader(pilot, app)
        assert "q List" in footer_text(app)
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running
        assert app.screen.query_one(ArticleList).has_focus
        assert "q Quit" in footer_text(app)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_capital_q_quits_from_the_reader(app: WartaApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await open_in_reader(pilot, app)
        await pilot.press("Q")
        await pilot.pause()
        assert not app.is_running


async def test_markup_in_titles_is_shown_literally(store: Store) -> None:
    from ..conftest import make_record

    store.put_articles([make_record(1, title="[@click=app.quit]Click me[/] [bold]x[/bold] [link=http://e]")])
    app = WartaApp(Library(store, Config()))
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.click(ArticleList, offset=(5, 0))
        await pilot.press("enter")
        await pilot.pause()
        assert app.is_running
        assert "[@click=app.quit]Click me[/]" in reader_text(app)


async def test_empty_data_dir_shows_welcome(store: Store) -> None:
    app = WartaApp(Library(store, Config()))
    async with app.run_test() as pilot:
        await pilot.pause()
        text = reader_text(app)
        assert "No articles yet" in text or "no articles yet" in text
        assert "warta add" in text


async def test_narrow_layout_gives_list_and_reader_the_whole_screen(app: WartaApp) -> None:
    """Below 100 columns, like newsboat: the list alone; Enter shows the reader alone; Esc back."""
    for size in ((80, 24), (60, 20)):
        async with WartaApp(Library(app.library._store, Config())).run_test(size=size) as pilot:
            await pilot.pause()
            screen = pilot.app.screen
            article_list, reader = screen.query_one(ArticleList), screen.query_one(Reader)
            assert article_list.region.width == size[0] and article_list.region.height >= size[1] - 3
            assert reader.region.area == 0
            await pilot.press("enter")
            await pilot.pause()
            assert reader.region.width == size[0] and article_list.region.area == 0
            assert reader.article_id is not None
            await pilot.press("escape")
            await pilot.pause()
            assert article_list.region.width == size[0] and reader.region.area == 0
    async with WartaApp(Library(app.library._store, Config())).run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        screen = pilot.app.screen
        assert screen.query_one(Reader).region.x > screen.query_one(ArticleList).region.x


async def test_site_furniture_leaves_the_reader_once_known(store: Store) -> None:
    """A paragraph repeated across 3 articles of a site is dropped on display, not in the store."""
    from dataclasses import replace

    from tui.core.models import Block

    from ..conftest import make_record

    footer = "The Lantern is owned by its readers and has reported from Port Talbot since 1911."
    records = []
    for n in range(3):
        record = make_record(n, site="lantern.example")
        assert record.article is not None
        article = replace(record.article, blocks=(*record.article.blocks, Block("paragraph", footer)))
        records.append(record.with_changes(article=article))
    store.put_articles(records)
    app = WartaApp(Library(store, Config()))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        for _ in range(40):
            await pilot.pause(0.05)
            if footer not in reader_text(app):
                break
        assert footer not in reader_text(app)
        assert "Paragraph about topic 2" in reader_text(app)
    assert footer in store.get_article(records[0].id).article.text  # type: ignore[union-attr]
