"""What the main screen and the app say to each other (``tui/app/messages.py``), recorded.

The recording app notes every message of ours that is posted to it and to its main screen, on
the real flows: a refresh, a feed refreshed from the list, an address added, a full disk, a
browser that cannot start, another process writing. The assertions are on the types and their
payloads: the contract between screen and app, not what either draws.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import pytest
from textual.message import Message
from textual.screen import Screen

from tests.disks import fill, tmpfs
from tests.server import TestServer
from tui.app import app as app_module
from tui.app import messages
from tui.app.app import WartaApp
from tui.core.config import Config, FetchConfig, RefreshConfig
from tui.core.browser import NoBrowserError
from tui.core.library import Library
from tui.core.models import Feed
from tui.core.store import Store
from tui.core.urls import article_id

from ..conftest import make_record
from .test_refresh import publish, wait_for

M = TypeVar("M", bound=Message)


class RecordingApp(WartaApp):
    """The real app; every message from ``messages.py`` posted to it or to the main screen is
    kept, in order, with where it went."""

    CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))  # it is found beside the class
    LIVE_POLL_INTERVAL = 0.1

    def __init__(self, library: Library, **options: Any) -> None:
        super().__init__(library, **options)
        self.to_app: list[Message] = []
        self.to_main: list[Message] = []

    def post_message(self, message: Message) -> bool:
        if _ours(message):
            self.to_app.append(message)
        return super().post_message(message)

    def install_screen(self, screen: Screen[Any], name: str) -> None:
        if name == "main":
            post = screen.post_message

            def recorded(message: Message) -> bool:
                if _ours(message):
                    self.to_main.append(message)
                return post(message)

            screen.post_message = recorded  # type: ignore[method-assign]
        super().install_screen(screen, name)

    def sent_to_app(self, kind: type[M]) -> list[M]:
        return [m for m in self.to_app if isinstance(m, kind)]

    def sent_to_main(self, kind: type[M]) -> list[M]:
        return [m for m in self.to_main if isinstance(m, kind)]


def _ours(message: Message) -> bool:
    return type(message).__module__ == messages.__name__


def recording_app(store: Store, *feeds: str, **config: Any) -> RecordingApp:
    settings = Config(feeds=tuple(Feed(url=url, name=url.rsplit("/", 1)[-1]) for url in feeds),
                      fetch=FetchConfig(min_delay=0, retries=0, workers=1),
                      refresh=RefreshConfig(on_start=False, interval_minutes=0))
    return RecordingApp(Library(store, replace(settings, **config)))


def ids_of(server: TestServer, name: str, count: int) -> set[str]:
    return {article_id(server.url(f"/{name}/a{n}")) for n in range(count)}


async def test_a_refresh_the_app_runs_tells_the_screen_what_arrived(server: TestServer, store: Store) -> None:
    url = publish(server, "keepers", 2)
    app = recording_app(store, url)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("r")  # the app's own key: no request from the screen
        await wait_for(pilot, lambda: bool(app.sent_to_app(messages.RefreshFinished)))
        await wait_for(pilot, lambda: any("Refreshed" in m.text for m in app.sent_to_main(messages.Activity)))
        assert not app.sent_to_app(messages.RefreshRequested)
        finished = app.sent_to_app(messages.RefreshFinished)
        assert len(finished) == 1 and finished[0].progress.new_articles == 2
        assert finished[0].progress.errors == ()
        arrived = set().union(*(m.article_ids for m in app.sent_to_app(messages.ArticlesArrived)))
        assert arrived == ids_of(server, "keepers", 2)
        changed = app.sent_to_main(messages.ArticlesChanged)
        assert changed and set().union(*(m.article_ids or () for m in changed)) == arrived
        activity = [m.text for m in app.sent_to_main(messages.Activity)]
        assert activity[-1].startswith("Refreshed 1 feed") and "2 new" in activity[-1], activity

        # R on an article of that feed: the screen asks the app, naming the feed
        await wait_for(pilot, lambda: len(app.main.article_list.rowids) == 2)
        await pilot.press("R")
        await wait_for(pilot, lambda: len(app.sent_to_app(messages.RefreshFinished)) == 2)
        requested = app.sent_to_app(messages.RefreshRequested)
        assert len(requested) == 1 and [feed.url for feed in requested[0].feeds or ()] == [url]
        assert app.sent_to_app(messages.RefreshFinished)[-1].progress.feeds_total == 1


async def test_an_address_typed_in_is_asked_for_and_its_articles_arrive(server: TestServer,
                                                                        store: Store) -> None:
    url = publish(server, "harbour", 3)
    app = recording_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("a", *url, "enter")
        await wait_for(pilot, lambda: bool(app.sent_to_app(messages.RefreshFinished)))
        assert [m.url for m in app.sent_to_app(messages.AddRequested)] == [url]
        added = app.sent_to_app(messages.SourceAdded)
        assert len(added) == 1 and added[0].result.feed is not None
        assert added[0].result.feed.url == url and not added[0].result.known
        # the finished refresh's summary comes after the last arrivals are passed on
        await wait_for(pilot, lambda: any("Refreshed" in m.text for m in app.sent_to_main(messages.Activity)))
        changed = set().union(*(m.article_ids or () for m in app.sent_to_main(messages.ArticlesChanged)))
        assert changed == ids_of(server, "harbour", 3)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path | None]:
    """A 1 MiB tmpfs (a real ENOSPC) when we may mount one (root); None otherwise."""
    with tmpfs(tmp_path / "disk", "1m") as mounted:
        yield tmp_path / "disk" if mounted else None


async def test_a_full_disk_queues_changes_and_the_next_write_flushes_them(
        small_disk: Path | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open((small_disk or tmp_path) / "data")
    store.put_articles([make_record(n) for n in range(1, 6)])
    app = recording_app(store)
    app.SAVE_RETRY_INTERVAL = 3600  # only the next write saves the queue
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            if small_disk is not None:
                fill(small_disk)
            else:  # no mount allowed: the store refuses as a full disk does (a stand-in)
                from tui.core.errors import DiskFullError

                def full(*_: object, **__: object) -> None:
                    raise DiskFullError("disk full — not saving; reading continues")
                monkeypatch.setattr(Store, "update_states", full)
            await pilot.press("m", "j", "s")
            await wait_for(pilot, lambda: len(app.sent_to_app(messages.ChangesQueued)) == 2)
            assert not app.sent_to_app(messages.QueueFlushed)
            if small_disk is not None:
                (small_disk / "filler").unlink()
            monkeypatch.undo()
            await pilot.press("j", "m")
            await wait_for(pilot, lambda: bool(app.sent_to_app(messages.QueueFlushed)))
            assert [m.count for m in app.sent_to_app(messages.QueueFlushed)] == [2]
            assert len(app.sent_to_app(messages.ChangesQueued)) == 2  # none for the write that worked
    finally:
        store.close()


async def test_a_browser_that_cannot_start_is_one_failure_for_the_app(store: Store) -> None:
    store.put_articles([make_record(1)])
    # A terminal browser that is on PATH everywhere (w3m is not on every machine): what fails
    # is handing it the terminal, which a headless run does not have.
    app = recording_app(store, browser="cat", browser_in_terminal=True)
    async with app.run_test(size=(100, 30)) as pilot:  # headless: no terminal to hand over
        await pilot.pause()
        await pilot.press("o")
        await wait_for(pilot, lambda: bool(app.sent_to_app(messages.Failed)))
        failed = app.sent_to_app(messages.Failed)
        assert len(failed) == 1 and isinstance(failed[0].error, NoBrowserError)
        assert "cannot hand the terminal to cat" in str(failed[0].error)
        await wait_for(pilot, lambda: any("cannot hand the terminal" in str(n.message)
                                          for n in app._notifications))


async def test_what_another_writer_saved_reaches_the_screen_as_unknown_changes(store: Store) -> None:
    store.put_articles([make_record(1)])
    app = recording_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert not app.sent_to_main(messages.ArticlesChanged)
        with Store.open(store.data_dir) as other:  # a second handle, as `warta fetch` has
            other.put_articles([make_record(2)])
        await wait_for(pilot, lambda: bool(app.sent_to_main(messages.ArticlesChanged)))
        assert [m.article_ids for m in app.sent_to_main(messages.ArticlesChanged)][:1] == [None]
        await wait_for(pilot, lambda: len(app.main.article_list.rowids) == 2)
