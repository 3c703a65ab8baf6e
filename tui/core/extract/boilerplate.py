"""Cross-page boilerplate: paragraphs a site repeats under every article.

No single page shows that "Follow us on …" or a standard disclaimer is furniture; several pages
of the same site do. The store keeps each article as extracted and these helpers drop the
repeated paragraphs when it is shown, so a wrong guess is never baked in.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace

from ..models import Article

_NON_WORD = re.compile(r"[\W_]+")
MIN_CHARS = 12  # shorter lines ("Photo", "1.") recur by chance


def normalize_paragraph(text: str) -> str:
    """Lower-case words only, so punctuation and spacing changes still match."""
    return _NON_WORD.sub(" ", text.casefold()).strip()


def furniture_paragraphs(texts_by_article: Iterable[Sequence[str]], min_articles: int = 3) -> set[str]:
    """Normalised paragraphs that occur in at least ``min_articles`` different articles."""
    counts: Counter[str] = Counter()
    for texts in texts_by_article:
        seen = {normalize_paragraph(text) for text in texts}
        counts.update(key for key in seen if len(key) >= MIN_CHARS)
    return {key for key, count in counts.items() if count >= min_articles}


def drop_furniture(article: Article, furniture: set[str]) -> Article:
    """A copy of ``article`` without the blocks whose text is furniture (images stay)."""
    if not furniture:
        return article
    blocks = tuple(
        block for block in article.blocks
        if block.kind == "image" or normalize_paragraph(block.text) not in furniture
    )
    if len(blocks) == len(article.blocks):
        return article
    return replace(article, blocks=blocks)
