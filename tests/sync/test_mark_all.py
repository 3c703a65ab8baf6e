"""Mark-all-read sends the server's bulk call up to the newest item the user saw: an item that
reached the server meanwhile, unseen here, stays unread there (real FreshRSS)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.app.helpers import status_text, titles
from tests.server import TestServer
from tests.sync.conftest import make_device, serve_feed
from tests.sync.freshrss import User
from tests.sync.helpers import aid, sync, sync_store
from tests.sync.proxy import FaultProxy
from tests.sync.test_app import _until
from tui.app.app import WartaApp
from tui.app.screens.ask import Ask
from tui.core.library import Library
from tui.core.sync import attach_journal, sync_status


def test_mark_all_read_keeps_an_unseen_newer_item_unread(tmp_path: Path, server: TestServer,
                                                         fresh_user: User, password_env: str) -> None:
    feed = serve_feed(server, "/all/feed.xml", "All", 2)
    with fresh_user.api() as api:
        api.subscribe(feed)
    device = make_device(tmp_path, "all", fresh_user.greader_url, fresh_user.name)
    sync(device)
    seen = [aid(server.url(f"/all/feed.xml/story-{n}")) for n in range(2)]

    serve_feed(server, "/all/feed.xml", "All", 3)  # a third story, fetched by the server only
    fresh_user.actualize()
    with fresh_user.api() as api:
        assert len(api.unread()) == 3

    store = device.open()
    try:
        attach_journal(store).record_mark_all(seen, feed_url=feed)
        store.update_states(seen, read=True)
    finally:
        store.close()
    report = sync(device)
    assert report.pending == 0 and report.new_articles == 1
    with fresh_user.api() as api:
        unread = api.unread()
        assert len(unread) == 1
        item = next(i for i in api.items() if str(int(str(i["id"]).rsplit("/", 1)[1], 16)) in unread)
        assert item["title"] == "All story 2"


def _item_title(api, sid: str) -> str:  # type: ignore[no-untyped-def]
    return next(str(i["title"]) for i in api.items()
                if str(int(str(i["id"]).rsplit("/", 1)[1], 16)) == sid)


def test_A_in_the_app_sends_one_bulk_call_and_its_undo_is_synced_too(
        tmp_path: Path, server: TestServer, fresh_user: User, password_env: str,
        proxy: FaultProxy) -> None:
    """The user's path: A in the real app (through the library and the undo stack), then r.
    The server gets ``mark-all-as-read`` (not one edit-tag per article) up to the newest
    article the list showed, so the story that reached the server meanwhile stays unread;
    u then puts the seen ones back to unread, on the server too."""
    feed = serve_feed(server, "/appall/feed.xml", "AppAll", 2)
    with fresh_user.api() as api:
        api.subscribe(feed)
    device = make_device(tmp_path, "appall", proxy.url("/api/greader.php"), fresh_user.name)
    sync(device)
    store = device.open()

    async def run() -> None:
        app = WartaApp(Library(store, device.config), refresh_on_start=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await _until(lambda: len(titles(app)) == 2, pilot)
            serve_feed(server, "/appall/feed.xml", "AppAll", 3)  # a third story reaches the server
            await asyncio.to_thread(fresh_user.actualize)
            app.main.article_list.focus()
            await pilot.press("A")
            await _until(lambda: isinstance(app.screen, Ask), pilot)
            await pilot.press("y")
            await _until(lambda: "0 unread" in status_text(app), pilot)
            assert [key for key, _ in store.sync_items("j:m:")], "no bulk call journaled"

            proxy.requests.clear()
            await pilot.press("r")
            await _until(lambda: not app.sync.running and len(titles(app)) == 3
                         and sync_status(store)[1] == 0, pilot)
            calls = [target for target in proxy.requests if "/edit-tag" in target
                     or "/mark-all-as-read" in target]
            assert any("/mark-all-as-read" in c for c in calls) and not any("/edit-tag" in c for c in calls)
            with fresh_user.api() as api:
                unread = api.unread()
                assert len(unread) == 1 and _item_title(api, next(iter(unread))) == "AppAll story 2"
            assert "1 unread" in status_text(app)  # the new story, pulled unread

            await pilot.press("u")  # undo the mark-all: the two seen stories unread again
            await _until(lambda: "3 unread" in status_text(app), pilot)
            await pilot.press("r")
            await _until(lambda: not app.sync.running and sync_status(store)[1] == 0, pilot)
        with fresh_user.api() as api:
            assert len(api.unread()) == 3

    try:
        asyncio.run(run())
    finally:
        store.close()


def test_undo_before_the_sync_takes_the_bulk_call_back(
        tmp_path: Path, server: TestServer, fresh_user: User, password_env: str) -> None:
    """A then u before any sync: nothing is left to send, and above all no mark-all-as-read
    that would mark on the server what the user put back to unread."""
    feed = serve_feed(server, "/undoall/feed.xml", "UndoAll", 2)
    with fresh_user.api() as api:
        api.subscribe(feed)
    device = make_device(tmp_path, "undoall", fresh_user.greader_url, fresh_user.name)
    sync(device)
    store = device.open()
    try:
        library = Library(store, device.config)
        seen = [aid(server.url(f"/undoall/feed.xml/story-{n}")) for n in range(2)]
        done = library.mark_all_read(seen, library.compile(f'feed:"{feed}"'))
        assert [key for key, _ in store.sync_items("j:m:")] and sync_status(store)[1] == 3
        library.change(seen, **{"read": False})  # the undo stack's way: absolute before-values
        assert done.changed_ids and sync_status(store)[1] == 0
    finally:
        store.close()
    report = sync(device)
    assert report.sent == 0
    with fresh_user.api() as api:
        assert len(api.unread()) == 2


def test_mark_all_of_a_folder_tag_and_of_everything_are_bulk_calls_too(
        tmp_path: Path, server: TestServer, fresh_user: User, password_env: str,
        proxy: FaultProxy) -> None:
    """The server's folder is a feed tag here: A on ``+Harbour`` sends ``mark-all-as-read`` for
    that label, and A on everything for the reading list; each stops at the newest seen."""
    harbour = serve_feed(server, "/tagall/h.xml", "Harbour", 2)
    other = serve_feed(server, "/tagall/o.xml", "Other", 2)
    with fresh_user.api() as api:
        api.subscribe(harbour, folder="Harbour")
        api.subscribe(other)
    device = make_device(tmp_path, "tagall", proxy.url("/api/greader.php"), fresh_user.name)
    sync(device)
    store = device.open()
    try:
        library = Library(store, device.config)
        in_harbour = [aid(server.url(f"/tagall/h.xml/story-{n}")) for n in range(2)]
        assert "Harbour" in store.get_article(in_harbour[0]).feed_tags  # type: ignore[union-attr]
        library.mark_all_read(in_harbour, library.compile("+Harbour"))
        proxy.requests.clear()
        report = asyncio.run(sync_store(device, store))
        assert report.pending == 0
        assert [t for t in proxy.requests if "/mark-all-as-read" in t] and \
            not [t for t in proxy.requests if "/edit-tag" in t]
        with fresh_user.api() as api:
            assert len(api.unread()) == 2  # Other's two stories

        serve_feed(server, "/tagall/o.xml", "Other", 3)  # a story the list never showed
        fresh_user.actualize()
        seen = [aid(server.url(f"/tagall/o.xml/story-{n}")) for n in range(2)]
        library.mark_all_read(seen, library.compile(""))
        proxy.requests.clear()
        asyncio.run(sync_store(device, store))
        assert [t for t in proxy.requests if "/mark-all-as-read" in t]
        with fresh_user.api() as api:
            unread = api.unread()
            assert len(unread) == 1 and _item_title(api, next(iter(unread))) == "Other story 2"
    finally:
        store.close()
