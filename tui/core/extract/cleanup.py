"""Precision rules on the extracted blocks: drop the furniture readability keeps.

Each rule is a small predicate over one block and where it sits (its index, how much of it is
linked), so it can be tested alone. The rules look at the shape of a line (short, mostly links,
starts with a label) and at multilingual phrase patterns, never at one site's markup.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..models import Block
from .dates import MONTHS, parse_date
from .dom import normalize_space
from .phrases import (
    AD_LABEL, AUTHOR_NOTE_VERB, BYLINE_LABEL, COMMENT_COUNT, COMMENTS_HEADING, CONTACT_ADDRESS, CONTACT_LINE,
    CREDIT_MARK, EDITOR_LINE, LIKE_LOADING, POST_META, PROMO, READ_ALSO, REPORTING_CREDIT, RIGHTS_NOTICE, SHARE_WORDS, PRINT_NOTE,
    TAGS_LABEL,
)

_SPLIT_SHARE = re.compile(r"[\s|·•,/:()\[\]]+")
_SHARE_FILLERS = frozenset("this on via the article page story post it with your friends to a via: per".split())
_WORD = re.compile(r"\w+")
_URL_TEXT = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$", re.I)
_DATE_NOISE = re.compile(
    r"\b(?:updated|published|posted|last\s+updated|modified|diperbarui|dipublikasikan|diterbitkan|aktualisiert|"
    r"veröffentlicht|publié|mis\s+à\s+jour|publicado|actualizado|atualizado|pubblicato|aggiornato|"
    r"at|on|um|à|a\s+las|às|alle|pukul|jam|wib|wita|wit|uhr|am|pm|a\.m\.|p\.m\.|et|gmt|utc|edt|est|pdt|pst|bst|cet|cest|"
    r"hours?|minutes?|ago|jam|menit|lalu|yang|hace|il\s+y\s+a|vor|stunden?|minuten?|read|min|reading|time|baca|"
    r"senin|selasa|rabu|kamis|jumat|sabtu|minggu|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"mon|tue|wed|thu|fri|sat|sun|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lundi|mardi|"
    r"mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo)\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Header:
    """What the metadata header already shows, so the body need not repeat it."""

    titles: tuple[str, ...] = ()
    byline: str | None = None
    site_name: str | None = None


def linked_share(block: Block) -> float:
    """Share of the block's characters inside links."""
    if not block.text:
        return 0.0
    return sum(end - start for start, end, _ in block.links) / len(block.text)


def _short(block: Block, limit: int) -> bool:
    return len(block.text) <= limit


# -- the rules ----------------------------------------------------------------------------


def is_read_also(block: Block) -> bool:
    """ "Baca Juga: …", "Read more: …", "Lesen Sie auch", "SEE MORE", "DON'T MISS" lines."""
    text = block.text.strip()
    if not READ_ALSO.match(text):
        return False
    return len(text) <= 250 or linked_share(block) >= 0.4


LABEL_LIST_ITEM = 200  # a line under a "Related:" label this short and mostly linked is one of its links


def is_read_also_label(block: Block) -> bool:
    """ "Related:", "See also": a label standing alone, the head of a list of links."""
    text = block.text.strip()
    match = READ_ALSO.match(text)
    return match is not None and len(text) <= 40 and not text[match.end():].strip(" :.-–—»›>")


def is_promo(block: Block) -> bool:
    """Newsletter, follow-us, download-the-app and subscribe lines.

    A promo is a call: its phrase opens the line or one of its sentences ("Sign up for …",
    "… today. Follow us on …"). A sentence that only mentions it ("you can sign up for a
    trial", "a search on Google News") is prose.
    """
    if block.kind == "heading" and len(block.text) <= 120 and PROMO.search(block.text):
        return True
    if not _short(block, 260):
        return False
    return any(_opens_sentence(block.text, match.start()) for match in PROMO.finditer(block.text))


_SENTENCE_ENDS = ".!?…:;|)]\n–—•·-"
_OPENERS = " \t\"'“‘«*([¡¿"


def _opens_sentence(text: str, start: int) -> bool:
    """True if only opening marks lie between ``start`` and the end of the previous sentence."""
    before = text[:start].rstrip(_OPENERS)
    return not before or before[-1] in _SENTENCE_ENDS


NAV_ROW_LINKED = 0.5  # a row of plain facts split by bars ("Prep Time: 15 min | Serves 4") is data
_NAV_SEPARATOR = re.compile(r"\s[|·•]\s")
_NAV_OPENERS = ("«", "‹", "←", "<<", "< ")
_NAV_CLOSERS = ("»", "›", "→", ">>", " >")


def is_post_nav(block: Block) -> bool:
    """ "« Older post | Main | Newer post »": the links to the blog's neighbouring posts, set
    between guillemets or arrows and split by bars."""
    text = block.text.strip()
    return _short(block, 300) and "|" in text and (text.startswith(_NAV_OPENERS) or text.endswith(_NAV_CLOSERS))


def is_nav_row(block: Block) -> bool:
    """ "Privacy Policy | Advertise | Contact Us | Archives": three or more short items split by
    bars, mostly links, are a row of site navigation."""
    if block.kind not in ("paragraph", "item") or not _short(block, 400):
        return False
    items = [item for item in _NAV_SEPARATOR.split(block.text) if item.strip()]
    return len(items) >= 3 and all(len(item.split()) <= 5 for item in items) and linked_share(block) >= NAV_ROW_LINKED


def is_ad_label(block: Block) -> bool:
    return _short(block, 80) and bool(AD_LABEL.match(block.text.strip()))


def is_share_row(block: Block) -> bool:
    """A row of share buttons or reaction counters: every word is one of theirs."""
    if not _short(block, 160):
        return False
    if LIKE_LOADING.search(block.text):
        return True
    words = [w for w in _SPLIT_SHARE.split(block.text) if w]
    if not words:
        return True
    hits = 0
    for word in words:
        if SHARE_WORDS.match(word) or word.lower() in _SHARE_FILLERS:
            hits += 1
        else:
            return False
    return hits > 0 and (len(words) >= 2 or block.kind != "paragraph" or len(block.text) <= 12)


def is_credit(block: Block) -> bool:
    """Photo credits and image-source captions: short lines naming a picture's source."""
    if block.kind not in ("paragraph", "quote") or not _short(block, 160):
        return False
    text = block.text.strip()
    if CREDIT_MARK.search(text):
        return True
    return text.startswith("(") and text.endswith(")") and len(text) < 60 and bool(
        re.search(r"(?i)getty|reuters|\bap\b|afp|epa|pa\b|photo|image|foto|bild", text)
    )


def is_rights_notice(block: Block) -> bool:
    """ "Copyright 2008 The Associated Press. All rights reserved. This material may not be
    published …": the syndication notice under an article, not part of it."""
    return block.kind == "paragraph" and _short(block, 300) and bool(RIGHTS_NOTICE.search(block.text))


def is_print_note(block: Block) -> bool:
    """ "A version of this article appeared on page A1 of the print edition": where the story
    appeared, a line under it, not of it."""
    return block.kind == "paragraph" and _short(block, 300) and bool(PRINT_NOTE.match(block.text.strip()))


def is_reporting_credit(block: Block) -> bool:
    """ "Keith Bradsher contributed reporting.", "(Reporting by Ana Ruiz; Editing by Sam Lee)": who
    else worked on the story, a line under it, not of it."""
    return block.kind == "paragraph" and _short(block, 300) and bool(REPORTING_CREDIT.match(block.text.strip()))


def is_tag_list(block: Block) -> bool:
    """ "Tags: a, b, c", "Tag Terkait: …", "Topik: …" lists."""
    text = block.text.strip()
    match = TAGS_LABEL.match(text)
    if not match or not _short(block, 300):
        return False
    if match.end() == len(text):
        return True  # the label alone; its items follow as their own blocks or links
    rest = text[match.end():]
    return linked_share(block) >= 0.5 or (
        ":" in text[: match.end() + 1] and all(len(item.split()) <= 4 for item in re.split(r"[,;|•·]", rest))
    )


def is_post_meta(block: Block) -> bool:
    """ "This entry was posted in News. Bookmark the permalink.": the filing line a blog theme
    prints under every post, opening with the theme's own words."""
    return block.kind == "paragraph" and _short(block, 400) and bool(POST_META.match(block.text))


def is_editor_line(block: Block) -> bool:
    return _short(block, 120) and bool(EDITOR_LINE.match(block.text))


def is_byline_line(block: Block, header: Header) -> bool:
    text = block.text.strip()
    if not _short(block, 120):
        return False
    if header.byline and normalize_space(text).lower() == header.byline.lower():
        return True
    match = BYLINE_LABEL.match(text)
    if not match:
        return False
    name = match.group("name").strip()
    words = name.split()
    if not words or len(words) > 12 or name.endswith((".", "!", "?")) and len(words) > 6:
        return False
    first_word = text.split()[0].lower().strip(":")
    if first_word in ("di", "par", "por", "door", "von", "by", "oleh") and not (name[:1].isupper() or header.byline):
        return False
    if header.byline and any(part.strip().lower() in name.lower() for part in header.byline.split(",")):
        return True
    capitals = sum(1 for word in words if word[:1].isupper())
    return capitals >= max(1, len(words) // 2)


AUTHOR_NOTE_CHARS = 400


def is_author_note(block: Block, header: Header) -> bool:
    """ "Ana Ruiz is a reporter for the paper …": a short paragraph that opens with the name the
    page gives as its author and says who that is, the author box a container took in."""
    if not header.byline or block.kind != "paragraph" or not _short(block, AUTHOR_NOTE_CHARS):
        return False
    text = normalize_space(block.text)
    for name in re.split(r",|\band\b|&|\||/", header.byline):
        name = normalize_space(name).strip(" @")
        if len(name) >= 3 and text[:len(name)].casefold() == name.casefold() \
                and AUTHOR_NOTE_VERB.match(text[len(name):]):
            return True
    return False


def is_contact_line(block: Block) -> bool:
    """ "Ana Ruiz can be reached at ana@example.com.", "To contact the reporter on this story: …":
    how to reach the reporter, a line that says so and gives an address."""
    return block.kind == "paragraph" and _short(block, 300) and bool(CONTACT_LINE.search(block.text)) \
        and bool(CONTACT_ADDRESS.search(block.text))


def is_date_line(block: Block) -> bool:
    """A line that is a date and little else ("Updated 10:15 WIB, Kamis 26 September 2019")."""
    if not _short(block, 100):
        return False
    if not parse_date(block.text, visible=True):
        return False
    rest = _DATE_NOISE.sub(" ", block.text)
    rest_words = [w for w in _WORD.findall(rest) if not w.isdigit() and not _is_month(w)]
    return len(rest_words) <= 2


def _is_month(word: str) -> bool:
    return word.lower() in MONTHS


def is_title_line(block: Block, header: Header) -> bool:
    """The headline, or the site's name, repeated above or below the body: the header shows both."""
    text = normalize_space(block.text).lower().rstrip(".")
    names = (*header.titles, header.site_name or "")
    return bool(text) and any(text == name.lower().rstrip(".") for name in names if name)


def is_comment_count(block: Block) -> bool:
    """ "16 comments:", "No comments yet": a count of the comments, wherever it stands."""
    return block.kind in ("heading", "paragraph", "item") and _short(block, 40) and bool(COMMENT_COUNT.match(block.text))


def is_comments_heading(block: Block) -> bool:
    return block.kind in ("heading", "paragraph") and _short(block, 60) and bool(COMMENTS_HEADING.match(block.text))


def is_link_only(block: Block) -> bool:
    """A short paragraph that is one link and not a sentence: a teaser for another page."""
    if block.kind not in ("paragraph", "item", "heading") or not _short(block, 160):
        return False
    if linked_share(block) < 0.95 or _URL_TEXT.match(block.text):
        return False  # a URL written out is a reference the author cites, not a teaser
    return not block.text.rstrip().endswith((".", "!", "?", ":", "”", '"', "…")) or len(block.text) < 50


def is_link_lines(block: Block) -> bool:
    """Lines that are each a link, broken by ``<br>``: a list of headlines set as one paragraph."""
    return block.kind in ("paragraph", "item") and block.text.count("\n") >= 2 and linked_share(block) >= 0.9


_SENTENCE_END = re.compile(r"[.!?…:;\"”’»)]\s*$")
PROSE_WORDS = 15
COMMENTS_AFTER_PROSE = 200  # prose before a comments heading that makes it the article's end


def is_prose(block: Block) -> bool:
    """A paragraph of running text: a sentence or more, not mostly links."""
    return (block.kind in ("paragraph", "quote", "item") and len(_WORD.findall(block.text)) >= PROSE_WORDS
            and linked_share(block) < 0.3 and bool(_SENTENCE_END.search(block.text)))


def prose_chars(blocks: Sequence[Block]) -> int:
    """Characters of prose in ``blocks``: how much of an article they hold."""
    return sum(len(block.text) for block in blocks if is_prose(block))


# -- applying them --------------------------------------------------------------------------

_LINE_RULES: tuple[Callable[[Block], bool], ...] = (
    is_read_also, is_promo, is_post_nav, is_nav_row, is_ad_label, is_share_row, is_credit, is_tag_list,
    is_editor_line, is_link_lines, is_post_meta, is_comment_count,
)


SHORT_BODY_WORDS = 80  # a body this short keeps its byline and date lines


def clean_blocks(blocks: Sequence[Block], header: Header) -> list[Block]:
    """Drop furniture blocks; cut at a comment section; drop header lines at the edges.

    Byline and date lines go only from a body that can stand without them: when what is left
    is shorter than a paragraph or two (a photo post, a link post, a two-line notice), who
    wrote it and when are a large share of what the page says, and stay (the headline, shown
    above the body, still goes).
    """
    blocks = _before_signed_thread(blocks)
    kept = _clean(blocks, header, drop_byline_lines=True)
    words = sum(len(_WORD.findall(block.text)) for block in kept if block.kind != "image")
    if 0 < words < SHORT_BODY_WORDS:  # nothing at all left is the caller's to judge
        kept = _clean(blocks, header, drop_byline_lines=False)
    return kept


def _clean(blocks: Sequence[Block], header: Header, *, drop_byline_lines: bool) -> list[Block]:
    kept: list[Block] = []
    total = len(blocks)
    in_label_list = False
    for index, block in enumerate(blocks):
        if block.kind in ("image", "row"):  # a data table's short cells are data, not furniture
            kept.append(block)
            continue
        # A "Related:" label set as its own paragraph takes the links listed under it.
        if in_label_list and _short(block, LABEL_LIST_ITEM) and linked_share(block) >= 0.5:
            continue
        in_label_list = is_read_also_label(block)
        if is_comments_heading(block) and (index > total * 0.5 or _ends_article(index, blocks, kept)):
            break
        if any(rule(block) for rule in _LINE_RULES):
            continue
        near_edge = index < 6 or index >= total - 4
        if near_edge and (is_title_line(block, header)
                          or drop_byline_lines and (is_byline_line(block, header) or is_date_line(block))
                          or index >= total - 4 and (is_rights_notice(block) or is_author_note(block, header)
                                                     or is_contact_line(block) or is_print_note(block)
                                                     or is_reporting_credit(block))):
            continue
        kept.append(block)
    _drop_trailing_link_lists(kept)
    _drop_orphan_headings(kept)
    return kept


SIGNED_THREAD = 3  # signed and dated lines that make a thread of comments


def is_signature(block: Block) -> bool:
    """ "Posted by: Sam Lee on 8:21pm Tue 1 Jan 08": a name and a date on one short line, as a
    post signs off and as every comment under it is signed."""
    return block.kind == "paragraph" and _short(block, 140) and bool(BYLINE_LABEL.match(block.text.strip())) \
        and parse_date(block.text, visible=True) is not None


def _before_signed_thread(blocks: Sequence[Block]) -> Sequence[Block]:
    """The blocks before a comment thread with no heading: after prose, three or more signed
    and dated lines are a thread, and the article ends with the first of them (the post's own
    sign-off, or the first commenter's name)."""
    signatures = [index for index, block in enumerate(blocks) if is_signature(block)]
    if len(signatures) >= SIGNED_THREAD and prose_chars(blocks[:signatures[0]]) >= COMMENTS_AFTER_PROSE:
        return blocks[:signatures[0] + 1]
    return blocks


def _ends_article(index: int, blocks: Sequence[Block], before: Sequence[Block]) -> bool:
    """True if the comments heading at ``index`` (or a short label standing as one) closes the
    article: prose before it and no section of the article after it (a thread of flat
    paragraphs can be far longer than the post, so position alone misses it; an article's own
    "Comment" section has siblings)."""
    heading = blocks[index]
    # A label: a short line, or one that is not a sentence ("Comments are now closed for this story").
    is_label = heading.kind == "paragraph" and linked_share(heading) < 0.5 and (
        _short(heading, 30) or not heading.text.rstrip().endswith((".", "!", "?", "…")))
    if heading.kind != "heading" and not is_label or prose_chars(before) < COMMENTS_AFTER_PROSE:
        return False
    return not any(later.kind == "heading" and later.level <= heading.level and not is_comments_heading(later)
                   for later in blocks[index + 1:])


def _drop_trailing_link_lists(blocks: list[Block]) -> None:
    """Teaser links piled up at the end of the article (an unlabelled "related" box)."""
    while blocks and blocks[-1].kind != "image" and is_link_only(blocks[-1]):
        blocks.pop()
    index = 0
    while index < len(blocks):
        block = blocks[index]
        if block.kind in ("paragraph", "item") and is_link_only(block):
            neighbours = [b for b in blocks[max(0, index - 1): index + 2] if b is not block]
            if any(is_link_only(b) for b in neighbours) or block.kind == "paragraph":
                del blocks[index]
                continue
        index += 1


def _drop_orphan_headings(blocks: list[Block]) -> None:
    """A heading with nothing after it (its section was furniture and is gone)."""
    while blocks and blocks[-1].kind == "heading":
        blocks.pop()
    while blocks and blocks[-1].kind == "image":
        blocks.pop()
    while blocks and blocks[-1].kind == "heading":
        blocks.pop()
