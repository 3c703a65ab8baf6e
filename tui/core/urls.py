"""URL rules: which URLs Warta will fetch or open, and how an article gets its id."""

from __future__ import annotations

import hashlib
import ipaddress
import re
import socket
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .errors import UnsafeURLError

_UNSAFE_CHARS = re.compile("[\x00-\x20\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")
_HOST = re.compile(r"[\w.:-]+")  # names (IDN too), IPv4, IPv6; not "|cmd" or "%20"
_TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "ocid", "cmpid", "_ga")
_DOTTED_NUMBERS = re.compile(r"[0-9.]+")
MAX_URL_LENGTH = 16_384  # far beyond any real article link; servers refuse more than 8 KB


def is_http_url(url: str | None) -> bool:
    """True for an absolute http(s) URL with a host and nothing that could act as an option."""
    return url_problem(url) is None


def url_problem(url: str | None) -> str | None:
    """Why ``url`` is not an http(s) address Warta will use, in a few words; None if it is."""
    if not url:
        return "empty address"
    if len(url) > MAX_URL_LENGTH:
        return f"address too long ({len(url):,} characters)"
    if url != url.strip() or url.startswith("-") or _UNSAFE_CHARS.search(url):
        # controls, spaces, bidi controls (a URL that reads backwards), an option's dash
        return "address with spaces, control characters or a leading '-'"
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError outside 0-65535
    except ValueError as exc:
        return "port out of range (1-65535)" if "port" in str(exc).lower() else "malformed address"
    if parts.scheme not in ("http", "https"):
        return "only http and https addresses"
    host = parts.hostname or ""
    if not _HOST.fullmatch(host):
        return "no valid host name"
    if _DOTTED_NUMBERS.fullmatch(host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return f"{host} is not a valid IP address"
    if port == 0:
        return "port out of range (1-65535)"
    return None


def canonical_url(url: str) -> str:
    """The form of a URL used for identity: lower-case scheme/host, no fragment, no trackers."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().rstrip(".")
    netloc = host
    if parts.port and not (
        (parts.scheme == "http" and parts.port == 80) or (parts.scheme == "https" and parts.port == 443)
    ):
        netloc = f"{host}:{parts.port}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
         if not k.lower().startswith(_TRACKING_PARAMS)]
    )
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", query, ""))


def article_id(url: str) -> str:
    """A stable id for the article at ``url``: a hash of its canonical URL."""
    return hashlib.sha256(canonical_url(url).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def site_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
                or ip.is_reserved or ip.is_unspecified)


def check_public_host(host: str, port: int | None = None) -> None:
    """Raise ``UnsafeURLError`` if ``host`` resolves to a loopback/private/link-local address.

    Used for URLs that come from feeds (articles, redirects): a feed must not make Warta probe
    the user's own network. Blocking DNS; call it from a thread.
    """
    try:
        infos = socket.getaddrinfo(host, port or 80, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeURLError(f"host not found: {host}") from exc
    for info in infos:
        address = str(info[4][0])
        if not is_public_address(address):
            raise UnsafeURLError(f"blocked: {host} resolves to private address {address}")
