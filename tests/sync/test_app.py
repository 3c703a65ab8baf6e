"""The real app with a [sync] server: it syncs in the background at start and on ``r``, keys
keep working while it does, and a failing server shows in the status line and in ``E`` with
the time of the last good sync. The changes made meanwhile wait in the journal."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.app.helpers import status_text, titles
from tests.server import TestServer
from tests.sync.conftest import make_device, serve_feed
from tests.sync.freshrss import User
from tests.sync.proxy import FaultProxy
from tui.app.app import WartaApp
from tui.core.library import Library
from tui.app.screens.errors import ErrorsScreen
from tui.core.sync import sync_status


async def _until(condition, pilot, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.05)


def test_app_syncs_at_start_and_on_r_and_reports_a_failing_server(
        tmp_path: Path, server: TestServer, fresh_user: User, password_env: str,
        proxy: FaultProxy) -> None:
    feed = serve_feed(server, "/app/feed.xml", "AppFeed", 3)
    with fresh_user.api() as api:
        api.subscribe(feed)
    device = make_device(tmp_path, "app", proxy.url("/api/greader.php"), fresh_user.name)
    store = device.open()

    async def run() -> None:
        app = WartaApp(Library(store, device.config))
        async with app.run_test(size=(120, 40)) as pilot:
            await _until(lambda: len(titles(app)) == 3 and not app.sync.running, pilot)
            assert "Synced with" in status_text(app)
            app.main.article_list.focus()
            await pilot.press("s")  # star the first article: journaled at once
            assert sync_status(store)[1] == 1

            proxy.fail("down")
            await pilot.press("r")
            await _until(lambda: app.sync_error is not None, pilot)
            assert "sync failed" in status_text(app)
            await pilot.press("j", "k")  # still answering keys
            await pilot.press("E")
            assert isinstance(app.screen, ErrorsScreen)
            shown = str(app.screen.query_one("#errors").render()) if app.screen.query("#errors") else ""
            assert "last good sync" in (shown or str(app.sync_error))
            await pilot.press("escape")
            assert sync_status(store)[1] == 1  # the star still waits

            proxy.fail("pass")
            await _until(lambda: not app.refresher.running, pilot)
            await pilot.press("r")
            await _until(lambda: app.sync_error is None and not app.sync.running
                         and sync_status(store)[1] == 0, pilot)

    try:
        asyncio.run(run())
    finally:
        store.close()
    with fresh_user.api() as api:
        assert len(api.starred()) == 1
