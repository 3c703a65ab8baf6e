"""Small page builders for the extraction tests."""

from __future__ import annotations

LOREM = (
    "The council met on Tuesday to discuss the new budget, which includes funding for schools, "
    "roads and the harbour, and the mayor said the plan would be published in full next week."
)


def page(body: str, head: str = "", lang: str = "en") -> str:
    """A page whose article holds ``body`` between enough real paragraphs to be found."""
    paragraphs = "\n".join(f"<p>{LOREM} Paragraph {n}.</p>" for n in range(1, 5))
    return (
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>Test page</title>{head}</head>"
        f"<body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>Test page</h1>"
        f"<div class='article-body'>{paragraphs}{body}<p>{LOREM} Closing.</p></div></article>"
        f"<footer><p>Copyright footer text of the site.</p></footer></body></html>"
    )
