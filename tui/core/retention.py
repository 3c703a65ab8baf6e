"""Retention: what ``warta gc`` removes from the data dir, and a sentence saying what it did.

Age is counted from the later of an article's publication and its fetch, so an article fetched
today with an old (or bogus) date is not deleted at once — and re-added by the next refresh
while its feed still carries it. ``keep_days`` applies to read and unread articles alike: an
article nobody opened in ``keep_days`` is not coming back to be read, and keeping unread ones
would let a busy feed grow the cache without bound. Starred articles are kept (by default)
however old. ``keep_days = 0`` (the default) keeps every article: it removes nothing by age.
Raw pages go with their articles; the rest are then trimmed, oldest stored first, to
``raw_budget_bytes``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from .query import kept_until
from .store import Store

DAY = 86400.0
_BATCH = 1000


@dataclass(frozen=True, slots=True)
class GcSummary:
    """What one ``collect_garbage`` run did."""

    keep_days: float
    keep_starred: bool
    articles_removed: int
    unread_removed: int
    starred_kept: int  # older than keep_days but starred, so kept
    raw_pages_removed: int  # trimmed to the budget (pages of removed articles not counted)
    raw_bytes_freed: int  # all raw bytes freed, with the removed articles' pages
    articles_remaining: int

    def describe(self) -> str:
        """One line for the CLI: what went, what was kept, what is left."""
        days = f"{self.keep_days:g} day" + ("" if self.keep_days == 1 else "s")
        noun = "article" if self.articles_removed == 1 else "articles"
        if self.keep_days:
            text = f"removed {self.articles_removed:,} {noun} older than {days}"
        else:
            text = "kept every article (keep_days = 0 keeps them forever)"
        notes = []
        if self.unread_removed:
            notes.append(f"{self.unread_removed:,} of them unread")
        if self.keep_starred and self.keep_days:
            notes.append(f"{self.starred_kept:,} starred kept" if self.starred_kept else "starred kept")
        if notes:
            text += f" ({', '.join(notes)})"
        text += f", {_size(self.raw_bytes_freed)} of raw pages"
        if self.raw_pages_removed:
            text += f" ({self.raw_pages_removed:,} trimmed to the budget)"
        remain = "article remains" if self.articles_remaining == 1 else "articles remain"
        return f"{text}; {self.articles_remaining:,} {remain}"


def collect_garbage(store: Store, *, keep_days: float, keep_starred: bool = True,
                    raw_budget_bytes: int | None = None, now: float | None = None) -> GcSummary:
    """Delete articles older than ``keep_days`` and trim raw pages to ``raw_budget_bytes``."""
    if keep_days < 0:
        raise ValueError("keep_days must be 0 or more")
    now = time.time() if now is None else now
    starred_kept, doomed = 0, []
    if keep_days:  # 0 keeps forever: nothing is old
        cutoff = now - keep_days * DAY
        starred_kept = len(store.rowids(kept_until(cutoff, starred=True))) if keep_starred else 0
        doomed = store.summaries(store.rowids(kept_until(cutoff, starred=False if keep_starred else None)))
    raw_before = store.raw_size()
    removed = 0
    for start in range(0, len(doomed), _BATCH):
        removed += store.delete_articles(s.id for s in doomed[start : start + _BATCH])
    trimmed = store.trim_raw(raw_budget_bytes) if raw_budget_bytes is not None else 0
    return GcSummary(
        keep_days=keep_days,
        keep_starred=keep_starred,
        articles_removed=removed,
        unread_removed=sum(1 for s in doomed if not s.read),
        starred_kept=starred_kept,
        raw_pages_removed=trimmed,
        raw_bytes_freed=max(0, raw_before - store.raw_size()),
        articles_remaining=store.count(),
    )


def _size(count: int) -> str:
    """Bytes for people, in decimal units: "312 MB"."""
    if count < 1000:
        return f"{count:,} bytes"
    value = float(count)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1000
        if value < 1000 or unit == "TB":
            break
    return f"{value:,.0f} {unit}" if value >= 10 else f"{value:.1f} {unit}"
