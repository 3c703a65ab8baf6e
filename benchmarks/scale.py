"""Scale benchmark: Warta on a cache of 1,000, 10,000 and 100,000 synthetic articles.

    python benchmarks/scale.py build DATA_DIR --articles N
    python benchmarks/scale.py measure [--work DIR] [--sizes 1000,10000,100000] [--runs 5] [--rebuild]
    python benchmarks/scale.py bulk [--work DIR] [--sizes ...] [--runs 3] [--smoke]
    python benchmarks/scale.py --smoke     # 300 articles, one run: the figures come out (CI)

``build`` fills a data dir through the real store API (``Store.put_articles`` in batches of
1,000, ``Store.update_state`` per article): ~5 KB of text per article in five languages drawn
from a Zipf-distributed vocabulary, 1-5 tags out of 200, 300 sites, dates over two years, 30%
read, 2% starred. ``measure`` builds the missing dirs under ``--work`` (kept for the next run),
then times, per size: start-up to the first frame that shows the list (headless, and as a real
process in a pseudo-terminal), filters and searches (index alone and end to end in the app),
cursor moves, opening an article, the tag picker, peak RSS and size on disk. With ``--rebuild``
also the index rebuild that ``Store.open`` does after a crash between a store write and the
index write, or when the index is missing (on a copy of each data dir, deleted afterwards). A bare Textual app (an empty
``ScrollView`` and a ``Footer``) measured in the same run is the floor for the start-up figures.
Timings are medians of ``--runs`` runs. Nothing here is a test: it prints numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import json
import os
import random
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tui.core.articles import fingerprint
from tui.core.models import Article, ArticleRecord, Block
from tui.core.store import Store
from tui.core.urls import article_id

SIZES = (1_000, 10_000, 100_000)
SMOKE_ARTICLES = 300
BATCH = 1_000
TERMINAL_SIZE = (100, 30)  # columns, rows
RARE_WORD = "zeppelin"  # planted in one article in 997
RARE_EVERY = 997
DAY = 86400.0

# -- the synthetic corpus ----------------------------------------------------------------------

_LANGUAGES: dict[str, tuple[float, str]] = {
    "en": (0.45, """
        the of and to in a is that for it as was with be by on not he this are or his from at which
        but have an they you were her she there been one all we their has would when if so no more
        what up out who will about can said its into than them only other new some time could these
        two may first then do any like my now over such our man me even most made after also did
        many before must through back years where much your way well down should because each just
        those people how too little state good very make world still own see men work long get here
        between both life being under never day same another know while last might us great old year
        off come since against go came right used take three government market minister president
        election police court economy city country report company police officials health school
        water energy climate prices budget party leaders security history research university team
        season players match league coach fans music film festival museum artist book writer science
        data technology software network phone internet privacy election voters parliament law
        """),
    "id": (0.25, """
        yang dan di ini itu dengan untuk tidak dari dalam akan pada juga ke karena tersebut bisa ada
        mereka lebih kata sudah saya seperti oleh telah hanya orang kami masih menjadi harus kita
        tahun namun saat bahwa banyak baru dapat sebagai atau para secara sangat pemerintah presiden
        menteri rakyat negara kota desa daerah provinsi ekonomi harga pasar rupiah bank investasi
        perusahaan pekerja buruh sekolah guru siswa kesehatan rumah sakit dokter polisi pengadilan
        hukum partai pemilu calon suara warga masyarakat jalan banjir gempa cuaca hujan pantai pulau
        laut kapal pesawat bandara kereta sepak bola pemain pelatih pertandingan musik film budaya
        sejarah teknologi internet data aplikasi digital
        """),
    "de": (0.12, """
        der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch es an
        werden aus er hat dass sie nach wird bei einer um am sind noch wie einem über einen so zum
        war haben nur oder aber vor zur bis mehr durch man sein wurde sei Regierung Bundestag Kanzler
        Wirtschaft Unternehmen Markt Preise Energie Klima Stadt Land Polizei Gericht Schule Gesundheit
        Wahl Partei Europa Forschung Universität Mannschaft Spiel Trainer Musik Film Geschichte
        """),
    "fr": (0.12, """
        le de un être et à il avoir ne je son que se qui ce dans en du elle au pour pas que vous par
        sur faire plus dire me on mon lui nous comme mais pouvoir avec tout y aller voir en bien où
        sans tu ou leur homme si deux mari moi vouloir te femme venir quand grand celui notre devoir
        gouvernement président ministre élection économie marché entreprise prix énergie climat ville
        pays police justice école santé hôpital université recherche équipe match joueur musique
        cinéma histoire société données numérique
        """),
    "es": (0.06, """
        el la de que y a en un ser se no haber por con su para como estar tener le lo todo pero más
        hacer o poder decir este ir otro ese si me ya ver porque dar cuando él muy sin vez mucho saber
        qué sobre mi alguno mismo yo también hasta año dos querer entre así primero desde grande eso
        gobierno presidente ministro elecciones economía mercado empresa precios energía clima ciudad
        país policía justicia escuela salud hospital universidad equipo partido jugador música
        """),
}
COMMON_QUERY = "the"  # in nearly every English article: the worst realistic search
MEDIUM_QUERY = "government"  # a frequent content word (and a prefix of a few others)


def _zipf_cum(n: int, exponent: float = 1.05) -> list[float]:
    total, cum = 0.0, []
    for rank in range(1, n + 1):
        total += 1.0 / rank**exponent
        cum.append(total)
    return cum


def _pseudo_words(rng: random.Random, count: int) -> list[str]:
    """The long tail: names, places and rare words, made of syllables so FTS sees real variety."""
    onsets = ["b", "k", "d", "f", "g", "h", "j", "l", "m", "n", "p", "r", "s", "t", "w", "br", "kr",
              "st", "tr", "ng", "sch", "ch", "pr", "gl", "v", "z"]
    vowels = ["a", "e", "i", "o", "u", "au", "ei", "ia", "ou", "é", "ü", "ä"]
    codas = ["", "", "", "n", "r", "s", "t", "ng", "l", "m", "k", "nd", "rt"]
    seen: set[str] = set()
    words: list[str] = []
    while len(words) < count:
        word = "".join(rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas)
                       for _ in range(rng.choice((2, 2, 3, 3, 4))))
        if word not in seen and word != RARE_WORD:
            seen.add(word)
            words.append(word)
    return words


@dataclass
class Corpus:
    """Everything random about the synthetic cache, from one seed."""

    seed: int = 6
    now: float = field(default_factory=time.time)

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        tail = _pseudo_words(rng, 30_000)
        self.languages = list(_LANGUAGES)
        self.language_weights = [share for share, _ in _LANGUAGES.values()]
        self.vocabularies: dict[str, tuple[list[str], list[float]]] = {}
        for lang, (_, words) in _LANGUAGES.items():
            # The language's own words first (frequent), then a shared tail of names and rarities.
            vocabulary = list(dict.fromkeys(words.split())) + tail
            self.vocabularies[lang] = (vocabulary, _zipf_cum(len(vocabulary)))
        self.tags = [f"{word}" for word in _pseudo_words(random.Random(self.seed + 1), 200)]
        self.tag_cum = _zipf_cum(len(self.tags), 0.8)
        suffixes = ["news", "times", "post", "daily", "review", "journal", "online", "tribune"]
        tlds = ["com", "id", "de", "fr", "es", "org", "net", "co.uk"]
        self.sites = [f"{name}-{rng.choice(suffixes)}.{rng.choice(tlds)}"
                      for name in _pseudo_words(random.Random(self.seed + 2), 300)]

    def record(self, n: int) -> ArticleRecord:
        """Article number ``n`` (the same every time for the same seed)."""
        rng = random.Random(self.seed * 1_000_003 + n)
        lang = rng.choices(self.languages, self.language_weights)[0]
        vocabulary, cum = self.vocabularies[lang]

        def words(count: int) -> list[str]:
            return rng.choices(vocabulary, cum_weights=cum, k=count)

        blocks: list[Block] = []
        size = 0
        target = rng.randint(4_000, 6_000)
        while size < target:
            if blocks and rng.random() < 0.1:
                blocks.append(Block("heading", " ".join(words(rng.randint(3, 7))).capitalize(), level=2))
                continue
            sentences = []
            for _ in range(rng.randint(3, 7)):
                sentence = words(rng.randint(8, 22))
                sentences.append(" ".join(sentence).capitalize() + ".")
            paragraph = " ".join(sentences)
            blocks.append(Block("paragraph", paragraph))
            size += len(paragraph) + 2
        if n % RARE_EVERY == 0:
            first = blocks[0]
            blocks[0] = Block(first.kind, f"A {RARE_WORD} was seen. " + first.text, first.level)
        title = " ".join(words(rng.randint(5, 10))).capitalize() + f" ({n})"
        site = self.sites[rng.randrange(len(self.sites))]
        published = self.now - rng.random() * 730 * DAY
        url = f"https://{site}/{datetime.fromtimestamp(published, UTC):%Y/%m}/story-{n}"
        tags = list(dict.fromkeys(rng.choices(self.tags, cum_weights=self.tag_cum, k=rng.randint(1, 5))))
        split = rng.randint(1, len(tags))
        article = Article(url=url, title=title, site_name=site, lang=lang, tags=tuple(tags[split:]),
                          blocks=tuple(blocks))
        text = article.text
        return ArticleRecord(
            id=article_id(url), url=url, title=title, site=site, published=published,
            fetched=published + rng.random() * 3600, feeds=(f"https://{site}/feed.xml",),
            feed_tags=tuple(tags[:split]), page_tags=tuple(tags[split:]), lang=lang,
            byline=" ".join(words(2)).title(), summary=text[:300], status="full",
            fingerprint=fingerprint(article), article=article,
        )


def build(data_dir: Path, count: int, *, seed: int = 6, quiet: bool = False) -> dict[str, float]:
    """Fill a new data dir with ``count`` synthetic articles; returns the phase timings."""
    if data_dir.exists() and any(data_dir.iterdir()):
        raise SystemExit(f"{data_dir} is not empty; build into a new dir")
    corpus = Corpus(seed=seed)
    rng = random.Random(seed + 3)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    ids: list[str] = []
    with Store.open(data_dir) as store:
        generating = 0.0
        for start in range(0, count, BATCH):
            clock = time.perf_counter()
            records = [corpus.record(n) for n in range(start, min(count, start + BATCH))]
            generating += time.perf_counter() - clock
            store.put_articles(records)
            ids.extend(r.id for r in records)
            if not quiet:
                done = start + len(records)
                print(f"\r  {done:,}/{count:,} articles, {time.perf_counter() - started:.0f} s",
                      end="", file=sys.stderr, flush=True)
        timings["generate"] = generating
        timings["put_articles"] = time.perf_counter() - started - generating
        clock = time.perf_counter()
        states = 0
        for aid in ids:
            draw = rng.random()
            read, starred = rng.random() < 0.30, draw < 0.02
            if read or starred:
                store.update_state(aid, read=read, starred=starred)
                states += 1
        timings["update_state"] = time.perf_counter() - clock
        timings["states"] = states
    timings["total"] = time.perf_counter() - started
    if not quiet:
        print(file=sys.stderr)
    return timings


# -- measuring inside one process (headless app, index API) ------------------------------------

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[P^_][^\x1b]*\x1b\\"
                   r"|\x1b[()][0-9A-Za-z]|\x1b[=>78NOcM]")
BARE_APP = """
from textual.app import App
from textual.binding import Binding
from textual.scroll_view import ScrollView
from textual.widgets import Footer

class Bare(App):
    BINDINGS = [Binding("q", "quit", "Quit")]

    def compose(self):
        yield ScrollView()
        yield Footer()
"""
BARE_NEEDLES = ("Quit",)


def plain(terminal_output: str) -> str:
    return _ANSI.sub("", terminal_output)


class FrameWatch:
    """Records when the app hands each frame to its driver (headless drivers drop them)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.frames: list[tuple[float, str]] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is not None and hasattr(renderable, "render_segments"):
                text = plain(renderable.render_segments(app.console))
                self.frames.append((time.perf_counter(), text))

        app._display = display

    async def first_with(self, needles: tuple[str, ...], since: int = 0, timeout: float = 30.0) -> float:
        """The time of the first frame from ``since`` on after which every needle has been shown."""
        deadline = time.perf_counter() + timeout
        checked, seen = since, ""
        while time.perf_counter() < deadline:
            while checked < len(self.frames):
                stamp, text = self.frames[checked]
                seen += text
                checked += 1
                if all(needle in seen for needle in needles):
                    return stamp
            await asyncio.sleep(0.0005)
        raise TimeoutError(f"no frame showed {needles!r}")

    async def next_frame(self, since: int, timeout: float = 10.0) -> float:
        return await self.first_with((), since, timeout)

    def text_at(self, stamp: float) -> str:
        """What the frame handed over at ``stamp`` showed."""
        return next(text for when, text in self.frames if when == stamp)


def _median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def _time(function: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median milliseconds of ``runs`` calls, and the last result."""
    times, result = [], None
    for _ in range(runs):
        clock = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - clock)
    return _median_ms(times), result


def probe(data_dir: Path) -> dict[str, Any]:
    """What the measurements look for: the newest title, the counts, a common tag."""
    with Store.open(data_dir) as store:
        [first] = store.summaries(store.rowids()[:1])
        [top, *_] = store.tag_counts()
        return {"title": first.title, "count": store.count(), "unread": store.unread_count(),
                "tag": top.tag, "tag_total": top.total}


def filters(info: dict[str, Any]) -> dict[str, str]:
    return {
        "tag filter": f"+{info['tag']}",
        "combined filter": f"+{info['tag']} is:unread since:90d",
        "search, common word": COMMON_QUERY,
        "search, medium word": MEDIUM_QUERY,
        "search, rare word": RARE_WORD,
    }


def start_needles(info: dict[str, Any]) -> tuple[str, ...]:
    return (info["title"][:20], f"{info['count']:,} articles")


async def _headless_figures(data_dir: Path, runs: int) -> dict[str, Any]:
    """Everything measured inside one process with the real app, headless."""
    from rich.console import Console

    from tui.app import render
    from tui.app.app import WartaApp
    from tui.core.config import Config
    from tui.core.library import Library
    from tui.core.query import compile_filter

    info = probe(data_dir)
    needles = start_needles(info)
    out: dict[str, Any] = {"info": info}

    # Index API alone.
    with Store.open(data_dir) as store:
        index = store._index
        out["store open"] = _time(lambda: Store.open(data_dir).close(), runs)[0]
        out["rowids, all"], _ = _time(index.rowids, runs)
        out["unread_count"], _ = _time(index.unread_count, runs)
        out["tag_counts"], _ = _time(index.tag_counts, runs)
        first = index.rowids()[:100]
        out["summaries, 100"], _ = _time(lambda: index.summaries(first), runs)
        hits: dict[str, int] = {}
        for name, text in filters(info).items():

            def run(text: str = text) -> list[int]:
                compiled = compile_filter(text)
                return index.rowids(compiled)

            out[f"index: {name}"], found = _time(run, runs)
            hits[name] = len(found)
        out["hits"] = hits

    # Start-up to the first frame showing the list, then the interactive figures on the last run.
    starts: list[float] = []
    for attempt in range(-1, runs):  # run -1 warms up (lazy imports, CSS parsing)
        clock = time.perf_counter()
        store = Store.open(data_dir)
        app = WartaApp(Library(store, Config()))
        watch = FrameWatch(app)
        try:
            async with app.run_test(size=TERMINAL_SIZE) as pilot:
                shown = await watch.first_with(needles) - clock
                if attempt >= 0:
                    starts.append(shown)
                if attempt == runs - 1:
                    await pilot.pause()
                    await _interactive(out, app, pilot, watch, info, runs)
        finally:
            store.close()
    out["start, headless"] = _median_ms(starts)

    # Opening an article without the app: read the record, lay it out at the reader's width.
    with Store.open(data_dir) as store:
        console = Console(width=57, color_system="truecolor", force_terminal=True, record=False)
        ids = [s.id for s in store.summaries(store.rowids()[:runs])]
        times = []
        for shown_id in ids:
            clock = time.perf_counter()
            record = store.get_article(shown_id)
            assert record is not None
            renderable = render.reader_renderable(record, store.get_state(shown_id))
            console.render_lines(renderable, console.options, pad=False)
            times.append(time.perf_counter() - clock)
        out["open article, core"] = _median_ms(times)
    return out


async def _interactive(out: dict[str, Any], app: Any, pilot: Any, watch: FrameWatch,
                       info: dict[str, Any], runs: int) -> None:
    main = app.main
    index = app.library
    for name, text in filters(info).items():
        times = []
        for _ in range(runs):
            since = len(watch.frames)
            clock = time.perf_counter()
            error = main.apply_filter(text)  # compile, query, set the rows, count, redraw
            times.append(await watch.next_frame(since) - clock)
            if error is not None:
                raise RuntimeError(f"{text!r}: {error}")
            await pilot.pause()
            main.apply_filter("")
            await pilot.pause()
        out[f"app: {name}"] = _median_ms(times)

    times = []
    for _ in range(runs):
        main.apply_filter(f"+{info['tag']}")
        await pilot.pause()
        since = len(watch.frames)
        clock = time.perf_counter()
        main.apply_filter("")
        times.append(await watch.next_frame(since) - clock)
        await pilot.pause()
    out["app: clear filter"] = _median_ms(times)

    # 50 cursor moves: key press to the frame that shows the moved cursor.
    article_list = main.article_list
    article_list.focus()
    await pilot.pause()
    key_times = []
    for _ in range(50):
        since = len(watch.frames)
        clock = time.perf_counter()
        await pilot.press("j")
        key_times.append(await watch.next_frame(since) - clock)
    out["key press to frame"] = _median_ms(key_times)
    out["key press to frame, max"] = max(key_times) * 1000

    # The list's own share: drawing the lines a cursor move changes (cache misses).
    line_times = []
    for _ in range(50):
        article_list.cursor += 1
        top = article_list.cursor * 2 - round(article_list.scroll_y)
        clock = time.perf_counter()
        for y in (top - 2, top - 1, top, top + 1):
            article_list.render_line(y)
        line_times.append(time.perf_counter() - clock)
    out["list: draw changed rows"] = _median_ms(line_times)

    # Opening an article in the app: the reader shows it in the next frame.
    open_times = []
    ids = [s.id for s in index.summaries(index.listing().rowids[100 : 100 + runs])]
    for shown_id in ids:
        await pilot.pause()
        since = len(watch.frames)
        clock = time.perf_counter()
        main.show_article(shown_id)
        open_times.append(await watch.next_frame(since) - clock)
    out["open article, app"] = _median_ms(open_times)

    # The tag picker: ``t`` to the frame that lists the tags with their counts.
    article_list.focus()
    await pilot.pause()
    picker_needles = ("space marks several", f"{info['tag_total']:>6} total")
    picker_times = []
    for _ in range(runs):
        since = len(watch.frames)
        clock = time.perf_counter()
        await pilot.press("t")
        picker_times.append(await watch.first_with(picker_needles, since) - clock)
        await pilot.press("escape")
        await pilot.pause()
    out["tag picker, app"] = _median_ms(picker_times)


FEED_PANE_FEEDS = 2_000
UNREAD_DOT = "●"  # what the list draws before an unread article's title


async def _bulk_figures(data_dir: Path, runs: int) -> dict[str, Any]:
    """On a copy of a data dir (it writes): mark all read of every unread article and its undo,
    each from the key to the frame that shows it done: the status line's new unread count and,
    in the same frame, the list's rows repainted (no unread dot after the mark, dots again after
    the undo). Also the process's CPU time over the same span, and ``A`` to the question (the
    unread ids are looked up there). The feed pane with ``FEED_PANE_FEEDS`` feeds, F to its
    frame. Baselines from the same process: the same list re-filtered and repainted (clear
    filter to frame), the tag picker (t to frame), and the same change written one article at a
    time (``Store.update_state`` on a sample, per article)."""
    from tui.app.app import WartaApp
    from tui.core.config import Config
    from tui.core.library import Library
    from tui.core.models import Feed

    out: dict[str, Any] = {}
    with Store.open(data_dir) as store:
        feed_urls = sorted({f"https://{s.site}/feed.xml" for s in store.summaries(store.rowids())})
        for n, url in enumerate(feed_urls + [f"https://empty{n}.example/feed.xml"
                                             for n in range(FEED_PANE_FEEDS - len(feed_urls))]):
            store.add_subscription(Feed(url=url, name=f"Feed {n:04d}"))
        sample = [s.id for s in store.summaries(store.rowids()[:200])]
        clock = time.perf_counter()
        for article_id in sample:
            store.update_state(article_id, starred=True)
        out["single writes, per article"] = (time.perf_counter() - clock) / len(sample) * 1000
        for article_id in sample:
            store.update_state(article_id, starred=False)
        top_title = store.summaries(store.rowids()[:1])[0].title[:20]

    def repainted(text: str, *, unread_dots: bool) -> None:
        if top_title not in text or (UNREAD_DOT in text) != unread_dots:
            raise RuntimeError(f"the frame with the new count did not repaint the list: {text[:400]!r}")

    store = Store.open(data_dir)
    app = WartaApp(Library(store, Config()), refresh_on_start=False)
    watch = FrameWatch(app)
    asks, marks, undos, repaints, panes, pickers = [], [], [], [], [], []
    mark_cpu, undo_cpu = [], []
    try:
        async with app.run_test(size=TERMINAL_SIZE) as pilot:
            await pilot.pause()
            main = app.main
            for _ in range(runs):
                unread = app.library.counts()[1]
                out["marked"] = unread
                since = len(watch.frames)
                clock = time.perf_counter()
                await pilot.press("A")
                asks.append(await watch.first_with((f"Mark {unread:,} articles",), since, 120) - clock)
                await pilot.pause()
                since = len(watch.frames)
                clock, cpu = time.perf_counter(), time.process_time()
                await pilot.press("y")
                shown = await watch.first_with(("· 0 unread",), since, 120)
                marks.append(shown - clock)
                mark_cpu.append(time.process_time() - cpu)
                repainted(watch.text_at(shown), unread_dots=False)
                await pilot.pause()
                since = len(watch.frames)
                clock, cpu = time.perf_counter(), time.process_time()
                await pilot.press("u")
                shown = await watch.first_with((f"· {unread:,} unread",), since, 120)
                undos.append(shown - clock)
                undo_cpu.append(time.process_time() - cpu)
                repainted(watch.text_at(shown), unread_dots=True)
                await pilot.pause()
                since = len(watch.frames)
                clock = time.perf_counter()
                main.apply_filter("")
                main.reload_list()
                repaints.append(await watch.next_frame(since) - clock)
                await pilot.pause()
                since = len(watch.frames)
                clock = time.perf_counter()
                await pilot.press("F")
                panes.append(await watch.first_with((f"{FEED_PANE_FEEDS:,} feeds",), since) - clock)
                await pilot.press("escape")
                await pilot.pause()
                since = len(watch.frames)
                clock = time.perf_counter()
                await pilot.press("t")
                pickers.append(await watch.first_with(("space marks several",), since) - clock)
                await pilot.press("escape")
                await pilot.pause()
    finally:
        store.close()
    out["ask, app"] = _median_ms(asks)
    out["mark all read, app"] = _median_ms(marks)
    out["mark all read, cpu"] = _median_ms(mark_cpu)
    out["undo mark all read, app"] = _median_ms(undos)
    out["undo mark all read, cpu"] = _median_ms(undo_cpu)
    out["list repaint, app"] = _median_ms(repaints)
    out["feed pane, app"] = _median_ms(panes)
    out["tag picker, baseline"] = _median_ms(pickers)
    return out


def bulk(work: Path, sizes: tuple[int, ...], runs: int) -> None:
    """``bulk``: the figures of ``_bulk_figures`` per size, each on its own copy (deleted after;
    named per run, so two runs at once do not share one)."""
    work.mkdir(parents=True, exist_ok=True)
    results = {}
    loads = []
    for n in sizes:
        data_dir, _ = ensure_built(work, n)
        copy = Path(tempfile.mkdtemp(prefix=f"n{n}.bulk-", dir=work))
        try:
            shutil.copytree(data_dir, copy, dirs_exist_ok=True)
            print(f"{n:,} articles: mark all read, undo, feed pane ...", file=sys.stderr)
            loads.append(os.getloadavg()[0])
            results[n] = json.loads(subprocess.run(_child("_bulk", str(copy), "--runs", str(runs)),
                                                   check=True, capture_output=True, text=True).stdout)
            loads.append(os.getloadavg()[0])
        finally:
            shutil.rmtree(copy, ignore_errors=True)
    largest = max(sizes)
    rows = [Row("mark all read, y to frame", "≤ 1 s"), Row("  process CPU, y to frame"),
            Row("undo mark all read, u to frame", "≤ 1 s"), Row("  process CPU, u to frame"),
            Row("  baseline: list re-filtered, repainted"), Row("  baseline: one article per write", "", "ms"),
            Row("  articles marked", "", "n"), Row("  A to the question (looks up the ids)"),
            Row(f"feed pane, {FEED_PANE_FEEDS:,} feeds, F to frame", "≤ 100 ms"),
            Row("  baseline: tag picker, t to frame")]
    keys = ["mark all read, app", "mark all read, cpu", "undo mark all read, app", "undo mark all read, cpu",
            "list repaint, app", "single writes, per article", "marked", "ask, app", "feed pane, app",
            "tag picker, baseline"]
    for row, key in zip(rows, keys):
        for n in sizes:
            row.values[n] = results[n][key]
    print()
    print(f"Warta bulk changes and the feed pane: median of {runs} runs, terminal "
          f"{TERMINAL_SIZE[0]}x{TERMINAL_SIZE[1]}; baselines measured in the same run")
    print_table(rows, sizes, largest)
    for n in sizes:
        per = results[n]["single writes, per article"]
        marked = results[n]["marked"]
        print(f"{n:,}: {marked:,} articles marked; written one per write they would take about "
              f"{per * marked / 1000:,.1f} s ({per:.2f} ms each, measured on 200), "
              f"x{per * marked / max(results[n]['mark all read, app'], 1e-9):.1f} the bulk change")
    print(f"load average (1 min) while measuring: {min(loads):.2f}-{max(loads):.2f} on {os.cpu_count()} CPUs")


async def _bare_headless(runs: int) -> float:
    namespace: dict[str, Any] = {}
    exec(BARE_APP, namespace)  # noqa: S102 - our own constant; the pty runs it with -c
    starts = []
    for _ in range(runs + 1):  # the first run warms up (lazy imports, CSS parsing)
        clock = time.perf_counter()
        app = namespace["Bare"]()
        watch = FrameWatch(app)
        async with app.run_test(size=TERMINAL_SIZE):
            starts.append(await watch.first_with(BARE_NEEDLES) - clock)
    return _median_ms(starts[1:])


async def _until_first_frame(data_dir: Path | None) -> None:
    """Start the app (or the bare app) headless and return once the list is on screen."""
    if data_dir is None:
        namespace: dict[str, Any] = {}
        exec(BARE_APP, namespace)  # noqa: S102 - our own constant; the pty runs it with -c
        app, needles = namespace["Bare"](), BARE_NEEDLES
        store = None
    else:
        from tui.app.app import WartaApp
        from tui.core.config import Config
        from tui.core.library import Library

        info = probe(data_dir)
        store = Store.open(data_dir)
        app, needles = WartaApp(Library(store, Config())), start_needles(info)
    watch = FrameWatch(app)
    async with app.run_test(size=TERMINAL_SIZE) as pilot:
        await watch.first_with(needles)
        await pilot.pause(0.3)  # let the preview of the first article happen too
    if store is not None:
        store.close()


def rebuild_figures(data_dir: Path) -> dict[str, float]:
    """Seconds ``Store.open`` takes on ``data_dir`` (a copy) when the index must be rebuilt.

    Two cases, each on the copy as left by the one before: the index a write behind the stores
    (a crash between a store write and the index write: rebuilt in place), and no index at all
    (deleted, or thrown away as corrupt: rebuilt into a new file).
    """
    import sqlite3

    out: dict[str, float] = {}
    index_file = data_dir / "index.sqlite"
    with sqlite3.connect(index_file) as db:
        db.execute("UPDATE meta SET value = value - 1 WHERE key = 'state_seq'")
    db.close()
    clock = time.perf_counter()
    Store.open(data_dir).close()
    out["rebuild, out of step"] = time.perf_counter() - clock
    for suffix in ("", "-wal", "-shm"):
        Path(str(index_file) + suffix).unlink(missing_ok=True)
    clock = time.perf_counter()
    Store.open(data_dir).close()
    out["rebuild, no index"] = time.perf_counter() - clock
    clock = time.perf_counter()
    Store.open(data_dir).close()
    out["open, index in step"] = time.perf_counter() - clock
    out["rebuild peak RSS"] = _vmhwm_mb()
    return out


# -- measuring from outside (subprocesses, pseudo-terminal) ------------------------------------


def _child(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), *args]


def peak_rss_mb(argv: list[str]) -> float:
    """Peak resident set of a child, as the child's own VmHWM (printed by ``_rss``).

    Not ``wait4``/``getrusage``: on Linux a child's ru_maxrss starts from the peak of the
    process it was forked from (exec keeps it), so every child of a parent that built a data
    dir reported that parent's 94 MB.
    """
    found = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    return float(json.loads(found.strip().splitlines()[-1])["vmhwm_mb"])


def _vmhwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def pty_start(argv: list[str], needles: tuple[str, ...], env: dict[str, str],
              timeout: float = 60.0) -> float:
    """Seconds from exec to the moment every needle has appeared in the terminal output."""
    master, slave = os.openpty()
    columns, rows = TERMINAL_SIZE
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    clock = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: the pty is its controlling terminal and its stdio
        try:
            os.setsid()
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
            for fd in (0, 1, 2):
                os.dup2(slave, fd)
            os.close(master)
            os.close(slave)
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    os.close(slave)
    output = b""
    try:
        while True:
            left = timeout - (time.perf_counter() - clock)
            if left <= 0:
                raise TimeoutError(f"{argv} never showed {needles!r}")
            ready, _, _ = select.select([master], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child exited
                raise RuntimeError(f"{argv} exited: {output[-2000:]!r}") from None
            if not chunk:
                raise RuntimeError(f"{argv} exited: {output[-2000:]!r}")
            output += chunk
            text = plain(output.decode("utf-8", "ignore"))
            if all(needle in text for needle in needles):
                return time.perf_counter() - clock
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(master)


def disk_usage_mb(path: Path) -> float:
    return sum(p.stat().st_blocks * 512 for p in path.rglob("*") if p.is_file()) / 2**20


# -- the report --------------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    target: str = ""
    unit: str = "ms"
    floor: float | None = None
    values: dict[int, float] = field(default_factory=dict)


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "ms":
        return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"
    if unit == "s":
        return f"{value:,.2f}" if value < 10 else f"{value:,.1f}"
    return f"{value:,.0f}"


def print_table(rows: list[Row], sizes: tuple[int, ...], largest: int) -> None:
    head = ["measure", "unit", "floor", *(f"{n:,}" for n in sizes), f"vs floor @{largest:,}", "target"]
    table = [head]
    for row in rows:
        top = row.values.get(largest)
        delta = ""
        if row.floor is not None and top is not None:
            delta = f"+{top - row.floor:,.0f} ms, x{top / row.floor:.2f}" if row.unit == "ms" else \
                f"+{top - row.floor:,.0f}, x{top / row.floor:.2f}"
        table.append([row.name, row.unit, _fmt(row.floor, row.unit),
                      *(_fmt(row.values.get(n), row.unit) for n in sizes), delta, row.target])
    widths = [max(len(line[i]) for line in table) for i in range(len(head))]
    for number, line in enumerate(table):
        cells = [line[0].ljust(widths[0]), line[1].ljust(widths[1])]
        cells += [cell.rjust(width) for cell, width in zip(line[2:-2], widths[2:-2])]
        cells += [line[-2].ljust(widths[-2]), line[-1]]
        print("  ".join(cells).rstrip())
        if number == 0:
            print("  ".join("-" * w for w in widths))


def ensure_built(work: Path, count: int) -> tuple[Path, dict[str, float] | None]:
    """The data dir of ``count`` articles under ``work``, built now if it is missing."""
    data_dir = work / f"n{count}"
    timings_file = work / f"n{count}.build.json"
    if not data_dir.exists():
        partial = work / f"n{count}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        print(f"building {count:,} articles in {data_dir} ...", file=sys.stderr)
        timings = build(partial, count)
        partial.rename(data_dir)
        timings_file.write_text(json.dumps(timings))
    timings = json.loads(timings_file.read_text()) if timings_file.exists() else None
    return data_dir, timings


def measure(work: Path, sizes: tuple[int, ...], runs: int, rebuild: bool = False) -> None:
    work.mkdir(parents=True, exist_ok=True)
    dirs = {n: ensure_built(work, n) for n in sizes}
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "TEXTUAL")}
    env.update(TERM="xterm-256color", XDG_CONFIG_HOME=str(work / "xdg-config"), PYTHONPATH=str(ROOT))

    print("floor: bare Textual app ...", file=sys.stderr)
    floor_pty = _median_ms([pty_start([sys.executable, "-c", BARE_APP + "\nBare().run()\n"],
                                      BARE_NEEDLES, env) for _ in range(runs)])
    floor_headless = json.loads(subprocess.run(_child("_bare", "--runs", str(runs)), check=True,
                                               capture_output=True, text=True).stdout)["start"]
    floor_rss = peak_rss_mb(_child("_rss"))

    results: dict[int, dict[str, Any]] = {}
    for n, (data_dir, build_timings) in dirs.items():
        print(f"{n:,} articles ...", file=sys.stderr)
        figures = json.loads(subprocess.run(_child("_app", str(data_dir), "--runs", str(runs)),
                                            check=True, capture_output=True, text=True).stdout)
        info = figures["info"]
        argv = [sys.executable, "-m", "tui", "--data-dir", str(data_dir), "--offline"]
        figures["start, pty"] = _median_ms([pty_start(argv, start_needles(info), env)
                                            for _ in range(runs)])
        figures["peak RSS"] = peak_rss_mb(_child("_rss", str(data_dir)))
        figures["disk"] = disk_usage_mb(data_dir)
        if build_timings:
            figures["build"] = build_timings["total"]
        if rebuild:
            print(f"{n:,} articles: index rebuild (on a copy) ...", file=sys.stderr)
            copy = work / f"n{n}.rebuild"
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(data_dir, copy)
            try:
                figures.update(json.loads(subprocess.run(
                    _child("_rebuild", str(copy)), check=True, capture_output=True, text=True).stdout))
            finally:
                shutil.rmtree(copy, ignore_errors=True)
        results[n] = figures

    largest = max(sizes)
    rows = [
        Row("start to first list frame, pty", "≤ floor + 300 ms", floor=floor_pty),
        Row("start to first list frame, headless", "≤ floor + 300 ms", floor=floor_headless),
        Row("  Store.open"),
        Row("  rowids, all (index)"),
        Row("  unread_count (index)"),
        Row("  tag_counts (index)"),
        Row("  summaries, first 100 (index)"),
    ]
    keys = ["start, pty", "start, headless", "store open", "rowids, all", "unread_count",
            "tag_counts", "summaries, 100"]
    for name in filters(results[largest]["info"]):
        target = "≤ 100 ms" if name.startswith("search") else "≤ 50 ms"
        rows.append(Row(f"{name}, index", target))
        keys.append(f"index: {name}")
        rows.append(Row(f"{name}, app (to frame)", target))
        keys.append(f"app: {name}")
    rows += [Row("clear filter, app (to frame)"), Row("key press to frame, median", "≤ 16 ms"),
             Row("key press to frame, max"), Row("  list: draw the changed rows"),
             Row("open article, core (read + layout)", "≤ 50 ms"), Row("open article, app (to frame)", "≤ 50 ms"),
             Row("tag picker, t to frame", "≤ 100 ms"),
             Row("peak RSS", "≤ 250 MB", "MB", floor_rss), Row("data dir on disk", "", "MB"),
             Row("build time", "", "s")]
    keys += ["app: clear filter", "key press to frame", "key press to frame, max", "list: draw changed rows",
             "open article, core", "open article, app", "tag picker, app", "peak RSS", "disk", "build"]
    if rebuild:
        rows += [Row("index rebuild at open, out of step", "", "s"), Row("index rebuild at open, no index", "", "s"),
                 Row("  open, index in step", "", "s"), Row("  rebuild peak RSS", "", "MB")]
        keys += ["rebuild, out of step", "rebuild, no index", "open, index in step", "rebuild peak RSS"]
    for row, key in zip(rows, keys):
        for n in sizes:
            if key in results[n]:
                row.values[n] = results[n][key]
    print()
    print(f"Warta scale benchmark: median of {runs} runs, terminal {TERMINAL_SIZE[0]}x{TERMINAL_SIZE[1]}, "
          f"floor = bare Textual app (ScrollView + Footer) in the same run")
    print_table(rows, sizes, largest)
    print()
    for n in sizes:
        info, hits = results[n]["info"], results[n]["hits"]
        print(f"{n:,}: {info['unread']:,} unread; hits: "
              + ", ".join(f"{name} {count:,}" for name, count in hits.items())
              + f" (tag '{info['tag']}')")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true",
                        help="measure one tiny data dir once (with the rebuild): checks the figures come out")
    sub = parser.add_subparsers(dest="command")
    building = sub.add_parser("build", help="fill a new data dir with synthetic articles")
    building.add_argument("data_dir", type=Path)
    building.add_argument("--articles", type=int, required=True)
    building.add_argument("--seed", type=int, default=6)
    measuring = sub.add_parser("measure", help="build what is missing, then measure and print a table")
    measuring.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "warta-scale",
                           help="where the data dirs are built and kept (default: %(default)s)")
    measuring.add_argument("--sizes", default=",".join(map(str, SIZES)))
    measuring.add_argument("--runs", type=int, default=5)
    measuring.add_argument("--rebuild", action="store_true",
                           help="also time the index rebuild at open (on a copy of each data dir)")
    bulking = sub.add_parser("bulk", help="mark all read and its undo, and the feed pane")
    bulking.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "warta-scale")
    bulking.add_argument("--sizes", default=",".join(map(str, SIZES)))
    bulking.add_argument("--runs", type=int, default=3)
    bulking.add_argument("--smoke", action="store_true", dest="bulk_smoke",
                         help="tiny and quick (300 articles, 1 run): checks figures are produced")
    bulk_child = sub.add_parser("_bulk")  # internal: _bulk_figures() of a copied data dir
    bulk_child.add_argument("data_dir", type=Path)
    bulk_child.add_argument("--runs", type=int, default=3)
    app = sub.add_parser("_app")  # internal: the in-process figures of one data dir, as JSON
    app.add_argument("data_dir", type=Path)
    app.add_argument("--runs", type=int, default=5)
    bare = sub.add_parser("_bare")  # internal: the headless floor, as JSON
    bare.add_argument("--runs", type=int, default=5)
    rss = sub.add_parser("_rss")  # internal: start headless to the first frame, then exit
    rss.add_argument("data_dir", type=Path, nargs="?")
    rebuilding = sub.add_parser("_rebuild")  # internal: rebuild_figures() of a copied data dir, as JSON
    rebuilding.add_argument("data_dir", type=Path)
    args = parser.parse_args(argv)
    if args.smoke:
        with tempfile.TemporaryDirectory(prefix="warta-scale-smoke-") as work:
            measure(Path(work), (SMOKE_ARTICLES,), 1, True)
            bulk(Path(work), (SMOKE_ARTICLES,), 1)
        return 0
    if args.command is None:
        parser.error("a command is required (build, measure) or --smoke")
    if args.command == "build":
        timings = build(args.data_dir, args.articles, seed=args.seed)
        print(json.dumps(timings))
    elif args.command == "measure":
        measure(args.work, tuple(int(n) for n in args.sizes.split(",")), args.runs, args.rebuild)
    elif args.command == "bulk":
        if args.bulk_smoke:
            with tempfile.TemporaryDirectory(prefix="warta-bulk-") as work:
                bulk(Path(work), (SMOKE_ARTICLES,), 1)
        else:
            bulk(args.work, tuple(int(n) for n in args.sizes.split(",")), args.runs)
    elif args.command == "_bulk":
        print(json.dumps(asyncio.run(_bulk_figures(args.data_dir, args.runs))))
    elif args.command == "_app":
        print(json.dumps(asyncio.run(_headless_figures(args.data_dir, args.runs))))
    elif args.command == "_bare":
        print(json.dumps({"start": asyncio.run(_bare_headless(args.runs))}))
    elif args.command == "_rebuild":
        print(json.dumps(rebuild_figures(args.data_dir)))
    elif args.command == "_rss":
        asyncio.run(_until_first_frame(args.data_dir))
        print(json.dumps({"vmhwm_mb": _vmhwm_mb()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
