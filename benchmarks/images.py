"""Pictures benchmark: what pictures cost the reader, against the same article without them.

    nice -n 10 python benchmarks/images.py [--runs 15] [--smoke]

In one run, headless at 100x30 with ``images = "halfblock"`` and no network: an article with 5
cached pictures (the lead and 4 inline, 1200x800 JPEGs as a refresh stores them) and the same
article without pictures are opened in turn, ``--runs`` times each. Figures:

- first frame of the text after the open, with and without pictures (medians), and the
  difference (target: <= 16 ms);
- from the first frame of the text to the frame that shows all 5 pictures (target: <= 100 ms),
  first open (decoded from the cached originals) and again (from the cached scaled copies);
- the app's RSS after opening 20 articles without pictures, then after 20 with 5 pictures each
  (the difference: target <= 30 MB);
- the raw cache after 40 articles' pictures (and scaled copies) went into a 24 MB budget:
  its size against the budget (target: within it).

``--smoke`` runs each part once or twice on fewer articles: it checks the figures come out.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# A terminal with 24-bit colour, where "auto" draws pictures (headless Textual reports 16
# colours, and Rich would then spend its time matching every pixel to that palette).
os.environ.setdefault("TEXTUAL_COLOR_SYSTEM", "truecolor")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from PIL import Image  # noqa: E402

from scale import FrameWatch  # noqa: E402
from tui.core.config import Config  # noqa: E402
from tui.core.images import ImageCache, ImageLoader, article_images  # noqa: E402
from tui.core.library import Library  # noqa: E402
from tui.core.models import Article, ArticleRecord, Block  # noqa: E402
from tui.core.store import Store  # noqa: E402
from tui.core.urls import article_id  # noqa: E402

SIZE = (100, 30)
PICTURES = 5
MiB = 2**20


def photo(seed: int, width: int = 1200, height: int = 800) -> bytes:
    """A JPEG with a photo's mix of smooth areas and detail (~150-250 KB)."""
    rng = random.Random(seed)
    base = Image.new("RGB", (width // 8, height // 8))
    base.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256))
                  for _ in range((width // 8) * (height // 8))])
    image = base.resize((width, height), Image.Resampling.BICUBIC)
    noise = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    out = io.BytesIO()
    Image.blend(image, noise, 0.15).save(out, "JPEG", quality=85)
    return out.getvalue()


def record(n: int, *, pictures: int) -> ArticleRecord:
    """Article ``n``: the same 1,500 words whatever ``pictures`` is; its pictures' URLs."""
    url = f"https://news.example.org/{n}-{pictures}"
    words = ("The harbour wakes before the town does, and the boats come in with the light; "
             "the market sets up on the quay and the gulls argue over what is left. ")
    blocks: list[Block] = []
    links: list[str] = []
    for paragraph in range(24):
        if pictures > 1 and paragraph % 5 == 2 and len(links) < pictures - 1:
            links.append(f"https://cdn.example.org/{n}/inline-{len(links)}.jpg")
            caption = f"[image: Photo {len(links)} of the harbour]"
            blocks.append(Block("image", caption, links=((0, len(caption), len(links)),)))
        blocks.append(Block("paragraph", f"Paragraph {paragraph}. " + words * 3))
    lead = f"https://cdn.example.org/{n}/lead.jpg" if pictures else None
    article = Article(url=url, title=f"Harbour story {n}" + (" with pictures" if pictures else ""),
                      site_name="news.example.org", image=lead, blocks=tuple(blocks), links=tuple(links))
    return ArticleRecord(id=article_id(url), url=url, title=article.title, site="news.example.org",
                         published=1_700_000_000 + n, fetched=1_700_000_000 + n, status="full",
                         article=article)


def fill(store: Store, count: int) -> tuple[list[ArticleRecord], list[ArticleRecord]]:
    """``count`` articles with pictures (cached as a refresh leaves them) and ``count`` without."""
    pictured = [record(n, pictures=PICTURES) for n in range(count)]
    plain = [record(n, pictures=0) for n in range(count)]
    store.put_articles(pictured + plain)
    cache = ImageCache(store)
    for n, item in enumerate(pictured):
        for m, ref in enumerate(article_images(item.article)):
            cache.put(ref.url, photo(n * 10 + m))
    return pictured, plain


async def open_article(app: Any, watch: FrameWatch, item: ArticleRecord,
                       pictures: int) -> tuple[float, float | None]:
    """Seconds from the open to the first frame with the text, and from that frame to the first
    frame after all ``pictures`` are painted (None without pictures)."""
    main = app.main
    reader = main.reader
    if reader.article_id == item.id:  # already shown (the list's first row is previewed)
        raise ValueError(f"{item.title} is on screen already")
    since = len(watch.frames)
    clock = time.perf_counter()
    main.show_article(item.id)
    text_frame = await watch.first_with((item.url,), since)  # in the header, nowhere else
    if not pictures:
        return text_frame - clock, None
    deadline = time.perf_counter() + 30
    while len(reader.picture_keys) < pictures and time.perf_counter() < deadline:
        await asyncio.sleep(0.0005)
    if len(reader.picture_keys) < pictures:
        raise TimeoutError(f"{len(reader.picture_keys)} of {pictures} pictures painted")
    painted_frame = await watch.next_frame(len(watch.frames))
    return text_frame - clock, painted_frame - text_frame


async def settle(pilot: Any, app: Any, avoid: ArticleRecord) -> None:
    """Let the start-up preview of the list's first row happen, and not be ``avoid``."""
    await pilot.pause(0.3)
    if app.main.reader.article_id == avoid.id:
        await pilot.press("j")
        await pilot.pause(0.3)


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MiB


def ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


async def reader_figures(data_dir: Path, runs: int, seen: int) -> dict[str, float]:
    from tui.app.app import WartaApp

    with Store.open(data_dir) as store:
        pictured, plain = fill(store, max(runs, seen))
        app = WartaApp(Library(store, Config(images="halfblock")), offline=True, refresh_on_start=False)
        watch = FrameWatch(app)
        out: dict[str, float] = {}
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app, plain[-1])
            await open_article(app, watch, plain[-1], 0)  # warm-up: lazy imports, first layout
            await open_article(app, watch, pictured[-1], PICTURES)
            with_text, without_text, first_paint, again_paint = [], [], [], []
            for n in range(runs):  # which goes first alternates: neither pays the other's GC
                for item in (plain[n], pictured[n]) if n % 2 else (pictured[n], plain[n]):
                    text, painted = await open_article(app, watch, item, PICTURES if item in pictured else 0)
                    if painted is None:
                        without_text.append(text)
                    else:
                        with_text.append(text)
                        first_paint.append(painted)
            for n in range(runs):  # the scaled copies are cached now
                await open_article(app, watch, plain[n], 0)
                _, painted = await open_article(app, watch, pictured[n], PICTURES)
                again_paint.append(painted or 0.0)
            out["text frame, without pictures (ms)"] = ms(without_text)
            out["text frame, with 5 pictures (ms)"] = ms(with_text)
            out["text frame: difference (ms, target <= 16)"] = ms(with_text) - ms(without_text)
            out["pictures after the text, first open (ms, target <= 100)"] = ms(first_paint)
            out["pictures after the text, again (ms)"] = ms(again_paint)

        # Memory: a fresh app, 20 articles without pictures, then 20 with 5 pictures each.
        app = WartaApp(Library(store, Config(images="halfblock")), offline=True, refresh_on_start=False)
        watch = FrameWatch(app)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app, plain[-1])
            await open_article(app, watch, plain[-1], 0)
            start = rss_mb()
            for item in plain[:seen]:
                await open_article(app, watch, item, 0)
            text_only = rss_mb()
            for item in pictured[:seen]:
                await open_article(app, watch, item, PICTURES)
            with_pictures = rss_mb()
        out[f"RSS after {seen} articles without pictures (MB, +{text_only - start:.1f})"] = text_only
        out[f"RSS after {seen} more with {PICTURES} pictures each (MB)"] = with_pictures
        out["RSS: pictures' share (MB, target <= 30)"] = with_pictures - text_only
    return out


async def cache_figures(data_dir: Path, articles: int, budget_mb: float) -> dict[str, float]:
    """Pictures of ``articles`` articles (originals and two scaled copies each) into a budget."""
    budget = int(budget_mb * MiB)
    with Store.open(data_dir, raw_size_limit=budget) as store:
        pictured = [record(1000 + n, pictures=PICTURES) for n in range(articles)]
        store.put_articles(pictured)
        cache = ImageCache(store)
        loader = ImageLoader(store, None)
        written = 0
        for n, item in enumerate(pictured):
            refs = article_images(item.article)
            for m, ref in enumerate(refs):
                body = photo(50_000 + n * 10 + m)
                written += len(body)
                cache.put(ref.url, body)
            for cols, rows in ((88, 10), (100, 28)):
                async for _ref, _cells in loader.load(refs, cols, rows):
                    pass
        return {"raw cache budget (MB)": budget_mb,
                "pictures written (MB)": written / MiB,
                "raw cache after (MB, target <= budget)": store.raw_size() / MiB}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--smoke", action="store_true", help="tiny: checks the figures come out")
    args = parser.parse_args(argv)
    runs, seen, cached = (2, 3, 6) if args.smoke else (args.runs, 20, 40)
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="warta-bench-images-") as work:
        figures.update(asyncio.run(reader_figures(Path(work) / "reader", runs, seen)))
        figures.update(asyncio.run(cache_figures(Path(work) / "cache", cached,
                                                 4.0 if args.smoke else 24.0)))
    width = max(len(name) for name in figures)
    for name, value in figures.items():
        print(f"{name:<{width}}  {value:8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
