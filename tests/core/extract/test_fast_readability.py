"""FastDocument chooses and returns exactly what readability-lxml's Document does."""

from __future__ import annotations

from pathlib import Path

import pytest
from readability import Document
from readability.readability import clean

from tui.core.extract.fast_readability import FastDocument, fast_clean

from extract_helpers import LOREM, page

SAMPLES = sorted((Path(__file__).parents[3] / "tui" / "samples").glob("*.html"))

# Pages built to reach every branch of the faster steps: divs that are paragraphs and divs that
# hold blocks (also behind inline tags, under a prefix such as <param> or <picture>, or under a
# tag name outside ASCII), texts with tabs, newlines, double spaces and long runs of spaces.
CASES = {
    "divs of text": "<div>" + "".join(f"<div>{LOREM} <b>bold</b> {n}</div>" for n in range(5)) + "</div>",
    "div with blocks": f"<div><div><p>{LOREM}</p><p>{LOREM}</p></div><div><span>{LOREM}</span></div></div>",
    "inline holding a block": f"<div><span><img src='/a.png'></span> {LOREM}<em><p>{LOREM}</p></em></div>",
    "prefix tags": f"<div><object><param name='a'></object>{LOREM}</div><div><picture></picture>{LOREM}</div>",
    # with a Kelvin sign, str.lower() reads "blockquote", the library's regex does not
    "tag outside ascii": f"<div><span><bloc\u212aquote>{LOREM}</bloc\u212aquote></span></div><div><pö>{LOREM}</pö></div>",
    "whitespace": f"<div><p>{LOREM}\t{LOREM}</p><p>{LOREM}\n\n  {LOREM}</p><p>{' ' * 300}{LOREM}</p></div>",
    "links": "<div>" + "".join(f"<p><a href='/{n}'>{LOREM[:40]}</a> {LOREM}</p>" for n in range(6)) + "</div>",
    "tables": "<table>" + "".join(f"<tr><td>{LOREM}</td><td><a href='/x'>x</a></td></tr>" for _ in range(4))
              + "</table>",
    "br and tails": f"<div>{LOREM}<br><br><a href='/'>link</a> tail {LOREM}<br><span>{LOREM}</span> more</div>",
    "escaped markup": f"<div><span title='&lt;p&gt;'>{LOREM} &lt;div&gt; &lt;p</span></div>",
}


def summaries(html: str) -> tuple[str, str]:
    return (FastDocument(html).summary(html_partial=True), Document(html).summary(html_partial=True))


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_same_summary_as_readability_on_built_pages(name: str) -> None:
    fast, plain = summaries(page(CASES[name]))
    assert fast == plain


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda path: path.stem)
def test_the_same_summary_as_readability_on_the_sample_pages(sample: Path) -> None:
    fast, plain = summaries(sample.read_text("utf-8"))
    assert fast == plain


@pytest.mark.parametrize("text", ["", " a ", "word", "two  spaces", "tab\there", "line\nbreak", " \n x \n ",
                                  "a" * 300, " " * 300 + "x", "a" + "\u00a0" * 300 + "b", "\u00a0nbsp\u00a0", "a\u2003\u2003b", "\r\nx\r"])
def test_fast_clean_is_readabilitys_clean(text: str) -> None:
    assert fast_clean(text) == clean(text)
