"""The first frame the real terminal gets is the whole screen: the list, and the status line
with its counts under it (Textual drops the frame it draws inside its start-up batch; what was
drawn only then came ~50 ms later, in the next full frame)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from tui.core.store import Store

from ..conftest import make_record
from ..hostile.support import PtyApp

SYNC_QUERY = b"\x1b[?2026$p"  # Textual asks whether the terminal brackets frames
SYNC_YES = b"\x1b[?2026;2$y"  # "supported": then every frame is ESC[?2026h ... ESC[?2026l
FRAME_END = b"\x1b[?2026l"


def _first_frames(data: Path, until: bytes) -> list[bytes]:
    """The frames the real app writes (as the terminal answers), up to the first with ``until``."""
    app = PtyApp(["--data-dir", str(data), "--offline"], cols=100, rows=30)
    answered = False
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            app.read_for(0.05)
            if not answered and SYNC_QUERY in app.output:
                os.write(app.fd, SYNC_YES)
                answered = True
            frames = bytes(app.output).split(FRAME_END)[:-1]  # ended frames only
            if any(until in frame for frame in frames):
                return frames
        raise AssertionError(f"never drew {until!r}: {bytes(app.output[-2000:])!r}")
    finally:
        app.send("q", settle=0.2)
        app.finish()


def test_the_first_frame_with_the_list_has_the_counts_too(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.put_articles([make_record(n) for n in range(1, 8)])
    frames = _first_frames(data, b"Article number 7")  # the newest: the list's first row
    listed = next(frame for frame in frames if b"Article number 7" in frame)
    assert b"7 articles" in listed, listed[-1500:]
