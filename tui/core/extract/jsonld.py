"""Schema.org JSON-LD: find the object that describes the article, however the page nests it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from lxml.html import HtmlElement

_ARTICLE_TYPES = re.compile(
    r"^(?:\w*Article|BlogPosting|LiveBlogPosting|Report|Review|Posting|SocialMediaPosting|"
    r"DiscussionForumPosting|TechArticle|ScholarlyArticle|Recipe|HowTo)$",
    re.I,
)
_PAGE_TYPES = re.compile(r"^(?:WebPage|ItemPage|AboutPage|ProfilePage|CollectionPage)$", re.I)
_MAX_SCRIPT_CHARS = 500_000
_MAX_OBJECTS = 500


def _ld_json(root: HtmlElement, wanted: Callable[[str], bool]) -> Iterator[Any]:
    """The parsed content of each ld+json script whose (lower-cased) type ``wanted`` accepts."""
    for script in root.iter("script"):
        if not wanted((script.get("type") or "").lower()):
            continue
        raw = (script.text or "").strip()
        if not raw or len(raw) > _MAX_SCRIPT_CHARS:
            continue
        try:
            yield json.loads(_strip_wrapping(raw), strict=False)
        except ValueError:
            continue


def json_ld_objects(root: HtmlElement) -> list[dict[str, Any]]:
    """Every JSON object in the page's ld+json scripts, with ``@graph`` and lists flattened."""
    objects: list[dict[str, Any]] = []
    for data in _ld_json(root, lambda kind: "ld+json" in kind):
        objects.extend(_flatten(data, 0))
        if len(objects) > _MAX_OBJECTS:
            break
    return objects[:_MAX_OBJECTS]


def article_object(objects: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The object typed as an article, else a web page, else nothing."""
    for pattern in (_ARTICLE_TYPES, _PAGE_TYPES):
        for obj in objects:
            if any(pattern.match(kind) for kind in types_of(obj)):
                return obj
    return None


def organization_name(objects: list[dict[str, Any]]) -> str | None:
    for obj in objects:
        if any(kind in ("Organization", "NewsMediaOrganization", "WebSite") for kind in types_of(obj)):
            name = obj.get("name")
            if isinstance(name, str) and name.strip():
                return name
    return None


def types_of(obj: dict[str, Any]) -> list[str]:
    kind = obj.get("@type")
    if isinstance(kind, str):
        return [kind.rsplit("/", 1)[-1]]
    if isinstance(kind, list):
        return [k.rsplit("/", 1)[-1] for k in kind if isinstance(k, str)]
    return []


def names(value: Any, objects: list[dict[str, Any]] | None = None) -> list[str]:
    """Names from an author/publisher value: a string, an object, a reference by ``@id``
    to another object of the page (``objects``), or a list of them."""
    result: list[str] = []
    items = value if isinstance(value, list) else [value]
    for item in items[:20]:
        if isinstance(item, dict) and "name" not in item and isinstance(item.get("@id"), str) and objects:
            item = next((o for o in objects if o.get("@id") == item["@id"] and "name" in o), item)
        if isinstance(item, str):
            result.append(item)
        elif isinstance(item, dict):
            name = item.get("name")
            if isinstance(name, list):
                name = next((n for n in name if isinstance(n, str)), None)
            if isinstance(name, str):
                result.append(name)
    return [name.strip() for name in result if name and name.strip()]


def first_url(value: Any) -> str | None:
    """An image/url value: a string, an ImageObject, or a list of either."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return first_url(value.get("url") or value.get("contentUrl") or value.get("@id"))
    if isinstance(value, list) and value:
        return first_url(value[0])
    return None


def _strip_wrapping(raw: str) -> str:
    """Some CMSs wrap the JSON in HTML comments or CDATA."""
    raw = re.sub(r"^\s*(?:<!--|/\*\s*<!\[CDATA\[\s*\*/|<!\[CDATA\[)", "", raw)
    return re.sub(r"(?:-->|/\*\s*\]\]>\s*\*/|\]\]>)\s*$", "", raw).strip().rstrip(";")


def _flatten(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        graph = data.get("@graph")
        if isinstance(graph, list):
            yield from _flatten(graph, depth + 1)
        entity = data.get("mainEntity")
        if isinstance(entity, dict):
            yield from _flatten(entity, depth + 1)


# Types whose author Readability-style readers take as the byline. Like Mozilla Readability's
# list, the alternatives are deliberately unanchored: "NewsArticle", "ReportageNewsArticle" and
# "Report" all count, "WebPage" and "Organization" do not.
_BYLINE_TYPES = re.compile(
    r"^Article|AdvertiserContentArticle|NewsArticle|AnalysisNewsArticle|AskPublicNewsArticle|"
    r"BackgroundNewsArticle|OpinionNewsArticle|ReportageNewsArticle|ReviewNewsArticle|Report|SatiricalArticle|"
    r"ScholarlyArticle|MedicalScholarlyArticle|SocialMediaPosting|BlogPosting|LiveBlogPosting|"
    r"DiscussionForumPosting|TechArticle|APIReference$"
)
_SCHEMA_ORG = re.compile(r"^https?://schema\.org/?$")


def article_author_names(root: HtmlElement) -> list[str] | None:
    """The author names of the page's schema.org article, read the way Mozilla Readability does.

    The first ld+json script holding a schema.org article wins (a list is searched for its first
    article, a typeless object's ``@graph`` likewise). ``None`` when no script describes an article;
    an empty list when the article names no author by an object with a ``name`` (a bare string or
    an ``@id`` reference does not count).
    """
    for data in _ld_json(root, lambda kind: kind.strip() == "application/ld+json"):
        article = _schema_article(data)
        if article is None:
            continue
        author = article.get("author")
        if isinstance(author, dict) and isinstance(author.get("name"), str):
            return [author["name"].strip()] if author["name"].strip() else []
        if isinstance(author, list) and author and isinstance(author[0], dict) and isinstance(author[0].get("name"), str):
            return [a["name"].strip() for a in author[:20]
                    if isinstance(a, dict) and isinstance(a.get("name"), str) and a["name"].strip()]
        return []
    return None


def _byline_type(obj: Any) -> bool:
    return isinstance(obj, dict) and isinstance(obj.get("@type"), str) and bool(_BYLINE_TYPES.search(obj["@type"]))


def _schema_article(data: Any) -> dict[str, Any] | None:
    if isinstance(data, list):
        data = next((item for item in data if _byline_type(item)), None)
    if not isinstance(data, dict):
        return None
    context = data.get("@context")
    if isinstance(context, dict):
        context = context.get("@vocab")
    if not isinstance(context, str) or not _SCHEMA_ORG.match(context):
        return None
    if "@type" not in data and isinstance(data.get("@graph"), list):
        data = next((item for item in data["@graph"] if _byline_type(item)), None)
    return data if _byline_type(data) else None
