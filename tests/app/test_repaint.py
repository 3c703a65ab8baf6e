"""A change of state repaints what shows it: the list row (drawn afresh, not from a stale line)."""

from __future__ import annotations

from tui.core.store import Store

from ..conftest import make_record
from .conftest import make_app
from .helpers import article_list, status_text


def _drawn_row(app: object) -> str:
    widget = article_list(app)  # type: ignore[arg-type]
    return widget.render_line(0).text + widget.render_line(1).text


async def test_m_and_s_redraw_the_row_under_the_cursor(store: Store) -> None:
    store.put_articles([make_record(n) for n in range(1, 4)])
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert _drawn_row(app).startswith("● ") and "3 unread" in status_text(app)
        await pilot.press("m")
        await pilot.pause()
        assert not _drawn_row(app).startswith("●") and "2 unread" in status_text(app)
        await pilot.press("s")
        await pilot.pause()
        assert "★" in _drawn_row(app)
        await pilot.press("m", "s")
        await pilot.pause()
        assert _drawn_row(app).startswith("● ") and "★" not in _drawn_row(app)


async def test_the_cursor_paints_the_whole_item_both_lines_every_cell(store: Store) -> None:
    """The styled parts of a row (dot, title, site, tags) keep the cursor's background: their
    own style carries a colour, never the list's background over the cursor's."""
    store.put_articles([make_record(n, tags=("tech",)) for n in range(1, 4)])
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        widget = article_list(app)
        cursor = widget.get_component_rich_style("article-list--cursor").bgcolor
        plain = widget.get_component_rich_style("article-list--meta").bgcolor
        assert cursor is not None and cursor != plain
        for line in (0, 1):  # the item under the cursor: title line and meta line
            backgrounds = {segment.style.bgcolor for segment in widget.render_line(line)
                           if segment.text and segment.style is not None}
            assert backgrounds == {cursor}, (line, backgrounds)
        below = {segment.style.bgcolor for segment in widget.render_line(2)
                 if segment.text and segment.style is not None}
        assert cursor not in below


def _drawn_cursor_lines(app: object) -> list[int]:
    """The list's lines on screen with the cursor's background, as last drawn: read through
    the widget's own line cache, so a line the cursor left but nobody repainted shows stale."""
    widget = article_list(app)  # type: ignore[arg-type]
    cursor = widget.get_component_rich_style("article-list--cursor").bgcolor
    drawn = widget.render_lines(widget.size.region)
    return [y for y, strip in enumerate(drawn)
            if any(s.style is not None and s.style.bgcolor == cursor for s in strip if s.text.strip())]


async def test_the_cursor_repaints_where_it_goes_in_a_scrolled_list(store: Store) -> None:
    """Up and down after the list has scrolled: the old row loses the cursor, the new row gets it
    (the rows are repainted where they are on screen, not where they were before scrolling)."""
    store.put_articles([make_record(n) for n in range(1, 61)])
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        widget = article_list(app)
        for _ in range(25):
            await pilot.press("j")
            await pilot.pause()
        assert widget.scroll_y > 0
        bottom = _drawn_cursor_lines(app)
        assert len(bottom) == 2
        await pilot.press("k")
        await pilot.pause()
        assert _drawn_cursor_lines(app) == [bottom[0] - 2, bottom[1] - 2]
        await pilot.press("k", "k")
        await pilot.pause()
        assert _drawn_cursor_lines(app) == [bottom[0] - 6, bottom[1] - 6]
        await pilot.press("j")
        await pilot.pause()
        assert _drawn_cursor_lines(app) == [bottom[0] - 4, bottom[1] - 4]


def _drawn_lines_with(app: object, component: str) -> list[int]:
    widget = article_list(app)  # type: ignore[arg-type]
    colour = widget.get_component_rich_style(component).bgcolor
    drawn = widget.render_lines(widget.size.region)
    return [y for y, strip in enumerate(drawn)
            if any(s.style is not None and s.style.bgcolor == colour for s in strip if s.text.strip())]


async def test_marks_repaint_where_their_rows_are_in_a_scrolled_list(store: Store) -> None:
    store.put_articles([make_record(n) for n in range(1, 61)])
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        for _ in range(25):
            await pilot.press("j")
            await pilot.pause()
        await pilot.press("k", "k")
        await pilot.pause()
        cursor = _drawn_lines_with(app, "article-list--cursor")
        assert article_list(app).scroll_y > 0 and len(cursor) == 2
        await pilot.press("v")  # marks the row and moves on to the next
        await pilot.pause()
        assert _drawn_lines_with(app, "article-list--marked") == cursor
        assert _drawn_lines_with(app, "article-list--cursor") == [cursor[0] + 2, cursor[1] + 2]
        await pilot.press("V")
        await pilot.pause()
        assert _drawn_lines_with(app, "article-list--marked") == []


async def test_partial_frames_add_up_to_the_full_frame(store: Store) -> None:
    """Every frame the app sends, played into a terminal emulator in order, leaves it showing
    what a full repaint would: a partial update that draws only what it changes (the list
    rows under a moving cursor, the reader following it, the status line, a scrolled reader)
    leaves no stale line and no gap beside it."""
    import pyte
    from rich.console import Console

    store.put_articles([make_record(n, tags=("tech",), body=f"Paragraph about topic {n}. " * 300)
                        for n in range(1, 61)])
    app = make_app(store)
    columns, rows = 100, 30
    console = Console(width=columns, height=rows, color_system="truecolor", force_terminal=True,
                      legacy_windows=False)
    terminal = pyte.Screen(columns, rows)
    stream = pyte.Stream(terminal)
    frames: list[object] = []
    shown = app._display

    def display(screen: object, renderable: object) -> None:
        shown(screen, renderable)  # type: ignore[arg-type]
        if renderable is not None and hasattr(renderable, "render_segments"):
            frames.append(renderable)
            stream.feed(renderable.render_segments(console))

    app._display = display  # type: ignore[method-assign]

    def cells(screen: pyte.Screen) -> list[list[tuple[str, str, str, bool]]]:
        return [[(c.data, c.fg, c.bg, c.bold) for c in (screen.buffer[y][x] for x in range(columns))]
                for y in range(rows)]

    def full_frame() -> list[list[tuple[str, str, str, bool]]]:
        fresh = pyte.Screen(columns, rows)
        update = app.screen._compositor.render_update(full=True)
        pyte.Stream(fresh).feed(update.render_segments(console))  # type: ignore[union-attr]
        return cells(fresh)

    async with app.run_test(size=(columns, rows)) as pilot:
        await pilot.pause()
        for keys in (["j"], ["j"], ["j", "j", "j"], ["k"], ["m"], ["s"], ["tab"], ["space"],
                     ["escape"], *[["j"]] * 14, ["k"], ["v"], ["V"]):
            before = len(frames)
            await pilot.press(*keys)
            await pilot.pause(0.15)  # the reader follows the cursor after 80 ms
            assert len(frames) > before, keys
            assert cells(terminal) == full_frame(), keys
        assert article_list(app).scroll_y > 0  # the list scrolled: rows moved on screen too


async def test_rows_are_drawn_again_at_a_new_width_and_kept_at_a_new_height(store: Store) -> None:
    """Drawn rows are kept by width: a terminal made narrower draws them again at the width
    there is (titles cut where it ends), one made taller keeps them."""
    store.put_articles([make_record(n, title=f"Article number {n} " + "with a long title " * 6)
                        for n in range(1, 40)])
    app = make_app(store)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        widget = article_list(app)

        def drawn() -> list[str]:
            return [strip.text for strip in widget.render_lines(widget.size.region)]

        wide = drawn()
        wide_width = widget.scrollable_content_region.width
        assert wide[0].startswith("● Article number 39 with a long title")
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        narrow = drawn()
        narrow_width = widget.scrollable_content_region.width
        assert narrow_width < wide_width
        assert narrow[0].rstrip().endswith("…") and narrow[0] != wide[0]
        assert all(len(line) == widget.size.width for line in narrow)
        await pilot.resize_terminal(120, 50)
        await pilot.pause()
        taller = drawn()
        assert taller[: len(narrow)] == narrow and len(taller) > len(narrow)
