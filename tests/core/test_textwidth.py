"""Display width, truncation, kinsoku line breaking, code wrapping and table columns."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.textwidth import (NO_END, NO_START, cells, clip, code_lines, column_widths, fit,
                                line_spans, pad, truncate, wrap)

JAPANESE = ("熊本の半導体新工場が量産開始。「人材確保が課題だ」と社長（５８）は語った。"
            "地元の高専や大学との連携を強める方針で、来年度には研修施設も開く予定だという。")
CHINESE = "三万册古籍“上线”：苏州一家图书馆用十年时间完成数字化（约三百万页），读者可在线阅读。"


@pytest.mark.parametrize("text,expected", [
    ("abc", 3), ("日本語", 6), ("한국어", 6), ("ＡＢＣ", 6), ("ｱｲｳ", 3), ("e\u0301", 1),
    ("👍", 2), ("👨\u200d👩\u200d👧", 2), ("\u200b", 0), ("", 0), ("·…", 2),
])
def test_cells_counts_what_the_terminal_draws(text: str, expected: int) -> None:
    assert cells(text) == expected


def test_truncate_by_cells_with_an_ellipsis_never_splitting_a_glyph() -> None:
    assert truncate("テックウォッチ日報", 7) == "テック…"
    assert cells(truncate("テックウォッチ日報", 8)) <= 8
    assert truncate("short", 10) == "short"
    assert truncate("e\u0301e\u0301e\u0301e\u0301", 3) == "e\u0301e\u0301…"
    assert truncate("👨\u200d👩\u200d👧👨\u200d👩\u200d👧", 3) == "👨\u200d👩\u200d👧…"
    assert clip("日本語", 3) == "日"


def test_pad_and_fit_make_columns_line_up() -> None:
    column = [fit(name, 10) for name in ("Ars", "テックウォッチ日報", "云帆新闻", "Le Courrier du Matin")]
    assert [cells(c) for c in column] == [10, 10, 10, 10]
    assert pad("日本", 6, ">") == "  日本" and pad("日本", 7, "^") == " 日本  "


def _check_kinsoku(lines: list[str]) -> None:
    for line in lines:
        assert line[:1] not in NO_START, f"line starts with {line[:1]!r}: {lines}"
        assert line[-1:] not in NO_END, f"line ends with {line[-1:]!r}: {lines}"


@pytest.mark.parametrize("text", [JAPANESE, CHINESE])
@pytest.mark.parametrize("size", range(8, 41))
def test_cjk_lines_fit_and_obey_kinsoku(text: str, size: int) -> None:
    lines = wrap(text, size)
    assert "".join(lines) == text  # nothing lost, nothing added (CJK has no spaces to drop)
    assert all(cells(line) <= size for line in lines)
    _check_kinsoku(lines)
    assert len(lines) <= cells(text) // (size - 3) + 1  # lines are filled, not broken early


def test_kinsoku_pulls_the_character_before_a_closing_bracket_down() -> None:
    # 12 cells fit "こんにちは」" only without the bracket: the bracket never starts a line.
    lines = wrap("「こんにちは」と言った。", 12)
    assert lines == ["「こんにち", "は」と言っ", "た。"]  # also: small っ stays with 言


def test_latin_text_breaks_at_spaces_and_folds_only_overlong_words() -> None:
    assert wrap("The quick brown fox jumps over the lazy dog", 10) == [
        "The quick", "brown fox", "jumps over", "the lazy", "dog"]
    lines = wrap("see https://example.org/a/very/long/path/that/never/ends ok", 12)
    assert all(cells(line) <= 12 for line in lines) and lines[0] == "see" and lines[-1].endswith("ok")


def test_mixed_scripts_break_between_ideographs_and_words() -> None:
    lines = wrap("東京で Textual 8.2 のアプリ（TUI）を書いた。", 12)
    assert all(cells(line) <= 12 for line in lines)
    assert any("Textual" in line for line in lines)  # the word stays whole
    _check_kinsoku(lines)


def test_newlines_always_break_and_spans_point_into_the_text() -> None:
    text = "一行目\n二行目は長いので折り返されます"
    spans = line_spans(text, 10)
    assert [text[a:b] for a, b in spans][0] == "一行目"
    assert all(0 <= a <= b <= len(text) for a, b in spans)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("日本語のテキスト「」（）。、ab cde-\n") + ["👍", "e\u0301"]),
                max_size=120).map("".join),
       st.integers(min_value=2, max_value=40))
def test_any_text_wraps_within_the_width(text: str, size: int) -> None:
    for line in wrap(text, size):
        assert cells(line) <= size


def test_code_keeps_its_indentation_when_it_wraps() -> None:
    source = "def f():\n        return some_function(argument_one, argument_two, argument_three)"
    lines = code_lines(source, 30)
    assert lines[0].indent == 0 and source[lines[0].start:lines[0].end] == "def f():"
    body = lines[1:]
    assert len(body) > 1 and body[0].indent == 8 and not body[0].continued
    assert all(line.continued and line.indent == 10 for line in body[1:])  # never column 0
    assert all(line.indent + cells(source[line.start:line.end]) <= 30 for line in lines)
    joined = " ".join(source[line.start:line.end].strip() for line in body)
    assert joined.replace(" ", "") == source.split("\n")[1].replace(" ", "")  # nothing lost


def test_code_with_wide_characters_stays_inside_the_width() -> None:
    source = "    print('熊本の半導体新工場が量産開始、人材確保が課題')"
    for line in code_lines(source, 20):
        assert line.indent + cells(source[line.start:line.end]) <= 20 and line.indent >= 4


def test_table_columns_fit_or_give_up() -> None:
    rows = [["City", "人口", "Area"], ["東京", "14,000,000", "2,194 km²"], ["Kota Bandung", "2,500,000", "167"]]
    natural = column_widths(rows, 80)
    assert natural == [12, 10, 9]
    narrow = column_widths(rows, 30)
    assert narrow is not None and sum(narrow) + 2 * 2 <= 30
    assert narrow[1] == 10  # the numbers stay whole; "Kota Bandung" and "2,194 km²" wrap instead
    assert column_widths(rows, 12) is None  # three columns of >= 6 cells cannot fit in 12
