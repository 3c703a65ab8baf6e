"""Site furniture: paragraphs one site repeats under many of its articles, dropped on display.

The stored article stays as extracted; only what the reader shows is filtered, so a wrong guess
is never baked into the cache. Worked out once per site per session, from that site's newest
articles, and forgotten when new articles of the site arrive.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from .models import ArticleRecord, Block
from .render import body_blocks
from .store import Store

SAMPLE_SIZE = 40  # newest articles of a site looked at; enough to see what repeats
MIN_ARTICLES = 3


class SiteFurniture:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._by_site: dict[str, set[str]] = {}
        self._lock = threading.Lock()  # the app works sites out on a thread

    def known(self, site: str) -> set[str] | None:
        """The site's furniture if already worked out, else None (without doing the work)."""
        with self._lock:
            return self._by_site.get(site)

    def for_site(self, site: str) -> set[str]:
        found = self.known(site)
        if found is None:
            found = self._compute(site)
            with self._lock:
                self._by_site[site] = found
        return found

    def _compute(self, site: str) -> set[str]:
        from .extract.boilerplate import furniture_paragraphs

        ids = self._store.site_article_ids(site, limit=SAMPLE_SIZE)
        if len(ids) < MIN_ARTICLES:
            return set()
        texts = []
        for article_id in ids:
            record = self._store.get_article(article_id)
            if record is not None and record.article is not None:
                texts.append([block.text for block in record.article.blocks])
        return furniture_paragraphs(texts, min_articles=MIN_ARTICLES)

    def forget(self, sites: Iterable[str]) -> None:
        with self._lock:
            for site in sites:
                self._by_site.pop(site, None)

    def forget_all(self) -> None:
        with self._lock:
            self._by_site.clear()

    def blocks(self, record: ArticleRecord, furniture: set[str] | None = None) -> tuple[Block, ...]:
        """The blocks the reader shows for ``record``: its own, without the site's furniture
        (``furniture`` as given, else worked out now)."""
        if record.article is None:
            return body_blocks(record)
        from .extract.boilerplate import drop_furniture

        found = self.for_site(record.site) if furniture is None else furniture
        return drop_furniture(record.article, found).blocks or body_blocks(record)
