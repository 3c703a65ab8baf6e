"""Sync with the feed servers people already run (Google Reader API, Fever), offline-first.

``open_sync`` wires one sync for the CLI or the app: the password from its command or
environment variable, the API client, the journal registered on the store, the engine.
Everything works without the server; a sync that fails leaves every pending change queued.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..config import Config, SyncConfig
from ..refresh import Refresher
from ..store import Store
from .backend import Backend
from .engine import SyncReport, Syncer
from .errors import SyncError, SyncSetupError
from .fever import FeverBackend
from .greader import GReaderBackend
from .http import ApiHttp
from .journal import SyncJournal
from .ledger import Ledger, SyncStatus
from .secret import sync_password

__all__ = ["SyncError", "SyncJournal", "SyncReport", "SyncStatus", "Syncer", "attach_journal",
           "make_backend", "open_sync", "sync_status"]


def attach_journal(store: Store) -> SyncJournal:
    """Register the sync journal on ``store`` (once); every state change is journaled from now."""
    for journal in store.journals:
        if isinstance(journal, SyncJournal):
            return journal
    journal = SyncJournal(store)
    store.journals.append(journal)
    return journal


def make_backend(sync: SyncConfig, config: Config, password: str, **http_options: object) -> Backend:
    http = ApiHttp(sync.url, config.fetch, **http_options)  # type: ignore[arg-type]
    if sync.api == "fever":
        return FeverBackend(http, sync.user, password)
    return GReaderBackend(http, sync.user, password, max_items=sync.max_items)


def server_name(sync: SyncConfig) -> str:
    return urlsplit(sync.url).netloc or sync.url


def open_sync(config: Config, store: Store, refresher: Refresher, **http_options: object) -> Syncer:
    """A ``Syncer`` for ``config.sync``; ``SyncSetupError`` when there is no [sync] or no password."""
    sync = config.sync
    if sync is None:
        raise SyncSetupError("sync: no [sync] section in the config (see config.example.toml)")
    backend = make_backend(sync, config, sync_password(sync), **http_options)
    return Syncer(store, backend, refresher, attach_journal(store),
                  account=f"{sync.api}|{sync.url}|{sync.user}", server=server_name(sync))


def sync_status(store: Store) -> tuple[SyncStatus, int]:
    """The last sync's outcome and how many changes wait for the server."""
    return Ledger(store).status(), SyncJournal(store).count()
