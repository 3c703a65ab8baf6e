"""Issue #10 through the real ``warta`` in a subprocess: data loss, tracebacks, misleading lines.

Each test runs the command a user (or cron) would run, against a real data dir and, where the
network matters, the local server on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import make_record
from tests.server import TestServer
from tui.core.store import Store

from .support import ROOT, assert_one_clean_line, child_env, closed_port, run_warta


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A child environment with its own HOME, config and temp dir (nothing of the real user's)."""
    home = tmp_path / "home"
    home.mkdir()
    config = tmp_path / "config.toml"
    config.write_text("[fetch]\nmin_delay = 0\nretries = 0\n")
    shared_tmp = tmp_path / "shared-tmp"
    shared_tmp.mkdir(mode=0o1777)
    return child_env(HOME=str(home), WARTA_CONFIG=str(config), TMPDIR=str(shared_tmp),
                     XDG_RUNTIME_DIR=None, XDG_DATA_HOME=None, XDG_CONFIG_HOME=None,
                     WARTA_DATA_DIR=None)


def seeded(tmp_path: Path, count: int = 30) -> Path:
    data = tmp_path / "data"
    with Store.open(data) as store:
        old = [make_record(n, age_days=400 + n) for n in range(count)]
        store.put_articles([replace(record, fetched=record.published) for record in old])
        store.update_state(make_record(0).id, starred=True)
    return data


# -- data loss: gc with the defaults --------------------------------------------------------------

def test_gc_with_the_default_keep_days_keeps_every_article(tmp_path: Path, env: dict[str, str]) -> None:
    data = seeded(tmp_path)
    result = run_warta("--data-dir", str(data), "gc", env=env)
    assert result.returncode == 0, result.stderr
    assert "kept every article" in result.stdout and "30 articles remain" in result.stdout
    listed = run_warta("--data-dir", str(data), "list", "--json", env=env)
    assert len(listed.stdout.splitlines()) == 30
    aged = run_warta("--data-dir", str(data), "gc", "--keep-days", "30", env=env)
    assert "removed 29 articles older than 30 days" in aged.stdout  # a real age still works


# -- tracebacks: a reader that goes away ----------------------------------------------------------

@pytest.mark.parametrize("command", [["list"], ["list", "--json"], ["show", "ID"], ["export"],
                                     ["show", "ID", "--json"]],
                         ids=["list", "list-json", "show", "export", "show-json"])
def test_closed_pipe_is_quiet(tmp_path: Path, env: dict[str, str], command: list[str]) -> None:
    """``warta list | head -1``: the reader has gone before warta writes (a closed pipe)."""
    data = seeded(tmp_path, 5)
    args = [make_record(1).id if word == "ID" else word for word in command]
    reader, writer = os.pipe()
    os.close(reader)  # every write now fails with EPIPE, as after head has exited
    try:
        result = subprocess.run([sys.executable, "-m", "tui", "--data-dir", str(data), *args],
                                stdout=writer, stderr=subprocess.PIPE, text=True, env=env,
                                cwd=ROOT, timeout=60)
    finally:
        os.close(writer)
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr, result.stderr
    assert result.stderr == ""
    assert result.returncode == 141


# -- tracebacks and bad input: the config file ----------------------------------------------------

def test_config_dev_zero_is_refused_quickly(tmp_path: Path, env: dict[str, str]) -> None:
    result = run_warta("--config", "/dev/zero", "--data-dir", str(tmp_path / "d"), "list",
                       env=env, timeout=20)
    assert_one_clean_line(result, "/dev/zero", "not a config file")


def test_config_with_a_utf8_bom_is_read(tmp_path: Path, env: dict[str, str]) -> None:
    config = tmp_path / "bom.toml"
    config.write_bytes(b"\xef\xbb\xbf[fetch]\nmin_delay = 0\n")
    result = run_warta("--config", str(config), "--data-dir", str(tmp_path / "d"), "list", env=env)
    assert result.returncode == 0 and result.stderr == "", result.stderr


@pytest.mark.parametrize("setting", ["max_connections", "per_host", "workers", "extract_timeout",
                                     "deadline", "read_timeout", "connect_timeout", "feed_max_mb",
                                     "page_max_mb"])
def test_config_zero_that_would_hang_or_fail_every_feed_is_refused(
        tmp_path: Path, env: dict[str, str], setting: str) -> None:
    config = tmp_path / "zero.toml"
    config.write_text(f"[fetch]\n{setting} = 0\n")
    result = run_warta("--config", str(config), "--data-dir", str(tmp_path / "d"), "fetch",
                       env=env, timeout=20)
    assert_one_clean_line(result, f"fetch.{setting}", "more than 0", "line 2")


# -- misleading errors from warta add -------------------------------------------------------------

@pytest.mark.parametrize("url,needle", [
    ("http://127.0.0.1:99999/feed", "port out of range"),
    ("http://256.256.256.256/", "256.256.256.256 is not a valid IP address"),
    ("http://example.com/" + "a" * 100_000, "address too long (100,019 characters)"),
], ids=["port-99999", "bad-ipv4", "100k-url"])
def test_add_bad_address_says_what_is_wrong(tmp_path: Path, env: dict[str, str], url: str,
                                            needle: str) -> None:
    result = run_warta("--data-dir", str(tmp_path / "d"), "add", url, env=env)
    line = assert_one_clean_line(result, needle)
    assert "redirect" not in line and len(line) < 600


def test_add_names_the_url_that_failed(tmp_path: Path, env: dict[str, str],
                                       server: TestServer) -> None:
    url = server.url("/nothing-here")
    result = run_warta("--data-dir", str(tmp_path / "d"), "add", url, env=env)
    assert_one_clean_line(result, url, "HTTP 404")


def _feed(server: TestServer, path: str, title: str) -> str:
    rss = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
           f"<item><title>{title} item</title><link>{server.url(path + '/1')}</link></item>"
           "</channel></rss>")
    return server.add(path, rss, "application/rss+xml")


def test_add_a_known_feed_says_already_subscribed(tmp_path: Path, env: dict[str, str],
                                                  server: TestServer) -> None:
    url = _feed(server, "/known.xml", "Known News")
    data = str(tmp_path / "d")
    first = run_warta("--data-dir", data, "add", url, env=env)
    assert first.stdout.startswith("Subscribed to Known News"), first.stderr
    again = run_warta("--data-dir", data, "add", url, env=env)
    assert again.returncode == 0
    assert again.stdout.strip() == f"Already subscribed to Known News ({url})"
    page = server.add("/known-page", f'<html><head><link rel="alternate" '
                      f'type="application/rss+xml" href="{url}"></head><body>x</body></html>')
    via_page = run_warta("--data-dir", data, "add", page, env=env)
    assert via_page.stdout.startswith("Already subscribed to Known News"), via_page.stdout


def test_add_a_page_with_two_feeds_says_which_it_took_and_names_the_other(
        tmp_path: Path, env: dict[str, str], server: TestServer) -> None:
    posts = _feed(server, "/posts.xml", "Posts")
    comments = _feed(server, "/comments.xml", "Comments")
    page = server.add("/blog", '<html><head>'
                      f'<link rel="alternate" type="application/rss+xml" href="{posts}">'
                      f'<link rel="alternate" type="application/rss+xml" href="{comments}">'
                      "</head><body>blog</body></html>")
    result = run_warta("--data-dir", str(tmp_path / "d"), "add", page, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Subscribed to Posts ({posts})")
    assert f"also advertises {comments}" in result.stdout


def test_add_without_a_scheme_means_https_as_in_the_app(tmp_path: Path, env: dict[str, str]) -> None:
    """``a`` in the app reads ``host/feed`` as https; so does ``warta add`` (a closed port then
    refuses the connection, and the line shows which address was tried)."""
    bare = f"127.0.0.1:{closed_port()}/bare.xml"
    result = run_warta("--data-dir", str(tmp_path / "d"), "add", bare, env=env)
    line = assert_one_clean_line(result, f"https://{bare}", "connection refused")
    assert "not a web address" not in line


# -- ways in: file modes ---------------------------------------------------------------------------

def test_data_dir_and_its_files_are_private_even_if_made_0755(tmp_path: Path,
                                                               env: dict[str, str]) -> None:
    data = seeded(tmp_path, 3)
    os.chmod(data, 0o755)
    for path in data.rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    result = run_warta("--data-dir", str(data), "list", env=env)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    checked = [data / "index.sqlite", data / "backups" / "state.json",
               *data.glob("*/cache.db")]
    for path in checked:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for folder in ("articles", "raw", "state", "backups"):
        assert stat.S_IMODE((data / folder).stat().st_mode) == 0o700, folder


def test_a_new_data_dir_is_private_under_a_loose_umask(tmp_path: Path, env: dict[str, str]) -> None:
    data = tmp_path / "fresh"
    script = ("import os, sys; os.umask(0); from tui.cli import main; "
              f"sys.exit(main(['--data-dir', {str(data)!r}, 'list']))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=env, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    loose = [p for p in [data, *data.rglob("*")]
             if stat.S_IMODE(p.stat().st_mode) & 0o077 and p.parent == data]
    assert not loose, [(str(p), oct(p.stat().st_mode)) for p in loose]


def test_json_show_output_is_plain_json(tmp_path: Path, env: dict[str, str]) -> None:
    """The pipe fix must not disturb ordinary output."""
    data = seeded(tmp_path, 2)
    result = run_warta("--data-dir", str(data), "show", make_record(1).id, "--json", env=env)
    assert json.loads(result.stdout)["id"] == make_record(1).id


# -- bad input: an unusable HOME (cron) ------------------------------------------------------------

def test_unusable_home_reuses_one_private_fallback_dir(tmp_path: Path, env: dict[str, str]) -> None:
    home = tmp_path / "home-is-a-file"
    home.write_text("")
    env = {**env, "HOME": str(home)}
    env.pop("WARTA_CONFIG")
    shared = Path(env["TMPDIR"])
    first = run_warta("gc", env=env)
    second = run_warta("list", env=env)
    for result in (first, second):
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    fallback = shared / f"warta-{os.getuid()}" / "data"
    assert str(fallback) in first.stderr and str(fallback) in second.stderr
    assert sorted(p.name for p in shared.iterdir()) == [f"warta-{os.getuid()}"]
    assert stat.S_IMODE(fallback.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(fallback.stat().st_mode) == 0o700


def test_demo_works_for_subcommands_and_leaves_the_real_data_dir_alone(
        tmp_path: Path, env: dict[str, str]) -> None:
    home = Path(env["HOME"])
    result = run_warta("--demo", "list", "--json", env=env)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) >= 3 and all(row["title"] for row in rows)
    exported = run_warta("--demo", "export", env=env)
    assert exported.returncode == 0 and "<opml" in exported.stdout
    assert not (home / ".local" / "share" / "warta").exists()
    assert not list(home.rglob("index.sqlite"))


# -- filters that mislead ------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["since:", "lang:", "site:", "-site:", "since: 7d", "tag:"])
def test_a_filter_key_without_a_value_is_an_error_not_a_word_search(
        tmp_path: Path, env: dict[str, str], text: str) -> None:
    data = seeded(tmp_path, 3)
    result = run_warta("--data-dir", str(data), "list", "--", text, env=env)
    key = text.split(":")[0].lstrip("-+")
    assert_one_clean_line(result, f"{key}:' needs a value right after the colon")


def test_site_matches_the_host_as_its_docstring_says(tmp_path: Path, env: dict[str, str]) -> None:
    data = tmp_path / "data"
    record = replace(make_record(1, site="harbour-ledger.example"), site="The Harbour Ledger")
    with Store.open(data) as store:
        store.put_articles([record, make_record(2, site="other.example")])
    for query in ("site:harbour-ledger.example", "site:ledger.example", "site:Harbour"):
        result = run_warta("--data-dir", str(data), "list", "--json", query, env=env)
        assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [record.id], query
    path_only = run_warta("--data-dir", str(data), "list", "--json", "site:articles", env=env)
    assert path_only.stdout == ""  # the path is not the host


def test_a_malformed_saved_filter_is_reported_at_start_with_its_line(
        tmp_path: Path, env: dict[str, str]) -> None:
    config = tmp_path / "filters.toml"
    config.write_text('[filters]\nstarred = "is:starred"\nrecent = "since:7days"\n')
    result = run_warta("--config", str(config), "--data-dir", str(tmp_path / "d"), "list", env=env)
    assert_one_clean_line(result, "line 3", "filters.recent", "not a filter", "since:7days")


@pytest.mark.parametrize("command", [["import", "/dev/zero"], ["extract", "/dev/zero"]],
                         ids=["import", "extract"])
def test_reading_dev_zero_as_a_file_is_refused_not_read_forever(
        tmp_path: Path, env: dict[str, str], command: list[str]) -> None:
    result = run_warta("--data-dir", str(tmp_path / "d"), *command, env=env, timeout=30)
    assert_one_clean_line(result, "/dev/zero", "larger than 64 MiB")
