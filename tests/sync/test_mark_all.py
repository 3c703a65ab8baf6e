"""Mark-all-read sends the server's bulk call up to the newest item the user saw: an item that
reached the server meanwhile, unseen here, stays unread there (real FreshRSS)."""

from __future__ import annotations

from pathlib import Path

from tests.server import TestServer
from tests.sync.conftest import make_device, serve_feed
from tests.sync.freshrss import User
from tests.sync.helpers import aid, sync
from tui.core.sync import attach_journal


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
