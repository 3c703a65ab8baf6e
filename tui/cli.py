"""The ``warta`` command: argument parsing and wiring only; the work is in ``tui.core``.

Every ``WartaError`` becomes one line on stderr and exit status 1; nothing prints a traceback.
Textual is imported only when the reader itself starts.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .core.config import Config, default_config_path, default_data_dir, load_config
from .core.errors import SchemaMismatchError, SourceError, StoreError, WartaError
from .core.library import Library
from .core.locks import reader_lock
from .core.private import spare_dir
from .core.sanitize import sanitize_line

if TYPE_CHECKING:
    from .app.graphics import Terminal
    from .core.models import ArticleSummary, Feed

Command = Callable[[argparse.Namespace, Config], int]


class _CommandParser(argparse.ArgumentParser):
    """A subcommand's parser: an option it does not know is reported with its own usage line
    (``warta list [-h] …``), not with warta's top-level one, which lists none of its options."""

    def parse_known_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                         namespace: argparse.Namespace | None = None,
                         ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed, extras


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = load_config(getattr(args, "config", None))
        if args.no_env_proxy:
            config = replace(config, fetch=replace(config.fetch, trust_env=False))
        command: Command = getattr(args, "run", run_app)
        if command is not run_app:
            gc.enable()  # off while starting (``tui.__main__``); the reader turns it on itself
        if args.demo and command is not run_app:
            return _in_demo_dir(command, args, config)
        return command(args, config)
    except BrokenPipeError:
        return _reader_went_away()
    except WartaError as error:
        print(f"warta: {describe_error(error)}", file=sys.stderr)
        return 1
    except ModuleNotFoundError as error:
        hint = "pip install 'lxml[html-clean]'" if "lxml" in (error.name or "") else "reinstall Warta"
        print(f"warta: missing Python package {error.name} ({hint})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _in_demo_dir(command: Command, args: argparse.Namespace, config: Config) -> int:
    """``warta --demo list`` (or any command): run it on a temporary data dir with the sample
    articles, as the reader does, never on (or creating) the real one."""
    demo_dir = Path(tempfile.mkdtemp(prefix="warta-demo-"))
    try:
        with Library.open(config, demo_dir) as library:
            library.seed_demo()
        args.data_dir = str(demo_dir)
        return command(args, replace(config, data_dir=None))
    finally:
        shutil.rmtree(demo_dir, ignore_errors=True)


def describe_error(error: WartaError) -> str:
    """The error as one safe line, naming the feed or page it is about (``HTTP 404`` alone
    does not say which of the URLs went wrong)."""
    text = sanitize_line(str(error), 500)
    url = getattr(error, "url", "")
    if isinstance(error, SourceError) and url and url not in text:
        text = f"{sanitize_line(url, 200)}: {text}"
    return text


def _reader_went_away() -> int:
    """``warta list | head -1``: the reader closed the pipe. Not an error worth a traceback;
    stdout goes to /dev/null so the interpreter's last flush does not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 141  # 128 + SIGPIPE, what a shell reports for a command killed by the closed pipe


def build_parser() -> argparse.ArgumentParser:
    common = _CommandParser(add_help=False)  # only a parent: never parses itself
    common.add_argument("--data-dir", default=argparse.SUPPRESS,
                        help=f"where articles and state live (default: $WARTA_DATA_DIR, the "
                             f"config's data_dir, or {default_data_dir()})")
    common.add_argument("--config", default=argparse.SUPPRESS,
                        help=f"config file (default: $WARTA_CONFIG or {default_config_path()})")

    parser = argparse.ArgumentParser(
        prog="warta", parents=[common],
        description="A terminal news reader that shows the whole, clean article.",
    )
    parser.add_argument("--version", action="version", version=f"warta {__version__}")
    parser.add_argument("--demo", action="store_true",
                        help="open a temporary data dir with bundled sample articles (offline)")
    parser.add_argument("--offline", action="store_true", help="do not refresh on start")
    parser.add_argument("--no-env-proxy", action="store_true",
                        help="ignore HTTP(S)_PROXY, ALL_PROXY and SSL_CERT_FILE from the environment")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_CommandParser)

    def command(name: str, summary: str) -> argparse.ArgumentParser:
        """A subcommand whose own --help says first what it does, as the list of commands does."""
        return sub.add_parser(name, parents=[common], help=summary,
                              description=summary[0].upper() + summary[1:] + ".")

    extract = command("extract", "print the clean text of pages")
    extract.add_argument("inputs", nargs="+", metavar="PATH_OR_URL", help="files, URLs, or - for stdin")
    extract.add_argument("--url", help="the page's URL, for relative links and metadata")
    extract.add_argument("--json", action="store_true", help="one JSON object per input, per line")
    extract.set_defaults(run=run_extract)

    listing = command("list", "list cached articles (no network)")
    listing.add_argument("filter", nargs="*", help="a filter, as in the / prompt")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(run=run_list)

    show = command("show", "print one cached article (no network)")
    show.add_argument("id", help="the article id (see warta list)")
    show.add_argument("--json", action="store_true", help="one JSON object")
    show.set_defaults(run=run_show)

    fetch = command("fetch", "refresh every feed now (for cron)")
    fetch.add_argument("--quiet", action="store_true", help="print only the summary and errors")
    fetch.set_defaults(run=run_fetch)

    add = command("add", "subscribe to a feed, or save one page")
    add.add_argument("url", help="a feed, a page that advertises a feed, or any page")
    add.add_argument("--tag", action="append", default=[], help="tag its articles (repeatable)")
    add.add_argument("--page", action="store_true", help="save just this page, even if it has a feed")
    add.set_defaults(run=run_add)

    importer = command("import", "subscribe to the feeds of an OPML file or a newsboat urls file")
    importer.add_argument("file", nargs="?",
                          help="an OPML file, a newsboat urls file, or - for stdin (default: "
                               "newsboat's urls file, ~/.newsboat/urls or ~/.config/newsboat/urls)")
    importer.add_argument("--state", nargs="?", const="", metavar="CACHE_DB",
                          help="with a urls file: newsboat's cache.db (default: newsboat's own); "
                               "brings read and flagged (as starred) marks and cached articles")
    importer.set_defaults(run=run_import)

    exporter = command("export", "print your feeds as OPML 2.0")
    exporter.add_argument("--newsboat", action="store_true", help="as a newsboat urls file instead")
    exporter.set_defaults(run=run_export)

    feeds = command("feeds", "list the feeds with unread/total counts and the last refresh")
    feeds.set_defaults(run=run_feeds)
    remove = command("remove", "unsubscribe from a feed (its articles stay)")
    remove.add_argument("feed", metavar="URL|NAME", help="the feed's URL or name, as warta feeds shows them")
    remove.set_defaults(run=run_remove)
    rename = command("rename", "give a feed another name")
    rename.add_argument("feed", metavar="URL|NAME", help="the feed's URL or name, as warta feeds shows them")
    rename.add_argument("name", metavar="NEW_NAME", help="the name to show for it")
    rename.set_defaults(run=run_rename)

    reextract = command("reextract", "extract every cached page again, offline (after an upgrade)")
    reextract.set_defaults(run=run_reextract)

    gc = command("gc", "apply the retention rules: drop old articles, trim raw pages")
    gc.add_argument("--keep-days", type=_days, default=None,
                    help="override [storage] keep_days (0 keeps every article)")
    gc.set_defaults(run=run_gc)

    sync = command("sync", "sync feeds and read/star/tag marks with the [sync] server")
    sync.add_argument("action", nargs="?", choices=["login"],
                      help="login: only check the address and the credentials")
    sync.add_argument("--status", action="store_true",
                      help="show the last sync and the changes waiting for the server (no network)")
    sync.set_defaults(run=run_sync)
    return parser


def _days(text: str) -> float:
    """A number of days from the command line: 0 or more, and a real number (not nan or inf)."""
    try:
        days = float(text)
    except ValueError:
        days = -1.0
    if not 0 <= days < math.inf:
        raise argparse.ArgumentTypeError(f"expected a number of days, 0 or more, got {text!r}")
    return days


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


# -- shared wiring ------------------------------------------------------------------------------


def resolve_data_dir(args: argparse.Namespace, config: Config) -> Path:
    explicit = getattr(args, "data_dir", None) or os.environ.get("WARTA_DATA_DIR")
    if explicit:
        return Path(explicit).expanduser()
    return config.data_dir or default_data_dir()


def _rebuild_progress(done: int, total: int) -> None:
    """The index is rebuilt before the screen can show anything: say so, on stderr."""
    end = "\n" if done >= total else ""
    print(f"\rRebuilding the article index after an unclean exit: {done:,}/{total:,}",
          end=end, file=sys.stderr, flush=True)


def open_library(args: argparse.Namespace, config: Config, *,
                 rebuild_later: bool = False) -> Library:
    """The data dir's library; if the default location is unusable, a temporary one, with a
    warning. ``rebuild_later``: the app rebuilds a stale index behind its first frame."""
    path = resolve_data_dir(args, config)
    progress = None if rebuild_later else _rebuild_progress
    try:
        return _told(Library.open(config, path, on_rebuild=progress, rebuild_later=rebuild_later))
    except StoreError as error:
        explicit = getattr(args, "data_dir", None) or os.environ.get("WARTA_DATA_DIR") or config.data_dir
        if explicit or isinstance(error, SchemaMismatchError):
            raise
        # One private fallback, the same on every run (cron): not a new temp dir each time.
        fallback = spare_dir() / "data"
        print(f"warta: {error}; using the fallback data dir {fallback} in the temp dir instead "
              "(set --data-dir)", file=sys.stderr)
        return _told(Library.open(config, fallback))


def _told(library: Library) -> Library:
    """Every repair the store makes is said on stderr: what opening did, and what it does later
    (an index found damaged while listing)."""
    for line in library.notices:
        print(f"warta: {line}", file=sys.stderr)
    library.on_notice = lambda line: print(f"warta: {line}", file=sys.stderr)
    return library


# -- the reader ---------------------------------------------------------------------------------


def run_app(args: argparse.Namespace, config: Config) -> int:
    if args.demo:
        demo_dir = Path(tempfile.mkdtemp(prefix="warta-demo-"))
        try:
            library = Library.open(config, demo_dir)
            count = library.seed_demo()
            notice = f"Demo: {count} sample articles, deleted on exit"
            return _run_reader(library, notice, refresh=False)
        finally:
            shutil.rmtree(demo_dir, ignore_errors=True)
    with reader_lock(resolve_data_dir(args, config)):  # a second reader is refused
        library = open_library(args, config, rebuild_later=True)
        return _run_reader(library, None, refresh=None if not args.offline else False)


def _ask_terminal(library: Library) -> Terminal | None:
    """Which picture protocols the terminal speaks, asked before Textual takes it; not asked
    (no escape sent at all) when no feed's pictures could use them."""
    from .app.graphics import query_terminal

    modes = {library.config.images, *(feed.images for feed in library.feeds() if feed.images)}
    if not modes & {"auto", "kitty", "sixel"}:
        return None
    try:
        return query_terminal(sys.stdin.fileno(), sys.stdout.fileno(), os.environ)
    except (OSError, ValueError):
        return None


def _run_reader(library: Library, notice: str | None, *, refresh: bool | None) -> int:
    from .app.app import WartaApp

    try:
        WartaApp(library, notice=notice, refresh_on_start=refresh, offline=refresh is False,
                 terminal=_ask_terminal(library)).run()
    finally:
        shown = len(library.notices)
        library.close()
        for line in library.notices[shown:]:  # what closing had to say (a full disk)
            print(f"warta: {line}", file=sys.stderr)
    return 0


# -- commands -----------------------------------------------------------------------------------


def run_extract(args: argparse.Namespace, config: Config) -> int:
    """Extract each input in order; with ``--json`` one object per input, failures included, so
    outputs never shift against inputs."""
    from .core import render
    from .core.articles import record_from_article
    from .core.extract import extract

    status = 0
    for name in args.inputs:
        try:
            html, url, content_type = _read_input(name, args.url, config)
            article = extract(html, url, content_type=content_type)
        except (WartaError, OSError) as error:
            if isinstance(error, WartaError):
                said = describe_error(error)
                line = said if name in said else f"{name}: {said}"
                message = said
            else:
                message = error.strerror or str(error)
                line = f"{name}: {message}"
            print(f"warta: {line}", file=sys.stderr)
            if args.json:
                print(json.dumps({"input": name, "error": message}, ensure_ascii=False))
            status = 1
            continue
        if args.json:
            print(json.dumps({
                "input": name, "url": url, "canonical_url": article.canonical_url, "title": article.title,
                "byline": article.byline, "site_name": article.site_name,
                "published": article.published, "lang": article.lang, "tags": list(article.tags),
                "description": article.description, "image": article.image, "text": article.text,
                "word_count": article.word_count,
            }, ensure_ascii=False))
        else:
            shown_url = url or (Path(name).resolve().as_uri() if name != "-" else "(stdin)")
            record = record_from_article(article, url=shown_url, fetched=0.0)
            print(render.plain_text(record))
            print()
    return status


def _read_input(name: str, url: str | None, config: Config) -> tuple[bytes, str | None, str | None]:
    if name.startswith(("http://", "https://")):
        return asyncio.run(_fetch_page(name, config))
    return _read_file(name), url, None


async def _fetch_page(url: str, config: Config) -> tuple[bytes, str | None, str | None]:
    from .core.fetch import Fetcher
    from .core.library import fetch_limits

    async with Fetcher(fetch_limits(config)) as fetcher:
        result = await fetcher.fetch(url, kind="page", allow_private=True)
    return result.content, result.url, result.content_type


def run_list(args: argparse.Namespace, config: Config) -> int:
    from .core.index import IndexRebuiltError

    with open_library(args, config) as library:
        where = library.compile(" ".join(args.filter))
        try:
            rowids = library.listing(where).rowids
            first = library.summaries(rowids[:1000])
        except IndexRebuiltError:  # damage found (and repaired) before anything was printed
            rowids = library.listing(where).rowids
            first = library.summaries(rowids[:1000])
        title_room = None if args.json else _title_room()
        for start in range(0, len(rowids), 1000):
            batch = first if start == 0 else library.summaries(rowids[start : start + 1000])
            for summary in batch:
                if args.json:
                    print(json.dumps(_summary_json(summary), ensure_ascii=False))
                else:
                    print(_list_line(summary, title_room))
    return 0


LIST_SITE_CELLS = 24


def _list_line(summary: ArticleSummary, title_room: int | None) -> str:
    """One ``warta list`` row; columns measured in terminal cells, so CJK names line up."""
    from .core import render
    from .core.textwidth import fit, truncate

    mark = " " if summary.read else "●"
    star = "★" if summary.starred else " "
    title = sanitize_line(summary.title)
    if title_room is not None:
        title = truncate(title, title_room)
    return (f"{summary.id}  {mark}{star} {render.relative_date(summary.published):>10}  "
            f"{fit(sanitize_line(summary.site), LIST_SITE_CELLS)}  {title}")


def _title_room() -> int | None:
    """Cells left for the title on a terminal (None when not printing to one: keep it whole)."""
    if not sys.stdout.isatty():
        return None
    columns = shutil.get_terminal_size().columns
    return max(10, columns - (16 + 2 + 2 + 1 + 10 + 2 + LIST_SITE_CELLS + 2))  # id is 16 hex


def _summary_json(summary: object) -> dict[str, object]:
    from .core.models import ArticleSummary

    assert isinstance(summary, ArticleSummary)
    return {
        "id": summary.id, "url": summary.url, "title": summary.title, "site_name": summary.site,
        "byline": summary.byline, "published": summary.published, "fetched": summary.fetched, "tags": list(summary.tags),
        "read": summary.read, "starred": summary.starred, "full_text": summary.status == "full",
    }


def run_show(args: argparse.Namespace, config: Config) -> int:
    from .core import render

    with open_library(args, config) as library:
        record = library.article(args.id)
        summary = library.summary(args.id)
        if record is None and library.is_damaged(args.id):
            raise WartaError(f"article {args.id} is damaged in the article cache and reads as "
                             "missing; the next warta fetch stores it again if its feed still has it")
        if record is None or summary is None:
            raise WartaError(f"no article with id {args.id} (see warta list)")
        if args.json:
            data = _summary_json(summary)
            data["text"] = render.plain_text(record, with_header=False)
            print(json.dumps(data, ensure_ascii=False))
        else:
            print(render.plain_text(record))
    return 0


def run_fetch(args: argparse.Namespace, config: Config) -> int:
    from .core.refresh import RefreshProgress

    show_progress = sys.stderr.isatty() and not args.quiet

    def progress(state: RefreshProgress) -> None:
        if show_progress:
            print(f"\r{state.describe()}\033[K", end="", file=sys.stderr, flush=True)

    async def reextract(library: Library) -> int:
        async with library.network() as network:
            return await network.reextract()

    async def refresh(library: Library) -> RefreshProgress:
        async with library.network(on_progress=progress) as network:
            return await network.refresh()

    with open_library(args, config) as library:
        if library.read_only:  # nothing fetched could be kept
            raise StoreError(f"disk full — not saving to {library.data_dir}; nothing fetched")
        if library.articles_lost:  # what survives first, offline; then the feeds
            print(f"warta: {asyncio.run(reextract(library)):,} articles brought back from the "
                  "page cache", file=sys.stderr)
        result = asyncio.run(refresh(library))
    if show_progress:
        print("\r\033[K", end="", file=sys.stderr)
    for url, reason in result.errors:
        print(f"warta: {sanitize_line(url, 200)}: {sanitize_line(reason)}", file=sys.stderr)
    if result.stopped:  # once, however many writes it refused; and not a success
        print(f"warta: {sanitize_line(result.stopped)}; the refresh stopped", file=sys.stderr)
        return 1
    print(result.report())
    return 1 if result.failed_all else 0


def run_add(args: argparse.Namespace, config: Config) -> int:
    async def add(library: Library) -> str:
        known = {feed.url: feed for feed in library.feeds()}
        async with library.network() as network:
            result = await network.add(args.url, tags=args.tag, page_only=args.page)
        if result.feed is not None:
            feed = known.get(result.feed.url, result.feed)
            name = f"{sanitize_line(feed.name or feed.url)} ({sanitize_line(feed.url, 500)})"
            if result.known:
                return f"Already subscribed to {name}"
            text = f"Subscribed to {name}"
            if result.problem:
                text += f"\nwarning: {sanitize_line(result.problem)}"
            if result.other_feeds:
                others = ", ".join(sanitize_line(link, 200) for link in result.other_feeds)
                text += f"\nThe page also advertises {others} (warta add one of them to follow it too)"
            return text
        return f"Saved {sanitize_line(result.title)} (id {result.article_id})"

    with open_library(args, config) as library:
        print(asyncio.run(add(library)))
    return 0


def run_import(args: argparse.Namespace, config: Config) -> int:
    from .core.newsboat import newsboat_paths

    urls_path, cache_path = newsboat_paths()
    name = args.file or str(urls_path)
    data = _read_file(name)
    if data.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").startswith(b"<"):
        if args.state is not None:
            raise WartaError("--state is for newsboat's urls file; an OPML file has no read state")
        return _import_opml(args, config, data)
    state = Path(args.state).expanduser() if args.state else cache_path
    return _import_newsboat(args, config, data, state if args.state is not None else None)


def _subscribe_new(library: Library, feeds: Sequence[Feed]) -> int:
    """Subscribe to the feeds not yet known; returns how many were new."""
    known = {feed.url for feed in library.feeds()}
    new = [feed for feed in feeds if feed.url not in known]
    library.subscribe_many(new)
    return len(new)


def _import_opml(args: argparse.Namespace, config: Config, data: bytes) -> int:
    from .core.opml import read_opml

    result = read_opml(data, user_typed=True)  # the user's own list: trusted as given
    with open_library(args, config) as library:
        new = _subscribe_new(library, result.feeds)
    summary, *warnings = result.describe(new, already=len(result.feeds) - new)
    print(summary)
    for warning in warnings:
        print(f"warta: {warning}", file=sys.stderr)
    return 0


def _import_newsboat(args: argparse.Namespace, config: Config, data: bytes,
                     state: Path | None) -> int:
    from .core.newsboat import CacheImport, parse_urls

    urls = parse_urls(data.decode("utf-8", "replace"))
    with open_library(args, config) as library:
        new = _subscribe_new(library, urls.feeds)
        if urls.filters:
            library.save_filters(urls.filters)
        cached = asyncio.run(library.import_newsboat_cache(state)) if state else None
    summary, *notes = urls.describe(new, already=len(urls.feeds) - new)
    print(summary)
    if isinstance(cached, CacheImport):
        print(cached.describe())
    for note in notes:
        print(f"warta: {sanitize_line(note, 400)}", file=sys.stderr)
    return 0


MAX_INPUT_BYTES = 64 * 2**20  # far beyond any OPML file or page; /dev/zero must not be read forever


def _read_file(name: str, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of file ``name`` ("-": stdin), refusing more than ``limit``."""
    try:
        if name == "-":
            data = sys.stdin.buffer.read(limit + 1)
        else:
            with open(name, "rb") as handle:
                data = handle.read(limit + 1)
    except OSError as error:
        raise WartaError(f"cannot read {name}: {error.strerror or error}") from None
    if len(data) > limit:
        raise WartaError(f"{name}: larger than {limit // 2**20} MiB; not read")
    return data


def run_export(args: argparse.Namespace, config: Config) -> int:
    from .core.newsboat import export_urls
    from .core.opml import export_opml

    with open_library(args, config) as library:
        feeds = library.feeds()
    print(export_urls(feeds) if args.newsboat else export_opml(feeds), end="")
    return 0


def run_feeds(args: argparse.Namespace, config: Config) -> int:
    """One line per feed: name, unread, total, last refresh, URL, and the last error."""
    from .core.render import relative_date
    from .core.textwidth import fit

    with open_library(args, config) as library:
        rows = library.feed_rows()
    if not rows:
        print("No feeds yet: warta add URL, or [[feeds]] in the config")
        return 0
    now = time.time()
    print(f"{fit('FEED', 30)} {'UNREAD':>7} {'TOTAL':>7}  {fit('CHECKED', 10)}  URL")
    for row in rows:
        checked = relative_date(row.checked, now=now) if row.checked else "never"
        line = (f"{fit(sanitize_line(row.name, 200), 30)} {row.unread:>7,} {row.total:>7,}  "
                f"{fit(checked, 10)}  {sanitize_line(row.feed.url, 300)}")
        if row.error:
            line += f"  error: {sanitize_line(row.error, 200)}"
        print(line)
    return 0


def run_remove(args: argparse.Namespace, config: Config) -> int:
    with open_library(args, config) as library:
        feed = library.find_feed(args.feed)
        library.unsubscribe(feed.url)
    print(f"Unsubscribed from {sanitize_line(feed.name or feed.url)} ({sanitize_line(feed.url, 300)});"
          " its articles stay")
    return 0


def run_rename(args: argparse.Namespace, config: Config) -> int:
    with open_library(args, config) as library:
        feed = library.find_feed(args.feed)
        renamed = library.rename(feed.url, args.name)
    print(f"Renamed {sanitize_line(feed.name or feed.url)} to {renamed.name}")
    return 0


def run_reextract(args: argparse.Namespace, config: Config) -> int:
    async def run(library: Library) -> int:
        async with library.network() as network:
            return await network.reextract()

    with open_library(args, config) as library:
        updated = asyncio.run(run(library))
    print(f"Re-extracted {updated:,} articles from cached pages")
    return 0


def run_gc(args: argparse.Namespace, config: Config) -> int:
    with open_library(args, config) as library:
        summary = library.collect_garbage(keep_days=args.keep_days)
    print(summary.describe())
    return 0


def run_sync(args: argparse.Namespace, config: Config) -> int:
    from .core.sync import server_name
    from .core.sync.errors import SyncSetupError

    if config.sync is None:
        raise SyncSetupError("sync: no [sync] section in the config (see config.example.toml)")
    if args.status:
        with open_library(args, config) as library:
            status, pending = library.sync_status()
        print(_sync_status_line(server_name(config.sync), status, pending))
        return 0
    if args.action == "login":
        print(asyncio.run(_sync_login(config)))
        return 0

    async def run(library: Library) -> object:
        async with library.network() as network:
            syncer = network.syncer()
            try:
                return await syncer.run()
            finally:
                await syncer.backend.aclose()

    with open_library(args, config) as library:
        report = asyncio.run(run(library))
    for notice in getattr(report, "notices", ()):
        print(f"warta: {sanitize_line(notice)}", file=sys.stderr)
    print(report.describe())  # type: ignore[attr-defined]
    return 0


async def _sync_login(config: Config) -> str:
    from .core.sync import make_backend, server_name
    from .core.sync.secret import sync_password

    sync = config.sync
    assert sync is not None
    backend = make_backend(sync, config, sync_password(sync))
    try:
        await backend.login()
    finally:
        await backend.aclose()
    return f"Logged in to {server_name(sync)} as {sync.user} ({backend.name})"


def _sync_status_line(server: str, status: object, pending: int) -> str:
    import time

    from .core.sync import SyncStatus

    assert isinstance(status, SyncStatus)
    when = (time.strftime("%Y-%m-%d %H:%M", time.localtime(status.last_ok))
            if status.last_ok else "never")
    line = f"{server}: last good sync {when}; {_count(pending, 'change')} waiting to be sent"
    if status.last_error and status.last_try >= status.last_ok:
        line += f"; last attempt failed: {sanitize_line(status.last_error)}"
    return line
