"""Starting a spawned child process from inside a TUI.

Spawning passes ``sys.stderr.fileno()`` to the child; a TUI that captures stderr (Textual
answers -1) would make every start fail with "bad value(s) in fds_to_keep". The worker pool
and the store's index rebuild both start processes, so both start them here.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator

_STDERR_LOCK = threading.Lock()


@contextlib.contextmanager
def real_stderr() -> Iterator[None]:
    """The process's own stderr in ``sys.stderr`` while a child process is started."""
    with _STDERR_LOCK:
        captured = sys.stderr
        try:
            valid = captured is not None and captured.fileno() >= 0
        except (AttributeError, OSError, ValueError):
            valid = False
        if not valid:
            sys.stderr = sys.__stderr__
        try:
            yield
        finally:
            sys.stderr = captured
