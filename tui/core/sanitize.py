"""Make text from the web safe to store and to show in a terminal.

Everything from a feed, page, OPML file or the cache passes through ``sanitize()`` before it is
stored or shown: escape sequences could retitle or clear the terminal (OSC 0, CSI 2J), copy to
the clipboard (OSC 52) or fake links (OSC 8); C1 bytes act as escapes on some terminals; bidi
overrides make a URL read differently from what it is; a lone surrogate makes SQLite and
diskcache raise on write; zero-width characters make two titles look alike that are not.

A lone C1 control (often a cp1252 byte read as latin-1, U+009D) is removed on its own: an 8-bit
string sequence is only removed whole when its terminator is there, so a stray byte cannot take
the rest of the page with it.
"""

from __future__ import annotations

import re

from .textwidth import truncate

# ESC followed by a CSI, OSC/DCS/APC/PM/SOS string, or a single-character sequence.
_ESCAPE_SEQUENCE = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]?            # CSI ... final byte
    | \x1b[\]PX^_].*?(?:\x07|\x1b\\|$)  # OSC, DCS, SOS, PM, APC ... BEL or ST
    | [\x90\x98\x9d\x9e\x9f][^\x00-\x1f\x7f-\x9f]*+(?:\x07|\x9c|\x1b\\)  # 8-bit ones, if terminated
    | \x9b[0-?]*[ -/]*[@-~]?            # 8-bit CSI
    | \x1b[ -/]*[0-~]?                  # any other escape
    """,
    re.VERBOSE | re.DOTALL,
)
# C0 controls except tab and newline, DEL, C1 controls, bidi embeddings/overrides/isolates and
# marks (LRM, RLM, ALM: invisible, and enough to make a URL read differently), and the
# line/paragraph separators that some terminals treat as newlines, and the invisible word joiner
# and zero-width no-break space (a BOM inside text), which no script needs.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\u2028\u2029\ufeff]")
# Zero-width space, non-joiner and joiner: invisible inside a title or name, so two that look the
# same can differ (spoofing). Body text keeps them (scripts and emoji need the joiners; a zero-width
# space is a line-break hint); one-line fields drop them.
_ZERO_WIDTH = re.compile("[\u200b-\u200d]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Every character that _SURROGATE, _ESCAPE_SEQUENCE or _FORBIDDEN acts on (escape sequences start with ESC or a C1
# control): a text without any of them is clean as it is, which one scan tells.
_SUSPECT = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\u2028\u2029\ufeff\ud800-\udfff]")
_WHITESPACE = re.compile(r"\s+")

TITLE_LIMIT = 300


def sanitize(text: str | None) -> str:
    """Return ``text`` without anything that could act on a terminal; newlines and tabs stay."""
    if not text:
        return ""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not _SUSPECT.search(text):  # most text: one scan instead of three passes
        return text
    text = _SURROGATE.sub("\ufffd", text)
    if _FORBIDDEN.search(text):  # every escape sequence starts with a forbidden character
        text = _FORBIDDEN.sub("", _ESCAPE_SEQUENCE.sub("", text))
    return text


def sanitize_line(text: str | None, limit: int = TITLE_LIMIT) -> str:
    """Sanitise to one line of at most ``limit`` terminal cells (titles, names, tags); a CJK
    character counts two, and a cut never splits a character from its accent."""
    line = _WHITESPACE.sub(" ", _ZERO_WIDTH.sub("", sanitize(text))).strip()
    if len(line) > limit // 2:  # cheap test first: no line this short can be too wide
        line = truncate(line, limit)
        if len(line) > 2 * limit:  # zero-width marks piled up: bound the length as well
            line = line[: 2 * limit]
    return line
