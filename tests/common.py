"""Small test doubles and probes shared by the test layers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence


class FakeOpener:
    """Stands in for the browser: records the argv it would have started."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, argv: Sequence[str]) -> None:
        self.calls.append(list(argv))


async def record_tick_gaps(gaps: list[float], stop: asyncio.Event) -> None:
    """A 10 ms ticker on the running loop: each gap between ticks goes into ``gaps`` (seconds)."""
    last = time.monotonic()
    while not stop.is_set():
        await asyncio.sleep(0.01)
        now = time.monotonic()
        gaps.append(now - last)
        last = now
