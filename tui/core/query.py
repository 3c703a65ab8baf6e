"""The filter language of the ``/`` prompt, saved filters and ``warta list``.

    bare words, "quoted phrases"   full-text search over title and body (ranked); a bare word
                                   of 4+ letters also matches as a prefix (compil -> compiler)
    +tag  -tag  tag:name           with / without a tag (any kind: feed, page, user)
    site:  feed:  lang:            site name or host, feed URL or name, language code
    is:unread|read|starred|unstarred|full|summary|failed
    is:new                         arrived since the last session (see ``Library.new_since``)
    since:7d (h, d, w, m, y)  after:2024-01-01  before:2024-02-01

Everything combines with AND. A filter compiles to a SQL condition over the list index; a
malformed one raises ``FilterError`` pointing at the bad token, so the old filter can stay.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from .errors import FilterError
from .sanitize import sanitize

DEFAULT_ORDER = "a.published DESC, a.rowid DESC"
# The list orders (``SortOrder``), each an ORDER BY the index runs: never a Python sort of
# 100,000 rows. "rank" is the search's own order (best match first); without a search it is
# newest first.
SORTS = {
    "newest": DEFAULT_ORDER,
    "oldest": "a.published ASC, a.rowid ASC",
    "feed": "a.feeds, " + DEFAULT_ORDER,
    "unread": "a.read, " + DEFAULT_ORDER,
    "rank": DEFAULT_ORDER,
}
SORT_NAMES = ("newest", "oldest", "feed", "unread")  # the cycle; "rank" joins it when searching
RANK_LIMIT = 10_000  # beyond this many hits: title matches first, then newest (see _search_join)
PREFIX_MIN = 4  # shorter bare words match whole words only (see _fts_phrase)
_KEYS = ("tag", "site", "feed", "lang", "is", "since", "after", "before")
_IS = {
    "unread": "a.read = 0",
    "read": "a.read = 1",
    "starred": "a.starred = 1",
    "unstarred": "a.starred = 0",
    "full": "a.status = 'full'",
    "summary": "a.status = 'summary'",
    "failed": "a.status = 'failed'",
}
_EXAMPLES = {"tag": "news", "site": "example.com", "feed": "name", "lang": "en", "is": "unread",
             "since": "7d", "after": "2024-01-31", "before": "2024-01-31"}
_UNITS = {"h": 3600, "d": 86400, "w": 7 * 86400, "m": 30 * 86400, "y": 365 * 86400}
_TOKEN = re.compile(r'\s*(?:([+-]?)(?:([a-z]+):)?("(?:[^"]*)"?|[^\s"]+))')


@dataclass(frozen=True, slots=True)
class Term:
    """One token: ``sign`` is "+", "-" or ""; ``key`` is e.g. "site" or "" for text."""

    sign: str
    key: str
    value: str
    position: int
    quoted: bool = False


@dataclass(frozen=True, slots=True)
class CompiledFilter:
    """A filter the list index understands (its SQL stays between this module and the index),
    and the search words to highlight in the reader."""

    text: str = ""
    sql: str = "1"
    params: tuple[object, ...] = ()
    joins: str = ""
    order_by: str = DEFAULT_ORDER
    search_terms: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return self.sql == "1" and not self.joins


EVERYTHING = CompiledFilter()


def sorted_by(where: CompiledFilter, sort: str) -> CompiledFilter:
    """``where`` listed in the order ``sort`` names (one of ``SORTS``)."""
    if sort not in SORTS:
        raise FilterError(f"unknown sort {sort!r} (known: {', '.join(SORTS)})")
    order = SORTS[sort]
    if where.joins == _SEARCH_JOIN:
        order = ("s.score, " + DEFAULT_ORDER) if sort == "rank" else order
    return replace(where, order_by=order)


def next_sort(sort: str, *, searching: bool) -> str:
    """The sort after ``sort`` in the cycle (with "rank" in it while searching)."""
    cycle = (*SORT_NAMES, "rank") if searching else SORT_NAMES
    return cycle[(cycle.index(sort) + 1) % len(cycle)] if sort in cycle else cycle[0]


def kept_until(cutoff: float, *, starred: bool | None = None) -> CompiledFilter:
    """Articles neither published nor fetched since ``cutoff`` (retention); ``starred`` picks
    only starred (True) or unstarred (False) ones."""
    sql = "max(a.published, a.fetched) < ?"
    if starred is not None:
        sql += f" AND a.starred = {int(starred)}"
    return CompiledFilter(sql=sql, params=(cutoff,))


def parse_filter(text: str) -> list[Term]:
    """Split a filter into terms; raise ``FilterError`` at the first malformed one."""
    terms: list[Term] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        found = _TOKEN.match(text, position)
        if found is None or found.end() == position:
            raise FilterError(f"cannot read the filter at column {position + 1}", position)
        sign, key, value = found.group(1), found.group(2) or "", found.group(3)
        start = found.start(1) if sign else (found.start(2) if key else found.start(3))
        if not key and value.endswith(":") and value[:-1].lower() in _KEYS:
            # "since:" with nothing after it (or a space before its value): not a word search
            raise FilterError(f"'{sign}{value}' needs a value right after the colon, like "
                              f"{value}{_EXAMPLES[value[:-1].lower()]} (column {start + 1})",
                              start, value)
        quoted = value.startswith('"')
        if quoted:
            if len(value) < 2 or not value.endswith('"'):
                raise FilterError(f"unclosed quote at column {start + 1}", start, value)
            value = value[1:-1]
        if key and key not in _KEYS:
            raise FilterError(
                f"unknown filter '{key}:' at column {start + 1} (known: "
                + " ".join(k + ":" for k in _KEYS) + ")", start, key + ":")
        if not value.strip() or (not quoted and not sign and value in ("+", "-")):
            sign = sign or value
            raise FilterError(f"'{sign}{key + ':' if key else ''}' needs a value at column {start + 1}",
                              start, sign + key)
        terms.append(Term(sign, key, value, start, quoted))
        position = found.end()
    return terms


FeedNames = Mapping[str, str] | Callable[[], Mapping[str, str]]


def compile_filter(text: str, *, feed_names: FeedNames | None = None,
                   now: float | None = None, new_since: float = 0.0) -> CompiledFilter:
    """Compile ``text``; ``feed_names`` maps lower-case feed names to URLs for ``feed:`` (or
    is a function giving them, called only when a ``feed:`` term needs them: reading 2,000
    feeds took 25 ms, too much for every filter). ``is:new`` lists the articles first stored
    after ``new_since`` (a Unix time)."""
    now = time.time() if now is None else now
    names: dict[str, Mapping[str, str]] = {}

    def known_names() -> Mapping[str, str]:
        if "names" not in names:
            names["names"] = (feed_names() if callable(feed_names) else feed_names) or {}
        return names["names"]
    text = sanitize(text)  # a NUL or a lone surrogate must never reach SQLite
    clauses: list[str] = []
    params: list[object] = []
    search: list[str] = []
    words: list[str] = []
    for term in parse_filter(text):
        key = term.key or ("tag" if term.sign else "")
        if key == "":
            search.append(_fts_phrase(term.value, prefix=not term.quoted))
            words.append(term.value)
            continue
        negate = term.sign == "-"
        clause, values = _clause(key, term, known_names, now, new_since)
        clauses.append(f"NOT ({clause})" if negate else clause)
        params.extend(values)
    joins = ""
    order_by = DEFAULT_ORDER
    if search:
        match = " ".join(search)
        joins = _SEARCH_JOIN
        params[:0] = [match, f"title : ({match})", match]
        order_by = "s.score, " + DEFAULT_ORDER
    return CompiledFilter(text=text.strip(), sql=" AND ".join(clauses) or "1", params=tuple(params),
                          joins=joins, order_by=order_by, search_terms=tuple(words))


def _clause(key: str, term: Term, feed_names: Callable[[], Mapping[str, str]], now: float,
            new_since: float) -> tuple[str, list[object]]:
    value = term.value
    if key == "tag":
        return "a.rowid IN (SELECT article FROM tags WHERE tag = ? COLLATE NOCASE)", [value]
    if key == "site":  # the site's name or the host of the article's URL
        pattern = f"%{_like(value)}%"
        return f"(a.site LIKE ? ESCAPE '\\' OR {_HOST} LIKE ? ESCAPE '\\')", [pattern, pattern]
    if key == "feed":
        urls = [url for name, url in feed_names().items() if value.lower() in name.lower()]
        clause = " OR ".join(["a.feeds LIKE ? ESCAPE '\\'"] * (1 + len(urls)))
        return f"({clause})", [f"%{_like(value)}%", *(f"%{_like(u)}%" for u in urls)]
    if key == "lang":
        return "(a.lang = ? COLLATE NOCASE OR a.lang LIKE ? ESCAPE '\\')", [value, _like(value) + "-%"]
    if key == "is":
        if value.lower() == "new":
            return "a.fetched > ?", [new_since]
        if value.lower() not in _IS:
            raise FilterError(f"is:{value} at column {term.position + 1} is not one of "
                              + ", ".join("is:" + k for k in (*_IS, "new")), term.position, value)
        return _IS[value.lower()], []
    if key == "since":
        found = re.fullmatch(r"(\d+)([hdwmy])", value.lower())
        if not found:
            raise FilterError(f"since:{value} at column {term.position + 1}: use a number and "
                              "h/d/w/m/y, like since:7d", term.position, value)
        return "a.published >= ?", [now - int(found.group(1)) * _UNITS[found.group(2)]]
    stamp = _date(value, term)
    return ("a.published >= ?" if key == "after" else "a.published < ?"), [stamp]


# The host of ``a.url``: between "://" and the next "/" (or the end).
_REST = "substr(a.url, instr(a.url, '://') + 3)"
_HOST = f"substr({_REST}, 1, instr({_REST} || '/', '/') - 1)"


def _date(value: str, term: Term) -> float:
    try:
        date = datetime.fromisoformat(value)
    except ValueError:
        raise FilterError(f"{term.key}:{value} at column {term.position + 1}: use a date like "
                          "2024-01-31", term.position, value) from None
    try:
        return date.timestamp()
    except (ValueError, OverflowError, OSError):  # a real date beyond what the clock counts
        return -math.inf if date.year < 1970 else math.inf


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# Ranking every hit by bm25 costs ~1.3 us a hit (45,000 hits of "the" in 100,000 articles:
# 60 ms, more than the rest of the query). Up to RANK_LIMIT hits they are ranked by bm25 (title
# weighs 4x); beyond, where a ranking means little, articles whose title matches come first,
# then the newest. The hit count is capped by LIMIT so that counting stops early; both
# uncorrelated subqueries run once, and only the CASE branch taken is evaluated.
_SEARCH_JOIN = (
    "JOIN (SELECT rowid AS hit, CASE"
    f" WHEN (SELECT count(*) FROM (SELECT 1 FROM search WHERE search MATCH ? LIMIT {RANK_LIMIT + 1}))"
    f" <= {RANK_LIMIT} THEN bm25(search, 4.0, 1.0)"
    " ELSE -(rowid IN (SELECT rowid FROM search WHERE search MATCH ?)) END AS score"
    " FROM search WHERE search MATCH ?) s ON +s.hit = a.rowid"
)
_SPACELESS = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _fts_phrase(value: str, *, prefix: bool) -> str:
    """A bare word or phrase as an FTS5 string (quotes doubled), prefix-matching bare words.

    Only a last word of PREFIX_MIN letters or more matches as a prefix: "the*" merges the
    doclists of the, them, there, they... (5x slower than "the") and "a*" matches everything.
    Scripts written without spaces (CJK) are one token per run, so there short words stay
    prefixes.
    """
    quoted = '"' + value.replace('"', '""') + '"'
    last = re.search(r"\w+$", value)
    if prefix and last and (len(last.group()) >= PREFIX_MIN or _SPACELESS.search(last.group())):
        return quoted + "*"
    return quoted
