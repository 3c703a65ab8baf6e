"""Blocks: kinds, link spans without markers, images, whitespace, sanitising."""

from __future__ import annotations

import lxml.html

from tui.core.extract import extract
from tui.core.extract.blocks import to_blocks
from tui.core.models import Block

from extract_helpers import LOREM, page


def blocks_of(body: str) -> tuple[tuple[Block, ...], tuple[str, ...]]:
    article = extract(page(body), "https://example.com/news/1")
    return article.blocks, article.links


def test_links_are_spans_not_markers() -> None:
    blocks, links = blocks_of(
        f"<p>{LOREM} See <a href='/report.pdf'>the full report</a> and <a href='https://other.org/x'>"
        f"this page</a>, or <a href='/report.pdf'>the report again</a>.</p>")
    block = next(b for b in blocks if "full report" in b.text)
    assert "[" not in block.text
    spans = [(block.text[a:b], links[n - 1]) for a, b, n in block.links]
    assert spans == [("the full report", "https://example.com/report.pdf"), ("this page", "https://other.org/x"),
                     ("the report again", "https://example.com/report.pdf")]


def test_link_numbers_follow_reading_order_after_cleanup() -> None:
    blocks, links = blocks_of(f"<p>Baca Juga: <a href='/x'>Other story</a></p><p>{LOREM} <a href='/y'>y</a></p>")
    assert links == ("https://example.com/y",)
    assert [n for b in blocks for _, _, n in b.links] == [1]


def test_image_block() -> None:
    blocks, links = blocks_of(f"<p>{LOREM}</p><img src='/pic.jpg' alt='The harbour at dawn'>"
                              "<img src='/pixel.gif' width='1' height='1'>")
    images = [b for b in blocks if b.kind == "image"]
    assert [b.text for b in images] == ["[image: The harbour at dawn]"]
    assert links[images[0].links[0][2] - 1] == "https://example.com/pic.jpg"


def test_quote_code_and_headings() -> None:
    blocks, _ = blocks_of("<h3>Sub  heading</h3><blockquote><p>A quoted sentence that matters a lot here.</p>"
                          "</blockquote><pre>x = 1\n    y = 2</pre>")
    kinds = {(b.kind, b.text, b.level) for b in blocks}
    assert ("heading", "Sub heading", 3) in kinds
    assert ("quote", "A quoted sentence that matters a lot here.", 0) in kinds
    assert ("code", "x = 1\n    y = 2", 0) in kinds


def test_br_lines_and_paragraph_breaks() -> None:
    blocks, _ = blocks_of(f"<p>First line of a poem here<br>second line of it<br><br>{LOREM}</p>")
    texts = [b.text for b in blocks]
    assert "First line of a poem here\nsecond line of it" in texts
    assert LOREM in texts


def test_table_rows_are_lines() -> None:
    element = lxml.html.fromstring("<div><table><tr>\n<td>Pos.</td>\n<td>Driver</td></tr><tr><td>1</td>"
                                   "<td>Kyle Busch</td></tr></table></div>")
    blocks, _ = to_blocks(element, None)
    assert [(b.kind, b.text) for b in blocks] == [("row", "Pos.\tDriver"), ("row", "1\tKyle Busch")]


def test_terminal_escapes_are_removed_from_text() -> None:
    blocks, _ = blocks_of(f"<p>{LOREM} \x1b]52;c;ZXZpbA==\x07 and \x1b[2J\u202e done.</p>")
    text = " ".join(b.text for b in blocks)
    assert "\x1b" not in text and "\u202e" not in text and "done." in text


def test_unsafe_link_schemes_are_not_links() -> None:
    blocks, links = blocks_of(f"<p>{LOREM} <a href='javascript:alert(1)'>click</a> "
                              "<a href='#section'>jump</a></p>")
    assert links == ()
