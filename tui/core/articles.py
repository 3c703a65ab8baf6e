"""From extraction results and feed entries to the records the store keeps.

One place decides an article's id, site, dates, fingerprint and auto-tags, so the demo, the
refresh and ``warta add`` all make the same record from the same page.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Sequence
from datetime import datetime, UTC

from .config import TagRule
from .models import Article, ArticleRecord
from .sanitize import sanitize_line
from .urls import article_id, site_of

_WORD = re.compile(r"\w+")
_TAG_SEPARATORS = re.compile(r"[\s_-]+")
_FUTURE_SLACK = 86400.0
FINGERPRINT_MIN_WORDS = 50
FINGERPRINT_WORDS = 200


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
        parsed = parsed.replace(tzinfo=UTC)
    try:
        stamp = parsed.timestamp()
    except (OverflowError, OSError, ValueError):
        return fallback
    return clamp_timestamp(stamp, fallback=fallback)


def clamp_timestamp(stamp: float | None, *, fallback: float) -> float:
    if stamp is None or stamp <= 0:
        return fallback
    return min(stamp, time.time() + _FUTURE_SLACK)


def fingerprint(article: Article) -> str:
    """A hash of the article's headline and opening words: equal for one story served under two
    URLs. The headline counts because pages of one site can open alike for 200 words (a series'
    recap, a long shared standfirst) and still be different stories; a merge would delete one."""
    words: list[str] = []
    for block in article.blocks:  # the opening words only: no word spans two blocks of the text
        if block.kind != "image":
            words += _WORD.findall(block.text.casefold())
            if len(words) >= FINGERPRINT_WORDS:
                break
    if len(words) < FINGERPRINT_MIN_WORDS:
        return ""  # short texts ("Subscribe to read") would merge unrelated pages
    headline = " ".join(_WORD.findall(article.title.casefold()))
    text = headline + "\n" + " ".join(words[:FINGERPRINT_WORDS])
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def tag_key(tag: str) -> str:
    """Tags that differ only in case or separators are one tag ("Open-Source" = "open source")."""
    return _TAG_SEPARATORS.sub(" ", tag.casefold()).strip()


def with_article(record: ArticleRecord, article: Article, final_url: str) -> ArticleRecord:
    """``record`` upgraded to full text from ``article``."""
    known = {tag_key(tag) for tag in record.feed_tags}
    return record.with_changes(
        status="full", error="", article=article,
        page_tags=tuple(tag for tag in article.tags if tag_key(tag) not in known),
        site=sanitize_line(article.site_name) or site_of(final_url) or record.site,
        byline=sanitize_line(article.byline) or record.byline, lang=article.lang or record.lang,
        title=record.title or sanitize_line(article.title), fingerprint=fingerprint(article))


def record_from_article(
    article: Article,
    *,
    url: str,
    fetched: float,
    feeds: Sequence[str] = (),
    feed_tags: Sequence[str] = (),
    published: float | None = None,
) -> ArticleRecord:
    """The stored record of a page fetched and extracted outside any feed (demo, CLI)."""
    record = ArticleRecord(
        id=article_id(url),
        url=url,
        title=sanitize_line(article.title) or url,
        published=parse_timestamp(article.published, fallback=published or fetched),
        fetched=fetched,
        feeds=tuple(feeds),
        feed_tags=tuple(feed_tags),
    )
    return with_article(record, article, url)


def apply_rules(record: ArticleRecord, rules: Sequence[TagRule]) -> ArticleRecord:
    """Add the auto-tags whose rule matches the record's title, URL or site."""
    tags = list(record.feed_tags)
    for rule in rules:
        value = {"title": record.title, "url": record.url, "site": record.site}[rule.field]
        if rule.tag not in tags and rule.pattern.search(value):
            tags.append(rule.tag)
    return record if len(tags) == len(record.feed_tags) else record.with_changes(feed_tags=tuple(tags))
