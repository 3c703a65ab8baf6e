"""What's new: the status line at start says what arrived since the last session, and is:new
lists it. The mark lives in the state store; a cron fetch between sessions, a session killed
before it ended, two sessions and the first run ever are each defined."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from tui.app.app import WartaApp
from tui.core.config import Config
from tui.core.library import Library
from tui.core.models import Feed
from tui.core.store import Store

from .conftest import link_record, make_app
from .helpers import article_list, status_text

A = Feed(url="http://127.0.0.1:9/a.xml", name="A")
B = Feed(url="http://127.0.0.1:9/b.xml", name="B")


def arrive(store: Store, numbers: range, feed: Feed, when: float) -> None:
    """Articles stored at ``when``, as a refresh (or a cron ``warta fetch``) stores them."""
    store.put_articles([replace(link_record(n, 1), feeds=(feed.url,), fetched=when)
                        for n in numbers])


async def counted(pilot, app) -> None:  # noqa: ANN001
    """Until the app has counted what is new (a worker behind the first frame) and said it."""
    await pilot.pause()
    await app.workers.wait_for_complete([w for w in app.workers if w.name == "what's new"])
    await pilot.pause()


async def session(store: Store) -> str:
    """One app session: the status line once what's new has been counted."""
    app = make_app(store)
    async with app.run_test(size=(140, 30)) as pilot:
        await counted(pilot, app)
        return status_text(app)


async def test_the_second_session_says_what_arrived_and_is_new_lists_it(store: Store) -> None:
    arrive(store, range(1, 4), A, time.time() - 3600)
    first = await session(store)
    assert "new" not in first  # the first session: everything is new, which says nothing
    later = time.time() + 5
    arrive(store, range(10, 13), A, later)
    arrive(store, range(20, 22), B, later)
    app = make_app(store)
    async with app.run_test(size=(140, 30)) as pilot:
        await counted(pilot, app)
        assert "5 new in 2 feeds since the last session" in status_text(app)
        await pilot.press("slash", *"is:new", "enter")
        await pilot.pause()
        assert len(article_list(app).rowids) == 5
        assert "new in 2 feeds" not in status_text(app)  # said once, gone with the filter


async def test_nothing_new_is_said_too(store: Store) -> None:
    arrive(store, range(1, 3), A, time.time() - 60)
    await session(store)
    assert "nothing new since the last session" in await session(store)


def test_a_cron_fetch_between_sessions_counts_and_does_not_move_the_mark(store: Store,
                                                                          tmp_path: Path) -> None:
    library = Library(store)
    library.begin_session(1000.0)
    library.end_session(2000.0)
    # another process (the CLI, as cron runs it) reads the data dir between the sessions
    store.close()
    listed = subprocess.run([sys.executable, "-m", "tui", "--data-dir", str(tmp_path / "data"),
                             "list", "is:new"], capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    reopened = Store.open(tmp_path / "data")
    try:
        assert reopened.session_mark() == 2000.0
        arrive(reopened, range(1, 3), A, 2500.0)
        arrive(reopened, range(5, 6), B, 1500.0)  # stored during the last session: seen then
        news = Library(reopened).begin_session(3000.0)
        assert (news.articles, news.feeds, news.first) == (2, 1, False)
    finally:
        reopened.close()


def test_a_killed_session_still_counts_and_the_mark_never_goes_back(store: Store) -> None:
    assert Library(store).new_since == 0.0  # first run ever: everything is new
    Library(store).begin_session(1000.0)  # ... and then killed: no end_session
    assert Library(store).new_since == 1000.0
    # two sessions at once (say, one lock-less on a read-only mount): the later end wins
    one, two = Library(store), Library(store)
    one.begin_session(2000.0)
    two.begin_session(2100.0)
    two.end_session(2200.0)
    one.end_session(2150.0)
    assert store.session_mark() == 2200.0
    assert one.new_since == 1000.0  # each session's is:new stays what it was at its start


def test_is_new_from_the_cli(store: Store, tmp_path: Path) -> None:
    arrive(store, range(1, 3), A, 500.0)
    library = Library(store)
    library.begin_session(1000.0)
    library.end_session(1000.0)
    arrive(store, range(7, 8), A, 1200.0)
    store.close()
    listed = subprocess.run([sys.executable, "-m", "tui", "--data-dir", str(tmp_path / "data"),
                             "list", "--json", "is:new"], capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.count("\n") == 1 and "Linked article 7" in listed.stdout


async def test_the_news_gives_way_to_what_is_going_on_in_a_narrow_terminal(store: Store) -> None:
    """At 80 columns the session news, a filter and a refresh's progress do not fit together:
    the news is cut, the progress and the counts are whole."""
    arrive(store, range(1, 3), A, time.time() - 3600)
    await session(store)
    arrive(store, range(10, 14), A, time.time() + 5)
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await counted(pilot, app)
        assert "4 new in 1 feed since the last session" in status_text(app)
        status = app.main.status
        status.set_activity("Rebuilding the article index: 12,000/100,000")
        await pilot.pause()
        shown = status_text(app)
        assert shown.startswith("6 articles · 6 unread · ")
        assert shown.endswith("Rebuilding the article index: 12,000/100,000")
        assert "…" in shown and len(shown) <= status.content_size.width
        status.set_activity("")  # the activity done: the news shows whole again
        await pilot.pause()
        assert "4 new in 1 feed since the last session" in status_text(app)


async def test_with_the_index_to_rebuild_what_is_new_is_counted_once_it_is_rebuilt(
        tmp_path: Path) -> None:
    """No index at start (deleted, or thrown away as damaged): the list is empty while it is
    rebuilt, so what is new is counted after the rebuild, not as "nothing new" before it."""
    data = tmp_path / "data"
    with Store.open(data) as store:
        arrive(store, range(1, 3), A, time.time() - 3600)
        await session(store)
        arrive(store, range(10, 13), A, time.time() + 5)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{data / 'index.sqlite'}{suffix}").unlink(missing_ok=True)
    library = Library.open(Config(), data, rebuild_later=True)
    try:
        assert library.index_stale
        app = WartaApp(library, refresh_on_start=False)
        async with app.run_test(size=(140, 30)) as pilot:
            for _ in range(600):
                if "Article index rebuilt" in status_text(app):
                    break
                assert "nothing new" not in status_text(app)
                await pilot.pause(0.05)
            await counted(pilot, app)
            assert "3 new in 1 feed since the last session" in status_text(app)
            assert len(article_list(app).rowids) == 5
    finally:
        library.close()
