"""The fetcher against a real local server that misbehaves on purpose (matrix N1-N15)."""

from __future__ import annotations

import asyncio
import gzip
import socket
import ssl
import subprocess
import time
import tracemalloc
import zlib
from pathlib import Path

import pytest

from tests.server import Response, TestServer
from tui import __version__
from tui.core.errors import FetchError, UnsafeURLError
from tui.core.fetch import BlockedURLError, Fetcher, FetchLimits, HTTPStatusError
from tui.core.urls import check_public_host

PAGE = b"<html><head><title>t</title></head><body><p>" + b"words " * 200 + b"</p></body></html>"

FAST = FetchLimits(min_delay_per_host=0.0, connect_timeout=1.0, read_timeout=0.5,
                   total_deadline=2.0, retries=2, backoff_base=0.01, retry_after_max=0.3)


def limits(**changes: object) -> FetchLimits:
    from dataclasses import replace
    return replace(FAST, **changes)  # type: ignore[arg-type]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def fetch(url: str, *, kind: str = "page", lim: FetchLimits = FAST, **kw: object):
    async with Fetcher(lim) as fetcher:
        return await fetcher.fetch(url, kind=kind, allow_private=True, **kw)  # type: ignore[arg-type]


async def reason(url: str, **kw: object) -> str:
    with pytest.raises(FetchError) as info:
        await fetch(url, **kw)  # type: ignore[arg-type]
    return str(info.value)


# -- the ordinary path ------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_plain_page_and_headers(server: TestServer) -> None:
    url = server.add("/a", PAGE, "text/html; charset=utf-8",
                     headers={"ETag": '"v1"', "Last-Modified": "Wed, 01 Jan 2025 00:00:00 GMT"})
    result = await fetch(url)
    assert result.content == PAGE and result.status == 200 and not result.not_modified
    assert result.etag == '"v1"' and result.last_modified.startswith("Wed")
    assert result.url == url and result.content_type.startswith("text/html")
    _target, headers = server.requests[-1]
    assert headers["user-agent"] == f"Warta/{__version__} (+https://github.com/warta-reader/warta)"
    assert "br" in headers["accept-encoding"] and "zstd" not in headers["accept-encoding"]


@pytest.mark.asyncio
async def test_conditional_get_304(server: TestServer) -> None:
    url = server.add("/feed", b"<rss/>", "application/rss+xml", headers={"ETag": '"abc"'})
    result = await fetch(url, kind="feed", etag='"abc"', last_modified="Wed, 01 Jan 2025 00:00:00 GMT")
    assert result.not_modified and result.status == 304 and result.content == b""
    _target, headers = server.requests[-1]
    assert headers["if-none-match"] == '"abc"' and "if-modified-since" in headers


@pytest.mark.asyncio
@pytest.mark.parametrize("encoding", ["gzip", "deflate-zlib", "deflate-raw", "br"])
async def test_content_encodings_decoded(server: TestServer, encoding: str) -> None:
    if encoding == "gzip":
        body, header = gzip.compress(PAGE), "gzip"
    elif encoding == "deflate-zlib":
        body, header = zlib.compress(PAGE), "deflate"
    elif encoding == "deflate-raw":
        raw = zlib.compressobj(6, zlib.DEFLATED, -15)
        body, header = raw.compress(PAGE) + raw.flush(), "deflate"
    else:
        brotli = pytest.importorskip("brotli")
        body, header = brotli.compress(PAGE), "br"
    url = server.add("/enc", body, headers={"Content-Encoding": header})
    assert (await fetch(url)).content == PAGE


@pytest.mark.asyncio
async def test_redirects_followed_and_final_url(server: TestServer) -> None:
    result = await fetch(server.url("/r/3"))
    assert result.url == server.url("/r/0") and b"arrived" in result.content


# -- N1 connection refused, DNS failure -------------------------------------------------------

@pytest.mark.asyncio
async def test_connection_refused_retried_then_plain_reason() -> None:
    port = closed_port()
    assert await reason(f"http://127.0.0.1:{port}/feed") == "connection refused"


@pytest.mark.asyncio
async def test_host_not_found() -> None:
    assert await reason("http://feed.invalid/rss") == "host not found"


# -- N2 hang, N3 drip, N4 endless, N5 short/corrupt ---------------------------------------------

@pytest.mark.asyncio
async def test_hang_times_out_with_read_limit(server: TestServer) -> None:
    started = time.monotonic()
    assert await reason(server.url("/hang"), lim=limits(read_timeout=0.3)) == "timed out after 0.3 s"
    assert time.monotonic() - started < 2
    assert server.hits["/hang"] == 1  # read timeouts are not retried


@pytest.mark.asyncio
async def test_drip_stopped_by_total_deadline(server: TestServer) -> None:
    started = time.monotonic()
    assert await reason(server.url("/drip"), lim=limits(total_deadline=0.6)) == "server too slow"
    assert time.monotonic() - started < 2


@pytest.mark.asyncio
async def test_endless_body_stops_at_cap(server: TestServer) -> None:
    assert await reason(server.url("/huge"), lim=limits(page_max_bytes=2**20)) == "response too large"
    assert server.bytes_sent["/huge"] < 20 * 2**20


@pytest.mark.asyncio
async def test_declared_length_over_cap_refused_before_body(server: TestServer) -> None:
    url = server.add("/big", b"x" * 4096, headers={"Content-Length": str(50 * 2**20)})
    assert await reason(url, lim=limits(page_max_bytes=2**20)) == "response too large"


@pytest.mark.asyncio
async def test_short_body_is_incomplete(server: TestServer) -> None:
    assert await reason(server.url("/short")) == "incomplete response"


@pytest.mark.asyncio
async def test_gzip_header_on_plain_bytes_is_corrupt(server: TestServer) -> None:
    assert await reason(server.url("/badgz")) == "corrupt response"


@pytest.mark.asyncio
async def test_empty_body(server: TestServer) -> None:
    url = server.add("/empty", b"  \n", "text/html")
    assert await reason(url) == "empty response"


# -- N6/N7 decompression bombs ----------------------------------------------------------------

@pytest.mark.asyncio
async def test_gzip_bomb_rejected_at_cap_with_bounded_memory(server: TestServer, gzip_bomb: bytes) -> None:
    url = server.add("/gzbomb", gzip_bomb, headers={"Content-Encoding": "gzip"})
    tracemalloc.start()
    try:
        assert await reason(url, kind="feed") == "response too large"  # 15 MiB feed cap
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 40 * 2**20


@pytest.mark.asyncio
async def test_brotli_bomb_rejected_at_cap_with_bounded_memory(server: TestServer, brotli_bomb: bytes) -> None:
    url = server.add("/brbomb", brotli_bomb, headers={"Content-Encoding": "br"})
    tracemalloc.start()
    try:
        assert await reason(url) == "response too large"  # 5 MiB page cap
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 40 * 2**20


@pytest.mark.asyncio
@pytest.mark.parametrize("header", ["gzip, gzip, br", "zstd", "compress"])
async def test_stacked_or_unknown_encodings_refused(server: TestServer, header: str) -> None:
    url = server.add("/stacked", gzip.compress(PAGE), headers={"Content-Encoding": header})
    assert (await reason(url)).startswith("unsupported response encoding")


# -- N8/N9 redirects --------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_redirect_loop(server: TestServer) -> None:
    assert await reason(server.url("/loop")) == "too many redirects"
    assert server.hits["/loop"] == 6  # the first request and five hops


@pytest.mark.asyncio
async def test_redirect_chain_longer_than_limit(server: TestServer) -> None:
    assert await reason(server.url("/r/6")) == "too many redirects"
    assert (await fetch(server.url("/r/5"))).status == 200


@pytest.mark.asyncio
async def test_redirect_to_file_url_refused(server: TestServer) -> None:
    with pytest.raises(UnsafeURLError) as info:
        await fetch(server.url("/tofile"))
    assert str(info.value).startswith("redirect to unsupported address (only http and https")
    assert isinstance(info.value, FetchError)


@pytest.mark.asyncio
@pytest.mark.parametrize("url", ["file:///etc/passwd", "javascript:alert(1)", "ftp://x/y",
                                 "-http://x", "http://exa mple.com/"])
async def test_non_http_urls_refused_without_network(url: str) -> None:
    with pytest.raises(BlockedURLError):
        await fetch(url)


# -- N10 private addresses for URLs that come from feeds ---------------------------------------

@pytest.mark.asyncio
async def test_private_address_blocked_for_feed_urls(server: TestServer) -> None:
    url = server.add("/page", PAGE)
    async with Fetcher(FAST) as fetcher:
        with pytest.raises(BlockedURLError) as info:
            await fetcher.fetch(url, kind="page")
    assert "127.0.0.1" in str(info.value)
    assert server.hits["/page"] == 0


@pytest.mark.asyncio
async def test_metadata_address_blocked() -> None:
    async with Fetcher(FAST) as fetcher:
        with pytest.raises(UnsafeURLError) as info:
            await fetcher.fetch("http://169.254.169.254/latest/meta-data/", kind="page")
    assert "169.254.169.254" in str(info.value)


@pytest.mark.asyncio
async def test_redirect_hop_to_private_address_blocked(server: TestServer) -> None:
    """127.0.0.2 plays a public host; its redirect to 127.0.0.1/secret must never be followed."""

    def pretend_public(host: str, port: int | None = None) -> None:
        if host != "127.0.0.2":
            check_public_host(host, port)

    async with Fetcher(FAST, host_check=pretend_public) as fetcher:
        with pytest.raises(BlockedURLError) as info:
            await fetcher.fetch(server.alt_url("/private-redirect"), kind="page")
    assert "127.0.0.1" in str(info.value)
    assert server.hits["/private-redirect"] == 1 and server.hits["/secret"] == 0


# -- N11 status codes, retries, Retry-After ---------------------------------------------------

@pytest.mark.asyncio
@pytest.mark.parametrize("status", [401, 403, 404, 410])
async def test_client_errors_not_retried(server: TestServer, status: int) -> None:
    with pytest.raises(HTTPStatusError) as info:
        await fetch(server.url(f"/status/{status}"))
    assert str(info.value) == f"HTTP {status}" and info.value.status == status
    assert server.hits[f"/status/{status}"] == 1


@pytest.mark.asyncio
async def test_5xx_retried_with_backoff_then_reported(server: TestServer) -> None:
    assert await reason(server.url("/status/503")) == "HTTP 503"
    assert server.hits["/status/503"] == 3  # first try + 2 retries


@pytest.mark.asyncio
async def test_retry_succeeds_after_transient_error(server: TestServer) -> None:
    url = server.add_sequence("/flaky", [Response(502), Response(200, PAGE, {"Content-Type": "text/html"})])
    assert (await fetch(url)).content == PAGE
    assert server.hits["/flaky"] == 2


@pytest.mark.asyncio
async def test_429_retry_after_honoured_and_clamped(server: TestServer) -> None:
    url = server.url("/status/429?retry_after=3600")
    started = time.monotonic()
    with pytest.raises(HTTPStatusError) as info:
        await fetch(url, lim=limits(retries=1, retry_after_max=0.3))
    elapsed = time.monotonic() - started
    assert str(info.value) == "HTTP 429" and info.value.retry_after == 0.3
    assert server.hits["/status/429"] == 2
    assert 0.28 <= elapsed < 2  # waited the clamped delay, not an hour, and no storm
    starts = server.starts["/status/429"]
    assert starts[1] - starts[0] >= 0.28


# -- N12/N13 content types decided from headers -----------------------------------------------

@pytest.mark.asyncio
async def test_pdf_refused_from_headers_without_body(server: TestServer) -> None:
    started = time.monotonic()
    assert await reason(server.url("/pdf")) == "not a web page (application/pdf)"
    assert time.monotonic() - started < 1  # the 200 MB body was never awaited


@pytest.mark.asyncio
@pytest.mark.parametrize("ctype", ["image/png", "video/mp4", "application/octet-stream"])
async def test_media_is_not_a_page(server: TestServer, ctype: str) -> None:
    url = server.add("/media", b"\x89PNG....", ctype)
    assert await reason(url) == f"not a web page ({ctype})"


@pytest.mark.asyncio
async def test_feed_kind_accepts_xml_and_html_types_but_not_images(server: TestServer) -> None:
    for ctype in ("application/rss+xml", "text/xml", "text/html", "application/json", "text/plain"):
        url = server.add("/f", b"<rss/>", ctype)
        assert (await fetch(url, kind="feed")).content == b"<rss/>"
    url = server.add("/f", b"\x89PNG", "image/png")
    assert await reason(url, kind="feed") == "not a feed (image/png)"


# -- N14 TLS ----------------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_self_signed_certificate_not_trusted(tmp_path: Path) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    made = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)], capture_output=True)
    if made.returncode != 0:
        pytest.skip("openssl not available")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()
        except Exception:  # noqa: BLE001 - the client hangs up during the handshake
            pass
        writer.close()

    tls = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=context)
    port = tls.sockets[0].getsockname()[1]
    try:
        assert await reason(f"https://127.0.0.1:{port}/") == "TLS certificate not trusted"
        assert await reason(f"http://127.0.0.1:{port}/") in ("protocol error", "incomplete response")
    finally:
        tls.close()


# -- N15 concurrency and politeness -----------------------------------------------------------

@pytest.mark.asyncio
async def test_concurrency_bounded_per_host_and_total(server: TestServer) -> None:
    lim = limits(max_connections=3, max_per_host=2, total_deadline=5)
    async with Fetcher(lim) as fetcher:
        await asyncio.gather(*(fetcher.fetch(server.url("/slow?s=0.1"), kind="page",
                                             allow_private=True) for _ in range(6)))
    assert server.max_active == 2
    server.reset()
    async with Fetcher(lim) as fetcher:
        urls = [server.url("/slow?s=0.1"), server.alt_url("/slow?s=0.1")] * 4
        await asyncio.gather(*(fetcher.fetch(u, kind="page", allow_private=True) for u in urls))
    assert server.max_active == 3


@pytest.mark.asyncio
async def test_min_delay_between_requests_to_one_host(server: TestServer) -> None:
    url = server.add("/p", PAGE)
    async with Fetcher(limits(min_delay_per_host=0.15)) as fetcher:
        await asyncio.gather(*(fetcher.fetch(url, kind="page", allow_private=True) for _ in range(3)))
    starts = sorted(server.starts["/p"])
    assert all(b - a >= 0.13 for a, b in zip(starts, starts[1:]))


@pytest.mark.asyncio
async def test_proxy_refusing_connections(server: TestServer) -> None:
    url = server.add("/p", PAGE)
    lim = limits(proxy=f"http://127.0.0.1:{closed_port()}", retries=0)
    assert await reason(url, lim=lim) == "proxy unreachable"
