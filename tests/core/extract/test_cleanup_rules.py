"""One test per cleanup rule, on small pages written for it, in several languages."""

from __future__ import annotations

import pytest

from tui.core.extract import extract

from extract_helpers import LOREM, page


def body_text(html: str) -> str:
    return extract(html, "https://example.com/news/1").text


def assert_dropped(furniture: str, marker: str) -> None:
    text = body_text(page(furniture))
    assert marker not in text
    assert "Paragraph 4." in text and "Closing." in text  # the article itself survived


def ending_with(after: str) -> str:
    """A page whose article has ``after`` under its closing paragraph, where lines about the
    story (who reported it, how to reach them, what to read next) stand."""
    return page("").replace(f"<p>{LOREM} Closing.</p>", f"<p>{LOREM} Closing.</p>{after}")


def assert_dropped_at_end(furniture: str, marker: str) -> None:
    text = body_text(ending_with(furniture))
    assert marker not in text and "Closing." in text


@pytest.mark.parametrize(
    ("line", "marker"),
    [
        ("<p><strong>Baca Juga:</strong> <a href='/a'>Harga Emas Naik Lagi</a></p>", "Harga Emas"),
        ("<p>Read more: <a href='/b'>Storm hits the coast</a></p>", "Storm hits"),
        ("<p>RELATED: <a href='/c'>Council votes on plan</a></p>", "Council votes"),
        ("<p>See also: <a href='/d'>How budgets work</a></p>", "How budgets"),
        ("<p><a href='/e'>SEE MORE: Photos from the harbour</a></p>", "Photos from"),
        ("<p>DON'T MISS: <a href='/f'>The best beaches</a></p>", "best beaches"),
        ("<p>Lesen Sie auch: <a href='/g'>Neue Regeln für Mieter</a></p>", "Neue Regeln"),
        ("<p>Lire aussi : <a href='/h'>La réforme des retraites</a></p>", "réforme"),
        ("<p>Leia também: <a href='/i'>O novo orçamento</a></p>", "novo orçamento"),
        ("<p>Lea también: <a href='/j'>El presupuesto municipal</a></p>", "presupuesto"),
        ("<p>Leggi anche: <a href='/k'>Il bilancio comunale</a></p>", "bilancio"),
    ],
)
def test_read_also_lines(line: str, marker: str) -> None:
    assert_dropped(line, marker)


@pytest.mark.parametrize(
    ("line", "marker"),
    [
        ("<p><em>Mau Berita Terbaru? Yuk Follow Kami di <a href='https://news.google.com/x'>Google News</a></em></p>",
         "Follow Kami"),
        ("<p>Sign up for our daily newsletter to get the latest news.</p>", "newsletter"),
        ("<p>Follow us on <a href='https://twitter.com/x'>Twitter</a> and Facebook.</p>", "Follow us"),
        ("<p>Folgen Sie uns auf Facebook.</p>", "Folgen Sie"),
        ("<p>Abonnez-vous à notre newsletter.</p>", "Abonnez"),
        ("<p>Síguenos en Twitter.</p>", "Síguenos"),
        ("<h3>Sign-up To The Newsletter And Get A Free eBook</h3>", "Free eBook"),
        ("<p>Help keep all of our content free and accessible - donate today!</p>", "donate"),
        ("<p><a href='/mail'>Email this story to a friend</a></p>", "Email this"),
    ],
)
def test_promo_lines(line: str, marker: str) -> None:
    assert_dropped(line, marker)


@pytest.mark.parametrize("sentence", [
    "If you only want the films, you can sign up for a free seven-day trial and pay monthly after that.",
    "You can try the new layout by doing a search on Google News or in the news tab of the results page.",
    "If you follow me on Twitter, you will have seen the polls; here is what the answers said in the end.",
])
def test_a_sentence_that_mentions_a_promo_phrase_is_prose(sentence: str) -> None:
    assert sentence in body_text(page(f"<p>{sentence}</p>"))


@pytest.mark.parametrize("label", ["ADVERTISEMENT", "Advert", "Anzeige", "Publicité", "Iklan",
                                   "Story continues below advertisement"])
def test_ad_placeholders(label: str) -> None:
    assert_dropped(f"<p>{label}</p>", label)


@pytest.mark.parametrize("row", [
    "<p><a href='https://facebook.com/share'>Facebook</a> <a href='https://twitter.com/share'>Twitter</a> "
    "<a href='https://wa.me/x'>WhatsApp</a> <a href='mailto:x'>Email</a></p>",
    "<p>Share this: Twitter Facebook</p>",
    "<p>Bagikan: Facebook Twitter WhatsApp</p>",
    "<p>Teilen: Facebook Twitter</p>",
])
def test_share_rows(row: str) -> None:
    assert_dropped(row, "Twitter")


def test_like_loading_chrome() -> None:
    assert_dropped("<p>Like this:</p><p>Like Loading...</p>", "Loading")


@pytest.mark.parametrize(("caption", "marker"), [
    ("<p>(Image: GETTY)</p>", "GETTY"),
    ("<figure><img src='/a.jpg' alt='Harbour'><figcaption>Boats in the harbour. AP Photo/John Smith"
     "</figcaption></figure>", "AP Photo"),
    ("<p>Foto: REUTERS/Reno Esnir</p>", "Reno Esnir"),
    ("<p>Jane Doe/Getty Images</p>", "Jane Doe"),
    ("<p>Crédit photo : AFP PHOTO / Jean Dupont</p>", "Jean Dupont"),
    ("<p>© Shutterstock</p>", "Shutterstock"),
])
def test_photo_credits(caption: str, marker: str) -> None:
    assert_dropped(caption, marker)


def test_hidden_popup_card_inside_link_is_not_glued_to_words() -> None:
    html = page(
        "<p>The minister <a href='/p/1'>Jane Roe<span style='display:none'>Jane Roe is the minister of "
        "finance since 2019.</span></a> said the budget was fair and would pass next month.</p>"
    )
    text = body_text(html)
    assert "Jane Roe said the budget" in text
    assert "since 2019" not in text


@pytest.mark.parametrize("card_class", ["rollover-people-block", "hovercard", "tooltip-content", "popover"])
def test_hover_card_hidden_by_a_stylesheet_goes_but_the_name_stays(card_class: str) -> None:
    """The card is hidden by CSS we never see; its class and its shape (photo, links) give it away."""
    html = page(
        f"<p>Gobernador <span class='rollover-people'><a class='rollover-people-link' href='/p/ana'>"
        f"Ana Ruiz</a><span class='{card_class}'><img src='/ana.jpg' alt=''><a href='/p/ana'>Ana "
        "María Ruiz</a><a href='/n/1'>Ruiz firma el decreto</a><a href='/p/ana'>MORE</a></span></span>"
        " (PRI) defendió el presupuesto ante el congreso estatal esta mañana.</p>"
    )
    text = body_text(html)
    assert "Gobernador Ana Ruiz (PRI) defendió" in text
    assert "firma el decreto" not in text and "MORE" not in text


def test_aria_hidden_and_hidden_attribute() -> None:
    html = page("<p>Visible words here for the reader of this page today.<a href='/x'>"
                "<span aria-hidden='true'>Popup card text</span></a></p><div hidden><p>Secret text</p></div>")
    text = body_text(html)
    assert "Popup card" not in text and "Secret text" not in text
    assert "Visible words" in text


@pytest.mark.parametrize(("label", "items"), [
    ("Tags:", "Budget, Council, Harbour"),
    ("Tag Terkait:", "Rusia, Venezuela"),
    ("Topik:", "Ekonomi, Politik"),
    ("Topics:", "Budget, Schools"),
    ("Schlagworte:", "Haushalt, Rat"),
])
def test_tag_lists(label: str, items: str) -> None:
    links = " ".join(f"<a href='/tag/{i.strip()}'>{i.strip()}</a>" for i in items.split(","))
    assert_dropped(f"<p>{label} {links}</p>", label)


def test_comment_section_is_cut() -> None:
    html = page("") .replace(
        "</article>",
        "</article><section><h3>Comments</h3><p>I think this budget is a disaster and the mayor "
        "should resign immediately, says a reader.</p></section>",
    )
    text = body_text(html)
    assert "resign immediately" not in text


def test_header_lines_duplicating_metadata() -> None:
    head = ("<meta property='og:title' content='Harbour budget approved'>"
            "<meta name='author' content='Jane Doe'>")
    html = page("", head=head).replace(
        "<div class='article-body'>",
        "<div class='article-body'><p>Harbour budget approved</p><p>By Jane Doe</p>"
        "<p>Updated 10:15 WIB, Kamis 26 September 2019</p>",
    )
    article = extract(html, "https://example.com/news/1")
    assert article.byline == "Jane Doe"
    assert not any(b.text in ("Harbour budget approved", "By Jane Doe") for b in article.blocks)
    assert "Kamis 26 September" not in article.text


def test_editor_line() -> None:
    assert_dropped("<p>Editor: <a href='/author/x'>Muhammad Syahrianto</a></p>", "Syahrianto")


def test_real_sentences_mentioning_the_same_words_stay() -> None:
    sentence = ("In a newsletter to investors, the company said that its advertisement revenue fell by a "
                "third and that it would read more carefully what regulators publish in the coming months.")
    text = body_text(page(f"<p>{sentence}</p>"))
    assert sentence in text


def test_lists_and_subheadings_are_kept() -> None:
    html = page("<h2>What changes</h2><ul><li>Schools get more money</li><li>Roads are repaired</li></ul>"
                "<ol start='3'><li>Third point</li></ol>")
    article = extract(html, "https://example.com/news/1")
    kinds = [(b.kind, b.text, b.marker) for b in article.blocks]
    assert ("heading", "What changes", "") in kinds
    assert ("item", "Schools get more money", "•") in kinds
    assert ("item", "Third point", "3.") in kinds


def test_embedded_tweet_is_kept() -> None:
    tweet = ("<blockquote class='twitter-tweet'><p lang='en'>The harbour will be rebuilt by spring, "
             "we promise every fisherman in town.</p>&mdash; Mayor (@mayor) "
             "<a href='https://twitter.com/mayor/status/1'>May 1, 2019</a></blockquote>")
    text = body_text(page(tweet))
    assert "The harbour will be rebuilt by spring" in text


def test_short_article_survives() -> None:
    html = ("<html><head><title>Short news</title></head><body><div class='menu'><a href='/'>Home</a></div>"
            "<article><h1>Short news</h1><p>The bridge reopened on Monday after two years of repairs, "
            "the city said.</p></article></body></html>")
    text = body_text(html)
    assert text == "The bridge reopened on Monday after two years of repairs, the city said."


def test_readability_wrong_container_is_recovered() -> None:
    """A page whose marked article body is split: the semantic container holds all of it."""
    part = "".join(f"<p>{LOREM} Part {n}.</p>" for n in range(1, 4))
    html = (f"<html><body><div itemprop='articleBody'><div class='a'>{part}</div><div class='b'>"
            f"<p>{LOREM} Part 4.</p><p>{LOREM} Part 5.</p></div><div class='c'>{part.replace('Part', 'Piece')}"
            f"</div></div></body></html>")
    text = body_text(html)
    assert "Part 5." in text and "Piece 3." in text


def test_short_post_keeps_its_byline_line() -> None:
    """A photo or link post of two lines: who wrote it and when is much of what it says."""
    html = (
        "<!DOCTYPE html><html><head><title>Harbour lights at dusk</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/photos'>Photos</a></nav>"
        "<div class='post'><h2>Harbour lights at dusk</h2><p>By Ana Ruiz on March 3, 2024</p>"
        "<p><img src='/lights.jpg' alt=''></p>"
        "<p>The old pier lit up for the festival, seen from the ferry on the way back.</p></div>"
        "<div class='sidebar'><p><a href='/a'>Archive</a></p></div></body></html>"
    )
    text = body_text(html)
    assert "By Ana Ruiz on March 3, 2024" in text
    assert "The old pier lit up" in text


def test_long_article_still_drops_its_byline_line() -> None:
    text = body_text(page("", head="<meta name='author' content='Ana Ruiz'>").replace(
        "<div class='article-body'>", "<div class='article-body'><p>By Ana Ruiz</p>"))
    assert "By Ana Ruiz" not in text and "Closing." in text


def test_comment_thread_under_a_long_label_is_cut() -> None:
    """ "Comments are now closed for this story" stands where a heading would, above a thread
    of short names and replies longer than the article itself."""
    thread = "".join(f"<p>Reader {n}</p><p>I think the council should have published the plan much earlier "
                     f"than this, it is far too late now for anyone to object to it, number {n}.</p>"
                     for n in range(1, 9))
    text = body_text(page(f"<p>Comments are now closed for this story</p>{thread}").replace(
        f"<p>{LOREM} Closing.</p>", ""))
    assert "Paragraph 4." in text
    assert "Reader 3" not in text and "Comments are now closed" not in text


@pytest.mark.parametrize("note", [
    "Ana Ruiz is a reporter covering the harbour and the city council.",
    "Ana Ruiz est journaliste au service politique du journal.",
])
def test_author_note_at_the_end_is_dropped(note: str) -> None:
    html = page("", head="<meta name='author' content='Ana Ruiz'>")
    text = body_text(html.replace(f"<p>{LOREM} Closing.</p>", f"<p>{LOREM} Closing.</p><p>{note}</p>"))
    assert "Closing." in text and "Paragraph 4." in text
    assert "Ana Ruiz is" not in text and "Ana Ruiz est" not in text


def test_sentence_about_someone_else_at_the_end_stays() -> None:
    ending = "Ana Ruiz is the new harbour master, the council said."
    text = body_text(page(f"<p>{ending}</p>", head="<meta name='author' content='Sam Lee'>"))
    assert ending in text


@pytest.mark.parametrize(("line", "marker"), [
    ("<p>This entry was posted in <a href='/c/harbour'>Harbour</a> and tagged <a href='/t/budget'>budget</a>. "
     "Bookmark the <a href='/p/1'>permalink</a>.</p>", "Bookmark the"),
    ("<p>This entry was posted on Monday, March 4th, 2024 at 9:10 am and is filed under City. You can follow "
     "any responses to this entry through the RSS 2.0 feed.</p>", "RSS 2.0"),
    ("<p>Posted in <a href='/c/city'>City</a>, <a href='/c/port'>Port</a> | <a href='#c'>3 Comments »</a></p>",
     "3 Comments"),
    ("<p>Dieser Beitrag wurde unter <a href='/k/stadt'>Stadt</a> veröffentlicht. Setze ein Lesezeichen auf den "
     "<a href='/p/1'>Permalink</a>.</p>", "Lesezeichen"),
])
def test_post_meta_line_is_dropped(line: str, marker: str) -> None:
    assert_dropped(line, marker)


def test_sentence_about_a_post_stays() -> None:
    sentence = "This entry was the best of the competition, the jury said after a long debate on Friday."
    assert sentence in body_text(page(f"<p>{sentence}</p>"))


@pytest.mark.parametrize(("line", "marker"), [
    ("<p>Ana Ruiz can be reached at ana.ruiz@example.com or (555) 010-4477.</p>", "can be reached"),
    ("<p>To contact the reporter on this story: Ana Ruiz in Lisbon at aruiz@example.com</p>", "To contact"),
    ("<p>Ana Ruiz covers the harbour for the paper. Write to her at aruiz@example.com.</p>", "Write to her"),
])
def test_reporter_contact_line_at_the_end_is_dropped(line: str, marker: str) -> None:
    assert_dropped_at_end(line, marker)


def test_sentence_about_reaching_someone_stays() -> None:
    ending = "The harbour master said the ferry can be reached at low tide only, by the old causeway."
    assert ending in body_text(ending_with(f"<p>{ending}</p>"))


@pytest.mark.parametrize("line", [
    "<p>« <a href='/a'>Regulation as a Dilemma</a> | <a href='/'>Main</a> | <a href='/b'>Micromorts</a> »</p>",
    "<p>« <a href='/a'>Fairy Wren Passwords</a> | <a href='/'>Main</a></p>",
    "<p><a href='/'>Home</a> | <a href='/b'>Next post: the harbour in winter</a> »</p>",
])
def test_links_to_the_neighbouring_posts_are_dropped(line: str) -> None:
    assert_dropped(line, "Main" if "Main" in line else "Next post")


def test_a_row_of_site_links_split_by_bars_is_dropped_but_a_row_of_facts_stays() -> None:
    nav = " | ".join(f"<a href='/{word.lower()}'>{word}</a>" for word in ("Privacy", "Advertise", "Contact Us", "Archives"))
    assert_dropped(f"<p>{nav}</p>", "Advertise")
    facts = "<p>Prep Time: 15 Minutes | Cook Time: 20 Minutes | Difficulty: Easy | Servings: 12</p>"
    assert "Cook Time: 20 Minutes" in body_text(page(facts))


def test_the_print_edition_note_under_a_story_is_dropped() -> None:
    assert_dropped("<p>A version of this article appeared July 24, 2012, on page A1 in the U.S. edition, with the "
                   "headline: Pier to Be Rebuilt.</p>", "A version of this article")


def test_the_sites_name_repeated_at_the_top_of_the_body_is_dropped() -> None:
    html = page("", head="<meta property='og:site_name' content='Harbour Times'>").replace(
        "<div class='article-body'>", "<div class='article-body'><p>Harbour Times</p>")
    text = body_text(html)
    assert "Harbour Times" not in text
    assert "Paragraph 4." in text


def test_the_links_under_a_related_label_go_with_it() -> None:
    listing = ("<p><strong>Related:</strong></p>"
               "<p>Read: <a href='/spy'>The spy who was left in the cold</a></p>"
               "<p>Longreads: <a href='/lr'>Resurfaced: the spy story of 1998</a></p>")
    text = body_text(ending_with(listing))
    assert "Related" not in text and "left in the cold" not in text and "Resurfaced" not in text
    assert "Closing." in text


def test_a_sentence_after_a_related_label_stays() -> None:
    ending = "The harbour reopens on Monday, the council said, after a week of repairs to the old quay."
    listing = f"<p>Related:</p><p>{ending}</p>"
    assert ending in body_text(ending_with(listing))


@pytest.mark.parametrize(("line", "marker"), [
    ("<p>Keith Bradsher contributed reporting from Hong Kong.</p>", "Bradsher"),
    ("<p>(Reporting by Ana Ruiz; Editing by Sam Lee)</p>", "Ana Ruiz"),
    ("<p><em>With reporting from Kelly Moss.</em></p>", "Kelly Moss"),
    ("<p>Associated Press Writer Paul Ames contributed to this report from Brussels.</p>", "Paul Ames"),
    ("<p>(Mit Material von dpa)</p>", "Material von"),
    ("<p>Con información de EFE.</p>", "información"),
])
def test_who_else_reported_the_story_is_dropped_under_it(line: str, marker: str) -> None:
    assert_dropped_at_end(line, marker)


def test_a_sentence_about_reporting_in_the_story_stays() -> None:
    line = "<p>Reporting by the local paper had contributed to the inquiry, the minister said on Monday.</p>"
    assert "contributed to the inquiry" in body_text(ending_with(line))


def test_a_heading_set_letter_by_letter_reads_as_its_words_and_counts_as_one() -> None:
    comments = ("<div class='strap'>R E A D E R &nbsp; C O M M E N T S</div>"
                "<p>First! I disagree with every word of this, and I will say so at some length here.</p>")
    text = body_text(ending_with(comments))
    assert "I disagree" not in text and "Closing." in text
    spaced = page("<h2>F E A T U R E D&nbsp; &nbsp;S T O R Y</h2>")
    assert "FEATURED STORY" in body_text(spaced)


@pytest.mark.parametrize("box", ["imageCaption", "photocaption", "wp-caption-text", "media-caption"])
def test_a_caption_named_in_one_word_with_its_picture_goes_like_a_caption(box: str) -> None:
    caption = ("<div class='photo'><img src='/wreck.jpg'>"
               f"<div class='{box}'>Investigators look through the wreckage of the plane on Friday.</div></div>")
    assert_dropped(caption, "wreckage")


@pytest.mark.parametrize("line", ["<p>16 comments:</p>", "<p>No comments yet.</p>", "<p>Comments (0)</p>",
                                  "<p>3 Kommentare</p>"])
def test_a_count_of_comments_is_dropped_wherever_it_stands(line: str) -> None:
    html = page("").replace("<div class='article-body'>", f"<div class='article-body'>{line}")
    text = body_text(html)
    assert "omment" not in text and "Paragraph 4." in text and "Closing." in text


def test_a_sentence_counting_comments_stays() -> None:
    line = "<p>No comments were taken from the public before the vote, the clerk said on Monday.</p>"
    assert "No comments were taken" in body_text(page(line))
