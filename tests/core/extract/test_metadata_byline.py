"""Byline: Mozilla Readability's order (JSON-LD article author, author <meta>, first visible
byline element as written), then Warta's looser readings."""

from __future__ import annotations

import json

from tui.core.extract import extract

from extract_helpers import page


def byline_of(head: str = "", body: str = "", before: str = "") -> str | None:
    html = page(body, head=head)
    if before:
        html = html.replace("<article>", f"<article>{before}", 1)
    return extract(html, "https://example.com/news/1").byline


def ld(obj: dict) -> str:
    return f"<script type='application/ld+json'>{json.dumps(obj)}</script>"


def test_json_ld_author_objects_come_first() -> None:
    head = ld({"@context": "https://schema.org", "@type": "NewsArticle",
               "author": [{"@type": "Person", "name": " Jane Doe "}, {"@type": "Person", "name": "John Roe"}]})
    head += "<meta name='author' content='Someone Else'>"
    assert byline_of(head, "<div class='byline'>By Somebody</div>") == "Jane Doe, John Roe"


def test_json_ld_outside_schema_org_or_articles_gives_way_to_meta() -> None:
    not_article = ld({"@context": "https://schema.org", "@type": "WebPage", "author": {"name": "Page Owner"}})
    no_context = ld({"@type": "NewsArticle", "author": {"name": "No Context"}})
    string_author = ld({"@context": "http://schema.org/", "@type": "Article", "author": "Plain String"})
    meta = "<meta name='author' content='Meta Author'>"
    for script in (not_article, no_context, string_author):
        assert byline_of(script + meta) == "Meta Author"


def test_looser_json_ld_still_counts_when_nothing_else_names_the_author() -> None:
    assert byline_of(ld({"@context": "https://schema.org", "@type": "Article", "author": "Plain String"})) == "Plain String"


def test_json_ld_graph_article() -> None:
    head = ld({"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Site"},
        {"@type": "BlogPosting", "author": {"@type": "Person", "name": "Graph Author"}}]})
    assert byline_of(head) == "Graph Author"


def test_meta_keys_in_order_and_last_value_wins() -> None:
    head = ("<meta name='author' content='Plain Author'>"
            "<meta name='DC.Creator' content='Kooman, F.'><meta name='DC.Creator' content='Jong, Michiel de'>")
    assert byline_of(head) == "Jong, Michiel de"
    assert byline_of("<meta name='parsely-author' content='Parsely Name'>") == "Parsely Name"
    assert byline_of("<meta name='author' content='  '><meta property='article:author' content='Art Author'>") == "Art Author"


def test_article_author_url_is_not_a_byline() -> None:
    head = "<meta property='article:author' content='https://www.facebook.com/someone'>"
    assert byline_of(head, "<p class='byline'>By Visible Name</p>") == "By Visible Name"


def test_meta_beats_visible_byline() -> None:
    assert byline_of("<meta name='author' content='Meta Name'>", "<div class='byline'>By Visible</div>") == "Meta Name"


def test_first_visible_byline_element_in_reading_order() -> None:
    before = ("<div style='display:none' class='byline'>Hidden Name</div>"
              "<div class='byline' aria-hidden='true'>Aria Hidden</div>"
              "<div class='sidebar'><span class='author'>Sidebar Author</span></div>"
              "<div class='byline'>By <a href='/p/erin'>Erin Cunningham</a></div>")
    assert byline_of(before=before, body="<div class='author'>Second Author</div>") == "By Erin Cunningham"


def test_visible_byline_keeps_extra_text_as_written() -> None:
    before = ("<p class='byline'><span class='by'>by</span> <a href='/a'>Lucas Nolan</a>"
              "<span class='date'>22 Dec 2016</span></p>")
    assert byline_of(before=before) == "by Lucas Nolan22 Dec 2016"
    assert byline_of(before="<div class='article-author'>Last Updated: January 7, 2025</div>") == (
        "Last Updated: January 7, 2025")
    assert byline_of(before="<div class='FeatureByline'> By <b>Nathan Willis</b>\n   March 25, 2015 </div>") == (
        "By Nathan Willis March 25, 2015")


def test_rel_and_itemprop_author_and_itemprop_name() -> None:
    assert byline_of(before="<p>By <a rel='author' href='/a'>Kelli Miller</a></p>") == "Kelli Miller"
    before = "<div itemprop='author' itemscope>Written by <span itemprop='name'>Maria López</span></div>"
    assert byline_of(before=before) == "Maria López"


def test_long_byline_element_is_skipped_for_a_later_one() -> None:
    long_box = "<div class='author-box'>" + "About the author and all their work. " * 4 + "</div>"
    assert byline_of(before=long_box + "<span class='byline'>By Short Name</span>") == "By Short Name"


def test_scripts_inside_the_byline_do_not_count() -> None:
    before = "<div class='byline'>By Jo Lee<script>var x = 'tracking';</script></div>"
    assert byline_of(before=before) == "By Jo Lee"


def test_deeply_nested_page_does_not_break_the_byline_walk() -> None:
    deep = "<div>" * 3000 + "<span class='byline'>By Deep Name</span>" + "</div>" * 3000
    assert byline_of(before=deep) in ("By Deep Name", None)


def test_a_commenter_is_never_the_byline() -> None:
    comments = ("<ol class='commentlist'><li class='comment'><div class='comment-author vcard'>"
                "<cite class='fn'>Troll Person</cite> says:</div><p>I disagree with every word.</p></li></ol>")
    html = page("").replace("</article>", f"</article>{comments}")
    assert extract(html, "https://example.com/news/1").byline is None
    bare = page("").replace("</article>", "</article><div class='comment-author'>Troll Person</div>")
    assert extract(bare, "https://example.com/news/1").byline is None
    # The article's own byline still wins over the comments below it.
    signed = page("", ).replace("<article>", "<article><p class='byline'>By Jane Doe</p>").replace(
        "</article>", f"</article>{comments}")
    assert extract(signed, "https://example.com/news/1").byline == "By Jane Doe"


def test_posted_by_line_gives_byline_and_date() -> None:
    for line in ("Posted by Sam Lee on 2026-11-29", "Posted by Sam Lee on November 29, 2026"):
        article = extract(page("").replace("<article>", f"<article><div>{line}</div>"), "https://example.com/news/1")
        assert article.byline == "Sam Lee" and article.published == "2026-11-29", line


def test_the_byline_of_the_post_a_prev_or_next_link_points_to_is_not_this_posts() -> None:
    html = page("").replace("</article>", (
        "</article><div class='post-nav'><p class='nav-previous author-date-logic'>"
        "<a rel='prev' href='/older'>The Gun Moment</a> <span class='author'>By Bethonie Butler</span></p></div>"))
    html = html.replace("<h1>Test page</h1>", "<header class='entry-header'><h1>Test page</h1>"
                        "<p class='wp-byline'>Posted by Julia Beizer on March 8, 2013</p></header>")
    assert extract(html, "https://example.com/news/1").byline == "Julia Beizer"


def test_a_writer_named_in_the_sites_menu_is_not_the_articles() -> None:
    # Both sit in a "header" box, which the Readability pass skips; the looser reading must
    # then pass over the menu's teaser to the article's own byline.
    menu = ("<div class='header-top'><ul class='main-nav'><li><a href='/politics'>Politics</a><div class='teaser'>"
            "<a href='/x'>Loughner behaved erratically</a> <span class='blog-byline'>| Aaron Blake</span></div>"
            "</li></ul></div>")
    html = page("").replace("<nav>", f"{menu}<nav>").replace(
        "<h1>Test page</h1>", "<header class='entry-header'><h1>Test page</h1>"
        "<p class='wp-byline'>Posted by Julia Beizer on March 8, 2013</p></header>")
    assert extract(html, "https://example.com/news/1").byline == "Julia Beizer"
