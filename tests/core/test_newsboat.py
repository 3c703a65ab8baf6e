"""Coming from newsboat: its urls file, its cache.db, and the way back out.

The tests marked ``newsboat`` run the real newsboat (the Debian package; ``.ci/run`` installs
it): it fetches feeds from the local test server into its own cache.db, marks articles read
through its own ``-I`` command, and the flags are set with SQL on the schema newsboat created.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.server import TestServer
from tui.core.errors import SourceError
from tui.core.models import Feed
from tui.core.newsboat import (QueryNotTranslated, export_urls, import_cache, newsboat_paths,
                               parse_urls, tokenize, translate_query)
from tui.core.opml import export_opml
from tui.core.store import Store
from tui.core.urls import article_id

NEWSBOAT = shutil.which("newsboat")
needs_newsboat = pytest.mark.skipif(
    NEWSBOAT is None, reason="newsboat is not installed (apt-get install newsboat; .ci/run does)")

URLS = """\
# my feeds
https://lwn.net/headlines/rss linux "kernel news" "~LWN headlines"
https://blog.example.com/feed.xml   blog  # a comment after the tags
   # an indented comment
https://hidden.example.com/rss ! private
"query:Unread tech:unread = \\"yes\\" and tags # \\"linux\\""
"query:Either:tags # \\"a\\" or tags # \\"b\\""
"query:Recent flagged:( flags # \\"s\\" and age <= 7 )"
"query:By author:author =~ \\"Jane\\""
exec:~/bin/make-feed.sh scripts
"filter:~/bin/clean.sh:https://raw.example.com/rss" cleaned
file:///etc/passwd
https://lwn.net/headlines/rss extra
"""


def test_tokenize_follows_newsboat_quoting() -> None:
    assert tokenize('a "b c" d\\ e') == ["a", "b c", "d\\", "e"]
    assert tokenize('"say \\"hi\\"\\n" x # comment "y"') == ['say "hi"\n', "x"]
    assert tokenize("  # only a comment") == []
    assert tokenize('"unterminated value') == ["unterminated value"]


def test_urls_file_feeds_tags_titles_hidden_and_duplicates() -> None:
    urls = parse_urls(URLS)
    feeds = {feed.url: feed for feed in urls.feeds}
    assert list(feeds) == ["https://lwn.net/headlines/rss", "https://blog.example.com/feed.xml",
                           "https://hidden.example.com/rss"]
    lwn = feeds["https://lwn.net/headlines/rss"]
    assert lwn.name == "LWN headlines" and lwn.tags == ("linux", "kernel news", "extra")
    assert feeds["https://blog.example.com/feed.xml"].tags == ("blog",)
    assert feeds["https://hidden.example.com/rss"].tags == ("private",)
    assert urls.hidden == 1
    assert all(feed.user_typed for feed in urls.feeds), "the user's own urls file is trusted"


def test_query_feeds_become_saved_filters_or_say_why_not() -> None:
    urls = parse_urls(URLS)
    assert urls.filters == {"Unread tech": "is:unread +linux", "Recent flagged": "is:starred since:8d"}
    assert urls.untranslated == [
        ("Either", "uses 'or' (Warta's filters combine with AND only)"),
        ("By author", 'author =~ "Jane" has no Warta filter'),
    ]


def test_exec_filter_and_other_lines_are_listed_with_the_reason() -> None:
    skipped = parse_urls(URLS).skipped
    assert [(line, what) for line, what, _ in skipped] == [
        (10, "exec:~/bin/make-feed.sh"), (11, "filter:~/bin/clean.sh:https://raw.example.com/rss"),
        (12, "file:///etc/passwd")]
    assert "local command (exec:)" in skipped[0][2]
    assert "local script (filter:)" in skipped[1][2]
    assert "subscribe to https://raw.example.com/rss itself" in skipped[1][2]
    assert skipped[2][2] == "not an http(s) URL"


def test_describe_says_everything_in_a_few_lines() -> None:
    lines = parse_urls(URLS).describe(3)
    assert lines[0] == ("Imported 3 feeds (2 query feeds as saved filters, 1 hidden in newsboat, "
                        "shown in Warta, 3 lines skipped)")
    assert lines[1] == 'query feed "Either" not imported: uses \'or\' (Warta\'s filters combine with AND only)'
    assert lines[3].startswith("line 10: skipped exec:~/bin/make-feed.sh: ")
    assert len(lines) == 6


@pytest.mark.parametrize(("query", "expected"), [
    ('unread = "yes"', "is:unread"),
    ('unread != "yes"', "is:read"),
    ('unread == "no"', "is:read"),
    ('tags !# "sport"', "-sport"),
    ('flags = ""', "is:unstarred"),
    ("age < 3", "since:3d"),
    ("age between 0:6", "since:7d"),
    ('rssurl = "https://lwn.net/headlines/rss"', 'feed:"https://lwn.net/headlines/rss"'),
    ('( unread = "yes" and ( tags # "a" and tags # "b" ) )', "is:unread +a +b"),
])
def test_translations(query: str, expected: str) -> None:
    assert translate_query(query) == expected


@pytest.mark.parametrize("query", ['title =~ "linux"', "age > 30", 'tags # "two words"',
                                   'unread = "yes" or flags # "s"', 'unread = "yes" garbage', ""])
def test_untranslatable_queries_raise(query: str) -> None:
    with pytest.raises(QueryNotTranslated):
        translate_query(query)


def test_export_urls_round_trips() -> None:
    feeds = [Feed(url="https://a.example.com/rss", name='A "quoted" name', tags=("news", "two words")),
             Feed(url="https://b.example.com/atom"),
             Feed(url="https://c.example.com/feed?x=1#frag", tags=("x",))]
    text = export_urls(feeds)
    assert text.splitlines()[2] == "https://b.example.com/atom"
    assert parse_urls(text).feeds == feeds


def test_newsboat_paths_prefer_xdg_when_its_config_dir_exists(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_DATA_HOME": str(tmp_path / "data")}
    assert newsboat_paths(env, tmp_path) == (tmp_path / ".newsboat" / "urls",
                                             tmp_path / ".newsboat" / "cache.db")
    (tmp_path / "cfg" / "newsboat").mkdir(parents=True)
    assert newsboat_paths(env, tmp_path) == (tmp_path / "cfg" / "newsboat" / "urls",
                                             tmp_path / "data" / "newsboat" / "cache.db")
    (tmp_path / ".config" / "newsboat").mkdir(parents=True)
    assert newsboat_paths({}, tmp_path)[0] == tmp_path / ".config" / "newsboat" / "urls"


def test_a_file_that_is_no_cache_is_refused(tmp_path: Path, store: Store) -> None:
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(SourceError, match="is not a newsboat cache"):
        asyncio.run(import_cache(other, store, []))
    (tmp_path / "junk.db").write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(SourceError, match="cannot read newsboat cache"):
        asyncio.run(import_cache(tmp_path / "junk.db", store, []))
    with pytest.raises(SourceError, match="no such file"):
        asyncio.run(import_cache(tmp_path / "missing.db", store, []))


# -- with the real newsboat ------------------------------------------------------------------


def rss(server: TestServer, name: str, numbers: range) -> str:
    items = "".join(
        f"<item><title>{name} story {n}</title><link>{server.url(f'/nb/{name}/{n}')}</link>"
        f"<guid>{server.url(f'/nb/{name}/{n}')}</guid><author>ann@example.com (Ann)</author>"
        f"<description>&lt;p&gt;Body of {name} story {n}, &lt;b&gt;cached&lt;/b&gt;.&lt;/p&gt;"
        f"</description><pubDate>Mon, {n + 1:02d} Jun 2026 10:00:00 GMT</pubDate></item>"
        for n in numbers)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>'
            f"<link>{server.url('/')}</link>{items}</channel></rss>")


def newsboat(home: Path, *args: str) -> None:
    """Run the real newsboat with its own files under ``home`` (never the user's)."""
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "cfg"),
           "XDG_DATA_HOME": str(home / "data"), "TERM": "dumb"}
    subprocess.run([NEWSBOAT, "-C", str(home / "config"), *args], env=env, check=True,
                   capture_output=True, timeout=60, stdin=subprocess.DEVNULL)


def warta(data_dir: Path, config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WARTA_CONFIG": str(config)}
    return subprocess.run([sys.executable, "-m", "tui", *args, "--data-dir", str(data_dir)],
                          env=env, capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).parents[2])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@needs_newsboat
def test_newsboat_cache_comes_over_whole(tmp_path: Path, server: TestServer) -> None:
    # newsboat fetches two feeds from the local server into its own cache.db.
    for name, count in (("alpha", 6), ("beta", 3)):
        for n in range(count):
            server.add(f"/nb/{name}/{n}", f"<html><body><article><h1>{name} {n}</h1><p>"
                       + f"A long paragraph about {name} number {n}. " * 40 + "</p></article></body></html>")
    alpha = server.add("/nb/alpha.xml", rss(server, "alpha", range(6)), "application/rss+xml")
    beta = server.add("/nb/beta.xml", rss(server, "beta", range(3)), "application/rss+xml")
    home = tmp_path / "nbhome"
    home.mkdir()
    (home / "config").write_text("show-read-feeds yes\n")
    urls = home / "urls"
    urls.write_text(f'{alpha} news "~Alpha daily"\n{beta} tech\n'
                    '"query:Unread news:unread = \\"yes\\" and tags # \\"news\\""\n'
                    "exec:~/bin/feed.sh\n")
    cache = home / "cache.db"
    newsboat(home, "-u", str(urls), "-c", str(cache), "-x", "reload")

    # Read marks through newsboat's own import of read articles (a list of guids).
    read_list = home / "read.txt"
    read_list.write_text("".join(server.url(f"/nb/{g}") + "\n"
                                 for g in ("alpha/0", "alpha/4", "beta/1")))
    newsboat(home, "-u", str(urls), "-c", str(cache), "-I", str(read_list))
    # Flags with SQL on the schema newsboat created (newsboat has no command line for them).
    with sqlite3.connect(cache) as db:
        db.execute("UPDATE rss_item SET flags = 's' WHERE url IN (?, ?)",
                   (server.url("/nb/alpha/1"), server.url("/nb/beta/1")))
        marks = dict(db.execute("SELECT url, unread FROM rss_item").fetchall())
    assert len(marks) == 9 and sum(1 for unread in marks.values() if not unread) == 3

    # The feed moves on: alpha/0 and alpha/1 are only in newsboat's cache now.
    server.add("/nb/alpha.xml", rss(server, "alpha", range(2, 6)), "application/rss+xml")
    config = tmp_path / "warta.toml"
    config.write_text("[fetch]\nmin_delay = 0\n")
    data = tmp_path / "warta-data"
    before = {path.name: digest(path) for path in (urls, cache)}

    result = warta(data, config, "import", str(urls))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Imported 2 feeds (1 query feed as saved filters, 1 line skipped)\n"
    assert "line 4: skipped exec:~/bin/feed.sh: its articles come from running a local command" \
        in result.stderr
    fetched = warta(data, config, "fetch", "--quiet")
    assert fetched.returncode == 0 and fetched.stdout.startswith("Refreshed 2 feeds: 7 new articles"), \
        fetched.stdout + fetched.stderr

    result = warta(data, config, "import", str(urls), "--state", str(cache))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Imported 0 feeds (2 already subscribed, 1 query feed as saved filters, 1 line skipped)",
        "From newsboat's cache: 9 articles, 2 stored from the cache, 3 newly marked read, "
        "2 newly starred (flagged)"]

    listed = warta(data, config, "list", "--json")
    rows = {row["url"]: row for row in map(json.loads, listed.stdout.splitlines())}
    assert set(rows) == set(marks)
    for url, unread in marks.items():
        assert rows[url]["read"] is (not unread), url
        assert rows[url]["starred"] is url.endswith(("/alpha/1", "/beta/1")), url
    cached_only = rows[server.url("/nb/alpha/0")]
    assert cached_only["title"] == "alpha story 0" and "news" in cached_only["tags"]
    assert cached_only["id"] == article_id(server.url("/nb/alpha/0"))
    assert not rows[server.url("/nb/alpha/1")]["full_text"]  # kept as newsboat had it
    shown = json.loads(warta(data, config, "show", cached_only["id"], "--json").stdout)
    assert shown["text"].strip().endswith("Body of alpha story 0, cached.")
    assert rows[server.url("/nb/alpha/3")]["full_text"]  # fetched by Warta, marks added

    # Idempotent: a second run changes nothing and says so.
    again = warta(data, config, "import", str(urls), "--state", str(cache))
    assert again.stdout.splitlines()[1] == ("From newsboat's cache: 9 articles, 0 stored from the "
                                            "cache, 0 newly marked read, 0 newly starred (flagged)")
    rows_again = {row["url"]: row for row in map(json.loads, warta(
        data, config, "list", "--json").stdout.splitlines())}
    assert rows_again == rows

    # The query feed is a saved filter in the data dir, and it filters like newsboat's did.
    with Store.open(data) as store:
        assert store.saved_filters() == {"Unread news": "is:unread +news"}
    unread_news = warta(data, config, "list", "--json", "is:unread", "+news")
    assert {json.loads(line)["url"] for line in unread_news.stdout.splitlines()} == {
        server.url(f"/nb/alpha/{n}") for n in (1, 2, 3, 5)}

    # newsboat's files were never touched.
    assert {path.name: digest(path) for path in (urls, cache)} == before


@needs_newsboat
def test_what_warta_exports_newsboat_reads(tmp_path: Path, server: TestServer) -> None:
    feed = server.add("/nb/out.xml", rss(server, "out", range(2)), "application/rss+xml")
    other = server.add("/nb/other.xml", rss(server, "other", range(1)), "application/rss+xml")
    config = tmp_path / "warta.toml"
    config.write_text(f'[[feeds]]\nurl = "{feed}"\nname = "Out feed"\ntags = ["news", "two words"]\n'
                      f'[[feeds]]\nurl = "{other}"\n')
    data = tmp_path / "warta-data"
    home = tmp_path / "nbhome"
    home.mkdir()
    (home / "config").write_text("")

    exported = warta(data, config, "export", "--newsboat")
    assert exported.returncode == 0, exported.stderr
    urls = home / "urls"
    urls.write_text(exported.stdout)
    newsboat(home, "-u", str(urls), "-c", str(home / "cache.db"), "-x", "reload")
    with sqlite3.connect(home / "cache.db") as db:
        fed = {url for (url,) in db.execute("SELECT feedurl FROM rss_item")}
    assert fed == {feed, other}
    assert parse_urls(urls.read_text()).feeds == [
        Feed(url=feed, name="Out feed", tags=("news", "two words")), Feed(url=other)]

    # newsboat -i turns our OPML into its urls file: same feeds; like FreshRSS and Miniflux it
    # takes one folder per feed, so the first tag (the folder we write) comes along.
    opml = home / "warta.opml"
    opml.write_text(export_opml([Feed(url=feed, name="Out feed", tags=("news", "tech")),
                                 Feed(url=other)]))
    urls.write_text("")
    newsboat(home, "-u", str(urls), "-c", str(home / "cache.db"), "-i", str(opml))
    back = {f.url: f for f in parse_urls(urls.read_text()).feeds}
    assert set(back) == {feed, other}
    assert back[feed].tags == ("news",) and back[other].tags == ()


def test_imported_filters_join_the_configs_and_survive_a_backup(tmp_path: Path) -> None:
    from tui.core.config import Config
    from tui.core.library import Library

    config = Config(filters={"mine": "is:starred", "Unread tech": "+tech"})
    with Store.open(tmp_path / "data") as store:
        store.save_filters({"Unread tech": "is:unread +linux", "Recent": "since:8d"})
        store.save_filters({"Recent": "since:3d"})
        assert store.saved_filters() == {"Unread tech": "is:unread +linux", "Recent": "since:3d"}
        assert list(Library(store, config).filters().items()) == [
            ("mine", "is:starred"), ("Unread tech", "+tech"), ("Recent", "since:3d")]
        saved = store.export_state()
    with Store.open(tmp_path / "other") as store:
        store.import_state(saved)
        assert store.saved_filters() == {"Unread tech": "is:unread +linux", "Recent": "since:3d"}


def test_marks_only_add_and_a_merged_story_is_not_stored_twice(tmp_path: Path) -> None:
    """An article the refresh merged into its twin (an alias) is marked there, not re-created."""
    cache = tmp_path / "cache.db"
    with sqlite3.connect(cache) as db:
        db.execute("CREATE TABLE rss_item (id INTEGER PRIMARY KEY, guid TEXT, title TEXT, "
                   "author TEXT, url TEXT, feedurl TEXT, pubDate INTEGER, content TEXT, "
                   "unread INTEGER, flags TEXT, deleted INTEGER DEFAULT 0)")
        rows = [("https://x.example.com/twin", 0, "s", 0), ("https://x.example.com/kept", 1, "", 0),
                ("https://x.example.com/gone", 0, "", 1), ("", 0, "", 0)]
        db.executemany("INSERT INTO rss_item (guid, title, author, url, feedurl, pubDate, content,"
                       " unread, flags, deleted) VALUES ('g', 'T', '', ?, 'https://x.example.com/rss',"
                       " 1700000000, '<p>x</p>', ?, ?, ?)", rows)
    feed = Feed(url="https://x.example.com/rss", tags=("x",))
    from tests.conftest import make_record

    with Store.open(tmp_path / "data") as store:
        twin = make_record(1)
        store.put_articles([twin])
        store.update_state(twin.id, read=False, starred=False)
        store.set_feed_meta(feed.url, {"aliases": {article_id("https://x.example.com/twin"): twin.id}})
        kept = article_id("https://x.example.com/kept")
        result = asyncio.run(import_cache(cache, store, [feed]))
        assert (result.articles, result.stored, result.read, result.starred, result.without_link) \
            == (3, 1, 1, 1, 1)
        assert store.get_state(twin.id).read and store.get_state(twin.id).starred
        assert not store.has_article(article_id("https://x.example.com/twin"))
        assert not store.has_article(article_id("https://x.example.com/gone"))  # deleted there
        assert store.get_article(kept).feed_tags == ("x",) and not store.get_state(kept).read
        store.update_state(kept, read=True)
        asyncio.run(import_cache(cache, store, [feed]))
        assert store.get_state(kept).read  # marks only add: newsboat's unread does not undo it


def test_records_made_in_the_workers_are_the_ones_made_here(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """With a pool, the workers make each batch's records and pack them; what lands must be
    what this process makes alone, batch after batch (tiny batches, several in flight), and a
    story cached under two feeds in different batches is stored once and marked once."""
    from tui.core import newsboat
    from tui.core.pool import WorkerPool

    monkeypatch.setattr(newsboat, "BATCH", 3)
    cache = tmp_path / "cache.db"
    feeds = [Feed(url="https://a.example.com/rss", tags=("a",)), Feed(url="https://b.example.com/rss")]
    rows = [(f"https://a.example.com/{n}", f"Story {n} \x1b]0;owned\x07", feeds[n % 2].url,
             f"<p>Body {n} &amp; more</p><script>x()</script>", n % 3 == 0, "s" if n == 4 else "")
            for n in range(10)]
    rows += [("https://a.example.com/1", "Story 1 again", feeds[0].url, "<p>Again</p>", 0, "s"),
             ("mailto:x@example.com", "No link", feeds[0].url, "", 1, "")]
    with sqlite3.connect(cache) as db:
        db.execute("CREATE TABLE rss_item (id INTEGER PRIMARY KEY, title TEXT, author TEXT, url TEXT,"
                   " feedurl TEXT, pubDate INTEGER, content TEXT, unread INTEGER, flags TEXT)")
        db.executemany("INSERT INTO rss_item (url, title, author, feedurl, pubDate, content, unread,"
                       " flags) VALUES (?, ?, 'Ann', ?, 1700000000, ?, ?, ?)", rows)
    found = {}
    for name in ("alone", "pool"):
        pool = WorkerPool(1) if name == "pool" else None
        try:
            with Store.open(tmp_path / name) as store:
                result = asyncio.run(import_cache(cache, store, feeds, pool=pool, now=1_750_000_000))
                records = sorted(store.iter_articles(), key=lambda record: record.id)
                found[name] = (result, records, store.get_states([r.id for r in records]),
                               [s.title for s in store.summaries(store.rowids())])
        finally:
            if pool is not None:
                pool.close()
    assert found["pool"] == found["alone"]
    result, records, states, titles = found["pool"]
    assert (result.articles, result.stored, result.without_link, result.starred) == (12, 10, 1, 2)
    assert len(records) == 10 and len(titles) == 10 and all("\x1b" not in t for t in titles)
    again = next(r for r in records if r.url == "https://a.example.com/1")
    assert again.title == "Story 1" and again.summary == "Body 1 & more" and again.feed_tags == ()
    assert states[again.id].starred and states[again.id].read


def test_import_benchmark_smoke_prints_its_figures() -> None:
    """CI runs the benchmark tiny: the figures must come out (their values are not checked)."""
    script = Path(__file__).parents[2] / "benchmarks" / "import_feeds.py"
    result = subprocess.run([sys.executable, str(script), "--smoke"], capture_output=True,
                            text=True, timeout=240)
    assert result.returncode == 0, result.stderr
    for figure in ("strict_parse_clean_s", "read_opml_faulty_s", "import_faulty_with_subscribing_s",
                   "ratio_faulty_vs_strict", "full_import_s", "full_peak_rss_mb",
                   "baseline_store_put_s", "ratio_import_vs_store_put", "rss_growth_quarter_to_full_mb"):
        assert figure in result.stdout, figure
    assert "Imported 200 feeds (200 lines repaired)" in result.stdout
