"""Matrix T1-T6: what reaches the terminal.

T1 runs the real app (``python -m tui``) under a pseudo-terminal over a data dir whose records
were written raw, bypassing every sanitiser on the way in, so the display path alone must keep
escape sequences off the terminal. T2-T6 drive the app with Pilot.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tui.core.browser import open_url
from tui.core.errors import UnsafeURLError, WartaError
from tui.core.models import Article, ArticleRecord, Block
from tui.core.store import Store
from tui.core.urls import article_id

from .support import (ALL_ESCAPES, BIDI, C1_CSI, CSI_CLEAR, FORBIDDEN_TERMINAL_BYTES, NUL,
                      OSC_CLIPBOARD, OSC_LINK, OSC_TITLE, PtyApp, toasts)


def _hostile_record(n: int, text: str = ALL_ESCAPES, *, image_and_marker: bool = False) -> ArticleRecord:
    url = f"https://evil{n}.example/a?{OSC_TITLE}"
    blocks: tuple[Block, ...] = (
        Block("heading", "Head " + text, level=2), Block("paragraph", "Body " + text),
        Block("item", "Item " + text), Block("quote", "Quote " + text), Block("code", "Code " + text),
        Block("image", "Image"), Block("paragraph", "Linked text", links=((0, 6, 1),)))
    if image_and_marker:
        blocks = (Block("item", "Item", marker=OSC_CLIPBOARD + "•"), Block("image", "Image " + text))
    article = Article(url=url, title="Page " + text, byline=text, site_name=text, blocks=blocks,
                      links=("https://x.example/" + OSC_LINK,))
    return ArticleRecord(id=article_id(f"https://evil{n}.example/a"), url=url,
                         title=f"Title {n} " + text, site="site" + CSI_CLEAR, byline="by" + C1_CSI,
                         published=time.time() - n * 60, fetched=time.time(),
                         feed_tags=("tag" + OSC_TITLE, "t" + NUL), page_tags=("p" + BIDI,),
                         summary="Summary " + text, status="full" if n % 2 else "failed",
                         error="Error " + text, article=article if n % 2 else None)


def _seed(data: Path, hostile: bool, image_and_marker: bool = False) -> None:
    with Store.open(data) as store:
        if hostile:
            records = [_hostile_record(n, image_and_marker=image_and_marker) for n in range(4)]
            store.put_articles(records)
            store.update_state(records[0].id, tags=("user" + OSC_CLIPBOARD,), starred=True)
        else:
            from tests.conftest import make_record

            store.put_articles([make_record(n) for n in range(4)])


def _session(data: Path) -> bytes:
    app = PtyApp(["--data-dir", str(data)], cols=110, rows=32)
    assert app.wait_for(b"4 articles", 25), bytes(app.output[-3000:])
    for keys in ("enter", "escape", "j", "enter", "escape", "j", "enter", "G", "escape", "j", "enter"):
        app.send({"enter": "\r", "escape": "\x1b"}.get(keys, keys), settle=0.35)
    app.send("h", settle=0.3)
    app.send("q", settle=0.2)
    status = app.finish()
    assert status is not None and os.WIFEXITED(status), "the app did not exit on q"
    assert b"Traceback" not in app.output
    return bytes(app.output)


def test_t1_no_escape_from_content_reaches_the_terminal(tmp_path: Path, clean_session: bytes) -> None:
    hostile_dir = tmp_path / "hostile"
    _seed(hostile_dir, hostile=True)
    clean = clean_session
    hostile = _session(hostile_dir)
    assert b"Title 0" in hostile and b"Body" in hostile  # the content was really shown
    for forbidden in FORBIDDEN_TERMINAL_BYTES:
        assert forbidden not in hostile, forbidden
    # Textual's own OSC use (if any) is the same with or without hostile content
    assert hostile.count(b"\x1b]") <= clean.count(b"\x1b]"), (hostile.count(b"\x1b]"), clean.count(b"\x1b]"))
    assert hostile.count(b"\x1bP") <= clean.count(b"\x1bP")  # DCS


@pytest.fixture(scope="module")
def clean_session(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    data = tmp_path_factory.mktemp("clean") / "data"
    _seed(data, hostile=False)
    return _session(data)


def test_t1_image_alt_text_and_list_markers_are_sanitised_too(tmp_path: Path,
                                                               clean_session: bytes) -> None:
    data = tmp_path / "hostile"
    _seed(data, hostile=True, image_and_marker=True)
    hostile = _session(data)
    for forbidden in FORBIDDEN_TERMINAL_BYTES:
        assert forbidden not in hostile, forbidden
    assert hostile.count(b"\x1b]") <= clean_session.count(b"\x1b]")


# -- T2/T3 markup and actions in text -----------------------------------------------------------

MARKUP_TITLES = ["[/bold] closes nothing", "[link=https://evil.example]fake[/link] link",
                 "[reverse blink]loud[/]", "[@click=app.quit]Click to win[/]",
                 "[@click=screen.dismiss()]x[/] [b]", "\\[escaped] [ [[ ]]"]


@pytest.fixture
def markup_app(tmp_path: Path):
    from tui.app.app import WartaApp
    from tui.core.library import Library
    from tui.core.config import Config

    store = Store.open(tmp_path / "data")
    records = []
    for n, title in enumerate(MARKUP_TITLES):
        url = f"https://m{n}.example/a"
        records.append(ArticleRecord(
            id=article_id(url), url=url, title=title, site=title, byline=title,
            published=time.time() - n * 60, fetched=time.time(), feed_tags=(title,),
            status="full", summary=title,
            article=Article(url=url, title=title, blocks=(Block("paragraph", title),
                                                          Block("heading", title, level=1)))))
    store.put_articles(records)
    yield WartaApp(Library(store, Config()))
    store.close()


def _list_text(app) -> list[str]:
    from tui.app.widgets.article_list import ArticleList

    widget = app.screen.query_one(ArticleList)
    return [widget.render_line(y).text for y in range(widget.size.height)]


def _reader_text(app) -> str:
    from tui.app.widgets.reader import Reader

    return "\n".join(app.screen.query_one(Reader).text_lines)


async def test_t2_markup_in_text_is_shown_literally(markup_app) -> None:
    async with markup_app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        listed = "\n".join(_list_text(markup_app))
        for n, title in enumerate(MARKUP_TITLES):
            assert title in listed, title
            if n:
                await pilot.press("j")
            await pilot.press("enter")
            await pilot.pause()
            assert _reader_text(markup_app).count(title) >= 3, title  # title, body, heading
            await pilot.press("escape")
        assert markup_app.is_running


async def test_t2_markup_in_an_error_notification(markup_app) -> None:
    async with markup_app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        markup_app.report(WartaError("feed [/bold] failed: [@click=app.quit]retry[/] [link=x]y"))
        await pilot.pause()
        assert markup_app.is_running
        toasts = list(markup_app.screen.query("Toast"))
        if toasts:
            await pilot.click(toasts[0].__class__)
            await pilot.pause()
        assert markup_app.is_running


async def test_t3_clicking_an_action_title_fires_nothing(markup_app) -> None:
    from tui.app.widgets.article_list import ArticleList
    from tui.app.widgets.reader import Reader

    async with markup_app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        position = MARKUP_TITLES.index("[@click=app.quit]Click to win[/]")
        for _ in range(position):
            await pilot.press("j")
        await pilot.press("enter")
        await pilot.pause()
        for y in range(0, 6):  # the lines of the reader header and body, and the list rows
            await pilot.click(Reader, offset=(4, y))
            await pilot.click(ArticleList, offset=(6, y))
        await pilot.pause()
        assert markup_app.is_running


# -- T4 opening links ---------------------------------------------------------------------------

@pytest.mark.parametrize("url,opens", [
    ("https://news.example.com/a?b=c&d=$(touch${IFS}/tmp/x)`id`;|", True),
    ("http://xn--bcher-kva.example/", True),
    ("https://example.com/a'\"<>", True),
    ("-https://example.com", False), ("--incognito", False), ("file:///etc/passwd", False),
    ("javascript:alert(1)", False), ("data:text/html,x", False), ("ftp://x.example/f", False),
    ("https://x.example/a b", False), ("https://x.example/\x1b]0;t\x07", False),
    ("https://x.example/\n--new-window", False), (" https://x.example/", False),
    ("https://|cmd/", False), ("", False),
], ids=lambda v: repr(v)[:40] if isinstance(v, str) else str(v))
def test_t4_opener_gets_one_argument_http_only(url: str, opens: bool) -> None:
    calls: list[list[str]] = []
    env = {"BROWSER": "true"}
    if opens:
        open_url(url, opener=lambda argv: calls.append(list(argv)), environ=env)
        assert len(calls) == 1 and len(calls[0]) == 2 and calls[0][1] == url
        assert not calls[0][1].startswith("-")
    else:
        with pytest.raises(UnsafeURLError) as info:
            open_url(url, opener=lambda argv: calls.append(list(argv)), environ=env)
        assert calls == []
        message = str(info.value)
        assert "\n" not in message and "\x1b" not in message and "only http(s)" in message


def test_t4_browser_variable_cannot_smuggle_options_or_commands() -> None:
    from tui.core.browser import NoBrowserError, browser_program

    for value in ("--new-tab", "-x; touch /tmp/pwned", "nonexistent-browser-xyz --flag"):
        with pytest.raises(NoBrowserError):
            browser_program({"BROWSER": value})
    program = browser_program({"BROWSER": "true --some-flag"})
    assert program.endswith("/true")
    # The user's own words stay (issue 13: "firefox --new-tab" keeps its flag); the URL is
    # still one argument after them, and a URL can never add a word.
    calls: list[list[str]] = []
    url = "https://example.org/a b;$(id) --flag".replace(" ", "%20")
    open_url(url, opener=lambda argv: calls.append(list(argv)), environ={"BROWSER": "true --some-flag"})
    assert calls == [[program, "--some-flag", url]]


# -- T5 enormous text ---------------------------------------------------------------------------

async def test_t5_huge_title_and_article_truncated_quickly(tmp_path: Path) -> None:
    from tui.app.app import WartaApp
    from tui.core.library import Library
    from tui.core.config import Config

    url = "https://big.example/a"
    paragraph = ("word " * 2000).strip()
    blocks = tuple(Block("paragraph", paragraph) for _ in range(4 * 2**20 // len(paragraph)))
    record = ArticleRecord(id=article_id(url), url=url, title="T" * 2**20, site="big.example",
                           published=time.time(), fetched=time.time(), status="full",
                           article=Article(url=url, title="x", blocks=blocks))
    with Store.open(tmp_path / "data") as store:
        store.put_articles([record])
        app = WartaApp(Library(store, Config()))
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert max(len(line) for line in _list_text(app)) <= 100
            started = time.monotonic()
            await pilot.press("enter")
            await pilot.pause()
            elapsed = time.monotonic() - started
            text = _reader_text(app)
            assert elapsed < 3, f"opening a 4 MB article took {elapsed:.1f} s"
            assert "Article truncated after 200,000 characters" in text
            assert "T" * 501 not in text.replace("\n", "")  # header title capped
            await pilot.press("G")
            await pilot.pause()
            assert app.is_running


# -- T6 wide, combining, ZWJ, tabs, RTL ---------------------------------------------------------

WIDE_TITLES = ["漢字のタイトルが長くて幅が広い記事の見出しです", "e\u0301\u0301\u0301 combining a\u0308\u0308",
               "family \U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466 and flags \U0001F1EE\U0001F1E9",
               "tab\there\tand\tthere", "\u05E9\u05DC\u05D5\u05DD \u202Eevil\u202C \u0645\u0631\u062D\u0628\u0627",
               "zero\u200bwidth\ufeffspaces", "\U0001F600" * 80]


async def test_t6_wide_and_rtl_text_keeps_columns_aligned(tmp_path: Path) -> None:
    from tui.app.app import WartaApp
    from tui.core.library import Library
    from tui.app.widgets.article_list import ArticleList
    from tui.app.widgets.reader import Reader
    from tui.core.config import Config

    records = []
    for n, title in enumerate(WIDE_TITLES):
        url = f"https://w{n}.example/a"
        records.append(ArticleRecord(
            id=article_id(url), url=url, title=title, site=title[:10], published=time.time() - n,
            fetched=time.time(), feed_tags=(title[:8],), status="full",
            article=Article(url=url, blocks=(Block("paragraph", (title + " ") * 20),
                                              Block("item", title, marker="•")))))
    with Store.open(tmp_path / "data") as store:
        store.put_articles(records)
        app = WartaApp(Library(store, Config()))
        for size in ((61, 20),):
            async with app.run_test(size=size) as pilot:
                await pilot.pause()
                for _ in range(len(WIDE_TITLES)):
                    await pilot.press("enter")
                    await pilot.pause()
                    for widget in (app.screen.query_one(ArticleList), app.screen.query_one(Reader)):
                        width = widget.size.width
                        for y in range(widget.size.height):
                            strip = widget.render_line(y)
                            assert strip.cell_length == widget.scrollable_content_region.width or \
                                strip.cell_length == width, (type(widget).__name__, y, strip.text)
                            assert "\u202e" not in strip.text and "\u202c" not in strip.text
                    await pilot.press("escape", "j")
                assert app.is_running
            app = WartaApp(Library(store, Config()))


@pytest.mark.parametrize("url,text,says", [
    ("https://paypal.com.evil.example/login", "paypal.com", "says paypal.com but it goes to paypal.com.evil.example"),
    ("https://evil.example/", "https://www.paypal.com/signin", "goes to evil.example"),
    ("https://xn--pple-43d.com/", "apple.com", "goes to xn--pple-43d.com"),
    ("https://\u0430pple.com/", "", "non-ASCII letters; it really goes to xn--pple-43d.com"),
    ("https://b\u00fccher.example/", "click here", "goes to xn--bcher-kva.example"),
    ("https://paypal.com@evil.example/", "", "it really goes to evil.example"),
    ("https://www.example.org/docs", "example.org", None),
    ("https://news.example.org/a", "https://example.org/", None),
    ("https://example.com/", "click here", None),
    ("https://example.com/", "v1.2 release notes", None),
], ids=["T4-text-names-other-host", "T4-text-is-other-url", "T4-punycode-lookalike",
        "T4-idn-lookalike", "T4-idn-plain-text", "T4-userinfo", "T4-www-same-site",
        "T4-subdomain-same-site", "T4-plain-text", "T4-version-number"])
def test_t4_link_warning_names_the_real_host_in_punycode(url: str, text: str, says: str | None) -> None:
    from tui.core.browser import link_warning

    warning = link_warning(url, text)
    if says is None:
        assert warning is None, warning
    else:
        assert warning is not None and says in warning and "\n" not in warning, warning
        assert warning.isascii() or text and not text.isascii()


async def test_t4_spoofed_or_idn_link_asks_first_then_opens_with_one_argument(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.widgets import Static

    from tests.app.conftest import FakeOpener
    from tui.app.app import WartaApp
    from tui.core.library import Library
    from tui.app.screens.confirm import ConfirmOpen
    from tui.core.config import Config

    monkeypatch.setenv("BROWSER", "/bin/true")
    spoofed, honest, idn = ("https://paypal.com.evil.example/login", "https://www.example.org/docs",
                            "https://b\u00fccher.example/")
    url = "https://links.example/a"
    article = Article(url=url, title="Links", blocks=(
        Block("paragraph", "paypal.com is where you pay", links=((0, 10, 1),)),
        Block("paragraph", "example.org has the docs", links=((0, 11, 2),)),
        Block("paragraph", "click here for books", links=((0, 10, 3),))),
        links=(spoofed, honest, idn))
    opener = FakeOpener()
    with Store.open(tmp_path / "data") as store:
        store.put_articles([ArticleRecord(id=article_id(url), url=url, title="Links",
                                          site="links.example", published=time.time(),
                                          fetched=time.time(), status="full", article=article)])
        app = WartaApp(Library(store, Config()), opener=opener, refresh_on_start=False)
        async with app.run_test(size=(110, 30)) as pilot:
            await pilot.press("enter", "f", "1")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmOpen)
            asked = " ".join(str(app.screen.query_one(Static).render()).split())
            assert "the link text says paypal.com but it goes to paypal.com.evil.example" in asked
            assert opener.calls == []
            await pilot.press("n")
            await pilot.pause()
            refusal = [t for t in toasts(app) if t.startswith("Not opened")]
            assert len(refusal) == 1 and "\n" not in refusal[0] and "paypal.com.evil.example" in refusal[0]
            assert opener.calls == []
            await pilot.press("f", "1", "y")
            await pilot.pause()
            assert opener.calls == [["/bin/true", spoofed]]
            await pilot.press("f", "2")  # text and target agree: no question
            await pilot.pause()
            assert not isinstance(app.screen, ConfirmOpen)
            assert opener.calls[-1] == ["/bin/true", honest]
            await pilot.press("f", "3")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmOpen)
            asked = str(app.screen.query_one(Static).render())
            assert "xn--bcher-kva.example" in asked and "b\u00fccher" not in asked
            await pilot.press("y")
            await pilot.pause()
            assert opener.calls[-1] == ["/bin/true", idn] and len(opener.calls) == 3
            assert any("Opening link 3: https://xn--bcher-kva.example/" in t for t in toasts(app))


def test_t1_real_warta_refreshing_a_hostile_feed_writes_no_escape(tmp_path: Path, server) -> None:  # noqa: ANN001
    """The whole path: a local server serves a feed and pages full of escape sequences and markup;
    the real ``warta`` fetches, parses (in its workers), stores and shows them in a pty."""
    from xml.sax.saxutils import escape

    # One of each escape in the page (a page that is mostly control bytes is refused as binary).
    page_text = (" ".join(f"Sentence {i} of the story goes on." for i in range(40))
                 + f" Then {OSC_TITLE}{OSC_CLIPBOARD}{OSC_LINK}{CSI_CLEAR}{C1_CSI}{BIDI} the end.")
    items = []
    for n in range(3):
        link = server.add(f"/evil/{n}", f"<html><head><title>Page {n} {OSC_TITLE}</title></head>"
                          f"<body><article><h1>Story {n}</h1><p>{page_text}</p><p>More {n}: "
                          f"{CSI_CLEAR}{C1_CSI}[@click=app.quit]x[/]</p></article></body></html>")
        title = f"Story {n} [bold]{OSC_TITLE}{CSI_CLEAR}{C1_CSI}{BIDI}[/bold]"
        items.append(f"<item><title>{escape(title)}</title><link>{link}</link>"
                     f"<category>{escape('tag' + OSC_CLIPBOARD)}</category>"
                     f"<description>{escape('Summary ' + ALL_ESCAPES)}</description></item>")
    feed = server.add("/evil.xml", "<?xml version='1.0'?><rss version='2.0'><channel><title>"
                      + escape("Evil " + OSC_TITLE) + "</title>" + "".join(items)
                      + "</channel></rss>", "application/rss+xml")
    config = tmp_path / "config.toml"
    config.write_text(f'[fetch]\nmin_delay = 0\nretries = 0\n[[feeds]]\nurl = "{feed}"\n')
    app = PtyApp(["--config", str(config), "--data-dir", str(tmp_path / "data")], cols=110, rows=32)
    assert app.wait_for(b"Refreshed 1 feed", 40), bytes(app.output[-3000:])
    for key in ("\r", "j", "\r", "\x1b", "j", "\r", "E", "\x1b"):
        app.send(key, settle=0.4)
    app.send("Q", settle=0.3)  # the reader has the focus: q would go back to the list
    status = app.finish()
    output = bytes(app.output)
    assert status is not None and os.WIFEXITED(status) and b"Traceback" not in output
    assert b"Story 2" in output and b"Sentence 1 of the story" in output  # really shown
    assert b"[@click=app.quit]x[/]" in output  # markup shown as text, not acted on
    for forbidden in FORBIDDEN_TERMINAL_BYTES:
        assert forbidden not in output, forbidden
