"""Fixtures for the hostile-input suite: the evil server (reused from ``tests/server_fixtures``)."""

from __future__ import annotations

# Reuse the shared raw-socket server; importing the fixtures makes them visible to this package
# whether or not the top-level conftest registers ``tests.server_fixtures`` as a plugin.
from tests.server_fixtures import _server_session, brotli_bomb, gzip_bomb, server  # noqa: F401
