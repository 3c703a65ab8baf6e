"""A real full disk for tests: a small tmpfs (mounting needs root) and a file that fills it."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def tmpfs(mount_point: Path, size: str, *options: str) -> Iterator[bool]:
    """Mount a tmpfs of ``size`` at ``mount_point`` for the block; yields whether it could be
    mounted (not as an ordinary user), and unmounts it afterwards."""
    mount_point.mkdir(parents=True, exist_ok=True)
    opts = ",".join((f"size={size}", *options))
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(mount_point)],
                             capture_output=True).returncode == 0
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


@contextmanager
def mounted_tmpfs(mount_point: Path, size: str) -> Iterator[Path]:
    """``mount_point`` with a tmpfs of ``size`` mounted on it for the block; the test is skipped
    where none can be mounted (not as an ordinary user)."""
    with tmpfs(mount_point, size) as mounted:
        if not mounted:
            pytest.skip("cannot mount a tmpfs here (not root?)")
        yield mount_point


def fill(mount_point: Path, leave: int = 0) -> Path:
    """Fill the filesystem up to about ``leave`` free bytes (0: until ENOSPC); returns the
    filler file, whose removal frees the space again."""
    filler = mount_point / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        stat = os.statvfs(mount_point)
        os.write(fd, b"\0" * max(0, stat.f_bavail * stat.f_frsize - leave))
        while not leave:
            os.write(fd, b"\0" * 65536)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)
    return filler
