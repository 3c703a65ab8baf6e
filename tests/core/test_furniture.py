"""Cross-page boilerplate on a small generated site: repeated paragraphs go, the story stays."""

from __future__ import annotations

import time

from tui.core.articles import record_from_article
from tui.core.extract import extract
from tui.core.furniture import SiteFurniture
from tui.core.store import Store

FOOTER = "The Daily Lantern is an independent newsroom owned by its readers since 1911 and based in Port Talbot."


def page(n: int, *, footer: bool) -> bytes:
    story = " ".join(f"Story {n} sentence {i} tells what happened at the harbour on day {n}." for i in range(8))
    return f"""<html lang="en"><head><title>Story {n} - Daily Lantern</title>
    <meta property="og:site_name" content="Daily Lantern"></head><body><article>
    <h1>Story {n}</h1><p>{story}</p><p>{story.replace('harbour', 'market')}</p>
    {f'<p>{FOOTER}</p>' if footer else ''}</article></body></html>""".encode()


def test_paragraph_repeated_on_three_pages_is_dropped_on_display(store: Store) -> None:
    records = []
    for n in range(4):
        url = f"https://lantern.example/story/{n}"
        records.append(record_from_article(extract(page(n, footer=n < 3), url), url=url, fetched=time.time()))
    store.put_articles(records)
    assert all(FOOTER in r.article.text for r in records[:3])  # type: ignore[union-attr]
    furniture = SiteFurniture(store)
    shown = [block.text for block in furniture.blocks(records[0])]
    assert FOOTER not in shown
    assert any("harbour" in text for text in shown)
    assert FOOTER in store.get_article(records[0].id).article.text  # type: ignore[union-attr]


def test_two_pages_are_not_enough_evidence(store: Store) -> None:
    records = []
    for n in range(2):
        url = f"https://lantern.example/story/{n}"
        records.append(record_from_article(extract(page(n, footer=True), url), url=url, fetched=time.time()))
    store.put_articles(records)
    assert FOOTER in [block.text for block in SiteFurniture(store).blocks(records[0])]
