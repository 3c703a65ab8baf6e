"""The second opinion: trafilatura's pick, asked only when the first pick holds no prose."""

from __future__ import annotations

from tui.core.extract import extract
from tui.core.extract.cleanup import is_prose, prose_chars
from tui.core.extract.dom import parse_html
from tui.core.extract.pipeline import second_opinion_wins
from tui.core.extract.blocks import to_blocks
from tui.core.extract.second import trafilatura_content
from tui.core.models import Block

STORY = [
    "The harbour board voted on Thursday to rebuild the old stone pier before the winter storms arrive.",
    "Engineers said the work would take eleven weeks and cost less than the repairs of the last decade.",
    "Fishermen who use the pier every morning welcomed the plan but asked for a temporary landing stage.",
    "The board agreed and promised to publish the timetable for the works on its website next Monday.",
    "A public meeting about the detour for delivery lorries is planned for the first week of the works.",
    "The last major repair of the pier, in the spring of 1998, closed the harbour road for a month.",
]
PAGE = ("<html><head><title>Pier to be rebuilt</title></head><body><div id='top'><a href='/'>Harbour Blog</a>"
        "</div><div class='post'><h1>Pier to be rebuilt</h1>" + "".join(f"<p>{s}</p>" for s in STORY)
        + "</div><div class='side'><ul>" + "".join(f"<li><a href='/{n}'>Older post {n}</a></li>" for n in range(9))
        + "</ul></div></body></html>")


def paragraphs(*texts: str) -> list[Block]:
    return [Block("paragraph", text) for text in texts]


def test_trafilatura_finds_the_story_and_leaves_the_tree_alone() -> None:
    root = parse_html(PAGE)
    before = len(list(root.iter()))
    found = trafilatura_content(root)
    assert found is not None
    blocks, _ = to_blocks(found, "https://example.com/pier")
    text = "\n".join(block.text for block in blocks)
    for sentence in STORY:
        assert sentence in text
    assert "Older post" not in text
    assert len(list(root.iter())) == before


def test_prose_is_sentences_not_labels_or_links() -> None:
    assert is_prose(Block("paragraph", STORY[0]))
    assert not is_prose(Block("paragraph", "Sign up for the Harbour Dispatch"))  # a label, not a sentence
    assert not is_prose(Block("heading", STORY[0]))
    assert not is_prose(Block("paragraph", STORY[0], links=((0, len(STORY[0]), 1),)))  # a teaser link
    assert prose_chars(paragraphs(*STORY)) == sum(len(s) for s in STORY)


def test_the_second_opinion_wins_only_over_a_pick_without_prose() -> None:
    newsletter_box = paragraphs("Sign up for the Harbour Dispatch", "Weekly, free")
    assert second_opinion_wins(newsletter_box, paragraphs(*STORY))
    assert not second_opinion_wins(paragraphs(*STORY), paragraphs(*STORY, *STORY))  # the first had an article
    assert not second_opinion_wins(newsletter_box, paragraphs(STORY[0]))  # one sentence is no article either


def test_a_page_with_an_article_keeps_the_first_pick() -> None:
    text = extract(PAGE, "https://example.com/pier").text
    for sentence in STORY:
        assert sentence in text


def test_agreement_counts_shared_runs_of_words() -> None:
    from tui.core.extract.second import agreement

    story = paragraphs(*STORY)
    assert agreement(story, story) == 1.0
    assert agreement(story, paragraphs("Sign up for the Harbour Dispatch, weekly and free")) == 0.0
    half = agreement(story, paragraphs(*STORY[:3]))
    assert 0.5 < half < 1.0
    assert agreement([], story) == 0.0
