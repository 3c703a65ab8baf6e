"""Text measured the way a terminal draws it: in cells, not characters.

A CJK character or an emoji takes two cells, a combining accent none, a family emoji joined by
ZWJ is one glyph of two cells; ``len()`` gets all of these wrong, so columns drift and a cut can
split a glyph. Widths come from ``wcwidth`` (grapheme-aware, current Unicode tables, the rules
terminals implement); everything here is a pure function of strings.

Line breaking follows the everyday rules of Japanese and Chinese typesetting (kinsoku shori,
JIS X 4051): a line may break between any two ideographs or kana, but never *before* a closing
bracket, a full stop, a comma, a small kana or a prolonged-sound mark, and never *after* an
opening bracket. Latin text breaks at spaces as usual; a word longer than the line is folded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

ELLIPSIS = "…"
TAB_SIZE = 8
_FIRST_WIDE = "\u1100"  # Hangul Jamo: the first character a terminal draws two cells wide

# Characters that must not start a line (closing brackets and quotes, stops, commas, middle
# dots, iteration and prolonged-sound marks, small kana, and their Latin look-alikes).
NO_START = frozenset(
    ")]}）］｝〕〉》」』】〙〗〟’”｠»›"
    "‐゠–〜～"
    "?!‼⁇⁈⁉？！"
    "・:;：；,.、。，．"
    "ヽヾゝゞ々〻ー"
    "ァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎゕゖㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
    "\u3099\u309a゛゜"
    "…‥%‰℃％"
)
# Characters that must not end a line (opening brackets and quotes).
NO_END = frozenset("([{（［｛〔〈《「『【〘〖〝‘“｟«‹")

# Scripts written without spaces between words: a line may break between any two of these.
_IDEOGRAPHIC = (
    "\u1100-\u115f"  # Hangul Jamo (leading)
    "\u2e80-\u303f"  # CJK radicals, Kangxi, ideographic description, CJK symbols and punctuation
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3100-\u31ff"  # Bopomofo, Hangul compatibility Jamo, Kanbun, CJK strokes, Katakana ext.
    "\u3200-\u4dbf"  # enclosed CJK, CJK compatibility, CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\ua960-\ua97f\uac00-\ud7ff"  # Hangul
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\ufe30-\ufe4f"  # CJK compatibility forms
    "\uff00-\uffef"  # half- and fullwidth forms
    "\U00020000-\U0003ffff"  # CJK extensions B-H
)


# Imported and compiled on first use: sanitize_line() is on the path of every feed parse in a
# freshly spawned worker, and ASCII text never needs them (60 ms of import under load).
@cache
def _wcwidth() -> Any:
    import wcwidth

    return wcwidth


@cache
def _token() -> re.Pattern[str]:
    """One ideograph (a break may follow it), a run of spaces, or a run of anything else
    (a Latin word with its punctuation, an emoji sequence, a URL)."""
    return re.compile(f"[{_IDEOGRAPHIC}]|[ \t]+|[^ \t{_IDEOGRAPHIC}]+")


@cache
def _ideograph() -> re.Pattern[str]:
    return re.compile(f"[{_IDEOGRAPHIC}]")


def cells(text: str) -> int:
    """How many terminal cells ``text`` takes (one line; tabs to stops of ``TAB_SIZE``)."""
    if text.isascii() and text.isprintable():
        return len(text)
    if len(text) <= 4:  # a glyph or two: line breaking asks for these over and over
        return _few_cells(text)
    return max(0, int(_wcwidth().width(text, tabsize=TAB_SIZE)))


@cache
def _few_cells(text: str) -> int:
    return max(0, int(_wcwidth().width(text, tabsize=TAB_SIZE)))


def iter_graphemes(text: str) -> Iterator[str]:
    """The glyphs of ``text`` as the user sees them (a letter with its accents, a joined emoji)."""
    return iter(_wcwidth().iter_graphemes(text))


def truncate(text: str, limit: int, ellipsis: str = ELLIPSIS) -> str:
    """``text`` cut to at most ``limit`` cells, ending in ``ellipsis`` when cut; never splits
    a glyph (a wide character, an accent from its letter, a joined emoji)."""
    if len(text) <= limit and (not text or max(text) < _FIRST_WIDE):
        return text  # no glyph below U+1100 is wide: fits, measured without the width tables
    if cells(text) <= limit:
        return text
    room = limit - cells(ellipsis)
    if room < 0:
        return ""
    return clip(text, room).rstrip() + ellipsis


def clip(text: str, limit: int) -> str:
    """The longest start of ``text`` that fits in ``limit`` cells (whole glyphs only)."""
    if text.isascii():
        return text[:limit]
    used = 0
    end = 0
    for glyph in iter_graphemes(text):
        size = cells(glyph)
        if used + size > limit:
            break
        used += size
        end += len(glyph)
    return text[:end]


def pad(text: str, size: int, align: str = "<") -> str:
    """``text`` padded with spaces to ``size`` cells; ``align`` is ``<``, ``>`` or ``^``."""
    missing = max(0, size - cells(text))
    if align == ">":
        return " " * missing + text
    if align == "^":
        return " " * (missing // 2) + text + " " * (missing - missing // 2)
    return text + " " * missing


def fit(text: str, size: int, align: str = "<") -> str:
    """``text`` in exactly ``size`` cells: truncated with an ellipsis, or padded."""
    return pad(truncate(text, size), size, align)


def has_ideographs(text: str) -> bool:
    """Whether ``text`` has CJK (or other spaceless-script) characters needing our breaker."""
    return _ideograph().search(text) is not None


# -- line breaking ---------------------------------------------------------------------------

def line_spans(text: str, size: int) -> list[tuple[int, int]]:
    """Where to cut ``text`` into lines of at most ``size`` cells: ``(start, end)`` per line.

    ``text[start:end]`` is each line without the spaces at the break; newlines in ``text``
    always break. Breaks fall at spaces, between ideographs, and inside a word only when the
    word alone is wider than the line; never before a ``NO_START`` or after a ``NO_END``
    character when another break on the line is possible.
    """
    size = max(1, size)
    spans: list[tuple[int, int]] = []
    offset = 0
    for paragraph in text.split("\n"):
        spans.extend((offset + start, offset + end) for start, end in _break_paragraph(paragraph, size))
        offset += len(paragraph) + 1
    return spans


def wrap(text: str, size: int) -> list[str]:
    """``text`` as lines of at most ``size`` cells (see ``line_spans``)."""
    return [text[start:end] for start, end in line_spans(text, size)]


def _break_paragraph(text: str, size: int) -> list[tuple[int, int]]:
    if cells(text) <= size:
        return [(0, len(text.rstrip(" \t")))]
    # Cut the paragraph into units that must stay on one line: a break is allowed only
    # between two units. Each unit is its content and the spaces after it.
    cuts = [0]
    previous = ""
    for found in _token().finditer(text):
        token = found.group()
        if token[0] in " \t":
            previous = " "
            continue
        if found.start() > 0 and _may_break(previous, token):
            cuts.append(found.start())
        previous = token[-1]
    cuts.append(len(text))
    lines: list[tuple[int, int]] = []
    start, end, used = -1, 0, 0  # the line being filled: where it starts, ends, its width
    for unit_start, unit_end in zip(cuts, cuts[1:]):
        unit = text[unit_start:unit_end]
        content = unit.rstrip(" \t")
        content_end = unit_start + len(content)
        content_cells = cells(content)
        if start >= 0 and used + content_cells <= size:
            end = content_end
            used += content_cells if content is unit or len(content) == len(unit) else cells(unit)
            continue
        if start >= 0:
            lines.append((start, end))
        start = unit_start
        while content_cells > size:  # a word wider than a line: fold it
            piece = _fold(text[start:content_end], size)
            lines.append((start, start + len(piece)))
            start += len(piece)
            content_cells = cells(text[start:content_end])
        end, used = content_end, cells(text[start:unit_end])
    if start >= 0 and end > start:
        lines.append((start, end))
    return lines or [(0, 0)]


def _may_break(before: str, token: str) -> bool:
    """A break is allowed before ``token`` after the character ``before``."""
    if token[0] in NO_START or before in NO_END:
        return False
    return before == " " or has_ideographs(before) or has_ideographs(token[0])


def _fold(word: str, size: int) -> str:
    """The start of an over-long ``word`` that fills one line (at least one glyph)."""
    piece = clip(word, size)
    if not piece:
        piece = next(iter_graphemes(word))
    elif len(piece) < len(word) and word[len(piece)] in NO_START and len(piece) > 1:
        shorter = clip(piece, cells(piece) - 1)
        piece = shorter or piece
    return piece


# -- code --------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CodeLine:
    """One screen line of a code block: ``source[start:end]`` drawn after ``indent`` cells."""

    start: int
    end: int
    indent: int
    continued: bool  # a wrapped continuation of the line above


def code_lines(source: str, size: int, *, hang: int = 2) -> list[CodeLine]:
    """A code block cut to ``size`` cells, each wrapped line continuing at its own indentation
    plus ``hang`` cells, so wrapped code never falls back to column 0. ``source`` should have
    its tabs expanded (``str.expandtabs(TAB_SIZE)``)."""
    size = max(4, size)
    result: list[CodeLine] = []
    offset = 0
    for line in source.split("\n"):
        body = line.lstrip(" ")
        indent = len(line) - len(body)
        start = offset + indent
        if indent >= size // 2:  # deeply indented: keep what fits, hang from half the width
            indent = size // 2
        room = size - indent
        if cells(body) <= room:
            result.append(CodeLine(start, start + len(body), indent, False))
        else:
            continued = False
            rest = body
            while rest:
                piece = clip(rest, room) or next(iter_graphemes(rest))
                if len(piece) < len(rest):  # prefer to wrap after a space in the line's second half
                    space = piece.rfind(" ")
                    if space >= len(piece) // 2:
                        piece = piece[: space + 1]
                result.append(CodeLine(start, start + len(piece), indent + (hang if continued else 0),
                                       continued))
                skipped = len(rest) - len(piece) - len(rest[len(piece):].lstrip(" "))
                start += len(piece) + skipped  # spaces at a wrap are dropped, as in prose
                rest = rest[len(piece) + skipped:]
                if not continued:
                    continued = True
                    room = max(1, size - indent - hang)
        offset += len(line) + 1
    return result


# -- tables ------------------------------------------------------------------------------------

TABLE_GAP = 2  # cells between two columns


def column_widths(rows: Sequence[Sequence[str]], size: int, *, gap: int = TABLE_GAP,
                  min_column: int = 6) -> list[int] | None:
    """Widths for the columns of ``rows`` so the table fits ``size`` cells, or None when it
    cannot (show it row by row instead).

    Columns get their natural width when the table fits; otherwise the widest columns are
    narrowed (their cells wrap at spaces), never below ``min_column`` or their longest word.
    """
    count = max((len(row) for row in rows), default=0)
    if count == 0:
        return None
    natural = [max((cells(row[i]) if i < len(row) else 0 for row in rows), default=0)
               for i in range(count)]
    room = size - gap * (count - 1)
    if sum(natural) <= room:
        return natural
    # A column is never narrower than its longest word (up to ``MAX_WORD`` cells: a URL may
    # fold): a table that cuts numbers and names in half reads worse than row by row.
    floor = [max(min(n, min_column), min(MAX_WORD, _longest_unit_of(rows, i))) for i, n in enumerate(natural)]
    if sum(floor) > room:
        return None
    return _narrow(natural, floor, room)


MAX_WORD = 20


def _longest_unit_of(rows: Sequence[Sequence[str]], column: int) -> int:
    return max((_longest_unit(row[column]) for row in rows if column < len(row)), default=0)


def _narrow(natural: list[int], floor: list[int], room: int) -> list[int]:
    """Take cells from the widest columns (never below ``floor``) until the sum is ``room``."""
    widths = list(natural)
    while sum(widths) > room:
        shrinkable = [i for i in range(len(widths)) if widths[i] > floor[i]]
        widest = max(shrinkable, key=lambda i: widths[i])
        others = [widths[i] for i in shrinkable if i != widest]
        step = max(1, min(sum(widths) - room, widths[widest] - max(others, default=0)))
        widths[widest] = max(floor[widest], widths[widest] - step)
    return widths


def _longest_unit(text: str) -> int:
    """The widest piece of ``text`` that its lines cannot break inside (a word, a number)."""
    return max((cells(word) for word in text.split() if not has_ideographs(word)), default=2 if text else 0)
