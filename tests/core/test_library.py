"""The Library: the one door for state changes, its report, its journals, its listings."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tui.core.config import Config, FetchConfig
from tui.core.errors import FilterError, StoreError, WartaError
from tui.core.changes import StateChange
from tui.core.library import Library
from tui.core.models import ArticleState, Feed
from tui.core.store import Store

from ..conftest import make_record


@pytest.fixture
def library(store: Store) -> Library:
    store.put_articles([make_record(n, tags=("news", "tech") if n % 2 else ("news",))
                        for n in range(1, 6)])
    return Library(store, Config(feeds=(Feed(url="https://example.org/feed.xml", name="Example"),)))


class _Journal:
    """A journal that checks it is told before the store has the change."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.seen: list[tuple[StateChange, bool]] = []

    def record(self, change: StateChange) -> None:
        saved = all(self.library.state(i) == change.after[i] for i in change.changed_ids)
        self.seen.append((change, saved))


def test_change_reports_before_after_and_fields(library: Library) -> None:
    first, second = make_record(1).id, make_record(2).id
    library.change([second], starred=True)
    change = library.change([first, second], read=True, starred=True)
    assert change.ids == (first, second)
    assert change.before[first] == ArticleState() and change.after[first].read
    assert change.fields_changed(first) == {"read", "starred"}
    assert change.fields_changed(second) == {"read"}
    assert change.fields_changed() == {"read", "starred"}
    assert library.state(first).read and library.state(second).starred
    assert library.counts() == (5, 3)


def test_change_journals_first_and_undo_is_another_change(library: Library) -> None:
    journal = _Journal(library)
    library.journals.append(journal)
    article = make_record(3).id
    change = library.change([article], tags=("later",))
    assert [(c.after[article].tags, saved) for c, saved in journal.seen] == [(("later",), False)]
    undo = library.change([article], **{"tags": change.before[article].tags})
    assert library.state(article).tags == () and undo.fields_changed() == {"tags"}
    assert len(journal.seen) == 2
    library.change([article], tags=())  # nothing changes: no journal entry, no write
    assert len(journal.seen) == 2


def test_change_refuses_unknown_fields(library: Library) -> None:
    with pytest.raises(TypeError):
        library.change([make_record(1).id], colour="red")


def test_listing_filters_counts_and_tag_kinds(library: Library) -> None:
    library.change([make_record(1).id], read=True, tags=("mine",))
    tech = library.listing(library.compile("+tech"))
    assert tech.total == 3 and tech.unread == 2
    assert [s.id for s in library.summaries(tech.rowids)] == [make_record(n).id for n in (5, 3, 1)]
    kinds = {count.tag: (count.kind, count.unread, count.total) for count in library.tag_counts()}
    assert kinds == {"news": ("feed", 4, 5), "tech": ("feed", 2, 3), "mine": ("user", 0, 1)}
    with pytest.raises(FilterError):
        library.compile("is:nonsense")


def test_feeds_config_first_and_unsubscribe_says_where_config_feeds_live(library: Library) -> None:
    library.subscribe(Feed(url="https://example.org/feed.xml", name="Duplicate"))
    library.subscribe(Feed(url="https://other.example/rss", name="Other"))
    assert [(f.url, f.name) for f in library.feeds()] == [
        ("https://example.org/feed.xml", "Example"), ("https://other.example/rss", "Other")]
    assert library.feed_names() == {"example": "https://example.org/feed.xml",
                                    "other": "https://other.example/rss"}
    with pytest.raises(WartaError, match="in the config file"):
        library.unsubscribe("https://example.org/feed.xml")
    library.unsubscribe("https://other.example/rss")
    assert [f.url for f in library.feeds()] == ["https://example.org/feed.xml"]


def test_a_second_process_writing_is_noticed(tmp_path: Path, library: Library) -> None:
    assert not library.changed_elsewhere()
    library.change([make_record(1).id], read=True)  # our own write is not "elsewhere"
    assert not library.changed_elsewhere()
    with Store.open(library.data_dir) as other:  # a second writer on the same data dir
        other.put_articles([make_record(9)])
    assert library.changed_elsewhere()
    assert library.article_count() == 6  # the shared index already has it
    assert not library.changed_elsewhere()


def test_rebuild_behind_reads_keeps_what_was_written_meanwhile(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.put_articles([make_record(n) for n in range(1, 401)])
        store.update_state(make_record(2).id, starred=True)
    (data / "index.sqlite").unlink()
    # Hold the rebuild after its first articles (a slow disk, on demand): the only way to write
    # while it runs every time, rather than when the timing happens to allow it.
    reading, go_on = threading.Event(), threading.Event()
    iter_articles = Store.iter_articles

    def held(self: Store):  # type: ignore[no-untyped-def]
        for number, record in enumerate(iter_articles(self)):
            if number == 10:
                reading.set()
                go_on.wait(30)
            yield record

    monkeypatch.setattr(Store, "iter_articles", held)
    library = Library.open(Config(), data, rebuild_later=True)
    try:
        assert library.index_stale and library.article_count() == 0
        rebuild = threading.Thread(target=library.rebuild_index)
        rebuild.start()
        assert reading.wait(30)
        _write_while_held_then_check(library, rebuild, go_on)
    finally:
        library.close()
    with Store.open(data) as store:  # in step: no second rebuild at the next open
        assert not store.index_stale and store.count() == 400


def _write_while_held_then_check(library: Library, rebuild: threading.Thread,
                                 go_on: threading.Event) -> None:
    """While the rebuild is held: a state change, an added and a changed article, a deletion;
    then let it finish and find every one of them on the new index."""
    library.change([make_record(3).id], read=True, tags=("during",))
    library._store.put_articles([make_record(401), make_record(5, title="Retitled five")])
    library._store.delete_articles([make_record(7).id])
    go_on.set()
    rebuild.join(60)
    assert not rebuild.is_alive() and not library.index_stale
    assert library.article_count() == 400
    assert library.summary(make_record(3).id).read  # type: ignore[union-attr]
    assert library.summary(make_record(2).id).starred  # type: ignore[union-attr]
    assert library.summary(make_record(5).id).title == "Retitled five"  # type: ignore[union-attr]
    assert library.summary(make_record(7).id) is None
    assert library.listing(library.compile("+during")).total == 1
    assert library.listing(library.compile("retitled")).total == 1


def test_rebuild_in_a_process_of_its_own_keeps_what_was_written_meanwhile(tmp_path: Path) -> None:
    """The app's rebuild (``separate=True``) reads the stores in a spawned process; what this
    process writes after that process's snapshot is replayed onto the new index."""
    import multiprocessing

    data = tmp_path / "data"
    with Store.open(data) as store:
        store.put_articles([make_record(n) for n in range(1, 401)])
        store.update_state(make_record(2).id, starred=True)
    (data / "index.sqlite").unlink()
    # The first progress report comes after the snapshot: hold it there and write meanwhile.
    reported, go_on = threading.Event(), threading.Event()
    builders: list[str] = []

    def progress(done: int, total: int) -> None:
        if not reported.is_set():
            builders.extend(child.name for child in multiprocessing.active_children())
            reported.set()
            go_on.wait(30)

    library = Library.open(Config(), data, rebuild_later=True)
    try:
        assert library.index_stale and library.article_count() == 0
        rebuild = threading.Thread(target=library.rebuild_index, args=(progress,),
                                   kwargs={"separate": True})
        rebuild.start()
        assert reported.wait(60)
        assert "warta-index-rebuild" in builders
        _write_while_held_then_check(library, rebuild, go_on)
        assert not (data / "index.sqlite.new").exists()
    finally:
        library.close()
    with Store.open(data) as store:  # in step: no second rebuild at the next open
        assert not store.index_stale and store.count() == 400


def test_a_rebuild_in_its_own_process_can_be_stopped_and_the_next_open_does_it(tmp_path: Path) -> None:
    """Quitting the app stops its rebuild rather than waiting for it (~40 s at 100,000): the
    rebuild says it stopped, leaves no half-built file, and the index stays stale, so the
    next open rebuilds it."""
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.put_articles([make_record(n) for n in range(1, 401)])
    (data / "index.sqlite").unlink()
    library = Library.open(Config(), data, rebuild_later=True)
    failures: list[BaseException] = []

    def progress(done: int, total: int) -> None:
        library.stop_rebuild()  # as the app's unmount does, while the process builds

    def rebuild() -> None:
        try:
            library.rebuild_index(progress, separate=True)
        except StoreError as exc:
            failures.append(exc)

    try:
        thread = threading.Thread(target=rebuild)
        thread.start()
        thread.join(60)
        assert not thread.is_alive()
        assert len(failures) == 1 and "the index rebuild stopped" in str(failures[0])
        assert library.index_stale and not (data / "index.sqlite.new").exists()
    finally:
        library.close()
    with Store.open(data) as store:  # rebuilt at this open, in step after it
        assert not store.index_stale and store.count() == 400


async def test_refresh_failures_are_typed_and_offline_is_told_from_the_type(
        library: Library, server: object) -> None:
    from tui.core.errors import HttpStatus, Offline

    url_of = server.url  # type: ignore[attr-defined]
    feeds = [Feed(url=url_of("/status/410")), Feed(url=url_of("/status/500?retry_after=0"))]
    async with Library(library._store, Config(fetch=FetchConfig(retries=0))).network() as network:
        answered = await network.refresh(feeds)
        unreachable = await network.refresh([Feed(url="http://127.0.0.1:9/feed.xml")])
    codes = {failure.url: failure.code for failure in answered.errors if isinstance(failure, HttpStatus)}
    assert codes == {url_of("/status/410"): 410, url_of("/status/500?retry_after=0"): 500}
    assert answered.gone == (url_of("/status/410"),) and not answered.offline
    assert "2 errors (E shows them)" in answered.summary()
    [failure] = unreachable.errors
    assert isinstance(failure, Offline) and tuple(failure) == (failure.url, failure.message)
    assert unreachable.offline and unreachable.summary() == "offline — showing cached articles"
    assert unreachable.report().startswith("Refreshed 1 feed: 0 new articles") and unreachable.failed_all


def test_sites_of_many_articles_in_one_call(library: Library, store: Store) -> None:
    records = [make_record(n, site=f"site{n % 3}.example.org") for n in range(1, 1200)]
    store.put_articles(records)
    ids = [r.id for r in records[:700]] + ["not-an-article"]
    assert library.sites_of(ids) == {"site0.example.org", "site1.example.org", "site2.example.org"}
    assert library.sites_of([records[1].id]) == {"site2.example.org"}
    assert library.sites_of([]) == set()
