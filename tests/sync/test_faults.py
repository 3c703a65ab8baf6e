"""Offline-first: a change made while the server is down, failing or talking nonsense stays in
the journal until the real FreshRSS confirms it. The failures are played by a proxy in front
of the real server (tests/sync/proxy.py); everything else is the real server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.server import TestServer
from tests.sync.conftest import make_device, serve_feed
from tests.sync.freshrss import User
from tests.sync.helpers import aid, sync
from tests.sync.proxy import FaultProxy
from tui.core.sync import sync_status
from tui.core.sync.errors import SyncAuthError, SyncError, SyncOfflineError, SyncProtocolError


def _synced_device(tmp_path: Path, server: TestServer, user: User, proxy: FaultProxy,
                   path: str, read_timeout: float = 5.0) -> tuple[object, list[str]]:
    feed = serve_feed(server, path, "Faults", 2)
    with user.api() as api:
        api.subscribe(feed)
    device = make_device(tmp_path, "dev", proxy.url("/api/greader.php"), user.name,
                         read_timeout=read_timeout)
    sync(device)
    return device, [aid(server.url(f"{path}/story-{n}")) for n in range(2)]


@pytest.mark.parametrize("mode, error", [
    ("down", SyncOfflineError), ("status:500", SyncError), ("status:401", SyncAuthError),
    ("garbage", SyncProtocolError),
])
def test_a_failing_server_keeps_the_change_for_the_next_sync(
        tmp_path: Path, server: TestServer, fresh_user: User, password_env: str,
        proxy: FaultProxy, mode: str, error: type[Exception]) -> None:
    device, story = _synced_device(tmp_path, server, fresh_user, proxy, "/faults/feed.xml")
    store = device.open()
    store.update_state(story[0], read=True, starred=True)
    store.close()

    proxy.fail(mode, after=2)  # login and one more answer, then the fault
    with pytest.raises(error):
        sync(device)
    store = device.open()
    try:
        status, pending = sync_status(store)
        assert pending == 2  # read and starred, both still waiting
        assert status.last_error and status.last_try > status.last_ok
        assert store.get_state(story[0]).read is True  # the local value stands meanwhile
    finally:
        store.close()
    with fresh_user.api() as api:
        assert len(api.unread()) == 2  # nothing reached the server... or it was not confirmed

    proxy.fail("pass")
    report = sync(device)
    assert report.pending == 0
    with fresh_user.api() as api:
        assert len(api.unread()) == 1 and len(api.starred()) == 1


def test_offline_change_is_queued_then_delivered(tmp_path: Path, server: TestServer,
                                                 fresh_user: User, password_env: str,
                                                 proxy: FaultProxy) -> None:
    device, story = _synced_device(tmp_path, server, fresh_user, proxy, "/offline/feed.xml")
    proxy.fail("down")
    store = device.open()
    store.update_state(story[1], starred=True)
    store.update_state(story[0], read=True)
    store.update_state(story[0], read=False)  # opposites cancel: nothing to send for it
    store.close()
    with pytest.raises(SyncOfflineError):
        sync(device)
    store = device.open()
    try:
        assert sync_status(store)[1] == 1
    finally:
        store.close()
    proxy.fail("pass")
    assert sync(device).sent == 1
    with fresh_user.api() as api:
        assert len(api.starred()) == 1 and len(api.unread()) == 2


def test_slow_server_times_out_and_keeps_the_change(tmp_path: Path, server: TestServer,
                                                    fresh_user: User, password_env: str,
                                                    proxy: FaultProxy) -> None:
    device, story = _synced_device(tmp_path, server, fresh_user, proxy, "/slow/feed.xml",
                                   read_timeout=1.0)
    store = device.open()
    store.update_state(story[0], starred=True)
    store.close()
    proxy.fail("slow:3", after=1)  # slower than read_timeout = 1 s
    with pytest.raises(SyncOfflineError):
        sync(device)
    store = device.open()
    try:
        assert sync_status(store)[1] == 1
    finally:
        store.close()


def test_server_changes_win_unless_a_local_change_is_pending(
        tmp_path: Path, server: TestServer, fresh_user: User, password_env: str,
        proxy: FaultProxy) -> None:
    device, story = _synced_device(tmp_path, server, fresh_user, proxy, "/wins/feed.xml")
    with fresh_user.api() as api:
        ids = sorted(api.ids("user/-/state/com.google/reading-list"))
        api.edit_tag(ids, add="user/-/state/com.google/read")  # another device read both
    store = device.open()
    store.update_state(story[0], read=False, starred=True)  # read is unchanged locally: no entry
    store.close()
    proxy.fail("down")
    with pytest.raises(SyncOfflineError):
        sync(device)
    proxy.fail("pass")
    sync(device)
    store = device.open()
    try:
        assert store.get_state(story[0]).starred is True  # pending here, so it won
        assert store.get_state(story[0]).read is True  # not pending: the server's read wins
        assert store.get_state(story[1]).read is True
    finally:
        store.close()
