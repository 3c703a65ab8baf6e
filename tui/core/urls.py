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


def origin(url: str) -> str:
    """``scheme://host:port`` of ``url`` (default port filled in): what trust is given to.

    A feed the user gave on ``http://192.168.1.5:8080`` is trusted there, not on the host's
    other ports (its router admin page on :80) nor wherever it redirects.
    """
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    scheme = parts.scheme.lower()
    port = port or (443 if scheme == "https" else 80)
    return f"{scheme}://{(parts.hostname or '').lower().rstrip('.')}:{port}"


def site_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


# Not globally reachable, from the IANA IPv4 and IPv6 Special-Purpose Address Registries
# (plus multicast, the deprecated site-local fec0::/10 and 6to4 relay anycast). Addresses that
# wrap an IPv4 address (mapped, 6to4, Teredo, NAT64) are judged by the address they wrap.
_BLOCKED_NETWORKS = tuple(ipaddress.ip_network(block) for block in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
    "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    "::/128", "::1/128", "::/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32",
    "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
))
_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
_TEREDO = ipaddress.ip_network("2001::/32")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_public_address(address: str) -> bool:
    """True if ``address`` is globally reachable: not loopback, private, shared (CGNAT),
    link- or site-local, documentation, benchmarking, multicast or reserved, and not one of
    those wrapped in IPv6."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        wrapped = _wrapped_ipv4(ip)
        if wrapped:
            return all(is_public_address(str(inner)) for inner in wrapped)
        if ip not in _GLOBAL_UNICAST:
            return False
    return not any(ip.version == block.version and ip in block for block in _BLOCKED_NETWORKS)


def _wrapped_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    if ip.ipv4_mapped:
        return [ip.ipv4_mapped]
    if ip in _SIX_TO_FOUR and ip.sixtofour:
        return [ip.sixtofour]
    if ip in _TEREDO and ip.teredo:
        return list(ip.teredo)  # (server, client)
    if ip in _NAT64:
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    return []


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
