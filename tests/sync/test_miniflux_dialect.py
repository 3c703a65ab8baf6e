"""Miniflux's Google Reader dialect, from recorded responses (no Miniflux server here).

The answers below are shaped as Miniflux's handler (internal/googlereader/handler.go) writes
them: labels are categories only (``tag/list`` lists folders, with the numeric user id in the
stream id), ``continuation`` is a number and 0 means "no more", contents carry the long hex
item id, and ``edit-tag`` with a label answers 500 "unsupported tag type". The test HTTP server
replays them in order; Warta's side is the real code."""

from __future__ import annotations

import json
from pathlib import Path

from tests.server import Response, TestServer
from tests.sync.conftest import make_device, serve_feed
from tests.sync.helpers import aid, sync
from tui.core.library import Library
from tui.core.sync import sync_status

API = "/miniflux/v1"


def _ids(*ids: int) -> Response:
    return Response(200, json.dumps({"itemRefs": [{"id": str(i)} for i in ids],
                                     "continuation": 0}).encode(),
                    {"Content-Type": "application/json"})


def _json(data: object) -> Response:
    return Response(200, json.dumps(data).encode(), {"Content-Type": "application/json"})


def _miniflux(server: TestServer, path: str) -> tuple[str, str]:
    """Miniflux's answers for one feed of one story (the feed's URL, the story's)."""
    feed = serve_feed(server, f"{path}/feed.xml", "Mini", 1)
    story = server.url(f"{path}/feed.xml/story-0")
    base = API + "/reader/api/0"
    server.add(API + "/accounts/ClientLogin", "SID=tok\nLSID=tok\nAuth=tok\n", "text/plain")
    server.add(base + "/token", "tok", "text/plain")
    server.add_sequence(base + "/subscription/list", [_json({"subscriptions": [{
        "id": "feed/7", "title": "Mini", "url": feed, "htmlUrl": server.url("/"), "iconUrl": "",
        "categories": [{"id": "user/1/label/Tech", "label": "Tech", "type": "folder"}]}]})])
    server.add_sequence(base + "/tag/list", [_json({"tags": [
        {"id": "user/1/state/com.google/starred"},
        {"id": "user/1/label/Tech", "label": "Tech", "type": "folder"}]})])
    # reading list, unread, starred — in the order a sync asks, twice
    server.add_sequence(base + "/stream/items/ids", [_ids(42), _ids(42), _ids(), _ids(42), _ids(42), _ids()])
    server.add(base + "/stream/items/contents", json.dumps({"items": [{
        "id": "tag:google.com,2005:reader/item/000000000000002a", "title": "Mini story",
        "published": 1764583200, "crawlTimeMsec": "1764583300000", "timestampUsec": "1764583200000000",
        "categories": ["user/1/state/com.google/reading-list", "user/1/label/Tech"],
        "canonical": [{"href": story}], "alternate": [{"href": story, "type": "text/html"}],
        "summary": {"content": "<p>" + "A whole story. " * 80 + "</p>"},
        "origin": {"streamId": "feed/7", "title": "Mini", "htmlUrl": server.url("/")}}]}),
        "application/json")
    return feed, story


def test_miniflux_labels_are_folders_and_tags_stay_local(tmp_path: Path, server: TestServer,
                                                          monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("WARTA_TEST_SYNC_PASSWORD", "mini-pass")
    feed, story = _miniflux(server, "/mf")
    base = API + "/reader/api/0"
    server.add_sequence(base + "/edit-tag", [  # the star first, then the label
        Response(200, b"OK", {"Content-Type": "text/plain"}),
        Response(500, b'{"error_message":"googlereader: unsupported tag type: LabelStream"}',
                 {"Content-Type": "application/json"})])
    device = make_device(tmp_path, "mf", server.url(API), "mini")

    first = sync(device)
    assert first.new_articles == 1 and server.hits[base + "/stream/items/ids"] == 3
    store = device.open()
    try:
        assert store.get_article(aid(story)).feed_tags == ("Tech",)
        store.update_state(aid(story), tags=("keep",), starred=True)
    finally:
        store.close()

    second = sync(device)
    assert any("keeps no item labels" in notice for notice in second.notices)
    assert second.pending == 0 and server.hits[base + "/edit-tag"] == 2  # the star, then the label
    store = device.open()
    try:
        assert store.get_state(aid(story)).tags == ("keep",)  # still here, only local
        assert sync_status(store)[1] == 0
    finally:
        store.close()


def test_miniflux_mark_all_that_marks_nothing_answers_404(tmp_path: Path, server: TestServer,
                                                          monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Miniflux answers ``mark-all-as-read`` with 404 when no entry was older than ``ts``
    (its handler: "affected == 0 -> NotFound"). That is not a lost change: the marks the
    mark-all covered are sent one by one instead, and the user is told."""
    monkeypatch.setenv("WARTA_TEST_SYNC_PASSWORD", "mini-pass")
    feed, story = _miniflux(server, "/mf404")
    base = API + "/reader/api/0"
    server.add_sequence(base + "/mark-all-as-read", [
        Response(404, b'{"error_message":"Not Found"}', {"Content-Type": "application/json"})])
    server.add_sequence(base + "/edit-tag", [Response(200, b"OK", {"Content-Type": "text/plain"})])
    device = make_device(tmp_path, "mf404", server.url(API), "mini")
    assert sync(device).new_articles == 1
    store = device.open()
    try:
        library = Library(store, device.config)
        library.mark_all_read([aid(story)], library.compile(f'feed:"{feed}"'))
        assert sync_status(store)[1] == 2  # the bulk call and the article's own mark
    finally:
        store.close()

    second = sync(device)
    assert server.hits[base + "/mark-all-as-read"] == 1 and server.hits[base + "/edit-tag"] == 1
    assert any("item by item" in notice for notice in second.notices)
    assert second.pending == 0
