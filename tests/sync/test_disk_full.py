"""A full disk during a sync loses no change (real FreshRSS, the data dir on a small tmpfs).

The disk fills while the sync pulls: the server's new items do not fit. The sync fails with
one clear line; every local change is then either confirmed by the server or still in the
journal (never dropped unsent), and once there is room the next sync delivers what waited
and pulls the items that did not fit."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.disks import fill, mounted_tmpfs
from tests.server import TestServer
from tests.sync.conftest import make_device, rss
from tests.sync.freshrss import User
from tests.sync.helpers import aid, sync, sync_store
from tui.core.errors import WartaError
from tui.core.changes import StateChange
from tui.core.library import Library
from tui.core.sync import sync_status


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with mounted_tmpfs(tmp_path / "disk", "16m") as disk:
        yield disk


def _noise(n: int, size: int) -> str:
    """Incompressible words: the stored articles take their full size on disk."""
    rng = random.Random(n)
    return "<p>" + " ".join("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(7))
                            for _ in range(size // 8)) + "</p>"


def _feed(server: TestServer, path: str, count: int, size: int) -> str:
    """A feed of ``count`` stories at ``path`` (a path per test: FreshRSS caches feeds by URL)."""
    items = [(server.url(f"{path}/story-{n}"), f"Disk story {n}", _noise(n, size))
             for n in range(count)]
    return server.add(f"{path}/feed.xml", rss("DiskFeed", items), "application/rss+xml")


@pytest.mark.parametrize("leave", [0, 300_000], ids=["full-from-the-start", "fills-mid-pull"])
def test_a_disk_that_fills_during_a_sync_loses_no_change(
        tmp_path: Path, small_disk: Path, server: TestServer, fresh_user: User,
        password_env: str, leave: int) -> None:
    path = f"/df-{leave}"
    feed = _feed(server, path, 3, 2_000)
    with fresh_user.api() as api:
        api.subscribe(feed)
    device = make_device(tmp_path, "df", fresh_user.greader_url, fresh_user.name)
    device.data_dir = small_disk / "data"
    sync(device)
    starred, read = aid(server.url(f"{path}/story-0")), aid(server.url(f"{path}/story-1"))

    _feed(server, path, 60, 40_000)  # 57 new stories, ~2.4 MB: more than the disk has left
    fresh_user.actualize()
    store = device.open()
    try:
        library = Library(store, device.config)
        library.change([starred], starred=True)
        library.change([read], read=True)
        assert sync_status(store)[1] == 2
        filler = fill(small_disk, leave)
        late = aid(server.url(f"{path}/story-2"))

        async def sync_and_star_meanwhile() -> StateChange:
            """Star ``late`` once the push is through, while the pull runs (as a key in the
            app would); on a disk full from the start the push never gets confirmed."""
            syncing = asyncio.ensure_future(sync_store(device, store))
            while not syncing.done() and sync_status(store)[1] == 2:  # until the push is confirmed
                await asyncio.sleep(0.005)
            meanwhile = library.change([late], starred=True)
            await syncing
            return meanwhile

        with pytest.raises(WartaError) as failed:
            asyncio.run(sync_and_star_meanwhile())
        message = str(failed.value)
        assert "\n" not in message and "disk full" in message

        pending = {change.article_id for change in _journal(store)}
        # the star made mid-sync is journaled, or (no room for it either) waits in the library
        assert late in pending or library.queued_count == 1
        with fresh_user.api() as api:
            on_server = {"starred": bool(api.starred()), "read": len(api.unread()) < 60}
        assert on_server["starred"] or starred in pending  # delivered, or still waiting
        assert on_server["read"] or read in pending
        assert pending or leave  # full from the start: not even a confirmation could be saved

        filler.unlink()  # room again: the next sync delivers what waited and pulls the rest
        library.save_queued()  # what the app does every few seconds while changes wait
        assert library.queued_count == 0 and late in {c.article_id for c in _journal(store)}
        report = asyncio.run(sync_store(device, store))
        assert report.pending == 0
        assert store.count() == 60
    finally:
        store.close()
    with fresh_user.api() as api:
        assert len(api.starred()) == 2
        assert len(api.unread()) == 59


def _journal(store):  # type: ignore[no-untyped-def]
    from tui.core.sync import attach_journal

    return [c for c in attach_journal(store).pending() if c.kind == "state"]
