"""Fixtures shared by every test layer: a real data dir on disk, records to put in it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.core.models import Article, ArticleRecord, Block
from tui.core.store import Store
from tui.core.urls import article_id

pytest_plugins = ["tests.server_fixtures"]

FIXTURES = Path(__file__).parent / "fixtures"
# The seed page ships in the package for the demo; tests read that copy, not a second one.
SEED_PAGE = Path(__file__).resolve().parents[1] / "tui" / "samples" / "wartaekonomi-rusia-venezuela.html"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "data")
    try:
        yield opened
    finally:
        opened.close()


def make_record(n: int, *, title: str | None = None, tags: tuple[str, ...] = ("news",),
                site: str = "example.org", body: str | None = None, age_days: float | None = None,
                status: str = "full") -> ArticleRecord:
    """A realistic article record numbered ``n`` (newer for larger ``n`` unless ``age_days``)."""
    url = f"https://{site}/articles/{n}"
    text = body if body is not None else f"Paragraph about topic {n}. " * 20
    article = Article(url=url, title=title or f"Article number {n}", site_name=site,
                      blocks=(Block("paragraph", text),)) if status == "full" else None
    published = time.time() - (age_days * 86400 if age_days is not None else (1000 - n) * 60)
    return ArticleRecord(id=article_id(url), url=url, title=title or f"Article number {n}",
                         site=site, published=published, fetched=time.time(), feed_tags=tags,
                         status=status, summary="" if article else text, article=article)  # type: ignore[arg-type]
