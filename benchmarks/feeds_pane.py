"""Feed pane benchmark: ``F`` with 2,000 feeds, against opening help in the same run.

    nice -n 10 python benchmarks/feeds_pane.py [--feeds 2000] [--articles 20000] [--runs 7] [--smoke]

A data dir is filled through the real store API: ``--feeds`` subscriptions (each with its last
refresh, every tenth with an error), ``--articles`` articles spread over them, 50 tags, and
three saved filters. The real app runs headless at 100x30; each run times the key press to the
frame that shows the pane ("2,000 feeds": names, last refresh and errors; the counts, which
scan every article, are read on a thread behind that frame), to the frame that shows the
counts too; the baselines: a bare screen (a title and the footer, what every screen costs) pushed
to its frame, and ``?`` to the frame of the help screen (a modal screen that reads nothing from
the library); and ``j`` in the pane to its next frame. Medians of ``--runs``; the
first run of each is a warm-up and not counted. Target: the feed pane opens in <= 100 ms to
its frame.

``--smoke`` uses 50 feeds, 200 articles and two runs: it checks the figures come out.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from scale import FrameWatch  # noqa: E402

from tui.core.models import Article, ArticleRecord, Block, Feed  # noqa: E402
from tui.core.store import Store  # noqa: E402
from tui.core.urls import article_id  # noqa: E402

TERMINAL_SIZE = (100, 30)
NOW = 1_764_000_000.0


def build(data_dir: Path, feeds: int, articles: int) -> None:
    """Subscriptions with metadata, and articles spread over them, through the store."""
    with Store.open(data_dir) as store:
        subscriptions = [Feed(url=f"https://site{n}.example/feed.xml", name=f"Feed {n:04d}",
                              tags=(f"topic{n % 50}",)) for n in range(feeds)]
        store.add_subscriptions(subscriptions)
        for n, feed in enumerate(subscriptions):
            meta: dict[str, object] = {"checked": NOW - n * 60,
                                       "site_url": f"https://site{n}.example/"}
            if n % 10 == 0:
                meta["error"] = "HTTP 500"
            store.set_feed_meta(feed.url, meta)
        batch: list[ArticleRecord] = []
        for n in range(articles):
            feed = subscriptions[n % feeds]
            url = f"https://site{n % feeds}.example/post/{n}"
            article = Article(url=url, title=f"Post {n}", blocks=(Block("paragraph", f"Text {n}"),))
            batch.append(ArticleRecord(id=article_id(url), url=url, title=f"Post {n}",
                                       site=f"site{n % feeds}.example", published=NOW - n,
                                       fetched=NOW, feeds=(feed.url,), feed_tags=feed.tags,
                                       status="full", article=article))
            if len(batch) == 1000:
                store.put_articles(batch)
                batch = []
        if batch:
            store.put_articles(batch)


async def measure(data_dir: Path, feeds: int, runs: int) -> dict[str, float]:
    from textual.screen import Screen
    from textual.widgets import Label

    from tui.app.app import WartaApp
    from tui.app.widgets.footer import KeptFooter
    from tui.core.config import Config, RefreshConfig
    from tui.core.library import Library

    class Bare(Screen[None]):
        BINDINGS = [("escape", "app.pop_screen", "Close")]

        def compose(self):  # type: ignore[no-untyped-def]
            yield Label("a bare screen")
            yield KeptFooter()

    config = Config(refresh=RefreshConfig(on_start=False, interval_minutes=0),
                    filters={"unread": "is:unread", "today": "since:1d", "topic 1": "+topic1"})
    store = Store.open(data_dir)
    app = WartaApp(Library(store, config), refresh_on_start=False)
    watch = FrameWatch(app)
    panes, counted, helps, moves, bares = [], [], [], [], []
    title = f"{feeds:,} feeds"
    try:
        async with app.run_test(size=TERMINAL_SIZE) as pilot:
            await pilot.pause()
            for _ in range(runs + 1):
                since = len(watch.frames)
                clock = time.perf_counter()
                await pilot.press("F")
                panes.append(await watch.first_with((title,), since) - clock)
                counted.append(await watch.first_with(("unread · enter filters",), since) - clock)
                await pilot.pause()
                since = len(watch.frames)
                clock = time.perf_counter()
                await pilot.press("j")
                moves.append(await watch.next_frame(since) - clock)
                await pilot.press("escape")
                await pilot.pause()
                since = len(watch.frames)
                clock = time.perf_counter()
                await pilot.press("question_mark")
                helps.append(await watch.first_with(("remap any of them",), since) - clock)
                await pilot.press("escape")
                await pilot.pause()
                since = len(watch.frames)
                clock = time.perf_counter()
                app.push_screen(Bare())
                bares.append(await watch.first_with(("a bare screen",), since) - clock)
                await pilot.pause()
                await pilot.press("escape")
                await pilot.pause()
    finally:
        store.close()

    def median_ms(values: list[float]) -> float:
        return statistics.median(values[1:]) * 1000

    return {"pane": median_ms(panes), "counted": median_ms(counted), "help": median_ms(helps),
            "bare": median_ms(bares), "move": median_ms(moves)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args(argv)
    if args.smoke:
        args.feeds, args.articles, args.runs = 50, 200, 2
    with tempfile.TemporaryDirectory(prefix="warta-feeds-pane-") as work:
        data_dir = Path(work) / "data"
        clock = time.perf_counter()
        build(data_dir, args.feeds, args.articles)
        print(f"built {args.feeds:,} feeds, {args.articles:,} articles in "
              f"{time.perf_counter() - clock:.1f} s", file=sys.stderr)
        figures = asyncio.run(measure(data_dir, args.feeds, args.runs))
    print(f"Warta feed pane: {args.feeds:,} feeds, {args.articles:,} articles, terminal "
          f"{TERMINAL_SIZE[0]}x{TERMINAL_SIZE[1]}, median of {args.runs} runs (after a warm-up)")
    print(f"{'feed pane, F to frame (target <= 100 ms)':<48}{figures['pane']:>10.1f}")
    print(f"{'  baseline: a bare screen, pushed to frame':<48}{figures['bare']:>10.1f}")
    print(f"{'  baseline: help, ? to frame':<48}{figures['help']:>10.1f}")
    print(f"{'  ratio pane / bare screen':<48}{figures['pane'] / max(figures['bare'], 1e-9):>10.1f}")
    print(f"{'feed pane, F to the frame with its counts':<48}{figures['counted']:>10.1f}")
    print(f"{'feed pane, j to frame':<48}{figures['move']:>10.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
