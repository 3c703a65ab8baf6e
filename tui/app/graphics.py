"""The terminal's own picture protocols: asking which it speaks, and the kitty and sixel encoders.

Asking happens once, before Textual takes the terminal (``query_terminal``): a kitty graphics
query (``ESC _G a=q``) and Primary Device Attributes (``ESC [ c``), which every terminal
answers, so the wait ends at that answer, not at the timeout. Kitty answers the first ``OK``;
a 4 among the attributes means sixel. Inside tmux the kitty query goes through tmux's
passthrough, and only an answer that came back through it means the pictures would too;
sixel is not used inside tmux.

Why these are written here and not taken from ``textual-image``: it queries the terminal when
imported and writes its escapes straight to ``sys.__stdout__`` during rendering, past Textual's
driver, scales the picture in every render in the UI process, and its sixel widget leaves
stale pixels when a pane scrolls or a screen is popped (its issues #146 and #155, open). Here:

- **kitty** uses Unicode placeholders: the picture is sent once (``a=t``, RGB, base64 in chunks
  of 4096) with a virtual placement (``U=1``) and the cells that show it are ordinary text
  (U+10EEEE, the row and column as diacritics, the image id as the colour), so the picture
  scrolls, clips and repaints with the text the reader draws; nothing can ghost. Each picture
  is deleted from the terminal (``a=d,d=I``) when its article is left, and all at exit.
- **sixel** is drawn only where nothing scrolls: the full-pane picture (``i``). In the
  scrolling reader a sixel terminal gets half blocks, since sixel pixels are not cells and a
  diffing renderer leaves them behind. The encoder quantises with Pillow (256 colours) and
  builds each six-row band per colour with byte translation, not a loop per pixel.
"""

from __future__ import annotations

import base64
import os
import re
import select
import termios
import time
import tty
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from ..core.images import PixelImage

Drawing = Literal["kitty", "sixel", "halfblock", "text"]
ESC = "\x1b"
ST = ESC + "\\"
KITTY_CHUNK = 4096
QUERY_ID = 31
PLACEHOLDER = "\U0010eeee"
QUERY_TIMEOUT = 0.5  # seconds: only a terminal that answers nothing waits this long

# Row and column numbers as combining marks, in kitty's order (its rowcolumn-diacritics.txt).
_DIACRITICS = [chr(c) for c in (
    0x0305, 0x030D, 0x030E, 0x0310, 0x0312, 0x033D, 0x033E, 0x033F, 0x0346, 0x034A, 0x034B, 0x034C,
    0x0350, 0x0351, 0x0352, 0x0357, 0x035B, 0x0363, 0x0364, 0x0365, 0x0366, 0x0367, 0x0368, 0x0369,
    0x036A, 0x036B, 0x036C, 0x036D, 0x036E, 0x036F, 0x0483, 0x0484, 0x0485, 0x0486, 0x0487, 0x0592,
    0x0593, 0x0594, 0x0595, 0x0597, 0x0598, 0x0599, 0x059C, 0x059D, 0x059E, 0x059F, 0x05A0, 0x05A1,
    0x05A8, 0x05A9, 0x05AB, 0x05AC, 0x05AF, 0x05C4, 0x0610, 0x0611, 0x0612, 0x0613, 0x0614, 0x0615,
    0x0616, 0x0617, 0x0657, 0x0658, 0x0659, 0x065A, 0x065B, 0x065D, 0x065E, 0x06D6, 0x06D7, 0x06D8,
    0x06D9, 0x06DA, 0x06DB, 0x06DC, 0x06DF, 0x06E0, 0x06E1, 0x06E2, 0x06E4, 0x06E7, 0x06E8, 0x06EB,
    0x06EC, 0x0730, 0x0732, 0x0733, 0x0735, 0x0736, 0x073A, 0x073D, 0x073F, 0x0740, 0x0741, 0x0743,
    0x0745, 0x0747, 0x0749, 0x074A, 0x07EB, 0x07EC, 0x07ED, 0x07EE, 0x07EF, 0x07F0, 0x07F1, 0x07F3,
    0x0816, 0x0817, 0x0818, 0x0819, 0x081B, 0x081C, 0x081D, 0x081E, 0x081F, 0x0820, 0x0821, 0x0822,
    0x0823, 0x0825, 0x0826, 0x0827, 0x0829, 0x082A, 0x082B, 0x082C, 0x082D, 0x0951, 0x0953, 0x0954,
    0x0F82, 0x0F83, 0x0F86, 0x0F87, 0x135D, 0x135E, 0x135F, 0x17DD, 0x193A, 0x1A17, 0x1A75, 0x1A76,
    0x1A77, 0x1A78, 0x1A79, 0x1A7A, 0x1A7B, 0x1A7C, 0x1B6B, 0x1B6D, 0x1B6E, 0x1B6F, 0x1B70, 0x1B71,
    0x1B72, 0x1B73, 0x1CD0, 0x1CD1, 0x1CD2, 0x1CDA, 0x1CDB, 0x1CE0, 0x1DC0, 0x1DC1, 0x1DC3, 0x1DC4,
    0x1DC5, 0x1DC6, 0x1DC7, 0x1DC8, 0x1DC9, 0x1DCB, 0x1DCC, 0x1DD1, 0x1DD2, 0x1DD3, 0x1DD4, 0x1DD5,
    0x1DD6, 0x1DD7, 0x1DD8, 0x1DD9, 0x1DDA, 0x1DDB, 0x1DDC, 0x1DDD, 0x1DDE, 0x1DDF, 0x1DE0, 0x1DE1,
    0x1DE2, 0x1DE3, 0x1DE4, 0x1DE5, 0x1DE6, 0x1DFE, 0x20D0, 0x20D1, 0x20D4, 0x20D5, 0x20D6, 0x20D7,
    0x20DB, 0x20DC, 0x20E1, 0x20E7, 0x20E9, 0x20F0, 0x2CEF, 0x2CF0, 0x2CF1, 0x2DE0, 0x2DE1, 0x2DE2,
    0x2DE3, 0x2DE4, 0x2DE5, 0x2DE6, 0x2DE7, 0x2DE8, 0x2DE9, 0x2DEA, 0x2DEB, 0x2DEC, 0x2DED, 0x2DEE,
    0x2DEF, 0x2DF0, 0x2DF1, 0x2DF2, 0x2DF3, 0x2DF4, 0x2DF5, 0x2DF6, 0x2DF7, 0x2DF8, 0x2DF9, 0x2DFA,
    0x2DFB, 0x2DFC, 0x2DFD, 0x2DFE, 0x2DFF, 0xA66F, 0xA67C, 0xA67D, 0xA6F0, 0xA6F1, 0xA8E0, 0xA8E1,
    0xA8E2, 0xA8E3, 0xA8E4, 0xA8E5, 0xA8E6, 0xA8E7, 0xA8E8, 0xA8E9, 0xA8EA, 0xA8EB, 0xA8EC, 0xA8ED,
    0xA8EE, 0xA8EF, 0xA8F0, 0xA8F1, 0xAAB0, 0xAAB2, 0xAAB3, 0xAAB7, 0xAAB8, 0xAABE, 0xAABF, 0xAAC1,
    0xFE20, 0xFE21, 0xFE22, 0xFE23, 0xFE24, 0xFE25, 0xFE26, 0x10A0F, 0x10A38, 0x1D185, 0x1D186,
    0x1D187, 0x1D188, 0x1D189, 0x1D1AA, 0x1D1AB, 0x1D1AC, 0x1D1AD, 0x1D242, 0x1D243, 0x1D244)]
MAX_KITTY_CELLS = len(_DIACRITICS)  # rows or columns a placeholder picture can have


# -- what the terminal speaks ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Terminal:
    """What the terminal answered. ``cell`` is a cell's size in pixels (from the tty)."""

    kitty: bool = False
    sixel: bool = False
    tmux: bool = False  # kitty is then True only if tmux passed the answer through
    cell: tuple[int, int] = (10, 20)


def in_tmux(environ: Mapping[str, str]) -> bool:
    return bool(environ.get("TMUX")) or environ.get("TERM_PROGRAM") == "tmux"


def kitty_query() -> str:
    return f"{ESC}_Gi={QUERY_ID},s=1,v=1,a=q,t=d,f=24;AAAA{ST}"


def passthrough(sequence: str) -> str:
    """``sequence`` wrapped for tmux to hand to the terminal outside it (its ESCs doubled)."""
    return f"{ESC}Ptmux;" + sequence.replace(ESC, ESC + ESC) + ST


_DA1 = re.compile(rb"\x1b\[\?([0-9;]*)c")
_KITTY_OK = re.compile(rb"\x1b_Gi=%d[^\x1b]*;OK\x1b\\" % QUERY_ID)


def parse_answers(answer: bytes) -> tuple[bool, bool]:
    """(kitty answered OK, the device attributes include 4 = sixel) from what came back."""
    attributes = _DA1.search(answer)
    sixel = attributes is not None and "4" in attributes.group(1).decode().split(";")
    return _KITTY_OK.search(answer) is not None, sixel


def query_terminal(fd_in: int, fd_out: int, environ: Mapping[str, str], *,
                   timeout: float = QUERY_TIMEOUT) -> Terminal:
    """Ask the terminal on ``fd_in``/``fd_out`` which picture protocols it speaks.

    Ends as soon as the device attributes come back (every terminal answers those), or after
    ``timeout``. A terminal that is no tty, or a ``TERM`` that says "dumb" or "linux"
    (the console draws no pictures), is not asked.
    """
    tmux = in_tmux(environ)
    cell = cell_size(fd_out)
    if not (os.isatty(fd_in) and os.isatty(fd_out)) or environ.get("TERM", "") in ("dumb", "linux", ""):
        return Terminal(tmux=tmux, cell=cell)
    query = passthrough(kitty_query()) if tmux else kitty_query()
    try:
        saved = termios.tcgetattr(fd_in)
    except termios.error:
        return Terminal(tmux=tmux, cell=cell)
    answer = b""
    try:
        tty.setcbreak(fd_in, termios.TCSANOW)
        new = termios.tcgetattr(fd_in)
        new[3] &= ~termios.ECHO
        termios.tcsetattr(fd_in, termios.TCSANOW, new)
        os.write(fd_out, (query + f"{ESC}[c").encode())
        deadline = time.monotonic() + timeout
        while _DA1.search(answer) is None and (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([fd_in], [], [], left)
            if not ready:
                break
            chunk = os.read(fd_in, 4096)
            if not chunk:
                break
            answer += chunk
    except OSError:
        pass
    finally:
        termios.tcsetattr(fd_in, termios.TCSAFLUSH, saved)
    kitty, sixel = parse_answers(answer)
    return Terminal(kitty=kitty, sixel=sixel and not tmux, tmux=tmux, cell=cell)


def cell_size(fd: int) -> tuple[int, int]:
    """A cell's pixels from the tty's window size, else a common 10 x 20."""
    import fcntl
    import struct

    try:
        rows, cols, width, height = struct.unpack(
            "HHHH", fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8))
    except OSError:
        return (10, 20)
    if rows and cols and width and height:
        return (max(1, width // cols), max(1, height // rows))
    return (10, 20)


def drawing_for(mode: str, color_system: str | None, terminal: Terminal | None, *,
                scrolls: bool) -> Drawing:
    """How pictures are drawn in a pane (``scrolls``: the reader) for ``mode``: the best the
    terminal speaks, else half blocks with colour, else the ``[image: …]`` line.

    ``kitty`` and ``sixel`` in the config force that protocol (kitty through tmux's
    passthrough inside tmux); sixel is never drawn in a scrolling pane (it ghosts there).
    Kitty's placeholders carry the picture's id in a 24-bit colour, so without 24-bit colour
    they would name another picture: half blocks then.
    """
    fallback: Drawing = "halfblock" if color_system in ("truecolor", "256") else "text"
    if mode == "off":
        return "text"
    if mode == "halfblock":
        return "halfblock"
    if mode == "kitty" or (mode == "auto" and terminal is not None and terminal.kitty):
        return "kitty" if color_system == "truecolor" else fallback
    if mode == "sixel" or (mode == "auto" and terminal is not None and terminal.sixel
                           and not terminal.tmux):
        return fallback if scrolls else "sixel"
    return fallback


# -- kitty --------------------------------------------------------------------------------------

def kitty_transmit(image_id: int, picture: PixelImage, *, tmux: bool = False) -> str:
    """Send ``picture`` (raw RGB) under ``image_id`` with a virtual placement of its cells:
    the placeholders drawn by ``kitty_strips`` show it. Quiet (``q=2``): no answers come back
    to be read as keys."""
    payload = base64.standard_b64encode(picture.pixels).decode("ascii")
    chunks = [payload[i:i + KITTY_CHUNK] for i in range(0, len(payload), KITTY_CHUNK)] or [""]
    parts = []
    for n, chunk in enumerate(chunks):
        more = 1 if n < len(chunks) - 1 else 0
        keys = (f"a=t,f=24,s={picture.width},v={picture.height},i={image_id},q=2,m={more}"
                if n == 0 else f"m={more},q=2")
        parts.append(f"{ESC}_G{keys};{chunk}{ST}")
    parts.append(f"{ESC}_Ga=p,U=1,i={image_id},c={picture.cols},r={picture.rows},q=2{ST}")
    return "".join(passthrough(part) if tmux else part for part in parts)


def kitty_delete(image_ids: Iterable[int], *, tmux: bool = False) -> str:
    """Free the terminal's copies of these pictures (and their placements)."""
    parts = [f"{ESC}_Ga=d,d=I,i={image_id},q=2{ST}" for image_id in image_ids]
    return "".join(passthrough(part) if tmux else part for part in parts)


@dataclass(frozen=True, slots=True)
class KittyPicture:
    """A picture the terminal holds under ``image_id``, shown by placeholder cells."""

    image_id: int
    width: int  # cells
    height: int


def kitty_strips(picture: KittyPicture, width: int) -> list[Strip]:
    """The placeholder cells of ``picture``, centred in ``width`` columns: row and column
    as diacritics, the image id as the 24-bit foreground colour."""
    pad = max(0, (width - picture.width) // 2)
    image_id = picture.image_id
    style = Style(color=Color.from_rgb((image_id >> 16) & 255, (image_id >> 8) & 255, image_id & 255))
    strips = []
    for row in range(min(picture.height, MAX_KITTY_CELLS)):
        mark = _DIACRITICS[row]
        text = "".join(PLACEHOLDER + mark + _DIACRITICS[col]
                       for col in range(min(picture.width, MAX_KITTY_CELLS)))
        segments = ([Segment(" " * pad)] if pad else []) + [Segment(text, style)]
        strips.append(Strip(segments, pad + picture.width))
    return strips


class KittyPictures:
    """The pictures sent to the terminal, by owner (a screen), so leaving an article frees
    them. ``write`` hands escapes to the terminal (the app's driver)."""

    def __init__(self, write: Callable[[str], None], *, tmux: bool = False) -> None:
        self.write = write
        self.tmux = tmux
        self._next_id = 0x4A0000  # ids fit in 24 bits: the colour carries them whole
        self._held: dict[int, tuple[str, list[int]]] = {}  # owner -> (article, image ids)

    def send(self, owner: int, article_id: str, picture: PixelImage) -> KittyPicture:
        """Send ``picture`` for ``owner``'s article; that owner's pictures of another
        article are deleted first."""
        article, ids = self._held.get(owner, (article_id, []))
        if article != article_id:
            self.forget(owner)
            ids = []
        self._next_id = self._next_id + 1 if self._next_id < 0xFFFFFF else 0x4A0001
        image_id = self._next_id
        cols, rows = min(picture.cols, MAX_KITTY_CELLS), min(picture.rows, MAX_KITTY_CELLS)
        self.write(kitty_transmit(image_id, PixelImage(cols, rows, picture.width, picture.height,
                                                       picture.pixels), tmux=self.tmux))
        self._held[owner] = (article_id, [*ids, image_id])
        return KittyPicture(image_id, cols, rows)

    def forget(self, owner: int) -> None:
        _article, ids = self._held.pop(owner, ("", []))
        if ids:
            self.write(kitty_delete(ids, tmux=self.tmux))

    def forget_all(self) -> None:
        for owner in list(self._held):
            self.forget(owner)


# -- sixel ---------------------------------------------------------------------------------------

SIXEL_COLOURS = 256


def sixel_encode(picture: PixelImage) -> str:
    """``picture`` as one sixel image (DCS q ... ST): a palette of up to 256 colours chosen by
    Pillow, then per six-row band one run-length coded line per colour present in it."""
    from PIL import Image  # (imported here: the first frame has no picture to draw)

    image = Image.frombytes("RGB", (picture.width, picture.height), picture.pixels)
    quantised = image.quantize(colors=SIXEL_COLOURS, method=Image.Quantize.MEDIANCUT,
                               dither=Image.Dither.NONE)
    palette: list[int] = quantised.getpalette() or []
    counted = quantised.getcolors(SIXEL_COLOURS) or []
    used = sorted({int(index) for _count, index in counted})  # type: ignore[arg-type]
    width, height = picture.width, picture.height
    indices = quantised.tobytes()
    out = [f'{ESC}P0;1;0q"1;1;{width};{height}']
    for index in used:
        r, g, b = palette[3 * index:3 * index + 3]
        out.append(f"#{index};2;{r * 100 // 255};{g * 100 // 255};{b * 100 // 255}")
    zero = bytes(256)
    for top in range(0, height, 6):
        rows = [indices[y * width:(y + 1) * width] for y in range(top, min(top + 6, height))]
        present = sorted(set().union(*(set(row) for row in rows)))
        lines = []
        for index in present:
            bits = 0
            for shift, row in enumerate(rows):
                table = bytearray(zero)
                table[index] = 1 << shift
                bits |= int.from_bytes(row.translate(table), "big")
            line = bits.to_bytes(width, "big").translate(_SIXEL_CHARS)
            lines.append(f"#{index}" + _run_length(line.decode("ascii")))
        out.append("$".join(lines) + "-")
    return "".join(out) + ST


_SIXEL_CHARS = bytes(63 + n if n < 64 else 63 for n in range(256))
_RUN = re.compile(r"(.)\1{3,}")


def _run_length(line: str) -> str:
    return _RUN.sub(lambda m: f"!{len(m.group(0))}{m.group(1)}", line)


def sixel_at(sixel: str, x: int, y: int) -> str:
    """Draw ``sixel`` with its top-left at cell (x, y) (0-based), the cursor put back after,
    in one synchronised update so it does not build up line by line."""
    return f"{ESC}[?2026h{ESC}7{ESC}[{y + 1};{x + 1}H{sixel}{ESC}8{ESC}[?2026l"
