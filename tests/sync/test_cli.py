"""``warta sync``, ``warta sync login`` and ``warta sync --status``: the real CLI in a
subprocess against the real FreshRSS (and, for the wrong-address cases, real web servers that
are not one)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.server import TestServer
from tests.sync.conftest import make_device, serve_feed
from tests.sync.freshrss import User


def warta(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})}, check=False)


def test_sync_login_status_and_summary(tmp_path: Path, server: TestServer, fresh_user: User) -> None:
    feed = serve_feed(server, "/cli/feed.xml", "CLI", 2)
    with fresh_user.api() as api:
        api.subscribe(feed)
    device = make_device(tmp_path, "cli", fresh_user.greader_url, fresh_user.name)
    args = ("--config", str(device.config_path), "--data-dir", str(device.data_dir))
    env = {"WARTA_TEST_SYNC_PASSWORD": fresh_user.api_password}

    login = warta("sync", "login", *args, env=env)
    assert login.returncode == 0, login.stderr
    assert f"Logged in to 127.0.0.1:{fresh_user.server.port} as {fresh_user.name}" in login.stdout

    before = warta("sync", "--status", *args, env=env)
    assert "last good sync never; 0 changes waiting" in before.stdout

    done = warta("sync", *args, env=env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1 and "2 new articles" in lines[0]
    assert fresh_user.api_password not in done.stdout + done.stderr

    after = warta("sync", "--status", *args, env=env)
    assert "last good sync never" not in after.stdout and "0 changes waiting" in after.stdout


def test_sync_login_says_what_is_wrong(tmp_path: Path, server: TestServer, fresh_user: User) -> None:
    env = {"WARTA_TEST_SYNC_PASSWORD": "not-the-password"}

    def login(url: str, **kw: str) -> subprocess.CompletedProcess[str]:
        device = make_device(tmp_path, f"d{abs(hash(url))}", url, fresh_user.name, **kw)
        return warta("sync", "login", "--config", str(device.config_path), env=env)

    bad = login(fresh_user.greader_url)
    assert bad.returncode == 1
    assert "refused the password" in bad.stderr and "not-the-password" not in bad.stderr

    not_api = login(server.add("/plain", "<html><body>a web page</body></html>"))
    assert not_api.returncode == 1 and "not a Google Reader API address" in not_api.stderr

    tls = login(f"https://127.0.0.1:{fresh_user.server.port}/api/greader.php")
    assert tls.returncode == 1 and "TLS error" in tls.stderr

    # An API switched off: FreshRSS then answers 503 "Service Unavailable!" to every API call
    # (p/api/greader.php). Switching it off on the shared server would break the other tests,
    # so this one answer is served as recorded.
    server.add("/off/accounts/ClientLogin", "Service Unavailable!", "text/plain", status=503)
    off = login(server.url("/off"))
    assert off.returncode == 1 and "API access switched off" in off.stderr

    fever = login(fresh_user.fever_url, api="fever")
    assert fever.returncode == 1 and "refused the password" in fever.stderr

    unset = warta("sync", "login", "--config",
                  str(make_device(tmp_path, "unset", fresh_user.greader_url, fresh_user.name,
                                  env="WARTA_UNSET_VARIABLE").config_path))
    assert unset.returncode == 1 and "WARTA_UNSET_VARIABLE" in unset.stderr and "not set" in unset.stderr
