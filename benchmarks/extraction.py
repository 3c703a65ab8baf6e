"""Extraction benchmark: Warta vs plain readability-lxml on the shared dev sets.

Body text (``<shared>/extraction/dev``): F1, precision, recall and accuracy of the shingle metric
described in ``<shared>/extraction/README.md``, and milliseconds per page, for both extractors in
the same run. Metadata (``<shared>/extraction/metadata-dev``): Warta's exact-match accuracy per
field. Reads only; prints a table; writes nothing.

    python benchmarks/extraction.py [--shared PATH] [--worst N] [--only ID]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import lxml.html  # noqa: E402
from readability import Document  # noqa: E402

from tui.core.errors import ExtractionError  # noqa: E402
from tui.core.extract import extract  # noqa: E402

DEFAULT_SHARED = Path(__file__).resolve().parents[1].parent / "shared"
_TOKEN = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")
_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header "
    "hr li main nav ol p pre section table td th tr ul".split()
)
METADATA_FIELDS = {"title": "title", "byline": "byline", "siteName": "site_name",
                   "publishedTime": "published", "lang": "lang"}


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


@dataclass
class PageScore:
    tp: float
    fp: float
    fn: float
    exact: bool

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


def score_page(truth: str, predicted: str) -> PageScore:
    expected, got = shingles(truth), shingles(predicted)
    tp = sum((expected & got).values())
    fp = sum(got.values()) - tp
    fn = sum(expected.values()) - tp
    total = tp + fp + fn
    if total:
        tp, fp, fn = tp / total, fp / total, fn / total
    return PageScore(tp, fp, fn, tokens(truth) == tokens(predicted))


@dataclass
class Totals:
    name: str
    pages: dict[str, PageScore] = field(default_factory=dict)
    millis: list[float] = field(default_factory=list)
    failures: int = 0

    def precision(self) -> float:
        values = [p.precision for p in self.pages.values() if p.precision is not None]
        return statistics.fmean(values) if values else 0.0

    def recall(self) -> float:
        values = [p.recall for p in self.pages.values() if p.recall is not None]
        return statistics.fmean(values) if values else 0.0

    def f1(self) -> float:
        precision, recall = self.precision(), self.recall()
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    def accuracy(self) -> float:
        return sum(p.exact for p in self.pages.values()) / len(self.pages) if self.pages else 0.0

    def median_ms(self) -> float:
        return statistics.median(self.millis) if self.millis else 0.0

    def p95_ms(self) -> float:
        if not self.millis:
            return 0.0
        ordered = sorted(self.millis)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


# -- the extractors -----------------------------------------------------------------------------


def warta_text(html: bytes, url: str | None) -> str:
    try:
        return extract(html, url).text
    except ExtractionError:
        return ""


def readability_text(html: bytes, url: str | None) -> str:
    summary = Document(html).summary(html_partial=True)
    return html_to_text(summary)


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


# -- runs ---------------------------------------------------------------------------------------


def run_body(shared: Path, only: str | None) -> tuple[Totals, Totals]:
    dev = shared / "extraction" / "dev"
    truth = json.loads((dev / "ground-truth.json").read_text("utf-8"))
    extractors: list[tuple[Totals, Callable[[bytes, str | None], str]]] = [
        (Totals("warta"), warta_text), (Totals("readability-lxml"), readability_text),
    ]
    for page_id in sorted(truth):
        if only and not page_id.startswith(only):
            continue
        html = gzip.decompress((dev / "html" / f"{page_id}.html.gz").read_bytes())
        for totals, function in extractors:
            started = time.perf_counter()
            try:
                text = function(html, truth[page_id].get("url"))
            except Exception as exc:  # a crash is a failed page, not a failed run
                print(f"  {totals.name} failed on {page_id[:12]}: {exc!r}", file=sys.stderr)
                totals.failures += 1
                text = ""
            totals.millis.append((time.perf_counter() - started) * 1000)
            totals.pages[page_id] = score_page(truth[page_id]["articleBody"], text)
            if only:
                print(f"--- {totals.name} ---\n{text}\n")
    return extractors[0][0], extractors[1][0]


def _norm(value: object) -> str:
    return _SPACE.sub(" ", str(value)).strip().casefold()


def run_metadata(shared: Path) -> tuple[dict[str, tuple[int, int]], list[str]]:
    root = shared / "extraction" / "metadata-dev"
    results = {name: [0, 0] for name in METADATA_FIELDS}
    misses: list[str] = []
    for case in sorted(p for p in root.iterdir() if p.is_dir()):
        expected = json.loads((case / "expected-metadata.json").read_text("utf-8"))
        html = gzip.decompress((case / "source.html.gz").read_bytes())
        try:
            article = extract(html, "http://fakehost/test/page.html")
            got = {name: getattr(article, attr) for name, attr in METADATA_FIELDS.items()}
        except ExtractionError:
            got = dict.fromkeys(METADATA_FIELDS)
        for name in METADATA_FIELDS:
            want = expected.get(name)
            if want is None:
                continue
            have = got.get(name)
            if name == "publishedTime":
                ok = have is not None and _norm(have)[:10] == _norm(want)[:10]
            else:
                ok = have is not None and _norm(have) == _norm(want)
            results[name][1] += 1
            results[name][0] += ok
            if not ok:
                misses.append(f"  {case.name:30} {name:13} want {want!r:.70}  got {have!r:.70}")
    return {name: (hit, total) for name, (hit, total) in results.items()}, misses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared data dir")
    parser.add_argument("--worst", type=int, default=0, help="list the N worst pages for Warta")
    parser.add_argument("--only", help="score only pages whose id starts with this, printing texts")
    parser.add_argument("--metadata-misses", action="store_true", help="list metadata mismatches")
    parser.add_argument("--skip-metadata", action="store_true")
    args = parser.parse_args()

    warta, plain = run_body(args.shared, args.only)
    print(f"\nBody text, {len(warta.pages)} dev pages (shingle metric; ms/page in this process)\n")
    print(f"{'extractor':18} {'F1':>6} {'prec':>6} {'recall':>6} {'acc':>6} {'ms med':>7} {'ms p95':>7} {'fail':>4}")
    for totals in (warta, plain):
        print(f"{totals.name:18} {totals.f1():6.3f} {totals.precision():6.3f} {totals.recall():6.3f} "
              f"{totals.accuracy():6.3f} {totals.median_ms():7.1f} {totals.p95_ms():7.1f} {totals.failures:4d}")
    if plain.median_ms():
        print(f"\nmedian time ratio warta/readability: {warta.median_ms() / plain.median_ms():.2f}")
    if args.worst:
        print(f"\nWorst {args.worst} pages for Warta (P/R Warta | P/R readability):")
        ranked = sorted(warta.pages.items(), key=lambda kv: (kv[1].precision or 0) + (kv[1].recall or 0))
        for page_id, score in ranked[: args.worst]:
            other = plain.pages[page_id]
            print(f"  {page_id[:12]}  {score.precision or 0:.3f}/{score.recall or 0:.3f} | "
                  f"{other.precision or 0:.3f}/{other.recall or 0:.3f}")
    if not args.skip_metadata and not args.only:
        fields, misses = run_metadata(args.shared)
        print("\nMetadata, metadata-dev (exact match; publishedTime on its date part)\n")
        for name, (hit, total) in fields.items():
            print(f"  {name:14} {hit / total if total else 0:6.3f}  ({hit}/{total})")
        if args.metadata_misses:
            print("\n".join(misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
