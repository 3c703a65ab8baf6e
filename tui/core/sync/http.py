"""One httpx client for talking to a sync server, and the ways that can fail, sorted.

The project's ``[fetch]`` timeouts, proxy and certificate settings apply. Unlike feed fetching,
a private address is fine here: the user typed the server's address. Every request is counted
(``requests``, ``bytes_received``) so the benchmark and the tests can see what a sync cost.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import Counter
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..config import FetchConfig
from ..fetch import USER_AGENT, tls_context
from .errors import SyncOfflineError, SyncProtocolError, SyncServerError, SyncTLSError

MAX_RESPONSE_BYTES = 64 * 2**20  # 10,000 item ids are ~0.3 MB; a page of contents a few MB

FormData = Mapping[str, str | list[str]]


class ApiHttp:
    """Requests to one server; errors come out as ``SyncError`` subclasses, never httpx's."""

    def __init__(self, base_url: str, fetch: FetchConfig, *,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.host = urlsplit(base_url).netloc or base_url
        self.fetch = fetch
        self.requests: Counter[str] = Counter()  # per endpoint, for "no-change costs N requests"
        self.bytes_received = 0
        self._client = httpx.AsyncClient(
            verify=tls_context(fetch.trust_env),
            timeout=httpx.Timeout(connect=fetch.connect_timeout, read=fetch.read_timeout,
                                  write=fetch.read_timeout, pool=fetch.read_timeout),
            follow_redirects=True, max_redirects=5, trust_env=fetch.trust_env,
            headers={"User-Agent": USER_AGENT}, transport=transport)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> ApiHttp:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def call(self, method: str, path: str, *, label: str, params: Mapping[str, Any] | None = None,
                   data: FormData | None = None, headers: Mapping[str, str] | None = None,
                   ok: tuple[int, ...] = (200,)) -> httpx.Response:
        """One request; a status outside ``ok`` raises ``SyncServerError`` unless the caller
        asked for it (auth failures are told apart by the API modules, who know their dialect)."""
        self.requests[label] += 1
        url = self.base_url + path
        try:
            async with asyncio.timeout(self.fetch.deadline):
                async with self._client.stream(method, url, params=params, data=data,
                                               headers=headers) as response:
                    body = bytearray()
                    async for chunk in response.aiter_bytes():
                        body += chunk
                        if len(body) > MAX_RESPONSE_BYTES:
                            raise SyncProtocolError(f"sync: {self.host} sent more than "
                                                    f"{MAX_RESPONSE_BYTES // 2**20} MB for {label}")
                    response._content = bytes(body)
        except TimeoutError:
            raise SyncOfflineError(f"sync: {self.host} did not answer {label} within "
                                   f"{self.fetch.deadline:g} s") from None
        except httpx.HTTPError as exc:
            raise self._network_error(exc, label) from None
        self.bytes_received += len(response.content)
        if response.status_code not in ok:
            raise SyncServerError(f"sync: {self.host} answered {response.status_code} "
                                  f"{response.reason_phrase or ''} to {label}".rstrip(),
                                  response.status_code, response.content[:300].decode("utf-8", "replace"))
        return response

    def _network_error(self, exc: httpx.HTTPError, label: str) -> Exception:
        chain = _causes(exc)
        text = " ".join(str(e) for e in chain).lower()
        if any(isinstance(e, ssl.SSLCertVerificationError) for e in chain) \
                or "certificate_verify_failed" in text:
            return SyncTLSError(f"sync: TLS error with {self.host}: its certificate is not "
                                "trusted (set SSL_CERT_FILE for a private CA)")
        if any(isinstance(e, ssl.SSLError) for e in chain) or "ssl" in text:
            return SyncTLSError(f"sync: TLS error with {self.host}: the handshake failed "
                                "(is it https at all?)")
        if isinstance(exc, httpx.TimeoutException):
            return SyncOfflineError(f"sync: {self.host} timed out during {label}")
        if isinstance(exc, httpx.TooManyRedirects):
            return SyncProtocolError(f"sync: {self.host} redirects in a loop")
        if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
            return SyncOfflineError(f"sync: {self.host} broke off the connection during {label}")
        if isinstance(exc, httpx.ConnectError):
            reason = "connection refused" if "refused" in text else "cannot connect"
            if "name" in text and ("resolution" in text or "known" in text):
                reason = "host not found"
            return SyncOfflineError(f"sync: cannot reach {self.host} ({reason})")
        return SyncOfflineError(f"sync: network error with {self.host} ({type(exc).__name__})")


def json_body(response: httpx.Response, host: str, label: str) -> Any:
    """The parsed JSON of ``response``; ``SyncProtocolError`` when it is not JSON at all."""
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        raise SyncProtocolError(f"sync: {host} sent something that is not JSON for {label}") from None


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain
