"""Title, byline, site, date, language, tags, description, image and canonical URL of a page.

Each field is read from the most deliberate source first (JSON-LD, then OpenGraph/Twitter/
``article:*``, Dublin Core and other ``<meta>``, then microdata and ``<time>``), and from what a
reader sees on the page only when the page declared nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from lxml.html import HtmlElement

from ..sanitize import sanitize, sanitize_line
from ..urls import is_http_url
from .dates import parse_date
from .dom import class_and_id, is_element, leading_text, normalize_space, short_text, text_of
from .jsonld import article_author_names, article_object, first_url, json_ld_objects, names, organization_name
from .phrases import BYLINE_LABEL, TAGS_LABEL

_TITLE_SEPARATORS = re.compile(r"\s+(?:[|\-–—·•:»/]|::)\s+")
_BYLINE_CLASS = re.compile(r"byline|author|writer|penulis|reporter|autor|auteur|creator", re.I)
_SPECIFIC_BYLINE_CLASS = re.compile(
    r"byline|author[-_]*name|authorname|article[-_]*author|post[-_]*author|story[-_]*author|writer|penulis|reporter", re.I
)
_DATE_CLASS = re.compile(r"date|time|publish|posted|tanggal|waktu|datum|fecha|data", re.I)
_NOT_A_NAME = re.compile(r"https?://|www\.|@\w+\.\w|^\W*$|\{\{|\bfacebook\.com\b", re.I)
_BYLINE_TAIL = re.compile(
    r"\s*(?:[|,•·]\s*|\s+-\s+|\s+)?(?:(?:on|at|am|le|el|em|pada)\s+(?=\S*\d|\w+\.?\s+\d).*|"
    r"(?:updated|published|posted|diperbarui|dipublikasikan)\b.*|"
    r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4}.*|(?:senin|selasa|rabu|kamis|jumat|sabtu|minggu|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday)\b.*|\d{1,2}\s+\w+\s+(?:19|20)\d\d.*|\w+\.?\s+\d{1,2},\s+(?:19|20)\d\d.*)$",
    re.I,
)
_POSTED_LINE = re.compile(r"^\W*(?:posted|published|written|submitted|by)\b", re.I)
_MAX_TAGS = 20

# Bylines and dates sit near the top of the article: the visible-text searches read this many
# elements of the body at most (the biggest real pages have about as many in all).
MAX_SCANNED = 10_000


@dataclass(frozen=True, slots=True)
class Metadata:
    title: str = ""
    byline: str | None = None
    site_name: str | None = None
    published: str | None = None
    lang: str | None = None
    tags: tuple[str, ...] = ()
    description: str | None = None
    image: str | None = None
    canonical_url: str | None = None
    headline_texts: tuple[str, ...] = field(default=())  # every title variant, to drop from the body


def read_metadata(root: HtmlElement, url: str | None) -> Metadata:
    """Read every metadata field from the whole (unmodified) page."""
    meta = _meta_values(root)
    objects = json_ld_objects(root)
    article = article_object(objects) or {}
    site_name = _site_name(meta, article, objects)
    document_title = _document_title(root)
    raw_titles = [
        _ld_title(article, document_title), meta.get("dc.title"), meta.get("dcterms.title"), meta.get("og:title"),
        meta.get("weibo:article:title"), meta.get("weibo:webpage:title"), meta.get("title"),
        meta.get("twitter:title"), meta.get("parsely-title"),
    ]
    title = next((normalize_space(t) for t in raw_titles if t and normalize_space(t)), "")
    if not title:
        title = title_from_document(document_title, _headings(root))
    raw_titles.append(document_title)
    if not site_name:
        site_name = _site_from_title(document_title, title)
    base = _base_url(root, url)
    return Metadata(
        title=sanitize_line(title),
        byline=_byline(meta, article, objects, root),
        site_name=sanitize_line(site_name) or None,
        published=_published(meta, article, root),
        lang=_lang(root, meta, article),
        tags=_tags(meta, article, root),
        description=sanitize(normalize_space(
            meta.get("og:description") or meta.get("description") or meta.get("twitter:description")
            or _ld_text(article.get("description")) or ""
        )) or None,
        image=_absolute(base, meta.get("og:image") or meta.get("og:image:url") or meta.get("twitter:image")
                        or meta.get("twitter:image:src") or first_url(article.get("image"))
                        or _link_href(root, "image_src")),
        canonical_url=_absolute(base, _link_href(root, "canonical") or meta.get("og:url")) or None,
        headline_texts=tuple(normalize_space(t) for t in (title, *raw_titles) if t),
    )


# -- sources ------------------------------------------------------------------------------


def _meta_values(root: HtmlElement) -> dict[str, str]:
    """``<meta>`` content by lower-cased property/name/itemprop; the first value wins."""
    values: dict[str, str] = {}
    for element in root.iter("meta"):
        content = element.get("content")
        if content is None or not content.strip():
            continue
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            key = element.get(attribute)
            if key:
                for part in key.lower().split():
                    values.setdefault(_meta_key(part), content.strip())
    return values


def _meta_key(name: str) -> str:
    """One spelling per key: "DC.Creator", "dc:creator" and "dc-creator" are the same field."""
    name = name.strip().lower()
    return re.sub(r"^(dc|dcterms?)[:.\-]", lambda m: ("dcterms" if m.group(1).startswith("dcterm") else "dc") + ".", name)


def _meta_all(root: HtmlElement, key: str) -> list[str]:
    found: list[str] = []
    for element in root.iter("meta"):
        raw = f"{element.get('property') or ''} {element.get('name') or ''}"
        if key in (_meta_key(part) for part in raw.split()) and (element.get("content") or "").strip():
            found.append(element.get("content", "").strip())
    return found


def _ld_text(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    return value if isinstance(value, str) and value.strip() else None


def _document_title(root: HtmlElement) -> str:
    head = root.find("head")
    element = head.find("title") if head is not None else None
    if element is None:
        element = next(root.iter("title"), None)
    return normalize_space(element.text_content()) if element is not None else ""


def _link_href(root: HtmlElement, rel: str) -> str | None:
    for element in root.iter("link"):
        if rel in (element.get("rel") or "").lower().split() and element.get("href"):
            return str(element.get("href", "")).strip()
    return None


def _base_url(root: HtmlElement, url: str | None) -> str | None:
    for element in root.iter("base"):
        href = element.get("href")
        if href:
            return str(urljoin(url or "", str(href).strip()))
    return url


def _absolute(base: str | None, href: str | None) -> str | None:
    if not href:
        return None
    try:
        absolute = urljoin(base or "", href.strip())
    except ValueError:
        return None
    return sanitize_line(absolute, limit=2000) if is_http_url(absolute) else None


# -- fields -------------------------------------------------------------------------------


def _headings(root: HtmlElement) -> list[str]:
    body = root.find("body")
    if body is None:
        return []
    found: list[str] = []
    for element in body.iter("h1", "h2"):
        text = text_of(element)
        if text:
            found.append(text)
        if len(found) > 12:
            break
    return found


def _ld_title(article: dict[str, Any], document_title: str) -> str | None:
    """JSON-LD headline, or its name when that is closer to what the page calls itself."""
    headline, name = _ld_text(article.get("headline")), _ld_text(article.get("name"))
    if headline and name and headline != name:
        return name if _similarity(name, document_title) > _similarity(headline, document_title) + 0.25 else headline
    return headline or name


def _similarity(text: str, other: str) -> float:
    words, other_words = set(text.lower().split()), set(other.lower().split())
    return len(words & other_words) / len(words) if words else 0.0


_HIERARCHY = re.compile(r" [\\/>»] ")
_SEPARATOR = re.compile(r" [|\-–—\\/>»] ")


def title_from_document(document_title: str, headings: list[str]) -> str:
    """The article's title from ``<title>``: without " - Site" or "Site | " around it."""
    original = document_title
    if not original:
        return headings[0] if headings else ""
    title = original
    hierarchical = bool(_HIERARCHY.search(original))
    if _SEPARATOR.search(original):
        title = original[: list(_SEPARATOR.finditer(original))[-1].start()]
        if len(title.split()) < 3:
            title = original[_SEPARATOR.search(original).end():]  # type: ignore[union-attr]
    elif ": " in original:
        if not any(heading.strip() == original.strip() for heading in headings):
            title = original[original.rindex(":") + 1:].strip()
            if len(title.split()) < 3:
                title = original[original.index(":") + 1:].strip()
            elif len(original[: original.index(":")].split()) > 5:
                title = original
    elif (len(original) > 150 or len(original) < 15) and len(headings) == 1:
        title = headings[0]
    title = normalize_space(title)
    words = len(title.split())
    if words <= 4 and (not hierarchical or words != len(_SEPARATOR.sub(" ", original).split()) - 1):
        title = original
    return title


def _site_name(meta: dict[str, str], article: dict[str, Any], objects: list[dict[str, Any]]) -> str | None:
    for value in (*names(article.get("publisher"), objects), meta.get("og:site_name"), organization_name(objects),
                  meta.get("application-name"), meta.get("al:android:app_name"), meta.get("al:ios:app_name")):
        if value and value.strip() and not _NOT_A_NAME.search(value):
            return normalize_space(value)
    return None


def _site_from_title(document_title: str, title: str) -> str | None:
    if not document_title or not title or document_title == title:
        return None
    rest = document_title.replace(title, "", 1)
    rest = re.sub(r"^\s*(?:[|\-–—·•:»/]|::)\s*|\s*(?:[|\-–—·•:»/]|::)\s*$", "", rest).strip()
    return rest if rest and len(rest.split()) <= 4 and rest != document_title else None


def _byline(meta: dict[str, str], article: dict[str, Any], objects: list[dict[str, Any]], root: HtmlElement) -> str | None:
    """Who wrote the article, in the order of Mozilla Readability (the convention readers share).

    1. The schema.org article's author objects, names joined with ", ".
    2. ``<meta>`` ``dc:creator``, ``dcterm:creator``, ``author``, ``parsely-author``, then
       ``article:author`` unless it is a URL; a key given twice counts with its last value.
    3. The first visible byline element of the page (rel="author", itemprop containing "author",
       or class/id matching byline/author/dateline/writtenby/p-author) with a short text, taken
       as written ("By Erin Cunningham", "Last Updated: …"), or its itemprop="name" part; one
       that links to the previous or next post names that post's writer and is passed over.

    Only when none of those gives anything do Warta's looser readings count: other JSON-LD
    authors (plain strings, ``@id`` references, ``creator``, web pages), other author ``<meta>``,
    other author-ish classes and "By …"/"Oleh …"/"Penulis: …" lines, each cut to the names (none
    from inside the site's menu, whose teasers name their own writers).
    """
    declared = article_author_names(root) or [v for v in (_last_meta(root, key) for key in _BYLINE_META) if v][:1]
    if declared:
        return _join_names(declared, clean=False)
    visible = _readability_byline(root)
    if visible:
        return sanitize_line(visible, limit=200) or None
    declared = names(article.get("author"), objects) or names(article.get("creator"), objects)
    if not declared:
        for key in ("dc.creator", "dcterms.creator", "author", "parsely-author", "article:author",
                    "og:article:author", "sailthru.author", "byl"):
            values = [v for v in _meta_all(root, key) if not _NOT_A_NAME.search(v)]
            if values:
                declared = values
                break
    if not declared:
        visible = _visible_byline(root)
        declared = [visible] if visible else []
    return _join_names(declared, clean=True)


def _join_names(declared: list[str], clean: bool) -> str | None:
    cleaned: list[str] = []
    for name in declared:
        part = _clean_byline(name) if clean else normalize_space(name)
        if part and part.lower() not in (c.lower() for c in cleaned) and not _NOT_A_NAME.search(part):
            cleaned.append(part)
    byline = sanitize_line(", ".join(cleaned), limit=200)
    return byline or None


# <meta> keys as Mozilla Readability reads them: a prefixed property anywhere in ``property``
# ("article:author"), else a whole ``name`` lower-cased with "." as ":" ("DC.Creator" -> "dc:creator").
_BYLINE_META = ("dc:creator", "dcterm:creator", "author", "parsely-author", "article:author")
_META_PROPERTY = re.compile(r"\s*(article|dc|dcterm|og|twitter)\s*:\s*(author|creator|description|published_time|title|site_name)\s*", re.I)
_META_NAME = re.compile(
    r"^\s*(?:(dc|dcterm|og|twitter|parsely|weibo:(article|webpage))\s*[-.:]\s*)?"
    r"(author|creator|pub-date|description|title|site_name)\s*$", re.I)
_URL_LIKE = re.compile(r"^[a-z][a-z0-9+.\-]*:\S*$", re.I)


def _last_meta(root: HtmlElement, key: str) -> str | None:
    """The last non-empty ``<meta>`` value for a Readability key, unless it is a URL."""
    found: str | None = None
    for element in root.iter("meta"):
        content = (element.get("content") or "").strip()
        if not content:
            continue
        name = None
        match = _META_PROPERTY.search(element.get("property") or "")
        if match:
            name = re.sub(r"\s", "", match.group(0).lower())
        elif _META_NAME.match(element.get("name") or ""):
            name = re.sub(r"\s", "", (element.get("name") or "").lower()).replace(".", ":")
        if name == key:
            found = content
    if found and (_URL_LIKE.match(found) or _NOT_A_NAME.search(found)):
        return None
    return found


_READABILITY_BYLINE = re.compile(r"byline|author|dateline|writtenby|p-author", re.I)
# A reader's comment names its writer with the same classes as an article ("comment-author
# vcard"); nothing inside a comment is the article's byline.
_COMMENT = re.compile(r"comment(?!ary)|respond|replies|reply", re.I)
_UNLIKELY = re.compile(
    r"-ad-|ai2html|banner|breadcrumbs|combx|comment|community|cover-wrap|disqus|extra|footer|gdpr|header|legends|"
    r"menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|sponsor|supplemental|ad-break|agegate|"
    r"pagination|pager|popup|yom-remote",
    re.I,
)
_MAYBE_CANDIDATE = re.compile(r"and|article|body|column|content|main|mathjax|shadow", re.I)
_UNLIKELY_ROLES = frozenset(("menu", "menubar", "complementary", "navigation", "alert", "alertdialog", "dialog"))
_SKIPPED_TAGS = frozenset(("script", "noscript", "style", "template"))
_STYLE_HIDDEN = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\s*(?:;|$)", re.I)


_NEIGHBOUR_LINK = etree.XPath('descendant-or-self::a[contains(concat(" ", normalize-space(@rel), " "), " prev ") '
                              'or contains(concat(" ", normalize-space(@rel), " "), " next ")]')
_NAVIGATION = re.compile(r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|menubar)(?=$|[\s_-])", re.I)


def _readability_byline(root: HtmlElement) -> str | None:
    """The first visible byline element in reading order, as Mozilla Readability finds it.

    The page is walked from the top; hidden subtrees and unlikely ones (comments, footers,
    sidebars, menus…) are skipped the way Readability drops them before it looks inside.
    """
    stack: list[HtmlElement] = [root]
    for _ in range(MAX_SCANNED):
        if not stack:
            break
        element = stack.pop()
        if not is_element(element) or element.tag in _SKIPPED_TAGS or _readability_hidden(element):
            continue
        if element.get("aria-modal") == "true" and element.get("role") == "dialog":
            continue
        match_string = f"{element.get('class') or ''} {element.get('id') or ''}"
        in_comment, byline_hint, unlikely = _readability_hints(match_string)
        if in_comment:
            continue
        if ("author" == (element.get("rel") or "") or "author" in (element.get("itemprop") or "")
                or byline_hint):
            text = _raw_text(element, limit=100).strip()
            if 0 < len(text) < 100:
                if _NEIGHBOUR_LINK(element):
                    continue  # "‹ Older post, by Sam Lee": the byline of the post it links to
                name = next((e for e in element.iterdescendants() if is_element(e)
                             and "name" in (e.get("itemprop") or "")), None)
                return normalize_space(_raw_text(name) if name is not None else text)
        if unlikely and element.tag not in ("body", "a") and not _near_ancestor(element, ("table", "code")):
            continue
        if element.get("role") in _UNLIKELY_ROLES:
            continue
        stack.extend(reversed(element))
    return None


@lru_cache(maxsize=8192)
def _readability_hints(match_string: str) -> tuple[bool, bool, bool]:
    """A comment, a byline, an unlikely candidate: what a class and id say, read once per string."""
    return (bool(_COMMENT.search(match_string)), bool(_READABILITY_BYLINE.search(match_string)),
            bool(_UNLIKELY.search(match_string)) and not _MAYBE_CANDIDATE.search(match_string))


def _readability_hidden(element: HtmlElement) -> bool:
    if element.get("hidden") is not None or _STYLE_HIDDEN.search(element.get("style") or ""):
        return True
    return element.get("aria-hidden") == "true" and "fallback-image" not in (element.get("class") or "")


def _near_ancestor(element: HtmlElement, tags: tuple[str, ...], depth: int = 3) -> bool:
    parent = element.getparent()
    for _ in range(depth):
        if parent is None:
            return False
        if parent.tag in tags:
            return True
        parent = parent.getparent()
    return False


def _raw_text(element: HtmlElement, limit: int = 10_000) -> str:
    """The element's text as written (no spaces added between tags), without scripts and styles.

    Reading stops once the trimmed text is ``limit`` characters long: more can only make it longer.
    """
    parts: list[str] = []
    size = 0
    stack: list[tuple[HtmlElement, bool]] = [(element, True)]
    while stack:
        node, opening = stack.pop()
        if opening and is_element(node) and node.tag not in _SKIPPED_TAGS:
            parts.append(node.text or "")
            stack.append((node, False))
            stack.extend((child, True) for child in reversed(node))
        elif node is not element:
            parts.append(node.tail or "")  # after the node's own subtree: it is its parent's text
        size += len(parts[-1]) if parts else 0
        if size > limit and len("".join(parts).strip()) >= limit:
            break
    return "".join(parts)


def _clean_byline(text: str) -> str:
    text = normalize_space(text)
    for _ in range(2):
        match = BYLINE_LABEL.match(text)
        if match and match.group("name") and len(match.group("name")) < len(text):
            text = match.group("name").strip()
    text = _BYLINE_TAIL.sub("", text).strip(" ,|-–—·•:")
    return text


def _visible_byline(root: HtmlElement) -> str | None:
    """An author element, or a short "By …"/"Oleh …"/"Penulis: …" line in the page."""
    body = root.find("body")
    if body is None:
        return None
    for element in islice(body.iter(), MAX_SCANNED):
        if not is_element(element):
            continue
        rel = (element.get("rel") or "").lower()
        itemprop = (element.get("itemprop") or "").lower()
        if (rel == "author" or itemprop == "author") and not _in_comment(element) and not _in_navigation(element):
            name_element = element.find('.//*[@itemprop="name"]')
            text = short_text(name_element if name_element is not None else element, 79) or ""
            if 2 < len(text):
                return text
    hinted = [e for e in islice(body.iter(), MAX_SCANNED)
              if is_element(e) and e.tag not in ("script", "style", "body", "html")
              and _BYLINE_CLASS.search(class_and_id(e) or "") and not _in_comment(e) and not _in_navigation(e)]
    # Specific hints ("byline", "author-name") before generic ones ("author" in "follow-author").
    for pattern in (_SPECIFIC_BYLINE_CLASS, _BYLINE_CLASS):
        for element in hinted:
            if pattern.search(class_and_id(element)):
                text = short_text(element, 99) or ""
                if 2 < len(text) and _looks_like_name(_clean_byline(text)):
                    return text
    for element in islice(body.iter("p", "span", "div", "strong", "em", "small"), MAX_SCANNED):
        if len(element) > 3:
            continue
        text = short_text(element, 59) or ""
        if 3 < len(text):
            match = BYLINE_LABEL.match(text)
            if (match and text.split()[0].lower() not in ("di", "par", "por", "door", "von") or (
                match and text[:1].isupper()
            )) and not _in_comment(element):
                name = match.group("name") if match else ""
                if _looks_like_name(name):
                    return text
    return None


def _in_navigation(element: HtmlElement) -> bool:
    """Inside the site's menu, where every teaser of another story names its own writer."""
    return any(node.tag == "nav" or node.get("role") in ("navigation", "menu", "menubar")
               or _NAVIGATION.search(class_and_id(node)) for node in element.iterancestors()
               if node.tag == "nav" or node.get("role") or node.get("class") or node.get("id"))


def _in_comment(element: HtmlElement) -> bool:
    return any(_COMMENT.search(class_and_id(node)) for node in (element, *element.iterancestors())
               if node.get("class") or node.get("id"))


_NOT_NAME_WORDS = frozenset(
    "last updated update published posted share follow author authors autor penulis editor by oleh von par por "
    "staff admin administrator unknown anonymous".split()
)


def _looks_like_name(text: str) -> bool:
    words = text.split()
    if not 1 <= len(words) <= 6 or _NOT_A_NAME.search(text):
        return False
    if words[0].lower().strip(":") in _NOT_NAME_WORDS or max(len(word) for word in words) < 3:
        return False
    capitals = sum(1 for word in words if word[:1].isupper() or not word[:1].isalpha())
    return capitals >= max(1, len(words) - 2)


def _published(meta: dict[str, str], article: dict[str, Any], root: HtmlElement) -> str | None:
    for value in (
        _ld_text(article.get("datePublished")), meta.get("article:published_time"),
        meta.get("og:article:published_time"), meta.get("datepublished"), meta.get("article:published"),
        meta.get("published_time"), meta.get("pubdate"), meta.get("publishdate"), meta.get("publish-date"),
        meta.get("publish_date"), meta.get("parsely-pub-date"), meta.get("sailthru.date"), meta.get("dc.date.issued"),
        meta.get("dcterms.issued"), meta.get("dc.date"), meta.get("dcterms.date"), meta.get("date"),
        meta.get("article.published"), meta.get("og:published_time"), meta.get("content_published_time"),
        _ld_text(article.get("dateCreated")), meta.get("article:modified_time"), _ld_text(article.get("dateModified")),
    ):
        date = parse_date(value)
        if date:
            return date
    return _visible_date(root)


def _visible_date(root: HtmlElement) -> str | None:
    body = root.find("body")
    if body is None:
        return None
    for element in body.iter("time"):
        date = parse_date(element.get("datetime") or element.get("content")) or parse_date(text_of(element), visible=True)
        if date:
            return date
    for element in islice(body.iter(), MAX_SCANNED):
        if not is_element(element):
            continue
        if element.get("itemprop") in ("datePublished", "dateCreated"):
            date = parse_date(element.get("content") or element.get("datetime") or text_of(element), visible=True)
            if date:
                return date
    for element in islice(body.iter(), MAX_SCANNED):
        if not is_element(element) or element.tag in ("script", "style"):
            continue
        hint = class_and_id(element)
        if hint and _DATE_CLASS.search(hint):
            text = short_text(element, 120) or ""
            if 6 <= len(text):
                date = parse_date(text, visible=True)
                if date:
                    return date
    # "Posted by Sam Lee on 2026-11-29": a labelled byline line that carries the date.
    for element in islice(body.iter("p", "div", "span", "small", "em", "li", "td", "h4", "h5", "h6"), MAX_SCANNED):
        if len(element) > 4:
            continue
        text = short_text(element, 120) or ""
        if 10 <= len(text) and _POSTED_LINE.match(text) and not _in_comment(element):
            date = parse_date(text, visible=True)
            if date:
                return date
    return None


def _lang(root: HtmlElement, meta: dict[str, str], article: dict[str, Any]) -> str | None:
    for value in (root.get("lang"), root.get("xml:lang"), root.get("{http://www.w3.org/XML/1998/namespace}lang"),
                  meta.get("content-language"), meta.get("language"), _ld_text(article.get("inLanguage")),
                  meta.get("og:locale")):
        if value and re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*", value.strip()):
            return sanitize_line(value.strip().replace("_", "-"), limit=20)
    return None


def _tags(meta: dict[str, str], article: dict[str, Any], root: HtmlElement) -> tuple[str, ...]:
    sources: list[list[str]] = [
        _meta_all(root, "article:tag"),
        _keyword_list(article.get("keywords")),
        _visible_tags(root),
        _keyword_list(meta.get("news_keywords")),
        _keyword_list(meta.get("keywords")),
    ]
    for source in sources:
        tags: list[str] = []
        seen: set[str] = set()
        for raw in source:
            for part in (raw.split(",") if "," in raw and len(source) == 1 else [raw]):
                tag = sanitize_line(part, limit=60)
                if tag and tag.lower() not in seen and len(tag) > 1:
                    seen.add(tag.lower())
                    tags.append(tag)
        if tags:
            return tuple(tags[:_MAX_TAGS])
    return ()


def _keyword_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[,;]", value) if part.strip()]
    if isinstance(value, list):
        return [v.strip() for v in value if isinstance(v, str) and v.strip()]
    return []


def _visible_tags(root: HtmlElement) -> list[str]:
    """Links marked rel=tag, or the links after a "Tags:" / "Tag Terkait:" / "Topik:" label."""
    body = root.find("body")
    if body is None:
        return []
    tagged = [text_of(a) for a in body.iter("a") if "tag" in (a.get("rel") or "").lower().split()]
    if tagged:
        return [t for t in tagged if t][:_MAX_TAGS]
    for element in body.iter("div", "ul", "p", "section", "span", "nav"):
        if len(element) < 2:
            continue
        label = TAGS_LABEL.match(leading_text(element, 40))
        if label:
            text = text_of(element)
            links = [text_of(a) for a in element.iter("a")]
            if links and sum(len(t) for t in links) > len(text[label.end():].strip()) * 0.6:
                return [t for t in links if t][:_MAX_TAGS]
    return []
