"""readability-lxml's ``Document`` with its costliest steps done the same way, faster.

Three steps take most of its time on a page, and each has a cheaper exact equivalent:
- its ``clean()`` (three regex passes) on every paragraph's and link's text, where most texts
  are short single lines it leaves as they are, less the ends;
- serialising each ``<div>``'s children to HTML, to look for a block tag with a regex, where
  the tag names of its descendants say the same;
- a debug line formatted for every candidate, logged or not.

What it chooses and returns is the same as the library's (a test compares the two on every
kind of page); only readability's own methods are overridden, never its module, so the
library itself (a baseline in the benchmarks) runs unchanged.
"""

from __future__ import annotations

from typing import Any

from lxml.etree import tostring, tounicode
from lxml.html import HtmlElement, fragment_fromstring
from readability import Document
from readability.readability import REGEXES, clean

# The tags ``divToPElementsRe`` finds (it matches "<" and a prefix, so "<param" counts as "<p").
_BLOCK_TAG_PREFIXES = ("blockquote", "dl", "div", "img", "ol", "p", "table", "ul")
_INLINE_TAGS = frozenset("a b cite code em font i small span strong sub sup u".split())
_LONG_SPACE_RUN = 255  # clean() shortens runs of this many spaces first


def fast_clean(text: str) -> str:
    """``readability.clean(text)``: a short line with no tab, newline or double space only
    loses its outer whitespace."""
    if len(text) < _LONG_SPACE_RUN and "\n" not in text and "\t" not in text and "  " not in text:
        return text.strip()
    result: str = clean(text)
    return result


def text_length(element: HtmlElement) -> int:
    return len(fast_clean(element.text_content() or ""))


def _holds_block(element: HtmlElement) -> bool:
    """What ``divToPElementsRe.search(<the children serialised as XML>)`` says: whether a
    descendant's tag starts with a block tag's name (text and attribute values are escaped
    there, so only tags can match)."""
    for descendant in element.iterdescendants():
        tag = descendant.tag
        if not isinstance(tag, str):
            continue  # comments and entities serialise without "<" and a letter
        if not tag.isascii():  # the bytes of such a name are escaped in the text it searches: ask it
            serialised = str(b"".join(tostring(child, encoding="utf-8") for child in element))
            return REGEXES["divToPElementsRe"].search(serialised) is not None
        if tag.lower().startswith(_BLOCK_TAG_PREFIXES):
            return True
    return False


class FastDocument(Document):  # type: ignore[misc]
    """``readability.Document``, the same choices with less work."""

    def get_link_density(self, elem: HtmlElement) -> float:
        link_length = sum(text_length(link) for link in elem.findall(".//a"))
        return float(link_length) / max(text_length(elem), 1)

    def score_paragraphs(self) -> dict[HtmlElement, dict[str, Any]]:
        min_length = self.min_text_length
        candidates: dict[HtmlElement, dict[str, Any]] = {}
        ordered: list[HtmlElement] = []
        for elem in self.tags(self._html(), "p", "pre", "td", "blockquote"):
            parent_node = elem.getparent()
            if parent_node is None:
                continue
            grand_parent_node = parent_node.getparent()
            inner_text = fast_clean(elem.text_content() or "")
            inner_text_len = len(inner_text)
            if inner_text_len < min_length:
                continue
            if parent_node not in candidates:
                candidates[parent_node] = self.score_node(parent_node)
                ordered.append(parent_node)
            if grand_parent_node is not None and grand_parent_node not in candidates:
                candidates[grand_parent_node] = self.score_node(grand_parent_node)
                ordered.append(grand_parent_node)
            content_score = 1.0
            content_score += len(inner_text.split(","))
            content_score += min((inner_text_len / 100), 3)
            candidates[parent_node]["content_score"] += content_score
            if grand_parent_node is not None:
                candidates[grand_parent_node]["content_score"] += content_score / 2.0
        for elem in ordered:
            candidates[elem]["content_score"] *= 1 - self.get_link_density(elem)
        return candidates

    def transform_misused_divs_into_paragraphs(self) -> None:
        for elem in self.tags(self.html, "div"):
            # A <div> without block elements inside is a paragraph.
            if not _holds_block(elem):
                elem.tag = "p"
        for elem in self.tags(self.html, "div"):
            children = list(elem)
            paragraph = None
            if elem.text and elem.text.strip():
                p = fragment_fromstring("<p/>")
                p.text = elem.text
                elem.text = None
                elem.insert(0, p)
                paragraph = p
            for child in children:
                if child.tag == "br":
                    paragraph = None
                    continue
                if child.tag not in _INLINE_TAGS or REGEXES["divToPElementsRe"].search(
                        tounicode(child, method="html")):
                    paragraph = None
                    continue
                if paragraph is None:
                    paragraph = fragment_fromstring("<p/>")
                    child.addprevious(paragraph)
                paragraph.append(child)
            for pos, child in reversed(list(enumerate(elem))):
                if child.tail and child.tail.strip():
                    p = fragment_fromstring("<p/>")
                    p.text = child.tail
                    child.tail = None
                    elem.insert(pos + 1, p)
                if child.tag == "br":
                    child.drop_tree()
