"""An article as a Markdown file: title, metadata, body, and its links as numbered references.

Everything in the article came from the web, so text is sanitised (no terminal escapes reach a
file someone will ``cat``) and Markdown syntax in it is escaped, so a paragraph cannot turn
into a heading, a link or raw HTML. Only http(s) links become links; the file name comes from
the title with everything but letters, digits and dashes removed.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from .models import ArticleRecord, ArticleState, Block
from .render import body_blocks, format_date
from .sanitize import sanitize, sanitize_line
from .urls import is_http_url

NAME_LIMIT = 80
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_BLOCK_START = re.compile(r"^(\s*)(#|>|[-+=]|\d+[.)])", re.MULTILINE)


def escape(text: str) -> str:
    """Plain text that Markdown shows as written."""
    return _BLOCK_START.sub(_escape_block_start, _SPECIAL.sub(r"\\\1", text))


def _escape_block_start(found: re.Match[str]) -> str:
    marker = found.group(2)
    if marker[0].isdigit():  # "2019. was" must not start an ordered list
        return found.group(1) + marker[:-1] + "\\" + marker[-1]
    return found.group(1) + "\\" + marker


def article_markdown(record: ArticleRecord, state: ArticleState | None = None) -> str:
    """The whole article as Markdown (ends with one newline)."""
    state = state or ArticleState()
    article = record.article
    links = article.links if article else ()
    lines = [f"# {escape(sanitize_line(record.title, 500) or '(untitled)')}", ""]
    meta = [sanitize_line(record.site), sanitize_line(record.byline), format_date(record.published)]
    if any(meta):
        lines += ["*" + " · ".join(escape(m) for m in meta if m) + "*", ""]
    if is_http_url(record.url):
        lines += [f"Source: <{_url(record.url)}>", ""]
    tags = dict.fromkeys((*record.feed_tags, *record.page_tags, *state.tags))
    if tags:
        lines += ["Tags: " + " ".join("#" + escape(sanitize_line(t, 60)) for t in tags), ""]
    rows: list[str] = []
    for block in body_blocks(record):
        if block.kind == "row":
            rows.append(_inline(block, links))
            continue
        if rows:
            lines += [_table(rows), ""]
            rows = []
        lines += [_block(block, links), ""]
    if rows:
        lines += [_table(rows), ""]
    usable = [(n, url) for n, url in enumerate(links, 1) if is_http_url(url)]
    if usable:
        lines += ["---", ""] + [f"[{n}]: <{_url(url)}>" for n, url in usable] + [""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _block(block: Block, links: tuple[str, ...]) -> str:
    text = _inline(block, links)
    if block.kind == "heading":
        return "#" * min(6, max(2, block.level + 1)) + " " + text.replace("\n", " ")
    if block.kind == "item":
        marker = block.marker if re.fullmatch(r"\d+[.)]", block.marker or "") else "-"
        indent = "    " * block.level
        return indent + marker + " " + text.replace("\n", "\n" + indent + "  ")
    if block.kind == "quote":
        return "\n".join("> " + line for line in text.split("\n"))
    if block.kind == "code":
        source = sanitize(block.text)
        fence = "`" * max(3, 1 + max((len(r) for r in re.findall(r"`+", source)), default=0))
        return f"{fence}\n{source}\n{fence}"
    if block.kind == "image":
        return f"*[image: {text}]*" if text else "*[image]*"
    return text


def _table(rows: list[str]) -> str:
    """Consecutive table rows (cells split by tabs) as a Markdown table; the first row is the
    header, as Markdown tables must have one."""
    cells = [row.split("\t") for row in rows]
    count = max(len(row) for row in cells)
    lines = ["| " + " | ".join(row + [""] * (count - len(row))) + " |" for row in cells]
    lines.insert(1, "|" + " --- |" * count)
    return "\n".join(lines)


def _inline(block: Block, links: tuple[str, ...]) -> str:
    """The block's text, escaped, with its link spans as ``[text][n]`` references."""
    source = sanitize(block.text)
    parts: list[str] = []
    position = 0
    for start, end, number in sorted(block.links):
        if start < position or end > len(source) or start >= end:
            continue
        parts.append(escape(source[position:start]))
        label = escape(source[start:end])
        usable = 0 < number <= len(links) and is_http_url(links[number - 1])
        parts.append(f"[{label}][{number}]" if usable else label)
        position = end
    parts.append(escape(source[position:]))
    return "".join(parts)


def _url(url: str) -> str:
    return url.replace("<", "%3C").replace(">", "%3E")


def export_filename(title: str, *, limit: int = NAME_LIMIT) -> str:
    """A safe file name from ``title``: lower-case words joined by dashes, ending ``.md``."""
    folded = unicodedata.normalize("NFKC", sanitize_line(title, 1000)).lower()
    slug = re.sub(r"[^\w]+", "-", folded, flags=re.UNICODE).strip("-_")
    slug = slug[:limit].rstrip("-_") or "article"
    return slug + ".md"


def default_export_dir(data_dir: Path | None = None) -> Path:
    """The user's download dir (XDG ``XDG_DOWNLOAD_DIR``, else ``~/Downloads``) when it exists,
    else ``exports/`` in the data dir: never wherever the reader happened to be started (the
    current directory), where nobody would look. The app names the file it wrote."""
    import platformdirs

    downloads = Path(platformdirs.user_downloads_dir())
    if downloads.is_dir():
        return downloads
    return data_dir / "exports" if data_dir is not None else Path.cwd()


def export_article(record: ArticleRecord, state: ArticleState | None, directory: Path) -> Path:
    """Write the article into ``directory`` under a new name (never overwrites); its path."""
    directory.mkdir(parents=True, exist_ok=True)
    name = export_filename(record.title)
    stem = name[:-3]
    data = article_markdown(record, state).encode("utf-8")
    for number in range(1, 1000):
        path = directory / (name if number == 1 else f"{stem}-{number}.md")
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        return path
    raise FileExistsError(f"too many exports named {name} in {directory}")
