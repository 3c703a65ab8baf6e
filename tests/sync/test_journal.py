"""The journal on its own (a real store on disk, no server): coalescing, opposites cancelling,
confirm-only-what-was-sent, and the [sync] config that never holds a secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_record
from tui.core.config import parse_config
from tui.core.errors import ConfigError
from tui.core.models import Feed
from tui.core.store import Store
from tui.core.sync import attach_journal
from tui.core.sync.errors import SyncSetupError
from tui.core.sync.secret import sync_password


def test_changes_coalesce_and_opposites_cancel(store: Store) -> None:
    journal = attach_journal(store)
    record = make_record(1)
    store.put_articles([record])
    store.update_state(record.id, read=True)
    store.update_state(record.id, read=False)  # back to what the server had: nothing to send
    assert journal.pending() == []
    store.update_state(record.id, starred=True)
    store.update_state(record.id, starred=False)
    store.update_state(record.id, starred=True)
    store.update_state(record.id, tags=("a", "b"))
    store.update_state(record.id, tags=("b",))
    pending = {(c.field, c.value) for c in journal.pending()}
    assert pending == {("starred", True), ("tag:b", True)}
    store.update_state(record.id, position=40)  # the reading position stays local
    assert len(journal.pending()) == 2


def test_confirm_keeps_a_change_made_during_the_push(store: Store) -> None:
    journal = attach_journal(store)
    record = make_record(2)
    store.put_articles([record])
    store.update_state(record.id, read=True)
    sent = journal.pending()
    store.update_state(record.id, read=False)  # cancels: base was unread
    store.update_state(record.id, read=True)  # and again: a new entry with the same value
    assert journal.confirm(sent) == 1  # the value sent is the value wanted: it may go
    store.update_state(record.id, starred=True)
    sent = journal.pending()
    store.update_state(record.id, starred=False)
    store.update_state(record.id, starred=True, read=False)
    journal.confirm([c for c in sent if c.field == "starred"])
    assert {(c.field, c.value) for c in journal.pending()} == {("read", False)}


def test_journal_survives_reopening_and_sync_writes_are_not_journaled(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "d")
    attach_journal(store)
    record = make_record(3)
    store.put_articles([record])
    store.update_state(record.id, starred=True)
    store.update_each({record.id: {"read": True}}, journal=False)  # what a pull writes
    store.add_subscription(Feed(url="https://example.org/feed"))
    store.close()
    store = Store.open(tmp_path / "d")
    journal = attach_journal(store)
    try:
        kinds = sorted((c.kind, c.field or c.feed_url) for c in journal.pending())
        assert kinds == [("feed", "https://example.org/feed"), ("state", "starred")]
        assert store.get_state(record.id).read is True
    finally:
        store.close()


def _config(tmp_path: Path, body: str) -> object:
    path = tmp_path / "c.toml"
    path.write_text(body)
    return parse_config(path.read_bytes(), path)


def test_sync_config_refuses_a_password_and_reads_the_command(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as refused:
        _config(tmp_path, '[sync]\nurl = "https://x.example/api/greader.php"\nuser = "me"\n'
                          'password = "hunter2"\n')
    assert "hunter2" not in str(refused.value) and "password_command" in str(refused.value)
    with pytest.raises(ConfigError, match="fever"):
        _config(tmp_path, '[sync]\napi = "rss"\nurl = "https://x.example/"\nuser = "me"\n'
                          'password_env = "X"\n')
    config = _config(tmp_path, '[sync]\napi = "fever"\nurl = "https://x.example/api/fever.php"\n'
                               'user = "me"\npassword_command = "printf \'s3cret\\\\nsecond line\'"\n')
    assert config.sync is not None and config.sync.api == "fever"  # type: ignore[attr-defined]
    assert sync_password(config.sync) == "s3cret"  # type: ignore[attr-defined]
    failing = _config(tmp_path, '[sync]\nurl = "https://x.example/"\nuser = "me"\n'
                                'password_command = "false"\n')
    with pytest.raises(SyncSetupError, match="exited with status 1"):
        sync_password(failing.sync)  # type: ignore[attr-defined]
