"""Import benchmark: a 5,000-feed OPML file with faults, and a newsboat cache of 50,000 articles.

    python benchmarks/import_feeds.py [--feeds 5000] [--articles 50000] [--runs 3] [--smoke]

OPML: a generated file of ``--feeds`` feeds in folders, in two versions with the same feeds:
clean, and with the faults real exports have (a bare ``&`` in every URL's query, and in one
line in ten a bare ``&`` in the title, a ``<`` in the description or a ``"`` inside the title).
The baseline is the strict parser on the clean file; the figure is ``read_opml`` on the faulty
one (repair + parse + the outlines walked), and the same plus subscribing every feed in a fresh
data dir, which is what ``warta import`` does. Target: the faulty file in <= 2 s.

newsboat: a ``cache.db`` with newsboat's schema (made by the real newsboat when it is installed,
else the same DDL) holding ``--articles`` articles in 100 feeds, ~1.5 KB of HTML each, 60% read,
5% flagged. ``Library.import_newsboat_cache`` (what ``warta import URLS --state CACHE`` runs, its
pool of ``[fetch] workers`` = 2 included) brings it into a fresh data dir with the feeds
subscribed, the worst case: every article is stored from the cache, then marked. Baselines in the same run: reading every row with sqlite3
and nothing else, and ``Store.put_articles`` of the same records alone. Each import runs in a
child process so its peak RSS is its own; the import at a quarter of the size shows whether
memory grows with the cache (it should not: rows go through in batches). Target: <= 10 s.

Medians of ``--runs``. ``--smoke`` runs tiny sizes once, to check that the figures come out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NEWSBOAT_DDL = """
CREATE TABLE rss_feed ( rssurl VARCHAR(1024) PRIMARY KEY NOT NULL, url VARCHAR(1024) NOT NULL,
 title VARCHAR(1024) NOT NULL , lastmodified INTEGER(11) NOT NULL DEFAULT 0, is_rtl INTEGER(1)
 NOT NULL DEFAULT 0, etag VARCHAR(128) NOT NULL DEFAULT "");
CREATE TABLE rss_item ( id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, guid VARCHAR(64) NOT NULL,
 title VARCHAR(1024) NOT NULL, author VARCHAR(1024) NOT NULL, url VARCHAR(1024) NOT NULL,
 feedurl VARCHAR(1024) NOT NULL, pubDate INTEGER NOT NULL, content VARCHAR(65535) NOT NULL,
 unread INTEGER(1) NOT NULL , enclosure_url VARCHAR(1024), enclosure_type VARCHAR(1024),
 enqueued INTEGER(1) NOT NULL DEFAULT 0, flags VARCHAR(52), deleted INTEGER(1) NOT NULL DEFAULT 0,
 base VARCHAR(128) NOT NULL DEFAULT "");
CREATE INDEX idx_guid ON rss_item(guid);
CREATE INDEX idx_feedurl ON rss_item(feedurl);
CREATE INDEX idx_deleted ON rss_item(deleted);
"""
WORDS = ("river", "market", "council", "station", "report", "budget", "school", "harbour",
         "energy", "festival", "court", "bridge", "election", "museum", "forest", "railway")


# -- OPML ---------------------------------------------------------------------------------------


def opml_files(feeds: int) -> tuple[bytes, bytes]:
    """The same feeds, well-formed and with the faults of real exports."""
    clean, faulty = [], []
    for n in range(feeds):
        if n % 50 == 0:
            folder = f'<outline text="Folder {n // 50}" title="Folder {n // 50}">'
            clean.append(folder)
            faulty.append(folder)
        url = f"https://site{n}.example.com/feed.php?id={n}&amp;format=rss"
        title = f"Feed {n} news and views"
        description = f"All about topic {n}"
        kind = n % 10
        clean.append(f'  <outline type="rss" text="{title}" title="{title}" '
                     f'description="{description}" xmlUrl="{url}"/>')
        bad_title, bad_description = title, description
        if kind == 1:
            bad_title = f"Feed {n} news & views"
        elif kind == 2:
            bad_description = f"All about <b>topic</b> {n}"
        elif kind == 3:
            bad_title = f'Feed {n} "news" and views'
        faulty.append(f'  <outline type="rss" text="{bad_title}" title="{bad_title}" '
                      f'description="{bad_description}" xmlUrl="{url.replace("&amp;", "&")}"/>')
        if n % 50 == 49 or n == feeds - 1:
            clean.append("</outline>")
            faulty.append("</outline>")
    head = '<?xml version="1.0" encoding="utf-8"?>\n<opml version="2.0"><head><title>Big</title></head><body>\n'
    tail = "\n</body></opml>\n"
    return ((head + "\n".join(clean) + tail).encode(), (head + "\n".join(faulty) + tail).encode())


def measure_opml(feeds: int, runs: int) -> dict[str, object]:
    import xml.etree.ElementTree as ET

    from tui.core.opml import read_opml
    from tui.core.store import Store

    clean, faulty = opml_files(feeds)
    strict = _median(runs, lambda: ET.fromstring(clean))
    clean_read = _median(runs, lambda: read_opml(clean))
    result = read_opml(faulty)
    assert len(result.feeds) == feeds, len(result.feeds)
    faulty_read = _median(runs, lambda: read_opml(faulty))

    def subscribe() -> None:
        directory = Path(tempfile.mkdtemp(prefix="warta-bench-opml-"))
        try:
            with Store.open(directory) as store:
                known = {feed.url for feed in store.subscriptions()}
                store.add_subscriptions([f for f in read_opml(faulty).feeds if f.url not in known])
        finally:
            shutil.rmtree(directory, ignore_errors=True)

    whole = _median(runs, subscribe)
    return {
        "feeds": feeds, "bytes": len(faulty), "repaired_lines": result.repaired_lines,
        "report": result.describe(len(result.feeds))[0],
        "strict_parse_clean_s": strict, "read_opml_clean_s": clean_read,
        "read_opml_faulty_s": faulty_read, "import_faulty_with_subscribing_s": whole,
        "ratio_faulty_vs_strict": faulty_read / strict,
        "target_2s_met": whole <= 2.0,
    }


# -- newsboat cache -----------------------------------------------------------------------------


def build_cache(path: Path, articles: int, seed: int = 7) -> list[str]:
    """A cache.db with newsboat's schema; returns the feed URLs."""
    newsboat = shutil.which("newsboat")
    if newsboat:  # the schema exactly as the installed newsboat writes it
        home = path.parent / "nbhome"
        home.mkdir(exist_ok=True)
        (home / "urls").write_text("http://127.0.0.1:9/refused.xml\n")  # newsboat needs one
        (home / "config").write_text("")
        subprocess.run([newsboat, "-u", str(home / "urls"), "-c", str(path), "-C", str(home / "config"),
                        "-x", "reload"], check=True, capture_output=True, timeout=60,
                       env={"HOME": str(home), "PATH": "/usr/bin:/bin", "TERM": "dumb"},
                       stdin=subprocess.DEVNULL)
    db = sqlite3.connect(path)
    if not newsboat:
        db.executescript(NEWSBOAT_DDL)
    db.execute("DELETE FROM rss_feed")
    rng = random.Random(seed)
    feeds = [f"https://news{n}.example.com/rss" for n in range(100)]
    db.executemany("INSERT INTO rss_feed (rssurl, url, title) VALUES (?, ?, ?)",
                   [(url, url.replace("/rss", "/"), f"News {n}") for n, url in enumerate(feeds)])
    now = int(time.time())
    rows = []
    for n in range(articles):
        feed = feeds[n % len(feeds)]
        url = f"{feed.replace('/rss', '')}/{now - n * 600}/story-{n}.html"
        paragraphs = "".join(
            "<p>" + " ".join(rng.choice(WORDS) for _ in range(rng.randint(25, 45))) + ".</p>"
            for _ in range(4))
        rows.append((url, f"Story {n} about the {rng.choice(WORDS)}", "Reporter", url, feed,
                     now - n * 600, f"<div>{paragraphs}<a href='{url}'>more</a></div>",
                     int(rng.random() >= 0.6), "s" if rng.random() < 0.05 else None))
    db.executemany("INSERT INTO rss_item (guid, title, author, url, feedurl, pubDate, content, unread,"
                   " flags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.commit()
    db.close()
    return feeds


def _child(args: argparse.Namespace) -> None:
    """One import in this (child) process; prints its seconds, counts and peak RSS as JSON."""
    from tui.core.library import Library
    from tui.core.models import ArticleRecord, Feed
    from tui.core.newsboat import _CachedItem, _record, feed_text, read_cache
    from tui.core.store import Store
    from tui.core.urls import article_id

    cache, data = Path(args.cache), Path(args.data)
    feeds = [Feed(url=url, tags=("news",)) for url in json.loads(args.feeds)]
    started, cpu_started = time.perf_counter(), time.process_time()
    figures: dict[str, object] = {}
    if args.child == "import":  # as `warta import URLS --state CACHE` does, after subscribing
        with Store.open(data) as store:
            store.add_subscriptions(feeds)
            started, cpu_started = time.perf_counter(), time.process_time()
            result = asyncio.run(Library(store).import_newsboat_cache(cache))
        figures.update(articles=result.articles, stored=result.stored, read=result.read,
                       starred=result.starred)
    elif args.child == "read":
        connection = sqlite3.connect(f"file:{cache}?mode=ro", uri=True)
        figures["rows"] = sum(1 for _ in connection.execute(
            "SELECT url, title, author, feedurl, pubDate, content, unread, flags FROM rss_item"))
    elif args.child == "put":
        by_url = {feed.url: feed for feed in feeds}
        batches: list[list[ArticleRecord]] = [
            [_record(article_id(item.url), item, by_url[item.feed_url], time.time(),
                     feed_text(item.content)) for item in map(_CachedItem.of, batch)]
            for batch in read_cache(cache)]
        started, cpu_started = time.perf_counter(), time.process_time()  # the store's writes only
        with Store.open(data) as store:
            for batch in batches:
                store.put_articles(batch)
        figures["records"] = sum(map(len, batches))
    figures["seconds"] = time.perf_counter() - started
    figures["cpu_seconds"] = time.process_time() - cpu_started
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pool's workers, once reaped
    figures["worker_peak_rss_mb"] = children.ru_maxrss / 1024
    figures["worker_cpu_seconds"] = children.ru_utime + children.ru_stime
    print(json.dumps(figures))


def _run_child(kind: str, cache: Path, data: Path, feeds: list[str]) -> dict[str, object]:
    shutil.rmtree(data, ignore_errors=True)
    out = subprocess.run([sys.executable, __file__, "--child", kind, "--cache", str(cache),
                          "--data", str(data), "--feeds", json.dumps(feeds)],
                         check=True, capture_output=True, text=True, timeout=900)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_cache(articles: int, runs: int, work: Path) -> dict[str, object]:
    figures: dict[str, object] = {"articles": articles}
    for size, label in ((articles, "full"), (max(articles // 4, 1), "quarter")):
        cache = work / f"cache-{size}.db"
        feeds = build_cache(cache, size)
        data = work / f"data-{size}"
        imports = [_run_child("import", cache, data, feeds) for _ in range(runs)]
        seconds = statistics.median(float(run["seconds"]) for run in imports)  # type: ignore[arg-type]
        figures[f"{label}_import_s"] = seconds
        figures[f"{label}_import_cpu_s"] = statistics.median(float(run["cpu_seconds"]) for run in imports)  # type: ignore[arg-type]
        figures[f"{label}_worker_cpu_s"] = statistics.median(float(run["worker_cpu_seconds"]) for run in imports)  # type: ignore[arg-type]
        figures[f"{label}_peak_rss_mb"] = max(float(run["peak_rss_mb"]) for run in imports)  # type: ignore[arg-type]
        figures[f"{label}_worker_peak_rss_mb"] = max(float(run["worker_peak_rss_mb"]) for run in imports)  # type: ignore[arg-type]
        if label == "full":
            figures["counts"] = {k: imports[0][k] for k in ("articles", "stored", "read", "starred")}
            reads = [_run_child("read", cache, data, feeds) for _ in range(runs)]
            puts = [_run_child("put", cache, data, feeds) for _ in range(runs)]
            figures["baseline_sqlite_read_s"] = statistics.median(float(r["seconds"]) for r in reads)  # type: ignore[arg-type]
            figures["baseline_sqlite_read_rss_mb"] = max(float(r["peak_rss_mb"]) for r in reads)  # type: ignore[arg-type]
            figures["baseline_store_put_s"] = statistics.median(float(r["seconds"]) for r in puts)  # type: ignore[arg-type]
            figures["baseline_store_put_cpu_s"] = statistics.median(float(r["cpu_seconds"]) for r in puts)  # type: ignore[arg-type]
            figures["ratio_import_vs_store_put"] = seconds / float(figures["baseline_store_put_s"])  # type: ignore[arg-type]
            figures["ratio_import_vs_sqlite_read"] = seconds / float(figures["baseline_sqlite_read_s"])  # type: ignore[arg-type]
            figures["target_10s_met"] = seconds <= 10.0
        shutil.rmtree(data, ignore_errors=True)
    figures["rss_growth_quarter_to_full_mb"] = (float(figures["full_peak_rss_mb"])  # type: ignore[arg-type]
                                                - float(figures["quarter_peak_rss_mb"]))  # type: ignore[arg-type]
    return figures


def _median(runs: int, function: object) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    if "--child" in sys.argv[1:]:
        child = argparse.ArgumentParser()
        for name in ("--child", "--cache", "--data", "--feeds"):
            child.add_argument(name)
        _child(child.parse_args())
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=5_000)
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one run")
    args = parser.parse_args()
    if args.smoke:
        args.feeds, args.articles, args.runs = 200, 400, 1
    work = Path(tempfile.mkdtemp(prefix="warta-bench-import-"))
    try:
        opml = measure_opml(args.feeds, args.runs)
        print("OPML import")
        for key, value in opml.items():
            print(f"  {key:34} {_show(value)}")
        cache = measure_cache(args.articles, args.runs, work)
        print("newsboat cache import (fresh data dir: every article stored from the cache)")
        for key, value in cache.items():
            print(f"  {key:34} {_show(value)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _show(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


if __name__ == "__main__":
    main()
