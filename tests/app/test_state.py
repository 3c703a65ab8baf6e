"""Reading position: saved while reading (debounced), on leaving and on quitting; restored on open."""

from __future__ import annotations

from tui.core.store import Store

from .conftest import link_record, make_app
from .helpers import article_list, reader

SIZE = (80, 24)


def two_articles(store: Store) -> list[str]:
    store.put_articles([link_record(1, 1), link_record(2, 1)])
    return [s.id for s in store.summaries(store.rowids())]


async def test_position_is_saved_after_scrolling_stops(store: Store) -> None:
    first, _ = two_articles(store)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "space")
        line = round(reader(app).scroll_y)
        assert line > 0
        assert store.get_state(first).position == 0  # not on every scroll event...
        await pilot.pause(0.5)
        assert store.get_state(first).position == line  # ...but once the reader rests


async def test_position_is_saved_when_leaving_and_restored_on_return(store: Store) -> None:
    first, second = two_articles(store)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "space", "space")
        line = round(reader(app).scroll_y)
        await pilot.press("N")  # straight on to the next article, before the debounce fires
        await pilot.pause()
        assert reader(app).article_id == second
        assert store.get_state(first).position == line
        assert reader(app).scroll_y == 0
        await pilot.press("P")
        await pilot.pause()
        assert reader(app).article_id == first
        assert round(reader(app).scroll_y) == line


async def test_position_is_saved_on_quit_and_restored_next_time(store: Store) -> None:
    first, _ = two_articles(store)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "ctrl+d")
        line = round(reader(app).scroll_y)
        await pilot.press("q")
    assert store.get_state(first).position == line > 0
    again = make_app(store)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert article_list(again).current.id == first  # type: ignore[union-attr]
        assert round(reader(again).scroll_y) == line
