"""Snapshots of the main layouts on fixed data: the look nobody thought to assert on.

Every article is dated in 2025, so the list shows dates (not "3d", which would age), and the
reader's header is in UTC. Each ``run_before`` waits for what the picture must show (the
preview that follows the cursor, a screen pushed) instead of sleeping, so a loaded machine
takes the same picture. Update them with ``pytest tests/app/test_snapshots.py --snapshot-update``
and look at every changed SVG before committing it.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.app.conftest import make_app
from tests.app.helpers import reader
from tui.app.app import WartaApp
from tui.app.messages import RefreshFinished
from tui.app.screens.errors import ErrorsScreen
from tui.app.screens.help import HelpScreen
from tui.app.screens.tag_picker import TagPicker
from tui.core.config import Config, RefreshConfig
from tui.core.errors import HttpStatus, Offline, Timeout
from tui.core.models import Article, ArticleRecord, Block
from tui.core.refresh import RefreshProgress
from tui.core.store import Store
from tui.core.urls import article_id

Snap = Callable[..., bool]
DAY = 86400.0
NEWEST = 1_761_562_800.0  # 2025-10-27 11:00 UTC

# (title, site, feed tags, byline): newest first
ARTICLES = [
    ("Harbour town rebuilds its sea wall with oyster reefs", "The Harbour Ledger", ("science", "climate"),
     "Mara Quint"),
    ("Lantern 3.0 ditches the browser: the feed reader goes terminal-first", "The Byteline",
     ("tech", "open-source"), "Ilse Navarro"),
    ("City libraries stay open until midnight during exam weeks", "Le Courrier du Matin", ("culture",), ""),
    ("Regional rail adds a night train between the two valleys", "Rheinische Rundschau",
     ("transport", "europe"), "Jonas Feld"),
    ("A 19-year-old runner breaks the national 10,000 m record", "Diario del Sur", ("sport",), ""),
    ("Mangroves store three times more carbon than expected, survey finds", "Jornal da Costa",
     ("science", "climate"), "Ana Beira"),
    ("Small machine shops bet on repair instead of replacement", "Rheinische Rundschau",
     ("economy", "europe"), ""),
    ("Why your terminal's colours look different over SSH", "The Byteline", ("tech",), "Ilse Navarro"),
    ("Kelp forest off the coast doubles in size after trawling ban", "The Harbour Ledger",
     ("science",), "Mara Quint"),
    ("Council votes to keep the old market hall", "Le Courrier du Matin", ("culture", "politics"), ""),
    ("Rising tides: the coastal villages that moved inland", "Jornal da Costa", ("climate",), ""),
    ("Open data portal publishes ten years of bus timetables", "The Byteline", ("tech", "transport"), ""),
    ("Quarterly exports rise for the third time in a row", "Rheinische Rundschau", ("economy",), ""),
    ("The last lighthouse keeper on the island retires", "The Harbour Ledger", ("culture",), "Mara Quint"),
]
READ = {2, 4, 6, 9, 12}  # indexes of articles already read
STARRED = {1, 5}
LONG = 1  # the article the reader snapshot opens: twenty-odd paragraphs and headings


def _blocks(n: int, title: str) -> tuple[Block, ...]:
    if n != LONG:
        return (Block("paragraph", f"{title}. The first paragraph says what happened, where and when, "
                                   "and the second says why it matters to the people who live there."),
                Block("paragraph", "Officials expect the work to take two years. Residents were asked "
                                   "for their views at three public meetings this autumn."))
    blocks: list[Block] = [Block("paragraph", "Lantern, the feed reader that started as a browser "
                                              "extension, now opens in the terminal first. Its third "
                                              "major release drops the embedded browser entirely.")]
    for section in range(1, 6):
        blocks.append(Block("heading", f"Part {section}: what changed"))
        for paragraph in range(1, 5):
            blocks.append(Block("paragraph", f"Section {section}, paragraph {paragraph}. The maintainers "
                                             "say the change came from watching how people actually "
                                             "read: in short bursts, over slow links, on machines "
                                             "they reach through SSH. A terminal is always there."))
        blocks.append(Block("quote", "Nobody asked for a faster browser. They asked to read the article."))
    return tuple(blocks)


def _records() -> list[ArticleRecord]:
    records = []
    for n, (title, site, tags, byline) in enumerate(ARTICLES):
        url = f"https://news.example.org/{n}/{title.lower().split(':')[0].replace(' ', '-')}"
        published = NEWEST - n * 1.5 * DAY
        article = Article(url=url, title=title, site_name=site, byline=byline or None, blocks=_blocks(n, title))
        records.append(ArticleRecord(id=article_id(url), url=url, title=title, site=site, byline=byline,
                                     published=published, fetched=published + 3600,
                                     feeds=(f"https://news.example.org/{site.split()[-1].lower()}.xml",),
                                     feed_tags=tags, status="full", article=article))
    return records


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The reader's header shows local time: pin it so the snapshot is the same everywhere."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def news(tmp_path: Path, utc: None) -> Iterator[Store]:
    store = Store.open(tmp_path / "data")
    records = _records()
    store.put_articles(records)
    store.update_states([records[n].id for n in READ], read=True)
    store.update_states([records[n].id for n in STARRED], starred=True)
    try:
        yield store
    finally:
        store.close()


def quiet_app(store: Store) -> WartaApp:
    """No refresh and no sync at start: nothing from outside the data dir."""
    return make_app(store, Config(refresh=RefreshConfig(on_start=False, interval_minutes=0)))


async def _until(pilot: Pilot[None], ready: Callable[[], bool], what: str) -> None:
    for _ in range(500):
        await pilot.pause()
        if ready():
            return
        await pilot.pause(0.01)
    raise AssertionError(f"never ready for the snapshot: {what}")


async def previewed(pilot: Pilot[None]) -> None:
    """The cursor is on the newest article and the reader follows it (after its short delay)."""
    app = pilot.app
    assert isinstance(app, WartaApp)
    newest = article_id(_records()[0].url)
    await _until(pilot, lambda: reader(app).article_id == newest, "the preview of the newest article")


def pushed(screen_type: type, *keys: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run(pilot: Pilot[None]) -> None:
        await previewed(pilot)
        await pilot.press(*keys)
        await _until(pilot, lambda: isinstance(pilot.app.screen, screen_type), screen_type.__name__)
    return run


@pytest.mark.parametrize("size", [(160, 45), (100, 30), (80, 24)], ids=["160x45", "100x30", "80x24"])
def test_main_screen(snap_compare: Snap, news: Store, size: tuple[int, int]) -> None:
    # wide and medium: the list beside the reader's preview; small: the list alone
    assert snap_compare(quiet_app(news), terminal_size=size, run_before=previewed)


def test_reader_with_a_long_article(snap_compare: Snap, news: Store) -> None:
    # the second article, opened and paged down twice: a heading and the scrollbar part-way
    async def opened(pilot: Pilot[None]) -> None:
        await previewed(pilot)
        await pilot.press("j", "enter", "space", "space")
        app = pilot.app
        assert isinstance(app, WartaApp)
        wanted = article_id(_records()[LONG].url)
        await _until(pilot, lambda: reader(app).article_id == wanted and reader(app).scroll_y > 0,
                     "the long article, scrolled")

    assert snap_compare(quiet_app(news), terminal_size=(100, 30), run_before=opened)


def test_help(snap_compare: Snap, news: Store) -> None:
    assert snap_compare(quiet_app(news), terminal_size=(80, 24), run_before=pushed(HelpScreen, "question_mark"))


def test_a_toast_over_the_list_at_80x24(snap_compare: Snap, news: Store) -> None:
    # m then u: the "Undone" toast, one row high, right above the status line (a padded toast
    # over the status line hid the counts and five rows of the list)
    async def undone(pilot: Pilot[None]) -> None:
        await previewed(pilot)
        await pilot.press("m", "u")
        await _until(pilot, lambda: bool(pilot.app.screen.query("Toast")), "the undo toast")

    assert snap_compare(quiet_app(news), terminal_size=(80, 24), run_before=undone)


def test_tag_picker(snap_compare: Snap, news: Store) -> None:
    # every tag with unread/total counts, the cursor moved down one
    assert snap_compare(quiet_app(news), terminal_size=(80, 24), run_before=pushed(TagPicker, "t"),
                        press=["j"])


def test_errors_view(snap_compare: Snap, news: Store) -> None:
    # a refresh ended with three failed feeds (one gone for good): E lists them
    failures = (HttpStatus("https://news.example.org/gone.xml", "HTTP 410 Gone", code=410),
                Timeout("https://slow.example.net/feed", "took too long to answer (30 s)"),
                Offline("https://news.example.org/byline.xml", "no network: name resolution failed"))
    progress = RefreshProgress(feeds_done=5, feeds_total=5, errors=failures, new_articles=2,
                               gone=("https://news.example.org/gone.xml",))

    async def failed(pilot: Pilot[None]) -> None:
        await previewed(pilot)
        pilot.app.post_message(RefreshFinished(progress))
        await _until(pilot, lambda: getattr(pilot.app, "last_errors", ()) == failures, "the refresh report")
        await pilot.press("E")
        await _until(pilot, lambda: isinstance(pilot.app.screen, ErrorsScreen), "the errors view")

    assert snap_compare(quiet_app(news), terminal_size=(100, 30), run_before=failed)


@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=["80x24", "160x45"])
def test_welcome(snap_compare: Snap, tmp_path: Path, size: tuple[int, int]) -> None:
    # an empty data dir: how to get articles in, on the whole screen
    with Store.open(tmp_path / "empty") as store:
        app = quiet_app(store)

        async def welcomed(pilot: Pilot[None]) -> None:
            await _until(pilot, lambda: app.main.has_class("-empty"), "the welcome")

        assert snap_compare(app, terminal_size=size, run_before=welcomed)


def test_filter_error(snap_compare: Snap, news: Store) -> None:
    # a malformed filter is not applied: the prompt stays open, says why, selects the bad term
    async def typed(pilot: Pilot[None]) -> None:
        await previewed(pilot)
        await pilot.press("slash", *"tag:tech is:bogus", "enter")
        app = pilot.app
        assert isinstance(app, WartaApp)
        await _until(pilot, lambda: app.main.query_one("#filter-prompt").has_class("-error"),
                     "the filter error")

    assert snap_compare(quiet_app(news), terminal_size=(100, 30), run_before=typed)
