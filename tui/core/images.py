"""An article's pictures: which ones, fetched how, decoded safely, scaled to terminal cells.

The pictures are the page's lead image (its metadata image, else its first inline image) and
the inline images where they stand (image blocks, whose link span names the picture's URL).
They are fetched with the same ``Fetcher`` as pages (kind ``"image"``: image content types
only, a byte cap per picture and per article, every redirect hop checked), probed for their
size before anything is decoded (a 60,000 x 60,000 PNG is 100 bytes of header and 14 GB of
pixels), and kept in the raw page cache, so they show offline and count against its budget.

What the app paints is plain data: a ``CellImage`` holds the picture scaled to a block of
terminal cells, two pixels per cell (the upper and lower half of a "▀"). Scaled copies are
cached too, so opening an article again costs one cache read per picture, not a decode.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar, get_args

from .errors import WartaError
from .models import Article, Block, Feed
from .sanitize import sanitize_line
from .store import IMAGE_KEY_PREFIX, Store
from .urls import is_http_url, origin

if TYPE_CHECKING:
    from PIL import Image

    from .fetch import Fetcher

ImageMode = Literal["auto", "halfblock", "off", "kitty", "sixel"]
IMAGE_MODES: tuple[str, ...] = get_args(ImageMode)
RGB = tuple[int, int, int]
T = TypeVar("T")

FIGCAPTION = "figcaption"  # Block.marker of the paragraph made of a figure's caption
MAX_IMAGES = 8  # per article: the lead and the first inline pictures
ARTICLE_MAX_BYTES = 16 * 2**20  # no picture is fetched once an article's pictures reach this
# Pixels decoded at most. JPEG decodes straight at 1/2..1/8 scale (``draft``), so a large photo
# costs little; other formats decode whole (4 bytes a pixel), hence the lower bar.
MAX_PIXELS_JPEG = 50_000_000
MAX_PIXELS = 16_000_000
MIN_SIDE = 48  # pixels: smaller pictures are icons, spacers and tracking pixels
_ORIENTATION = 0x0112  # EXIF tag: 5-8 mean the picture is shown turned by 90 degrees
_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "BMP")

_ORIGINAL = IMAGE_KEY_PREFIX + "o:"
_SCALED = IMAGE_KEY_PREFIX + "s:"


class ImageError(WartaError):
    """A picture that will not be shown; the message says why ("broken picture")."""


@dataclass(frozen=True, slots=True)
class ImageRef:
    """One picture of an article. ``block`` is the index of the image block it stands in
    (None: the lead image from the page's metadata, which stands nowhere in the text)."""

    url: str
    alt: str = ""
    block: int | None = None
    lead: bool = False
    caption: str = ""  # the figure's caption, else the alt text (or title)


@dataclass(frozen=True, slots=True)
class StoredImage:
    """What the cache knows of a picture: its size in pixels, or why it cannot be shown."""

    url: str
    width: int = 0
    height: int = 0
    size: int = 0  # bytes as fetched
    error: str = ""


@dataclass(frozen=True, slots=True)
class CellImage:
    """A picture scaled to ``width`` x ``height`` terminal cells.

    ``pixels`` is RGB, row-major, ``width`` x ``2 * height`` pixels: cell (x, y) shows pixel
    row ``2y`` in its upper half and ``2y + 1`` in its lower half.
    """

    width: int
    height: int
    pixels: bytes

    def rows(self) -> list[list[tuple[RGB, RGB]]]:
        """Each row of cells as ``(upper, lower)`` colour pairs."""
        data, stride = self.pixels, self.width * 3
        rows = []
        for y in range(self.height):
            top, bottom = 2 * y * stride, (2 * y + 1) * stride
            rows.append([((data[top + 3 * x], data[top + 3 * x + 1], data[top + 3 * x + 2]),
                          (data[bottom + 3 * x], data[bottom + 3 * x + 1], data[bottom + 3 * x + 2]))
                         for x in range(self.width)])
        return rows

    def to_bytes(self) -> bytes:
        return self.width.to_bytes(2, "big") + self.height.to_bytes(2, "big") + self.pixels

    @classmethod
    def from_bytes(cls, blob: bytes) -> CellImage | None:
        if len(blob) < 4:
            return None
        width, height = int.from_bytes(blob[:2], "big"), int.from_bytes(blob[2:4], "big")
        pixels = blob[4:]
        return cls(width, height, pixels) if width and height and len(pixels) == width * height * 6 \
            else None


@dataclass(frozen=True, slots=True)
class PixelImage:
    """A picture scaled to cover ``cols`` x ``rows`` cells of ``cell`` pixels each, for the
    terminal's own graphics (kitty, sixel): RGB, row-major, ``width`` x ``height`` pixels."""

    cols: int
    rows: int
    width: int
    height: int
    pixels: bytes

    def to_bytes(self) -> bytes:
        return b"".join(n.to_bytes(2, "big") for n in (self.cols, self.rows, self.width,
                                                        self.height)) + self.pixels

    @classmethod
    def from_bytes(cls, blob: bytes) -> PixelImage | None:
        if len(blob) < 8:
            return None
        cols, rows, width, height = (int.from_bytes(blob[i:i + 2], "big") for i in range(0, 8, 2))
        pixels = blob[8:]
        return cls(cols, rows, width, height, pixels) \
            if cols and rows and width and height and len(pixels) == width * height * 3 else None


Cell = tuple[int, int]  # a terminal cell's width and height in pixels
Scaled = CellImage | PixelImage


# -- which pictures --------------------------------------------------------------------------

def article_images(article: Article | None, *, limit: int = MAX_IMAGES) -> tuple[ImageRef, ...]:
    """The lead picture first (metadata image, else the first inline one), then the inline
    pictures in reading order, each URL once."""
    if article is None:
        return ()
    inline: list[ImageRef] = []
    for index, block in enumerate(article.blocks):
        if block.kind != "image" or not block.links:
            continue
        number = block.links[0][2]
        if 0 < number <= len(article.links) and is_http_url(article.links[number - 1]):
            alt = _alt(block.text)
            inline.append(ImageRef(article.links[number - 1], alt, index,
                                   caption=_figcaption(article.blocks, index) or alt))
    lead: ImageRef | None = None
    if article.image and is_http_url(article.image):
        same = next((ref for ref in inline if ref.url == article.image), None)
        lead = ImageRef(article.image, same.alt if same else "", same.block if same else None, True,
                        same.caption if same else "")
    elif inline:
        first = inline[0]
        lead = ImageRef(first.url, first.alt, first.block, True, first.caption)
    refs = [lead] if lead else []
    seen = {lead.url} if lead else set()
    for ref in inline:
        if ref.url not in seen:
            seen.add(ref.url)
            refs.append(ref)
    return tuple(refs[:limit])


def _figcaption(blocks: Sequence[Block], index: int) -> str:
    """The caption of the figure whose picture is block ``index``: the extraction marks the
    paragraph it made of the figure's ``<figcaption>`` (it may stand just before or after)."""
    after = blocks[index + 1] if index + 1 < len(blocks) else None
    if after is not None and after.marker == FIGCAPTION:
        return sanitize_line(after.text, 300)
    before = blocks[index - 1] if index >= 1 else None
    if before is not None and before.marker == FIGCAPTION \
            and (index < 2 or blocks[index - 2].kind != "image"):  # not the figure before's
        return sanitize_line(before.text, 300)
    return ""


def _alt(text: str) -> str:
    """"[image: a dog]" -> "a dog" (image blocks carry their alt text that way)."""
    if text.startswith("[image: ") and text.endswith("]"):
        return text[8:-1]
    return ""


def image_mode(default: ImageMode, feeds: Sequence[Feed], feed_urls: Sequence[str]) -> ImageMode:
    """The mode for an article from ``feed_urls``: the first of its feeds that sets one wins."""
    by_url = {feed.url: feed for feed in feeds}
    for url in feed_urls:
        feed = by_url.get(url)
        if feed is not None and feed.images in IMAGE_MODES:
            return feed.images  # type: ignore[return-value]
    return default


def image_policy(default: str) -> Callable[[Feed], bool]:
    """For the refresh: fetch a feed's pictures with its pages unless its mode is "off"."""
    return lambda feed: (feed.images or default) != "off"


def trusted_hosts(feeds: Iterable[Feed]) -> frozenset[str]:
    """Origins whose pictures may be on the user's own network: those of feeds the user gave
    (the rule pages follow too: a feed from a private host may link to that same origin, not
    to the host's other ports)."""
    return frozenset(origin(feed.url) for feed in feeds if feed.user_typed)


# -- decoding -------------------------------------------------------------------------------

def probe(data: bytes) -> tuple[int, int]:
    """The picture's size in pixels as shown (EXIF rotation applied), from its header alone;
    ``ImageError`` if Warta will not decode it (SVG, an unknown format, too many pixels, an icon)."""
    with _opened(data) as image:
        return _checked_size(image)


def to_cells(data: bytes, max_cols: int, max_rows: int, background: RGB = (0, 0, 0)) -> CellImage:
    """Decode ``data`` and scale it to ``fit`` in ``max_cols`` x ``max_rows`` cells.

    Transparent parts are laid on ``background``. CPU work (a few ms for a news photo):
    call it from a thread, never the event loop.
    """
    from PIL import Image  # (here, not at the top: the reader's first frame has no picture)

    with _opened(data) as image:
        cols, rows = fit(*_checked_size(image), max_cols, max_rows)
        image.draft("RGB", (cols * 2, rows * 4))  # JPEG: decode at a fraction of the size
        picture = _decoded(image)
        flat = _flatten(picture, background)
        scaled = flat.resize((cols, rows * 2), Image.Resampling.LANCZOS, reducing_gap=2.0)
        return CellImage(cols, rows, scaled.tobytes())


def _decoded(image: Image.Image) -> Image.Image:
    """The first frame decoded and turned upright (EXIF); a broken file is an ImageError."""
    from PIL import Image, ImageOps

    try:
        image.seek(0)
        image.load()
        return ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as exc:
        raise ImageError(f"broken picture ({_reason(exc)})") from None


def to_pixels(data: bytes, max_cols: int, max_rows: int, cell: Cell,
              background: RGB = (0, 0, 0)) -> PixelImage:
    """Decode ``data`` and scale it to show whole in ``max_cols`` x ``max_rows`` cells of
    ``cell`` pixels (never enlarged): for kitty graphics and sixel. CPU work: off the loop."""
    from PIL import Image

    cell_w, cell_h = max(1, cell[0]), max(1, cell[1])
    with _opened(data) as image:
        width, height = _checked_size(image)
        scale = min(max_cols * cell_w / width, max_rows * cell_h / height, 1.0)
        out_w, out_h = max(1, round(width * scale)), max(1, round(height * scale))
        image.draft("RGB", (out_w, out_h))
        picture = _decoded(image)
        scaled = _flatten(picture, background).resize((out_w, out_h), Image.Resampling.LANCZOS,
                                                       reducing_gap=2.0)
        cols = min(max_cols, -(-out_w // cell_w))
        rows = min(max_rows, -(-out_h // cell_h))
        return PixelImage(cols, rows, out_w, out_h, scaled.tobytes())


def fit(width: int, height: int, max_cols: int, max_rows: int) -> tuple[int, int]:
    """Cells ``(cols, rows)`` that show a ``width`` x ``height`` picture whole within
    ``max_cols`` x ``max_rows``. A half block is about a square pixel; never enlarged."""
    if width <= 0 or height <= 0 or max_cols <= 0 or max_rows <= 0:
        return 0, 0
    scale = min(max_cols / width, 2 * max_rows / height, 1.0)
    cols = max(1, min(max_cols, round(width * scale)))
    rows = max(1, min(max_rows, round(height * scale / 2)))
    return cols, rows


class _opened:
    """``Image.open`` on bytes, with every way it refuses turned into ``ImageError``."""

    def __init__(self, data: bytes) -> None:
        head = data[:1024].lstrip().lower()
        if head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in head:
            raise ImageError("SVG pictures are not shown")
        from PIL import Image, UnidentifiedImageError

        Image.MAX_IMAGE_PIXELS = MAX_PIXELS_JPEG  # Pillow's own bomb check, behind ours
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                self.image = Image.open(io.BytesIO(data), formats=_FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageError("picture too large to decode (over "
                             f"{Image.MAX_IMAGE_PIXELS:,} pixels)") from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
            raise ImageError("not a picture Warta can read") from None

    def __enter__(self) -> Image.Image:
        return self.image

    def __exit__(self, *exc: object) -> None:
        self.image.close()


def _checked_size(image: Image.Image) -> tuple[int, int]:
    """Width and height as shown, before a pixel is decoded; refused past the pixel limit."""
    width, height = image.size
    limit = MAX_PIXELS_JPEG if image.format == "JPEG" else MAX_PIXELS
    if width * height > limit:
        raise ImageError(f"picture too large to decode ({width:,}x{height:,} pixels)")
    if width < MIN_SIDE or height < MIN_SIDE:
        raise ImageError(f"picture too small to show ({width}x{height} pixels)")
    try:
        turned = image.getexif().get(_ORIENTATION, 1) in (5, 6, 7, 8)
    except (OSError, ValueError, SyntaxError):
        turned = False
    return (height, width) if turned else (width, height)


def _flatten(image: Image.Image, background: RGB) -> Image.Image:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if not has_alpha:
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    from PIL import Image

    base = Image.new("RGBA", rgba.size, (*background, 255))
    return Image.alpha_composite(base, rgba).convert("RGB")


def _reason(exc: BaseException) -> str:
    return sanitize_line(str(exc), 120) or type(exc).__name__


# -- the cache --------------------------------------------------------------------------------

def _key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class ImageCache:
    """Pictures in the raw page cache: originals (or why not), and scaled copies.

    Synchronous diskcache calls: run them on a thread (``ImageLoader`` does).
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    def info(self, url: str) -> StoredImage | None:
        raw = self.store.get_raw(_ORIGINAL + _key(url))
        if raw is None:
            return None
        _body, meta = raw
        return StoredImage(url, int(meta.get("width") or 0), int(meta.get("height") or 0),
                           int(meta.get("size") or 0), str(meta.get("error") or ""))

    def put(self, url: str, body: bytes) -> StoredImage:
        """Keep a fetched picture if it can be shown; else keep why not (it is not refetched)."""
        try:
            width, height = probe(body)
        except ImageError as exc:
            return self.put_failure(url, str(exc))
        meta = {"url": url, "width": str(width), "height": str(height), "size": str(len(body))}
        self.store.put_raw(_ORIGINAL + _key(url), body, meta)
        return StoredImage(url, width, height, len(body))

    def put_failure(self, url: str, reason: str) -> StoredImage:
        self.store.put_raw(_ORIGINAL + _key(url), b"", {"url": url, "error": reason})
        return StoredImage(url, error=reason)

    def cells(self, url: str, max_cols: int, max_rows: int, background: RGB,
              cell: Cell | None = None) -> Scaled:
        """The picture scaled to fit, in half-block cells (``cell`` None) or in pixels for
        cells of ``cell`` pixels; from the scaled copies, else decoded and kept there."""
        scaled_key = f"{_SCALED}{_key(url)}:{max_cols}x{max_rows}:{bytes(background).hex()}"
        if cell is not None:
            scaled_key += f":px{cell[0]}x{cell[1]}"
        cached = self.store.get_raw(scaled_key)
        if cached is not None:
            found = CellImage.from_bytes(cached[0]) if cell is None else PixelImage.from_bytes(cached[0])
            if found is not None:
                return found
        raw = self.store.get_raw(_ORIGINAL + _key(url))
        if raw is None:
            raise ImageError("picture not downloaded")
        body, meta = raw
        if meta.get("error") or not body:
            raise ImageError(str(meta.get("error") or "picture not downloaded"))
        try:
            cells: Scaled = (to_cells(body, max_cols, max_rows, background) if cell is None
                             else to_pixels(body, max_cols, max_rows, cell, background))
        except ImageError as exc:
            self.put_failure(url, str(exc))  # broken past its header: don't decode it again
            raise
        self.store.put_raw(scaled_key, cells.to_bytes(), {})
        return cells


Runner = Callable[..., Awaitable[Any]]


class ImageLoader:
    """Fetches an article's pictures into the cache and hands them out scaled.

    ``fetcher`` None means offline: only cached pictures are shown. ``run`` runs a blocking
    call off the event loop (``asyncio.to_thread`` unless the caller has its own store thread).
    ``trusted_hosts`` may resolve to private addresses (see ``trusted_hosts()``); no other may.
    """

    def __init__(self, store: Store, fetcher: Fetcher | None, *,
                 run: Runner | None = None, article_max_bytes: int = ARTICLE_MAX_BYTES) -> None:
        self.cache = ImageCache(store)
        self.fetcher = fetcher
        self._run: Runner = run or asyncio.to_thread
        self.article_max_bytes = article_max_bytes

    async def fetch(self, refs: Sequence[ImageRef], *, trusted_hosts: Collection[str] = ()) -> list[StoredImage]:
        """Download the pictures not in the cache yet (the refresh calls this after a page)."""
        return [info async for _ref, info in self._fetched(refs, trusted_hosts)]

    async def _fetched(self, refs: Sequence[ImageRef],
                       trusted_hosts: Collection[str]) -> AsyncIterator[tuple[ImageRef, StoredImage]]:
        """What the cache knows of each picture, downloading the missing ones one after
        another while the article's pictures stay under ``article_max_bytes``."""
        used = 0
        for ref in refs:
            info = await self._run(self.cache.info, ref.url)
            if info is None:
                if self.fetcher is None or used >= self.article_max_bytes:
                    continue
                info = await self._download(ref.url, trusted_hosts)
            used += info.size
            yield ref, info

    async def _download(self, url: str, trusted_hosts: Collection[str]) -> StoredImage:
        assert self.fetcher is not None
        try:
            result = await self.fetcher.fetch(url, kind="image",
                                              allow_private=origin(url) in trusted_hosts)
        except WartaError as exc:
            failed: StoredImage = await self._run(self.cache.put_failure, url, str(exc))
            return failed
        stored: StoredImage = await self._run(self.cache.put, url, result.content)
        return stored

    async def load(self, refs: Sequence[ImageRef], max_cols: int, max_rows: int,
                   background: RGB = (0, 0, 0), *, trusted_hosts: Collection[str] = (),
                   cell: Cell | None = None) -> AsyncIterator[tuple[ImageRef, Scaled | ImageError]]:
        """Each picture scaled to fit, as soon as it is ready: the cached ones first, then
        each one that had to be downloaded as it arrives (none offline)."""
        missing = []
        for ref, result in await self.cached(refs, max_cols, max_rows, background, cell=cell):
            if result is None:
                missing.append(ref)
            else:
                yield ref, result
        async for ref, found in self.downloaded(missing, max_cols, max_rows, background,
                                                trusted_hosts=trusted_hosts, counting=refs,
                                                cell=cell):
            yield ref, found

    async def cached(self, refs: Sequence[ImageRef], max_cols: int, max_rows: int,
                     background: RGB = (0, 0, 0), *,
                     cell: Cell | None = None) -> list[tuple[ImageRef, Scaled | ImageError | None]]:
        """The pictures the cache can show now, decoded side by side (Pillow lets go of the
        GIL while it decodes); None for those to download (never offline)."""
        async def one(ref: ImageRef) -> Scaled | ImageError | None:
            try:
                return await self._scaled(ref, max_cols, max_rows, background, cell)
            except ImageError as exc:
                if self.fetcher is not None and await self._run(self.cache.info, ref.url) is None:
                    return None
                return exc

        return list(zip(refs, await asyncio.gather(*(one(ref) for ref in refs))))

    async def downloaded(self, refs: Sequence[ImageRef], max_cols: int, max_rows: int,
                         background: RGB = (0, 0, 0), *, trusted_hosts: Collection[str] = (),
                         counting: Sequence[ImageRef] = (),
                         cell: Cell | None = None) -> AsyncIterator[tuple[ImageRef, Scaled | ImageError]]:
        """Download ``refs`` one after another and yield each scaled as it arrives; the
        article's byte cap counts ``counting`` (all its pictures) too."""
        wanted = {ref.url for ref in refs}
        if not wanted:
            return
        async for ref, info in self._fetched([*counting, *(r for r in refs if r not in counting)],
                                             trusted_hosts):
            if ref.url not in wanted:
                continue  # shown already; listed only to count its bytes
            try:
                yield ref, (ImageError(info.error) if info.error
                            else await self._scaled(ref, max_cols, max_rows, background, cell))
            except ImageError as exc:
                yield ref, exc

    async def _scaled(self, ref: ImageRef, max_cols: int, max_rows: int, background: RGB,
                      cell: Cell | None = None) -> Scaled:
        cells: Scaled = await self._run(self.cache.cells, ref.url, max_cols, max_rows, background,
                                        cell)
        return cells
