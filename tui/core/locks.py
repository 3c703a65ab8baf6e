"""One reader per data dir: a second ``warta`` app on the same data dir is refused.

Two open readers cannot be kept in step for what matters: ``s`` toggles the star the screen
shows, so a screen that is a second behind turns the other reader's unstar back into a star.
Polling narrows that window but cannot close it, so the second reader is refused with a line
that says which one holds the data dir. The CLI commands (``list``, ``fetch`` from cron, ...)
are not readers and work alongside, as before.

The lock is ``flock`` on ``reader.lock`` in the data dir: the kernel drops it when the process
ends, however it ends, so a crashed reader never locks the user out.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import StoreError

LOCK_NAME = "reader.lock"


@contextmanager
def reader_lock(data_dir: Path) -> Iterator[None]:
    """Hold the data dir's reader lock, or raise ``StoreError`` naming the reader that has it.

    Where the lock file cannot be made (a read-only or full disk), the reader runs unlocked:
    nothing can be written there anyway, and refusing would only stop the reading.
    """
    try:
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(data_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    except OSError:
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            pid = f" (pid {holder})" if holder.isdigit() else ""
            raise StoreError(f"another Warta is already open on {data_dir}{pid}; one reader per "
                             "data dir, so close that one first (warta list, fetch and the other "
                             "commands still work beside it)") from None
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
        except OSError:
            pass  # the pid is only for the message
        yield
    finally:
        os.close(fd)


class WriteLock:
    """``flock`` on ``write.lock``, held from a store write to the index write that follows it.

    Another process opening the data dir compares the stores' write counters with the index's
    under this lock, so it never catches a writer between the two halves of one write and
    rebuilds the whole index for nothing (holding the index for seconds, so that the writer's
    next index write failed with "database is locked"). Re-entrant, for threads too.
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "write.lock"
        self._fd: int | None = None
        self._depth = 0
        self._threads = threading.RLock()

    @contextmanager
    def held(self, timeout: float = 2.0) -> Iterator[bool]:
        """The lock for this process, waiting up to ``timeout``; yields whether it was taken
        (False: another process kept it, and the caller goes on without it)."""
        with self._threads:
            taken = self._take(timeout) if self._depth == 0 else True
            self._depth += 1
            try:
                yield taken
            finally:
                self._depth -= 1
                if self._depth == 0 and self._fd is not None:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _take(self, timeout: float) -> bool:
        """Wait up to ``timeout`` for the lock; without it (a stuck writer, a read-only disk)
        carry on: the lock only spares a rebuild, it guards no data."""
        if self._fd is None:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            except OSError:
                return False
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.01)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
