"""Why a sync did not complete, in words for the person at the keyboard.

Every failure leaves the journal as it was: nothing the user changed is dropped because the
server was down, slow, refused the password or answered nonsense. Messages never carry the
password, the API key or the auth token.
"""

from __future__ import annotations

from ..errors import WartaError


class SyncError(WartaError):
    """A sync did not complete; pending changes stay queued for the next one."""


class SyncSetupError(SyncError):
    """The ``[sync]`` settings cannot be used as they are (no password to be had, ...)."""


class SyncAuthError(SyncError):
    """The server refused the user name or password."""


class ApiDisabledError(SyncError):
    """The server answers, but its API access is switched off."""


class NotAnEndpointError(SyncError):
    """The address does not answer like the configured API."""


class SyncTLSError(SyncError):
    """The TLS connection failed (certificate, protocol)."""


class SyncOfflineError(SyncError):
    """The server could not be reached, or did not answer in time."""


class SyncServerError(SyncError):
    """The server answered with an error status (5xx, an unexpected 4xx)."""

    def __init__(self, message: str, status: int = 0, body: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.body = body  # the start of the answer, for telling dialects apart (never shown)


class LabelsUnsupportedError(SyncError):
    """The server keeps no item labels (Miniflux's labels are its categories): tags stay local."""


class SyncProtocolError(SyncError):
    """The server's answer was not what the API promises (garbage JSON, a missing field)."""
