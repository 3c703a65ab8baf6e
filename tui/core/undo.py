"""The session's undo stack: what the user changed, newest last; an undo is one more change.

Each entry holds the ``StateChange`` reports of one user action (a key press that marked,
starred, tagged or marked many read) or a feed that was unsubscribed. Undoing puts the
``before`` values back through ``Library.change`` — so an undo is saved, journaled and synced
like any other change — grouping the articles that had the same before values, so undoing a
mark-all-read of 100,000 articles is one bulk change, not 100,000.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .changes import StateChange
from .library import Library
from .models import Feed


@dataclass(frozen=True, slots=True)
class Undone:
    """What ``UndoStack.undo`` did: the action's label, and the changes it saved (to repaint)."""

    label: str
    changes: tuple[StateChange, ...] = ()
    feed: Feed | None = None  # subscribed again


@dataclass(frozen=True, slots=True)
class _Entry:
    label: str
    changes: tuple[StateChange, ...] = ()
    feed: Feed | None = None


class UndoStack:
    """Many levels (``limit`` actions), for the session."""

    def __init__(self, library: Library, limit: int = 500) -> None:
        self.library = library
        self.limit = limit
        self._entries: list[_Entry] = []

    def __len__(self) -> int:
        return len(self._entries)

    def push(self, label: str, changes: Sequence[StateChange]) -> None:
        """Remember a user action; changes that changed nothing (or only a reading position)
        are not worth an undo."""
        kept = tuple(c for c in changes if c.changed_ids and c.fields_changed() - {"position"})
        if kept:
            self._append(_Entry(label, kept))

    def push_unsubscribe(self, label: str, feed: Feed) -> None:
        self._append(_Entry(label, feed=feed))

    def _append(self, entry: _Entry) -> None:
        self._entries.append(entry)
        del self._entries[: max(0, len(self._entries) - self.limit)]

    @property
    def next_label(self) -> str | None:
        return self._entries[-1].label if self._entries else None

    def undo(self) -> Undone | None:
        """Undo the newest action (None: nothing left). On an error the action stays on the
        stack and the error is raised (the caller says it)."""
        if not self._entries:
            return None
        entry = self._entries[-1]
        if entry.feed is not None:
            self.library.subscribe(entry.feed)
            self._entries.pop()
            return Undone(entry.label, feed=entry.feed)
        saved: list[StateChange] = []
        for change in reversed(entry.changes):
            saved.extend(restore(self.library, change))
        self._entries.pop()
        return Undone(entry.label, tuple(saved))


def restore(library: Library, change: StateChange) -> list[StateChange]:
    """Put back the ``before`` values of the fields ``change`` changed, one ``change()`` per
    group of articles that had the same values."""
    fields = sorted(change.fields_changed() - {"position"})
    groups: dict[tuple[object, ...], list[str]] = {}
    # The before states of a bulk change are a few shared objects (the store decodes equal
    # rows once): their values are read once per object, not once per article.
    values_of: dict[int, list[str]] = {}
    before = change.before
    for article_id in change.changed_ids:
        state = before[article_id]
        ids = values_of.get(id(state))
        if ids is None:
            ids = values_of[id(state)] = groups.setdefault(
                tuple(getattr(state, name) for name in fields), [])
        ids.append(article_id)
    return [library.change(ids, **dict(zip(fields, values))) for values, ids in groups.items()]
