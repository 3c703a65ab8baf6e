"""From extraction results and feed entries to the records the store keeps.

One place decides an article's id, site, dates, fingerprint and auto-tags, so the demo, the
refresh and ``warta add`` all make the same record from the same page.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Sequence
from datetime import datetime, timezone

from .config import TagRule
from .models import Article, ArticleRecord
from .sanitize import sanitize_line
from .urls import article_id, site_of

_WORD = re.compile(r"\w+")
_FUTURE_SLACK = 86400.0


def parse_timestamp(value: str | None, *, fallback: float) -> float:
    """An ISO 8601 date as a Unix timestamp; missing or garbage -> ``fallback``;
    future -> clamped to one day from now."""
    if not value:
        return fallback
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return fallback
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        stamp = parsed.timestamp()
    except (OverflowError, OSError, ValueError):
        return fallback
    return clamp_timestamp(stamp, fallback=fallback)


def clamp_timestamp(stamp: float | None, *, fallback: float) -> float:
    if stamp is None or stamp <= 0:
        return fallback
    return min(stamp, time.time() + _FUTURE_SLACK)


def fingerprint(text: str) -> str:
    """Identity of a story's text, whatever URL carries it: a hash of its first 200 words."""
    words = _WORD.findall(text.lower())[:200]
    if len(words) < 30:
        return ""  # too short to tell two stories apart
    return hashlib.sha256(" ".join(words).encode()).hexdigest()[:20]


def record_from_article(
    article: Article,
    *,
    url: str,
    fetched: float,
    feeds: Sequence[str] = (),
    feed_tags: Sequence[str] = (),
    published: float | None = None,
    summary: str = "",
    title: str = "",
) -> ArticleRecord:
    """The stored record of a page that was fetched and extracted."""
    return ArticleRecord(
        id=article_id(url),
        url=url,
        title=sanitize_line(article.title or title) or url,
        site=sanitize_line(article.site_name) or site_of(url),
        published=parse_timestamp(article.published, fallback=published or fetched),
        fetched=fetched,
        feeds=tuple(feeds),
        feed_tags=tuple(feed_tags),
        page_tags=tuple(t for t in article.tags if t not in feed_tags),
        lang=article.lang or "",
        byline=sanitize_line(article.byline),
        summary=summary,
        status="full",
        fingerprint=fingerprint(article.text),
        article=article,
    )


def apply_rules(record: ArticleRecord, rules: Sequence[TagRule]) -> ArticleRecord:
    """Add the auto-tags whose rule matches the record's title, URL or site."""
    tags = list(record.feed_tags)
    for rule in rules:
        value = {"title": record.title, "url": record.url, "site": record.site}[rule.field]
        if rule.tag not in tags and rule.pattern.search(value):
            tags.append(rule.tag)
    return record if len(tags) == len(record.feed_tags) else record.with_changes(feed_tags=tuple(tags))
