"""Pictures in the reader, driven like a user would: the text first, the pictures painted in,
a key for the whole pane; hostile pictures from the real local server never cost the text."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from tests.core.test_images import SVG, picture, png_bomb
from tests.server import TestServer
from tui.app.app import WartaApp
from tui.app.graphics import PLACEHOLDER, Terminal
from tui.app.screens.picture import PictureScreen, PictureView
from tui.app.widgets.reader import Reader
from tui.core.config import Config
from tui.core.images import ImageCache
from tui.core.library import Library
from tui.core.models import Article, ArticleRecord, ArticleState, Block, Feed
from tui.core.store import Store
from tui.core.urls import article_id

from .conftest import make_app

PUBLISHED = 1_569_467_700.0  # 2019-09-26: shown as a date, never as "3d"


def gradient(width: int = 360, height: int = 240) -> bytes:
    """A picture whose every cell is known: red rises left to right, blue top to bottom."""
    image = Image.new("RGB", (width, height))
    image.putdata([(x * 255 // width, 90, y * 255 // height) for y in range(height) for x in range(width)])
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def pictured_record(lead: str, inline: list[str], *, feed: str = "https://example.org/feed") -> ArticleRecord:
    url = "https://example.org/harbour"
    blocks: list[Block] = [Block("paragraph", "Boats came back to the harbour at dawn, and the town "
                                              "came down to meet them. " * 3)]
    links = list(inline)
    for number, _ in enumerate(inline, 1):
        caption = f"[image: Photo {number}]"
        blocks.append(Block("image", caption, links=((0, len(caption), number),)))
        blocks.append(Block("paragraph", f"Paragraph after photo {number}, long enough to wrap "
                                         "across the reader at the widths we test. " * 2))
    article = Article(url=url, title="The harbour at dawn", site_name="example.org", image=lead,
                      blocks=tuple(blocks), links=tuple(links))
    return ArticleRecord(id=article_id(url), url=url, title="The harbour at dawn", site="example.org",
                         published=PUBLISHED, fetched=PUBLISHED, feeds=(feed,), feed_tags=("news",),
                         status="full", article=article)


@pytest.fixture
def pictured(tmp_path: Path) -> Iterator[tuple[Store, ArticleRecord]]:
    """A data dir with one article whose lead picture is cached (as if refreshed earlier)."""
    store = Store.open(tmp_path / "data")
    record = pictured_record("https://example.org/lead.png", [])
    store.put_articles([record])
    ImageCache(store).put("https://example.org/lead.png", gradient())
    try:
        yield store, record
    finally:
        store.close()


HALFBLOCK = Config(images="halfblock")  # headless terminals report 16 colours: "auto" is text there


def offline_app(store: Store, config: Config = HALFBLOCK) -> WartaApp:
    app = make_app(store, config)
    app.offline = True
    return app


def reader_lines(app: WartaApp) -> list[str]:
    return app.screen.query_one(Reader).text_lines


async def open_first(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.press("enter")
    for _ in range(50):  # the pictures arrive from a worker: a few event-loop turns
        await pilot.pause(0.02)
        if any("▀" in line for line in reader_lines(pilot.app)):
            return


async def test_lead_picture_under_the_header_and_text_unmoved(pictured) -> None:  # type: ignore[no-untyped-def]
    store, _record = pictured
    app = offline_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_first(pilot)
        lines = reader_lines(app)
        rows = [n for n, line in enumerate(lines) if "▀" in line]
        assert rows, lines
        assert lines.index("https://example.org/harbour") < rows[0]  # under the header
        assert rows[-1] - rows[0] + 1 == len(rows) <= 12  # one block of a few rows
        assert any("Boats came back" in line for line in lines[rows[-1]:])
        reader = app.screen.query_one(Reader)
        assert reader.text_line == 0 and reader.scroll_y == 0


@pytest.mark.parametrize("mode", ["off", "auto"])  # auto: this terminal has 16 colours
async def test_off_or_no_colour_keeps_the_image_lines_and_draws_nothing(pictured, mode: str) -> None:  # type: ignore[no-untyped-def]
    store, record = pictured
    store.put_articles([pictured_record("", ["https://example.org/lead.png"])])
    app = offline_app(store, Config(images=mode))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_first(pilot)
        assert app.console.color_system == "standard"
        lines = reader_lines(app)
        assert not any("▀" in line for line in lines)
        assert any("[image: Photo 1][1]" in line for line in lines)


async def test_per_feed_override_wins(pictured) -> None:  # type: ignore[no-untyped-def]
    store, record = pictured
    config = Config(images="halfblock", feeds=(Feed(record.feeds[0], images="off"),))
    app = offline_app(store, config)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_first(pilot)
        assert not any("▀" in line for line in reader_lines(app))


async def test_key_opens_the_picture_over_the_pane_and_escape_closes(pictured) -> None:  # type: ignore[no-untyped-def]
    store, _record = pictured
    app = offline_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_first(pilot)
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, PictureScreen)
        view = app.screen.query_one(PictureView)
        for _ in range(50):
            await pilot.pause(0.02)
            if view.cells is not None:
                break
        assert view.cells is not None and view.cells.height > 12  # larger than the preview
        await pilot.press("escape")
        assert isinstance(app.screen.query_one(Reader), Reader)


async def test_hostile_pictures_from_the_server_leave_the_text_whole(server: TestServer,
                                                                     tmp_path: Path) -> None:
    """A bomb, a 50 MB picture, an SVG, a redirect to a private address and a broken JPEG:
    each is refused or skipped, the text shows at once, the good picture is painted."""
    routes = {
        "/bomb.png": (png_bomb(), "image/png"),
        "/huge.jpg": (b"\xff\xd8" + b"\0" * (50 * 2**20), "image/jpeg"),
        "/vector.svg": (SVG, "image/svg+xml"),
        "/broken.jpg": (picture()[:len(picture()) // 2], "image/jpeg"),
        "/good.png": (gradient(), "image/png"),
    }
    for path, (body, kind) in routes.items():
        server.add(path, body, kind)
    server.add("/to-private.jpg", b"", None, status=302,
               headers={"Location": server.alt_url("/secret")})
    inline = [server.url(p) for p in ("/bomb.png", "/huge.jpg", "/vector.svg", "/to-private.jpg",
                                      "/broken.jpg")]
    feed = server.url("/feed.xml")  # a feed the user typed on this host: its pictures may come from it
    record = pictured_record(server.url("/good.png"), inline, feed=feed)
    with Store.open(tmp_path / "data") as store:
        store.put_articles([record])
        app = make_app(store, Config(images="halfblock", feeds=(Feed(feed),)))
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            started = time.monotonic()
            await pilot.press("enter")
            lines = reader_lines(app)
            assert any("Boats came back" in line for line in lines)  # text before any picture
            for _ in range(200):
                await pilot.pause(0.05)
                infos = [ImageCache(store).info(url) for url in (*inline, server.url("/good.png"))]
                if all(infos) and any("▀" in line for line in reader_lines(app)):
                    break
            assert time.monotonic() - started < 60
            lines = reader_lines(app)
            assert any("▀" in line for line in lines)
            for number in range(1, 6):
                assert any(f"[image: Photo {number}][{number}]" in line for line in lines)
            reasons = {url: ImageCache(store).info(url).error for url in inline}  # type: ignore[union-attr]
        assert "picture too large to decode" in reasons[inline[0]]
        assert reasons[inline[1]] == "response too large"
        assert "image/svg+xml" in reasons[inline[2]]
        assert "127.0.0.2" in reasons[inline[3]]
        assert reasons[inline[4]].startswith("broken picture")
        assert server.hits["/secret"] == 0


# -- snapshots: the reader with a half-block lead picture ------------------------------------------

@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The header shows local time: pin it so the snapshot is the same everywhere."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])
def test_snapshot_reader_with_lead_picture(pictured, utc, snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    store, _record = pictured
    assert snap_compare(offline_app(store), terminal_size=size, run_before=open_first)


async def test_a_resize_scales_the_pictures_again(pictured) -> None:  # type: ignore[no-untyped-def]
    store, _record = pictured
    app = offline_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_first(pilot)
        reader = app.screen.query_one(Reader)
        before = [cells.height for cells in reader.painted.values()]
        await pilot.resize_terminal(160, 45)
        for _ in range(50):
            await pilot.pause(0.02)
            after = [cells.height for cells in reader.painted.values()]
            if after and after != before:
                break
        assert after and after[0] > before[0]  # a taller reader, a taller preview


def test_reader_parts_put_each_slot_before_its_picture_and_keep_tables_whole() -> None:
    from rich.console import Console

    from tui.app.pictures import PictureSlot
    from tui.app.render import reader_parts, reader_renderable
    from tui.core.images import article_images

    record = pictured_record("https://example.org/lead.png", ["https://example.org/a.png"])
    article = record.article
    assert article is not None
    rows = (Block("row", "Boat\tCatch", marker="th"), Block("row", "Aurora\t12 kg"))
    blocks = (*article.blocks[:1], *rows, *article.blocks[1:])
    record = record.with_changes(article=replace(article, blocks=blocks))
    parts = reader_parts(record, ArticleState(), pictures=article_images(record.article))
    slots = [n for n, part in enumerate(parts) if isinstance(part, PictureSlot)]
    assert [parts[n].key for n in slots] == ["https://example.org/lead.png", "https://example.org/a.png"]
    console = Console(width=80, record=True)
    console.print(parts[slots[1] + 1])  # what follows the inline slot is the picture's own line
    assert "[image: Photo 1][1]" in console.export_text()
    console.print(reader_renderable(record, ArticleState()))
    text = console.export_text()
    assert "Aurora" in text and "12 kg" in text and "Boats came back" in text


# -- the terminal's own graphics -----------------------------------------------------------------

def graphics_app(store: Store, terminal: Terminal, config: Config | None = None) -> tuple[WartaApp, list[str]]:
    """The app as if the terminal had answered ``terminal``; what the app hands to the
    terminal is collected (the headless driver has none to write to)."""
    app = WartaApp(Library(store, config or Config()), terminal=terminal)
    app.offline = True
    written: list[str] = []
    app.kitty.write = written.append
    app._write_graphics = written.append  # type: ignore[method-assign]
    return app, written


async def open_and_wait(pilot, ready) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.press("enter")
    for _ in range(100):
        await pilot.pause(0.02)
        if ready():
            return


async def test_kitty_pictures_are_sent_once_and_drawn_as_placeholders(pictured, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COLORTERM", "truecolor")  # as kitty sets it: the ids ride on 24-bit colour
    store, record = pictured
    app, written = graphics_app(store, Terminal(kitty=True, cell=(8, 16)))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_and_wait(pilot, lambda: any(PLACEHOLDER in line for line in reader_lines(app)))
        lines = reader_lines(app)
        rows = [n for n, line in enumerate(lines) if PLACEHOLDER in line]
        assert rows and not any("▀" in line for line in lines)
        assert lines.index("https://example.org/harbour") < rows[0]
        sent = "".join(written)
        assert sent.count("a=t,f=24") == 1 and "U=1" in sent
        width = int(re.search(r"a=t,f=24,s=(\d+)", sent).group(1))  # type: ignore[union-attr]
        assert width > 100  # pixels, not half-block cells: 8 pixels a column
        reader = app.screen.query_one(Reader)
        reader.scroll_to(y=rows[0] + 1, animate=False)  # scrolling costs no escape at all
        await pilot.pause()
        assert "".join(written) == sent
        await pilot.press("i")  # the full pane: its own, larger copy
        await open_and_wait(pilot, lambda: "".join(written).count("a=t,f=24") == 2)
        await pilot.press("escape")
        await pilot.pause()
        assert "a=d,d=I" in written[-1]  # the full-pane copy is let go
    assert "a=d,d=I" in written[-1]  # and at exit the reader's


@pytest.mark.parametrize(("terminal", "mode"), [
    (Terminal(kitty=True), "off"),
    (Terminal(tmux=True), "auto"),  # tmux without passthrough: the kitty query got no answer
    (Terminal(sixel=True), "auto"),  # the reader scrolls: no sixel there
])
async def test_no_picture_escape_without_a_protocol_for_it(pictured, terminal: Terminal, mode: str) -> None:  # type: ignore[no-untyped-def]
    store, _record = pictured
    app, written = graphics_app(store, terminal, Config(images=mode))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_first(pilot)
        await pilot.pause(0.2)
        lines = reader_lines(app)
        assert not any(PLACEHOLDER in line for line in lines)
        assert written == []


async def test_sixel_draws_the_full_pane_picture_over_blank_cells(pictured, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COLORTERM", "truecolor")  # the reader's half blocks want colour
    store, _record = pictured
    app, written = graphics_app(store, Terminal(sixel=True, cell=(10, 20)), Config(images="sixel"))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_first(pilot)
        assert written == []  # the scrolling reader: half blocks
        await pilot.press("i")
        await open_and_wait(pilot, lambda: bool(written))
        assert isinstance(app.screen, PictureScreen)
        drawn = written[-1]
        assert drawn.startswith("\x1b[?2026h\x1b7\x1b[") and "\x1bP0;1;0q" in drawn
        width, height = map(int, re.search(r'"1;1;(\d+);(\d+)', drawn).groups())  # type: ignore[union-attr]
        view = app.screen.query_one(PictureView)
        assert width <= view.size.width * 10 and height <= view.size.height * 20
        assert (width, height) != (360, 240) or view.size.width * 10 >= 360


async def test_each_picture_shows_with_its_caption(tmp_path: Path) -> None:
    """The lead picture's caption under it (its figure's caption, not the bare alt text), and
    the full pane's caption line the same; the caption's paragraph stays in the text."""
    store = Store.open(tmp_path / "data")
    try:
        url = "https://example.org/lead.png"
        record = pictured_record("", [url])
        blocks = list(record.article.blocks)  # type: ignore[union-attr]
        blocks.insert(2, Block("paragraph", "The fleet returns at dawn.", marker="figcaption"))
        record = replace(record, article=replace(record.article, blocks=tuple(blocks)))
        store.put_articles([record])
        ImageCache(store).put(url, gradient())
        app = offline_app(store)
        async with app.run_test(size=(100, 30)) as pilot:
            await open_first(pilot)
            lines = reader_lines(app)
            rows = [n for n, line in enumerate(lines) if "▀" in line]
            assert rows and "The fleet returns at dawn." in lines[rows[-1] + 1]
            await pilot.press("i")
            await pilot.pause(0.3)
            caption = str(app.screen.query_one("#caption").render())
            assert "The fleet returns at dawn." in caption
    finally:
        store.close()
