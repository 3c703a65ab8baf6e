"""The seed page gives exactly what its expected.json says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SEED_PAGE
from tui.core.extract import extract
from tui.core.models import Article

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seed"
DATELINE = "Warta Ekonomi, Caracas -"


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads((SEED / "wartaekonomi-rusia-venezuela.expected.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def article(expected: dict) -> Article:
    html = SEED_PAGE.read_bytes()
    return extract(html, expected["url"], content_type="text/html; charset=utf-8")


@pytest.mark.parametrize("field", ["title", "site_name", "byline", "published", "lang"])
def test_metadata_field(article: Article, expected: dict, field: str) -> None:
    assert getattr(article, field) == expected[field]


def test_tags(article: Article, expected: dict) -> None:
    assert list(article.tags) == expected["tags"]


def test_paragraphs(article: Article, expected: dict) -> None:
    paragraphs = [b.text for b in article.blocks if b.kind != "image"]
    if paragraphs and paragraphs[0] == DATELINE:
        paragraphs = paragraphs[1:]
    assert len(paragraphs) == expected["paragraph_count_without_dateline"]
    assert paragraphs[0].startswith(expected["text_first_paragraph_starts_with"])
    assert paragraphs[-1].endswith(expected["text_last_paragraph_ends_with"])


def test_no_furniture(article: Article, expected: dict) -> None:
    for phrase in expected["text_must_not_contain"]:
        assert phrase not in article.text, phrase


def test_canonical_and_image(article: Article, expected: dict) -> None:
    assert article.canonical_url == expected["url"]
    assert article.image == "https://cdn.wartaekonomi.co.id/img/2019/09/putin-maduro.jpg"


def test_round_trips_through_json(article: Article) -> None:
    assert Article.from_json(json.loads(json.dumps(article.to_json()))) == article
