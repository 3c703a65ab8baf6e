"""Find in the article: where a typed phrase occurs in the lines the reader shows.

The reader has laid the article out in lines; a phrase may run over a line break (where the
wrap took a space away, or, in Chinese and Japanese, nothing), so the lines are searched as one
text with each break read as a space between words and as nothing between wide characters.
Matching ignores case and, for Latin, Greek and Cyrillic letters, accents ("cafe" finds "Café");
other scripts are matched as written (a kana with its voicing mark is another kana).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Match:
    """One occurrence: per line it touches, ``(line, start, end)`` in characters of that line."""

    pieces: tuple[tuple[int, int, int], ...]

    @property
    def line(self) -> int:
        return self.pieces[0][0]


@lru_cache(maxsize=4096)
def _fold(char: str) -> str:
    """What ``char`` matches as: lower case, accents off for the scripts that write them."""
    if char.isspace():
        return " "
    if unicodedata.combining(char):
        return ""  # an accent typed or stored apart from its letter
    code = ord(char)
    if code < 0x0590 or 0x1E00 <= code < 0x2000:  # Latin, Greek, Cyrillic (and extensions)
        base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
        return (base or char).casefold()
    return char.casefold()


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def fold_query(query: str) -> str:
    """The query as the text is folded: case, accents and runs of spaces."""
    return " ".join("".join(_fold(c) for c in query).split())


def find_all(lines: Sequence[str], query: str) -> list[Match]:
    """Every occurrence of ``query`` in ``lines``, in order, not overlapping."""
    wanted = fold_query(query)
    if not wanted:
        return []
    folded: list[str] = []
    where: list[tuple[int, int]] = []  # (line, column) of the character each folded one came from
    for number, line in enumerate(lines):
        if number and folded:
            previous = lines[number - 1]
            joiner = "" if (previous and _wide(previous[-1])) or (line and _wide(line[0])) else " "
            if joiner and folded[-1] != " ":
                folded.append(" ")
                where.append((number, 0))
        for column, char in enumerate(line):
            for piece in _fold(char):
                if piece == " " and folded and folded[-1] == " ":
                    continue
                folded.append(piece)
                where.append((number, column))
    text = "".join(folded)
    matches: list[Match] = []
    start = text.find(wanted)
    while start >= 0:
        end = start + len(wanted)
        first_line, first_column = where[start]
        last_line, last_column = where[end - 1]
        tail = lines[last_line]
        while last_column + 1 < len(tail) and unicodedata.combining(tail[last_column + 1]):
            last_column += 1  # the accent on the last letter is part of the match
        pieces = []
        for number in range(first_line, last_line + 1):
            begin = first_column if number == first_line else 0
            stop = last_column + 1 if number == last_line else len(lines[number])
            if stop > begin:
                pieces.append((number, begin, stop))
        if pieces:
            matches.append(Match(tuple(pieces)))
        start = text.find(wanted, end)
    return matches
