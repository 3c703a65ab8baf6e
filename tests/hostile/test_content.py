"""Matrix C1-C14: malicious and malformed content, one fixture file per case.

Each file in ``tests/fixtures/hostile/content`` carries an ``Expect:`` JSON (or, for generated
cases, a ``.gen.json`` recipe with ``expect``), so every case is a test id ``test_matrix[C3-…]``.
Feeds go through ``parse_feed`` (or the worker pool, or the fetcher first); pages through
``extract``. Whatever the outcome, only ``WartaError``s may escape and every string that comes
out must already be sanitised.
"""

from __future__ import annotations

import asyncio
import re
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from tests.common import record_tick_gaps

from tests.server import TestServer
from tui.core import errors
from tui.core.browser import open_url
from tui.core.errors import UnsafeURLError, WartaError
from tui.core.extract import extract
from tui.core.feeds import parse_feed
from tui.core.fetch import Fetcher, FetchLimits
from tui.core.models import ArticleRecord, Feed, ParsedFeed
from tui.core.pool import WorkerPool
from tui.core.refresh import _entry_id
from tui.core.store import Store
from tui.core.urls import is_http_url

from .support import Case, load_cases, strings_of, unsanitised

CASES = load_cases("content")
FEED_URL = "https://feeds.example.com/feed.xml"
PAGE_URL = "https://pages.example.com/article"


def test_every_content_row_has_a_case() -> None:
    rows = {case.row for case in CASES}
    assert rows >= {f"C{n}" for n in range(1, 14)}, sorted(rows)


async def _run(case: Case, data: bytes, server: TestServer) -> Any:
    expect = case.expect
    kind, via = expect["kind"], expect.get("via", "parse")
    content_type = expect.get("content_type")
    max_entries = expect.get("max_entries", 500)
    if via == "pool":
        gaps: list[float] = []
        stop = asyncio.Event()
        ticker = asyncio.create_task(record_tick_gaps(gaps, stop))
        try:
            async with WorkerPool(1, timeout=expect.get("pool_timeout", 10)) as pool:
                await pool.warm()  # process start-up is not what is being timed
                gaps.clear()
                if kind == "feed":
                    return await pool.parse_feed(data, FEED_URL, content_type, max_entries=max_entries)
                return await pool.extract(data, PAGE_URL, content_type)
        finally:
            stop.set()
            await ticker
            if "max_tick_gap" in expect and gaps:
                assert max(gaps) < expect["max_tick_gap"] + 0.01, f"event loop stalled {max(gaps):.3f} s"
    if via == "fetch":
        url = server.add("/c/" + case.name, data, "application/rss+xml" if kind == "feed" else "text/html")
        async with Fetcher(FetchLimits(min_delay_per_host=0, retries=0)) as fetcher:
            result = await fetcher.fetch(url, kind=kind, allow_private=True)
        data, content_type = result.content, result.content_type
    if kind == "feed":
        return parse_feed(data, FEED_URL, content_type, max_entries=max_entries)
    return extract(data, PAGE_URL, content_type=content_type)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_matrix(case: Case, server: TestServer, tmp_path: Path) -> None:
    expect = case.expect
    data = case.data.replace(b"{server}", server.url("").encode())
    started = time.monotonic()
    outcome: Any
    try:
        outcome = await _run(case, data, server)
    except WartaError as exc:
        outcome = exc
    elapsed = time.monotonic() - started
    # anything that is not a WartaError has already failed the test by escaping
    assert elapsed < expect.get("max_seconds", 5), f"took {elapsed:.2f} s"
    wanted = expect["outcome"]
    if wanted == "error":
        assert isinstance(outcome, WartaError), f"expected an error, got {outcome!r}"[:300]
        names = expect["error"] if isinstance(expect["error"], list) else [expect["error"]]
        assert any(isinstance(outcome, getattr(errors, n, None) or _fetch_error(n)) for n in names), \
            f"{type(outcome).__name__}: {outcome}"
        assert expect.get("message", "") in str(outcome)
        assert "\n" not in str(outcome) and len(str(outcome)) < 300
        text = str(outcome)
    elif wanted == "ok":
        assert not isinstance(outcome, WartaError), f"{type(outcome).__name__}: {outcome}"
        text = "\n".join(strings_of(outcome))
    else:
        text = str(outcome) if isinstance(outcome, WartaError) else "\n".join(strings_of(outcome))
    assert not unsanitised(outcome if not isinstance(outcome, WartaError) else str(outcome))
    for needle in expect.get("contains", ()):
        assert needle in text, needle
    for needle in expect.get("absent", ()):
        assert needle not in text, needle
    for path in expect.get("server_hits_zero", ()):
        assert server.hits[path] == 0, f"{path} was fetched"
    if isinstance(outcome, ParsedFeed):
        if "entries" in expect:
            assert len(outcome.entries) == expect["entries"]
    for check in expect.get("checks", ()):
        CHECKS[check](outcome, tmp_path)
    if "max_peak_mb" in expect:
        tracemalloc.start()
        try:
            try:
                await _run(case, data, server)
            except WartaError:
                pass
            peak = tracemalloc.get_traced_memory()[1] / 2**20
        finally:
            tracemalloc.stop()
        assert peak < expect["max_peak_mb"], f"peak {peak:.0f} MB"


def _fetch_error(name: str) -> type[Exception]:
    from tui.core import fetch

    return getattr(fetch, name)


# -- named checks used by the Expect lines ----------------------------------------------------

def _dates_bounded(feed: ParsedFeed, _: Path) -> None:
    now = time.time()
    by_title = {e.title: e.published for e in feed.entries}
    for title, published in by_title.items():
        assert published is None or 86_400 <= published <= now + 86_400 + 60, (title, published)
    assert by_title["future"] is not None and by_title["future"] <= now + 86_400 + 60
    assert by_title["missing"] is None and by_title["garbage"] is None
    assert by_title["good"] == 1740783600.0


def _sortable(feed: ParsedFeed, _: Path) -> None:
    sorted(feed.entries, key=lambda e: (e.published is None, e.published or 0.0))


def _no_mojibake(outcome: Any, _: Path) -> None:
    text = "\n".join(strings_of(outcome))
    assert not re.search("Ã.|â€|Ð.|Ñ.", text), text[:200]


def _newest_kept(feed: ParsedFeed, _: Path) -> None:
    numbers = sorted(int(e.title.split()[-1]) for e in feed.entries)
    assert numbers == list(range(800 - 500, 800))


def _only_http_urls(feed: ParsedFeed, _: Path) -> None:
    for entry in feed.entries:
        assert entry.url == "" or is_http_url(entry.url), entry.url


def _unsafe_entries_kept_unopenable(feed: ParsedFeed, _: Path) -> None:
    by_title = {e.title: e for e in feed.entries}
    for title in ("js", "file base", "option"):  # the entry is kept, its link is not
        assert title in by_title and by_title[title].url == "", title
    opened: list[list[str]] = []
    for url in ("javascript:alert(document.cookie)", "data:text/html,<script>1</script>",
                "file:///etc/passwd", "--incognito http://x", "-new-tab http://x"):
        with pytest.raises(UnsafeURLError) as info:
            open_url(url, opener=lambda argv: opened.append(list(argv)), environ={"BROWSER": "true"})
        assert url[:20] in str(info.value) or "only http(s)" in str(info.value)
    assert opened == []


def _guids_bounded(feed: ParsedFeed, _: Path) -> None:
    assert all(len(e.guid) <= 500 for e in feed.entries)
    assert all(len(e.url) <= 4096 for e in feed.entries)


def _duplicates_merged(feed: ParsedFeed, _: Path) -> None:
    urls = [e.url for e in feed.entries if e.url]
    assert len(urls) == len(set(urls)), urls


def _ids_are_hashes(feed: ParsedFeed, _: Path) -> None:
    subscription = Feed(FEED_URL)
    ids = [_entry_id(subscription, e) for e in feed.entries]
    assert all(re.fullmatch("[0-9a-f]{16}", i) for i in ids), ids
    assert len(set(ids)) == len(ids), "two entries would share one article id"
    other = [_entry_id(Feed("https://other.example.com/feed"), e) for e in feed.entries if not e.url]
    assert not set(other) & set(ids), "link-less entries of two feeds must not share ids"


def _storable(feed: ParsedFeed, tmp_path: Path) -> None:
    """What the parser gives can be written to diskcache (a surrogate made it raise) and read back."""
    subscription = Feed(FEED_URL)
    records = [ArticleRecord(id=_entry_id(subscription, e), url=e.url, title=e.title,
                             summary=e.summary, byline=e.author, feed_tags=e.tags)
               for e in feed.entries]
    with Store.open(tmp_path / "data") as store:
        store.put_articles(records)
        for record in records:
            assert store.get_article(record.id) == record


def _body_capped(outcome: Any, _: Path) -> None:
    if not isinstance(outcome, WartaError):
        assert sum(len(b.text) for b in outcome.blocks) <= 2_000_000


CHECKS = {
    "dates_bounded": _dates_bounded, "sortable": _sortable, "no_mojibake": _no_mojibake,
    "newest_kept": _newest_kept, "only_http_urls": _only_http_urls,
    "unsafe_entries_kept_unopenable": _unsafe_entries_kept_unopenable,
    "guids_bounded": _guids_bounded, "duplicates_merged": _duplicates_merged,
    "ids_are_hashes": _ids_are_hashes, "storable": _storable, "body_capped": _body_capped,
}


# -- C14 OPML import ----------------------------------------------------------------------------

OPML_CASES = load_cases("opml")


@pytest.mark.parametrize("case", OPML_CASES, ids=[c.name for c in OPML_CASES])
def test_opml_matrix(case: Case, server: TestServer) -> None:
    from tui.core.opml import import_opml

    expect = case.expect
    data = case.data.replace(b"{server}", server.url("").encode())
    pwned = Path("/tmp/warta-opml-pwned")
    pwned.unlink(missing_ok=True)
    started = time.monotonic()
    try:
        outcome: Any = import_opml(data)
    except WartaError as exc:
        outcome = exc
    assert time.monotonic() - started < expect.get("max_seconds", 5)
    assert not pwned.exists()
    for path in expect.get("server_hits_zero", ()):
        assert server.hits[path] == 0
    if expect["outcome"] == "error":
        assert isinstance(outcome, WartaError), outcome
        assert "\n" not in str(outcome) and not unsanitised(str(outcome))
        return
    assert [feed.url for feed in outcome] == expect["urls"]
    assert all(is_http_url(feed.url) for feed in outcome)
    assert not unsanitised(outcome)
    assert not any(feed.user_typed for feed in outcome), "imported feeds may not reach private hosts"
