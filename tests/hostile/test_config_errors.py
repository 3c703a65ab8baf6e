"""Matrix G1-G7: config, environment and terminal-setting errors.

Config files (one per case in ``tests/fixtures/hostile/config``, each with its ``# Expect:``
line) go through the real entry point ``tui.cli.main``: one line on stderr naming the file, the
line and the key, exit status 1, never a traceback.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

from tests.conftest import make_record
from tests.server import TestServer
from tui.cli import main
from tui.core import fetch as fetch_module
from tui.core.config import load_config
from tui.core.errors import FetchError
from tui.core.fetch import Fetcher, FetchLimits
from tui.core.store import Store
from tui.core.urls import check_public_host

from .support import (HOSTILE, PtyApp, assert_one_clean_line, child_env, closed_port,
                      run_warta)

CONFIGS = sorted((HOSTILE / "config").glob("*.toml"))


def _expect(path: Path) -> dict[str, object]:
    first = path.read_bytes().split(b"\n", 1)[0]
    found = re.search(rb"Expect:\s*(\{.*\})", first)
    assert found, path
    return json.loads(found.group(1))


def test_every_config_row_has_a_case() -> None:
    assert {_expect(p)["row"] for p in CONFIGS} == {"G1", "G2"}


@pytest.mark.parametrize("path", CONFIGS, ids=[p.stem for p in CONFIGS])
def test_matrix(path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expect = _expect(path)
    status = main(["--config", str(path), "list", "--data-dir", str(tmp_path / "data")])
    captured = capsys.readouterr()
    if "feeds" in expect:  # a config that must load, with every feed normalised
        assert status == 0, captured.err
        assert [f.url for f in load_config(str(path)).feeds] == expect["feeds"]
        return
    assert status == 1
    line = captured.err.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in captured.err, captured.err
    assert line.startswith("warta: config error: ") and str(path) in line, line
    for needle in expect["needles"]:  # type: ignore[union-attr]
        assert needle in line, (needle, line)


def test_g1_bad_config_in_a_real_process_is_one_line(tmp_path: Path) -> None:
    bad = HOSTILE / "config" / "G1-invalid-utf8.toml"
    result = run_warta("--config", str(bad), "list", "--data-dir", str(tmp_path))
    assert_one_clean_line(result, str(bad), "line 2")
    result = run_warta("--config", str(tmp_path / "missing.toml"), "list")
    assert_one_clean_line(result, "missing.toml", "file not found")
    env = child_env(WARTA_CONFIG=str(HOSTILE / "config" / "G1-wrong-type.toml"))
    assert_one_clean_line(run_warta("list", "--data-dir", str(tmp_path), env=env), "fetch.read_timeout")


# -- G3/G4 proxy and TLS environment ------------------------------------------------------------

async def _fetch_reason(url: str, limits: FetchLimits | None = None, **kw: object) -> str:
    with pytest.raises(FetchError) as info:
        async with Fetcher(limits or FetchLimits(retries=0, min_delay_per_host=0)) as fetcher:
            await fetcher.fetch(url, kind="feed", allow_private=True, **kw)  # type: ignore[arg-type]
    return str(info.value)


@pytest.mark.parametrize("variable,value,needle", [
    pytest.param("ALL_PROXY", "socks5://127.0.0.1:9", "socksio", id="G3-socks-without-socksio"),
    pytest.param("ALL_PROXY", "ftp://x:1", "ALL_PROXY", id="G3-all-proxy-ftp"),
    pytest.param("SSL_CERT_FILE", "/missing/ca.pem", "SSL_CERT_FILE", id="G3-ssl-cert-file-missing"),
    pytest.param("HTTPS_PROXY", "bogus", "HTTPS_PROXY", id="G3-https-proxy-bogus"),
])
async def test_g3_bad_proxy_or_tls_environment_names_the_variable(
        variable: str, value: str, needle: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
                 "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, value)
    reason = await _fetch_reason("https://feeds.example.com/feed.xml")
    assert needle in reason and "\n" not in reason, reason


async def test_g3_trust_env_off_ignores_a_bogus_proxy(server: TestServer,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "bogus")
    monkeypatch.setenv("ALL_PROXY", "ftp://x:1")
    url = server.add("/feed.xml", b"<rss version='2.0'><channel><title>t</title></channel></rss>",
                     "application/rss+xml")
    async with Fetcher(FetchLimits(trust_env=False, retries=0, min_delay_per_host=0)) as fetcher:
        result = await fetcher.fetch(url, kind="feed", allow_private=True)
    assert result.status == 200


def test_g3_no_env_proxy_flag(tmp_path: Path) -> None:
    assert main(["--no-env-proxy", "list", "--data-dir", str(tmp_path)]) == 0


async def test_g4_proxy_refusing_is_not_a_feed_fault_and_exempt_from_blocking() -> None:
    proxy = f"http://127.0.0.1:{closed_port()}"
    checked: list[str] = []

    def public_except_the_proxy(host: str, port: int | None = None) -> None:
        checked.append(host)
        if host != "feeds.example.com":
            check_public_host(host, port)

    async with Fetcher(FetchLimits(proxy=proxy, retries=0, min_delay_per_host=0),
                       host_check=public_except_the_proxy) as fetcher:
        with pytest.raises(FetchError) as info:
            await fetcher.fetch("http://feeds.example.com/feed.xml", kind="feed")
    assert str(info.value) == "proxy unreachable"
    assert checked == ["feeds.example.com"]  # the (private) proxy itself is not blocked


async def test_g4_env_proxy_refusing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert await _fetch_reason("http://feeds.example.com/feed.xml") == "proxy unreachable"


# -- G5 no usable home --------------------------------------------------------------------------

def test_g5_home_unset_uses_xdg(tmp_path: Path) -> None:
    env = child_env(HOME=None, XDG_DATA_HOME=str(tmp_path / "xdg-data"),
                    XDG_CONFIG_HOME=str(tmp_path / "xdg-config"), WARTA_DATA_DIR=None,
                    WARTA_CONFIG=None)
    result = run_warta("list", env=env)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert (tmp_path / "xdg-data" / "warta").is_dir()


def test_g5_unusable_home_falls_back_to_a_temp_dir(tmp_path: Path) -> None:
    home = tmp_path / "home-is-a-file"
    home.write_text("")
    env = child_env(HOME=str(home), XDG_DATA_HOME=None, XDG_CONFIG_HOME=None,
                    WARTA_DATA_DIR=None, WARTA_CONFIG=None)
    result = run_warta("list", env=env)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr
    assert "temp" in result.stderr.lower()


def test_g5_unusable_home_is_at_least_one_clean_line(tmp_path: Path) -> None:
    home = tmp_path / "home-is-a-file"
    home.write_text("")
    env = child_env(HOME=str(home), XDG_DATA_HOME=None, XDG_CONFIG_HOME=None,
                    WARTA_DATA_DIR=None, WARTA_CONFIG=None)
    result = run_warta("list", env=env)
    if result.returncode:
        assert_one_clean_line(result, str(home))


# -- G6 missing optional dependencies -----------------------------------------------------------

async def test_g6_without_brotli_br_is_not_advertised_and_refused(
        server: TestServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch_module, "_brotli", None)
    url = server.add("/br", b"\x0b\x02\x80hello\x03", "text/html", headers={"Content-Encoding": "br"})
    reason = await _fetch_reason(url)
    sent = server.requests[-1][1]["accept-encoding"]
    assert "br" not in sent.split(", ")
    assert reason == "unsupported response encoding (br)"


def test_g6_missing_lxml_html_clean_is_named(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><body><article><p>" + "Words in a paragraph. " * 30 + "</p></article></body></html>")
    code = ("import sys; sys.modules['lxml_html_clean'] = None; sys.modules['lxml.html.clean'] = None\n"
            "from tui.cli import main; sys.exit(main(['extract', sys.argv[1]]))")
    import subprocess

    result = subprocess.run([sys.executable, "-c", code, str(page)], capture_output=True, text=True,
                            env=child_env(), timeout=60)
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    if result.returncode:  # extraction may not need it at all; if it does, say which package
        assert "lxml_html_clean" in result.stderr or "lxml-html-clean" in result.stderr


# -- G7 tiny, dumb and colourless terminals -------------------------------------------------------

@pytest.fixture
def small_store(tmp_path: Path):
    store = Store.open(tmp_path / "data")
    store.put_articles([make_record(n, title="A rather long title " * 5) for n in range(30)])
    yield store
    store.close()


@pytest.mark.parametrize("size", [(20, 5), (10, 3), (1, 1)], ids=["G7-20x5", "G7-10x3", "G7-1x1"])
async def test_g7_tiny_terminal_renders(small_store: Store, size: tuple[int, int],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.app.app import WartaApp
    from tui.core.library import Library
    from tui.core.config import Config

    monkeypatch.setenv("NO_COLOR", "1")
    app = WartaApp(Library(small_store, Config()))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("j", "enter", "space", "escape", "G")
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        await pilot.resize_terminal(*size)
        await pilot.pause()
        assert app.is_running
    assert app.return_code in (None, 0)


def test_g7_term_dumb_in_a_real_terminal(tmp_path: Path) -> None:
    with Store.open(tmp_path / "data") as store:
        store.put_articles([make_record(1)])
    env = child_env(TERM="dumb", NO_COLOR="1")
    app = PtyApp(["--data-dir", str(tmp_path / "data")], cols=20, rows=5, env=env)
    app.read_for(3)
    app.send("q")
    status = app.finish()
    assert status is not None and os.WIFEXITED(status), "the app hung under TERM=dumb"
    assert b"Traceback" not in app.output, bytes(app.output[-2000:])
