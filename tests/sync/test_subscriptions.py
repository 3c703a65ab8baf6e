"""Subscriptions both ways: the server's feeds become Warta's (folders become feed tags); a feed
added or removed in Warta goes to the server where the API allows it (Google Reader API) and
is reported as impossible where it does not (Fever). Real FreshRSS throughout."""

from __future__ import annotations

from pathlib import Path

from tests.server import TestServer
from tests.sync.conftest import make_device, serve_feed
from tests.sync.freshrss import User
from tests.sync.helpers import sync
from tui.core.models import Feed


def test_feeds_added_and_removed_in_warta_reach_the_server(tmp_path: Path, server: TestServer,
                                                           fresh_user: User, password_env: str) -> None:
    ours = serve_feed(server, "/subs/ours.xml", "Ours", 2)
    theirs = serve_feed(server, "/subs/theirs.xml", "Theirs", 1)
    with fresh_user.api() as api:
        api.subscribe(theirs, folder="tech")
    device = make_device(tmp_path, "subs", fresh_user.greader_url, fresh_user.name)
    store = device.open()
    store.add_subscription(Feed(url=ours, name="Ours", tags=("mine",)))
    store.close()

    report = sync(device)
    assert report.new_articles == 3 and report.pending == 0
    with fresh_user.api() as api:
        on_server = {s["url"]: s for s in api.subscriptions()}
    assert set(on_server) == {ours, theirs}
    assert on_server[ours]["categories"][0]["label"] == "mine"  # type: ignore[index]
    store = device.open()
    try:
        tags = {feed.url: feed.tags for feed in store.subscriptions()}
        assert tags == {ours: ("mine",), theirs: ("tech",)}
        store.remove_subscription(theirs)
    finally:
        store.close()

    sync(device)
    with fresh_user.api() as api:
        assert {s["url"] for s in api.subscriptions()} == {ours}


def test_fever_says_it_cannot_add_feeds_and_syncs_marks(tmp_path: Path, server: TestServer,
                                                        fresh_user: User, password_env: str) -> None:
    feed = serve_feed(server, "/fever/feed.xml", "Fev", 2)
    with fresh_user.api() as api:
        api.subscribe(feed, folder="fevered")
    device = make_device(tmp_path, "fev", fresh_user.fever_url, fresh_user.name, api="fever")
    store = device.open()
    local = serve_feed(server, "/fever/local.xml", "Local", 1)
    store.add_subscription(Feed(url=local))
    store.close()

    report = sync(device)
    assert report.new_articles == 2
    assert any("cannot add feeds" in notice and local in notice for notice in report.notices)
    store = device.open()
    try:
        assert {f.url: f.tags for f in store.subscriptions()}[feed] == ("fevered",)
        ids = [r.id for r in store.iter_articles()]
        store.update_state(ids[0], read=True, starred=True)
        store.update_state(ids[1], tags=("local-only",))
    finally:
        store.close()
    report = sync(device)
    assert report.pending == 0
    with fresh_user.api() as api:
        assert len(api.unread()) == 1 and len(api.starred()) == 1
    with fresh_user.api() as api:  # a change on the server comes back through Fever
        api.edit_tag(sorted(api.ids("user/-/state/com.google/reading-list")),
                     add="user/-/state/com.google/read")
    sync(device)
    store = device.open()
    try:
        assert all(store.get_state(i).read for i in ids)
        assert store.get_state(ids[1]).tags == ("local-only",)
    finally:
        store.close()
