"""Two Warta data dirs (two devices) meeting through one real FreshRSS (Google Reader API)."""

from __future__ import annotations

from pathlib import Path

from tests.server import TestServer
from tests.sync.conftest import make_device, serve_feed
from tests.sync.freshrss import User
from tests.sync.helpers import aid, sync


def test_read_star_and_tag_on_a_appear_on_b(tmp_path: Path, server: TestServer, fresh_user: User,
                                            password_env: str) -> None:
    feed = serve_feed(server, "/two/feed.xml", "Two", 3)
    with fresh_user.api() as api:
        api.subscribe(feed, folder="news")
    a = make_device(tmp_path, "a", fresh_user.greader_url, fresh_user.name)
    b = make_device(tmp_path, "b", fresh_user.greader_url, fresh_user.name)

    first = sync(a)
    assert first.new_articles == 3
    sync(b)
    story = [aid(server.url(f"/two/feed.xml/story-{n}")) for n in range(3)]
    store = a.open()
    try:
        assert {f.url for f in store.subscriptions()} == {feed}
        assert store.subscriptions()[0].tags == ("news",)
        assert all(store.has_article(i) for i in story)
        assert store.get_article(story[0]).feed_tags == ("news",)
        store.update_state(story[0], read=True)
        store.update_state(story[1], starred=True)
        store.update_state(story[2], tags=("later",))
    finally:
        store.close()

    report = sync(a)
    assert report.sent == 3 and report.pending == 0
    with fresh_user.api() as api:  # the server itself has them now
        assert len(api.unread()) == 2
        assert len(api.starred()) == 1
        assert len(api.labelled("later")) == 1

    sync(b)
    store = b.open()
    try:
        assert store.get_state(story[0]).read is True
        assert store.get_state(story[1]).starred is True
        assert store.get_state(story[2]).tags == ("later",)
        assert store.get_state(story[2]).read is False
    finally:
        store.close()
