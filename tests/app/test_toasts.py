"""Where the app's notices show: a toast never over the status line or the keys, and no taller
than what it says; what the session is (the demo) in the status line, over nothing."""

from __future__ import annotations

from textual.widgets import Footer
from textual.widgets._toast import Toast

from tui.app.app import WartaApp
from tui.core.config import Config
from tui.core.library import Library
from tui.core.store import Store

from .helpers import notifications, status_text

SMALL = (80, 24)


async def test_the_demo_note_is_in_the_status_line_not_a_toast_over_the_list(demo_store: Store) -> None:
    """It was a 10 s toast over the lower right of the list at 80x24."""
    app = WartaApp(Library(demo_store, Config()), notice="Demo: 12 sample articles, deleted on exit")
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert notifications(app) == []
        assert "Demo: 12 sample articles, deleted on exit" in status_text(app)
        await pilot.press("j", "m")  # the note stays while the user works
        await pilot.pause()
        assert "Demo: 12 sample articles" in status_text(app)


async def test_a_toast_covers_neither_the_status_line_nor_the_footer(app: WartaApp) -> None:
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await pilot.press("m", "u")  # "Undone: mark the article read"
        for _ in range(50):
            await pilot.pause(0.02)
            toasts = list(app.screen.query(Toast))
            if toasts and toasts[0].region.height:
                break
        [toast] = toasts
        assert "Undone" in str(toast.render())
        status = app.main.query_one("#status").region
        footer = app.main.query_one(Footer).region
        assert not toast.region.overlaps(status) and not toast.region.overlaps(footer)
        assert toast.region.bottom == status.y  # right above the status line
        assert toast.region.height == 1  # one line of text, one row
