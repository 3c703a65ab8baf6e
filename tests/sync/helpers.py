"""Running one sync of a test device, the way ``warta sync`` does it (in this process)."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.sync.conftest import Device
from tui.core.refresh import Refresher
from tui.core.sources import network
from tui.core.store import Store
from tui.core.sync import SyncReport, open_sync
from tui.core.urls import article_id


async def sync_store(device: Device, store: Store, **http_options: Any) -> SyncReport:
    async with network(device.config) as (fetcher, pool):
        refresher = Refresher(store, fetcher, pool)
        syncer = open_sync(device.config, store, refresher, **http_options)
        try:
            return await syncer.run()
        finally:
            await syncer.backend.aclose()


def sync(device: Device, **http_options: Any) -> SyncReport:
    store = device.open()
    try:
        return asyncio.run(sync_store(device, store, **http_options))
    finally:
        store.close()


def aid(url: str) -> str:
    return article_id(url)
