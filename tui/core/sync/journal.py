"""The journal: every local change the server has not confirmed yet, kept on disk.

Entries are absolute ("article X: read = true"), never toggles, and coalesced: one entry per
article and field holding the wanted value and the value the server last had (``base``);
a change back to ``base`` removes the entry (opposites cancel). An entry leaves only when the
server confirmed that very value (``confirm`` compares before it deletes, so a change made
while a push was under way stays).

The journal lives in the store's state cache and is written inside the same transaction as
the state change it describes (``Store.journals``), so kill -9 or a full disk can lose either
both or neither — and a full disk loses neither, because the store keeps the change queued
and journals it when it is finally saved.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..models import ArticleState, Feed
from ..store import Store

if TYPE_CHECKING:
    from ..changes import StateChange

_STATE = "j:s:"
_FEED = "j:f:"
_MARK_ALL = "j:m:"


@dataclass(frozen=True, slots=True)
class Change:
    """One pending change. ``field`` is "read", "starred" or "tag:<name>" for articles."""

    key: str
    kind: str  # "state" | "feed" | "mark_all"
    value: Any
    article_id: str = ""
    field: str = ""
    feed_url: str = ""
    data: dict[str, Any] | None = None


def _field_changes(before: ArticleState, after: ArticleState) -> dict[str, tuple[bool, bool]]:
    """The synced fields that differ: "read", "starred", "tag:<name>" -> (before, after)."""
    changes: dict[str, tuple[bool, bool]] = {}
    if before == after:
        return changes
    for name in ("read", "starred"):
        if getattr(before, name) != getattr(after, name):
            changes[name] = (getattr(before, name), getattr(after, name))
    old_tags, new_tags = set(before.tags), set(after.tags)
    for tag in new_tags - old_tags:
        changes["tag:" + tag] = (False, True)
    for tag in old_tags - new_tags:
        changes["tag:" + tag] = (True, False)
    return changes


class SyncJournal:
    """A ``StateJournal`` for the store: register with ``store.journals.append(journal)``."""

    def __init__(self, store: Store, clock: Any = time.time) -> None:
        self.store = store
        self.clock = clock
        self._seq = itertools.count()

    # -- recording (inside the store's state transaction) ------------------------------------

    def record_state(self, article_id: str, before: ArticleState, after: ArticleState) -> None:
        self.record_states([(article_id, before, after)])

    def record_states(self, states: Sequence[tuple[str, ArticleState, ArticleState]]) -> None:
        """``record_state`` of a bulk change (mark all read), coalesced in one read and write."""
        changes: dict[str, tuple[bool, bool]] = {}
        for article_id, before, after in states:
            for name, pair in _field_changes(before, after).items():
                changes[f"{_STATE}{article_id}|{name}"] = pair
        if changes:
            self._coalesce(changes)

    def record_subscription(self, url: str, feed: Feed | None) -> None:
        wanted = feed is not None
        self._coalesce({_FEED + url: (not wanted, wanted)},
                       extra={"feed": feed.to_json() if feed is not None else None})

    def record_mark_all(self, seen_article_ids: Sequence[str], *, feed_url: str | None = None,
                        tag: str | None = None) -> None:
        """Mark-all-read of a feed, a tag or everything, as far as the articles the user saw:
        the server's bulk call gets the newest of them, so an item that arrived unseen stays
        unread there. (The articles' own read marks are journaled one by one as well.)"""
        key = f"{_MARK_ALL}{self.clock():017.6f}-{next(self._seq)}"
        self.store.sync_set({key: {"v": True, "feed": feed_url, "tag": tag,
                                   "seen": list(seen_article_ids), "at": self.clock()}})

    def record(self, change: StateChange) -> None:
        """The library's hook, told of each change whole: marking unread what a mark-all
        covered (its undo) takes back that bulk call if it is not sent yet, so the server does
        not mark read what the user wants unread. The marks themselves are journaled one by one
        by ``record_state``."""
        unread = {i for i in change.changed_ids if change.before[i].read and not change.after[i].read}
        if not unread:
            return
        taken_back = {key: None for key, entry in self.store.sync_items(_MARK_ALL)
                      if isinstance(entry, dict) and unread & set(entry.get("seen") or ())}
        if taken_back:
            self.store.sync_set(taken_back)

    def _coalesce(self, changes: dict[str, tuple[bool, bool]], extra: dict[str, Any] | None = None) -> None:
        writes: dict[str, Any] = {}
        entries = self.store.sync_get_many(list(changes))
        now = self.clock()
        for key, (before, after) in changes.items():
            entry = entries.get(key)
            base = entry["b"] if isinstance(entry, dict) and "b" in entry else before
            if after == base:
                writes[key] = None  # back to what the server has: nothing to send
            else:
                writes[key] = {"v": after, "b": base, "at": now, **(extra or {})}
        self.store.sync_set(writes)

    # -- reading ------------------------------------------------------------------------------

    def pending(self) -> list[Change]:
        changes = []
        for key, entry in self.store.sync_items("j:"):
            if not isinstance(entry, dict):
                continue
            if key.startswith(_STATE):
                article_id, _, field = key[len(_STATE):].partition("|")
                changes.append(Change(key, "state", entry.get("v"), article_id=article_id, field=field))
            elif key.startswith(_FEED):
                changes.append(Change(key, "feed", entry.get("v"), feed_url=key[len(_FEED):],
                                      data=entry))
            elif key.startswith(_MARK_ALL):
                changes.append(Change(key, "mark_all", True, data=entry))
        return changes

    def pending_fields(self) -> dict[str, set[str]]:
        """article id -> the fields with a change the server has not confirmed."""
        fields: dict[str, set[str]] = {}
        for key, _entry in self.store.sync_items(_STATE):
            article_id, _, field = key[len(_STATE):].partition("|")
            fields.setdefault(article_id, set()).add(field)
        return fields

    def pending_feeds(self) -> set[str]:
        return {key[len(_FEED):] for key, _ in self.store.sync_items(_FEED)}

    def count(self) -> int:
        return sum(1 for _ in self.store.sync_items("j:"))

    # -- leaving ------------------------------------------------------------------------------

    def confirm(self, changes: Iterable[Change]) -> int:
        """The server applied ``changes``: drop each entry that still wants the value sent."""
        dropped = 0
        with self.store.state_transaction():
            writes: dict[str, Any] = {}
            for change in changes:
                entry = self.store.sync_get(change.key)
                if isinstance(entry, dict) and entry.get("v") == change.value \
                        and (change.kind != "mark_all" or entry.get("at") == (change.data or {}).get("at")):
                    writes[change.key] = None
                    dropped += 1
            self.store.sync_set(writes)
        return dropped

    def discard(self, changes: Iterable[Change]) -> None:
        """Drop changes that can never be sent (a local-only article, a tag Fever cannot keep)."""
        self.store.sync_set({change.key: None for change in changes})
