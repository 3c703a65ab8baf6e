"""App fixtures: the real app over a real data dir, seeded through the real extraction path."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.common import FakeOpener
from tui.app.app import WartaApp
from tui.core.library import Library
from tui.core.config import Config
from tui.core.demo import seed_demo
from tui.core.models import Article, ArticleRecord, Block
from tui.core.store import Store
from tui.core.urls import article_id

SEED_TITLE = "Mendarat, Spesialis Militer Rusia Telah Tiba di Venezuela"


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data dir, built once per session (extraction is the slow part)."""
    path = tmp_path_factory.mktemp("demo")
    with Store.open(path) as store:
        seed_demo(store)
    return path


@pytest.fixture
def demo_store(demo_template: Path, tmp_path: Path) -> Iterator[Store]:
    import shutil

    target = tmp_path / "data"
    shutil.copytree(demo_template, target)
    store = Store.open(target)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def app(demo_store: Store, opener: FakeOpener, export_dir: Path) -> WartaApp:
    return make_app(demo_store, opener=opener, export_dir=export_dir)


@pytest.fixture
def opener(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeOpener:
    monkeypatch.setenv("BROWSER", "/bin/true")
    return FakeOpener()


@pytest.fixture
def export_dir(tmp_path: Path) -> Path:
    return tmp_path / "exports"


def make_app(store: Store, config: Config | None = None, *, opener: FakeOpener | None = None,
             export_dir: Path | None = None, refresh_on_start: bool | None = None) -> WartaApp:
    return WartaApp(Library(store, config or Config()), opener=opener, export_dir=export_dir,
                    refresh_on_start=refresh_on_start)


def link_record(n: int, links: int, *, tags: tuple[str, ...] = ("news",),
                page_tags: tuple[str, ...] = ()) -> ArticleRecord:
    """A long article with ``links`` numbered links, one per paragraph."""
    url = f"https://example.org/linked/{n}"
    blocks = tuple(
        Block("paragraph", f"Paragraph {i} mentions source {i} and keeps going for a while so "
                           "that the article is long enough to scroll in a small terminal.",
              links=((0, 9, i),) if i <= links else ())
        for i in range(1, max(links, 40) + 1)
    )
    article = Article(url=url, title=f"Linked article {n}", site_name="example.org", blocks=blocks,
                      links=tuple(f"https://example.org/source/{i}" for i in range(1, links + 1)))
    return ArticleRecord(id=article_id(url), url=url, title=f"Linked article {n}", site="example.org",
                         published=time.time() - n * 60, fetched=time.time(), feed_tags=tags,
                         page_tags=page_tags, status="full", article=article)
