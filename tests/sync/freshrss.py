"""A real FreshRSS for the sync tests: unpacked from ../shared/servers into a temp dir,
installed with SQLite and served by PHP's built-in server on 127.0.0.1.

One server per test session (start-up is a few seconds); each test gets its own user, so
tests never see each other's feeds or marks. Feeds come from the test HTTP server.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import shutil
import socket
import sqlite3
import subprocess
import tarfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from tests.server import TestServer

TARBALL = Path(__file__).resolve().parents[2].parent / "shared" / "servers" / "FreshRSS-1.25.0-dev.tar.xz"
TARBALL_FALLBACK = Path("/work/shared/servers/FreshRSS-1.25.0-dev.tar.xz")
PHP_MODULES = ("pdo_sqlite", "curl", "xml", "mbstring", "intl", "gmp", "zip")
EMPTY_OPML = ('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0"><head><title>none'
              '</title></head><body></body></opml>\n')


def why_not_available() -> str | None:
    """A reason the real server cannot run here, or None."""
    php = shutil.which("php")
    if php is None:
        return "php is not installed (apt-get install php-cli php-sqlite3 php-curl php-xml " \
               "php-mbstring php-intl php-gmp php-zip; .ci/run does this)"
    if tarball() is None:
        return "the FreshRSS tarball is not in ../shared/servers"
    modules = subprocess.run([php, "-m"], capture_output=True, text=True, check=False).stdout.lower()
    missing = [m for m in PHP_MODULES if m not in modules]
    if missing:
        return f"PHP lacks the modules {', '.join(missing)}"
    return None


def tarball() -> Path | None:
    for path in (TARBALL, TARBALL_FALLBACK):
        if path.exists():
            return path
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class User:
    name: str
    api_password: str
    server: FreshRSS

    @property
    def greader_url(self) -> str:
        return self.server.url("/api/greader.php")

    @property
    def fever_url(self) -> str:
        return self.server.url("/api/fever.php")

    def api(self) -> GReaderTestClient:
        return GReaderTestClient(self)

    def actualize(self) -> None:
        """FreshRSS fetches this user's feeds again (new items appear on the server), now: its
        refresh interval and feed cache would otherwise keep it waiting for an hour."""
        database = self.server.root / "data" / "users" / self.name / "db.sqlite"
        connection = sqlite3.connect(database)
        with connection:
            connection.execute("UPDATE feed SET lastUpdate = 0")
        connection.close()
        for cached in (self.server.root / "data" / "cache").glob("*"):
            if cached.is_file() and cached.name != "index.html":
                cached.unlink()
        self.server.cli("actualize-user.php", "--user", self.name)


class FreshRSS:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._users = itertools.count(1)

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def cli(self, script: str, *args: str) -> str:
        done = subprocess.run(["php", f"cli/{script}", *args], cwd=self.root, capture_output=True,
                              text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"FreshRSS {script} failed: {done.stdout[-500:]} {done.stderr[-500:]}")
        return done.stdout

    def install(self) -> FreshRSS:
        (self.root / "data" / "opml.xml").write_text(EMPTY_OPML)
        self.cli("prepare.php")
        self.cli("do-install.php", "--default-user", "admin", "--api-enabled", "--db-type", "sqlite",
                 "--base-url", self.url("/"))
        return self

    def start(self) -> FreshRSS:
        # A token only this copy serves: with tests in parallel, another worker's FreshRSS may
        # have taken the port since it was picked, and must not be taken for ours.
        token = f"{os.getpid()}-{id(self)}-{time.monotonic_ns()}"
        (self.root / "p" / "warta-test-token.txt").write_text(token)
        self.process = subprocess.Popen(["php", "-S", f"127.0.0.1:{self.port}", "-t", "p"],
                                        cwd=self.root, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url("/warta-test-token.txt"), timeout=2).text == token:
                    if httpx.get(self.url("/api/greader.php"), timeout=2).status_code == 200:
                        return self
                elif self.process.poll() is not None:
                    raise RuntimeError(f"FreshRSS could not listen on port {self.port}: taken")
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("FreshRSS did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
            self.process = None

    def new_user(self) -> User:
        name = f"user{next(self._users)}"
        password = f"{name}-api-pass"
        self.cli("create-user.php", "--user", name, "--password", f"{name}-password",
                 "--api-password", password)
        return User(name, password, self)


def unpack(into: Path) -> Path:
    source = tarball()
    assert source is not None
    with tarfile.open(source, "r:xz") as archive:
        archive.extractall(into, filter="data")
    return into / "FreshRSS-1.25.0-dev"


class GReaderTestClient:
    """The test's own hands on the server (what another app or the web UI would do)."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.http = httpx.Client(base_url=user.greader_url, timeout=30)
        login = self.http.post("/accounts/ClientLogin",
                               data={"Email": user.name, "Passwd": user.api_password})
        login.raise_for_status()
        auth = next(line[5:] for line in login.text.splitlines() if line.startswith("Auth="))
        self.http.headers["Authorization"] = f"GoogleLogin auth={auth}"
        self.token = self.http.get("/reader/api/0/token").text.strip()

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> GReaderTestClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def subscribe(self, url: str, folder: str | None = None) -> str:
        body = self.http.post("/reader/api/0/subscription/quickadd", data={"quickadd": url}).json()
        stream = body["streamId"]
        if folder:
            self.edit_subscription(stream, add=f"user/-/label/{folder}")
        return str(stream)

    def edit_subscription(self, stream: str, **extra: str) -> None:
        response = self.http.post("/reader/api/0/subscription/edit",
                                  data={"ac": "edit", "s": stream, "T": self.token, **{
                                      {"add": "a"}.get(k, k): v for k, v in extra.items()}})
        assert response.text.strip() == "OK", response.text

    def subscriptions(self) -> list[dict[str, object]]:
        return list(self.http.get("/reader/api/0/subscription/list",
                                  params={"output": "json"}).json()["subscriptions"])

    def ids(self, stream: str, exclude: str | None = None) -> set[str]:
        params = {"s": stream, "n": 10000, "output": "json"}
        if exclude:
            params["xt"] = exclude
        body = self.http.get("/reader/api/0/stream/items/ids", params=params).json()
        return {ref["id"] for ref in body.get("itemRefs", [])}

    def unread(self) -> set[str]:
        return self.ids("user/-/state/com.google/reading-list", "user/-/state/com.google/read")

    def starred(self) -> set[str]:
        return self.ids("user/-/state/com.google/starred")

    def labelled(self, label: str) -> set[str]:
        return self.ids(f"user/-/label/{label}")

    def items(self) -> list[dict[str, object]]:
        body = self.http.get("/reader/api/0/stream/contents/reading-list",
                             params={"n": 1000, "output": "json"}).json()
        return list(body["items"])

    def edit_tag(self, ids: list[str], *, add: str | None = None, remove: str | None = None) -> None:
        data: dict[str, object] = {"i": ids, "T": self.token}
        if add:
            data["a"] = add
        if remove:
            data["r"] = remove
        response = self.http.post("/reader/api/0/edit-tag", data=data)
        assert response.text.strip() == "OK", response.text


def fever_key(user: User) -> str:
    return hashlib.md5(f"{user.name}:{user.api_password}".encode()).hexdigest()


# -- a user with feeds, for the benchmarks -------------------------------------------------


def words(n: int) -> str:
    """An item's body: forty sentences that say which story they belong to."""
    return "<p>" + " ".join(f"Story {n} sentence {i} carries enough words to be whole." for i in range(40)) + "</p>"


def publish(server: TestServer, feeds: int, per_feed: int) -> list[str]:
    """``feeds`` RSS feeds of ``per_feed`` items each, served by ``server``: their addresses."""
    urls = []
    for f in range(feeds):
        items = "".join(
            f"<item><title>Feed {f} item {i}</title><link>{server.url(f'/b/{f}/{i}')}</link>"
            f"<guid>{server.url(f'/b/{f}/{i}')}</guid>"
            f"<pubDate>Tue, 01 Dec 2026 {i % 24:02d}:{i % 60:02d}:00 GMT</pubDate>"
            f"<description><![CDATA[{words(f * 1000 + i)}]]></description></item>"
            for i in range(per_feed))
        urls.append(server.add(f"/b/{f}.xml", f'<?xml version="1.0"?><rss version="2.0"><channel>'
                               f"<title>Bench {f}</title><link>{server.url('/')}</link>{items}"
                               "</channel></rss>", "application/rss+xml"))
    return urls


def subscribed(work: Path, server: TestServer, fresh: FreshRSS, feeds: int,
               per_feed: int) -> tuple[User, Path]:
    """A new FreshRSS user subscribed to ``feeds`` published feeds, which FreshRSS has fetched,
    and the config.toml that syncs Warta with it (its password in WARTA_BENCH_SYNC_PASSWORD)."""
    user = fresh.new_user()
    urls = publish(server, feeds, per_feed)
    opml = work / "feeds.opml"
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><body>' + "".join(
        f'<outline type="rss" text="Bench {n}" xmlUrl="{url}"/>' for n, url in enumerate(urls))
        + "</body></opml>")
    fresh.cli("import-for-user.php", "--user", user.name, "--filename", str(opml))
    user.actualize()
    config = work / "config.toml"
    config.write_text(textwrap.dedent(f"""\
        [sync]
        url = "{fresh.url('/api/greader.php')}"
        user = "{user.name}"
        password_env = "WARTA_BENCH_SYNC_PASSWORD"
        [fetch]
        min_delay = 0.0
        """))
    return user, config
