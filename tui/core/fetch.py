"""The one HTTP client: bounded, polite, and suspicious of every server it talks to.

``Fetcher`` wraps a single ``httpx.AsyncClient`` and adds what httpx does not do on its own:
a total deadline per request (a server dripping one byte a second never trips a read timeout),
byte caps applied to the *decoded* body (a 200 KB gzip bomb must not cost 400 MB), a check of
every redirect hop (http/https only; no private addresses for URLs that came from a feed),
the Content-Type decided before any body is read, per-host politeness, bounded retries, and
one plain-language ``FetchError`` for every way a fetch can fail.
"""

from __future__ import annotations

import asyncio
import functools
import os
import email.utils
import random
import ssl
import time
import urllib.request
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

import httpx

from .. import __version__
from .config import FetchConfig
from .errors import FetchError, FetchTimeoutError, OfflineError, TooLargeError, UnsafeURLError
from .sanitize import sanitize_line
from .urls import check_public_host, origin, url_problem

try:  # optional: without it we simply do not advertise "br"
    import brotli as _brotli
except ImportError:  # pragma: no cover - depends on the environment
    _brotli = None

FetchKind = Literal["feed", "page", "image"]

USER_AGENT = f"Warta/{__version__} (+https://github.com/warta-reader/warta)"
MiB = 2**20
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_DECODE_STEP = 256 * 1024  # largest piece a decompressor may produce per call
_PAGE_TYPES = ("text/html", "application/xhtml+xml")
_VECTOR_IMAGE_TYPES = ("image/svg",)  # a document with scripts and entities, not pixels
# Types that are never a feed, whatever the server or the user thinks.
_NOT_FEED_PREFIXES = ("image/", "audio/", "video/", "font/", "model/")
_NOT_FEED_TYPES = frozenset({
    "application/pdf", "application/zip", "application/gzip", "application/x-gzip",
    "application/x-tar", "application/x-7z-compressed", "application/vnd.rar",
    "application/x-rar-compressed", "application/msword", "application/x-msdownload",
    "application/vnd.ms-excel", "application/wasm", "application/x-bzip2",
})


_SETTINGS = FetchConfig()  # the defaults of what the config's [fetch] sets, declared there once


def tls_context(trust_env: bool = True) -> ssl.SSLContext:
    """The certificates to trust, read once per process (and per ``SSL_CERT_FILE`` /
    ``SSL_CERT_DIR`` when the environment counts). Building a context reads the whole CA
    bundle (0.05-0.3 s here), and each client built its own: a no-change sync paid it twice."""
    where = (os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")) if trust_env else (None, None)
    return _tls_context(trust_env, *where)


@functools.cache
def _tls_context(trust_env: bool, _cert_file: str | None, _cert_dir: str | None) -> ssl.SSLContext:
    return httpx.create_ssl_context(trust_env=trust_env)


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """Every limit the fetcher applies; ``from_config`` maps the config's ``[fetch]`` onto it."""

    max_connections: int = _SETTINGS.max_connections
    max_per_host: int = _SETTINGS.per_host
    min_delay_per_host: float = _SETTINGS.min_delay  # seconds between request starts to one host
    connect_timeout: float = _SETTINGS.connect_timeout
    read_timeout: float = _SETTINGS.read_timeout
    write_timeout: float = 10.0
    pool_timeout: float = 5.0
    total_deadline: float = _SETTINGS.deadline  # per request, first byte sent to last received
    retries: int = _SETTINGS.retries  # extra attempts after connect errors, 5xx and 429
    backoff_base: float = 0.5  # first retry waits about this long, then doubles (+ jitter)
    backoff_max: float = 30.0
    retry_after_max: float = 120.0  # a server's Retry-After is honoured up to this
    max_redirects: int = 5
    page_max_bytes: int = int(_SETTINGS.page_max_mb * MiB)
    feed_max_bytes: int = int(_SETTINGS.feed_max_mb * MiB)
    image_max_bytes: int = 8 * MiB
    user_agent: str = USER_AGENT
    trust_env: bool = _SETTINGS.trust_env  # HTTP(S)_PROXY, SSL_CERT_FILE, NO_PROXY from the env
    proxy: str | None = None

    @classmethod
    def from_config(cls, fetch: FetchConfig) -> FetchLimits:
        return cls(max_connections=fetch.max_connections, max_per_host=fetch.per_host,
                   min_delay_per_host=fetch.min_delay, connect_timeout=fetch.connect_timeout,
                   read_timeout=fetch.read_timeout, total_deadline=fetch.deadline,
                   retries=fetch.retries, page_max_bytes=int(fetch.page_max_mb * MiB),
                   feed_max_bytes=int(fetch.feed_max_mb * MiB), trust_env=fetch.trust_env)


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A successful fetch. ``not_modified`` means 304: ``content`` is empty, keep the old copy."""

    url: str  # after redirects
    status: int
    content: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool = False

    @property
    def headers(self) -> dict[str, str]:
        """The headers worth keeping next to a stored body (``Store.put_raw``)."""
        kept = {"url": self.url, "content-type": self.content_type,
                "etag": self.etag, "last-modified": self.last_modified}
        return {name: value for name, value in kept.items() if value}


class HTTPStatusError(FetchError):
    """The server answered with an error status; ``status`` lets callers offer e.g. unsubscribe."""

    def __init__(self, message: str, url: str = "", *, status: int = 0,
                 retry_after: float | None = None) -> None:
        super().__init__(message, url)
        self.status = status
        self.retry_after = retry_after


class BlockedURLError(FetchError, UnsafeURLError):
    """A URL (or a redirect hop) Warta refuses to fetch; catchable as either parent."""


class HostCheck(Protocol):
    def __call__(self, host: str, port: int | None = None) -> None: ...


class _Retry(Exception):
    """Internal: this attempt failed in a way worth trying again."""

    def __init__(self, error: FetchError, wait: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.wait = wait


@dataclass(slots=True)
class _Host:
    """Per-host politeness: at most ``max_per_host`` at once, starts spaced by a minimum delay."""

    slots: asyncio.Semaphore
    next_start: float = 0.0


class Fetcher:
    """One shared HTTP client for feeds and pages. Use as ``async with Fetcher() as fetcher``."""

    def __init__(self, limits: FetchLimits | None = None, *,
                 host_check: HostCheck = check_public_host,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.limits = limits or FetchLimits()
        self._host_check = host_check
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._connections = asyncio.Semaphore(self.limits.max_connections)
        self._hosts: dict[str, _Host] = {}

    async def __aenter__(self) -> Fetcher:
        self._client = self._make_client()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()

    def _make_client(self) -> httpx.AsyncClient:
        limits = self.limits
        encodings = "gzip, deflate, br" if _brotli is not None else "gzip, deflate"
        try:
            return httpx.AsyncClient(
                verify=tls_context(limits.trust_env),
                timeout=httpx.Timeout(connect=limits.connect_timeout, read=limits.read_timeout,
                                      write=limits.write_timeout, pool=limits.pool_timeout),
                limits=httpx.Limits(max_connections=limits.max_connections,
                                    max_keepalive_connections=limits.max_connections),
                follow_redirects=False,
                headers={"User-Agent": limits.user_agent, "Accept-Encoding": encodings},
                trust_env=limits.trust_env,
                proxy=limits.proxy,
                transport=self._transport,
            )
        except (ValueError, ImportError, OSError, httpx.InvalidURL, ssl.SSLError) as exc:
            raise FetchError(f"network settings unusable (check HTTPS_PROXY, ALL_PROXY and "
                             f"SSL_CERT_FILE): {exc}") from exc

    # -- the public call ----------------------------------------------------------------------

    async def fetch(self, url: str, *, kind: FetchKind, etag: str | None = None,
                    last_modified: str | None = None, allow_private: bool = False) -> FetchResult:
        """Fetch ``url`` as a feed or a page; raise ``FetchError`` with a plain reason.

        ``allow_private`` is for URLs the user gave (typed, in the config, imported): their
        origin is trusted as given, even on the user's own network. Every other hop (all of
        them for URLs that came from content, and redirects away from the given origin) is
        checked after DNS, so a feed or a redirect cannot make Warta probe that network.
        """
        if self._client is None:
            raise RuntimeError("Fetcher used outside 'async with'")
        problem = url_problem(url)
        if problem:
            raise BlockedURLError(f"not a web address ({problem})", url)
        attempt = 0
        while True:
            try:
                return await self._follow(url, kind, etag, last_modified, allow_private)
            except _Retry as retry:
                if attempt >= self.limits.retries:
                    raise retry.error from None
                wait = retry.wait
                if wait is None:
                    wait = min(self.limits.backoff_max, self.limits.backoff_base * 2**attempt)
                    wait += random.uniform(0, self.limits.backoff_base)
                attempt += 1
                await asyncio.sleep(wait)

    # -- one attempt: the redirect chain ------------------------------------------------------

    async def _follow(self, url: str, kind: FetchKind, etag: str | None,
                      last_modified: str | None, allow_private: bool) -> FetchResult:
        budget = self.limits.total_deadline
        trusted = origin(url) if allow_private else None
        for _hop in range(self.limits.max_redirects + 1):
            if origin(url) != trusted:
                await self._check_host(url)
            started = time.monotonic()
            async with self._slot(url):
                try:
                    async with asyncio.timeout(budget):
                        outcome = await self._request(url, kind, etag, last_modified)
                except TimeoutError:
                    raise FetchTimeoutError("server too slow", url) from None
            budget -= time.monotonic() - started
            if isinstance(outcome, FetchResult):
                return outcome
            url = outcome
        raise FetchError("too many redirects", url)

    async def _check_host(self, url: str) -> None:
        parts = urlsplit(url)
        try:
            await asyncio.to_thread(self._host_check, parts.hostname or "", parts.port)
        except UnsafeURLError as exc:
            raise BlockedURLError(str(exc), url) from None

    @asynccontextmanager
    async def _slot(self, url: str) -> AsyncIterator[None]:
        """Hold a per-host slot, then a global one, honouring the per-host start spacing."""
        host_name = (urlsplit(url).hostname or "").lower()
        host = self._hosts.get(host_name)
        if host is None:
            host = self._hosts[host_name] = _Host(asyncio.Semaphore(self.limits.max_per_host))
        async with host.slots:
            now = time.monotonic()
            start = max(now, host.next_start)
            host.next_start = start + self.limits.min_delay_per_host
            if start > now:
                await asyncio.sleep(start - now)
            async with self._connections:
                yield

    def _hold_off(self, url: str, seconds: float) -> None:
        """After a 429/503 with Retry-After, keep every request to that host waiting."""
        host = self._hosts.get((urlsplit(url).hostname or "").lower())
        if host is not None:
            host.next_start = max(host.next_start, time.monotonic() + seconds)

    # -- one hop ------------------------------------------------------------------------------

    async def _request(self, url: str, kind: FetchKind, etag: str | None,
                       last_modified: str | None) -> FetchResult | str:
        """Send one request; return the result, or the next URL of a redirect."""
        assert self._client is not None
        headers = {"Accept": _accept(kind)}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            request = self._client.build_request("GET", url, headers=headers)
            response = await self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, url, reading_body=False) from None
        except (httpx.InvalidURL, ValueError):  # httpx parses a redirect's Location while sending
            raise BlockedURLError("redirect to unsupported address", url) from None
        try:
            return await self._handle(response, url, kind)
        finally:
            await response.aclose()

    async def _handle(self, response: httpx.Response, url: str,
                      kind: FetchKind) -> FetchResult | str:
        status = response.status_code
        if status in _REDIRECTS and "location" in response.headers:
            return _next_hop(url, response.headers["location"])
        if status == 304:
            return FetchResult(url=url, status=304, content=b"",
                               content_type=response.headers.get("content-type"),
                               etag=response.headers.get("etag"),
                               last_modified=response.headers.get("last-modified"),
                               not_modified=True)
        if not 200 <= status < 300:
            raise self._status_error(response, url)
        content_type = response.headers.get("content-type")
        _check_content_type(content_type, kind, url)
        cap = {"feed": self.limits.feed_max_bytes, "page": self.limits.page_max_bytes,
               "image": self.limits.image_max_bytes}[kind]
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and not response.headers.get("content-encoding") \
                and int(declared) > cap:
            raise TooLargeError("response too large", url)
        decoder = _Decoder(response.headers.get("content-encoding", ""), cap, url)
        try:
            async for chunk in response.aiter_raw():
                decoder.feed(chunk)
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, url, reading_body=True) from None
        content = decoder.finish()
        if not content.strip():
            raise FetchError("empty response", url)
        return FetchResult(url=url, status=status, content=content, content_type=content_type,
                           etag=response.headers.get("etag"),
                           last_modified=response.headers.get("last-modified"))

    def _status_error(self, response: httpx.Response, url: str) -> Exception:
        status = response.status_code
        error = HTTPStatusError(f"HTTP {status}", url, status=status)
        if status not in _RETRY_STATUSES:
            return error
        retry_after = _retry_after(response.headers.get("retry-after"))
        if retry_after is not None:
            retry_after = min(retry_after, self.limits.retry_after_max)
            error.retry_after = retry_after
            self._hold_off(url, retry_after)
            return _Retry(error, wait=0.0)  # the host hold-off does the waiting
        return _Retry(error)

    def _transport_error(self, exc: httpx.HTTPError, url: str, *, reading_body: bool) -> Exception:
        """Map an httpx failure to a reason a person understands; mark the retryable ones."""
        limits = self.limits
        if isinstance(exc, httpx.ConnectTimeout):
            return _Retry(FetchTimeoutError(f"connection timed out after {limits.connect_timeout:g} s", url))
        if isinstance(exc, (httpx.ReadTimeout, httpx.WriteTimeout)):
            return FetchTimeoutError(f"timed out after {limits.read_timeout:g} s", url)
        if isinstance(exc, httpx.PoolTimeout):
            return FetchError("too many downloads at once; try again", url)
        if isinstance(exc, httpx.ProxyError):
            return OfflineError("proxy unreachable", url)
        if isinstance(exc, httpx.UnsupportedProtocol):
            return BlockedURLError("unsupported address", url)
        if isinstance(exc, httpx.ConnectError):
            return self._connect_error(exc, url)
        if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
            return FetchError("incomplete response" if reading_body else "protocol error", url)
        if isinstance(exc, httpx.DecodingError):
            return FetchError("corrupt response", url)
        return FetchError(f"network error ({type(exc).__name__})", url)

    def _connect_error(self, exc: httpx.ConnectError, url: str) -> Exception:
        chain = _causes(exc)
        text = " ".join(str(e) for e in chain).lower()
        if any(isinstance(e, ssl.SSLCertVerificationError) for e in chain) \
                or "certificate_verify_failed" in text:
            return FetchError("TLS certificate not trusted", url)
        if any(isinstance(e, ssl.SSLError) for e in chain) or "ssl" in text:
            return FetchError("TLS handshake failed (protocol error)", url)
        if _uses_proxy(url, self.limits):
            return OfflineError("proxy unreachable" + _env_proxy_note(url, self.limits), url)
        if "name or service not known" in text or "nodename nor servname" in text \
                or "no address associated" in text or "temporary failure in name resolution" \
                in text or "getaddrinfo" in text or "name resolution" in text:
            return OfflineError("host not found", url)
        if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in text:
            return _Retry(OfflineError("connection refused", url))
        if "unreachable" in text:
            return _Retry(OfflineError("network unreachable", url))
        return _Retry(FetchError("could not connect", url))


class _Decoder:
    """Undo Content-Encoding without ever holding more than ``cap`` decoded bytes."""

    def __init__(self, header: str, cap: int, url: str) -> None:
        self.cap = cap
        self.url = url
        self.parts: list[bytes] = []
        self.size = 0
        self.raw_size = 0
        codings = [c.strip().lower() for c in header.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1:
            raise FetchError(f"unsupported response encoding ({', '.join(codings)})", url)
        self.coding = codings[0] if codings else ""
        self._zlib: zlib._Decompress | None = None
        self._brotli: object | None = None
        if self.coding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.coding == "deflate":
            self._zlib = None  # decided on the first bytes: zlib-wrapped or raw
        elif self.coding == "br" and _brotli is not None:
            self._brotli = _brotli.Decompressor()
        elif self.coding:
            raise FetchError(f"unsupported response encoding ({self.coding})", url)

    def feed(self, chunk: bytes) -> None:
        self.raw_size += len(chunk)
        if self.raw_size > self.cap:
            raise TooLargeError("response too large", self.url)
        if not self.coding:
            self._add(chunk)
        elif self._brotli is not None:
            self._feed_brotli(chunk)
        else:
            self._feed_zlib(chunk)

    def _feed_zlib(self, chunk: bytes) -> None:
        if self._zlib is None:  # deflate: RFC says zlib-wrapped, many servers send raw
            wrapped = len(chunk) >= 2 and (chunk[0] & 0x0F) == 8 and \
                ((chunk[0] << 8) | chunk[1]) % 31 == 0
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        data = chunk
        try:
            while data:
                self._add(self._zlib.decompress(data, _DECODE_STEP))
                data = self._zlib.unconsumed_tail
                if self._zlib.eof:
                    break
        except zlib.error:
            raise FetchError("corrupt response", self.url) from None

    def _feed_brotli(self, chunk: bytes) -> None:
        decompressor: Any = self._brotli
        try:
            self._add(decompressor.process(chunk, output_buffer_limit=_DECODE_STEP))
            while not decompressor.can_accept_more_data():
                self._add(decompressor.process(b"", output_buffer_limit=_DECODE_STEP))
        except _brotli.error:
            raise FetchError("corrupt response", self.url) from None

    def _add(self, data: bytes) -> None:
        if not data:
            return
        self.size += len(data)
        if self.size > self.cap:
            raise TooLargeError("response too large", self.url)
        self.parts.append(data)

    def finish(self) -> bytes:
        if self._zlib is not None and not self._zlib.eof:
            try:
                self._add(self._zlib.flush(_DECODE_STEP))
            except zlib.error:
                raise FetchError("corrupt response", self.url) from None
        if self.coding and self.raw_size and not self.size:
            raise FetchError("corrupt response", self.url)
        return b"".join(self.parts)


def _accept(kind: FetchKind) -> str:
    if kind == "feed":
        return ("application/rss+xml, application/atom+xml, application/feed+json, "
                "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")
    if kind == "image":
        return "image/webp, image/png, image/jpeg, image/gif;q=0.9"
    return "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _check_content_type(content_type: str | None, kind: FetchKind, url: str) -> None:
    """Refuse from the headers alone, so a PDF or a 200 MB video is never downloaded."""
    media = _media_type(content_type)
    if not media:
        return  # decided later by sniffing the bytes
    if kind == "image":
        if not media.startswith("image/") or media.startswith(_VECTOR_IMAGE_TYPES):
            raise FetchError(f"not a picture Warta can show ({media[:80]})", url)
    elif kind == "page":
        if media not in _PAGE_TYPES:
            raise FetchError(f"not a web page ({media[:80]})", url)
    elif media in _NOT_FEED_TYPES or media.startswith(_NOT_FEED_PREFIXES):
        raise FetchError(f"not a feed ({media[:80]})", url)


def _next_hop(url: str, location: str) -> str:
    try:
        target = str(httpx.URL(url).join(location.strip()))
    except (httpx.InvalidURL, ValueError):
        raise BlockedURLError("redirect to unsupported address", url) from None
    problem = url_problem(target)
    if problem:
        shown = sanitize_line(target, 200)
        raise BlockedURLError(f"redirect to unsupported address ({problem}): {shown}", url)
    return target


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _env_proxy_note(url: str, limits: FetchLimits) -> str:
    """Name the variable when the environment's proxy is not even a URL (``HTTPS_PROXY=bogus``)."""
    if limits.proxy or not limits.trust_env:
        return ""
    scheme = urlsplit(url).scheme
    for name in (f"{scheme}_proxy", "all_proxy"):
        for variable in (name.upper(), name):
            value = os.environ.get(variable)
            if value:
                return "" if "://" in value else f" ({variable}={value[:80]} is not a proxy URL)"
    return ""


def _uses_proxy(url: str, limits: FetchLimits) -> bool:
    if limits.proxy:
        return True
    if not limits.trust_env:
        return False
    host = urlsplit(url).hostname or ""
    proxies = urllib.request.getproxies()
    scheme = urlsplit(url).scheme
    if not (proxies.get(scheme) or proxies.get("all")):
        return False
    return not urllib.request.proxy_bypass(host)
