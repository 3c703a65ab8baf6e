"""Issue #10, private addresses: what the user gave is trusted as given (a LAN or localhost feed
from the config or an OPML file); everything content points to is checked on every hop, other
ports of a trusted host included, against the IANA special-purpose registries.

Through the real ``warta`` in a subprocess and two real local servers (two ports of 127.0.0.1,
plus 127.0.0.2), with the real DNS check: loopback is as private as a router or 169.254.169.254.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server import TestServer
from tui.core.urls import is_public_address

from .support import child_env, run_warta

WORDS = " ".join(f"Sentence {n} of a long report about the harbour and its boats." for n in range(40))


@pytest.fixture(scope="module")
def other_port() -> Iterator[TestServer]:
    """A second server on another port of the same host (127.0.0.1): the "router admin"."""
    server = TestServer().start()
    yield server
    server.stop()


@pytest.fixture
def router(other_port: TestServer) -> Iterator[TestServer]:
    other_port.reset()
    yield other_port
    other_port.reset()


def _env(tmp_path: Path, *feeds: str) -> dict[str, str]:
    config = tmp_path / "config.toml"
    config.write_text("[fetch]\nmin_delay = 0\nretries = 0\n"
                      + "".join(f'[[feeds]]\nurl = "{url}"\n' for url in feeds))
    return child_env(WARTA_CONFIG=str(config), HOME=str(tmp_path), XDG_RUNTIME_DIR=None)


def _rss(*links: str, title: str = "Home server") -> str:
    items = "".join(f"<item><title>Item {n}</title><link>{link}</link><description>Teaser…"
                    "</description></item>" for n, link in enumerate(links))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{items}</channel></rss>'


def _page(title: str) -> str:
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1><p>{WORDS}</p></article></body></html>"


def _secret(server: TestServer) -> str:
    return server.add("/secret", "<html>the router admin page</html>")


def test_a_lan_feed_from_the_config_is_fetched_with_its_own_pages(tmp_path: Path,
                                                                  server: TestServer) -> None:
    page = server.add("/home/1", _page("Backup finished"))
    feed = server.add("/home.xml", _rss(page), "application/rss+xml")
    result = run_warta("--data-dir", str(tmp_path / "d"), "fetch", env=_env(tmp_path, feed))
    assert result.returncode == 0, result.stderr
    assert "1 new article, 1 page fetched, 0 errors" in result.stdout
    assert server.hits["/home/1"] == 1


def test_a_lan_feed_imported_from_opml_is_trusted_as_given(tmp_path: Path, server: TestServer) -> None:
    feed = server.add("/bridge.xml", _rss(server.url("/bridge/1"), title="RSS-Bridge"),
                      "application/rss+xml")
    server.add("/bridge/1", _page("Bridged post"))
    opml = tmp_path / "feeds.opml"
    opml.write_text(f'<?xml version="1.0"?><opml version="2.0"><body>'
                    f'<outline type="rss" text="Bridge" xmlUrl="{feed}"/></body></opml>')
    env, data = _env(tmp_path), str(tmp_path / "d")
    assert run_warta("--data-dir", data, "import", str(opml), env=env).returncode == 0
    result = run_warta("--data-dir", data, "fetch", env=env)
    assert result.returncode == 0, result.stderr
    assert "1 new article" in result.stdout and "0 errors" in result.stdout
    assert server.hits["/bridge.xml"] == 1


def test_a_user_feed_redirecting_to_another_private_address_is_blocked(
        tmp_path: Path, server: TestServer) -> None:
    """The stand-in for 169.254.169.254: the given feed's origin is trusted, its redirect not."""
    server.add("/secret", "<html>instance metadata</html>")
    feed = server.add("/moved.xml", b"", None, status=302,
                      headers={"Location": server.alt_url("/secret")})
    result = run_warta("--data-dir", str(tmp_path / "d"), "fetch", env=_env(tmp_path, feed))
    assert f"{feed}: blocked: 127.0.0.2 resolves to private address 127.0.0.2" in result.stderr
    assert server.hits["/secret"] == 0


def test_an_article_link_to_another_port_of_the_feed_host_is_blocked(
        tmp_path: Path, server: TestServer, router: TestServer) -> None:
    secret = _secret(router)
    fine = server.add("/own/1", _page("On the feed's own origin"))
    feed = server.add("/ports.xml", _rss(fine, secret), "application/rss+xml")
    result = run_warta("--data-dir", str(tmp_path / "d"), "fetch", env=_env(tmp_path, feed))
    assert f"{secret}: blocked: 127.0.0.1 resolves to private address 127.0.0.1" in result.stderr
    assert router.hits["/secret"] == 0
    assert server.hits["/own/1"] == 1


def test_an_article_link_redirecting_off_the_feed_origin_is_blocked(
        tmp_path: Path, server: TestServer, router: TestServer) -> None:
    secret = _secret(router)
    hop = server.add("/own/hop", b"", None, status=302, headers={"Location": secret})
    feed = server.add("/hops.xml", _rss(hop), "application/rss+xml")
    result = run_warta("--data-dir", str(tmp_path / "d"), "fetch", env=_env(tmp_path, feed))
    assert "blocked: 127.0.0.1 resolves to private address" in result.stderr, result.stderr
    assert router.hits["/secret"] == 0 and server.hits["/own/hop"] == 1


def test_a_page_advertising_a_feed_elsewhere_on_the_network_does_not_get_it_fetched(
        tmp_path: Path, server: TestServer, router: TestServer) -> None:
    """``warta add PAGE``: the page is the user's; the feed link in it is content."""
    inside = router.add("/internal.xml", _rss(router.url("/x")), "application/rss+xml")
    page = server.add("/advertises", '<html><head><link rel="alternate" '
                      f'type="application/rss+xml" href="{inside}"></head><body><article><h1>A page</h1>'
                      f"<p>{WORDS}</p></article></body></html>")
    result = run_warta("--data-dir", str(tmp_path / "d"), "add", page, env=_env(tmp_path))
    assert router.hits["/internal.xml"] == 0
    assert result.returncode == 0 and result.stdout.startswith("Saved"), result.stderr


@pytest.mark.parametrize("address", [
    "100.64.0.1", "100.127.255.254", "192.0.0.8", "192.0.2.1", "198.18.0.1", "198.51.100.7",
    "203.0.113.9", "240.0.0.1", "255.255.255.255", "0.1.2.3", "224.0.0.251",
    "169.254.169.254", "::ffff:169.254.169.254", "::169.254.169.254", "2002:a9fe:a9fe::1",
    "2002:7f00:1::1", "2001:0:4136:e378:8000:63bf:80ff:fffe", "64:ff9b::a9fe:a9fe",
    "64:ff9b:1::1", "fec0::1", "fc00::1", "fd12:3456::1", "fe80::1%eth0", "2001:db8::1",
    "3fff::1", "100::1", "ff02::1", "::", "::1", "5f00::1",
])
def test_special_purpose_addresses_are_not_public(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700::1111",
                                     "::ffff:8.8.8.8", "2002:808:808::1", "64:ff9b::808:808"])
def test_public_addresses_stay_public(address: str) -> None:
    assert is_public_address(address)


# -- refresh: the same article in several feeds; the same text on another site ---------------------

def test_the_same_article_in_three_feeds_is_fetched_once(tmp_path: Path, server: TestServer) -> None:
    pages = [server.add(f"/shared/{n}", _page(f"Shared story {n}")) for n in range(5)]
    feeds = [server.add(f"/feed-{name}.xml", _rss(*pages, title=name), "application/rss+xml")
             for name in ("one", "two", "three")]
    result = run_warta("--data-dir", str(tmp_path / "d"), "fetch", env=_env(tmp_path, *feeds))
    assert result.returncode == 0, result.stderr
    assert "5 new articles, 5 pages fetched, 0 errors" in result.stdout
    assert [server.hits[f"/shared/{n}"] for n in range(5)] == [1] * 5


def test_a_copy_on_another_site_never_takes_the_originals_url(tmp_path: Path,
                                                            server: TestServer) -> None:
    """A scraper (127.0.0.2) republishes the original's text (127.0.0.1); whichever comes first,
    each keeps its own URL and title."""
    import json

    original = server.add("/original/story", _page("The original story"))
    copy = server.alt_url("/scraped/story")
    server.add("/scraped/story", _page("The original story"))
    scraper_feed = server.alt_url("/scraper.xml")
    server.add("/scraper.xml", _rss(copy, title="Scraper"), "application/rss+xml")
    original_feed = server.add("/original.xml", _rss(original, title="Original"),
                               "application/rss+xml")
    data = str(tmp_path / "d")
    first = run_warta("--data-dir", data, "fetch", env=_env(tmp_path, scraper_feed))
    assert first.returncode == 0, first.stderr
    both = run_warta("--data-dir", data, "fetch", env=_env(tmp_path, scraper_feed, original_feed))
    assert both.returncode == 0, both.stderr
    listed = run_warta("--data-dir", data, "list", "--json", env=_env(tmp_path))
    urls = sorted(json.loads(line)["url"] for line in listed.stdout.splitlines())
    assert urls == sorted([original, copy])


# -- feeds that hang or mislead ---------------------------------------------------------------------

def test_a_100k_item_feed_under_the_cap_keeps_its_newest_items(tmp_path: Path,
                                                                server: TestServer) -> None:
    """The items come oldest first; the whole feed would take about a minute in feedparser,
    far past the 10 s parse limit, and was lost whole."""
    import json

    from .support import many_items

    feed = server.add("/many.xml", many_items(100_000, padding=0), "application/rss+xml")
    config = tmp_path / "config.toml"
    config.write_text("[fetch]\nmin_delay = 0\nretries = 0\nfeed_max_mb = 40\n"
                      f'[[feeds]]\nurl = "{feed}"\nfull_text = "never"\nmax_articles = 200\n')
    env = child_env(WARTA_CONFIG=str(config), HOME=str(tmp_path), XDG_RUNTIME_DIR=None)
    data = str(tmp_path / "d")
    result = run_warta("--data-dir", data, "fetch", env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "200 new articles" in result.stdout and "0 errors" in result.stdout, result.stdout
    titles = {json.loads(line)["title"]
              for line in run_warta("--data-dir", data, "list", "--json", env=env).stdout.splitlines()}
    assert titles == {f"Item {n}" for n in range(99_800, 100_000)}


def test_a_cut_off_feed_is_said_when_added_and_when_refreshed(tmp_path: Path,
                                                              server: TestServer) -> None:
    whole = _rss(*(server.url(f"/cut/{n}") for n in range(3)), title="Cut News")
    feed = server.add("/cut.xml", whole[: whole.index("<item><title>Item 2")] + "<item><title>It",
                      "application/rss+xml")
    for n in range(3):
        server.add(f"/cut/{n}", _page(f"Cut story {n}"))
    data, env = str(tmp_path / "d"), _env(tmp_path)
    added = run_warta("--data-dir", data, "add", feed, env=env)
    assert added.stdout.startswith("Subscribed to Cut News")
    assert "warning: the feed is cut off" in added.stdout and "kept the 2 items" in added.stdout
    fetched = run_warta("--data-dir", data, "fetch", env=env)
    assert f"{feed}: the feed is cut off" in fetched.stderr, fetched.stderr
    assert "2 new articles" in fetched.stdout


def test_a_json_feed_item_with_its_whole_content_is_not_fetched(tmp_path: Path,
                                                                 server: TestServer) -> None:
    import json

    page = server.url("/json/gone")  # 404: must not matter, the feed has the text
    feed = server.add("/feed.json", json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "Short posts",
        "items": [{"id": "1", "url": page, "title": "A note",
                   "content_html": "<p>The whole note, in three short sentences. Nothing more. Done.</p>"}],
    }), "application/feed+json")
    result = run_warta("--data-dir", str(tmp_path / "d"), "fetch", env=_env(tmp_path, feed))
    assert result.returncode == 0, result.stderr
    assert "1 new article, 0 pages fetched, 0 errors" in result.stdout
    assert server.hits["/json/gone"] == 0


# -- what survives a damaged article store is used ----------------------------------------------------

def test_articles_lost_with_their_store_come_back_from_the_page_cache(tmp_path: Path,
                                                                      server: TestServer) -> None:
    import json

    from .test_storage import _overwrite_header

    pages = [server.add(f"/kept/{n}", _page(f"Kept story {n}").replace("Sentence", f"Story {n} sentence"))
             for n in range(3)]  # three different texts (the same text would be one article)
    feed = server.add("/kept.xml", _rss(*pages, title="Kept"), "application/rss+xml")
    env, data = _env(tmp_path, feed), tmp_path / "d"
    assert run_warta("--data-dir", str(data), "fetch", env=env).returncode == 0
    first = json.loads(run_warta("--data-dir", str(data), "list", "--json", env=env).stdout.splitlines()[0])
    from tui.core.store import Store

    with Store.open(data) as store:
        store.update_state(first["id"], starred=True)
    _overwrite_header(data / "articles" / "cache.db")
    server.routes.clear()  # the site is gone too: only the page cache has them
    fetched = run_warta("--data-dir", str(data), "fetch", env=env)
    assert "articles store was corrupt" in fetched.stderr
    assert "3 pages survive in the page cache" in fetched.stderr
    assert "3 articles brought back from the page cache" in fetched.stderr
    rows = [json.loads(line) for line in
            run_warta("--data-dir", str(data), "list", "--json", env=env).stdout.splitlines()]
    assert sorted(row["title"] for row in rows) == [f"Kept story {n}" for n in range(3)]
    assert [row["starred"] for row in rows if row["id"] == first["id"]] == [True]
    assert all(row["full_text"] for row in rows)
