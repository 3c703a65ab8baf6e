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
