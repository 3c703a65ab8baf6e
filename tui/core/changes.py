"""``StateChange``: what one change of user state did, article by article.

The library reports it, the journals (undo, sync) record it and the screens repaint from it; it
lives on its own so that they can all name it without importing each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .models import ArticleState
from .store import StateDiff, changed_fields


@dataclass(frozen=True, slots=True)
class StateChange:
    """What one ``change()`` did: each article's state before and after.

    ``queued`` is True when the disk was full: the change is shown as done and saved later;
    ``flushed`` counts the articles whose earlier queued changes were saved along with this one.
    Undo is another ``change()`` with the ``before`` values.
    """

    ids: tuple[str, ...]
    before: Mapping[str, ArticleState]
    after: Mapping[str, ArticleState]
    queued: bool = False
    flushed: int = 0
    # (changed_ids, fields_changed()), worked out on first use: a mark-all's report is read
    # several times (undo, repaint) and comparing 100,000 pairs each time shows.
    _summary: tuple[tuple[str, ...], frozenset[str]] | None = field(
        default=None, init=False, repr=False, compare=False)

    @property
    def changed_ids(self) -> tuple[str, ...]:
        """The articles whose state is now different."""
        return self._summarised()[0]

    def fields_changed(self, article_id: str | None = None) -> frozenset[str]:
        """The state fields (read, starred, tags, position) that changed, for one article or any."""
        if article_id is None:
            return self._summarised()[1]
        if article_id not in self.before:
            return frozenset()
        return changed_fields(self.before[article_id], self.after[article_id])

    @classmethod
    def _of(cls, ids: tuple[str, ...], diff: StateDiff) -> StateChange:
        """The report of a store change, with what changed already worked out there."""
        change = cls(ids, diff.before, diff.after)
        object.__setattr__(change, "_summary", (diff.changed, diff.fields))
        return change

    def _replaced(self, **changes: Any) -> StateChange:
        """``dataclasses.replace`` keeping what was worked out."""
        change = replace(self, **changes)
        object.__setattr__(change, "_summary", self._summary)
        return change

    def _summarised(self) -> tuple[tuple[str, ...], frozenset[str]]:
        if self._summary is None:
            # Pairs of the same two state objects (most of a bulk change) are compared once;
            # the entry holds both, so their ids cannot be reused meanwhile.
            verdicts: dict[tuple[int, int], tuple[object, object, frozenset[str]]] = {}
            changed: list[str] = []
            for article_id in self.ids:
                before, after = self.before[article_id], self.after[article_id]
                verdict = verdicts.get((id(before), id(after)))
                if verdict is None:
                    verdict = (before, after, changed_fields(before, after))
                    verdicts[(id(before), id(after))] = verdict
                if verdict[2]:
                    changed.append(article_id)
            names = frozenset().union(*(verdict[2] for verdict in verdicts.values()))
            object.__setattr__(self, "_summary", (tuple(changed), names))
        assert self._summary is not None
        return self._summary
