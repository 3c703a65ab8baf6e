"""Background sync for the app: the core ``Syncer`` in an async worker, reporting by message.

It starts with the app, on the refresh interval and on ``r``, never blocks a key (network
waits are async, store work is on the syncer's own thread, item parsing in the worker pool)
and shares the app's refresher, so synced articles arrive in the list like refreshed ones.
A failure is a ``SyncFailed`` for the status line and the errors view; the journal keeps
every pending change for the next try.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.message import Message

from ..core.errors import WartaError
from ..core.library import Library
from .refresh import RefreshController

if TYPE_CHECKING:  # sync's modules (httpx, the API clients) load with the first sync
    from ..core.sync import SyncReport, Syncer


class SyncFinished(Message):
    def __init__(self, report: SyncReport) -> None:
        super().__init__()
        self.report = report


class SyncFailed(Message):
    """``line`` says what went wrong and when the last good sync was."""

    def __init__(self, server: str, line: str) -> None:
        super().__init__()
        self.server = server
        self.line = line


class SyncController:
    def __init__(self, app: App[Any], library: Library, refresher: RefreshController) -> None:
        self.app = app
        self.library = library
        self.refresher = refresher
        self._syncer: Syncer | None = None
        self._busy = False

    @property
    def enabled(self) -> bool:
        return self.library.config.sync is not None

    @property
    def running(self) -> bool:
        return self._busy

    def start(self) -> bool:
        """Sync in the background; False without [sync] or while a sync runs."""
        if not self.enabled or self._busy:
            return False
        self._busy = True
        self.app.run_worker(self._run(), name="sync", group="sync", exit_on_error=False)
        return True

    async def _run(self) -> None:
        from ..core.fetch import tls_context
        from ..core.sync import server_name

        config = self.library.config
        assert config.sync is not None
        server = server_name(config.sync)
        try:
            if self._syncer is None:
                # Reading the CA bundle takes 0.05-0.3 s; read once per process, not on the loop.
                await asyncio.to_thread(tls_context, config.fetch.trust_env)
                network = await self.refresher.shared()
                # The password command may take a moment (a password manager): not on the loop.
                self._syncer = await asyncio.to_thread(network.syncer)
            report = await self._syncer.run()
        except WartaError as error:
            last_ok = (await asyncio.to_thread(self.library.sync_status))[0].last_ok
            when = time.strftime("%H:%M", time.localtime(last_ok)) if last_ok else "never"
            self.refresher.drop_progress()  # its merges' progress must not cover the outcome
            self.app.post_message(SyncFailed(server, f"{error} (last good sync: {when})"))
        else:
            self.refresher.drop_progress()
            self.app.post_message(SyncFinished(report))
        finally:
            self._busy = False

    async def close(self) -> None:
        if self._syncer is not None:
            await self._syncer.backend.aclose()
