"""Matrix N1-N15: network faults against the raw-socket evil server on 127.0.0.1.

Each case is one test id (``test_matrix[N3-drip]``): how to provoke the fault from the shared
``tests/server.py``, and the one plain reason the fetcher must give. A second group runs a
whole ``Refresher`` over a real store, where the rows' other half lives: the failing feed gets
its reason, cached articles and the user's marks survive, and the other feeds still refresh.
"""

from __future__ import annotations

import asyncio
import gzip
import socket
import ssl
import subprocess
import threading
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from tests.server import Response, TestServer
from tui.core.errors import FetchError, UnsafeURLError
from tui.core.feeds import find_feed_links, parse_feed
from tui.core.errors import NotAFeedError
from tui.core.fetch import BlockedURLError, Fetcher, FetchLimits, HTTPStatusError
from tui.core.urls import check_public_host

from .support import app_config, closed_port, reader_words, toasts, wait_until

FAST = FetchLimits(min_delay_per_host=0.0, connect_timeout=1.0, read_timeout=0.5,
                   total_deadline=1.5, retries=1, backoff_base=0.01, retry_after_max=0.3,
                   page_max_bytes=1 * 2**20, feed_max_bytes=2 * 2**20)
FEED = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Fine</title>'
        b'<item><title>One</title><link>https://fine.example.com/1</link></item></channel></rss>')
LOGIN = b"<html><head><title>Sign in</title><link rel='alternate' type='application/rss+xml' " \
        b"href='/real-feed.xml'></head><body><form><input name=user></form></body></html>"


@dataclass
class NetCase:
    """``route(server) -> url``; the fetch must fail with ``reason`` (or pass ``check``)."""

    route: Callable[[TestServer], str]
    reason: str | None = None
    kind: str = "page"
    limits: dict[str, Any] = field(default_factory=dict)
    allow_private: bool = True
    max_seconds: float = 5.0
    max_peak_mb: float | None = None
    error_type: type[Exception] = FetchError
    fetch_kwargs: dict[str, Any] = field(default_factory=dict)
    check: Callable[[Any, TestServer], None] | None = None
    host_check: Callable[..., None] | None = None


def _fake_public(*public: str) -> Callable[..., None]:
    """DNS check that treats ``public`` hosts as public and checks every other host for real."""

    def check(host: str, port: int | None = None) -> None:
        if host not in public:
            check_public_host(host, port)

    return check


def _assert_304(result: Any, server: TestServer) -> None:
    assert result.not_modified and result.content == b""


def _assert_arrived(result: Any, server: TestServer) -> None:
    assert b"arrived" in result.content


def _html_login_is_not_a_feed(result: Any, server: TestServer) -> None:
    with pytest.raises(NotAFeedError):
        parse_feed(result.content, result.url, result.content_type)
    assert find_feed_links(result.content, result.url) == [server.url("/real-feed.xml")]


def _octets_are_not_a_feed(result: Any, server: TestServer) -> None:
    with pytest.raises(NotAFeedError):
        parse_feed(result.content, result.url, result.content_type)


def _pdf_body_never_read(error: Any, server: TestServer) -> None:
    assert server.hits["/pdf"] == 1


def _secret_never_reached(error: Any, server: TestServer) -> None:
    assert server.hits["/secret"] == 0 and "127.0.0.1" in str(error)


def _429_no_storm(error: Any, server: TestServer) -> None:
    assert isinstance(error, HTTPStatusError) and error.status == 429
    assert error.retry_after == 0.3  # Retry-After: 3600 clamped to retry_after_max
    assert server.hits["/status/429"] == 2  # one try + one retry, no storm


def _status(code: int) -> Callable[[Any, TestServer], None]:
    def check(error: Any, server: TestServer) -> None:
        assert isinstance(error, HTTPStatusError) and error.status == code
        assert server.hits[f"/status/{code}"] == (2 if code >= 500 else 1)  # 4xx never retried
    return check


CASES: dict[str, NetCase] = {
    "N1-connection-refused": NetCase(lambda s: f"http://127.0.0.1:{closed_port()}/feed",
                                     "connection refused", kind="feed"),
    "N1-host-not-found": NetCase(lambda s: "http://feed.invalid/rss", "host not found", kind="feed"),
    "N2-hang": NetCase(lambda s: s.url("/hang"), "timed out after 0.5 s", max_seconds=3),
    "N3-drip": NetCase(lambda s: s.url("/drip?every=0.2"), "server too slow", max_seconds=3),
    "N4-endless-body": NetCase(lambda s: s.url("/huge"), "response too large", max_peak_mb=50),
    "N5-truncated-body": NetCase(lambda s: s.url("/short"), "incomplete response"),
    "N5-gzip-header-on-plain-bytes": NetCase(lambda s: s.url("/badgz"), "corrupt response"),
    "N6-gzip-bomb": NetCase(lambda s: s.url("/gzbomb"), "response too large", max_peak_mb=100),
    "N7-brotli-bomb": NetCase(lambda s: s.url("/brbomb"), "response too large", max_peak_mb=200),
    "N7-stacked-encodings": NetCase(
        lambda s: s.add("/stacked", gzip.compress(gzip.compress(b"<html>x</html>")), "text/html",
                        headers={"Content-Encoding": "gzip, gzip, br"}),
        "unsupported response encoding (gzip, gzip, br)"),
    "N8-redirect-loop": NetCase(lambda s: s.url("/loop"), "too many redirects"),
    "N8-chain-of-6": NetCase(lambda s: s.url("/r/6"), "too many redirects"),
    "N8-chain-of-5-is-fine": NetCase(lambda s: s.url("/r/5"), check=_assert_arrived),
    "N9-redirect-to-file": NetCase(lambda s: s.url("/tofile"), "redirect to unsupported address",
                                   error_type=UnsafeURLError),
    "N9-redirect-to-javascript": NetCase(
        lambda s: s.add("/tojs", b"", None, status=302, headers={"Location": "javascript:alert(1)"}),
        "", error_type=BlockedURLError),  # refused; the wording is checked below
    "N9-redirect-to-ftp": NetCase(
        lambda s: s.add("/toftp", b"", None, status=301, headers={"Location": "ftp://x.example/f"}),
        "redirect to unsupported address", error_type=UnsafeURLError),
    "N10-public-host-redirects-to-loopback": NetCase(
        lambda s: s.alt_url("/private-redirect"), allow_private=False, error_type=BlockedURLError,
        host_check=_fake_public("127.0.0.2"), check=_secret_never_reached),
    "N10-metadata-address": NetCase(lambda s: "http://169.254.169.254/latest/meta-data/",
                                    "169.254.169.254", allow_private=False, error_type=BlockedURLError),
    "N10-loopback-link": NetCase(lambda s: s.url("/secret"), "127.0.0.1", allow_private=False,
                                 error_type=BlockedURLError, check=_secret_never_reached),
    "N11-304-keeps-cache": NetCase(
        lambda s: s.add("/etag", FEED, "application/rss+xml", headers={"ETag": '"v1"'}),
        kind="feed", check=_assert_304, fetch_kwargs={"etag": '"v1"'}),
    "N11-401": NetCase(lambda s: s.url("/status/401"), "HTTP 401", check=_status(401)),
    "N11-403": NetCase(lambda s: s.url("/status/403"), "HTTP 403", check=_status(403)),
    "N11-404": NetCase(lambda s: s.url("/status/404"), "HTTP 404", check=_status(404)),
    "N11-410": NetCase(lambda s: s.url("/status/410"), "HTTP 410", check=_status(410)),
    "N11-429-retry-after-clamped": NetCase(lambda s: s.url("/status/429?retry_after=3600"),
                                           "HTTP 429", check=_429_no_storm),
    "N11-503": NetCase(lambda s: s.url("/status/503"), "HTTP 503", check=_status(503)),
    "N11-empty-200": NetCase(lambda s: s.add("/empty", b"", "application/rss+xml"),
                             "empty response", kind="feed"),
    "N12-html-login-page": NetCase(lambda s: s.add("/login", LOGIN, "text/html"), kind="feed",
                                   check=_html_login_is_not_a_feed),
    "N12-png": NetCase(lambda s: s.add("/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png"),
                       "not a feed (image/png)", kind="feed"),
    "N12-octet-stream": NetCase(
        lambda s: s.add("/bin", b"\x7fELF\x02\x01" + bytes(range(256)), "application/octet-stream"),
        kind="feed", check=_octets_are_not_a_feed),
    "N13-pdf-200mb": NetCase(lambda s: s.url("/pdf"), "not a web page (application/pdf)",
                             max_seconds=2, check=_pdf_body_never_read),
    "N13-video": NetCase(
        lambda s: s.add("/video", b"\0" * 10, "video/mp4", headers={"Content-Length": str(2**31)}),
        "not a web page (video/mp4)"),
}


@pytest.mark.parametrize("name", list(CASES))
async def test_matrix(name: str, server: TestServer, gzip_bomb: bytes, request: pytest.FixtureRequest) -> None:
    case = CASES[name]
    server.add("/gzbomb", gzip_bomb, "text/html", headers={"Content-Encoding": "gzip"})
    if name == "N7-brotli-bomb":
        bomb = request.getfixturevalue("brotli_bomb")
        server.add("/brbomb", bomb, "text/html", headers={"Content-Encoding": "br"})
    url = case.route(server)
    limits = replace(FAST, **case.limits)
    kwargs: dict[str, Any] = {"host_check": case.host_check} if case.host_check else {}
    if case.max_peak_mb:
        tracemalloc.start()
    started = time.monotonic()
    outcome: Any
    try:
        async with Fetcher(limits, **kwargs) as fetcher:
            outcome = await fetcher.fetch(url, kind=case.kind, allow_private=case.allow_private,  # type: ignore[arg-type]
                                          **case.fetch_kwargs)
    except FetchError as exc:
        outcome = exc
    except UnsafeURLError as exc:
        outcome = exc
    finally:
        peak = tracemalloc.get_traced_memory()[1] / 2**20 if case.max_peak_mb else 0.0
        if case.max_peak_mb:
            tracemalloc.stop()
    elapsed = time.monotonic() - started
    assert elapsed < case.max_seconds, f"took {elapsed:.1f} s"
    if case.reason is not None or case.check is None or isinstance(outcome, Exception):
        if case.reason is None and case.check is not None and not isinstance(outcome, Exception):
            pass
        elif case.reason is not None:
            assert isinstance(outcome, case.error_type), f"{type(outcome).__name__}: {outcome}"
            assert case.reason in str(outcome), str(outcome)
            assert "\n" not in str(outcome) and len(str(outcome)) < 200
    if case.check is not None:
        case.check(outcome, server)
    if case.max_peak_mb:
        assert peak < case.max_peak_mb, f"peak {peak:.0f} MB"


async def test_n9_redirect_to_javascript_is_explained(server: TestServer) -> None:
    url = server.add("/tojs", b"", None, status=302, headers={"Location": "javascript:alert(1)"})
    async with Fetcher(FAST) as fetcher:
        with pytest.raises(BlockedURLError) as info:
            await fetcher.fetch(url, kind="page", allow_private=True)
    assert str(info.value) == "redirect to unsupported address"


# -- N14: TLS with a certificate nobody trusts ------------------------------------------------------

@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory):
    """A TLS server on 127.0.0.1 with a fresh self-signed certificate (openssl)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    made = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                           "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                          capture_output=True)
    if made.returncode:
        pytest.skip("openssl not available")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    plain_hits: list[bytes] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            try:
                with context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1024)
            except (ssl.SSLError, OSError) as exc:
                plain_hits.append(str(exc).encode())

    threading.Thread(target=serve, daemon=True).start()
    yield port
    listener.close()


async def test_n14_self_signed_not_trusted_and_never_downgraded(tls_server: int) -> None:
    async with Fetcher(FAST) as fetcher:
        with pytest.raises(FetchError) as info:
            await fetcher.fetch(f"https://127.0.0.1:{tls_server}/feed", kind="feed", allow_private=True)
    assert str(info.value) == "TLS certificate not trusted"


async def test_n14_plain_http_to_tls_port_is_a_protocol_error(tls_server: int) -> None:
    async with Fetcher(FAST) as fetcher:
        with pytest.raises(FetchError) as info:
            await fetcher.fetch(f"http://127.0.0.1:{tls_server}/feed", kind="feed", allow_private=True)
    assert "protocol error" in str(info.value) or "incomplete response" in str(info.value), str(info.value)


# -- N15: everything offline, or everything slow ------------------------------------------------------

async def test_n15_offline_start_every_feed_fails_fast_and_plainly() -> None:
    urls = [f"http://127.0.0.1:{closed_port()}/feed{n}" for n in range(30)]
    started = time.monotonic()
    async with Fetcher(replace(FAST, retries=0)) as fetcher:
        results = await asyncio.gather(*(fetcher.fetch(u, kind="feed", allow_private=True) for u in urls),
                                       return_exceptions=True)
    assert time.monotonic() - started < 5
    assert {str(r) for r in results} == {"connection refused"}
    assert all(isinstance(r, FetchError) for r in results)


async def test_n15_many_slow_feeds_bounded_per_host_and_in_total(server: TestServer) -> None:
    limits = replace(FAST, max_connections=3, max_per_host=2, read_timeout=5, total_deadline=10)
    urls = [server.url("/slow?s=0.15") for _ in range(8)] + [server.alt_url("/slow?s=0.15") for _ in range(8)]
    async with Fetcher(limits) as fetcher:
        results = await asyncio.gather(*(fetcher.fetch(u, kind="page", allow_private=True) for u in urls),
                                       return_exceptions=True)
    assert all(not isinstance(r, Exception) for r in results), results
    assert server.max_active <= 3


# -- the same faults through a whole refresh over a real store ------------------------------------

def _rss(title: str, items: list[tuple[str, str]], extra: str = "") -> bytes:
    body = "".join(f"<item><title>{t}</title><link>{link}</link></item>" for t, link in items)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{body}{extra}'
            "</channel></rss>").encode()


FAULTS = {  # feed path -> (first response, second response, reason expected on the second refresh)
    "refused": (None, None, "connection refused"),
    "gone": (None, Response(410, b"gone", {"Content-Type": "text/html"}), "HTTP 410"),
    "busy": (None, Response(429, b"slow down", {"Content-Type": "text/html", "Retry-After": "3600"}),
             "HTTP 429"),
    "empty": (None, Response(200, b"", {"Content-Type": "application/rss+xml"}), "empty response"),
    "login": (None, Response(200, LOGIN, {"Content-Type": "text/html"}), "not a feed"),
    "redos": (None, Response(200, ('<?xml version="1.0"?><rss version="2.0"><channel><title>R</title>'
                                   '<item><title>t</title><link>https://redos.example.com/9</link><author>'
                                   + "a." * 32000 + "@</author></item></channel></rss>").encode(),
                             {"Content-Type": "application/rss+xml"}), "feed took too long to parse"),
    "zero": (None, Response(200, _rss("Zero", []), {"Content-Type": "application/rss+xml"}), None),
    "badref": (None, Response(200, _rss("Bad", [("Bad &#xD800; ref", "https://badref.example.com/new")]),
                              {"Content-Type": "application/rss+xml"}), None),
    "etag": (None, None, None),
}


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory, _server_session: TestServer) -> dict[str, Any]:
    """Two refreshes of ten feeds: all healthy, then each failing in its own way.

    Between them the user stars the first article of every feed. Runs once for the module;
    the tests below read what it found.
    """
    from tui.core.models import Feed
    from tui.core.pool import WorkerPool
    from tui.core.refresh import Refresher
    from tui.core.store import Store

    server = _server_session
    doomed = TestServer().start()  # its port closes before the second refresh: N1
    data = tmp_path_factory.mktemp("refresh") / "data"
    feeds = []
    for name in ("ok", *FAULTS):
        items = [(f"{name} story {n}", f"https://{name}.example.com/{n}") for n in range(3)]
        first = Response(200, _rss(name, items), {"Content-Type": "application/rss+xml"})
        if name == "refused":
            url = doomed.add_sequence("/rf/refused", [first])
        elif name == "etag":
            url = server.add("/rf/etag", first.body, "application/rss+xml", headers={"ETag": '"e1"'})
        else:
            second = FAULTS[name][1] if name in FAULTS else Response(
                200, _rss(name, [*items, ("ok story new", "https://ok.example.com/new")]),
                {"Content-Type": "application/rss+xml"})
            url = server.add_sequence(f"/rf/{name}", [first, second])
        feeds.append(Feed(url=url, name=name, full_text="never"))
    result: dict[str, Any] = {"feeds": {f.name: f for f in feeds}}

    async def scenario() -> None:
        limits = replace(FAST, retries=1, read_timeout=2, total_deadline=5)
        with Store.open(data) as store:
            # The ReDoS feed needs minutes; 3 s kills it while a loaded machine still parses
            # the healthy feeds in time. Workers are started first so spawning is not timed.
            async with Fetcher(limits) as fetcher, WorkerPool(2, timeout=3.0) as pool:
                await pool.warm()
                refresher = Refresher(store, fetcher, pool, parse_timeout=3.0)
                result["first"] = await refresher.run(feeds)
                result["before"] = {f.name: sorted(r.title for r in store.iter_articles()
                                                   if f.url in r.feeds) for f in feeds}
                for feed in feeds:
                    first_id = next(r.id for r in store.iter_articles() if feed.url in r.feeds
                                    and r.title.endswith("story 0"))
                    store.update_state(first_id, starred=True, read=True)
                doomed.stop()
                started = time.monotonic()
                twice = await asyncio.gather(refresher.run(feeds), refresher.run(feeds))  # P7 single-flight
                result["seconds"] = time.monotonic() - started
                result["second"], result["joined"] = twice
                result["after"] = {f.name: sorted(r.title for r in store.iter_articles()
                                                  if f.url in r.feeds) for f in feeds}
                result["starred"] = {f.name: [r.title for r in store.iter_articles()
                                              if f.url in r.feeds and store.get_state(r.id).starred]
                                     for f in feeds}
                result["meta"] = {f.name: store.get_feed_meta(f.url) for f in feeds}
                result["hits"] = dict(server.hits)

    asyncio.run(scenario())
    return result


def test_refresh_first_round_is_clean(refreshed: dict[str, Any]) -> None:
    assert refreshed["first"].errors == ()
    assert all(len(titles) == 3 for titles in refreshed["before"].values()), refreshed["before"]


def test_p7_second_refresh_joins_the_running_one(refreshed: dict[str, Any]) -> None:
    assert refreshed["joined"] is refreshed["second"]
    assert refreshed["hits"]["/rf/ok"] == 2  # two rounds, not three


@pytest.mark.parametrize("name", list(FAULTS), ids=[
    "N1-refused-keeps-cache", "N11-410-keeps-items", "N11-429-no-storm", "N11-empty-200",
    "N12-login-page-not-a-feed", "C3-redos-killed-in-refresh", "C13-zero-entries-unchanged",
    "C4-bad-char-ref-feed-still-refreshes", "N11-304-keeps-cache"])
def test_refresh_fault_keeps_cache_and_marks(name: str, refreshed: dict[str, Any]) -> None:
    feed = refreshed["feeds"][name]
    errors = dict(refreshed["second"].errors)
    reason = FAULTS[name][2]
    if reason is None:
        assert feed.url not in errors, errors.get(feed.url)
    else:
        assert reason in errors.get(feed.url, ""), errors
        assert "\n" not in errors[feed.url]
        assert reason in refreshed["meta"][name]["error"]
    for title in refreshed["before"][name]:  # stored items never deleted
        assert title in refreshed["after"][name], (title, refreshed["after"][name])
    assert refreshed["starred"][name] == [f"{name} story 0"]
    if name == "zero":
        assert refreshed["meta"][name]["note"] == "0 items (unchanged)"
    if name == "busy":
        assert refreshed["hits"]["/rf/busy"] <= 3
    if name == "badref":
        assert "Bad \ufffd ref" in refreshed["after"][name]


def test_refresh_other_feeds_keep_working(refreshed: dict[str, Any]) -> None:
    ok = refreshed["feeds"]["ok"]
    assert ok.url not in dict(refreshed["second"].errors)
    assert "ok story new" in refreshed["after"]["ok"]
    assert refreshed["seconds"] < 20


# -- N11 and N13 in the app: what the user is told, and what a key then does ---------------------

def _errors_view_text(app: Any) -> str:
    import io

    from rich.console import Console

    from tui.app.screens.errors import ErrorsScreen

    screen = app.screen
    assert isinstance(screen, ErrorsScreen)
    console = Console(width=600, record=True, color_system=None, file=io.StringIO())
    console.print(screen._table())
    return " ".join(console.export_text().split())


@pytest.mark.parametrize("where", ["subscription", "config"], ids=["N11-410-unsubscribe",
                                                                    "N11-410-config-feed"])
async def test_n11_gone_feed_offers_unsubscribe_in_the_errors_view(
        server: TestServer, tmp_path: Path, where: str) -> None:
    from tui.app.app import WartaApp
    from tui.core.library import Library
    from tui.core.models import Feed
    from tui.core.store import Store

    gone = server.url("/status/410")
    fine = Feed(url=server.add("/fine.xml", FEED, "application/rss+xml"), name="Fine",
                full_text="never")
    config_path = tmp_path / "config.toml"
    with Store.open(tmp_path / "data") as store:
        if where == "subscription":
            store.add_subscription(Feed(url=gone, name="Gone"))
            config = app_config(fine, path=config_path)
        else:
            config = app_config(fine, Feed(url=gone, name="Gone"), path=config_path)
        app = WartaApp(Library(store, config))
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_until(pilot, lambda: "Refreshed 2 feeds" in str(app.main.status.render()), 15)
            assert "1 error" in str(app.main.status.render())
            await pilot.press("E")
            await pilot.pause()
            shown = _errors_view_text(app)
            assert gone in shown
            await pilot.press("u")
            await pilot.pause()
            if where == "subscription":
                assert "gone (HTTP 410) — press u to unsubscribe" in shown
                assert store.subscriptions() == []
                assert any("Unsubscribed from " + gone in t for t in toasts(app)), toasts(app)
                assert "No errors" in _errors_view_text(app)
            else:
                assert f"gone (HTTP 410) — remove it from {config_path}" in shown
                assert any(f"remove it from {config_path}" in t for t in toasts(app)), toasts(app)
            assert any(fine.url in r.feeds for r in store.iter_articles())  # the other feed refreshed
            assert app.is_running


async def test_n13_pdf_article_says_why_and_o_opens_it_in_the_browser(
        server: TestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.app.conftest import FakeOpener
    from tui.app.app import WartaApp
    from tui.core.library import Library
    from tui.core.models import Feed
    from tui.core.store import Store

    monkeypatch.setenv("BROWSER", "/bin/true")
    pdf = server.url("/pdf")
    feed = server.add("/papers.xml", _rss("Papers", [("The report", pdf)]), "application/rss+xml")
    opener = FakeOpener()
    with Store.open(tmp_path / "data") as store:
        app = WartaApp(Library(store, app_config(Feed(url=feed, name="Papers"))), opener=opener)
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_until(pilot, lambda: "Refreshed 1 feed ·" in str(app.main.status.render()), 15)
            await pilot.press("enter")
            await pilot.pause()
            words = reader_words(app)
            assert "Full text failed: not a web page (application/pdf)" in words, words
            assert "press o to open it in the browser" in words
            assert server.hits["/pdf"] == 1  # decided from the headers; never asked twice
            await pilot.press("o")
            await pilot.pause()
            assert opener.calls == [["/bin/true", pdf]]
