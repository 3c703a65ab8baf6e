"""kill -9 of a real ``warta sync`` while it waits on the server loses no change."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.server import TestServer
from tests.sync.conftest import make_device, serve_feed, wait_for
from tests.sync.freshrss import User
from tests.sync.helpers import aid, sync
from tests.sync.proxy import FaultProxy
from tui.core.sync import sync_status


def test_kill_9_during_sync_loses_no_change(tmp_path: Path, server: TestServer, fresh_user: User,
                                            password_env: str, proxy: FaultProxy) -> None:
    feed = serve_feed(server, "/kill/feed.xml", "Kill", 2)
    with fresh_user.api() as api:
        api.subscribe(feed)
    device = make_device(tmp_path, "k", proxy.url("/api/greader.php"), fresh_user.name,
                         read_timeout=60.0)
    sync(device)
    story = [aid(server.url(f"/kill/feed.xml/story-{n}")) for n in range(2)]
    store = device.open()
    store.update_state(story[0], starred=True)
    store.update_state(story[1], read=True)
    store.close()

    proxy.fail("slow:60", after=2)  # login and the token pass; the first write hangs
    child = subprocess.Popen([sys.executable, "-m", "tui", "sync", "--config", str(device.config_path),
                              "--data-dir", str(device.data_dir)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: len(proxy.requests) >= 3, timeout=60)
        time.sleep(0.2)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()

    store = device.open()
    try:
        assert sync_status(store)[1] == 2
        assert store.get_state(story[0]).starred and store.get_state(story[1]).read
    finally:
        store.close()
    proxy.fail("pass")
    assert sync(device).pending == 0
    with fresh_user.api() as api:
        assert len(api.starred()) == 1 and len(api.unread()) == 1
