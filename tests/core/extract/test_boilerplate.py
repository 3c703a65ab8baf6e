"""Cross-page boilerplate on a small generated site."""

from __future__ import annotations

from tui.core.extract import drop_furniture, extract, furniture_paragraphs
from tui.core.models import Article

FOOTER = "Follow the Harbour Times for more stories like this one, every day of the week"
DISCLAIMER = "The views expressed are those of the author and not of the Harbour Times."


def site_page(n: int) -> str:
    story = " ".join(f"Story {n} sentence {i} tells what happened in the harbour on day {n}." for i in range(6))
    extra = f"<p>{DISCLAIMER}</p>" if n % 2 == 0 else ""
    return (f"<html><body><article><h1>Story {n}</h1><p>{story}</p><p>{story} Again.</p>{extra}"
            f"<p>{FOOTER}!</p></article></body></html>")


def site() -> list[Article]:
    return [extract(site_page(n), f"https://harbour.example/{n}") for n in range(6)]


def test_furniture_found_in_three_or_more_articles() -> None:
    articles = site()
    furniture = furniture_paragraphs([[b.text for b in a.blocks] for a in articles])
    assert any("harbour times for more stories" in key for key in furniture)
    assert any("views expressed" in key for key in furniture)  # 3 of 6 articles
    assert not any("story 1 sentence" in key for key in furniture)


def test_min_articles_is_respected() -> None:
    texts = [["Shared line seen twice only here"], ["Shared line seen twice only here"], ["Other text entirely"]]
    assert furniture_paragraphs(texts) == set()
    assert furniture_paragraphs(texts, min_articles=2) == {"shared line seen twice only here"}


def test_repeats_within_one_article_count_once() -> None:
    assert furniture_paragraphs([["Same paragraph repeated"] * 5]) == set()


def test_drop_furniture_leaves_the_stored_article_intact() -> None:
    articles = site()
    furniture = furniture_paragraphs([[b.text for b in a.blocks] for a in articles])
    shown = drop_furniture(articles[0], furniture)
    assert FOOTER not in shown.text and "Story 0 sentence 3" in shown.text
    assert FOOTER in articles[0].text
    assert drop_furniture(articles[1], set()) is articles[1]
