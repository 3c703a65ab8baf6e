"""The ``warta`` command end to end, in-process, against the local server and a real data dir."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.server import TestServer
from tui.cli import main

from ..conftest import FIXTURES, SEED_PAGE

WORDS = " ".join(f"sentence {i} of a long and careful report about the river." for i in range(40))


def article_page(title: str) -> str:
    return (f'<html lang="en"><head><title>{title}</title></head><body><article><h1>{title}</h1>'
            f"<p>{title}: {WORDS}</p><p>Second paragraph of {title}. {WORDS}</p></article></body></html>")


def publish_feed(server: TestServer, count: int = 3) -> str:
    items = []
    for n in range(count):
        link = server.add(f"/cli/a{n}", article_page(f"River report {n}"))
        items.append(f"<item><title>River report {n}</title><link>{link}</link>"
                     f"<pubDate>Mon, 0{n + 1} Jan 2024 10:00:00 GMT</pubDate>"
                     f"<description>Teaser {n}…</description></item>")
    rss = ('<?xml version="1.0"?><rss version="2.0"><channel><title>River News</title>'
           f"{''.join(items)}</channel></rss>")
    return server.add("/cli/feed.xml", rss, "application/rss+xml")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WARTA_CONFIG", str(tmp_path / "config.toml"))
    (tmp_path / "config.toml").write_text("[fetch]\nmin_delay = 0\n")
    return tmp_path / "data"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_add_fetch_list_show(server: TestServer, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feed = publish_feed(server)
    status, out, _ = run(capsys, "add", feed, "--tag", "rivers", "--data-dir", str(data_dir))
    assert status == 0 and "Subscribed to River News" in out

    status, out, err = run(capsys, "fetch", "--data-dir", str(data_dir))
    assert status == 0, err
    assert "Refreshed 1 feed: 3 new articles, 3 pages fetched, 0 errors" in out

    status, out, _ = run(capsys, "list", "--json", "--data-dir", str(data_dir))
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["title"] for r in rows] == ["River report 2", "River report 1", "River report 0"]
    assert all(r["full_text"] and "rivers" in r["tags"] for r in rows)
    assert set(rows[0]) == {"id", "url", "title", "site_name", "byline", "published", "fetched",
                            "tags", "read", "starred", "full_text"}

    status, out, _ = run(capsys, "list", "+rivers", "report", "1", "--data-dir", str(data_dir))
    assert status == 0 and "River report 1" in out

    status, out, _ = run(capsys, "list", "feed:river", "--data-dir", str(data_dir))  # by feed name
    assert status == 0 and len(out.splitlines()) == 3

    status, out, _ = run(capsys, "show", rows[0]["id"], "--json", "--data-dir", str(data_dir))
    shown = json.loads(out)
    assert shown["title"] == "River report 2" and "careful report about the river" in shown["text"]


def test_import_and_export_round_trip(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    opml = FIXTURES / "opml" / "subscriptions.opml"
    status, out, _ = run(capsys, "import", str(opml), "--data-dir", str(data_dir))
    assert status == 0 and out == "Imported 4 feeds (5 outlines skipped: not an http(s) URL)\n"
    status, out, _ = run(capsys, "import", str(FIXTURES / "opml" / "fault-bare-ampersand.opml"),
                         "--data-dir", str(data_dir))
    assert status == 0 and out == "Imported 3 feeds (3 lines repaired)\n"
    status, out, _ = run(capsys, "import", str(opml), "--data-dir", str(data_dir))
    assert out == "Imported 0 feeds (4 already subscribed, 5 outlines skipped: not an http(s) URL)\n"
    status, out, _ = run(capsys, "export", "--data-dir", str(data_dir))
    assert status == 0 and out.lstrip().startswith("<?xml") and "<opml" in out


def test_extract_prints_json_and_survives_bad_inputs(tmp_path: Path, data_dir: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    seed = SEED_PAGE
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    inputs = [str(empty), str(tmp_path / "missing.html"), str(seed), str(empty)]
    status, out, err = run(capsys, "extract", *inputs, "--json")
    assert status == 1
    objects = [json.loads(line) for line in out.splitlines()]
    assert [o["input"] for o in objects] == inputs  # one per input, in order: nothing shifts
    assert [sorted(o) for o in (objects[0], objects[1], objects[3])] == [["error", "input"]] * 3
    assert "empty" in objects[0]["error"] and objects[1]["error"]
    data = objects[2]
    assert data["title"] == "Mendarat, Spesialis Militer Rusia Telah Tiba di Venezuela"
    assert data["site_name"] == "Warta Ekonomi" and data["word_count"] > 100
    assert set(data) == {"input", "url", "canonical_url", "title", "byline", "site_name", "published", "lang",
                         "tags", "description", "image", "text", "word_count"}
    errors = err.strip().splitlines()
    assert len(errors) == 3 and all(e.startswith("warta: ") for e in errors)
    assert "Traceback" not in err


def test_extract_all_good_exits_0(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "extract", str(SEED_PAGE), str(SEED_PAGE), "--json")
    assert status == 0 and len(out.splitlines()) == 2


def test_extract_text_mode_has_header_then_text(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = SEED_PAGE
    status, out, _ = run(capsys, "extract", str(seed))
    lines = out.splitlines()
    assert status == 0 and lines[0] == "Mendarat, Spesialis Militer Rusia Telah Tiba di Venezuela"
    assert "Warta Ekonomi" in lines[1] and "Sekelompok spesialis militer Rusia" in out
    # Without --url the header names the file the text came from, not a made-up page.
    assert "about:blank" not in out and Path(seed).resolve().as_uri() in lines


def test_fetch_reports_failures_one_line_each(server: TestServer, data_dir: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    good = publish_feed(server, 1)
    for url in (good, server.url("/status/404")):
        run(capsys, "add", url, "--data-dir", str(data_dir)) if url == good else None
    (data_dir.parent / "config.toml").write_text(
        f'[fetch]\nmin_delay = 0\nretries = 0\n[[feeds]]\nurl = "{server.url("/status/404")}"\n')
    status, out, err = run(capsys, "fetch", "--data-dir", str(data_dir))
    assert status == 0
    assert "1 error" in out and "HTTP 404" in err and "Traceback" not in err


def test_bad_config_is_one_line_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[fetch]\nread_timeout = \"soon\"\n")
    status, out, err = run(capsys, "--config", str(bad), "list")
    assert status == 1 and out == ""
    assert err.strip() == (f"warta: config error: {bad}: line 2: fetch.read_timeout: expected a "
                           "number, got 'soon'")


def test_show_unknown_id(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "show", "nope", "--data-dir", str(data_dir))
    assert status == 1 and "no article with id nope" in err


def test_gc_applies_retention(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tui.core.store import Store

    from ..conftest import make_record

    with Store.open(data_dir) as store:
        old = [make_record(n, age_days=days) for n, days in ((1, 400), (2, 1), (3, 500))]
        store.put_articles([record.with_changes(fetched=record.published) for record in old])
        store.update_state(make_record(3).id, starred=True)
    status, out, _ = run(capsys, "gc", "--keep-days", "30", "--data-dir", str(data_dir))
    assert status == 0 and out.startswith("removed 1 article")
    with Store.open(data_dir) as store:
        assert store.count() == 2 and store.get_article(make_record(1).id) is None


@pytest.mark.parametrize("days", ["-1", "nan", "inf", "soon"])
def test_gc_refuses_a_keep_days_that_is_no_number_of_days(data_dir: Path, days: str) -> None:
    """Once a traceback (-1 reached the retention code's ValueError), or 'older than nan days'."""
    done = subprocess.run([sys.executable, "-m", "tui", "--data-dir", str(data_dir), "gc",
                           "--keep-days", days], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines()[-1] == (f"warta gc: error: argument --keep-days: expected a "
                                            f"number of days, 0 or more, got '{days}'")
    assert "Traceback" not in done.stderr


def test_every_command_says_what_it_does_in_its_own_help(capsys: pytest.CaptureFixture[str]) -> None:
    """``warta remove --help`` once showed only its usage and options, not what it does."""
    import argparse

    from tui.cli import build_parser

    [commands] = [action for action in build_parser()._actions
                  if isinstance(action, argparse._SubParsersAction)]
    assert len(commands.choices) >= 13
    for name in commands.choices:
        with pytest.raises(SystemExit) as done:
            main([name, "--help"])
        assert done.value.code == 0
        usage, description, *_ = capsys.readouterr().out.split("\n\n")
        assert usage.startswith(f"usage: warta {name}")
        assert description.endswith(".") and len(description.split()) >= 3, (name, description)
    with pytest.raises(SystemExit):
        main(["rename", "--help"])
    assert "the feed's URL or name, as warta feeds shows them" in capsys.readouterr().out


def test_an_unknown_option_of_a_command_is_told_with_that_command_s_usage(data_dir: Path) -> None:
    """``warta list --bogus`` once printed warta's top-level usage, which names none of list's
    options, so the user could not see what list does take."""
    done = subprocess.run([sys.executable, "-m", "tui", "--data-dir", str(data_dir), "list", "--bogus"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("usage: warta list ") and "--json" in done.stderr
    assert done.stderr.splitlines()[-1] == "warta list: error: unrecognized arguments: --bogus"
    top = subprocess.run([sys.executable, "-m", "tui", "--bogus"], capture_output=True, text=True, timeout=60)
    assert top.returncode == 2 and top.stderr.splitlines()[-1] == "warta: error: unrecognized arguments: --bogus"
