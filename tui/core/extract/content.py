"""Find the element that holds the article: readability-lxml first, a second opinion if it fails.

The page is pruned once (hidden elements, scripts, furniture marked by class names) and then
handed to readability as a copy of the parsed tree, so the page is parsed only once. When
readability returns too little, or a fraction of what a semantic container (``articleBody``,
``<article>``, an "article-body" class) holds, that container wins; the choice is made by a
quality score over the paragraphs each candidate would show.
"""

from __future__ import annotations

import copy
import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree
from lxml.etree import tounicode
from lxml.html import HtmlElement
from readability.readability import REGEXES

from .dom import class_and_id, is_element, is_hidden, link_density, normalize_space, short_text, text_of
from .fast_readability import FastDocument

PROSE_MARK = "data-warta-prose"  # on elements that hold most of the page's prose
PROSE_SHARE = 0.4
PROSE_ELSEWHERE = 1000  # prose outside a furniture-named box that makes it not the article
WEAK_HINT_SHARE = 0.1  # a weak class word loses against this share of the prose
SUPERSET_GAIN = 400  # characters of paragraphs a marked container adds to readability's pick to win
MAX_ELEMENTS_FOR_READABILITY = 12_000  # above this, readability's quadratic passes take seconds
_REMOVE_TAGS = ("script", "style", "noscript", "template", "svg", "canvas", "button", "select",
                "input", "textarea", "option", "link", "meta", "object", "embed", "dialog", "map")
_EMBED_CLASS = re.compile(
    r"twitter-tweet|twitter-video|instagram-media|tiktok-embed|fb-post|fb-xfbml|reddit-card|bluesky-embed|"
    r"mastodon-embed|threads-post|embedded-post",
    re.I,
)
# Furniture announced by class or id, matched on word boundaries of the class/id string. Strong
# words name a region of the page that is never the article (navigation, sidebar, comments, ads);
# weak words also turn up on article containers of old themes (Blogger's "widget Blog", a post
# "tools" or "social" class, text in a "caption" or "byline" element), so a weak hint loses
# against an element that holds most of the page's prose.
_STRONG_FURNITURE_HINT = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|sharebar|share-?buttons?|"
    r"related(?:-?(?:posts?|articles?|stories|content|news|links))?|newsletter|subscribe|subscription|"
    r"promo|advert\w*|ads?|adslot|ad-?(?:container|wrapper|unit|slot|box)|sponsor\w*|comment(?!ar)[a-z]*|disqus|"
    r"breadcrumbs?|popular|trending|recommend\w*|outbrain|taboola|"
    r"signup|read-?more|also-?read|baca-?juga|more-?(?:stories|articles|news)|author[-_]?(?:bio|box|info)|about[-_]?(?:the[-_]?)?author|nocontent|"
    r"recent[-_]?(?:posts?|entries|articles|stories|comments)|"
    r"jump-?link|skip-?link|paywall|modal|popup|overlay|cookie\w*|consent|banner|masthead|"
    r"pagination|pager|prev-?next|nav|navbar|navigation|menu|footer|sidebar|"
    r"print-?only|visually-?hidden|sr-only|screen-?reader)(?=$|[\s_-])",
    re.I,
)
_WEAK_FURNITURE_HINT = re.compile(
    r"(?:^|[\s_-])(?:social(?:-?(?:share|links|media|icons|bar))?|tags?|tag-?list|taglist|post-?tags|"
    r"byline|dateline|meta-?(?:data|info)|post-?meta|entry-?meta|article-?meta|toolbar|tools|header|widget|"
    r"(?:image|img|photo|pic|picture|media|video)?caption|credits?|copyright)(?=$|[\s_-])",
    re.I,
)
# Class tokens that file a post under a topic ("tag-social-media", "category-web-tools"): the
# topic's words say nothing about the element's role.
_TAXONOMY_TOKEN = re.compile(r"(?:^|\s)(?:[\w]+-)?(?:tag|category|categories|topic|label)[-_](?!(?:list|cloud|links?|box)\b)\S*",
                             re.I)
# Hover cards: a name in the text carries a hidden card (photo, more links) shown on hover.
_CARD_HINT = re.compile(r"(?:^|[\s_-])(?:rollover|popover|hover-?card|tool-?tip|tippy)(?=$|[\s_-])", re.I)
_COMMENT_HINT = re.compile(r"(?:^|[\s_-])(?:comment(?!ar)[a-z]*|disqus|respond|replies)(?=$|[\s_-])", re.I)
_KEEP_HINT = re.compile(r"(?:^|[\s_-])(?:article-?body|articlebody|entry-?content|post-?(?:body|content)|"
                        r"story-?(?:body|content)|main-?content)(?=$|[\s_-])", re.I)
# The elements a pass can act on, found by libxml2 in document order (as ``iter()`` gives them,
# without a Python step for every element of the page).
_MAY_BE_HIDDEN = etree.XPath("descendant-or-self::*[@hidden or @style or @class or @aria-hidden]")
_HINTED = etree.XPath("descendant-or-self::*[@class or @id]")
_BODY_HINT = re.compile(
    r"(?:article|entry|post|story|news|detail|content|main|blog|text)[-_]?(?:body|content|text|detail|inner|entry)|"
    r"articlebody|article__body|itemprop-articlebody",
    re.I,
)


@dataclass(slots=True)
class Content:
    """The chosen article element and the name of the strategy that found it."""

    element: HtmlElement
    strategy: str
    page_elements: int = 0  # elements of the pruned page: its size, for what else is affordable
    runner_up: HtmlElement | None = None  # readability's pick when a semantic container won over it


def prune(root: HtmlElement) -> None:
    """Remove what no reader sees and what class names announce as furniture, in place.

    A class word is weak evidence and the share of the page's prose a node holds is strong: a
    node with most of the prose is never dropped for its name (Blogger's ``widget Blog``, a
    WordPress post tagged ``social-media``), and readability is told the same.
    """
    for element in list(root.iter(*_REMOVE_TAGS)):
        _drop(element)
    _mark_embedded_posts(root)
    body = root.find("body")
    for element in _MAY_BE_HIDDEN(root):
        if element.getparent() is None:
            continue
        if is_hidden(element) or (element.get("aria-hidden") == "true" and _inside_link_or_small(element)):
            _drop(element)
    sizes, total = _measure(body)
    class_prose = _prose_by_class(sizes)
    article_boxes = _marked_article_boxes(root)
    for element in _HINTED(root):
        if element.tag in ("html", "body", "main", "article"):
            continue
        if element.getparent() is None or _is_embedded(element):
            continue
        hint = _hint(class_and_id(element))
        if not hint.role or element.get("itemprop") == "articleBody" or hint.keep:
            continue
        size = sizes.get(element)
        if size is None:  # outside <body>
            continue
        if hint.strong:
            if not _holds_article(element, size, total, hint.comments, strong=True):
                _drop(element)
        elif hint.weak and _prose_share(size, total) < WEAK_HINT_SHARE and element not in article_boxes \
                and not _holds_article(element, size, total, False) \
                and class_prose.get(element.get("class") or "", 0) < PROSE_SHARE * total.prose:
            _drop(element)
    _drop_hover_cards(root)
    _drop_teaser_lists(body)


def _marked_article(root: HtmlElement) -> HtmlElement | None:
    """The page's one marked article body ("post-body", "entry-content", ``itemprop=articleBody``),
    or None when it has none or several (a front page of teasers)."""
    marked = {element for element in _HINTED(root)
              if element.get("itemprop") == "articleBody" or _hint(class_and_id(element)).keep}
    outermost = [element for element in marked if not any(ancestor in marked for ancestor in element.iterancestors())]
    return outermost[0] if len(outermost) == 1 else None


def _marked_article_boxes(root: HtmlElement) -> set[HtmlElement]:
    """The ancestors of the page's one marked article body: a short post on a blog whose
    sidebars out-write it sits in a weakly named box (Blogger's ``widget Blog``) that its own
    marker vouches for."""
    marked = _marked_article(root)
    return set(marked.iterancestors()) if marked is not None else set()


@dataclass(frozen=True, slots=True)
class _Size:
    """Characters of text in an element: all of it, inside links, and prose (not in links and
    not in a comment section, which can out-write the article)."""

    text: int
    linked: int
    prose: int


def _prose_share(size: _Size, total: _Size) -> float:
    return size.prose / total.prose if total.prose else 0.0


def _measure(body: HtmlElement | None) -> tuple[dict[HtmlElement, _Size], _Size]:
    """The sizes of every element with a class or id (only they can be pruned) and of the
    body, in one pass; elements holding most of the page's prose get ``PROSE_MARK``."""
    if body is None:
        return {}, _Size(0, 0, 0)
    pending: dict[HtmlElement, tuple[int, int, int]] = {}  # finished; parent not ended yet
    hinted: dict[HtmlElement, _Size] = {}
    for _, element in etree.iterwalk(body, events=("end",)):
        tag = element.tag
        if not isinstance(tag, str):
            pending[element] = (0, 0, 0)
            continue
        own = len((element.text or "").strip())
        text, linked, prose = own, 0, own
        for child in element:
            child_text, child_linked, child_prose = pending.pop(child, (0, 0, 0))
            tail = len((child.tail or "").strip())
            text += child_text + tail
            linked += child_linked
            prose += child_prose + tail
        if tag == "a":
            linked, prose = text, 0
        hint = class_and_id(element) if element.get("class") or element.get("id") else ""
        if hint and _hint(hint).raw_comments:
            prose = 0
        pending[element] = (text, linked, prose)
        if hint:
            hinted[element] = _Size(text, linked, prose)
    total = _Size(*pending.get(body, (0, 0, 0)))
    if total.prose < 200:
        return hinted, _Size(total.text, total.linked, 0)
    for element, size in hinted.items():
        if size.prose >= PROSE_SHARE * total.prose and not _hint(class_and_id(element)).strong:
            element.set(PROSE_MARK, "")
    return hinted, total


@dataclass(frozen=True, slots=True)
class _Hint:
    """What an element's class and id say, read once per distinct string (a page repeats them:
    a menu's hundred items share one)."""

    role: str  # the class and id without topic tokens
    keep: bool
    strong: bool
    weak: bool
    comments: bool  # of the role
    raw_comments: bool  # of the class and id as written


@lru_cache(maxsize=8192)
def _hint(hint: str) -> _Hint:
    role = _TAXONOMY_TOKEN.sub(" ", hint) if hint and "-" in hint else hint
    return _Hint(role, bool(_KEEP_HINT.search(role)), bool(_STRONG_FURNITURE_HINT.search(role)),
                 bool(_WEAK_FURNITURE_HINT.search(role)), bool(_COMMENT_HINT.search(role)),
                 bool(_COMMENT_HINT.search(hint)))


def _prose_by_class(sizes: dict[HtmlElement, _Size]) -> dict[str, int]:
    """Prose held by all elements of each class: an image post's text is split over many
    "caption" boxes, each a sliver of the page and together most of it."""
    totals: dict[str, int] = {}
    for element, size in sizes.items():
        classes = element.get("class")
        if classes and size.prose:
            totals[classes] = totals.get(classes, 0) + size.prose
    return totals


def _drop_hover_cards(root: HtmlElement) -> None:
    """Drop the card, not the name it hangs on: the innermost element with a card class that
    holds a picture or several links (the wrapper and the name's own link stay)."""
    def is_card(element: HtmlElement) -> bool:
        if not _is_card_class(class_and_id(element)):
            return False
        return element.find(".//img") is not None or len(element.findall(".//a")) >= 2

    for element in _HINTED(root):
        if element.getparent() is not None and is_card(element) \
                and not any(is_card(inner) for inner in element.iterdescendants() if is_element(inner)):
            _drop(element)


TEASER_TEXT = 800  # beyond this a box is a story, not a pointer to one
_ELLIPSIS = ("…", "...", "[…]", "[...]")


def _drop_teaser_lists(body: HtmlElement | None) -> None:
    """Drop lists of teasers: sibling boxes that are each a linked headline and a summary cut
    off with an ellipsis (a front page's or a "featured" strip's pointers to other stories).
    One such box alone may be the article itself (a blog's linked post title), so it takes
    two of them under one parent."""
    if body is None:
        return
    by_parent: dict[HtmlElement, dict[HtmlElement, None]] = {}
    for heading in body.iter("h2", "h3", "h4"):
        box = heading.getparent()
        if box is None or box is body or box.tag in ("html", "body") or box.get(PROSE_MARK) is not None:
            continue
        title = text_of(heading)
        linked = sum(len(text_of(link)) for link in heading.iter("a"))
        if len(title) < 10 or linked < 0.9 * len(title) or len(text_of(box)) - len(title) > TEASER_TEXT:
            continue
        if any(text_of(paragraph).endswith(_ELLIPSIS) for paragraph in box.iter("p")):
            parent = box.getparent()
            if parent is not None:
                by_parent.setdefault(parent, {})[box] = None
    for boxes in by_parent.values():
        if len(boxes) >= 2:
            for box in boxes:
                _drop(box)


def _drop(element: HtmlElement) -> None:
    """Remove an element but keep its tail text, which belongs to the parent."""
    if element.getparent() is not None:
        element.drop_tree()


def _inside_link_or_small(element: HtmlElement) -> bool:
    if any(ancestor.tag == "a" for ancestor in element.iterancestors()):
        return True
    return short_text(element, 59) is not None


def _holds_article(element: HtmlElement, size: _Size, total: _Size, is_comments: bool, *,
                   strong: bool = False) -> bool:
    """True if removing ``element`` would take the article with it.

    A box named as furniture (``strong``) that leaves an article's worth of prose outside it
    is furniture however much it holds (a slideshow or a related-stories box can out-write
    a short story).
    """
    if element.tag in ("p", "a", "span", "li", "img", "figure", "figcaption", "h1", "h2", "h3", "h4"):
        return False
    if element.find(".//h1") is not None or element.find('.//*[@itemprop="articleBody"]') is not None:
        return True
    if element.find(".//article") is not None or element.find(".//main") is not None:
        return True
    if strong and total.prose - size.prose >= PROSE_ELSEWHERE:
        return False
    if total.text and size.text > total.text * 0.4:
        return True
    if is_comments:
        return False
    return size.text > 1500 and size.linked < 0.25 * size.text


def _is_embedded(element: HtmlElement) -> bool:
    return _is_embed_class(element.get("class") or "")


@lru_cache(maxsize=8192)
def _is_embed_class(classes: str) -> bool:
    return bool(_EMBED_CLASS.search(classes))


@lru_cache(maxsize=8192)
def _is_card_class(hint: str) -> bool:
    return bool(_CARD_HINT.search(hint))


def _mark_embedded_posts(root: HtmlElement) -> None:
    """Keep embedded posts (tweets, Instagram) that readability would drop as "twitter" furniture.

    The post keeps a neutral class; wrappers that hold nothing but the post lose their hints.
    """
    for element in list(root.iter("blockquote", "div")):
        if not _is_embedded(element):
            continue
        element.set("class", "embedded-post")
        element.attrib.pop("id", None)
        length = len(text_of(element))
        for ancestor in element.iterancestors():
            if ancestor.tag in ("body", "html", "article", "main") or len(text_of(ancestor)) > length + 80:
                break
            ancestor.attrib.pop("class", None)
            ancestor.attrib.pop("id", None)


class _Readability(FastDocument):
    """readability-lxml working on a copy of our parsed, pruned tree instead of re-parsing."""

    def __init__(self, tree: HtmlElement) -> None:
        super().__init__("")
        self._tree = tree
        self.result: HtmlElement | None = None

    def _parse(self, input: object) -> HtmlElement:  # noqa: A002 - readability's signature
        return copy.deepcopy(self._tree)

    def remove_unlikely_candidates(self) -> None:
        for element in self.html.findall(".//*"):
            hint = class_and_id(element)
            if len(hint) < 2 or element.tag in ("html", "body") or _is_embedded(element) \
                    or element.get(PROSE_MARK) is not None:
                continue
            if _unlikely_candidate(hint):
                if element.xpath("ancestor-or-self::pre | ancestor-or-self::code"):
                    continue
                if element.xpath("descendant-or-self::main | descendant-or-self::article | "
                                 "descendant-or-self::math | descendant::*[@class='embedded-post']"):
                    continue
                element.drop_tree()

    def get_preserved_elements(self, node: HtmlElement) -> dict[HtmlElement, bool]:
        """readability's kept lists, and every list the article's prose runs on past: a list
        with paragraphs of prose before and after it among its siblings is part of the text
        (a list of the links it discusses, a schedule), however many links it holds; a
        "related" list closes the article, with no prose after it."""
        allowed: dict[HtmlElement, bool] = super().get_preserved_elements(node)
        spans: dict[HtmlElement, tuple[int, int] | None] = {}
        for element in self.tags(node, "ul", "ol"):
            parent = element.getparent()
            if parent is None:
                continue
            if parent not in spans:
                spans[parent] = _prose_span(parent)
            span = spans[parent]
            if span is not None and span[0] < parent.index(element) < span[1]:
                allowed[element] = True
        return allowed

    def get_clean_html(self) -> str:
        self.result = self.html
        html: str = tounicode(self.html, method="html")
        return html


LIST_NEIGHBOUR_PROSE = 100  # characters of unlinked text in a paragraph that counts as prose


def _prose_span(parent: HtmlElement) -> tuple[int, int] | None:
    """Positions of the first and the last child of ``parent`` that is a paragraph of prose."""
    positions = []
    for position, child in enumerate(parent):
        if child.tag in ("p", "blockquote"):
            text = len(text_of(child))
            if text - sum(len(text_of(link)) for link in child.iter("a")) >= LIST_NEIGHBOUR_PROSE:
                positions.append(position)
    return (positions[0], positions[-1]) if positions else None


@lru_cache(maxsize=8192)
def _unlikely_candidate(hint: str) -> bool:
    return bool(REGEXES["unlikelyCandidatesRe"].search(hint)) and not REGEXES["okMaybeItsACandidateRe"].search(hint)


def readability_content(root: HtmlElement) -> HtmlElement | None:
    """readability-lxml's choice, as an element (a ``<div>`` of the kept nodes)."""
    logging.getLogger("readability.readability").setLevel(logging.CRITICAL)
    document = _Readability(root)
    try:
        document.summary(html_partial=True)
    except Exception:  # readability raises its own Unparseable and lxml errors alike
        return None
    return document.result


def semantic_content(root: HtmlElement) -> HtmlElement | None:
    """The container the page itself marks as the article body, if there is one."""
    body = root.find("body")
    if body is None:
        return None
    marked = body.xpath('.//*[@itemprop="articleBody"]')
    if marked:
        return max(marked, key=lambda e: len(text_of(e)))
    candidates = [e for e in body.iter("div", "section", "article") if _is_body_hint(class_and_id(e))]
    candidates += list(body.iter("article"))
    scored = [(paragraph_quality(e), e) for e in candidates]
    scored = [pair for pair in scored if pair[0] > 0]
    if scored:
        best_score = max(score for score, _ in scored)
        # The innermost container that holds nearly all of the best text.
        good = [e for score, e in scored if score >= best_score * 0.9]
        return min(good, key=lambda e: len(text_of(e)))
    marked = _marked_article(root)
    if marked is not None and len(text_of(marked)) >= 50:  # a short post in lines, not paragraphs
        return marked
    mains = list(body.iter("main"))
    return mains[0] if mains else None


@lru_cache(maxsize=8192)
def _is_body_hint(hint: str) -> bool:
    return bool(_BODY_HINT.search(hint))


def density_content(root: HtmlElement) -> HtmlElement | None:
    """The parent of the most paragraph text: fast, for pages too big for readability."""
    body = root.find("body")
    if body is None:
        return None
    scores: dict[HtmlElement, float] = {}
    for paragraph in body.iter("p", "pre", "blockquote", "li"):
        parent = paragraph.getparent()
        if parent is None:
            continue
        length = len(normalize_space(paragraph.text_content()))
        if length >= 25:
            scores[parent] = scores.get(parent, 0.0) + min(length, 300)
            grandparent = parent.getparent()
            if grandparent is not None:
                scores[grandparent] = scores.get(grandparent, 0.0) + min(length, 300) / 2
    if not scores:
        return body
    return max(scores, key=lambda e: scores[e])


def paragraph_quality(element: HtmlElement) -> float:
    """Characters of text in paragraph-like children that are not mostly links."""
    score = 0.0
    for paragraph in element.iter("p", "li", "blockquote", "pre", "h2", "h3"):
        text = text_of(paragraph)
        if len(text) < 25 or _is_teaser(paragraph, text):
            continue
        linked = sum(len(text_of(a)) for a in paragraph.iter("a"))
        if linked > len(text) * 0.5:
            continue
        score += len(text) if paragraph.tag in ("p", "pre", "blockquote") else len(text) * 0.5
    return score


def _is_teaser(paragraph: HtmlElement, text: str) -> bool:
    """A headline link followed by a cut-off summary: a pointer to another article."""
    if text.endswith(("...", "…", "[…]", "[...]")):
        return True
    first = next(iter(paragraph), None)
    return (first is not None and first.tag in ("a", "h2", "h3", "h4") and not (paragraph.text or "").strip()
            and paragraph.tag == "li" and len(text_of(first)) > 20)


def _contains_text_of(container: HtmlElement, part: HtmlElement) -> bool:
    """True if most of ``part``'s paragraphs also occur in ``container`` (it is a superset)."""
    haystack = text_of(container)
    paragraphs = [text_of(p) for p in part.iter("p", "li", "pre", "blockquote")]
    paragraphs = [text for text in paragraphs if len(text) >= 40]
    if not paragraphs:
        return True
    found = sum(1 for text in paragraphs if text in haystack)
    return found >= len(paragraphs) * 0.8


def find_content(root: HtmlElement) -> Content:
    """Choose the article element: readability, unless a second strategy is clearly better."""
    element_count = sum(1 for _ in root.iter())
    if element_count > MAX_ELEMENTS_FOR_READABILITY:
        fast = semantic_content(root) if element_count < 200_000 else None
        chosen = fast if fast is not None and paragraph_quality(fast) > 0 else density_content(root)
        return Content(chosen if chosen is not None else root, "density", element_count)
    semantic = semantic_content(root)
    readable = readability_content(root)
    readable_quality = paragraph_quality(readable) if readable is not None else 0.0
    semantic_quality = paragraph_quality(semantic) if semantic is not None else 0.0
    # Both uses below need the marked container to hold paragraphs at all.
    holds_readable = semantic is not None and semantic_quality > 0 \
        and (readable is None or _contains_text_of(semantic, readable))
    if semantic is not None and holds_readable and link_density(semantic) < 0.3 \
            and semantic_quality > min(max(readable_quality * 1.25, readable_quality + 200), readable_quality + SUPERSET_GAIN):
        return Content(semantic, "semantic", element_count, readable)
    if readable is not None and readable_quality > 0:
        # A marked container readability's pick leaves out is the other candidate for the
        # second opinion to judge (readability took the page's other post, or a bio).
        other = semantic if semantic is not None and semantic_quality > 0 and not holds_readable \
            and not _contains_text_of(readable, semantic) else None
        return Content(readable, "readability", element_count, other)
    if readable is not None and len(text_of(readable)) >= 50:
        return Content(readable, "readability", element_count)
    if semantic is not None and len(text_of(semantic)) >= 50:
        return Content(semantic, "semantic", element_count)
    dense = density_content(root)
    return Content(dense if dense is not None else root, "density", element_count)
