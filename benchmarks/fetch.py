"""Refresh + prefetch + extract throughput against a local server, next to a naive baseline.

Serves ``--feeds`` feeds of ``--per-feed`` articles from 127.0.0.1/127.0.0.2 (article pages
cycled from ``../shared/extraction/dev/html/*.html.gz``), runs one ``Refresher.run()`` into a
temporary data dir and measures wall time, pages/s, the longest event-loop stall (a 10 ms
ticker) and peak RSS including the workers. Then, in the same run, a naive loop fetches and
extracts the same pages one by one with one ``httpx.Client`` + ``readability.Document``; the CPU
that readability alone takes on those pages (this thread's CPU around ``Document(...).summary()``)
is the baseline of Warta's CPU per stored page (main process without the test server's thread,
plus the workers).

Two rounds: a server that answers at once (the run is then pure CPU, and two cores can at
best double a one-core loop), and one that waits ``--latency-ms`` before each answer, as a
real news site does (there a sequential loop mostly waits).

    python benchmarks/fetch.py [--feeds 50] [--per-feed 20] [--workers 2] [--latency-ms 50]
                               [--shared PATH]

The per-host politeness delay is set to 0 here: all feeds live on two local "hosts", and the
delay measures patience, not throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import resource
import sys
import tempfile
import time
from email.utils import formatdate
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.server import TestServer  # noqa: E402
from tui.core.config import Config, FetchConfig  # noqa: E402
from tui.core.library import Library  # noqa: E402
from tui.core.models import Feed  # noqa: E402


def load_pages(shared: Path) -> list[bytes]:
    files = sorted((shared / "extraction" / "dev" / "html").glob("*.html.gz"))
    if not files:
        raise SystemExit(f"no pages under {shared}/extraction/dev/html (use --shared)")
    return [gzip.decompress(path.read_bytes()) for path in files]


def publish(server: TestServer, pages: list[bytes], feeds: int, per_feed: int) -> tuple[list[Feed], list[str]]:
    """Feed i lives on host (i % 2): its articles are on the same host, as on a real site."""
    subscriptions: list[Feed] = []
    page_urls: list[str] = []
    counter = 0
    base = 1_700_000_000
    for f in range(feeds):
        url_of = server.url if f % 2 == 0 else server.alt_url
        items = []
        for a in range(per_feed):
            path = f"/site{f}/article{a}"
            server.add(path, pages[counter % len(pages)], "text/html")
            link = url_of(path)
            page_urls.append(link)
            items.append(f"<item><title>Article {f}-{a}</title><link>{link}</link>"
                         f"<pubDate>{formatdate(base + counter * 60, usegmt=True)}</pubDate>"
                         f"<description>Teaser for article {a}…</description></item>")
            counter += 1
        server.add(f"/site{f}/feed.xml",
                   f'<?xml version="1.0"?><rss version="2.0"><channel><title>Site {f}</title>'
                   f"{''.join(items)}</channel></rss>", "application/rss+xml")
        subscriptions.append(Feed(url=url_of(f"/site{f}/feed.xml"), tags=(f"site{f % 5}",)))
    return subscriptions, page_urls


def _thread_cpu(thread: object) -> float:
    """CPU seconds a thread of this process has used (Linux /proc; 0 where it cannot be read)."""
    tid = getattr(thread, "native_id", None)
    try:
        fields = Path(f"/proc/self/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run_warta(feeds: list[Feed], workers: int, data_dir: Path,
                    server_thread: object = None) -> dict[str, float]:
    gaps: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last - 0.01)
            last = now

    library = Library.open(Config(fetch=FetchConfig(min_delay=0.0, workers=workers)), data_dir)
    cpu_before = _cpu()
    server_before = _thread_cpu(server_thread)
    tick = asyncio.create_task(ticker())
    started = time.perf_counter()
    try:
        # Leaving network() closes the pool, which reaps the workers: RUSAGE_CHILDREN covers them.
        async with library.network() as network:
            progress = await network.refresh(feeds)
        elapsed = time.perf_counter() - started
    finally:
        stop.set()
        await tick
        library.close()
    cpu_after = _cpu()
    server_cpu = _thread_cpu(server_thread) - server_before
    return {"seconds": elapsed, "cpu_main": cpu_after[0] - cpu_before[0] - server_cpu,
            "cpu_server": server_cpu,
            "cpu_workers": cpu_after[1] - cpu_before[1], "pages": progress.pages_done, "errors": len(progress.errors),
            "stall_ms": max(gaps) * 1000 if gaps else 0.0,
            "p99_stall_ms": sorted(gaps)[int(len(gaps) * 0.99)] * 1000 if gaps else 0.0}


def _cpu() -> tuple[float, float]:
    """CPU seconds used so far by this process (all threads) and by reaped children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def run_baseline(feed_urls: list[str], page_urls: list[str]) -> dict[str, float]:
    """What a first version would do: one request after another, readability in-process."""
    import feedparser
    import httpx
    from readability import Document

    started = time.perf_counter()
    errors = 0
    readability_cpu = 0.0  # this thread's CPU inside readability alone (the server is another)
    with httpx.Client(timeout=15) as client:
        for url in feed_urls:
            feedparser.parse(client.get(url).content)
        for url in page_urls:
            text = client.get(url).text
            before = time.thread_time()
            try:
                Document(text).summary(html_partial=True)
            except Exception:  # noqa: BLE001 - counted, like the real pipeline does
                errors += 1
            readability_cpu += time.thread_time() - before
    return {"seconds": time.perf_counter() - started, "pages": len(page_urls), "errors": errors,
            "readability_cpu": readability_cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--per-feed", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--latency-ms", type=float, default=50.0,
                        help="time to first byte of the realistic round (default 50 ms)")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--smoke", action="store_true",
                        help="2 feeds x 3 pages: checks the figures come out (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.feeds, args.per_feed, args.latency_ms = 2, 3, 5.0

    pages = load_pages(args.shared)
    server = TestServer().start()
    rounds = []
    try:
        feeds, page_urls = publish(server, pages, args.feeds, args.per_feed)
        for latency in (0.0, args.latency_ms / 1000):
            server.latency = latency
            with tempfile.TemporaryDirectory(prefix="warta-bench-") as tmp:
                warta = asyncio.run(run_warta(feeds, args.workers, Path(tmp) / "data",
                                              server._thread))
            rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            rss_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            base = run_baseline([f.url for f in feeds], page_urls)
            rounds.append((latency, warta, base, rss_self, rss_children))
    finally:
        server.stop()

    print(f"\n{args.feeds} feeds x {args.per_feed} articles = {len(page_urls)} pages, "
          f"{len(pages)} distinct pages, {args.workers} workers\n")
    for latency, warta, base, rss_self, rss_children in rounds:
        warta_rate = warta["pages"] / warta["seconds"]
        base_rate = base["pages"] / base["seconds"]
        what = ("server answers at once: CPU-bound, the floor of any gain" if not latency else
                f"server answers after {latency * 1000:.0f} ms, like a real site")
        print(f"-- {what}")
        print(f"{'':28}{'wall s':>9}{'pages/s':>10}{'errors':>8}")
        print(f"{'warta refresh+prefetch':28}{warta['seconds']:9.2f}{warta_rate:10.1f}{warta['errors']:8.0f}")
        print(f"{'naive httpx+readability':28}{base['seconds']:9.2f}{base_rate:10.1f}{base['errors']:8.0f}")
        print(f"speed-up                     {warta_rate / base_rate:.2f}x   (target >= 1.8x)")
        print(f"longest event-loop stall     {warta['stall_ms']:.1f} ms (p99 {warta['p99_stall_ms']:.1f} ms; "
              f"target <= 50 ms)")
        print(f"CPU used by warta            main process {warta['cpu_main']:.1f} s (without the test "
              f"server thread's {warta['cpu_server']:.1f} s), workers {warta['cpu_workers']:.1f} s")
        warta_cpu = (warta["cpu_main"] + warta["cpu_workers"]) / max(warta["pages"], 1)
        alone_cpu = base["readability_cpu"] / max(base["pages"], 1)
        print(f"CPU per stored page          warta {warta_cpu * 1000:.1f} ms, readability-lxml alone on "
              f"the same pages {alone_cpu * 1000:.1f} ms: {warta_cpu / max(alone_cpu, 1e-9):.2f}x "
              f"(target <= 1.5x)")
        print(f"peak RSS so far              main {rss_self:.0f} MB + largest worker {rss_children:.0f} MB "
              f"(x{args.workers} workers, upper bound {rss_self + args.workers * rss_children:.0f} MB)\n")

if __name__ == "__main__":
    main()
