"""Properties of ``sanitize()``/``sanitize_line()``: the one gate between web text and a terminal."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.textwidth import cells
from tui.core.sanitize import sanitize, sanitize_line

_BAD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029"
                  "\u200e\u200f\u061c\ud800-\udfff\x1b\r]")
_PIECES = st.sampled_from(["\x1b", "\x1b[", "\x1b]", "\x1b\\", "\x07", "\x9b", "\x9d", "\x90", "\x9c",
                           "[2J", "]0;", "52;c;", "\u202e", "\u2066", "\u200f", "\ud800", "\udfff",
                           "\r", "\r\n", "\n", "\t", "\x00", "\x7f", "\x85", "a", "é", "漢", " ",
                           "\U0001F600", "\u200d", "m", ";", "P", "X", "^", "_"])
TEXT = st.one_of(st.text(max_size=200), st.lists(_PIECES, max_size=60).map("".join))


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_output_has_nothing_a_terminal_would_act_on(text: str) -> None:
    out = sanitize(text)
    assert not _BAD.search(out), repr(out)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_idempotent(text: str) -> None:
    once = sanitize(text)
    assert sanitize(once) == once
    line = sanitize_line(text, 50)
    assert sanitize_line(line, 50) == line


@settings(max_examples=300, deadline=None)
@given(TEXT, st.integers(min_value=1, max_value=400))
def test_line_is_one_bounded_line(text: str, limit: int) -> None:
    line = sanitize_line(text, limit)
    # Bounded in terminal cells (a CJK character is two) and, against piles of zero-width
    # marks, in characters too.
    assert "\n" not in line and "\t" not in line and cells(line) <= limit and len(line) <= 2 * limit
    assert not _BAD.search(line)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_the_clean_text_shortcut_changes_nothing(text: str) -> None:
    """``sanitize`` skips its passes for text with no suspect character; the result is the one
    every pass gives."""
    from tui.core import sanitize as module

    full = module._SURROGATE.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))
    full = module._FORBIDDEN.sub("", module._ESCAPE_SEQUENCE.sub("", full))
    assert sanitize(text) == full


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Cf", "Zl", "Zp")), max_size=200))
def test_ordinary_text_is_untouched(text: str) -> None:
    assert sanitize(text) == text


def test_known_attacks() -> None:
    for attack, kept in [
        ("a\x1b]0;pwned\x07b", "ab"), ("a\x1b]52;c;ZXZpbA==\x1b\\b", "ab"),
        ("a\x1b]8;;https://evil\x1b\\link\x1b]8;;\x1b\\b", "alinkb"), ("a\x1b[2J\x1b[Hb", "ab"),
        ("a\x9b31mb", "ab"), ("a\x00b", "ab"), ("a\u202eb", "ab"), ("a\ud800b", "a\ufffdb"),
        ("unterminated \x1b]0;eats the rest", "unterminated "), ("a\u200fb\u061c", "ab"),
    ]:
        assert sanitize(attack) == kept, attack


def test_long_hostile_input_is_linear() -> None:
    import time

    for text in ("\x1b]" * 200_000, "\x1b[" + "1;" * 200_000, "\x9d" * 200_000 + "x",
                 ("\x1b]0;" + "a" * 10 + "\x07") * 50_000):
        started = time.monotonic()
        sanitize(text)
        assert time.monotonic() - started < 1.0
