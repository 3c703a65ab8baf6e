"""Pathological pages finish, and extraction stays pure."""

from __future__ import annotations

import time

import pytest

from tui.core.errors import ExtractionError
from tui.core.extract import extract

GENEROUS_SECONDS = 10.0  # only to catch a hang; the benchmark measures speed


def run(html: str | bytes) -> None:
    started = time.monotonic()
    try:
        extract(html, "https://example.com/a")
    except ExtractionError:
        pass
    assert time.monotonic() - started < GENEROUS_SECONDS


def test_ten_megabytes() -> None:
    run("<html><body><article>" + "<p>" + "word " * 2_000_000 + "</p></article></body></html>")


def test_many_paragraphs() -> None:
    run("<html><body>" + "<p>A short paragraph of text.</p>" * 300_000 + "</body></html>")


def test_deep_nesting() -> None:
    run("<html><body>" + "<div>" * 100_000 + "deep text" + "</div>" * 100_000 + "</body></html>")


def test_deep_inline_nesting() -> None:
    run("<html><body><p>" + "<span><b>" * 50_000 + "deep" + "</b></span>" * 50_000 + "</p></body></html>")


def test_huge_json_ld_and_many_metas() -> None:
    head = "<meta name='keywords' content='a'>" * 20_000
    script = "<script type='application/ld+json'>[" + ",".join(["{\"@type\":\"Thing\"}"] * 50_000) + "]</script>"
    run(f"<html><head>{head}{script}</head><body><p>Some text in the body of the page here.</p></body></html>")


@pytest.mark.parametrize("junk", ["<", "<<<>>>" * 1000, "<html", "</p>" * 10_000, "\x00" * 100 + "<p>x</p>"])
def test_malformed_markup_never_crashes(junk: str) -> None:
    run(junk)

