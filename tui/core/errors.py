"""One exception tree whose messages are written for the person at the keyboard.

Every error a user can cause or meet carries a one-line message that says what happened and,
where it helps, what to do. The CLI prints ``str(error)``; the app shows it as a notification.
"""

from __future__ import annotations


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


class UnsafeURLError(SourceError):
    """A URL that Warta refuses to fetch or open (scheme, private address, shape)."""


class NotAFeedError(SourceError):
    """A URL given as a feed returned something that is not a feed."""


class FeedParseError(SourceError):
    """A feed was fetched but could not be parsed (malformed, too slow, too big)."""
