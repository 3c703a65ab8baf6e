"""Pictures: which an article has, fetched and refused through the real local server, decoded
under a pixel limit, kept in the real raw cache (offline too, within its budget)."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from tests.server import TestServer
from tui.core.config import parse_config
from tui.core.errors import ConfigError
from tui.core.fetch import Fetcher, FetchLimits
from tui.core.images import (CellImage, ImageCache, ImageError, ImageLoader, ImageRef,
                             article_images, fit, image_mode, probe, to_cells)
from tui.core.models import Article, Block, Feed
from tui.core.store import Store
from tui.core.urls import check_public_host, origin

FAST = FetchLimits(min_delay_per_host=0.0, connect_timeout=1.0, read_timeout=1.0,
                   total_deadline=3.0, retries=0)


def picture(width: int = 320, height: int = 200, fmt: str = "JPEG",
            colour: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    image = Image.new("RGB", (width, height), colour)
    for x in range(0, width, 4):  # some detail, so the encoder has something to do
        image.putpixel((x, x * height // width), (0, 200, 0))
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def noise(width: int, height: int) -> bytes:
    """A PNG that does not compress: ~3 bytes on disk per pixel."""
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(out, "PNG")
    return out.getvalue()


def png_bomb(side: int = 30_000) -> bytes:
    """A 1-bit PNG of ``side`` x ``side`` pixels: tens of KB on the wire, GBs once decoded."""
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, "PNG", optimize=True)
    return out.getvalue()


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="900" height="600">' \
      b'<rect width="900" height="600" fill="red"/></svg>'


def fake_public(*public: str) -> Callable[..., None]:
    """DNS check that treats ``public`` hosts as public and checks every other host for real."""

    def check(host: str, port: int | None = None) -> None:
        if host not in public:
            check_public_host(host, port)

    return check


# -- which pictures ---------------------------------------------------------------------------

def article_with_images(image: str | None = None) -> Article:
    links = ("https://example.org/a.jpg", "https://example.org/page", "https://example.org/b.png")
    return Article(url="https://example.org/story", image=image, links=links, blocks=(
        Block("paragraph", "First paragraph", links=((0, 5, 2),)),
        Block("image", "[image: A harbour at dawn]", links=((0, 26, 1),)),
        Block("paragraph", "Second paragraph"),
        Block("image", "[image]", links=((0, 7, 3),)),
    ))


def test_lead_is_the_metadata_image_then_inline_images_in_order() -> None:
    refs = article_images(article_with_images("https://cdn.example.org/lead.jpg"))
    assert [(r.url, r.block, r.lead) for r in refs] == [
        ("https://cdn.example.org/lead.jpg", None, True),
        ("https://example.org/a.jpg", 1, False),
        ("https://example.org/b.png", 3, False),
    ]
    assert refs[1].alt == "A harbour at dawn"


def test_without_metadata_the_first_inline_image_leads_and_is_not_repeated() -> None:
    refs = article_images(article_with_images())
    assert [(r.url, r.block, r.lead) for r in refs] == [
        ("https://example.org/a.jpg", 1, True), ("https://example.org/b.png", 3, False)]


def test_metadata_image_that_stands_in_the_text_leads_from_its_block() -> None:
    refs = article_images(article_with_images("https://example.org/b.png"))
    assert [(r.url, r.block, r.lead) for r in refs] == [
        ("https://example.org/b.png", 3, True), ("https://example.org/a.jpg", 1, False)]


def test_only_http_pictures_and_none_without_an_article() -> None:
    assert article_images(None) == ()
    article = replace(article_with_images("javascript:alert(1)"), links=("file:///etc/passwd",) * 3)
    assert article_images(article) == ()


def test_feed_override_wins_over_the_config() -> None:
    feeds = [Feed("https://a.example/feed", images="off"), Feed("https://b.example/feed")]
    assert image_mode("auto", feeds, ["https://a.example/feed"]) == "off"
    assert image_mode("halfblock", feeds, ["https://b.example/feed"]) == "halfblock"
    assert image_mode("auto", feeds, ["https://unknown.example/feed"]) == "auto"


def test_config_images_setting_and_per_feed_override(tmp_path: Path) -> None:
    config = parse_config(b'images = "halfblock"\n[[feeds]]\nurl = "https://a.example/feed"\n'
                          b'images = "off"\n', tmp_path / "c.toml")
    assert config.images == "halfblock" and config.feeds[0].images == "off"
    assert parse_config(b"", tmp_path / "c.toml").images == "auto"
    with pytest.raises(ConfigError, match=r'line 1: images: expected "auto", "halfblock", "off", "kitty" or "sixel"'):
        parse_config(b'images = "sixel-please"\n', tmp_path / "c.toml")
    with pytest.raises(ConfigError, match=r"feeds\[1\]\.images"):
        parse_config(b'[[feeds]]\nurl = "https://a.example/feed"\nimages = true\n', tmp_path / "c.toml")


# -- decoding ---------------------------------------------------------------------------------

def test_scaled_to_fit_with_its_aspect_never_enlarged() -> None:
    assert fit(1200, 800, 80, 10) == (30, 10)  # 20 half-block rows tall -> 30 wide
    assert fit(1200, 300, 80, 10) == (80, 10)  # wide: the width limits
    assert fit(60, 50, 80, 10) == (24, 10)  # 50 pixels would be 25 rows: scaled to 20 pixels
    assert fit(100, 60, 120, 40) == (100, 30)  # small: one pixel per half block, no more


def test_cells_hold_the_picture_colours_upper_and_lower() -> None:
    image = Image.new("RGB", (100, 100), (255, 0, 0))
    image.paste((0, 0, 255), (0, 50, 100, 100))  # lower half blue
    out = io.BytesIO()
    image.save(out, "PNG")
    cells = to_cells(out.getvalue(), 10, 5)
    assert (cells.width, cells.height) == (10, 5)
    rows = cells.rows()
    assert rows[0][0] == ((255, 0, 0), (255, 0, 0))
    assert rows[-1][-1] == ((0, 0, 255), (0, 0, 255))
    assert CellImage.from_bytes(cells.to_bytes()) == cells


def test_transparency_is_laid_on_the_background() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (64, 64), (0, 0, 0, 0)).save(out, "PNG")
    cells = to_cells(out.getvalue(), 8, 4, background=(18, 18, 18))
    assert set(cells.pixels) == {18}


@pytest.mark.parametrize("data, reason", [
    (png_bomb(), "picture too large to decode"),
    (SVG, "SVG pictures are not shown"),
    (b"<svg><script>alert(1)</script></svg>", "SVG pictures are not shown"),
    (picture()[:len(picture()) // 2], "broken picture"),
    (b"\xff\xd8\xff\xe0 not really a jpeg", "not a picture Warta can read"),
    (picture(16, 16, "PNG"), "picture too small to show"),
], ids=["bomb", "svg", "svg-script", "truncated-jpeg", "fake-jpeg", "icon"])
def test_refused_before_or_while_decoding(data: bytes, reason: str) -> None:
    with pytest.raises(ImageError, match=reason):
        to_cells(data, 80, 10)


def test_bomb_is_refused_from_its_header_alone() -> None:
    side = 5_000  # under Pillow's own bar, over ours for PNG: our check must be what refuses
    with pytest.raises(ImageError, match=f"{side:,}x{side:,} pixels"):
        probe(png_bomb(side))


# -- fetching, through the real server and the real store ---------------------------------

IMG = ImageRef("", "a photo")


async def load_all(loader: ImageLoader, refs: list[ImageRef],
                   **kwargs: object) -> dict[str, CellImage | ImageError]:
    return {ref.url: result async for ref, result in loader.load(refs, 40, 8, **kwargs)}  # type: ignore[arg-type]


async def test_fetched_once_cached_then_shown_offline(server: TestServer, store: Store) -> None:
    url = server.add("/photo.jpg", picture(), "image/jpeg")
    async with Fetcher(FAST) as fetcher:
        shown = await load_all(ImageLoader(store, fetcher), [replace(IMG, url=url)], trusted_hosts={origin(server.url("/"))})
    assert isinstance(shown[url], CellImage) and shown[url].height == 8
    assert server.hits["/photo.jpg"] == 1
    offline = await load_all(ImageLoader(store, None), [replace(IMG, url=url)])
    assert offline[url] == shown[url]
    assert server.hits["/photo.jpg"] == 1
    info = ImageCache(store).info(url)
    assert info is not None and (info.width, info.height) == (320, 200)
    assert store.raw_ids() == []  # pictures are not pages: reextract never sees them


async def test_hostile_pictures_are_refused_and_the_rest_still_shown(server: TestServer,
                                                                      store: Store) -> None:
    def add(path: str, body: bytes, content_type: str) -> str:
        server.add(path, body, content_type)
        return server.alt_url(path)  # 127.0.0.2 stands for a public host here

    good = add("/good.jpg", picture(), "image/jpeg")
    routes = {
        "bomb": add("/bomb.png", png_bomb(), "image/png"),
        "huge": add("/huge.jpg", b"\xff\xd8" + b"\0" * (50 * 2**20), "image/jpeg"),
        "svg": add("/vector.svg", SVG, "image/svg+xml"),
        "svg-as-png": add("/lying.png", SVG, "image/png"),
        "broken": add("/broken.jpg", picture()[:len(picture()) // 2], "image/jpeg"),
        "html": add("/page.jpg", b"<html>not a picture</html>", "text/html"),
        "private": server.alt_url("/private-redirect"),  # -> 127.0.0.1
    }
    refs = [replace(IMG, url=url) for url in (*routes.values(), good)]
    async with Fetcher(FAST, host_check=fake_public("127.0.0.2")) as fetcher:
        shown = await load_all(ImageLoader(store, fetcher), refs)
    reasons = {name: str(shown[url]) for name, url in routes.items()}
    assert isinstance(shown[good], CellImage)
    assert "picture too large to decode" in reasons["bomb"]
    assert reasons["huge"] == "response too large"
    assert reasons["svg"].startswith("not a picture Warta can show (image/svg+xml)")
    assert reasons["svg-as-png"] == "SVG pictures are not shown"
    assert reasons["broken"].startswith("broken picture")
    assert reasons["html"].startswith("not a picture Warta can show (text/html)")
    assert "127.0.0.1" in reasons["private"]
    assert server.hits["/secret"] == 0
    # The refusals are remembered: nothing is fetched again on the next open.
    hits = sum(server.hits.values())
    async with Fetcher(FAST, host_check=fake_public("127.0.0.2")) as fetcher:
        again = await load_all(ImageLoader(store, fetcher), refs)
    assert sum(server.hits.values()) == hits
    assert {url: str(result) for url, result in again.items() if url != good} == \
        {url: reasons[name] for name, url in routes.items()}


async def test_article_byte_cap_stops_fetching(server: TestServer, store: Store) -> None:
    urls = [server.add(f"/p{n}.jpg", picture(800, 600), "image/jpeg") for n in range(4)]
    size = len(picture(800, 600))
    async with Fetcher(FAST) as fetcher:
        loader = ImageLoader(store, fetcher, article_max_bytes=2 * size)
        stored = await loader.fetch([replace(IMG, url=url) for url in urls], trusted_hosts={origin(server.url("/"))})
    assert len(stored) == 2
    assert [server.hits[f"/p{n}.jpg"] for n in range(4)] == [1, 1, 0, 0]


async def test_pictures_stay_within_the_raw_cache_budget(server: TestServer, tmp_path: Path) -> None:
    budget = 3 * 2**20
    urls = [server.add(f"/n{n}.png", noise(300, 300), "image/png") for n in range(30)]
    with Store.open(tmp_path / "data", raw_size_limit=budget) as store:
        async with Fetcher(FAST) as fetcher:
            loader = ImageLoader(store, fetcher, article_max_bytes=2**40)
            for url in urls:
                await loader.fetch([replace(IMG, url=url)], trusted_hosts={origin(server.url("/"))})
        assert sum(server.bytes_sent.values()) > 2 * budget
        assert store.raw_size() <= budget * 1.1  # diskcache culls after each write


def test_show_and_markdown_keep_the_image_lines_and_links(store: Store) -> None:
    from tui.core.markdown_export import article_markdown
    from tui.core.models import ArticleRecord
    from tui.core.render import plain_text

    article = article_with_images("https://cdn.example.org/lead.jpg")
    record = ArticleRecord(id="x", url="https://example.org/story", title="Story", status="full",
                           article=article)
    ImageCache(store).put("https://example.org/a.jpg", picture())  # cached: changes nothing here
    assert "[image: A harbour at dawn]" in plain_text(record)
    markdown = article_markdown(record)
    assert "image: A harbour at dawn" in markdown
    assert "[1]: <https://example.org/a.jpg>" in markdown and "[3]: <https://example.org/b.png>" in markdown


def test_caption_is_the_figcaption_else_the_alt_text() -> None:
    links = ("https://example.org/a.jpg", "https://example.org/b.png", "https://example.org/c.png")
    article = Article(url="https://example.org/story", links=links, blocks=(
        Block("image", "[image: Boats]", links=((0, 14, 1),)),
        Block("paragraph", "The fleet returns at dawn. Photo: the harbour office", marker="figcaption"),
        Block("paragraph", "Text between the figures."),
        Block("image", "[image: Nets]", links=((0, 13, 2),)),
        Block("paragraph", "A caption standing before its picture", marker="figcaption"),
        Block("image", "[image: Gulls]", links=((0, 14, 3),)),
    ))
    refs = article_images(article)
    assert [(r.url, r.caption) for r in refs] == [
        ("https://example.org/a.jpg", "The fleet returns at dawn. Photo: the harbour office"),
        ("https://example.org/b.png", "A caption standing before its picture"),
        # c.png's caption stands before it, but right after the figure before: not its own
        ("https://example.org/c.png", "Gulls"),
    ]
    assert refs[0].lead and refs[0].alt == "Boats"


def test_extraction_marks_a_figures_caption() -> None:
    from tui.core.extract import extract

    body = " ".join(f"Sentence {n} about the harbour and the boats that came back." for n in range(30))
    html = (f"<html><head><title>Harbour</title></head><body><article><h1>Harbour</h1><p>{body}</p>"
            "<figure><img src='/boats.jpg' alt='Boats' width='800' height='500'>"
            "<figcaption>The fleet returns at dawn.</figcaption></figure>"
            f"<p>{body}</p><p>{body}</p></article></body></html>")
    article = extract(html, "https://example.org/harbour")
    refs = article_images(article)
    assert [(r.url, r.caption) for r in refs] == [("https://example.org/boats.jpg",
                                                   "The fleet returns at dawn.")]
    caption = next(b for b in article.blocks if b.marker == "figcaption")
    assert caption.kind == "paragraph" and caption.text == "The fleet returns at dawn."
