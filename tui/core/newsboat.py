"""Bring a newsboat setup over whole, and write one back.

newsboat keeps its feeds in a ``urls`` file (one feed a line: the URL, its tags, a
``"~Custom Title"``, ``!`` to hide it, ``#`` comments, ``"query:Name:filter"`` meta-feeds,
``exec:``/``filter:`` feeds made by local commands) and the articles with their read and
flagged state in a SQLite ``cache.db``. Both are read, never written: the cache is opened
read-only (``mode=ro``), so an import cannot change or lock what newsboat keeps.

Articles are matched by URL (Warta's article id is a hash of the canonical URL), so the
import is idempotent and meets the articles a later ``warta fetch`` brings. Articles that
newsboat cached but the feed no longer lists are stored from the cache, so nothing the user
had is lost. Marks only ever add: read stays read, starred stays starred.
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from .errors import SourceError, WartaError
from .feeds import feed_text
from .models import ArticleRecord, Feed, union
from .pool import WorkerPool
from .sanitize import sanitize_line
from .store import Store, pack_record
from .urls import article_id, is_http_url, site_of

BATCH = 1_000  # cache rows read, stored and marked per transaction (bounds memory)
Change = Callable[..., object]  # change(ids, read=True): Library.change or Store.update_states
_DELIMITERS = " \r\n\t"
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


# -- where newsboat keeps its files -----------------------------------------------------------


def newsboat_paths(environ: Mapping[str, str] | None = None,
                   home: Path | None = None) -> tuple[Path, Path]:
    """newsboat's ``urls`` and ``cache.db``: XDG dirs if its XDG config dir exists, else ~/.newsboat."""
    environ = os.environ if environ is None else environ
    home = Path.home() if home is None else home
    config = Path(environ.get("XDG_CONFIG_HOME") or home / ".config") / "newsboat"
    if config.is_dir():
        data = Path(environ.get("XDG_DATA_HOME") or home / ".local" / "share") / "newsboat"
        return config / "urls", data / "cache.db"
    return home / ".newsboat" / "urls", home / ".newsboat" / "cache.db"


# -- the urls file ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UrlsFile:
    """What a newsboat ``urls`` file holds, as Warta can take it."""

    feeds: list[Feed] = field(default_factory=list)
    filters: dict[str, str] = field(default_factory=dict)  # query feed name -> Warta filter
    untranslated: list[tuple[str, str]] = field(default_factory=list)  # (query name, why not)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # (line, what, why)
    hidden: int = 0  # feeds hidden in newsboat (Warta shows them like any other)

    def describe(self, imported: int, already: int = 0) -> list[str]:
        """A summary line, then one line per query feed or line that did not come over."""
        notes = []
        if already:
            notes.append(f"{already:,} already subscribed")
        if self.filters:
            notes.append(f"{_count(len(self.filters), 'query feed')} as saved filters")
        if self.hidden:
            notes.append(f"{self.hidden:,} hidden in newsboat, shown in Warta")
        if self.skipped:
            notes.append(f"{_count(len(self.skipped), 'line')} skipped")
        lines = [f"Imported {_count(imported, 'feed')}" + (f" ({', '.join(notes)})" if notes else "")]
        lines += [f'query feed "{name}" not imported: {why}' for name, why in self.untranslated]
        lines += [f"line {line}: skipped {what}: {why}" for line, what, why in self.skipped]
        return lines


def tokenize(line: str) -> list[str]:
    """newsboat's ``tokenize_quoted``: blanks separate, ``"..."`` quotes with \\ escapes, ``#`` ends."""
    tokens: list[str] = []
    position, end = 0, len(line)
    while position < end:
        while position < end and line[position] in _DELIMITERS:
            position += 1
        if position >= end or line[position] == "#":
            break
        if line[position] == '"':
            token: list[str] = []
            position += 1
            while position < end and line[position] != '"':
                if line[position] == "\\" and position + 1 < end:
                    position += 1
                    token.append(_ESCAPES.get(line[position], line[position]))
                else:
                    token.append(line[position])
                position += 1
            tokens.append("".join(token))
            position += 1
        else:
            start = position
            while position < end and line[position] not in _DELIMITERS:
                position += 1
            tokens.append(line[start:position])
    return tokens


def parse_urls(text: str) -> UrlsFile:
    """Read a ``urls`` file: feeds with tags and titles, query feeds as filters, the rest listed."""
    feeds: dict[str, Feed] = {}
    result = UrlsFile()
    hidden = 0
    for number, line in enumerate(text.splitlines(), 1):
        tokens = tokenize(line)
        if not tokens:
            continue
        url, marks = tokens[0], tokens[1:]
        tags = tuple(t for t in (sanitize_line(m, 60) for m in marks if m[:1] not in ("~", "!")) if t)
        name = next((sanitize_line(m[1:]) for m in marks if m.startswith("~")), "")
        if url.startswith("query:"):
            _, _, rest = url.partition(":")
            title, _, expression = rest.partition(":")
            title = sanitize_line(title) or f"query {number}"
            try:
                result.filters[title] = translate_query(expression)
            except QueryNotTranslated as why:
                result.untranslated.append((title, str(why)))
            continue
        reason = _unusable(url)
        if reason:
            result.skipped.append((number, sanitize_line(url, 80), reason))
            continue
        hidden += any(m.startswith("!") for m in marks)
        previous = feeds.get(url)
        if previous is not None:  # newsboat merges the tags of a repeated URL; so do we
            feeds[url] = Feed(**{**previous.to_json(), "tags": union(previous.tags, tags),
                                 "name": previous.name or name})
            continue
        feeds[url] = Feed(url=url, name=name, tags=tags)
    return UrlsFile(list(feeds.values()), result.filters, result.untranslated, result.skipped,
                    hidden)


def _unusable(url: str) -> str:
    if url.startswith("exec:"):
        return "its articles come from running a local command (exec:); Warta never runs one"
    if url.startswith("filter:"):
        _, _, rest = url.partition(":")
        source = rest.partition(":")[2]
        hint = f"; subscribe to {sanitize_line(source, 200)} itself if the raw feed is usable" \
            if is_http_url(source) else ""
        return f"it is passed through a local script (filter:); Warta never runs one{hint}"
    if not is_http_url(url):
        return "not an http(s) URL"
    return ""


def export_urls(feeds: Sequence[Feed]) -> str:
    """A newsboat ``urls`` file: the URL, then ``"~name"`` and the tags, each quoted."""
    lines = ["# newsboat urls file written by warta export --newsboat"]
    for feed in feeds:
        marks = ([f"~{feed.name}"] if feed.name else []) + list(feed.tags)
        lines.append(" ".join([_quote_if_needed(feed.url), *(_quote(m) for m in marks)]))
    return "\n".join(lines) + "\n"


def _quote(token: str) -> str:
    return '"' + token.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _quote_if_needed(token: str) -> str:
    return _quote(token) if any(c in token for c in _DELIMITERS + '"#') else token


# -- query feeds ------------------------------------------------------------------------------


class QueryNotTranslated(Exception):
    """A newsboat filter expression with no Warta equivalent; ``str()`` says which part."""


_QUERY_TOKEN = re.compile(r"""\s*(?:(\(|\)|and\b|or\b)|([A-Za-z0-9_.-]+)\s*(=~|==|=|!~|!=|<=|>=|<|>|between\b|#|!#)\s*("(?:[^"\\]|\\.)*"|-?\d+:-?\d+|-?\d+))""")


def translate_query(expression: str) -> str:
    """A newsboat filter as a Warta filter, or ``QueryNotTranslated`` saying what has none.

    Warta's filters are conjunctions, so ``and`` (with parentheses around ``and`` only)
    translates and ``or`` does not. Comparisons that translate: ``unread``, ``tags #``/``!#``,
    ``flags`` (every flagged article is starred in Warta), ``age <``/``<=``/``between 0:N``,
    ``rssurl``/``feedtitle`` equality.
    """
    terms: list[str] = []
    position = 0
    text = expression.strip()
    while position < len(text):
        found = _QUERY_TOKEN.match(text, position)
        if found is None or found.end() == position:
            if not text[position:].strip():
                break
            raise QueryNotTranslated(f"cannot read the filter at column {position + 1}")
        position = found.end()
        word = found.group(1)
        if word == "or":
            raise QueryNotTranslated("uses 'or' (Warta's filters combine with AND only)")
        if word:
            continue  # and, parentheses: a conjunction however it is grouped
        terms.append(_comparison(found.group(2).lower(), found.group(3), _literal(found.group(4))))
    if not terms:
        raise QueryNotTranslated("the filter is empty")
    return " ".join(dict.fromkeys(terms))


def _literal(value: str) -> str:
    if value.startswith('"'):
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _comparison(attribute: str, operator: str, value: str) -> str:
    equal = operator in ("=", "==")
    if attribute == "unread" and operator in ("=", "==", "!="):
        unread = (value == "yes") == equal
        return "is:unread" if unread else "is:read"
    if attribute == "tags" and operator in ("#", "!#") and value and " " not in value:
        return ("+" if operator == "#" else "-") + value
    if attribute == "flags":
        if operator in ("#", "=~") and value or operator == "!=" and value == "":
            return "is:starred"
        if operator in ("!#", "!~") and value or equal and value == "":
            return "is:unstarred"
    if attribute == "age" and value.lstrip("-").replace(":", "").isdigit():
        days = _age_limit(operator, value)
        if days is not None:
            return f"since:{days}d"
    if attribute in ("rssurl", "feedtitle", "feedlink") and equal and value:
        return f'feed:"{value}"' if '"' not in value else _untranslated(attribute, operator, value)
    return _untranslated(attribute, operator, value)


def _age_limit(operator: str, value: str) -> int | None:
    if operator == "between":
        low, _, high = value.partition(":")
        return int(high) + 1 if low.isdigit() and int(low) == 0 and high.isdigit() else None
    if not value.isdigit():
        return None
    if operator == "<":
        return max(int(value), 1)
    if operator == "<=":
        return int(value) + 1
    return None


def _untranslated(attribute: str, operator: str, value: str) -> str:
    raise QueryNotTranslated(f'{attribute} {operator} "{value}" has no Warta filter')


# -- the cache: articles and their state ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CacheImport:
    """What bringing newsboat's cache over did."""

    articles: int = 0  # articles newsboat knew (not deleted there)
    stored: int = 0  # of those, new to Warta and stored from the cache
    read: int = 0  # marked read now (were unread in Warta)
    starred: int = 0  # starred now (flagged in newsboat)
    without_link: int = 0  # no http(s) link: nothing to match or open

    def describe(self) -> str:
        line = (f"From newsboat's cache: {_count(self.articles, 'article')}, "
                f"{self.stored:,} stored from the cache, {self.read:,} newly marked read, "
                f"{self.starred:,} newly starred (flagged)")
        if self.without_link:
            line += f"; {_count(self.without_link, 'article')} without a link skipped"
        return line


class _CachedItem(NamedTuple):
    """One article of newsboat's cache, its columns as found (a tuple: cheap to send to a worker)."""

    url: str
    title: str
    author: str
    feed_url: str
    published: float
    content: str
    unread: bool
    flagged: bool

    @classmethod
    def of(cls, row: Sequence[object]) -> _CachedItem:
        """A cache row with its empty or odd columns made plain (NULL, numbers as text)."""
        url, title, author, feed, published, content, unread, flag = row
        return cls(str(url or ""), str(title or ""), str(author or ""), str(feed or ""),
                   float(published or 0), str(content or ""), bool(unread), bool(flag))  # type: ignore[arg-type]


def read_cache(path: Path) -> Iterator[list[tuple[object, ...]]]:
    """newsboat's cached articles in batches of rows as read (``_CachedItem.of`` makes them
    items), read-only; ``SourceError`` if it is no cache.db."""
    if not path.is_file():
        raise SourceError(f"cannot read newsboat cache {path}: no such file")
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as error:
        raise SourceError(f"cannot open newsboat cache {path}: {error}") from None
    try:
        try:
            columns = {row[1] for row in connection.execute("PRAGMA table_info(rss_item)")}
            if not {"url", "feedurl", "unread"} <= columns:
                raise SourceError(f"{path} is not a newsboat cache (no rss_item table)")
            flags = "flags" if "flags" in columns else "''"
            deleted = "deleted = 0" if "deleted" in columns else "1"
            cursor = connection.execute(
                f"SELECT url, title, author, feedurl, pubDate, content, unread, {flags} "
                f"FROM rss_item WHERE {deleted} ORDER BY id")
            while rows := cursor.fetchmany(BATCH):
                yield rows
        except sqlite3.DatabaseError as error:
            raise SourceError(f"cannot read newsboat cache {path}: {error}") from None
    finally:
        connection.close()


async def import_cache(path: Path, store: Store, feeds: Sequence[Feed], *,
                       pool: WorkerPool | None = None, change: Change | None = None,
                       now: float | None = None) -> CacheImport:
    """Bring newsboat's articles and their read/flagged state into ``store``.

    ``feeds`` are the subscriptions the articles belong to (their tags come along). Articles
    Warta already has are only marked; the others are stored from the cache first. With a
    ``pool``, the next batches are made ready in the workers (each row's id, and its record:
    the HTML turned into text and the record packed as the store keeps it; killable: this is
    web content) while this thread writes one, so the cores share the work and this thread
    only reads and writes. Marks are set with ``change(ids, read=True)`` (``Library.change``,
    the one door; default the store's own).
    """
    change = store.update_states if change is None else change
    now = time.time() if now is None else now
    by_url = {feed.url: feed for feed in feeds}
    # The refresh merges one story seen under two URLs into one article and keeps the alias.
    aliases: dict[str, str] = {}
    for feed in feeds:
        aliases.update(store.get_feed_meta(feed.url).get("aliases") or {})
    totals = Counter[str]()
    pending: deque[asyncio.Future[_Converted]] = deque()
    ahead = pool.size if pool is not None else 0  # batches converting while one is written
    for rows in read_cache(path):
        totals["articles"] += len(rows)
        used = {str(row[3] or "") for row in rows}
        pending.append(asyncio.ensure_future(
            _convert(pool, rows, {url: by_url[url] for url in used if url in by_url}, now)))
        await asyncio.sleep(0)  # let a worker start on it before this thread writes
        if len(pending) > ahead:
            await _write(store, change, await pending.popleft(), aliases, totals)
    while pending:
        await _write(store, change, await pending.popleft(), aliases, totals)
    return CacheImport(**totals)


# What a worker makes of a batch of cache rows: how many had no http(s) link, and for each of
# the others its id, unread and flagged marks, its record's fields and the record packed.
_Ready = tuple[str, bool, bool, tuple[object, ...], bytes]
_Converted = tuple[int, list[_Ready]]
_FIELDS = tuple(ArticleRecord.__dataclass_fields__)


def converted(rows: Sequence[Sequence[object]], feeds: Mapping[str, Feed], now: float,
              summary: str | None = None) -> _Converted:
    """Cache rows as records ready to store (what a pool worker runs): plain tuples both ways,
    which cross the process boundary far faster than dataclasses. ``summary``: instead of the
    text of the row's HTML (a row the workers could not convert)."""
    ready: list[_Ready] = []
    without_link = 0
    for row in rows:
        item = _CachedItem.of(row)
        if not is_http_url(item.url):
            without_link += 1
            continue
        record = _record(article_id(item.url), item, feeds.get(item.feed_url), now,
                         feed_text(item.content) if summary is None else summary)
        ready.append((record.id, item.unread, item.flagged,
                      tuple(getattr(record, name) for name in _FIELDS), pack_record(record)))
    return without_link, ready


async def _convert(pool: WorkerPool | None, rows: list[tuple[object, ...]],
                   feeds: Mapping[str, Feed], now: float) -> _Converted:
    if pool is None:
        return converted(rows, feeds, now)
    try:
        return await pool.run(converted, rows, feeds, now, timeout=60 + len(rows) / 10,  # type: ignore[no-any-return]
                              noun="cached articles", verb="convert")
    except WartaError:  # one hostile article in the batch: one by one, the bad one without text
        without_link, ready = 0, []
        for row in rows:
            try:
                skipped, done = await pool.run(converted, [row], feeds, now, noun="article",
                                               verb="convert")
            except WartaError:
                skipped, done = converted([row], feeds, now, summary="")
            without_link += skipped
            ready.extend(done)
        return without_link, ready


@dataclass(slots=True)
class _Batch:
    """One batch of cache rows, sorted into what to store and what to mark."""

    new: dict[str, tuple[ArticleRecord, bytes | None]]
    read: list[str]
    starred: list[str]

    @classmethod
    def sort(cls, ready: list[_Ready], store: Store, aliases: Mapping[str, str]) -> _Batch:
        batch = cls({}, [], [])
        keys = [aliases.get(key, key) for key, *_ in ready]
        present = store.article_ids_present(keys)  # one query, not one each
        for key, (raw_key, unread, flagged, fields, blob) in zip(keys, ready):
            if key not in batch.new and key not in present:
                record = ArticleRecord(*fields)  # type: ignore[arg-type]
                # An alias (the story is stored under its twin's id): packed again here.
                batch.new[key] = (record, blob) if key == raw_key else (record.with_changes(id=key), None)
            if not unread:
                batch.read.append(key)
            if flagged:
                batch.starred.append(key)
        return batch


async def _write(store: Store, change: Change, converted: _Converted, aliases: Mapping[str, str],
                 totals: Counter[str]) -> None:
    without_link, ready = converted
    totals["without_link"] += without_link
    batch = _Batch.sort(ready, store, aliases)  # now: the batches before it are stored
    # Marks first: the new articles' index rows are then written with them, in one go.
    for mark, number in _mark(store, change, batch).items():
        totals[mark] += number
    store.put_articles([record for record, _ in batch.new.values()],
                       packed={key: blob for key, (_, blob) in batch.new.items() if blob is not None})
    totals["stored"] += len(batch.new)


def _record(key: str, item: _CachedItem, feed: Feed | None, now: float,
            summary: str) -> ArticleRecord:
    published = item.published if 0 < item.published <= now + 86_400 else now
    return ArticleRecord(
        id=key, url=item.url, title=sanitize_line(item.title) or sanitize_line(item.url),
        site=site_of(item.url), published=published, fetched=now,
        feeds=(feed.url,) if feed else (), feed_tags=feed.tags if feed else (),
        byline=sanitize_line(item.author, 200), summary=summary, status="summary")


def _mark(store: Store, change: Change, batch: _Batch) -> Counter[str]:
    """Add the read/starred marks the articles lack, one write per kind of change.

    Articles about to be stored from the cache have no marks yet, so only the others are
    looked up. Returns how many articles got each mark.
    """
    wanted: dict[str, set[str]] = {}
    for mark, ids in (("read", batch.read), ("starred", batch.starred)):
        for key in ids:
            wanted.setdefault(key, set()).add(mark)
    groups: dict[tuple[str, ...], list[str]] = {}
    states = store.get_states([key for key in wanted if key not in batch.new])
    for key, marks in wanted.items():
        if key in states:
            marks = {mark for mark in marks if not getattr(states[key], mark)}
        if marks:
            groups.setdefault(tuple(sorted(marks)), []).append(key)
    added = Counter[str]()
    for fields, keys in groups.items():
        change(keys, **dict.fromkeys(fields, True))
        for mark in fields:
            added[mark] += len(keys)
    return added


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
