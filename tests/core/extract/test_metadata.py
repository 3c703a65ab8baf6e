"""Metadata: JSON-LD (with @graph), OpenGraph, Dublin Core, microdata, visible cues."""

from __future__ import annotations

import json

import pytest

from tui.core.extract import extract
from tui.core.extract.dates import parse_date

from extract_helpers import page


def meta_of(head: str = "", body: str = "", lang: str = "en"):
    return extract(page(body, head=head, lang=lang), "https://example.com/news/1")


def test_json_ld_graph() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "Organization", "@id": "#org", "name": "Harbour Times"},
            {"@type": "WebPage", "@id": "#page", "name": "Harbour budget approved - Harbour Times"},
            {"@type": "NewsArticle", "headline": "Harbour budget approved", "datePublished": "2021-03-04T08:30:00Z",
             "author": [{"@type": "Person", "name": "Jane Doe"}, {"@type": "Person", "name": "John Roe"}],
             "publisher": {"@id": "#org"}, "keywords": "budget, harbour"},
        ],
    }
    article = meta_of(f"<script type='application/ld+json'>{json.dumps(graph)}</script>")
    assert article.title == "Harbour budget approved"
    assert article.byline == "Jane Doe, John Roe"
    assert article.site_name == "Harbour Times"
    assert article.published == "2021-03-04T08:30:00+00:00"
    assert article.tags == ("budget", "harbour")


def test_opengraph_and_article_tags() -> None:
    head = ("<meta property='og:title' content='Budget approved'><meta property='og:site_name' content='The Post'>"
            "<meta property='article:published_time' content='2020-01-02T03:04:05+01:00'>"
            "<meta property='article:tag' content='Budget'><meta property='article:tag' content='Council'>"
            "<meta property='og:description' content='The council approved it.'>"
            "<meta property='og:image' content='/img/a.jpg'><link rel='canonical' href='https://example.com/a?x=1'>")
    article = meta_of(head)
    assert (article.title, article.site_name, article.published) == (
        "Budget approved", "The Post", "2020-01-02T03:04:05+01:00")
    assert article.tags == ("Budget", "Council")
    assert article.description == "The council approved it."
    assert article.image == "https://example.com/img/a.jpg"
    assert article.canonical_url == "https://example.com/a?x=1"


def test_dublin_core_and_document_title_suffix() -> None:
    html = page("", head="<meta name='DC.creator' content='Anna Schmidt'>").replace(
        "<title>Test page</title>", "<title>Neue Regeln für Mieter in Berlin - Tagesblatt</title>")
    article = extract(html, "https://example.com/a")
    assert article.byline == "Anna Schmidt"
    assert article.title == "Neue Regeln für Mieter in Berlin"


def test_microdata_and_time_element() -> None:
    body = ("<p><span itemprop='author' itemscope><span itemprop='name'>Maria López</span></span> "
            "<time datetime='2018-05-06T07:08:00-03:00'>6 de mayo</time></p>")
    article = meta_of(body=body)
    assert article.byline == "Maria López"
    assert article.published == "2018-05-06T07:08:00-03:00"


@pytest.mark.parametrize(("visible", "expected"), [
    ("Kamis, 26 September 2019 10:15 WIB", "2019-09-26T10:15:00+07:00"),
    ("Senin, 1 Januari 2024 | 08:00 WIB", "2024-01-01T08:00:00+07:00"),
    ("March 25, 2015", "2015-03-25"),
    ("24. November 2017 um 18:42 Uhr", "2017-11-24T18:42:00"),
    ("le 3 mars 2015 à 14h30", "2015-03-03T14:30:00"),
    ("26 de septiembre de 2019", "2019-09-26"),
    ("12 de março de 2020", "2020-03-12"),
    ("Tue, 15 Nov 1994 12:45:26 GMT", "1994-11-15T12:45:26+00:00"),
])
def test_visible_dates(visible: str, expected: str) -> None:
    assert parse_date(visible, visible=True) == expected
    article = meta_of(body=f"<div class='post-date'>{visible}</div>")
    assert article.published == expected


BYLINE_LINES = [
    ("By Jane Doe", "Jane Doe"),
    ("Oleh: Muhammad Syahrianto", "Muhammad Syahrianto"),
    ("Penulis: Rina Sari", "Rina Sari"),
    ("Von Anna Schmidt", "Anna Schmidt"),
    ("Por María López", "María López"),
    ("Par Jean Dupont", "Jean Dupont"),
]


@pytest.mark.parametrize(("line", "name"), BYLINE_LINES)
def test_visible_byline_element_is_taken_as_written(line: str, name: str) -> None:
    # Mozilla Readability's convention: a marked byline element's text, label and all.
    article = meta_of(body=f"<div class='byline'>{line}</div>")
    assert article.byline == line
    assert line not in article.text


@pytest.mark.parametrize(("line", "name"), BYLINE_LINES)
def test_unmarked_byline_line_gives_the_name(line: str, name: str) -> None:
    article = meta_of(body=f"<p>{line}</p>")
    assert article.byline == name


def test_lang_declared_and_detected() -> None:
    assert meta_of(lang="de-AT").lang == "de-AT"
    html = page("").replace(" lang='en'", "")
    assert extract(html, None).lang == "en"
    indonesian = ("<html><body><article>" + "<p>Pemerintah akan menaikkan anggaran untuk sekolah dan jalan "
                  "yang rusak, kata menteri itu dalam sebuah pernyataan pada hari Senin.</p>" * 3
                  + "</article></body></html>")
    assert extract(indonesian, None).lang == "id"


def test_visible_tag_list() -> None:
    body = ("<div class='tags'><span>Tag Terkait:</span> <a href='/tag/a'>Rusia</a> "
            "<a href='/tag/b'>Venezuela</a></div>")
    assert meta_of(body=body).tags == ("Rusia", "Venezuela")


def test_metadata_strings_are_sanitised() -> None:
    head = "<meta property='og:title' content='Evil \x1b]0;pwned\x07title'><meta name='author' content='A\x1b[2JB'>"
    article = meta_of(head)
    assert "\x1b" not in article.title and article.title.startswith("Evil")
    assert article.byline == "AB"
