"""Backups of user state, so a lost or corrupt state store never means a silent empty start."""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import StoreError
from .private import make_private, read_private, spare_dir, spare_dir_path, write_private

BACKUP_NAME = "state.json"
_NETWORK_FILESYSTEMS = ("nfs", "nfs4", "cifs", "smbfs", "smb3", "sshfs", "fuse.sshfs", "9p")


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    when: str
    data: dict[str, Any]


def write(data_dir: Path, data: dict[str, Any]) -> Path:
    """Write ``data`` atomically (temp file, fsync, rename); keep the previous one."""
    folder = data_dir / "backups"
    folder.mkdir(mode=0o700, exist_ok=True)
    make_private(folder)
    target = folder / BACKUP_NAME
    if target.exists():
        os.replace(target, folder / ("previous-" + BACKUP_NAME))
    write_private(target, json.dumps(data, ensure_ascii=False).encode())
    return target


def latest(data_dir: Path) -> Backup | None:
    """The newest readable backup with anything in it, or None."""
    folder = data_dir / "backups"
    for name in (BACKUP_NAME, "previous-" + BACKUP_NAME):
        path = folder / name
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and (data.get("states") or data.get("subscriptions")):
            stamp = data.get("exported")
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(stamp)) if isinstance(
                stamp, (int, float)) else "unknown date"
            return Backup(path, when, data)
    return None


def network_filesystem(path: Path) -> str | None:
    """The type of network filesystem ``path`` lives on (from /proc/mounts), if any."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return None
    resolved = str(path.resolve())
    best, best_type = "", ""
    for line in mounts:
        parts = line.split()
        if len(parts) >= 3 and (resolved == parts[1] or resolved.startswith(parts[1].rstrip("/") + "/")):
            if len(parts[1]) > len(best):
                best, best_type = parts[1], parts[2]
    return best_type if best_type in _NETWORK_FILESYSTEMS else None


def _pending_name(data_dir: Path) -> str:
    """A full data dir's changes wait in the user's private spare dir (another filesystem,
    often), never at a predictable name in the shared temp dir."""
    key = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
    return f"pending-{key}.json"


def park_pending(data_dir: Path, changes: dict[str, dict[str, Any]]) -> str:
    """Keep state changes that could not be saved outside the data dir; a one-line account."""
    if not changes:
        return ""
    try:
        path = spare_dir() / _pending_name(data_dir)
        write_private(path, json.dumps(changes).encode())
    except StoreError as exc:
        return f"disk full: {len(changes):,} read/star changes could not be saved ({exc})"
    except OSError as exc:
        return f"disk full: {len(changes):,} read/star changes could not be saved ({exc.strerror})"
    return f"disk full: {len(changes):,} read/star changes kept in {path} until there is room"


def take_pending(data_dir: Path) -> dict[str, dict[str, Any]]:
    """The parked changes for ``data_dir`` (removing the file), or {}.

    Only a regular file of this user's counts: one another user planted is left alone.
    """
    path = spare_dir_path() / _pending_name(data_dir)
    blob = read_private(path)
    if blob is None:
        return {}
    try:
        data = json.loads(blob)
    except ValueError:
        data = None
    path.unlink(missing_ok=True)
    if not isinstance(data, dict):
        return {}
    parked: dict[str, dict[str, Any]] = {}
    for article_id, changes in data.items():
        if isinstance(article_id, str) and isinstance(changes, dict):
            kept: dict[str, Any] = {}
            for name in ("read", "starred"):
                if isinstance(changes.get(name), bool):
                    kept[name] = changes[name]
            if isinstance(changes.get("position"), int):
                kept["position"] = changes["position"]
            if isinstance(changes.get("tags"), list):
                kept["tags"] = tuple(str(tag) for tag in changes["tags"])
            if kept:
                parked[article_id] = kept
    return parked


# -- recoveries not yet shown in the app ------------------------------------------------------
# A repair made while nobody watched (a cron ``warta fetch`` moving a damaged store aside) is
# printed to that run's stderr, which often nobody reads: it is also kept here until the next
# app session has shown it.

NOTICES_NAME = "notices.json"


def remember_notices(data_dir: Path, texts: list[str]) -> None:
    """Add ``texts`` to the notices the app has not shown yet (best effort: a full disk)."""
    if not texts:
        return
    kept = unseen_notices(data_dir)
    stamp = time.strftime("%Y-%m-%d %H:%M")
    kept.extend(f"{stamp}: {text}" for text in texts)
    try:
        write_private(data_dir / NOTICES_NAME, json.dumps(kept[-50:], ensure_ascii=False).encode())
    except OSError:
        pass


def unseen_notices(data_dir: Path) -> list[str]:
    blob = read_private(data_dir / NOTICES_NAME)
    try:
        data = json.loads(blob) if blob else []
    except ValueError:
        return []
    return [str(text) for text in data] if isinstance(data, list) else []


def forget_notices(data_dir: Path) -> None:
    """The app has shown them."""
    try:
        (data_dir / NOTICES_NAME).unlink(missing_ok=True)
    except OSError:
        pass
