"""One exception tree whose messages are written for the person at the keyboard.

Every error a user can cause or meet carries a one-line message that says what happened and,
where it helps, what to do. The CLI prints ``str(error)``; the app shows it as a notification.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


class WartaError(Exception):
    """Base of every error Warta raises on purpose; ``str()`` is the user-facing line."""


class ConfigError(WartaError):
    """The config file cannot be used; the message names the file, line or key."""


class StoreError(WartaError):
    """The data dir cannot be opened or written."""


class SchemaMismatchError(StoreError):
    """The data dir was written by an incompatible version of Warta."""


class DiskFullError(StoreError):
    """A write failed for lack of space; reading continues."""


class ExtractionError(WartaError):
    """A page had no readable content, or could not be parsed at all."""


class FilterError(WartaError):
    """A filter expression is malformed; ``position`` points at the bad token."""

    def __init__(self, message: str, position: int = 0, token: str = "") -> None:
        super().__init__(message)
        self.position = position
        self.token = token


class SourceError(WartaError):
    """A feed, page or OPML file could not be used. ``url`` names the resource."""

    def __init__(self, message: str, url: str = "") -> None:
        super().__init__(message)
        self.url = url


class FetchError(SourceError):
    """A network fetch failed; the message is the plain reason ("timed out after 15 s")."""


class OfflineError(FetchError):
    """No network between here and the host: no DNS answer, refused, unreachable, no proxy."""


class FetchTimeoutError(FetchError):
    """The host took too long to connect, answer or send the body."""


class TooLargeError(FetchError):
    """The body went over its size cap (after decompression)."""


class UnsafeURLError(SourceError):
    """A URL that Warta refuses to fetch or open (scheme, private address, shape)."""


class NotAFeedError(SourceError):
    """A URL given as a feed returned something that is not a feed."""


class FeedParseError(SourceError):
    """A feed was fetched but could not be parsed (malformed, too slow, too big)."""


# -- what a refresh reports: one failure per feed or page, typed ---------------------------------


@dataclass(frozen=True, slots=True)
class RefreshFailure:
    """One feed or page that failed in a refresh: ``url`` and a one-line ``message``.

    It unpacks as ``(url, message)``, the pair the errors view and the CLI print.
    """

    url: str
    message: str

    def __iter__(self) -> Iterator[str]:
        return iter((self.url, self.message))


class Offline(RefreshFailure):
    """No network (see ``OfflineError``): not the feed's fault."""


class Timeout(RefreshFailure):
    """Too slow to answer."""


@dataclass(frozen=True, slots=True)
class HttpStatus(RefreshFailure):
    """The server answered with an error status; ``code`` 410 means the feed is gone."""

    code: int = 0


class Blocked(RefreshFailure):
    """An address Warta refuses to fetch (private, loopback, not http(s))."""


class TooLarge(RefreshFailure):
    """Bigger than the size cap."""


class ParseFailure(RefreshFailure):
    """Fetched, but not a feed Warta can read (or too slow or big to parse)."""


class ExtractFailure(RefreshFailure):
    """A page with no readable article in it."""


class StoreFailure(RefreshFailure):
    """The data dir would not take the result (full, busy)."""


class Unexpected(RefreshFailure):
    """A bug: an error nobody foresaw, reported rather than raised."""


def failure_from(error: BaseException, url: str) -> RefreshFailure:
    """The typed failure for ``error`` met while refreshing ``url`` (the one place they are made)."""
    message = str(error)
    kinds: tuple[tuple[type[BaseException], type[RefreshFailure]], ...] = (
        (OfflineError, Offline), (FetchTimeoutError, Timeout), (TooLargeError, TooLarge),
        (UnsafeURLError, Blocked), (NotAFeedError, ParseFailure), (FeedParseError, ParseFailure),
        (ExtractionError, ExtractFailure), (StoreError, StoreFailure),
    )
    status = getattr(error, "status", None)
    if isinstance(error, FetchError) and isinstance(status, int) and status:
        return HttpStatus(url, message, status)
    for error_type, failure_type in kinds:
        if isinstance(error, error_type):
            return failure_type(url, message)
    if isinstance(error, WartaError):
        return RefreshFailure(url, message)
    return Unexpected(url, f"unexpected error ({type(error).__name__}: {error})"[:300])
