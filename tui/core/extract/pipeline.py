"""``extract()``: one page in, one ``Article`` out. Pure: no I/O, no shared state."""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import ExtractionError
from ..models import Article, Block
from ..sanitize import sanitize_line
from ..urls import is_http_url
from .blocks import to_blocks
from .cleanup import Header, clean_blocks, is_link_only, prose_chars
from .content import MAX_ELEMENTS_FOR_READABILITY, find_content, prune
from .dom import parse_html
from .encoding import decode_html
from .lang import detect_language
from .metadata import read_metadata
from .second import agreement, trafilatura_content

_MIN_TEXT_CHARS = 1
# Below this much prose the page gets a second opinion, which wins with at least a few
# paragraphs of it (and three times as much).
DOUBTFUL_PROSE = 150
ENOUGH_PROSE = 500


def extract(html: bytes | str, url: str | None = None, *, content_type: str | None = None) -> Article:
    """Return the readable content and metadata of one page.

    ``content_type`` is the HTTP Content-Type header when known (for the charset). Raises
    ``ExtractionError`` when the page is empty, binary, or has nothing readable.
    """
    text = decode_html(html, content_type)
    root = parse_html(text)
    base_url = url if url and is_http_url(url) else None
    metadata = read_metadata(root, base_url)
    prune(root)
    content = find_content(root)
    link_base = metadata.canonical_url or base_url
    blocks, links = to_blocks(content.element, link_base)
    header = Header(titles=metadata.headline_texts, byline=metadata.byline, site_name=metadata.site_name)
    cleaned = clean_blocks(blocks, header)
    doubtful = prose_chars(cleaned) < DOUBTFUL_PROSE and content.page_elements <= MAX_ELEMENTS_FOR_READABILITY
    if doubtful or content.runner_up is not None:
        second = trafilatura_content(parse_html(text))
        if second is not None:
            second_blocks, second_links = to_blocks(second, link_base)
            second_cleaned = clean_blocks(second_blocks, header)
            if content.runner_up is not None:
                # The page's own article container and readability disagreed: the independent
                # opinion says which of the two holds the article.
                other_blocks, other_links = to_blocks(content.runner_up, link_base)
                other_cleaned = clean_blocks(other_blocks, header)
                if agreement(_unquoted(other_cleaned), second_cleaned) > agreement(_unquoted(cleaned), second_cleaned):
                    blocks, links, cleaned = other_blocks, other_links, other_cleaned
            if second_opinion_wins(cleaned, second_cleaned):
                # Not one real paragraph: the first opinion picked a box beside the article.
                blocks, links, cleaned = second_blocks, second_links, second_cleaned
    if not _has_text(cleaned):  # a page that is only a headline and a date still shows them
        cleaned = [block for block in blocks if not is_link_only(block)]
    if not _has_text(cleaned):
        raise ExtractionError("no readable content on this page")
    cleaned_blocks, cleaned_links = renumber_links(cleaned, links)
    body_text = " ".join(block.text for block in cleaned_blocks if block.kind != "image")
    return Article(
        url=sanitize_line(url, limit=2000) if url else None,
        canonical_url=metadata.canonical_url,
        title=metadata.title,
        byline=metadata.byline,
        site_name=metadata.site_name,
        published=metadata.published,
        lang=metadata.lang or detect_language(body_text),
        tags=metadata.tags,
        description=metadata.description,
        image=metadata.image,
        blocks=tuple(cleaned_blocks),
        links=cleaned_links,
    )


def second_opinion_wins(first: Sequence[Block], second: Sequence[Block]) -> bool:
    """True if ``second`` holds an article where ``first`` holds almost no prose: a few
    paragraphs of it, and three times what ``first`` has."""
    first_prose = prose_chars(first)
    return first_prose < DOUBTFUL_PROSE and prose_chars(second) >= max(ENOUGH_PROSE, 3 * first_prose)


def _unquoted(blocks: Sequence[Block]) -> list[Block]:
    """The blocks but quotes: trafilatura drops embedded posts, so they must not count against
    the candidate that keeps them."""
    return [block for block in blocks if block.kind != "quote"]


def _has_text(blocks: Sequence[Block]) -> bool:
    return sum(len(block.text) for block in blocks if block.kind != "image") >= _MIN_TEXT_CHARS


def renumber_links(blocks: Sequence[Block], links: Sequence[str]) -> tuple[list[Block], tuple[str, ...]]:
    """Keep only the links the remaining blocks use, numbered in reading order from 1; a link
    that is not an http(s) address (relative, on a page whose address is unknown) goes."""
    numbers: dict[int, int] = {}  # old number -> new, 0 for a link that goes
    kept: list[str] = []
    result: list[Block] = []
    for block in blocks:
        if not block.links:
            result.append(block)
            continue
        spans = []
        for start, end, number in block.links:
            if number not in numbers:
                if is_http_url(links[number - 1]):
                    kept.append(links[number - 1])
                    numbers[number] = len(kept)
                else:
                    numbers[number] = 0
            if numbers[number]:
                spans.append((start, end, numbers[number]))
        result.append(Block(block.kind, block.text, block.level, block.marker, tuple(spans)))
    return result, tuple(kept)
