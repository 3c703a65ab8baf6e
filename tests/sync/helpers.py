"""Running one sync of a test device, the way ``warta sync`` does it (in this process)."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.sync.conftest import Device
from tui.core.library import Library
from tui.core.store import Store
from tui.core.sync import SyncReport
from tui.core.urls import article_id


async def sync_store(device: Device, store: Store, **http_options: Any) -> SyncReport:
    async with Library(store, device.config).network() as network:
        syncer = network.syncer(**http_options)
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
