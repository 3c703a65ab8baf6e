"""One small hand-written page per failure type seen on old blogs and news portals.

Each page is written here (not copied from the benchmark sets) and asserts the article survives.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.server import TestServer
from tui.core.extract import extract
from tui.core.extract.dom import normalize_space, parse_html
from tui.core.extract.encoding import decode_html
from tui.core.sanitize import sanitize, sanitize_line

STORY = [
    "The harbour board voted on Thursday to rebuild the old stone pier before the winter storms arrive.",
    "Engineers said the work would take eleven weeks and cost less than the repairs of the last decade.",
    "Fishermen who use the pier every morning welcomed the plan but asked for a temporary landing stage.",
    "The board agreed and promised to publish the timetable for the works on its website next Monday.",
]
STORY_HTML = "".join(f"<p>{sentence}</p>" for sentence in STORY)
SIDEBAR = ("<div class='sidebar'><h2>Archive</h2><ul>"
           + "".join(f"<li><a href='/{n}'>Older post number {n} about something</a></li>" for n in range(12))
           + "</ul></div>")


def blog_page(article: str, head: str = "") -> str:
    return (f"<html><head><title>Pier to be rebuilt</title>{head}</head><body>"
            f"<div id='header'><a href='/'>Harbour Blog</a></div>{article}{SIDEBAR}"
            f"<div class='footer'>All rights reserved.</div></body></html>")


def assert_story(text: str) -> None:
    for sentence in STORY:
        assert sentence in text


# -- pruning by class name must not kill the article container ------------------------------


def test_blogger_widget_holding_the_post_survives() -> None:
    page = blog_page(f"<div class='widget Blog' id='Blog1'><div class='post'><h3>Pier to be rebuilt</h3>"
                     f"{STORY_HTML}</div></div>")
    assert_story(extract(page, "https://blog.example/pier").text)


def test_post_filed_under_a_furniture_like_topic_survives() -> None:
    page = blog_page(f"<div class='post type-post tag-social-media category-web-tools'>"
                     f"<h2>Pier to be rebuilt</h2>{STORY_HTML}</div>")
    assert_story(extract(page, "https://blog.example/pier").text)


def test_comments_longer_than_the_article_do_not_count_as_its_prose() -> None:
    comments = "".join(f"<li class='comment'><p>{sentence} I have an opinion on this, and here it is at length "
                       f"for everyone to read.</p></li>" for sentence in STORY * 3)
    page = blog_page(f"<div class='post tag-tools'><h2>Pier</h2>{STORY_HTML}</div>"
                     f"<ol class='commentlist'>{comments}</ol>")
    text = extract(page, "https://blog.example/pier").text
    assert_story(text)
    assert "I have an opinion" not in text


def test_sidebar_with_more_prose_than_a_short_post_is_still_a_sidebar() -> None:
    about = "<div class='sidebar'><p>" + "This blog is written by a retired harbour master. " * 12 + "</p></div>"
    page = blog_page(f"<div class='post'><h2>Pier</h2>{STORY_HTML}</div>{about}")
    text = extract(page, "https://blog.example/pier").text
    assert_story(text)
    assert "retired harbour master" not in text


# -- parsing and decoding -----------------------------------------------------------------------


def test_xml_declaration_with_encoding_before_html() -> None:
    page = '<?xml version="1.0" encoding="ISO-8859-1"?>\n' + blog_page(f"<div class='post'>{STORY_HTML}</div>")
    assert_story(extract(page.encode("latin-1"), "https://blog.example/pier").text)
    assert_story(extract(page, "https://blog.example/pier").text)  # already text


def test_doctype_with_an_internal_subset_leaves_nothing_behind() -> None:
    """An HTML parser ends a doctype at its first ">": the subset's "]>" once led the text."""
    page = ('<?xml version="1.0"?>\n<!DOCTYPE html [ <!ENTITY pier "the pier"> ]>\n'
            + blog_page(f"<div class='post'>{STORY_HTML}</div>"))
    text = extract(page, "https://blog.example/pier").text
    assert_story(text)
    assert "]>" not in text and "ENTITY" not in text
    body = parse_html(page).find("body")
    assert body is not None and normalize_space(body.text_content()).startswith("Harbour Blog")


def test_stray_c1_byte_does_not_delete_the_rest_of_the_page() -> None:
    first, *rest = STORY
    page = blog_page(f"<div class='post'><p>{first} \u201cQuoted\x9d words.</p>{''.join(f'<p>{s}</p>' for s in rest)}</div>")
    text = extract(page, "https://blog.example/pier").text
    assert_story(text)
    assert "\x9d" not in text
    assert sanitize("a\x9db\x90c\x9fd") == "abcd"
    assert sanitize("a\x9d0;title\x07b") == "ab"  # a terminated 8-bit string sequence still goes whole


def test_latin1_page_with_an_undefined_cp1252_byte_stays_latin1() -> None:
    words = "Un café crème, déjà vu à la façade du théâtre, où l'été finit."
    page = f"<html><head><meta charset='iso-8859-1'></head><body><p>{words}\x8d {STORY[0]}</p></body></html>"
    data = page.encode("latin-1")
    for content_type in (None, "text/html; charset=ISO-8859-1"):
        text = decode_html(data, content_type)
        assert words in text and "ķ" not in text
    assert words in extract(data, "https://blog.example/pier").text


# -- a page that is only a headline still shows it ------------------------------------------------


def test_page_that_is_only_a_headline_and_date_is_not_empty() -> None:
    page = ("<html><head><title>Conversation with my readers</title></head><body>"
            "<div class='post'><h1 class='entry-title'>Conversation with my readers</h1>"
            "<p class='date'>29 June 2012</p></div></body></html>")
    assert "Conversation with my readers" in extract(page, "https://blog.example/c").text


# -- zero-width characters in titles ------------------------------------------------------------


ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


def test_zero_width_characters_leave_one_line_fields() -> None:
    assert sanitize_line(f"Pay{ZERO_WIDTH}Pal login") == "PayPal login"
    assert sanitize("a\u200db") == "a\u200db"  # body text keeps joiners: scripts and emoji need them


def test_zero_width_titles_are_not_stored_or_shown(server: TestServer, tmp_path: Path) -> None:
    title = "Pier\u200b to\u2060 be re\ufeffbuilt"
    page = blog_page(f"<div class='post'><h1>{title}</h1>{STORY_HTML}</div>").replace(
        "<title>Pier to be rebuilt</title>", f"<title>{title}</title>")
    link = server.add("/zw/page", page)
    feed = server.add("/zw/feed.xml", '<?xml version="1.0"?><rss version="2.0"><channel><title>Zero\u200dWidth News'
                      f"</title><item><title>{title}</title><link>{link}</link></item></channel></rss>",
                      "application/rss+xml")
    config = tmp_path / "config.toml"
    config.write_text("[fetch]\nmin_delay = 0\n")
    env = {**os.environ, "WARTA_CONFIG": str(config)}
    data = str(tmp_path / "data")

    def warta(*argv: str) -> str:
        done = subprocess.run([sys.executable, "-m", "tui", *argv, "--data-dir", data], env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    warta("add", feed)
    warta("fetch")
    [row] = [json.loads(line) for line in warta("list", "--json").splitlines()]
    assert row["title"] == "Pier to be rebuilt"
    listed = warta("list")
    shown = warta("show", row["id"])
    for output in (listed, shown, warta("show", row["id"], "--json")):
        assert not any(char in output for char in ZERO_WIDTH)
    assert "Pier to be rebuilt" in listed and "Pier to be rebuilt" in shown


def test_unclosed_title_does_not_swallow_the_page() -> None:
    page = ("<html><head><title>Pier to be rebuilt<script>document.write('ad')</script></head><body>"
            f"<div class='story'>{STORY_HTML}</div></body></html>")
    assert_story(extract(page, "https://news.example/pier").text)


def test_weak_class_word_on_a_block_of_real_prose_is_not_furniture() -> None:
    # A photo post whose words sit in a "caption" element, and a Blogger body inside "byline-author".
    page = blog_page(f"<div class='post'><h2>Pier</h2><div class='caption-image'><img src='/a.jpg'>"
                     f"<p>{STORY[0]} {STORY[1]}</p></div><span class='byline-author'>{STORY[2]} {STORY[3]}</span>"
                     f"<div class='caption'>Photo: the old pier</div></div>")
    text = extract(page, "https://blog.example/pier").text
    assert_story(text)
    assert "Photo: the old pier" not in text


def test_image_post_split_over_many_caption_boxes_survives() -> None:
    # Each picture's box holds one sentence, a sliver of the page; together they are the post.
    boxes = "".join(f"<div class='image-wrapper'><div class='caption-image'><img src='/{n}.jpg'>"
                    f"<div class='inline-edit'><p>{sentence}</p></div></div></div>"
                    for n, sentence in enumerate(STORY[2:] * 6))
    page = blog_page(f"<div class='post'><h2>Pier to be rebuilt</h2><p>{STORY[0]} {STORY[1]}</p>{boxes}</div>")
    assert_story(extract(page, "https://blog.example/pier").text)


# -- extra text kept ----------------------------------------------------------------------------

COMMENTS = [
    "What a sensible plan, I walk my dog on that pier every single morning of the year.",
    "The landing stage should have been built years ago, and the board knows it very well.",
    "Eleven weeks sounds optimistic to me, but I hope the engineers prove me wrong this time.",
]


def test_comments_in_a_compound_comment_class_are_dropped() -> None:
    # Movable Type and TypePad themes: "commentbody", "commentlist" — one word, not "comment".
    thread = "".join(f"<div class='commentbody by-reader-{n}'><p>{comment}</p><p class='posted'>Posted by: "
                     f"Reader {n} at November 8, 2012 7:1{n} AM</p></div>" for n, comment in enumerate(COMMENTS * 3))
    page = blog_page(f"<div class='entry'><h2>Pier</h2>{STORY_HTML}</div><div class='commentform'>"
                     f"<h2>Comments</h2></div>{thread}")
    text = extract(page, "https://blog.example/pier").text
    assert_story(text)
    assert COMMENTS[0] not in text


def test_flat_comments_after_a_comments_heading_end_the_article() -> None:
    # No class marks the thread: paragraphs follow a "Comments" heading in the post's own box,
    # and there are more of them than of the post.
    thread = "".join(f"<p>{comment}</p><p class='posted'>Posted by: Reader {n} | Mar 26, 2007 2:0{n}:18 PM</p>"
                     for n, comment in enumerate(COMMENTS * 4))
    page = blog_page(f"<div class='content'><h3>Pier</h3>{STORY_HTML}<p class='posted'>Posted by Kathy on "
                     f"April 6, 2007</p><h2>Comments</h2>{thread}</div>")
    text = extract(page, "https://blog.example/pier").text
    assert_story(text)
    assert COMMENTS[0] not in text


def test_an_articles_own_comment_section_is_not_a_comment_thread() -> None:
    sections = "".join(f"<h2>{title}</h2><p>{sentence}</p>"
                       for title, sentence in zip(("Background", "Comment", "Timetable", "Costs"), STORY, strict=True))
    page = blog_page(f"<div class='entry'><h1>Pier</h1><p>{STORY[3]} {STORY[2]}</p>{sections}</div>")
    assert_story(extract(page, "https://blog.example/pier").text)


def test_a_promo_slideshow_longer_than_the_story_is_furniture() -> None:
    slides = "".join(f"<li><h4>Slide {n}</h4><p>{' '.join(COMMENTS * 8)}</p></li>" for n in range(6))
    page = blog_page(f"<div class='entry'><h2>Pier</h2>{STORY_HTML}{STORY_HTML}{STORY_HTML}"
                     f"<p>Also on the blog:</p><div class='promo_holder'><ul class='slideshow'>{slides}</ul></div></div>")
    text = extract(page, "https://blog.example/pier").text
    assert_story(text)
    assert COMMENTS[0] not in text


def test_a_rights_notice_under_the_story_is_dropped_but_prose_about_copyright_stays() -> None:
    about = "The board said in 2011 that the copyright on the pier's old photographs belongs to the town."
    page = blog_page(f"<div class='entry'><h2>Pier</h2>{STORY_HTML}<p>{about}</p>"
                     f"<p>Copyright 2008 The Harbour Press. All rights reserved. This material may not be "
                     f"published, broadcast, rewritten or redistributed.</p></div>")
    text = extract(page, "https://blog.example/pier").text
    assert_story(text)
    assert about in text
    assert "All rights reserved" not in text


def test_a_comments_label_that_is_not_a_heading_ends_the_article() -> None:
    # Old portals set "Comments" in a styled <div>, then the readers' paragraphs in the same box.
    thread = "".join(f"<p class='story'>{comment}</p>" for comment in COMMENTS * 3)
    page = blog_page(f"<div class='entry'><h2>Pier</h2>{STORY_HTML}<div class='yvhd'>Comments</div>{thread}</div>")
    text = extract(page, "https://blog.example/pier").text
    assert_story(text)
    assert COMMENTS[0] not in text


def test_a_list_of_links_the_story_discusses_stays_between_its_paragraphs() -> None:
    # readability drops a list that is mostly links; this one is part of the story, which
    # introduces it and goes on after it.
    entries = ["Harbour dues for 2011", "Pier survey of 2009", "Storm damage report", "Landing stage plan"]
    items = "".join(f"<li><a href='/doc/{n}'>{entry}</a> - {n + 3} pages</li>" for n, entry in enumerate(entries))
    page = blog_page(f"<div class='post'><h2>Pier</h2><p>{STORY[0]} {STORY[1]}</p><ul>{items}</ul>"
                     f"<h2>What happens next</h2><p>{STORY[2]} {STORY[3]}</p></div>")
    text = extract(page, "https://blog.example/pier").text
    assert_story(text)
    for entry in entries:
        assert entry in text


def test_a_strip_of_teasers_above_the_story_is_dropped() -> None:
    # Each teaser: a linked headline and a summary cut off with an ellipsis, in a box of its own.
    teasers = "".join(
        f"<div class='post small-post'><h2><a href='/older/{n}'>Older story number {n} of the harbour</a></h2>"
        f"<p>The ferry timetable changes again this spring, and the harbour master says the {n} new crossings "
        f"will need a second ticket office, two more deckhands, a new gangway and, before the summer, a&#8230;</p>"
        f"<p><a href='/older/{n}'>Continue reading</a></p></div>"
        for n in range(3))
    page = blog_page(f"<div class='content'>{teasers}<div class='post'><h1>Pier to be rebuilt</h1>{STORY_HTML}</div>"
                     f"</div>")
    text = extract(page, "https://blog.example/pier").text
    assert_story(text)
    assert "ferry timetable" not in text


def test_one_linked_post_title_over_a_story_that_trails_off_is_the_story() -> None:
    # A blog links its post's title to the post; one such box is the article, not a teaser.
    page = blog_page(f"<div class='post'><h2><a href='/pier'>Pier to be rebuilt this winter</a></h2>"
                     f"<p>{STORY[0]} {STORY[1]}</p><p>{STORY[2]} {STORY[3]} And then&#8230;</p></div>")
    assert_story(extract(page, "https://blog.example/pier").text)


def test_recent_posts_and_author_boxes_are_furniture() -> None:
    recent = "".join(f"<div class='entry'><p class='date'>November {n}</p><h5><a href='/p/{n}'>Post {n}</a></h5>"
                     f"<p class='summary'>{COMMENTS[n % len(COMMENTS)]}</p></div>" for n in range(4))
    author = ("<div class='author_info'><h4>About the author</h4><p>Kathy Moss has written 2,000 posts on this blog "
              "about boats, tides and the people of the harbour since she retired.</p></div>")
    page = blog_page(f"<div class='post'><h2>Pier</h2>{STORY_HTML}{author}</div>"
                     f"<div id='recent-posts' class='box module'><h4>Recent Posts</h4>{recent}</div>")
    text = extract(page, "https://blog.example/pier").text
    assert_story(text)
    assert "Kathy Moss has written" not in text
    assert COMMENTS[0] not in text


def test_headlines_set_as_lines_of_links_go_even_when_the_page_address_is_unknown() -> None:
    # A saved page read without its address: its relative links cannot be followed, but they
    # are still links, and a paragraph of nothing but linked headlines is a list of them.
    headlines = "".join(f"<a href='index.asp?nid={n}'>Harbour headline number {n} of the week</a><br>"
                        for n in range(6))
    page = blog_page(f"<div class='post'><h2>Pier</h2>{STORY_HTML}<p>{headlines}</p></div>")
    article = extract(page, None)
    assert_story(article.text)
    assert "Harbour headline number" not in article.text
    assert all(link.startswith(("http://", "https://")) for link in article.links)


def test_relative_links_of_a_page_without_address_are_text_not_links() -> None:
    page = blog_page(f"<div class='post'><h2>Pier</h2><p>{STORY[0]} See <a href='/plans.pdf'>the plans</a> "
                     f"and <a href='https://harbour.example/board'>the board</a>.</p>{STORY_HTML}</div>")
    article = extract(page, None)
    assert "See the plans and the board." in article.text
    assert article.links == ("https://harbour.example/board",)
    block = next(block for block in article.blocks if "See the plans" in block.text)
    assert [block.text[start:end] for start, end, _ in block.links] == ["the board"]


def test_a_utf8_page_with_a_few_broken_bytes_is_still_read_as_utf8() -> None:
    # One byte of a quote lost in the page's template: the rest is valid UTF-8, as a browser shows it.
    quoted = "".join(f"<p>“{sentence}” said the harbour master’s deputy.</p>" for sentence in STORY)
    page = blog_page(f"<div class='post'><h2>Pier</h2>{quoted}</div>",
                     head="<meta http-equiv='Content-Type' content='text/html; charset=UTF-8'>")
    data = page.encode("utf-8").replace(b"<h2>", b"<h2>\x80\x93 ", 1)
    text = extract(data, "https://blog.example/pier").text
    assert_story(text)
    assert "“The harbour board voted" in text and "master’s deputy" in text


# -- short posts beside sidebars that out-write them ----------------------------------------

WIDGET_KINDS = ("HTML", "Text", "Profile", "Image", "Followers", "Label", "BlogArchive")
SIDEBAR_WIDGETS = "".join(
    f"<div class='widget {WIDGET_KINDS[n % 7]}' id='W{n}'><h2>Note {n}</h2><p>Sidebar note number {n} repeats on every page "
    f"of the blog, whatever the post is about, and at {n * 10 + 90} words it is longer than many posts.</p></div>"
    for n in range(14)
)


def test_a_short_post_in_a_weakly_named_box_beside_long_sidebar_widgets_survives() -> None:
    post = (f"<div class='widget Blog' id='Blog1'><div class='post hentry'><h3>Pier</h3>"
            f"<div class='post-body entry-content'><p>{STORY[0]}</p><p>{STORY[1]}</p></div></div></div>")
    page = (f"<html><head><title>Pier</title></head><body><div class='header'><p>A blog about the harbour, "
            f"its boats and its people.</p></div><div class='main'>{post}</div>"
            f"<div class='column-right'>{SIDEBAR_WIDGETS}</div></body></html>")
    text = extract(page, "https://blog.example/pier").text
    assert STORY[0] in text and STORY[1] in text
    assert "Sidebar note" not in text


def test_a_post_of_a_few_short_lines_is_shown_rather_than_the_sidebar() -> None:
    books = "".join(f"<li><a href='/b/{n}'>A book about boats, volume {n}</a><br>a favourite of ours!</li>"
                    for n in range(8))
    post = ("<div class='entry-content'>Visit the harbour board<br>to see how the pier<br>"
            "will be rebuilt stone by stone.</div>")
    page = (f"<html><head><title>Pier</title></head><body><div class='content'>{post}</div>"
            f"<div class='side'><h2>Books we like</h2><ul>{books}</ul></div></body></html>")
    text = extract(page, "https://blog.example/pier").text
    assert "will be rebuilt stone by stone." in text
    assert "A book about boats" not in text


def test_about_the_author_and_nocontent_boxes_are_furniture() -> None:
    about = ("<div class='wp-about-author-container'><p>I am a harbour master turned full-time writer, and I "
             "live by the sea with two dogs and far too many boats.</p></div>")
    blurb = ("<div class='box module nocontent'><div class='entry'><p class='summary'>Harbour Blog is a blog "
             "about everything that floats, from dinghies to ferries, written by the people who sail them.</p>"
             "</div></div>")
    page = blog_page(f"<div class='post'><h2>Pier</h2>{STORY_HTML}{about}</div>{blurb}")
    text = extract(page, "https://blog.example/pier").text
    assert_story(text)
    assert "harbour master turned" not in text
    assert "everything that floats" not in text


def test_a_credit_naming_a_person_stays_and_an_agency_credit_goes() -> None:
    page = blog_page(f"<div class='post'><h2>Pier</h2>{STORY_HTML}<p>Photo by Ana Ruiz</p>"
                     f"<p>Jane Doe/Getty Images</p></div>")
    text = extract(page, "https://blog.example/pier").text
    assert_story(text)
    assert "Photo by Ana Ruiz" in text
    assert "Getty" not in text


def test_a_signed_thread_without_a_heading_ends_the_article() -> None:
    # Each comment is signed with a name and a date, as the post itself is; nothing else says
    # where the thread begins.
    thread = "".join(f"<p>{comment}</p><p>Posted by: Reader {n} at March 26, 2007 02:0{n} PM</p>"
                     for n, comment in enumerate(COMMENTS))
    page = blog_page(f"<div class='content'><h3>Pier</h3>{STORY_HTML}<p>Posted by Kathy at "
                     f"April 6, 2007 09:15 AM</p>{thread}</div>")
    text = extract(page, "https://blog.example/pier").text
    assert_story(text)
    assert not any(comment in text for comment in COMMENTS)


@pytest.mark.parametrize("label", ["Have your say", "Ihre Meinung", "Votre avis", "Deixe seu comentário"])
def test_a_have_your_say_label_ends_the_article(label: str) -> None:
    thread = "".join(f"<p>{comment} Reader {n}</p>" for n, comment in enumerate(COMMENTS * 3))
    page = blog_page(f"<div class='content'><h3>Pier</h3>{STORY_HTML}<h3>{label}</h3>{thread}</div>")
    text = extract(page, "https://blog.example/pier").text
    assert_story(text)
    assert COMMENTS[1] not in text


def test_embedded_posts_in_the_marked_story_survive_the_second_opinion() -> None:
    # readability's pick leaves the embedded posts out and trafilatura drops them too: they
    # must not count against the marked container that keeps them.
    def tweet(n: int) -> str:
        return (f"<div class='social-media-embed'><blockquote class='twitter-tweet'><p lang='en'>Tweet {n}: the "
                f"pier is finally getting fixed, about time! <a href='https://t.co/x{n}'>https://t.co/x{n}</a></p>"
                f"— Harbour Fan (@fan{n}) <a href='https://twitter.com/fan{n}/status/{n}'>November 18, 2019</a>"
                f"</blockquote></div>")
    body = "".join(f"<p>{sentence}</p>{tweet(n)}" for n, sentence in enumerate(STORY))
    page = (f"<html><head><title>Pier</title></head><body><nav><a href='/'>Home</a></nav><article class='article'>"
            f"<h1>Pier</h1><div class='article__story'><div class='entry-content'>{body}</div></div></article>"
            f"<aside class='sidebar'><p>Other news of the day.</p></aside></body></html>")
    text = extract(page, "https://news.example/pier").text
    assert_story(text)
    assert all(f"Tweet {n}: the pier" in text for n in range(len(STORY)))
