"""Places on disk only this user can read: the data dir, and a per-user spare directory.

Titles, URLs and read/starred marks say a lot about a person, so the data dir is mode 0700
and its files 0600 whatever the umask or an older Warta left behind. Some things must live
outside the data dir (changes parked because it is full, a data dir for a broken HOME); they go
to one per-user directory that is created 0700 and refused if anyone else owns it or can write
to it, and files there are opened with ``O_NOFOLLOW`` so a planted symlink cannot redirect a
write to another of the user's files.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from .errors import StoreError


def make_private(directory: Path) -> None:
    """Mode 0700 for ``directory`` and 0600 for the files directly in it (if they are ours)."""
    _chmod_if_ours(directory, 0o700)
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        if entry.is_file(follow_symlinks=False):
            _chmod_if_ours(Path(entry.path), 0o600)


def _chmod_if_ours(path: Path, mode: int) -> None:
    try:
        info = os.lstat(path)
        if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) != mode:
            os.chmod(path, mode)
    except OSError:
        pass  # a read-only filesystem: nobody can write there, and reading still works


def spare_dir() -> Path:
    """This user's own directory for what cannot go in the data dir, created 0700 once.

    ``$XDG_RUNTIME_DIR/warta`` when the session has one (per-user by design), else
    ``<temp dir>/warta-<uid>``. Raises ``StoreError`` if that path is a symlink, is not a
    directory, belongs to someone else or others may write to it: then it is not private.
    """
    base = spare_dir_path()
    try:
        os.mkdir(base, 0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        raise StoreError(f"cannot create {base}: {exc.strerror or exc}") from None
    if not _is_private(base):
        raise StoreError(f"{base} is not private (another user owns it, or it is a link or "
                         "writable by others); remove it")
    return base


def spare_dir_path() -> Path:
    """Where ``spare_dir`` is, without creating or checking it (for reading only)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isabs(runtime) and _is_private(Path(runtime)):
        return Path(runtime) / "warta"
    return Path(tempfile.gettempdir()) / f"warta-{os.getuid()}"


def _is_private(path: Path) -> bool:
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return (stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
            and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH))


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a fresh 0600 file beside ``path`` and rename it into place.

    ``O_EXCL|O_NOFOLLOW``: a file or symlink someone planted at the temporary name is never
    written through; the rename replaces a planted ``path`` itself, not what it points to.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        os.unlink(temporary)
    except FileNotFoundError:
        pass
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        os.unlink(temporary)
        raise
    os.replace(temporary, path)


def read_private(path: Path) -> bytes | None:
    """The bytes of ``path`` if it is a regular file of this user's; None otherwise.

    A symlink, or a file someone else owns (planted in a shared directory), is not read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
            return None
        return handle.read()
