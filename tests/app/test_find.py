"""Find in the article (ctrl+f) through the real app: the count, the highlights, n/N, Esc, the
narrow layout, CJK and text that looks like markup."""

from __future__ import annotations

from dataclasses import replace

from textual.message import Message

from tui.app.app import WartaApp
from tui.app.widgets.prompt import FindPrompt
from tui.app.widgets.reader import Reader
from tui.core.models import Article, Block
from tui.core.store import Store

from .conftest import link_record, make_app
from .helpers import reader, status_text


def lit(app: WartaApp) -> list[tuple[str, bool]]:
    """The highlighted pieces of text the reader draws now, with whether each is the current."""
    view = reader(app)
    match = view.get_component_rich_style("reader--match")
    current = view.get_component_rich_style("reader--match-current")
    pieces = []
    for y in range(view.scrollable_content_region.height):
        for segment in view.render_line(y):
            style = segment.style
            if style is not None and style.bgcolor in (match.bgcolor, current.bgcolor) \
                    and segment.text.strip():
                pieces.append((segment.text, style.bgcolor == current.bgcolor))
    return pieces


def counter(app: WartaApp) -> str:
    return str(app.main.query_one(FindPrompt).query_one(".find--count").render())


async def open_first(pilot, app: WartaApp) -> None:  # noqa: ANN001
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


async def test_find_counts_lights_and_steps_through_matches(store: Store) -> None:
    store.put_articles([link_record(1, 3)])
    app = make_app(store)
    found: list[Message] = []
    async with app.run_test(size=(120, 30), message_hook=found.append) as pilot:
        await open_first(pilot, app)
        await pilot.press("ctrl+f", *"PARAGRAPH")
        await pilot.pause()
        assert counter(app) == "1/40"
        assert "find “PARAGRAPH” 1/40" in status_text(app)
        pieces = lit(app)
        assert ("Paragraph", True) in pieces and ("Paragraph", False) in pieces
        await pilot.press("enter")  # the prompt closes, the find stays
        await pilot.pause()
        assert app.focused is reader(app)
        await pilot.press("n", "n")
        await pilot.pause()
        assert "1/40" not in status_text(app) and "3/40" in status_text(app)
        await pilot.press("N", "N", "N")  # round the top to the last match
        await pilot.pause()
        assert "40/40" in status_text(app)
        view = reader(app)
        line = next(n for n, text in enumerate(view.text_lines) if text.startswith("Paragraph 40"))
        assert view.scroll_y <= line < view.scroll_y + view.scrollable_content_region.height
        assert ("Paragraph", True) in lit(app)
        posted = {id(m): m for m in found if isinstance(m, Reader.Found)}  # seen as it bubbles
        counts = [(m.current, m.count) for m in posted.values()]
        assert counts[-4:] == [(3, 40), (2, 40), (1, 40), (40, 40)]
        await pilot.press("escape")  # ends the find, stays in the reader
        await pilot.pause()
        assert "find" not in status_text(app) and lit(app) == []
        assert app.focused is reader(app)
        await pilot.press("escape")  # now Esc goes back to the list as before
        assert app.focused is not reader(app)


async def test_without_a_find_n_is_the_next_unread_article(store: Store) -> None:
    store.put_articles([link_record(1, 3), link_record(2, 3)])
    app = make_app(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_first(pilot, app)
        first = reader(app).article_id
        await pilot.press("n")
        await pilot.pause()
        assert reader(app).article_id not in (None, first)


async def test_no_match_and_esc_in_the_prompt_ends_the_find(store: Store) -> None:
    store.put_articles([link_record(1, 3)])
    app = make_app(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_first(pilot, app)
        await pilot.press("ctrl+f", *"zeppelin")
        await pilot.pause()
        assert counter(app) == "no match"
        await pilot.press("escape")
        await pilot.pause()
        assert not reader(app).finding and "find" not in status_text(app)
        assert app.focused is reader(app)


async def test_find_in_a_narrow_terminal_from_the_list(store: Store) -> None:
    store.put_articles([link_record(1, 3)])
    app = make_app(store)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+f")  # from the list: the reader takes the screen
        await pilot.pause()
        assert app.main.has_class("-reading") and reader(app).display
        assert app.main.query_one(FindPrompt).is_open
        await pilot.press(*"source 12", "enter")
        await pilot.pause()
        assert "1/1" in status_text(app)
        view = reader(app)
        line = next(n for n, text in enumerate(view.text_lines) if "source 12" in text)
        assert view.scroll_y <= line < view.scroll_y + view.scrollable_content_region.height
        assert [text for text, _ in lit(app)] in (["source 12"], ["source", " 12"], ["source ", "12"])


async def test_find_cjk_accents_and_text_that_looks_like_markup(store: Store) -> None:
    record = link_record(1, 0)
    blocks = (Block("paragraph", "熊本県菊陽町に建設された半導体の新工場が量産を開始した。半導体！"),
              Block("paragraph", "Le CAFÉ de Flore: press [b]bold[/b] or [@click=app.quit]"))
    article = replace(record.article, blocks=blocks, links=())
    store.put_articles([replace(record, article=article, title="混合")])
    app = make_app(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_first(pilot, app)
        await pilot.press("ctrl+f", *"半導体")
        await pilot.pause()
        assert counter(app) == "1/2"
        assert [text for text, _ in lit(app)] == ["半導体", "半導体"]
        await pilot.press("ctrl+a", "ctrl+k", *"cafe")
        await pilot.pause()
        assert counter(app) == "1/1" and [t for t, _ in lit(app)] == ["CAFÉ"]
        await pilot.press("ctrl+a", "ctrl+k", *"[@click=app.quit]", "enter")
        await pilot.pause()
        assert "1/1" in status_text(app) and app.is_running
        assert [t for t, _ in lit(app)] == ["[@click=app.quit]"]


def test_article_type_is_what_the_app_stores() -> None:
    assert isinstance(link_record(1, 1).article, Article)
