"""Extraction benchmark: Warta vs readability-lxml vs trafilatura on the shared dev sets, one run.

Body text (``dev/`` and each set of ``big-dev/``): F1, precision, recall and accuracy of the
shingle metric described in ``<shared>/extraction/README.md``, milliseconds per page (median,
p95, max) and pages with no output, for the three extractors side by side, and the pages where
Warta trails the better baseline most. Metadata (``metadata-dev/``): exact-match share per field
for all three. Pages are spread over a process pool (one worker per core); each worker times
the three extractors on the same page, so the ratios compare like with like. Reads only.

    nice -n 10 python benchmarks/extraction.py [--smoke] [--sets dev,dragnet] [--worst 10]
    python benchmarks/extraction.py --only PAGE_ID      # print the three texts of one page
    nice -n 10 python benchmarks/extraction.py --baselines /tmp/baselines.json --half a

``--baselines FILE`` keeps the two baselines' texts and timings in FILE (computed on the first
run, read back after: their output does not change while Warta's does); its timing ratios then
come from another run, so figures to report come from a run without it. ``--half a|b`` scores one
half of each set, split by a hash of the page name (develop on one, confirm on the other).

trafilatura is both a baseline and (on pages where readability finds no prose) Warta's second opinion.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import logging
import os
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import lxml.html  # noqa: E402
from readability import Document  # noqa: E402

from tui.core.errors import ExtractionError  # noqa: E402
from tui.core.extract import extract  # noqa: E402

try:
    import trafilatura
except ImportError:  # a dependency; without it its rows are empty
    trafilatura = None

DEFAULT_SHARED = ROOT.parent / "shared"
BODY_SETS = {"dev": "dev", "dragnet": "big-dev/dragnet", "cleanportal": "big-dev/cleanportal",
             "pagesignal": "big-dev/pagesignal"}
BIG_DEV = ("dragnet", "cleanportal", "pagesignal")
EXTRACTORS = ("warta", "readability-lxml", "trafilatura")
SMOKE_PAGES = 4
METADATA_FIELDS = ("title", "byline", "siteName", "publishedTime", "lang")
METADATA_URL = "http://fakehost/test/page.html"
_TOKEN = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")
_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header "
    "hr li main nav ol p pre section table td th tr ul".split()
)


# -- the metric ---------------------------------------------------------------------------------


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def shingles(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    words = tokens(text)
    if not words:
        return Counter()
    if len(words) < size:
        return Counter([tuple(words)])
    return Counter(tuple(words[i:i + size]) for i in range(len(words) - size + 1))


@dataclass(frozen=True)
class PageScore:
    tp: float
    fp: float
    fn: float
    exact: bool
    empty: bool
    millis: float

    @property
    def precision(self) -> float | None:
        if self.fp == 0 and self.fn == 0:
            return 1.0
        return None if self.tp + self.fp == 0 else self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        if self.fp == 0 and self.fn == 0:
            return 1.0
        return None if self.tp + self.fn == 0 else self.tp / (self.tp + self.fn)

    @property
    def f1(self) -> float:
        precision, recall = self.precision or 0.0, self.recall or 0.0
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def score_page(truth: str, predicted: str, millis: float) -> PageScore:
    expected, got = shingles(truth), shingles(predicted)
    tp = sum((expected & got).values())
    fp = sum(got.values()) - tp
    fn = sum(expected.values()) - tp
    total = tp + fp + fn
    if total:
        tp, fp, fn = tp / total, fp / total, fn / total
    return PageScore(tp, fp, fn, tokens(truth) == tokens(predicted), not tokens(predicted), millis)


@dataclass
class Totals:
    pages: dict[str, PageScore] = field(default_factory=dict)

    def _mean(self, values: list[float | None]) -> float:
        present = [value for value in values if value is not None]
        return statistics.fmean(present) if present else 0.0

    def precision(self) -> float:
        return self._mean([p.precision for p in self.pages.values()])

    def recall(self) -> float:
        return self._mean([p.recall for p in self.pages.values()])

    def f1(self) -> float:
        precision, recall = self.precision(), self.recall()
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    def accuracy(self) -> float:
        return sum(p.exact for p in self.pages.values()) / len(self.pages) if self.pages else 0.0

    def millis(self) -> list[float]:
        return sorted(p.millis for p in self.pages.values())

    def median_ms(self) -> float:
        return statistics.median(self.millis()) if self.pages else 0.0

    def p95_ms(self) -> float:
        ordered = self.millis()
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else 0.0

    def max_ms(self) -> float:
        return max(self.millis(), default=0.0)

    def empty(self) -> int:
        return sum(p.empty for p in self.pages.values())


# -- the extractors -----------------------------------------------------------------------------


def warta_text(html: bytes, url: str | None) -> str:
    try:
        return extract(html, url).text
    except ExtractionError:
        return ""


def readability_text(html: bytes, url: str | None) -> str:
    return html_to_text(Document(html).summary(html_partial=True))


def trafilatura_text(html: bytes, url: str | None) -> str:
    if trafilatura is None:
        return ""
    return trafilatura.extract(html, url=url, include_comments=False) or ""


TEXT_FUNCTIONS: dict[str, Callable[[bytes, str | None], str]] = {
    "warta": warta_text, "readability-lxml": readability_text, "trafilatura": trafilatura_text,
}


def html_to_text(html: str) -> str:
    """Text of an HTML fragment with a line break at every block boundary."""
    if not html.strip():
        return ""
    root = lxml.html.fromstring(html)
    parts: list[str] = []
    for event, element in lxml.html.etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in _BLOCK_TAGS:
                parts.append("\n")
            if element.text and tag not in ("script", "style"):
                parts.append(element.text)
        else:
            if tag in _BLOCK_TAGS:
                parts.append("\n")
            if element.tail and element is not root:
                parts.append(element.tail)
    lines = (_SPACE.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return "\n\n".join(line for line in lines if line)


def _quiet() -> None:
    logging.disable(logging.CRITICAL)  # readability and trafilatura log every odd page


def run_extractor(name: str, html: bytes, url: str | None) -> tuple[str, float]:
    started = time.perf_counter()
    try:
        text = TEXT_FUNCTIONS[name](html, url)
    except Exception as exc:  # a crash is a page without output, not a failed run
        print(f"  {name} crashed: {exc!r}", file=sys.stderr)
        text = ""
    return text, (time.perf_counter() - started) * 1000


BodyTask = tuple[str, str, str, str | None, str, dict[str, tuple[str, float]] | None]


def body_task(task: BodyTask) -> tuple[str, str, dict[str, PageScore], dict[str, tuple[str, float]]]:
    """Score one page for every extractor; ``cached`` holds baseline outputs already known."""
    set_name, page_id, path, url, truth, cached = task
    html = gzip.decompress(Path(path).read_bytes())
    scores = {}
    baselines = {}
    for name in EXTRACTORS:
        if cached and name in cached:
            text, millis = cached[name]
        else:
            text, millis = run_extractor(name, html, url)
        scores[name] = score_page(truth, text, millis)
        if name != "warta":
            baselines[name] = (text, millis)
    return set_name, page_id, scores, baselines


def half_of(page_id: str) -> str:
    """"a" or "b": the second hex digit of the name's sha256 (the first already split the sets)."""
    return "a" if hashlib.sha256(page_id.encode("utf-8")).hexdigest()[1] in "01234567" else "b"


# -- metadata -----------------------------------------------------------------------------------


def _norm(value: object) -> str:
    return _SPACE.sub(" ", str(value)).strip().casefold()


def metadata_of(name: str, html: bytes) -> dict[str, Any]:
    if name == "warta":
        try:
            article = extract(html, METADATA_URL)
        except ExtractionError:
            return {}
        return {"title": article.title, "byline": article.byline, "siteName": article.site_name,
                "publishedTime": article.published, "lang": article.lang}
    if name == "readability-lxml":
        document = Document(html)
        return {"title": document.short_title(), "byline": document.author()}
    if trafilatura is None:
        return {}
    found = trafilatura.extract_metadata(html, default_url=METADATA_URL)
    if found is None:
        return {}
    return {"title": found.title, "byline": found.author, "siteName": found.sitename,
            "publishedTime": found.date}


def metadata_task(case: str) -> tuple[str, dict[str, Any], dict[str, dict[str, Any]]]:
    folder = Path(case)
    expected = json.loads((folder / "expected-metadata.json").read_text("utf-8"))
    html = gzip.decompress((folder / "source.html.gz").read_bytes())
    got = {}
    for name in EXTRACTORS:
        try:
            got[name] = metadata_of(name, html)
        except Exception:  # noqa: BLE001 - a crash is a miss on every field
            got[name] = {}
    return folder.name, expected, got


def field_matches(name: str, want: object, have: object) -> bool:
    if have is None:
        return False
    if name == "publishedTime":
        return _norm(have)[:10] == _norm(want)[:10]
    return _norm(have) == _norm(want)


# -- the run ------------------------------------------------------------------------------------


def body_tasks(shared: Path, sets: list[str], smoke: bool, only: str | None,
               half: str | None = None) -> Iterator[tuple[str, str, str, str | None, str]]:
    for set_name in sets:
        folder = shared / "extraction" / BODY_SETS[set_name]
        truth = json.loads((folder / "ground-truth.json").read_text("utf-8"))
        ids = sorted(truth)
        if only:
            ids = [page_id for page_id in ids if page_id.startswith(only)]
        elif smoke:
            ids = ids[:SMOKE_PAGES]
        if half:
            ids = [page_id for page_id in ids if half_of(page_id) == half]
        for page_id in ids:
            path = folder / "html" / f"{page_id}.html.gz"
            yield set_name, page_id, str(path), truth[page_id].get("url"), truth[page_id]["articleBody"]


def print_body_table(results: dict[str, dict[str, Totals]], sets: list[str]) -> None:
    print(f"\n{'set':12} {'extractor':17} {'pages':>5} {'F1':>6} {'prec':>6} {'recall':>6} {'acc':>6} "
          f"{'ms med':>7} {'ms p95':>7} {'ms max':>7} {'empty':>5}")
    rows = [(name, results[name]) for name in sets]
    chosen_big = [name for name in BIG_DEV if name in sets]
    if len(chosen_big) > 1:
        merged = {extractor: Totals() for extractor in EXTRACTORS}
        for name in chosen_big:
            for extractor in EXTRACTORS:
                merged[extractor].pages.update({f"{name}/{k}": v for k, v in results[name][extractor].pages.items()})
        rows.append(("big-dev all", merged))
    for label, by_extractor in rows:
        for extractor in EXTRACTORS:
            totals = by_extractor[extractor]
            print(f"{label:12} {extractor:17} {len(totals.pages):5d} {totals.f1():6.3f} {totals.precision():6.3f} "
                  f"{totals.recall():6.3f} {totals.accuracy():6.3f} {totals.median_ms():7.1f} {totals.p95_ms():7.1f} "
                  f"{totals.max_ms():7.0f} {totals.empty():5d}")
        warta, plain = by_extractor["warta"], by_extractor["readability-lxml"]
        oracle = statistics.fmean(max(plain.pages[k].f1, by_extractor["trafilatura"].pages[k].f1) for k in plain.pages) \
            if plain.pages else 0.0
        missing = sum(1 for k, p in warta.pages.items() if p.empty and not plain.pages[k].empty)
        ratio = warta.median_ms() / plain.median_ms() if plain.median_ms() else 0.0
        print(f"{label:12} {'':17} median ms warta/readability {ratio:.2f}; per-page best-of-baselines "
              f"mean F1 {oracle:.3f}; warta empty where readability has text: {missing}")
        print(f"{label:12} {'':17} " + "; ".join(_half_f1s(by_extractor, half) for half in ("a", "b")) + "\n")


def _half_f1s(by_extractor: dict[str, Totals], half: str) -> str:
    """F1 of each extractor on one half of the pages (the split of ``half_of``)."""
    parts = []
    for extractor in EXTRACTORS:
        pages = {k: v for k, v in by_extractor[extractor].pages.items() if half_of(k.rsplit("/", 1)[-1]) == half}
        parts.append(f"{extractor} {Totals(pages).f1():.3f}")
    count = sum(1 for k in by_extractor["warta"].pages if half_of(k.rsplit("/", 1)[-1]) == half)
    return f"half {half} ({count} pages) F1 " + " ".join(parts)


def print_worst(results: dict[str, dict[str, Totals]], sets: list[str], count: int) -> None:
    gaps = []
    for set_name in sets:
        by_extractor = results[set_name]
        for page_id, mine in by_extractor["warta"].pages.items():
            best_name = max(("readability-lxml", "trafilatura"), key=lambda n: by_extractor[n].pages[page_id].f1)
            best = by_extractor[best_name].pages[page_id]
            gaps.append((best.f1 - mine.f1, set_name, page_id, mine, best_name, best))
    gaps.sort(key=lambda row: row[0], reverse=True)
    print(f"The {count} pages where Warta trails the better baseline most (page F1, P/R):")
    for gap, set_name, page_id, mine, best_name, best in gaps[:count]:
        if gap <= 0:
            break
        print(f"  {set_name:11} {page_id[:40]:40} warta {mine.f1:.3f} ({mine.precision or 0:.2f}/{mine.recall or 0:.2f})"
              f"  {best_name} {best.f1:.3f} ({best.precision or 0:.2f}/{best.recall or 0:.2f})")


def print_metadata(cases: list[tuple[str, dict[str, Any], dict[str, dict[str, Any]]]], show_misses: bool) -> None:
    hits = {extractor: Counter() for extractor in EXTRACTORS}
    totals: Counter[str] = Counter()
    misses = []
    for case, expected, got in cases:
        for name in METADATA_FIELDS:
            want = expected.get(name)
            if want is None:
                continue
            totals[name] += 1
            for extractor in EXTRACTORS:
                ok = field_matches(name, want, got[extractor].get(name))
                hits[extractor][name] += ok
                if extractor == "warta" and not ok:
                    misses.append(f"  {case:30} {name:13} want {want!r:.70}  got {got['warta'].get(name)!r:.70}")
    print(f"\nMetadata, metadata-dev, {len(cases)} cases (exact match; publishedTime on its date part; "
          f"- = the extractor does not report the field)\n")
    print(f"{'field':14} {'cases':>5} " + " ".join(f"{extractor:>17}" for extractor in EXTRACTORS))
    reported = {"readability-lxml": {"title", "byline"}, "trafilatura": {"title", "byline", "siteName", "publishedTime"}}
    for name in METADATA_FIELDS:
        cells = []
        for extractor in EXTRACTORS:
            if name not in reported.get(extractor, set(METADATA_FIELDS)):
                cells.append(f"{'-':>17}")
            else:
                cells.append(f"{hits[extractor][name] / totals[name] if totals[name] else 0:17.3f}")
        print(f"{name:14} {totals[name]:5d} " + " ".join(cells))
    if show_misses:
        print("\nWarta's metadata misses:\n" + "\n".join(misses))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared data dir")
    parser.add_argument("--smoke", action="store_true", help=f"{SMOKE_PAGES} pages per set: checks the figures come out")
    parser.add_argument("--sets", default=",".join(BODY_SETS), help="body sets to score (comma-separated)")
    parser.add_argument("--worst", type=int, default=10, help="list the N pages where Warta trails most")
    parser.add_argument("--only", help="score only pages whose id starts with this, printing the texts")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--metadata-misses", action="store_true", help="list Warta's metadata mismatches")
    parser.add_argument("--skip-metadata", action="store_true")
    parser.add_argument("--dump", type=Path, help="write every page's scores to this JSON file")
    parser.add_argument("--baselines", type=Path, help="cache of the baselines' outputs (read, extended, written)")
    parser.add_argument("--half", choices=("a", "b"), help="score one half of each set (hash of the page name)")
    args = parser.parse_args()
    sets = [name for name in args.sets.split(",") if name]
    unknown = [name for name in sets if name not in BODY_SETS]
    if unknown:
        parser.error(f"unknown set {unknown[0]!r}; choose from {', '.join(BODY_SETS)}")
    _quiet()

    tasks = list(body_tasks(args.shared, sets, args.smoke, args.only, args.half))
    if args.only:
        for set_name, page_id, path, url, truth in tasks:
            html = gzip.decompress(Path(path).read_bytes())
            for name in EXTRACTORS:
                text, millis = run_extractor(name, html, url)
                score = score_page(truth, text, millis)
                print(f"=== {set_name}/{page_id} {name}: F1 {score.f1:.3f} P {score.precision or 0:.3f} "
                      f"R {score.recall or 0:.3f} {millis:.0f} ms ===\n{text}\n")
            print(f"=== {set_name}/{page_id} gold ===\n{truth}\n")
        return 0

    started = time.perf_counter()
    results = {name: {extractor: Totals() for extractor in EXTRACTORS} for name in sets}
    metadata_root = args.shared / "extraction" / "metadata-dev"
    cases = sorted(str(p) for p in metadata_root.iterdir() if p.is_dir()) if not args.skip_metadata else []
    if args.smoke:
        cases = cases[:SMOKE_PAGES]
    cache: dict[str, dict[str, tuple[str, float]]] = {}
    if args.baselines and args.baselines.exists():
        cache = {key: {name: (text, millis) for name, (text, millis) in value.items()}
                 for key, value in json.loads(args.baselines.read_text("utf-8")).items()}
    jobs = [(*task, cache.get(f"{task[0]}/{task[1]}")) for task in tasks]
    with ProcessPoolExecutor(max_workers=args.workers, initializer=_quiet) as pool:
        metadata_results = pool.map(metadata_task, cases)
        for set_name, page_id, scores, baselines in pool.map(body_task, jobs, chunksize=4):
            for extractor, score in scores.items():
                results[set_name][extractor].pages[page_id] = score
            cache[f"{set_name}/{page_id}"] = baselines
        metadata_cases = list(metadata_results)
    if args.baselines:
        args.baselines.write_text(json.dumps(cache))
    if args.dump:
        args.dump.write_text(json.dumps({set_name: {extractor: {k: [v.f1, v.precision, v.recall, v.empty, v.millis]
                                                               for k, v in totals.pages.items()}
                                                   for extractor, totals in by_extractor.items()}
                                        for set_name, by_extractor in results.items()}))
    print(f"Body text (shingle metric), {len(tasks)} pages, {args.workers} worker processes"
          f"{'' if trafilatura else '; trafilatura not installed'}")
    print_body_table(results, sets)
    if args.worst:
        print_worst(results, sets, args.worst)
    if metadata_cases:
        print_metadata(metadata_cases, args.metadata_misses)
    print(f"\nwall time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
