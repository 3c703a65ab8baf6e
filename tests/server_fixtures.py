"""Pytest fixtures for the local evil HTTP server (registered as a plugin by conftest)."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server import TestServer

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def _server_session() -> Iterator[TestServer]:
    server = TestServer().start()
    yield server
    server.stop()


@pytest.fixture
def server(_server_session: TestServer) -> Iterator[TestServer]:
    """The running test server with no registered routes and zeroed counters."""
    _server_session.reset()
    yield _server_session
    _server_session.reset()


def _stream_compress(total: int, compressor: zlib._Compress) -> bytes:
    block = b"\0" * 2**20
    parts = [compressor.compress(block) for _ in range(total // len(block))]
    parts.append(compressor.flush())
    return b"".join(parts)


@pytest.fixture(scope="session")
def gzip_bomb() -> bytes:
    """200 MB of zeros as ~200 KB of gzip (matrix N6), built once per session."""
    return _stream_compress(200 * 2**20, zlib.compressobj(9, zlib.DEFLATED, 31))


@pytest.fixture(scope="session")
def brotli_bomb() -> bytes:
    """256 MiB of zeros as ~50 KB of brotli (matrix N7; q1 builds in half a second)."""
    brotli = pytest.importorskip("brotli")
    compressor = brotli.Compressor(quality=1)
    block = b"\0" * 2**20
    parts = [compressor.process(block) for _ in range(256)]
    parts.append(compressor.finish())
    return b"".join(parts)


@pytest.fixture
def feed_fixture() -> Iterator[object]:
    """Read a file from tests/fixtures/feeds by name."""

    def read(name: str) -> bytes:
        return (FIXTURES / "feeds" / name).read_bytes()

    yield read
