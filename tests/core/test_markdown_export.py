"""Article -> Markdown: readable, escaped, links as references, files never overwritten."""

from __future__ import annotations

from pathlib import Path

from tui.core.markdown_export import article_markdown, escape, export_article, export_filename
from tui.core.models import Article, ArticleRecord, ArticleState, Block


def record(**changes: object) -> ArticleRecord:
    article = Article(
        title="Kelp *returns* to [Sussex]",
        blocks=(
            Block("heading", "What changed", level=2),
            Block("paragraph", "Divers counted kelp along the coast.", links=((15, 19, 1),)),
            Block("item", "first", marker="•"),
            Block("item", "second", marker="2."),
            Block("quote", "We never expected this."),
            Block("code", "print('```')"),
            Block("paragraph", "# not a heading\n1999. not a list"),
            Block("paragraph", "evil link", links=((0, 4, 2),)),
        ),
        links=("https://example.org/kelp", "javascript:alert(1)"),
    )
    base = ArticleRecord(id="x", url="https://example.org/a", title="Kelp *returns* to [Sussex]",
                         site="Harbour Ledger", byline="A. Writer", feed_tags=("science",),
                         page_tags=("kelp",), article=article, status="full")
    return base.with_changes(**changes)


def test_markdown_has_title_meta_body_and_link_references() -> None:
    text = article_markdown(record(), ArticleState(tags=("later",)))
    assert text.startswith("# Kelp \\*returns\\* to \\[Sussex\\]\n")
    assert "*Harbour Ledger · A. Writer" in text
    assert "Source: <https://example.org/a>" in text
    assert "Tags: #science #kelp #later" in text
    assert "### What changed" in text
    assert "Divers counted [kelp][1] along the coast." in text
    assert "[1]: <https://example.org/kelp>" in text
    assert "- first" in text and "2. second" in text
    assert "> We never expected this." in text
    assert "````\nprint('```')\n````" in text


def test_hostile_text_cannot_become_markdown_or_escapes() -> None:
    text = article_markdown(record())
    assert "\\# not a heading" in text
    assert "1999\\. not a list" in text
    assert "javascript:" not in text
    assert "evil link" in text and "[evil][2]" not in text
    assert escape("<script>") == "\\<script\\>"
    hostile = record(title="Bad\x1b]52;c;eA==\x07 title")
    assert "\x1b" not in article_markdown(hostile)


def test_filename_is_sanitised() -> None:
    assert export_filename("Kelp forest: doubles! (2026)") == "kelp-forest-doubles-2026.md"
    assert export_filename("../../etc/passwd") == "etc-passwd.md"
    assert export_filename("\x1b[2J") == "article.md"
    assert export_filename("Über Straßen") == "über-straßen.md"
    assert len(export_filename("word " * 100)) <= 83


def test_export_writes_a_new_file_each_time(tmp_path: Path) -> None:
    first = export_article(record(), None, tmp_path / "out")
    second = export_article(record(), None, tmp_path / "out")
    assert first.name == "kelp-returns-to-sussex.md"
    assert second.name == "kelp-returns-to-sussex-2.md"
    assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")


def test_summary_only_record_exports_the_summary() -> None:
    summary = ArticleRecord(id="y", url="https://example.org/b", title="Short", summary="Just this.")
    assert "Just this." in article_markdown(summary)
