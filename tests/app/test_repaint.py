"""A change of state repaints what shows it: the list row (drawn afresh, not from a stale line)."""

from __future__ import annotations

from tui.core.store import Store

from ..conftest import make_record
from .conftest import make_app
from .helpers import article_list, status_text


def _drawn_row(app: object) -> str:
    widget = article_list(app)  # type: ignore[arg-type]
    return widget.render_line(0).text + widget.render_line(1).text


async def test_m_and_s_redraw_the_row_under_the_cursor(store: Store) -> None:
    store.put_articles([make_record(n) for n in range(1, 4)])
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert _drawn_row(app).startswith("● ") and "3 unread" in status_text(app)
        await pilot.press("m")
        await pilot.pause()
        assert not _drawn_row(app).startswith("●") and "2 unread" in status_text(app)
        await pilot.press("s")
        await pilot.pause()
        assert "★" in _drawn_row(app)
        await pilot.press("m", "s")
        await pilot.pause()
        assert _drawn_row(app).startswith("● ") and "★" not in _drawn_row(app)


async def test_the_cursor_paints_the_whole_item_both_lines_every_cell(store: Store) -> None:
    """The styled parts of a row (dot, title, site, tags) keep the cursor's background: their
    own style carries a colour, never the list's background over the cursor's."""
    store.put_articles([make_record(n, tags=("tech",)) for n in range(1, 4)])
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        widget = article_list(app)
        cursor = widget.get_component_rich_style("article-list--cursor").bgcolor
        plain = widget.get_component_rich_style("article-list--meta").bgcolor
        assert cursor is not None and cursor != plain
        for line in (0, 1):  # the item under the cursor: title line and meta line
            backgrounds = {segment.style.bgcolor for segment in widget.render_line(line)
                           if segment.text and segment.style is not None}
            assert backgrounds == {cursor}, (line, backgrounds)
        below = {segment.style.bgcolor for segment in widget.render_line(2)
                 if segment.text and segment.style is not None}
        assert cursor not in below


def _painted_cursor_rows(app: object) -> list[int]:
    """Screen rows the terminal shows with the cursor's background: the compositor's lines as
    they stand, which keep a widget's old lines until it asks for them to be drawn again."""
    from textual.strip import Strip

    widget = article_list(app)  # type: ignore[arg-type]
    cursor = widget.get_component_rich_style("article-list--cursor").bgcolor
    update = app.screen._compositor.render_update(full=True)  # type: ignore[attr-defined]
    x = widget.region.x + 2
    rows = []
    for y, line in enumerate(update.strips):
        cells = (line if isinstance(line, Strip) else Strip.join(list(line))).crop(x, x + 10)
        if any(segment.style is not None and segment.style.bgcolor == cursor for segment in cells):
            rows.append(y)
    return rows


async def test_a_cursor_move_in_a_scrolled_list_is_painted(store: Store) -> None:
    """Rows arriving above the cursor scroll the list; a key must still repaint both rows where
    they are on screen, not where they would be unscrolled (Textual's ScrollView.refresh_lines
    takes lines of the whole list)."""
    store.put_articles([make_record(n) for n in range(1, 60)])
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press(*"j" * 20)
        await pilot.pause()
        widget = article_list(app)
        assert widget.scroll_y > 0
        before = _painted_cursor_rows(app)
        await pilot.press("k")
        await pilot.pause()
        after = _painted_cursor_rows(app)
        assert len(before) == 2 and after == [row - 2 for row in before]
