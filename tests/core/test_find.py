"""Find in the article over laid-out lines: case, accents, CJK, and phrases over a line break."""

from __future__ import annotations

from tui.core.find import find_all


def spans(lines: list[str], query: str) -> list[list[tuple[int, int, int]]]:
    return [list(match.pieces) for match in find_all(lines, query)]


def test_case_and_accents_are_ignored_for_latin_letters() -> None:
    lines = ["Le Café de Flore", "un café, deux CAFÉS"]
    assert spans(lines, "cafe") == [[(0, 3, 7)], [(1, 3, 7)], [(1, 14, 18)]]
    assert spans(lines, "CAFÉ") == spans(lines, "cafe")
    # an accent stored as a combining mark is found by the precomposed letter, accent and all
    assert spans(["cafe\u0301 noir"], "café") == [[(0, 0, 5)]]


def test_a_phrase_runs_over_a_line_break() -> None:
    lines = ["the quick brown", "fox jumps"]
    assert spans(lines, "brown fox") == [[(0, 10, 15), (1, 0, 3)]]
    assert spans(lines, "brown   fox") == spans(lines, "brown fox")
    assert spans(lines, "brownfox") == []


def test_cjk_is_matched_as_written_and_over_a_break_without_a_space() -> None:
    lines = ["熊本県菊陽町に建設された半", "導体の新工場が、半導体を"]
    assert spans(lines, "半導体") == [[(0, 12, 13), (1, 0, 2)], [(1, 8, 11)]]
    # a voiced kana is another kana: か does not find が
    assert spans(["がっこう"], "か") == []
    assert spans(["반도체 수출"], "반도") == [[(0, 0, 2)]]
    assert spans(["반도체 수출"], "바") == []


def test_nothing_for_an_empty_query_and_no_overlaps() -> None:
    assert find_all(["aaaa"], "  ") == []
    assert spans(["aaaa"], "aa") == [[(0, 0, 2)], [(0, 2, 4)]]


def test_text_stays_text() -> None:
    # brackets that look like markup are just characters to find
    assert spans(["press [b]bold[/b] or [@click=app.quit]"], "[@click") == [[(0, 21, 28)]]
