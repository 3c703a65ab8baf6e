"""Issue #10 in the real app: a second reader on one data dir, recoveries said in the app."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import make_record
from tui.core.store import Store

from .support import PtyApp, assert_one_clean_line, child_env, run_warta


def _seed(data: Path, count: int = 4) -> None:
    with Store.open(data) as store:
        store.put_articles([make_record(n) for n in range(count)])


def _env(tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "config.toml"
    config.write_text("[refresh]\non_start = false\n")
    return child_env(TERM="xterm-256color", COLUMNS=None, LINES=None, WARTA_CONFIG=str(config),
                     HOME=str(tmp_path))


def test_a_second_reader_on_one_data_dir_is_refused_and_the_first_keeps_going(tmp_path: Path) -> None:
    """Refused rather than kept in step: a toggle decided from a screen a moment behind (the
    other reader just unstarred) would star again, and polling cannot close that window."""
    data = tmp_path / "data"
    _seed(data)
    env = _env(tmp_path)
    first = PtyApp(["--data-dir", str(data)], env=env)
    try:
        assert first.wait_for(b"4 articles", 25), bytes(first.output[-2000:])
        second = run_warta("--data-dir", str(data), env=env)
        assert_one_clean_line(second, "already open on", str(data), f"pid {first.pid}")
        listed = run_warta("--data-dir", str(data), "list", env=env)  # the CLI still works
        assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 4, listed.stderr
        first.send("s", settle=0.5)  # the first reader still writes
    finally:
        first.send("q", settle=0.3)
        status = first.finish()
    assert status is not None and os.WIFEXITED(status)
    with Store.open(data) as store:
        assert store.get_state(make_record(3).id).starred
    again = PtyApp(["--data-dir", str(data)], env=env)  # the lock went with the first reader
    try:
        assert again.wait_for(b"4 articles", 25), bytes(again.output[-2000:])
    finally:
        again.send("q", settle=0.3)
        again.finish()


async def test_e_without_a_downloads_dir_exports_into_the_data_dir_and_says_where(
        tmp_path: Path, monkeypatch) -> None:
    from .support import toasts
    from .test_storage import _app

    home, cwd = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    cwd.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("XDG_DOWNLOAD_DIR", raising=False)
    monkeypatch.chdir(cwd)
    data = tmp_path / "data"
    _seed(data, 2)
    with Store.open(data) as store:
        app = _app(store)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await pilot.press("enter", "e")
            await pilot.pause()
            (exported,) = (data / "exports").glob("*.md")
            assert any(str(exported) in t for t in toasts(app)), toasts(app)
    assert not list(cwd.iterdir())


async def test_an_unknown_theme_is_reported_with_the_names_that_exist(tmp_path: Path) -> None:
    from dataclasses import replace

    from tui.app.app import WartaApp
    from tui.core.library import Library

    from .support import app_config, toasts

    data = tmp_path / "data"
    _seed(data, 1)
    with Store.open(data) as store:
        config = replace(app_config(on_start=False), theme="solarised-darkest")
        app = WartaApp(Library(store, config), refresh_on_start=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            said = [t for t in toasts(app) if "Unknown theme 'solarised-darkest'" in t]
            assert len(said) == 1 and "textual-dark" in said[0] and "nord" in said[0], toasts(app)
            assert app.theme == "textual-dark"


async def test_a_long_filter_error_is_wrapped_not_cut_at_the_screen_edge(tmp_path: Path) -> None:
    from textual.widgets import Static

    from .test_storage import _app

    data = tmp_path / "data"
    _seed(data, 2)
    with Store.open(data) as store:
        app = _app(store)
        async with app.run_test(size=(60, 24)) as pilot:
            await pilot.pause()
            await pilot.press("slash", *"bogus:thing", "enter")
            await pilot.pause()
            error = app.screen.query_one(".prompt--error", Static)
            text = str(error.render())
            assert "unknown filter 'bogus:'" in text and "before:" in text  # the end of it too
            assert len(text) > 60 and error.size.height >= 2, (error.size, text)


async def test_a_filter_with_no_matches_clears_the_reader(tmp_path: Path) -> None:
    from .support import reader_words
    from .test_storage import _app

    data = tmp_path / "data"
    _seed(data, 3)
    with Store.open(data) as store:
        app = _app(store)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            assert "Paragraph about topic 2" in reader_words(app)
            await pilot.press("slash", *"zebracorn", "enter")
            await pilot.pause()
            assert "Paragraph about topic" not in reader_words(app)
            assert "No articles match zebracorn" in reader_words(app)
            assert app.main.reader.article_id is None


async def test_full_text_never_says_so_instead_of_not_fetched_yet(tmp_path: Path, server) -> None:
    from tui.app.app import WartaApp
    from tui.core.library import Library
    from tui.core.models import Feed

    from .support import app_config, reader_words, wait_until

    page = server.add("/never/1", "<html><body><article><p>The page itself.</p></article></body></html>")
    feed = server.add("/never.xml", '<?xml version="1.0"?><rss version="2.0"><channel><title>Never</title>'
                      f"<item><title>Only the teaser</title><link>{page}</link>"
                      "<description>A teaser…</description></item></channel></rss>",
                      "application/rss+xml")
    with Store.open(tmp_path / "data") as store:
        config = app_config(Feed(url=feed, name="Never", full_text="never"))
        app = WartaApp(Library(store, config))
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_until(pilot, lambda: len(app.main.article_list.rowids) == 1)
            await pilot.press("enter")
            await pilot.pause()
            words = reader_words(app)
            assert 'Full text is off for this feed (full_text = "never")' in words, words
            assert "not fetched yet" not in words
    assert server.hits["/never/1"] == 0
