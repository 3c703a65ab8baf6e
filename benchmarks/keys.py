"""Key and start-up latency of the real ``warta`` in a real terminal, against bare Textual.

    nice -n 10 python benchmarks/keys.py [--work DIR] [--presses 40] [--starts 5] [--smoke]
    nice -n 10 python benchmarks/keys.py sync [--feeds 50] [--per-feed 100] [--smoke]

How: every app here is a child process (``python -m tui``, or a bare Textual app) on a
pseudo-terminal, and this process is its terminal: it feeds what the app writes into ``pyte``
(a VT emulator) and answers Textual's query for synchronized output, so the app brackets each
frame in ``ESC[?2026h … ESC[?2026l`` and the end of each frame is seen as it arrives. A key is
written to the terminal; its latency is the time to the end of the first frame after it that
changed the emulated screen. That is key parsing, the handler, the compositor and the bytes on
the terminal: what a user waits for. (In-process ``App.run_test()`` timing skips the driver's
input parsing and output, and its headless driver drops frames; here nothing is skipped.)

The floor, measured in the same run: a bare Textual app (a ``ScrollView`` and a ``Footer``,
whose key changes one ``Static``), started and keyed the same way.

Figures (medians, with the load average when measured):

- start to the first frame that shows the list, at ``--articles`` (default 100,000, the data
  dir built by ``benchmarks/scale.py``'s builder under ``--work`` and kept), against the bare
  app's first frame (target: <= floor + 300 ms): index in step, index a write behind (rebuilt
  behind the first frame), no index at all; and ``j`` while that rebuild runs;
- ``j``/``k`` at that size (target: <= 5 ms; the floor shows what Textual itself needs), and
  the app's part of each key, from a trace the traced child writes (``TRACE_BOOT``): key event
  out of the driver's input thread -> that frame handed to the driver, with the main thread's
  CPU on it (what load does not inflate), beside the input and output legs and the bare app's;
- ``m`` with a 20,000-word article open in the reader, and with a 300-word one (target:
  <= 16 ms);
- ``sync``: ``j``/``k`` while the app syncs with a real local FreshRSS (``../shared/servers``,
  as tests/sync starts it), a key 0.25 s after the last one's answer, against the same
  keys idle in the same app and the bare app's key (target: median <= 16 ms); median, p95
  and max, and keys lost (the cursor not moved on screen within 10 s).

``--smoke``: 300 articles, a 2,000-word article, a few presses (the figures come out; CI).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import queue
import shutil
import signal
import sqlite3
import statistics
import struct
import sys
import tempfile
import termios
import textwrap
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import pyte  # noqa: E402

from scale import BARE_APP, ensure_built, probe, start_needles  # noqa: E402

SIZE = (100, 30)  # columns, rows
SYNC_QUERY = b"\x1b[?2026$p"
SYNC_YES = b"\x1b[?2026;2$y"  # "supported, off": Textual then brackets every frame
FRAME_END = b"\x1b[?2026l"
# Primary Device Attributes, which Warta asks before it starts (kitty graphics, sixel): a VT220
# with colour, neither of them, so the half blocks are drawn. Unanswered, the start waits.
DEVICE_QUERIES = (b"\x1b[c", b"\x1b[0c")
DEVICE_ANSWER = b"\x1b[?62;22c"
QUIET = 0.25  # seconds without a frame before the next key (the reader follows the cursor at 80 ms)
KEYED_BARE = BARE_APP + textwrap.dedent("""
    from textual.widgets import Static

    class Keyed(Bare):
        BINDINGS = [*Bare.BINDINGS, Binding("j", "down", "Down"), Binding("k", "up", "Up")]
        count = 0

        def compose(self):
            yield Static("row 0", id="row")
            yield from super().compose()

        def action_down(self):
            self.count += 1
            self.query_one("#row", Static).update(f"row {self.count}")

        def action_up(self):
            self.action_down()

    Keyed().run()
""")
BARE_NEEDLES = ("Quit",)
# Run first in a traced child (``--in-process``): it notes when each key event leaves the driver's
# input thread for the app, and when each frame's last write is handed to the driver (Textual's
# writer thread then puts it on the terminal). perf_counter is the system's monotonic clock, the
# same in both processes, so the harness can split each key's wait into input, app and output.
TRACE_BOOT = textwrap.dedent("""
    import os, time
    from textual import events
    from textual.app import App
    from textual.driver import Driver

    _trace = os.open(os.environ["WARTA_KEYS_TRACE"], os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    _given, _ended, _on_event = Driver.process_message, App._end_update, App.on_event

    def _process_message(self, message):
        if isinstance(message, events.Key):
            os.write(_trace, b"key %.9f\\n" % time.perf_counter())
        _given(self, message)

    async def on_event(self, event):
        if isinstance(event, events.Key) and not hasattr(event, "_noted"):  # (once: it may bubble back)
            event._noted = True  # the main thread's CPU clock as it takes the key
            os.write(_trace, b"cpu %.9f\\n" % time.thread_time())
        return await _on_event(self, event)

    def _end_update(self):
        _ended(self)
        if self._sync_available:  # the frame ends with ESC[?2026l, which the harness counts
            os.write(_trace, b"frame %.9f %.9f\\n" % (time.perf_counter(), time.thread_time()))

    Driver.process_message, App._end_update, App.on_event = _process_message, _end_update, on_event
""")
WARTA_TRACED = TRACE_BOOT + "import runpy; runpy.run_module('tui', run_name='__main__', alter_sys=True)\n"


def load() -> str:
    return "load %.2f %.2f %.2f" % os.getloadavg()


class Terminal:
    """A child on a pseudo-terminal, with this process as the terminal it draws on."""

    def __init__(self, argv: list[str], env: dict[str, str], size: tuple[int, int] = SIZE) -> None:
        columns, rows = size
        self.screen = pyte.Screen(columns, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.frames: list[float] = []  # when each frame's last byte arrived
        self.lost = 0  # keys that changed nothing on screen
        self.keys_written = 0
        # Each key answered: (its number, the number of the frame that answered it, when written).
        self.answers: list[tuple[int, int, float]] = []
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.started = time.perf_counter()
        self.pid = os.fork()
        if self.pid == 0:  # the child: the pty is its controlling terminal and its stdio
            try:
                os.chdir(ROOT)  # ``python -m tui`` / ``-c`` import from the cwd first: this tree's
                os.setsid()
                fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
                for fd in (0, 1, 2):
                    os.dup2(slave, fd)
                os.close(self.master)
                os.close(slave)
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        os.close(slave)
        self.output = bytearray()
        self._unfed = bytearray()
        self._tail = b""
        # A thread drains the terminal at once and stamps each chunk as it arrives: the
        # emulator may lag behind under load, the app is never held up by a full pty.
        self._chunks: queue.Queue[tuple[float, bytes]] = queue.Queue()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        tail = b""
        answered = False
        while True:
            try:
                chunk = os.read(self.master, 1 << 16)
            except OSError:
                chunk = b""
            stamp = time.perf_counter()
            if chunk and SYNC_QUERY in tail + chunk:
                os.write(self.master, SYNC_YES)
            if not answered and chunk and any(query in tail + chunk for query in DEVICE_QUERIES):
                answered = True  # Warta's own question, before Textual reads the keys
                os.write(self.master, DEVICE_ANSWER)  # as any terminal does, at once
            tail = chunk[-(len(SYNC_QUERY) - 1):]  # a query cut in two is seen, none twice
            self._chunks.put((stamp, chunk))
            if not chunk:
                return

    def pump(self, timeout: float) -> float | None:
        """Take in what the app wrote (waiting up to ``timeout``); when it arrived, or None."""
        try:
            stamp, chunk = self._chunks.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None
        if not chunk:
            self._chunks.put((stamp, chunk))  # stays ended
            raise RuntimeError(f"the app exited: {bytes(self.output[-1500:])!r}")
        seen = self._tail + chunk
        ends = seen.count(FRAME_END)
        self.frames.extend([stamp] * ends)
        self._tail = seen[-(len(FRAME_END) - 1):]  # a frame end cut in two counts, none twice
        self.output += chunk
        if len(self.output) > 1 << 20:
            del self.output[: len(self.output) - (1 << 19)]
        # The emulator takes a frame whole, once its end is here. Fed chunk by chunk, this
        # thread would hold the GIL in pyte while the drain thread waits for it to stamp the
        # frame's last chunk (up to the 5 ms switch interval: a big frame looked slower).
        self._unfed += chunk
        if ends or not self.frames:  # (frames not yet bracketed at the start: fed as they come)
            self.stream.feed(bytes(self._unfed).replace(SYNC_QUERY, b""))
            self._unfed.clear()
        return stamp

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def look(self, columns: tuple[int, int] | None = None) -> tuple[Any, ...]:
        """What the screen shows (in ``columns`` only, if given), attributes included: a moved
        cursor is a new background. Notifications show at the right: a list on the left can
        be watched without them."""
        first, last = columns or (0, self.screen.columns)
        return tuple(tuple((c.data, c.fg, c.bg, c.bold) for c in
                           (self.screen.buffer[row][x] for x in range(first, last)))
                     for row in range(self.screen.lines))

    def until(self, condition: Callable[[], bool], timeout: float = 60.0) -> float:
        """The arrival of the output after which ``condition`` holds."""
        deadline = time.perf_counter() + timeout
        while (stamp := self.pump(0)) is not None:  # what has arrived already
            if condition():
                return stamp
        if condition():
            return time.perf_counter()
        while True:
            stamp = self.pump(deadline - time.perf_counter())
            if stamp is not None and condition():
                return stamp
            if time.perf_counter() > deadline:
                raise TimeoutError(f"not seen in {timeout:.0f} s; the screen:\n{self.text()}")

    def shows(self, *needles: str, timeout: float = 60.0) -> float:
        return self.until(lambda: all(n in self.text() for n in needles), timeout)

    def settle(self, quiet: float = QUIET, timeout: float = 30.0) -> None:
        """Read until the app has drawn nothing for ``quiet`` seconds."""
        deadline = time.perf_counter() + timeout
        while self.pump(quiet) is not None:
            if time.perf_counter() > deadline:
                return  # something keeps drawing (a progress line): go on anyway

    def press(self, key: str, timeout: float = 10.0, columns: tuple[int, int] | None = None) -> float:
        """Seconds from writing ``key`` to the end of the first frame that changed the screen
        (its ``columns``)."""
        while self.pump(0) is not None:  # what arrived before the key is not its answer
            pass
        before = self.look(columns)
        frames = len(self.frames)
        clock = time.perf_counter()
        os.write(self.master, key.encode())
        number, self.keys_written = self.keys_written, self.keys_written + 1
        deadline = clock + timeout
        while True:
            if self.pump(deadline - time.perf_counter()) is None and time.perf_counter() > deadline:
                raise TimeoutError(f"{key!r}: no change on screen in {timeout:.0f} s:\n{self.text()}")
            if len(self.frames) > frames:
                frames = len(self.frames)
                if self.look(columns) != before:
                    self.answers.append((number, frames - 1, clock))
                    return self.frames[-1] - clock

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        os.close(self.master)


def split_waits(term: Terminal, trace: Path) -> dict[str, list[float]]:
    """Each answered key's wait in three parts, from the traced child's notes (``TRACE_BOOT``):
    input (key written -> its event leaves the driver's input thread), app (-> the frame that
    answered it handed to the driver: the handler, the compositor, the frame's bytes), output
    (-> that frame's end arrived here: Textual's writer thread, the pty, this reader thread)."""
    noted: dict[str, list[list[float]]] = {"key": [], "cpu": [], "frame": []}
    for line in trace.read_text().splitlines():
        kind, *stamps = line.split()
        noted[kind].append([float(stamp) for stamp in stamps])
    waits: dict[str, list[float]] = {"input": [], "app": [], "output": [], "cpu": []}
    if len(noted["key"]) != term.keys_written:  # a key arrived as two, or two as one
        raise RuntimeError(f"{term.keys_written} keys written, {len(noted['key'])} arrived")
    for number, frame, written in term.answers:
        [arrived], [taken], (drawn, cpu_drawn) = noted["key"][number], noted["cpu"][number], noted["frame"][frame]
        waits["input"].append(arrived - written)
        waits["app"].append(drawn - arrived)
        waits["output"].append(term.frames[frame] - drawn)
        waits["cpu"].append(cpu_drawn - taken)  # the main thread's CPU on it: load aside
    return waits


def environment(work: Path) -> dict[str, str]:
    # Bytecode is cached as an installed warta has it (pip compiles it); without it every start
    # here would compile Warta's source, while Textual's comes compiled from site-packages.
    env = {k: v for k, v in os.environ.items()
           if k not in ("COLUMNS", "LINES", "TEXTUAL", "TMUX", "PYTHONDONTWRITEBYTECODE")}
    env.update(TERM="xterm-256color", COLORTERM="truecolor", PYTHONPATH=str(ROOT),
               XDG_CONFIG_HOME=str(work / "xdg-config"))
    return env


def warta(data_dir: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "tui", "--data-dir", str(data_dir), *extra]


def ms(values: list[float]) -> float:
    """Median milliseconds; nan when every key was lost (said as it happened)."""
    return statistics.median(values) * 1000 if values else float("nan")


LIST_COLUMNS = (0, 30)  # the list's side of the screen at 100 columns (notifications show right)


def keys(term: Terminal, presses: int, pattern: str = "jk", quiet: float = QUIET,
         columns: tuple[int, int] | None = LIST_COLUMNS) -> list[float]:
    """``presses`` presses: half of them the first key, then the second (back up)."""
    times = []
    for n in range(presses):
        term.settle(quiet)
        key = pattern[0] if n < presses // 2 else pattern[-1]
        try:
            times.append(term.press(key, columns=columns))
        except TimeoutError:  # said, not hidden; the next press is measured
            term.lost += 1
            print(f"  ({key!r} changed nothing on screen within 10 s)", flush=True)
    return times


def report(name: str, value: float, baseline: str = "", target: str = "") -> None:
    extra = "  ".join(p for p in (baseline, target) if p)
    print(f"{name:<58} {value:8.1f} ms  {extra}", flush=True)


# -- the list: start-up and cursor keys ----------------------------------------------------------

def _start(argv: list[str], shown: tuple[str, ...], env: dict[str, str]) -> tuple[float, Terminal]:
    term = Terminal(argv, env)
    try:
        return term.shows(*shown) - term.started, term
    except BaseException:
        term.close()
        raise


def _starts(argv: list[str], shown: tuple[str, ...], env: dict[str, str], starts: int,
            before: Callable[[], None] = lambda: None) -> float:
    """Median milliseconds from exec to the first frame showing ``shown``."""
    times = []
    for attempt in range(starts + 1):  # the first warms the page cache up
        before()
        seconds, term = _start(argv, shown, env)
        term.close()
        if attempt:
            times.append(seconds)
    return ms(times)


BARE_ARGV = [sys.executable, "-c", KEYED_BARE]


def start_figures(work: Path, articles: int, starts: int, rebuild: bool, presses: int) -> dict[str, float]:
    """Start to the first frame, against the bare app; with ``rebuild`` also with a stale or
    missing index (on a copy), keys during that rebuild and how long it takes."""
    env = environment(work)
    data_dir, _ = ensure_built(work, articles)
    needles = start_needles(probe(data_dir))
    out: dict[str, float] = {}
    print(f"# start-up at {articles:,} articles, {SIZE[0]}x{SIZE[1]}; {load()}", flush=True)
    floor = out["bare Textual: start to first frame"] = _starts(BARE_ARGV, BARE_NEEDLES, env, starts)
    report("bare Textual: start to first frame", floor, load())
    app = out["warta: start to first list frame, index in step"] = _starts(
        warta(data_dir, "--offline"), needles, env, starts)
    report("warta: start to first list frame, index in step", app,
           f"floor + {app - floor:.0f} ms", "target <= floor + 300 ms")
    if not rebuild:
        return out

    # The same data dir with its index a write behind (a crash between the store write and the
    # index write): the app shows the old index at once and rebuilds behind it. On a copy.
    copy = work / f"n{articles}.keys-rebuild"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(data_dir, copy)
    index_file = copy / "index.sqlite"

    def one_behind() -> None:
        # As that crash leaves it: the index's seq and its tag_stats twin are written in one
        # statement, so both lag. (Moving the seq alone says "tag_stats not kept", a state only
        # an old Warta leaves, and the open then refills tag_stats: ~0.3 s at 100k, measured.)
        with sqlite3.connect(index_file) as db:
            db.execute("UPDATE meta SET value = value - 1"
                       " WHERE key IN ('state_seq', 'tag_stats:state_seq')")
        db.close()

    try:
        behind = out["warta: start to first list frame, index a write behind"] = _starts(
            warta(copy, "--offline"), needles, env, starts, one_behind)
        report("warta: start to first list frame, index a write behind", behind,
               f"floor + {behind - floor:.0f} ms", "target <= floor + 300 ms")

        # One more start of that kind, kept (traced): keys while the rebuild runs, the app's
        # part of them, then the rebuild's length.
        one_behind()
        trace = work / f"keys-trace-{os.getpid()}"
        trace.unlink(missing_ok=True)
        seconds, term = _start([sys.executable, "-c", WARTA_TRACED, "--data-dir", str(copy),
                                "--offline"], needles, {**env, "WARTA_KEYS_TRACE": str(trace)})
        try:
            term.settle(0.1)
            during = keys(term, presses)
            rebuilding = "Rebuilding" in term.text()
            waits = split_waits(term, trace)
            out["j/k while the index is rebuilt"] = ms(during)
            out["j/k while the index is rebuilt, in the app"] = ms(waits["app"])
            report("j/k while the index is rebuilt (median)", ms(during),
                   f"max {max(during, default=float('nan')) * 1000:.0f} ms" + ("" if rebuilding else "; rebuild ended during the presses"))
            report("j/k while the index is rebuilt, in the app", ms(waits["app"]),
                   f"max {max(waits['app'], default=float('nan')) * 1000:.0f} ms; "
                   f"main thread CPU {ms(waits['cpu']):.1f} ms")
            done = term.shows("Article index rebuilt", timeout=900) - term.started
            out["rebuild done after start (s)"] = done
            print(f"{'index rebuilt behind the list, done after start':<58} {done:8.1f} s  {load()}",
                  flush=True)
        finally:
            term.close()
            trace.unlink(missing_ok=True)

        # No index at all (deleted, or thrown away as damaged): rebuilt into a new file.
        def no_index() -> None:
            for suffix in ("", "-wal", "-shm", ".new", ".new-wal", ".new-shm"):
                Path(str(index_file) + suffix).unlink(missing_ok=True)

        gone = out["warta: start to first frame, no index"] = _starts(
            warta(copy, "--offline"), ("Rebuilding the article index",), env, starts, no_index)
        report("warta: start to first frame, no index (says it rebuilds)", gone,
               f"floor + {gone - floor:.0f} ms", "target <= floor + 300 ms")
    finally:
        shutil.rmtree(copy, ignore_errors=True)
    return out


def traced_keys(argv: list[str], shown: tuple[str, ...], env: dict[str, str], presses: int,
                work: Path) -> tuple[list[float], dict[str, list[float]]]:
    """j/k presses in a traced child (``argv`` runs ``TRACE_BOOT`` first): each key's wait,
    and its parts (``split_waits``)."""
    trace = work / f"keys-trace-{os.getpid()}"
    trace.unlink(missing_ok=True)
    term = Terminal(argv, {**env, "WARTA_KEYS_TRACE": str(trace)})
    try:
        term.shows(*shown)
        times = keys(term, presses)
        return times, split_waits(term, trace)
    finally:
        term.close()
        trace.unlink(missing_ok=True)


def cursor_figures(work: Path, articles: int, presses: int) -> dict[str, float]:
    """The bare app's key against Warta's j/k on the list: in the terminal, and the app's part."""
    env = environment(work)
    data_dir, _ = ensure_built(work, articles)
    needles = start_needles(probe(data_dir))
    out: dict[str, float] = {}
    print(f"# keys at {articles:,} articles, {SIZE[0]}x{SIZE[1]}; {load()}", flush=True)
    bare_times, bare = traced_keys([sys.executable, "-c", TRACE_BOOT + KEYED_BARE], BARE_NEEDLES,
                                   env, presses, work)
    bare_keys = out["bare Textual: key to frame"] = ms(bare_times)
    bare_app = out["bare Textual: key event to frame written"] = ms(bare["app"])
    report("bare Textual: key to frame (median)", bare_keys, load())
    report("bare Textual: in the app, key event to frame written", bare_app,
           f"main thread CPU {ms(bare['cpu']):.1f} ms; input {ms(bare['input']):.1f} ms, "
           f"output {ms(bare['output']):.1f} ms")
    times, waits = traced_keys([sys.executable, "-c", WARTA_TRACED, "--data-dir", str(data_dir),
                                "--offline"], needles, env, presses, work)
    moved = out[f"warta: j/k at {articles:,} articles"] = ms(times)
    report(f"warta: j/k at {articles:,} articles, key to frame (median)", moved,
           f"bare {bare_keys:.1f} ms; max {max(times, default=float('nan')) * 1000:.0f} ms; {load()}",
           "target <= 5 ms")
    in_app = out[f"warta: j/k at {articles:,} articles, in the app"] = ms(waits["app"])
    report("warta: j/k in the app, key event to frame written", in_app,
           f"bare {bare_app:.1f} ms; max {max(waits['app'], default=float('nan')) * 1000:.0f} ms; "
           f"main thread CPU {ms(waits['cpu']):.1f} ms (bare {ms(bare['cpu']):.1f}); "
           f"input {ms(waits['input']):.1f} ms, output {ms(waits['output']):.1f} ms", "target <= 5 ms")
    return out


# -- the reader: m on a long article -------------------------------------------------------------

def long_article_dir(data_dir: Path, words: int) -> tuple[str, str]:
    """A data dir whose newest article has ``words`` words and the next one 300: their titles."""
    from tui.core.models import Article, ArticleRecord, Block
    from tui.core.store import Store
    from tui.core.urls import article_id

    sentence = ("The council met on Tuesday to weigh the harbour plan, and the fishermen who "
                "came to listen left before the vote was taken. ").split()

    def record(n: int, count: int, title: str) -> ArticleRecord:
        blocks = []
        for start in range(0, count, 120):
            size = min(120, count - start)
            text = " ".join(sentence[(start + i) % len(sentence)] for i in range(size))
            blocks.append(Block("heading" if start % 2400 == 0 else "paragraph",
                                text if start % 2400 else f"Part {start // 2400 + 1}"))
        url = f"https://news.example.org/{n}"
        article = Article(url=url, title=title, site_name="news.example.org", blocks=tuple(blocks))
        return ArticleRecord(id=article_id(url), url=url, title=title, site="news.example.org",
                             published=1_700_000_000 - n * 3600, fetched=1_700_000_000, status="full",
                             article=article)

    long_title, short_title = f"The long one, {words:,} words", "The short one, 300 words"
    with Store.open(data_dir) as store:
        store.put_articles([record(0, words, long_title), record(1, 300, short_title),
                            *(record(n, 300, f"Filler {n}") for n in range(2, 12))])
    return long_title, short_title


def reader_figures(work: Path, words: int, presses: int) -> dict[str, float]:
    env = environment(work)
    data_dir = work / f"long-{words}"
    shutil.rmtree(data_dir, ignore_errors=True)
    long_title, short_title = long_article_dir(data_dir, words)
    out: dict[str, float] = {}
    print(f"# m (read/unread) with the article open in the reader, {SIZE[0]}x{SIZE[1]}; {load()}",
          flush=True)
    term = Terminal(warta(data_dir, "--offline"), env)
    try:
        term.shows(long_title[:20], "Part 1")
        for title, name in ((long_title, f"{words:,} words"), (short_title, "300 words")):
            if title == short_title:
                term.settle()
                term.press("j")  # the short one is next in the list
            term.settle()
            term.press("\r")  # open it: the reader has the focus, as when reading
            times = out[f"warta: m, {name} in the reader"] = ms(keys(term, presses, "m", columns=None))
            report(f"warta: m, {name} in the reader (median)", times, load(), "target <= 16 ms")
            term.settle()
            term.press("\x1b")  # back to the list
    finally:
        term.close()
    shutil.rmtree(data_dir, ignore_errors=True)
    return out


# -- keys during a sync with a real FreshRSS ------------------------------------------------------

def spread(values: list[float]) -> str:
    """ "median 9.1 ms, p95 14.0 ms, max 20.3 ms over 60 presses" (nan when none answered)."""
    if not values:
        return "no press answered"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (f"median {ms(values):.1f} ms, p95 {p95 * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms "
            f"over {len(values)} presses")


def highlighted(term: Terminal) -> tuple[str, ...]:
    """The list rows drawn in the cursor's colour: the row whose colour is not the list's own
    (the colour most of the list's rows have)."""
    first, last = LIST_COLUMNS
    rows = [(term.screen.buffer[y][first + 2].bg, term.screen.display[y][first:last])
            for y in range(term.screen.lines - 2)]
    backgrounds = [bg for bg, _ in rows]
    plain = max(set(backgrounds), key=backgrounds.count)
    return tuple(text for bg, text in rows if bg != plain)


def press_moving_cursor(term: Terminal, key: str, timeout: float = 10.0) -> float:
    """Seconds from writing ``key`` to the end of the first frame that shows the cursor on
    another row. Rows arriving meanwhile (which keep the cursor on its article) and the status
    line are not the key's answer."""
    while term.pump(0) is not None:
        pass
    before = highlighted(term)
    frames = len(term.frames)
    clock = time.perf_counter()
    os.write(term.master, key.encode())
    deadline = clock + timeout
    while True:
        if term.pump(deadline - time.perf_counter()) is None and time.perf_counter() > deadline:
            raise TimeoutError(f"{key!r}: the cursor did not move on screen in {timeout:.0f} s:\n{term.text()}")
        if len(term.frames) > frames:
            frames = len(term.frames)
            if highlighted(term) != before:
                return term.frames[-1] - clock


def cursor_key(term: Terminal, top: str) -> str:
    """j from the article titled ``top``, else k: the cursor goes between two rows, however many
    arrive meanwhile."""
    return "j" if any(top in text for text in highlighted(term)) else "k"


SYNC_GAP = QUIET  # seconds from a key's answer to the next key during the sync (not quiet)
SYNC_PRESSES = 50  # at least this many keys during syncs: a first sync again until there are


def sync_figures(work: Path, feeds: int, per_feed: int, presses: int,
                 during_at_least: int = SYNC_PRESSES) -> dict[str, float] | None:
    """j/k in the real app before and while it syncs with a real FreshRSS, and the bare
    Textual app's key in the same run."""
    from tests.server import TestServer
    from tests.sync.freshrss import FreshRSS, subscribed, unpack, why_not_available  # benchmarks/sync.py's feeds

    reason = why_not_available()
    if reason:
        print(f"keys during sync: cannot run a local FreshRSS: {reason}", file=sys.stderr)
        return None
    out: dict[str, float] = {}
    server = TestServer().start()
    fresh = FreshRSS(unpack(work)).install().start()
    try:
        user, config = subscribed(work, server, fresh, feeds, per_feed)
        env = {**environment(work), "WARTA_BENCH_SYNC_PASSWORD": user.api_password}
        print(f"# j/k while the app syncs {feeds * per_feed:,} items ({feeds} feeds) from a local "
              f"FreshRSS, {SIZE[0]}x{SIZE[1]}; {load()}", flush=True)
        term = Terminal(BARE_ARGV, env)
        try:
            term.shows(*BARE_NEEDLES)
            bare = keys(term, presses)
        finally:
            term.close()
        bare_load = load()
        timed = keys_during_syncs(work, config, env, presses, during_at_least)
        idle, during, lost = timed.idle, timed.during, timed.lost
        out["bare Textual: key to frame"] = ms(bare)
        out["warta: j/k idle, same app"] = ms(idle)
        out["warta: j/k during the sync"] = ms(during)
        out["keys lost during the sync"] = lost
        print(f"{'bare Textual: key to frame':<44} {spread(bare)}; {bare_load}", flush=True)
        print(f"{'warta: j/k idle, same app before the sync':<44} {spread(idle)}; {timed.idle_load}",
              flush=True)
        print(f"{'warta: j/k during the sync':<44} {spread(during)}; {lost} lost; "
              f"{len(timed.took)} sync(s) of {', '.join(f'{t:.1f}' for t in timed.took)} s; "
              f"{timed.during_load}", flush=True)
        print(f"{'':<44} target: median <= 16 ms: "
              f"{'met' if during and ms(during) <= 16 and not lost else 'NOT met'} "
              f"(median {ms(during) / ms(bare):.1f}x bare, {ms(during) / ms(idle):.1f}x idle)",
              flush=True)
    finally:
        fresh.stop()
        server.stop()
    return out


@dataclass
class SyncKeys:
    """Seconds from each j/k to the frame that moved the cursor, before and during syncs."""

    idle: list[float]
    during: list[float]
    lost: int  # keys during a sync that moved nothing on screen within 10 s
    took: list[float]  # each sync's seconds
    idle_load: str
    during_load: str


def keys_during_syncs(work: Path, config: Path, env: dict[str, str], presses: int,
                      during_at_least: int) -> SyncKeys:
    """``presses`` j/k in the real app idle, then j/k while it syncs with the server in
    ``config``, a first sync into a new data dir each round until ``during_at_least`` keys
    fell during syncs (at most five rounds)."""
    # The reading thread stamps each frame as it arrives; with pyte busy on this thread it
    # would wait up to the 5 ms switch interval for the GIL first.
    sys.setswitchinterval(0.0005)
    idle: list[float] = []
    during: list[float] = []
    lost = 0
    took: list[float] = []
    idle_load = ""
    while len(during) < during_at_least and len(took) < 5:
        # Each round a first sync into a new data dir holding two articles of its own, so
        # the list has rows to move on before the sync brings more.
        data_dir = work / f"sync-data-{len(took)}"
        top, _ = long_article_dir(data_dir, 300)
        # --offline: no sync at start; r starts it once the idle keys are measured.
        term = Terminal(warta(data_dir, "--config", str(config), "--offline"), env)
        try:
            term.shows("The long one")
            for _ in range(presses if not idle else 0):
                term.settle()
                idle.append(press_moving_cursor(term, cursor_key(term, top)))
            if not took:
                idle_load = load()
            term.settle()
            os.write(term.master, b"r")
            started = time.perf_counter()
            while "Synced with" not in term.text() and "sync failed" not in term.text():
                # A pause as long as the idle keys' quiet (the reader follows the cursor
                # after 80 ms), not a wait for quiet: the status line changes all along.
                pause = time.perf_counter() + SYNC_GAP
                while (left := pause - time.perf_counter()) > 0:
                    term.pump(left)
                try:
                    during.append(press_moving_cursor(term, cursor_key(term, top)))
                except TimeoutError:  # said, not hidden; the next press is measured
                    lost += 1
                    print("  (a key did not move the cursor on screen within 10 s)", flush=True)
                if time.perf_counter() - started > 600:
                    raise TimeoutError("the sync did not end in 10 minutes")
            took.append(time.perf_counter() - started)
            if "sync failed" in term.text():
                raise RuntimeError(f"the sync failed:\n{term.text()}")
        finally:
            term.close()
    return SyncKeys(idle, during, lost, took, idle_load, load())


def main(argv: list[str] | None = None) -> int:
    # Ended early (SIGTERM): the finally blocks still stop the apps and servers it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("what", nargs="?", default="all",
                        choices=["all", "start", "rebuild", "cursor", "reader", "sync"],
                        help="start: first frame; rebuild: also with a stale/missing index; "
                             "cursor: j/k; reader: m; sync: keys during a sync")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "warta-scale",
                        help="where the large data dir is built and kept (default: %(default)s)")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--words", type=int, default=20_000)
    parser.add_argument("--presses", type=int, default=40)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--per-feed", type=int, default=100)
    parser.add_argument("--smoke", action="store_true", help="tiny: checks the figures come out")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="warta-bench-keys-") as scratch:
        work = Path(scratch) if args.smoke else args.work
        work.mkdir(parents=True, exist_ok=True)
        if args.smoke:
            args.articles, args.words, args.presses, args.starts = 300, 2_000, 4, 1
            args.feeds, args.per_feed = 2, 10
        if args.what in ("all", "start", "rebuild"):
            start_figures(work, args.articles, args.starts, args.what != "start", args.presses)
        if args.what in ("all", "cursor"):
            cursor_figures(work, args.articles, args.presses)
        if args.what in ("all", "reader"):
            reader_figures(work, args.words, args.presses)
        if args.what in ("all", "sync"):
            sync_work = Path(scratch) / "sync"
            sync_work.mkdir()
            sync_figures(sync_work, args.feeds, args.per_feed, args.presses,
                         1 if args.smoke else SYNC_PRESSES)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
