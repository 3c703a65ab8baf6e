"""What Warta knows about the server: which of its items is which article, which of its feeds
is which subscription, and how the last sync went. Kept in the state cache (never evicted).

``i:<server item id>`` -> ``{"a": article id, "f": feed stream, "u": crawl time in µs,
"t": when it arrived}``; ``a:<article id>`` -> server item id; ``feed:<url>`` -> stream;
``status`` -> the last sync's outcome; ``account`` -> which server and user this is for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..store import Store
from .backend import Snapshot


@dataclass(frozen=True, slots=True)
class SyncStatus:
    last_ok: float = 0.0
    last_try: float = 0.0
    last_error: str = ""
    last_summary: str = ""


class Ledger:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- the account: another server or user means the ids mean nothing ----------------------

    def check_account(self, account: str) -> bool:
        """Forget the server's ids if they belong to another server/user; True if it did."""
        if self.store.sync_get("account") == account:
            return False
        stale = {key: None for prefix in ("i:", "a:", "feed:", "snapshot")
                 for key, _ in self.store.sync_items(prefix)}
        self.store.sync_set({**stale, "account": account})
        return bool(stale)

    # -- items --------------------------------------------------------------------------------

    def items(self) -> dict[str, dict[str, Any]]:
        """Server item id -> its record, for every item seen."""
        return {key[2:]: value for key, value in self.store.sync_items("i:") if isinstance(value, dict)}

    def server_id(self, article_id: str) -> str | None:
        value = self.store.sync_get("a:" + article_id)
        return value if isinstance(value, str) else None

    def add_items(self, records: dict[str, dict[str, Any]]) -> None:
        writes: dict[str, Any] = {}
        for sid, record in records.items():
            writes["i:" + sid] = record
            writes["a:" + record["a"]] = sid
        self.store.sync_set(writes)

    def forget_items(self, sids: list[str], items: dict[str, dict[str, Any]]) -> None:
        writes: dict[str, Any] = {}
        for sid in sids:
            writes["i:" + sid] = None
            if sid in items:
                writes["a:" + items[sid]["a"]] = None
        self.store.sync_set(writes)

    # -- feeds --------------------------------------------------------------------------------

    def feeds(self) -> dict[str, str]:
        """Local feed URL -> the server's stream id, for feeds the server has."""
        return {key[5:]: value for key, value in self.store.sync_items("feed:") if isinstance(value, str)}

    def set_feeds(self, changes: dict[str, str | None]) -> None:
        self.store.sync_set({"feed:" + url: stream for url, stream in changes.items()})

    # -- the server's marks as the last sync saw them (what changed since?) -------------------

    def snapshot(self) -> tuple[float, Snapshot] | None:
        value = self.store.sync_get("snapshot")
        if not isinstance(value, dict):
            return None
        try:
            labels = value.get("labels")
            return float(value["at"]), Snapshot(
                listed=None, unread=frozenset(value["unread"]), starred=frozenset(value["starred"]),
                labels=None if labels is None else {k: frozenset(v) for k, v in labels.items()})
        except (KeyError, TypeError, ValueError, AttributeError):
            return None

    def set_snapshot(self, at: float, snapshot: Snapshot) -> None:
        labels = snapshot.labels
        self.store.sync_set({"snapshot": {
            "at": at, "unread": sorted(snapshot.unread), "starred": sorted(snapshot.starred),
            "labels": None if labels is None else {k: sorted(v) for k, v in labels.items()}}})

    # -- status -------------------------------------------------------------------------------

    def status(self) -> SyncStatus:
        value = self.store.sync_get("status")
        if not isinstance(value, dict):
            return SyncStatus()
        return SyncStatus(last_ok=float(value.get("last_ok") or 0), last_try=float(value.get("last_try") or 0),
                          last_error=str(value.get("last_error") or ""),
                          last_summary=str(value.get("last_summary") or ""))

    def set_status(self, status: SyncStatus) -> None:
        self.store.sync_set({"status": {"last_ok": status.last_ok, "last_try": status.last_try,
                                        "last_error": status.last_error,
                                        "last_summary": status.last_summary}})
