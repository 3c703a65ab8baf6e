"""Data tables survive extraction as rows of cells, and export as Markdown tables."""

from __future__ import annotations

from tui.core.articles import record_from_article
from tui.core.extract import extract
from tui.core.markdown_export import article_markdown

PROSE = ("Here is a long paragraph about the results of the census, with enough words that the "
         "extractor keeps it as the body of the article without any doubt at all.")
TABLE_PAGE = f"""<html><head><title>Census</title></head><body><article><h1>Census</h1><p>{PROSE}</p>
<table><thead><tr><th>City</th><th>人口</th><th>Area | km²</th></tr></thead>
<tbody><tr><td>東京</td><td>14,000,000</td><td><a href="/tokyo">2,194</a></td></tr>
<tr><td></td><td>2,500,000</td><td>167</td></tr></tbody></table><p>{PROSE}</p></article></body></html>"""
LAYOUT_PAGE = f"""<html><head><title>Old site</title></head><body><table><tr><td>
<p>{PROSE}</p><p>{PROSE} Second.</p></td><td><p>{PROSE} Third.</p></td></tr>
<tr><td><p>{PROSE} Fourth.</p></td><td></td></tr></table></body></html>"""


def test_a_data_table_becomes_rows_of_cells() -> None:
    article = extract(TABLE_PAGE.encode(), "https://example.org/census")
    rows = [block for block in article.blocks if block.kind == "row"]
    assert [row.text.split("\t") for row in rows] == [
        ["City", "人口", "Area | km²"], ["東京", "14,000,000", "2,194"], ["", "2,500,000", "167"]]
    assert rows[0].marker == "th" and rows[1].marker == ""
    start, end, number = rows[1].links[0]
    assert rows[1].text[start:end] == "2,194" and article.links[number - 1] == "https://example.org/tokyo"


def test_a_layout_table_stays_paragraphs() -> None:
    article = extract(LAYOUT_PAGE.encode(), "https://example.org/old")
    assert not [block for block in article.blocks if block.kind == "row"]
    assert sum(block.kind == "paragraph" for block in article.blocks) >= 3


def test_rows_export_as_a_markdown_table() -> None:
    article = extract(TABLE_PAGE.encode(), "https://example.org/census")
    record = record_from_article(article, url="https://example.org/census", fetched=0, feeds=(), feed_tags=())
    markdown = article_markdown(record)
    assert ("| City | 人口 | Area \\| km² |\n| --- | --- | --- |\n| 東京 | 14,000,000 | [2,194][1] |\n"
            "|  | 2,500,000 | 167 |\n") in markdown


def test_plain_text_aligns_the_table_by_cells() -> None:
    from tui.core.render import plain_text
    from tui.core.textwidth import cells

    article = extract(TABLE_PAGE.encode(), "https://example.org/census")
    record = record_from_article(article, url="https://example.org/census", fetched=0, feeds=(), feed_tags=())
    lines = plain_text(record, with_header=False).split("\n")
    table = [line for line in lines if "14,000,000" in line or "2,500,000" in line or line.startswith("City")]
    assert len(table) == 3
    # the second column starts at one cell column in every row, whatever the script before it
    columns = {cells(line[:line.index(number)]) for line, number in zip(table, ("人口", "14,000,000", "2,500,000"))}
    assert len(columns) == 1
