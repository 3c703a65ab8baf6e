"""The terminal's picture protocols: the encoders decode back to the picture, the query finds
what a terminal on a real pty answers (kitty, sixel, nothing, tmux with and without
passthrough), and the choice falls back kitty → sixel (full pane only) → half blocks → text."""

from __future__ import annotations

import base64
import io
import os
import re
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from tui.app.graphics import (MAX_KITTY_CELLS, PLACEHOLDER, KittyPicture, KittyPictures,
                              Terminal, drawing_for, kitty_delete, kitty_strips, kitty_transmit,
                              parse_answers, passthrough, query_terminal, sixel_at, sixel_encode)
from tui.core.images import PixelImage, to_pixels


def _picture(width: int = 37, height: int = 23) -> PixelImage:
    """A picture with structure in both directions, so a mix-up of rows or columns shows."""
    pixels = bytearray()
    for y in range(height):
        for x in range(width):
            pixels += bytes((x * 255 // width, y * 255 // height, (x * y) % 256))
    return PixelImage(4, 2, width, height, bytes(pixels))


# -- kitty ------------------------------------------------------------------------------------

def _kitty_commands(data: str) -> list[tuple[dict[str, str], str]]:
    found = re.findall(r"\x1b_G([^;\x1b]*)(?:;([^\x1b]*))?\x1b\\", data)
    return [(dict(kv.split("=", 1) for kv in keys.split(",")), payload) for keys, payload in found]


def test_kitty_chunks_reassemble_to_the_picture() -> None:
    picture = _picture(120, 90)  # 32 KB of RGB: several 4096-byte chunks
    commands = _kitty_commands(kitty_transmit(77, picture))
    first, *rest, placement = commands
    keys, _ = first
    assert keys["a"] == "t" and keys["f"] == "24" and keys["i"] == "77" and keys["q"] == "2"
    assert (int(keys["s"]), int(keys["v"])) == (120, 90)
    chunks = [first, *rest]
    assert len(chunks) > 1 and all(len(payload) <= 4096 for _, payload in chunks)
    assert [k["m"] for k, _ in chunks] == ["1"] * (len(chunks) - 1) + ["0"]
    assert base64.b64decode("".join(payload for _, payload in chunks)) == picture.pixels
    assert placement[0] == {"a": "p", "U": "1", "i": "77", "c": "4", "r": "2", "q": "2"}


def test_kitty_through_tmux_is_wrapped_in_passthrough() -> None:
    wrapped = kitty_transmit(5, _picture(8, 8), tmux=True)
    pieces = re.findall(r"\x1bPtmux;((?:\x1b\x1b|[^\x1b])*)\x1b\\", wrapped)
    assert pieces and all(piece.startswith("\x1b\x1b_G") for piece in pieces)
    unwrapped = "".join(piece.replace("\x1b\x1b", "\x1b") for piece in pieces)
    assert unwrapped == kitty_transmit(5, _picture(8, 8))
    assert kitty_delete([5], tmux=True) == passthrough("\x1b_Ga=d,d=I,i=5,q=2\x1b\\")


def test_kitty_placeholders_carry_row_column_and_id() -> None:
    strips = kitty_strips(KittyPicture(0x4A0102, 3, 2), 9)
    assert len(strips) == 2
    for strip in strips:
        assert strip.cell_length == 3 + 3  # centred: 3 blank columns, 3 placeholder cells
        text = "".join(segment.text for segment in strip)
        assert text.startswith("   ") and text.count(PLACEHOLDER) == 3
        cells = text.strip().split(PLACEHOLDER)[1:]
        assert [ord(c[0]) for c in cells] == [ord(cells[0][0])] * 3  # one row mark per line
        assert len({c[1] for c in cells}) == 3  # a column mark each
        colour = next(s.style.color for s in strip if s.style and s.style.color)
        assert colour.get_truecolor() == (0x4A, 0x01, 0x02)
    assert {strips[0].text.strip()[1]} != {strips[1].text.strip()[1]}


def test_leaving_an_article_deletes_its_pictures_from_the_terminal() -> None:
    written: list[str] = []  # what the app's driver would be handed
    pictures = KittyPictures(written.append)
    first = pictures.send(1, "article-a", _picture())
    second = pictures.send(1, "article-a", _picture())
    assert first.image_id != second.image_id and not any("a=d" in w for w in written)
    pictures.send(1, "article-b", _picture())  # another article on the same screen
    deletes = _kitty_commands(written[-2])
    assert [keys["i"] for keys, _ in deletes] == [str(first.image_id), str(second.image_id)]
    pictures.forget_all()
    assert "a=d" in written[-1]


def test_a_picture_larger_than_the_diacritics_is_cut_to_them() -> None:
    written: list[str] = []
    big = PixelImage(400, 300, 40, 30, bytes(40 * 30 * 3))
    placed = KittyPictures(written.append).send(1, "a", big)
    assert (placed.width, placed.height) == (MAX_KITTY_CELLS, MAX_KITTY_CELLS)


# -- sixel ------------------------------------------------------------------------------------

def _decode_sixel(data: str) -> tuple[tuple[int, int], dict[tuple[int, int], tuple[int, int, int]]]:
    """A small sixel reader: raster size and each painted pixel's colour (0-100 % scaled)."""
    body = data[data.index("q") + 1:data.rindex("\x1b\\")]
    raster = re.match(r'"1;1;(\d+);(\d+)', body)
    assert raster, "no raster attributes"
    size = (int(raster.group(1)), int(raster.group(2)))
    body = body[raster.end():]
    palette: dict[int, tuple[int, int, int]] = {}
    pixels: dict[tuple[int, int], tuple[int, int, int]] = {}
    x = band = colour = 0
    for token in re.finditer(r"#(\d+)(?:;2;(\d+);(\d+);(\d+))?|!(\d+)(.)|([?-~])|(\$)|(-)", body):
        if token.group(1) is not None:
            colour = int(token.group(1))
            if token.group(2) is not None:
                palette[colour] = tuple(int(token.group(n)) for n in (2, 3, 4))  # type: ignore[assignment]
            continue
        if token.group(8):
            x = 0
            continue
        if token.group(9):
            x, band = 0, band + 1
            continue
        count, char = (int(token.group(5)), token.group(6)) if token.group(5) else (1, token.group(7))
        bits = ord(char) - 63
        for _ in range(count):
            for shift in range(6):
                if bits & (1 << shift):
                    pixels[(x, band * 6 + shift)] = palette[colour]
            x += 1
    return size, pixels


def test_sixel_decodes_to_the_picture_size_and_colours() -> None:
    picture = _picture(37, 23)  # 23 rows: the last band is cut short
    data = sixel_encode(picture)
    assert data.startswith("\x1bP0;1;0q") and data.endswith("\x1b\\")
    (width, height), pixels = _decode_sixel(data)
    assert (width, height) == (37, 23)
    assert {p for p in pixels if p[1] < 23} == {(x, y) for x in range(37) for y in range(23)}
    assert max(x for x, _ in pixels) == 36
    source = Image.frombytes("RGB", (37, 23), picture.pixels)
    for point in ((0, 0), (36, 0), (0, 22), (36, 22), (18, 11)):
        expected = tuple(round(c * 100 / 255) for c in source.getpixel(point))
        assert all(abs(a - b) <= 12 for a, b in zip(pixels[point], expected, strict=True)), \
            (point, pixels[point], expected)


def test_sixel_runs_are_run_length_coded() -> None:
    flat = PixelImage(10, 1, 200, 12, bytes((200, 10, 10)) * 200 * 12)
    data = sixel_encode(flat)
    assert "!200~" in data and len(data) < 200
    assert _decode_sixel(data)[0] == (200, 12)
    drawn = sixel_at(data, 4, 2)
    assert drawn.startswith("\x1b[?2026h\x1b7\x1b[3;5H") and drawn.endswith("\x1b8\x1b[?2026l")


def test_pixels_fit_the_cells_and_never_enlarge() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 200), (9, 99, 199)).save(buffer, "PNG")
    scaled = to_pixels(buffer.getvalue(), 20, 10, (10, 20))
    assert (scaled.width, scaled.height) == (200, 100) and (scaled.cols, scaled.rows) == (20, 5)
    small = to_pixels(buffer.getvalue(), 80, 40, (10, 20))
    assert (small.width, small.height) == (400, 200) and (small.cols, small.rows) == (40, 10)
    assert small.pixels[:3] == bytes((9, 99, 199))


# -- asking the terminal, on a real pty ---------------------------------------------------------

class AnsweringTerminal:
    """The other end of a real pty, answering queries the way a given terminal does."""

    def __init__(self, answers: dict[bytes, bytes]) -> None:
        self.master, self.slave = os.openpty()
        self.answers = answers
        self.heard = b""
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._stop = False
        self._thread.start()

    def _run(self) -> None:
        import select

        while not self._stop:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                return
            self.heard += chunk
            for needle, answer in list(self.answers.items()):
                if needle in self.heard:
                    os.write(self.master, answer)
                    del self.answers[needle]

    def close(self) -> None:
        self._stop = True
        self._thread.join(2)
        os.close(self.master)
        os.close(self.slave)


KITTY = {b"a=q": b"\x1b_Gi=31;OK\x1b\\", b"\x1b[c": b"\x1b[?62;22c"}
SIXEL = {b"\x1b[c": b"\x1b[?62;4;6;22c"}  # e.g. xterm -ti vt340, foot, WezTerm
PLAIN = {b"\x1b[c": b"\x1b[?1;2c"}  # answers the attributes, speaks neither protocol


@pytest.mark.parametrize(("answers", "env", "expected"), [
    (KITTY, {"TERM": "xterm-kitty"}, (True, False, False)),
    (SIXEL, {"TERM": "xterm-256color"}, (False, True, False)),
    (PLAIN, {"TERM": "xterm-256color"}, (False, False, False)),
    ({}, {"TERM": "xterm-256color"}, (False, False, False)),  # answers nothing at all
    # tmux answers the attributes itself; kitty only if the passthrough reached it
    ({b"Ptmux;": b"\x1b_Gi=31;OK\x1b\\", b"\x1b[c": b"\x1b[?62;4c"},
     {"TERM": "screen-256color", "TMUX": "/tmp/tmux-0/default,1,0"}, (True, False, True)),
    ({b"\x1b[c": b"\x1b[?62;4c"}, {"TERM": "screen-256color", "TMUX": "/tmp/t,1,0"}, (False, False, True)),
], ids=["kitty", "sixel", "neither", "silent", "tmux-passthrough", "tmux-no-passthrough"])
def test_query_on_a_pty(answers: dict[bytes, bytes], env: dict[str, str],
                        expected: tuple[bool, bool, bool]) -> None:
    terminal = AnsweringTerminal(dict(answers))
    try:
        started = time.monotonic()
        found = query_terminal(terminal.slave, terminal.slave, env, timeout=0.5)
        took = time.monotonic() - started
        assert (found.kitty, found.sixel, found.tmux) == expected
        assert b"\x1b[c" in terminal.heard
        if env.get("TMUX"):
            assert b"\x1bPtmux;\x1b\x1b_G" in terminal.heard and b"\x1b_Ga=q" not in terminal.heard
        if answers:
            assert took < 0.5  # the attributes' answer ends the wait
    finally:
        terminal.close()


def test_a_dumb_terminal_or_no_tty_is_not_asked() -> None:
    terminal = AnsweringTerminal(dict(KITTY))
    try:
        assert query_terminal(terminal.slave, terminal.slave, {"TERM": "dumb"}) == \
            Terminal(cell=query_terminal(terminal.slave, terminal.slave, {"TERM": "dumb"}).cell)
        time.sleep(0.1)
        assert terminal.heard == b""
    finally:
        terminal.close()
    read_end, write_end = os.pipe()
    try:
        assert query_terminal(read_end, write_end, {"TERM": "xterm-kitty"}).kitty is False
    finally:
        os.close(read_end)
        os.close(write_end)


def test_parse_answers_needs_the_query_id_and_the_attribute_4() -> None:
    assert parse_answers(b"\x1b_Gi=31;OK\x1b\\\x1b[?62;c") == (True, False)
    assert parse_answers(b"\x1b_Gi=31;ENOENT:x\x1b\\\x1b[?64;4c") == (False, True)
    assert parse_answers(b"\x1b[?64;44c") == (False, False)  # 44 is not 4


# -- the fallback chain -------------------------------------------------------------------------

KITTY_T, SIXEL_T, NONE_T = Terminal(kitty=True), Terminal(sixel=True), Terminal()


@pytest.mark.parametrize(("mode", "colours", "terminal", "reader", "full_pane"), [
    ("auto", "truecolor", KITTY_T, "kitty", "kitty"),
    ("auto", "truecolor", SIXEL_T, "halfblock", "sixel"),  # sixel only where nothing scrolls
    ("auto", "truecolor", NONE_T, "halfblock", "halfblock"),
    ("auto", "standard", NONE_T, "text", "text"),
    ("auto", "truecolor", Terminal(sixel=True, tmux=True), "halfblock", "halfblock"),
    ("auto", "truecolor", Terminal(kitty=True, tmux=True), "kitty", "kitty"),  # passthrough worked
    ("off", "truecolor", KITTY_T, "text", "text"),
    ("halfblock", "truecolor", KITTY_T, "halfblock", "halfblock"),
    ("kitty", "truecolor", NONE_T, "kitty", "kitty"),  # forced
    ("sixel", "truecolor", NONE_T, "halfblock", "sixel"),  # forced
    ("auto", "256", KITTY_T, "halfblock", "halfblock"),  # no 24-bit colour for the ids
    ("kitty", "standard", KITTY_T, "text", "text"),
])
def test_fallback_chain(mode: str, colours: str, terminal: Terminal, reader: str, full_pane: str) -> None:
    assert drawing_for(mode, colours, terminal, scrolls=True) == reader
    assert drawing_for(mode, colours, terminal, scrolls=False) == full_pane


# -- the real app on a real pty: what reaches the terminal ---------------------------------------

def _pictured_data_dir(tmp_path: Path, images: str) -> tuple[Path, Path]:
    from tests.app.test_pictures import gradient, pictured_record
    from tui.core.images import ImageCache
    from tui.core.store import Store

    data = tmp_path / "data"
    with Store.open(data) as store:
        store.put_articles([pictured_record("https://example.org/lead.png", [])])
        ImageCache(store).put("https://example.org/lead.png", gradient())
    config = tmp_path / "config.toml"
    config.write_text(f'images = "{images}"\n[refresh]\non_start = false\n')
    return data, config


@pytest.mark.parametrize(("images", "env", "answers_kitty", "drawn"), [
    ("auto", {"TERM": "xterm-kitty"}, True, True),
    ("off", {"TERM": "xterm-kitty"}, True, False),
    ("auto", {"TERM": "screen-256color", "TMUX": "/tmp/tmux-0/default,1,0"}, False, False),
], ids=["kitty", "off", "tmux-without-passthrough"])
def test_what_reaches_the_terminal(tmp_path: Path, images: str, env: dict[str, str],
                                   answers_kitty: bool, drawn: bool) -> None:
    from tests.hostile.support import PtyApp, child_env

    data, config = _pictured_data_dir(tmp_path, images)
    app = PtyApp(["--config", str(config), "--offline", "--data-dir", str(data)], cols=100, rows=30,
                 env=child_env(**{"COLORTERM": "truecolor", "TMUX": None, **env}))
    try:
        if images != "off":
            assert app.wait_for(b"\x1b[c", 30), bytes(app.output[-500:])
            # the terminal's answers: kitty's (not through tmux: passthrough is off) and its attributes
            os.write(app.fd, (b"\x1b_Gi=31;OK\x1b\\" if answers_kitty and "TMUX" not in env else b"")
                     + b"\x1b[?62;22c")
        assert app.wait_for(b"The harbour at dawn", 30), bytes(app.output[-2000:])
        app.send("\r", settle=1.0)
        if drawn:
            assert app.wait_for(b"a=t,f=24", 30), bytes(app.output[-2000:])
            assert app.wait_for(PLACEHOLDER.encode(), 30), bytes(app.output[-2000:])
        else:
            app.read_for(1.5)
        app.send("Q", settle=0.5)  # from the reader: q would go back to the list
        assert app.finish() is not None
    except BaseException:
        os.kill(app.pid, 9)
        raise
    output = bytes(app.output)
    unwrapped = output.replace(b"\x1b\x1b_G", b"")  # a query inside tmux's passthrough wrapper
    if drawn:
        assert b"\x1b_Ga=t,f=24" in output and PLACEHOLDER.encode() in output
        assert b"\x1b_Ga=d,d=I" in output  # freed at exit
    else:
        assert b"\x1b_G" not in unwrapped and PLACEHOLDER.encode() not in output
        assert (b"\x1bPtmux;" in output) == ("TMUX" in env)
