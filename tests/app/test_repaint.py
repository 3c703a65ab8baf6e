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
