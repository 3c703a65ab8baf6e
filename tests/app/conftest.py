"""App fixtures: the real app over a real data dir, seeded through the real extraction path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.app.app import WartaApp
from tui.core.config import Config
from tui.core.demo import seed_demo
from tui.core.store import Store

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
def app(demo_store: Store) -> WartaApp:
    return WartaApp(demo_store, Config())
