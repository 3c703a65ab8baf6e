"""Background refresh in the app: the list fills in while the screen stays live."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable

from rich.console import Console

from tests.server import TestServer
from tui.app.app import WartaApp
from tui.core.library import Library
from tui.app.screens.errors import ErrorsScreen, errors_table
from tui.app.widgets.article_list import ArticleList
from tui.app.widgets.reader import Reader
from tui.core.config import Config, FetchConfig, RefreshConfig
from tui.core.models import Feed
from tui.core.store import Store

from ..conftest import make_record

def body(tag: str) -> str:
    return " ".join(f"Sentence {i} of {tag}, the full article about the lighthouse keepers."
                    for i in range(60))


def publish(server: TestServer, name: str, count: int, *, summary_only: bool = True) -> str:
    items = []
    for n in range(count):
        link = server.add(f"/{name}/a{n}", f"<html><head><title>{name} {n}</title></head><body>"
                          f"<article><h1>{name} {n}</h1><p>{body(f'{name}{n}')}</p><p>{body('more')}</p>"
                          "</article></body></html>")
        items.append(f"<item><title>{name} {n}</title><link>{link}</link>"
                     f"<pubDate>Mon, 0{n + 1} Jan 2024 10:00:00 GMT</pubDate>"
                     f"<description>Teaser {n}…</description></item>")
    return server.add(f"/{name}.xml", '<?xml version="1.0"?><rss version="2.0"><channel>'
                      f"<title>{name}</title>{''.join(items)}</channel></rss>", "application/rss+xml")


def config_for(*urls: str) -> Config:
    return Config(feeds=tuple(Feed(url=url, name=url.rsplit("/", 1)[-1]) for url in urls),
                  fetch=FetchConfig(min_delay=0, retries=0, workers=1),
                  refresh=RefreshConfig(on_start=True, interval_minutes=0))


async def wait_for(pilot: object, condition: Callable[[], bool], timeout: float = 30) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition not reached"
        await pilot.pause(0.05)  # type: ignore[attr-defined]


def status_text(app: WartaApp) -> str:
    return str(app.main.status.render())


def titles(app: WartaApp) -> list[str]:
    widget = app.main.article_list
    return [s.title for s in (widget.summary_at(i) for i in range(len(widget.rowids))) if s]


async def test_refresh_on_start_fills_the_list_and_fetches_full_text(server: TestServer, store: Store) -> None:
    url = publish(server, "keepers", 3)
    app = WartaApp(Library(store, config_for(url)))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: "Refreshed 1 feed ·" in status_text(app))
        assert titles(app) == ["keepers 2", "keepers 1", "keepers 0"]
        assert app.focused is app.main.article_list  # the welcome gave way to the list
        assert "3 articles" in status_text(app) and "3 new" in status_text(app)
        assert all(s.status == "full" for s in store.summaries(store.rowids()))
        await pilot.press("enter")
        await pilot.pause()
        text = "\n".join(app.main.query_one(Reader).text_lines)
        assert "lighthouse keepers" in text and "not fetched yet" not in text


async def test_summary_shows_until_full_text_arrives_then_updates_in_place(
        server: TestServer, store: Store) -> None:
    url = publish(server, "slowpage", 1)
    server.add("/slowpage/a0", b"", status=200)  # replaced below by a slow route
    server.routes.pop("/slowpage/a0")
    feed = server.add("/slow.xml", server.routes["/slowpage.xml"].body.replace(
        b"/slowpage/a0", b"/slow?s=1.5"), "application/rss+xml")
    app = WartaApp(Library(store, config_for(feed)))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: bool(titles(app)))
        await pilot.press("enter")
        await pilot.pause()
        reader = app.main.query_one(Reader)
        assert "Full text not fetched yet" in "\n".join(reader.text_lines)
        await wait_for(pilot, lambda: "Refreshed" in status_text(app))
        await pilot.pause(0.5)
        assert "Full text not fetched yet" not in "\n".join(reader.text_lines)
    assert url


async def test_errors_view_names_each_failing_source(server: TestServer, store: Store) -> None:
    good = publish(server, "fine", 1)
    bad = server.url("/status/404")
    app = WartaApp(Library(store, config_for(good, bad)))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: "Refreshed" in status_text(app))
        assert "1 error (E shows them)" in status_text(app)
        await pilot.press("E")
        await pilot.pause()
        assert isinstance(app.screen, ErrorsScreen)
        console = Console(width=200, record=True, file=io.StringIO())
        console.print(errors_table(app.screen.errors))
        shown = console.export_text()
        assert bad in shown and "HTTP 404" in shown
        await pilot.press("escape")
        assert app.screen is app.main


async def test_offline_start_says_so_once_and_keeps_the_cache(store: Store) -> None:
    store.put_articles([make_record(1, title="Cached story")])
    app = WartaApp(Library(store, config_for("http://127.0.0.1:9/feed.xml", "http://127.0.0.1:9/other.xml")))
    async with app.run_test(size=(100, 30)) as pilot:
        assert titles(app) == ["Cached story"]
        await wait_for(pilot, lambda: "offline" in status_text(app))
        assert "offline — showing cached articles" in status_text(app)
        assert titles(app) == ["Cached story"]
        notes = [str(n.message) for n in app._notifications]
        assert notes.count("offline — showing cached articles") == 1


async def test_cursor_stays_on_its_article_when_new_ones_arrive(server: TestServer, store: Store) -> None:
    store.put_articles([make_record(n, title=f"Old {n}", age_days=400 + n) for n in range(5)])
    url = publish(server, "fresh", 4)
    app = WartaApp(Library(store, config_for(url)), refresh_on_start=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("j", "j")
        article_list = app.main.query_one(ArticleList)
        before = article_list.current
        screen_row = article_list.cursor * 2 - round(article_list.scroll_y)
        await pilot.press("r")
        await wait_for(pilot, lambda: "Refreshed" in status_text(app))
        await pilot.pause(0.5)
        assert article_list.current is not None and before is not None
        assert article_list.current.id == before.id
        assert article_list.cursor * 2 - round(article_list.scroll_y) == screen_row
        assert len(article_list.rowids) == 9


async def test_r_while_refreshing_does_not_start_a_second_refresh(server: TestServer, store: Store) -> None:
    feed = server.add("/slowfeed.xml", b"", status=200)
    server.routes.pop("/slowfeed.xml")
    app = WartaApp(Library(store, config_for(server.url("/slow?s=1"))))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.1)
        assert app.refresher.running
        await pilot.press("r")
        await pilot.pause()
        assert any("already running" in str(n.message) for n in app._notifications)
        await wait_for(pilot, lambda: not app.refresher.running)
    assert feed


async def test_a_subscribes_to_a_feed_and_fetches_it(server: TestServer, store: Store) -> None:
    url = publish(server, "added", 2)
    app = WartaApp(Library(store, config_for()))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"ftp://nope")
        await pilot.press("enter")
        await pilot.pause()
        assert "Not an http(s) address" in str(app.main.query_one("#add-prompt .prompt--error").render())
        app.main.query_one("#add-prompt Input").value = url  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: titles(app) == ["added 1", "added 0"])
        assert any("Subscribed to added" in str(n.message) for n in app._notifications)
    assert [feed.url for feed in store.subscriptions()] == [url]  # kept in the data dir


async def test_a_saves_a_page_without_a_feed_as_one_article(server: TestServer, store: Store) -> None:
    page = server.add("/lonely", f"<html><head><title>Lonely page</title></head><body><article>"
                      f"<h1>Lonely page</h1><p>{body('lonely')}</p></article></body></html>")
    app = WartaApp(Library(store, config_for()))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("a")
        app.main.query_one("#add-prompt Input").value = page  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: titles(app) == ["Lonely page"])
    assert store.subscriptions() == []
