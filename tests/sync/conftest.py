"""Fixtures for the sync tests: the real FreshRSS (one per session), a user per test, feeds
served by the test HTTP server, and Warta "devices" (data dirs with a [sync] config)."""

from __future__ import annotations

import os
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.server import TestServer
from tests.sync.freshrss import FreshRSS, User, unpack, why_not_available
from tui.core.config import Config, parse_config
from tui.core.store import Store

if TYPE_CHECKING:
    from tests.sync.proxy import FaultProxy


@pytest.fixture(scope="session")
def freshrss(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FreshRSS]:
    reason = why_not_available()
    if reason:
        pytest.skip(f"real FreshRSS unavailable: {reason}")
    root = unpack(tmp_path_factory.mktemp("freshrss"))
    server = FreshRSS(root).install().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fresh_user(freshrss: FreshRSS) -> User:
    return freshrss.new_user()


def rss(title: str, items: list[tuple[str, str, str]]) -> str:
    """An RSS 2.0 feed; items are (link, title, html body). Bodies long enough to be "full"."""
    entries = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>Tue, 01 Dec 2026 {10 + n % 10:02d}:00:00 GMT</pubDate>"
        f"<description><![CDATA[{body}]]></description></item>"
        for n, (link, t, body) in enumerate(items))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>http://127.0.0.1/</link>{entries}</channel></rss>")


def long_body(n: int) -> str:
    return "<p>" + " ".join(f"Word{n} number {i} of a story that is long enough." for i in range(60)) + "</p>"


def serve_feed(server: TestServer, path: str, title: str, count: int, start: int = 0) -> str:
    items = [(server.url(f"{path}/story-{n}"), f"{title} story {n}", long_body(n))
             for n in range(start, start + count)]
    return server.add(path, rss(title, items), "application/rss+xml")


@dataclass
class Device:
    """One Warta installation: a data dir and a config pointing at the sync server."""

    data_dir: Path
    config_path: Path
    config: Config

    def open(self) -> Store:
        from tui.core.sync import attach_journal

        store = Store.open(self.data_dir)
        attach_journal(store)
        return store


def make_device(tmp_path: Path, name: str, url: str, user: str, api: str = "greader",
                env: str = "WARTA_TEST_SYNC_PASSWORD", extra: str = "",
                read_timeout: float = 5.0) -> Device:
    config_path = tmp_path / f"{name}.toml"
    config_path.write_text(textwrap.dedent(f"""\
        [sync]
        api = "{api}"
        url = "{url}"
        user = "{user}"
        password_env = "{env}"

        [fetch]
        min_delay = 0.0
        retries = 0
        read_timeout = {read_timeout}
        connect_timeout = 2.0
        deadline = 20.0
        workers = 1
        """) + extra)
    config = parse_config(config_path.read_bytes(), config_path)
    return Device(tmp_path / f"{name}-data", config_path, config)


@pytest.fixture
def password_env(fresh_user: User, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("WARTA_TEST_SYNC_PASSWORD", fresh_user.api_password)
    return fresh_user.api_password


def wait_for(condition, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


__all__ = ["Device", "make_device", "rss", "serve_feed", "long_body", "wait_for", "os"]


@pytest.fixture(scope="session")
def _proxy_session(freshrss: FreshRSS) -> Iterator[FaultProxy]:
    from tests.sync.proxy import FaultProxy

    proxy = FaultProxy(freshrss.port).start()
    yield proxy
    proxy.stop()


@pytest.fixture
def proxy(_proxy_session: FaultProxy) -> Iterator[FaultProxy]:
    """The fault proxy in front of FreshRSS, passing everything through to start with."""
    _proxy_session.mode, _proxy_session.pass_first = "pass", 0
    _proxy_session.requests.clear()
    yield _proxy_session
    _proxy_session.mode, _proxy_session.pass_first = "pass", 0
