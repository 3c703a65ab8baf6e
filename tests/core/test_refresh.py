"""Refresh end to end: local server, real store, real worker pool, no Textual."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from email.utils import formatdate

import pytest

from tests.server import TestServer
from tui.core.errors import FetchError, SourceError
from tui.core.fetch import Fetcher, FetchLimits
from tui.core.models import Feed
from tui.core.pool import WorkerPool
from tui.core.refresh import RefreshProgress, Refresher, add_url, reextract
from tui.core.store import Store
from tui.core.urls import article_id

LIMITS = FetchLimits(min_delay_per_host=0.0, connect_timeout=1.0, read_timeout=1.0,
                     total_deadline=3.0, retries=0, backoff_base=0.01)


def page(title: str, words: str = "") -> bytes:
    body = words or f"The story called {title} goes on and on with its many details. " * 15
    return (f"<html><head><title>{title}</title><meta name='keywords' content='kw-{title}'></head>"
            f"<body><article><h1>{title}</h1><p>{body}</p><p>{body}</p></article></body></html>").encode()


def rss(items: list[tuple[str, str, float | None]], *, extra: str = "", title: str = "Feed") -> bytes:
    """``items``: (title, link, published ts or None)."""
    parts = []
    for item_title, link, published in items:
        date = f"<pubDate>{formatdate(published, usegmt=True)}</pubDate>" if published else ""
        parts.append(f"<item><title>{item_title}</title><link>{link}</link>{date}"
                     f"<category>cat-{item_title}</category><description>Teaser…</description>"
                     f"{extra}</item>")
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
            f"{''.join(parts)}</channel></rss>").encode()


@pytest.fixture
async def env(server: TestServer, store: Store) -> AsyncIterator[tuple[Store, Fetcher, WorkerPool]]:
    pool = WorkerPool(2, timeout=10)
    async with Fetcher(LIMITS) as fetcher:
        try:
            yield store, fetcher, pool
        finally:
            pool.close()


def publish(server: TestServer, name: str, count: int, *, start: float = 1_700_000_000,
            etag: str | None = None) -> str:
    items = []
    for n in range(count):
        path = f"/{name}/a{n}"
        server.add(path, page(f"{name}-{n}"))
        items.append((f"{name}-{n}", server.url(path), start + n * 3600))
    headers = {"ETag": etag} if etag else {}
    return server.add(f"/{name}.xml", rss(items), "application/rss+xml", headers=headers)


@pytest.mark.asyncio
async def test_refresh_stores_records_then_full_text(server: TestServer, env) -> None:
    store, fetcher, pool = env
    url = publish(server, "one", 3)
    seen_ids: list[list[str]] = []
    reports: list[RefreshProgress] = []
    refresher = Refresher(store, fetcher, pool, on_progress=reports.append,
                          on_articles=seen_ids.append)
    progress = await refresher.run([Feed(url=url, tags=("tech",))])
    assert progress == RefreshProgress(1, 1, 3, 3, (), 3) and progress.finished
    assert seen_ids[0] and len(seen_ids[0]) == 3  # one batch for the feed, then one per page
    assert len(seen_ids) == 4
    record = store.get_article(article_id(server.url("/one/a2")))
    assert record is not None and record.status == "full" and record.article is not None
    assert record.feeds == (url,) and record.feed_tags == ("tech", "cat-one-2")
    assert record.site == "127.0.0.1" and record.fingerprint
    assert record.published == 1_700_000_000 + 2 * 3600
    assert "many details" in record.article.text and record.summary == "Teaser…"
    raw = store.get_raw(record.id)
    assert raw is not None and raw[0] == page("one-2") and raw[1]["url"] == server.url("/one/a2")
    assert [r.feeds_done for r in reports][-1] == 1


@pytest.mark.asyncio
async def test_pages_prefetched_newest_first(server: TestServer, env) -> None:
    store, fetcher, pool = env
    url = publish(server, "order", 4)
    await Refresher(store, fetcher, pool, page_workers=1).run([Feed(url=url)])
    order = [target for target, _ in server.requests if "/order/a" in target]
    assert order == ["/order/a3", "/order/a2", "/order/a1", "/order/a0"]


@pytest.mark.asyncio
async def test_conditional_get_second_run(server: TestServer, env) -> None:
    store, fetcher, pool = env
    url = publish(server, "cond", 2, etag='"v1"')
    refresher = Refresher(store, fetcher, pool)
    await refresher.run([Feed(url=url)])
    assert store.get_feed_meta(url)["etag"] == '"v1"'
    pages_before = server.hits["/cond/a0"]
    progress = await refresher.run([Feed(url=url)])
    assert progress.errors == () and progress.pages_total == 0
    _target, headers = server.requests[-1]
    assert headers["if-none-match"] == '"v1"'
    assert server.hits["/cond/a0"] == pages_before


@pytest.mark.asyncio
async def test_failures_are_per_feed_and_per_page(server: TestServer, env) -> None:
    store, fetcher, pool = env
    good = publish(server, "good", 1)
    server.add("/mixed/ok", page("ok"))
    server.add("/mixed/pdf", b"%PDF-1.4", "application/pdf")
    mixed = server.add("/mixed.xml", rss([("ok", server.url("/mixed/ok"), None),
                                          ("pdf", server.url("/mixed/pdf"), None),
                                          ("gone", server.url("/status/404"), None)]))
    feeds = [Feed(url=good), Feed(url=mixed), Feed(url=server.url("/status/404")),
             Feed(url=server.url("/hang")), Feed(url=server.add("/html", page("x"))),
             Feed(url="http://feed.invalid/rss")]
    progress = await Refresher(store, fetcher, pool).run(feeds)
    errors = dict(progress.errors)
    assert errors[server.url("/status/404")] == "HTTP 404"
    assert errors[server.url("/hang")] == "timed out after 1 s"
    assert errors[server.url("/html")] == "not a feed"
    assert errors["http://feed.invalid/rss"] == "host not found"
    assert errors[server.url("/mixed/pdf")] == "not a web page (application/pdf)"
    assert progress.feeds_done == 6 and progress.pages_done == progress.pages_total == 4
    assert store.get_article(article_id(server.url("/good/a0"))).status == "full"
    assert store.get_article(article_id(server.url("/mixed/ok"))).status == "full"
    failed = store.get_article(article_id(server.url("/mixed/pdf")))
    assert failed.status == "failed" and failed.error == "not a web page (application/pdf)"
    assert failed.summary == "Teaser…"  # the feed text is kept
    assert store.get_feed_meta(server.url("/status/404"))["error"] == "HTTP 404"


@pytest.mark.asyncio
async def test_full_text_policies(server: TestServer, env) -> None:
    store, fetcher, pool = env
    long_text = " ".join(f"w{i}" for i in range(300))
    server.add("/p/full", page("full"))
    server.add("/p/never", page("never"))
    server.add("/p/always", page("always"))
    full = server.add("/full.xml", rss([("full", server.url("/p/full"), None)]).replace(
        b"<description>Teaser\xe2\x80\xa6</description>", f"<description>{long_text}</description>".encode()))
    never = server.add("/never.xml", rss([("never", server.url("/p/never"), None)]))
    always = server.add("/always.xml", rss([("always", server.url("/p/always"), None)]).replace(
        b"<description>Teaser\xe2\x80\xa6</description>", f"<description>{long_text}</description>".encode()))
    await Refresher(store, fetcher, pool).run(
        [Feed(url=full), Feed(url=never, full_text="never"), Feed(url=always, full_text="always")])
    assert server.hits["/p/full"] == 0 and server.hits["/p/never"] == 0
    assert server.hits["/p/always"] == 1
    assert store.get_article(article_id(server.url("/p/full"))).summary.startswith("w0 w1")


@pytest.mark.asyncio
async def test_same_story_under_two_urls_is_one_article(server: TestServer, env) -> None:
    store, fetcher, pool = env
    server.add("/x/story", page("Same story"))
    server.add("/y/story-copy", page("Same story"))
    feed_x = server.add("/x.xml", rss([("Story", server.url("/x/story"), 1_700_000_000)]))
    feed_y = server.add("/y.xml", rss([("Story copy", server.url("/y/story-copy"), 1_700_000_100)]))
    refresher = Refresher(store, fetcher, pool, page_workers=1)
    await refresher.run([Feed(url=feed_x, tags=("x",)), Feed(url=feed_y, tags=("y",))])
    ids = [article_id(server.url("/x/story")), article_id(server.url("/y/story-copy"))]
    records = [store.get_article(i) for i in ids]
    kept = [r for r in records if r is not None]
    assert len(kept) == 1
    merged = kept[0]
    assert set(merged.feeds) == {feed_x, feed_y} and {"x", "y"} <= set(merged.feed_tags)
    # The next refresh maps the duplicate's entry onto the kept article: no second copy.
    await refresher.run([Feed(url=feed_x, tags=("x",)), Feed(url=feed_y, tags=("y",))])
    assert sum(store.get_article(i) is not None for i in ids) == 1


@pytest.mark.asyncio
async def test_stories_that_open_alike_under_their_own_headlines_stay_apart(
        server: TestServer, env) -> None:
    """Two pages of one site whose first 200 words are the same (a long shared standfirst, a
    series' recap) but whose headlines differ are two stories: merging them would delete one."""
    store, fetcher, pool = env
    opening = "The series so far covers the same ground in every part of it. " * 30
    urls = []
    for n in range(3):
        path = f"/series/part-{n}"
        server.add(path, f"<html><head><title>Part {n}</title></head><body><article>"
                         f"<h1>Part {n}</h1><p>{opening}</p><p>Only part {n} says this.</p>"
                         "</article></body></html>")
        urls.append((f"Part {n}", server.url(path), 1_700_000_000 + n))
    feed = server.add("/series.xml", rss(urls))
    await Refresher(store, fetcher, pool, page_workers=1).run([Feed(url=feed)])
    records = [store.get_article(article_id(url)) for _title, url, _ in urls]
    assert all(r is not None and r.status == "full" for r in records), records
    assert [r.title for r in records if r] == ["Part 0", "Part 1", "Part 2"]


@pytest.mark.asyncio
async def test_the_page_cache_keeps_the_kept_articles_page_and_a_page_that_did_not_extract(
        server: TestServer, env) -> None:
    """The page of an article that merged into its twin is not kept (the twin's page stands
    for it); the page of an article that did not extract is, for a later extractor."""
    store, fetcher, pool = env
    server.add("/x/story", page("Same story"))
    server.add("/x/story-copy", page("Same story"))
    server.add("/x/empty", b"<html><body><p></p></body></html>")
    feed = server.add("/x.xml", rss([("Story", server.url("/x/story"), 1_700_000_100),
                                     ("Story copy", server.url("/x/story-copy"), 1_700_000_000),
                                     ("Empty", server.url("/x/empty"), 1_600_000_000)]))
    progress = await Refresher(store, fetcher, pool, page_workers=1).run([Feed(url=feed)])
    story, copy, empty = (article_id(server.url(path)) for path in ("/x/story", "/x/story-copy", "/x/empty"))
    assert store.get_article(copy) is None and store.get_raw(copy) is None
    kept = store.get_raw(story)
    assert kept is not None and kept[0] == page("Same story")
    assert store.get_article(empty).status == "failed" and len(progress.errors) == 1
    failed_page = store.get_raw(empty)
    assert failed_page is not None and failed_page[1]["url"] == server.url("/x/empty")
    assert sorted(store.raw_ids()) == sorted([story, empty])


@pytest.mark.asyncio
async def test_an_entry_merged_into_its_twin_is_not_new_again_for_the_next_feed(
        server: TestServer, env) -> None:
    """Feeds merge concurrently, so a second feed can list an entry after its page was found
    to be a twin and deleted. It must find the twin (one article, counted new once), not
    come back as a new article. The order is forced by calling the store-thread steps in turn."""
    from tui.core.models import FeedEntry, ParsedFeed

    store, fetcher, pool = env
    story, copy = server.url("/t/story"), server.url("/t/story-copy")
    feed_x, feed_y = Feed(url=server.url("/tx.xml")), Feed(url=server.url("/ty.xml"))
    refresher = Refresher(store, fetcher, pool)
    refresher._reset()
    _, new_x, _ = refresher._merge_feed(
        feed_x, ParsedFeed(entries=(FeedEntry(story, "Story"), FeedEntry(copy, "Story copy"))), None)
    for url in (story, copy):
        refresher._store_article(article_id(url), await pool.extract(page("Same story"), url), url)
    assert store.get_article(article_id(copy)) is None  # merged into the story
    _, new_y, _ = refresher._merge_feed(feed_y, ParsedFeed(entries=(FeedEntry(copy, "Story copy"),)),
                                        None)
    assert (new_x, new_y) == (2, 0)
    assert store.get_article(article_id(copy)) is None
    assert set(store.get_article(article_id(story)).feeds) == {feed_x.url, feed_y.url}


@pytest.mark.asyncio
async def test_merge_keeps_state_and_unions_feeds(server: TestServer, env) -> None:
    store, fetcher, pool = env
    server.add("/shared/a", page("shared"))
    one = server.add("/s1.xml", rss([("shared", server.url("/shared/a"), None)]))
    two = server.add("/s2.xml", rss([("shared", server.url("/shared/a"), None)]))
    refresher = Refresher(store, fetcher, pool)
    await refresher.run([Feed(url=one, tags=("a",))])
    aid = article_id(server.url("/shared/a"))
    store.update_state(aid, read=True, starred=True)
    await refresher.run([Feed(url=two, tags=("b",))])
    record = store.get_article(aid)
    assert record.feeds == (one, two) and record.feed_tags[:1] == ("a",) and "b" in record.feed_tags
    assert record.status == "full"  # not downgraded by the second feed's summary
    assert store.get_state(aid).read and store.get_state(aid).starred
    assert server.hits["/shared/a"] == 1


@pytest.mark.asyncio
async def test_feed_flipping_to_zero_entries_keeps_articles(server: TestServer, env) -> None:
    store, fetcher, pool = env
    url = publish(server, "flip", 2)
    refresher = Refresher(store, fetcher, pool)
    await refresher.run([Feed(url=url)])
    server.add("/flip.xml", rss([]), "application/rss+xml")
    progress = await refresher.run([Feed(url=url)])
    assert progress.errors == ()
    assert store.get_article(article_id(server.url("/flip/a0"))) is not None
    assert store.get_feed_meta(url)["note"] == "0 items (unchanged)"


@pytest.mark.asyncio
async def test_single_flight(server: TestServer, env) -> None:
    store, fetcher, pool = env
    url = publish(server, "single", 1)
    refresher = Refresher(store, fetcher, pool)
    first, second = await asyncio.gather(refresher.run([Feed(url=url)]), refresher.run([Feed(url=url)]))
    assert first is second
    assert server.hits["/single.xml"] == 1


@pytest.mark.asyncio
async def test_cancel_mid_refresh(server: TestServer, env) -> None:
    store, fetcher, pool = env
    refresher = Refresher(store, fetcher, pool)
    slow = replace(LIMITS, total_deadline=30, read_timeout=30)
    async with Fetcher(slow) as slow_fetcher:
        refresher.fetcher = slow_fetcher
        task = asyncio.create_task(refresher.run([Feed(url=server.url("/drip"))]))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert not refresher.running
    assert store.get_feed_meta(server.url("/drip")) == {}


@pytest.mark.asyncio
async def test_private_addresses(server: TestServer, env) -> None:
    store, fetcher, pool = env
    server.add("/priv/page", page("private"))
    url = server.add("/priv.xml", rss([("same host", server.url("/priv/page"), None),
                                       ("other host", server.alt_url("/priv/page"), None)]))
    progress = await Refresher(store, fetcher, pool).run([Feed(url=url, user_typed=False)])
    assert "private address" in dict(progress.errors)[url] and server.hits["/priv.xml"] == 0
    progress = await Refresher(store, fetcher, pool).run([Feed(url=url, user_typed=True)])
    errors = dict(progress.errors)
    assert "127.0.0.2" in errors[server.alt_url("/priv/page")]  # another host: blocked
    assert server.hits["/priv/page"] == 1  # only the same-host page was fetched
    assert store.get_article(article_id(server.url("/priv/page"))).status == "full"


@pytest.mark.asyncio
async def test_slow_feed_parse_is_killed(server: TestServer, env) -> None:
    store, fetcher, pool = env
    author = "a." * 16000 + "@"
    url = server.add("/redos.xml", rss([("x", "https://x.example.com/", None)],
                                       extra=f"<author>{author}</author>"))
    progress = await Refresher(store, fetcher, pool, parse_timeout=0.5).run([Feed(url=url)])
    assert dict(progress.errors)[url] == "feed took too long to parse"


@pytest.mark.asyncio
async def test_reextract_offline(server: TestServer, env) -> None:
    store, fetcher, pool = env
    url = publish(server, "re", 2)
    await Refresher(store, fetcher, pool).run([Feed(url=url)])
    hits = sum(server.hits.values())
    assert await reextract(store, pool) == 2
    assert sum(server.hits.values()) == hits


@pytest.mark.asyncio
async def test_add_url(server: TestServer, env) -> None:
    store, fetcher, pool = env
    feed_url = publish(server, "addfeed", 1)
    result = await add_url(feed_url, store=store, fetcher=fetcher, pool=pool, tags=("t",))
    assert result.feed == Feed(url=feed_url, name="Feed", tags=("t",))

    advert = server.add("/home", b'<html><head><link rel="alternate" type="application/rss+xml" '
                                 b'href="/addfeed.xml"></head><body>hi</body></html>')
    result = await add_url(advert, store=store, fetcher=fetcher, pool=pool)
    assert result.feed is not None and result.feed.url == feed_url

    article = server.add("/lonely", page("Lonely page"))
    result = await add_url(article, store=store, fetcher=fetcher, pool=pool, tags=("saved",))
    assert result.feed is None and result.article_id == article_id(article)
    record = store.get_article(result.article_id)
    assert record.status == "full" and record.feed_tags == ("saved",)
    assert store.get_raw(result.article_id) is not None

    with pytest.raises(FetchError, match=r"^not a web page \(application/rss\+xml\)$"):
        await add_url(feed_url, store=store, fetcher=fetcher, pool=pool, page_only=True)
    with pytest.raises(SourceError):
        await add_url("file:///etc/passwd", store=store, fetcher=fetcher, pool=pool)
    with pytest.raises(FetchError):
        await add_url(server.url("/status/404"), store=store, fetcher=fetcher, pool=pool)


@pytest.mark.asyncio
async def test_entries_without_links_get_stable_ids(server: TestServer, env) -> None:
    store, fetcher, pool = env
    doc = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
           b"<item><title>No link</title><guid isPermaLink='false'>g-1</guid></item>"
           b"<item><title>Bad link</title><link>javascript:alert(1)</link></item></channel></rss>")
    url = server.add("/nolinks.xml", doc)
    refresher = Refresher(store, fetcher, pool)
    progress = await refresher.run([Feed(url=url)])
    assert progress.new_articles == 2 and progress.pages_total == 0
    progress = await refresher.run([Feed(url=url)])
    assert progress.new_articles == 0



@pytest.mark.asyncio
async def test_auto_tag_rules_apply_on_arrival(server: TestServer, env) -> None:
    """A [[rules]] regex on the title adds its tag as the article arrives."""
    import re

    from tui.core.config import TagRule

    store, fetcher, pool = env
    url = publish(server, "rules", 3)
    rules = [TagRule("title", re.compile(r"rules-[12]$"), "picked")]
    await Refresher(store, fetcher, pool, rules=rules).run([Feed(url=url, full_text="never")])
    tagged = {s.title: "picked" in s.feed_tags for s in store.summaries(store.rowids())}
    assert tagged == {"rules-0": False, "rules-1": True, "rules-2": True}


async def test_pictures_come_with_the_page_unless_the_feed_says_off(server: TestServer, env) -> None:
    from tests.core.test_images import picture
    from tui.core.images import ImageCache, image_policy

    store, fetcher, pool = env
    text = "A long enough story about the harbour and its boats, told in detail. " * 12
    feeds = []
    for name in ("shown", "hidden"):
        photo = server.add(f"/{name}/photo.jpg", picture(), "image/jpeg")
        server.add(f"/{name}/a0", (f"<html><head><title>{name}</title>"
                                   f"<meta property='og:image' content='{photo}'></head><body><article>"
                                   f"<h1>{name}</h1><p>{text}</p><img src='{photo}' alt='boats'>"
                                   f"<p>{text}</p></article></body></html>").encode())
        feed_url = server.add(f"/{name}.xml", rss([(name, server.url(f"/{name}/a0"), None)]),
                              "application/rss+xml")
        feeds.append(Feed(url=feed_url, images="off" if name == "hidden" else ""))
    refresher = Refresher(store, fetcher, pool, fetch_images=image_policy("auto"))
    progress = await refresher.run(feeds)
    assert progress.errors == ()
    assert server.hits["/shown/photo.jpg"] == 1  # lead and inline are the same picture: once
    assert server.hits["/hidden/photo.jpg"] == 0
    info = ImageCache(store).info(server.url("/shown/photo.jpg"))
    assert info is not None and (info.width, info.height) == (320, 200)
