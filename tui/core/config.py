"""The config file: where it is, what it may hold, and one clear line when it is wrong.

Looked for in ``--config``, then ``$WARTA_CONFIG``, then ``<platform config dir>/config.toml``.
A missing file at the default place means defaults; a missing file that was named explicitly is
an error. Every problem becomes a ``ConfigError`` naming the file, the line or key, and what is
wrong.
"""

from __future__ import annotations

import math
import os
import re
import shlex
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, get_args

import platformdirs

from .errors import ConfigError
from .models import Feed, FullTextPolicy
from .urls import is_http_url

APP_NAME = "warta"
_IMAGE_MODES = ("auto", "halfblock", "off", "kitty", "sixel")  # tui.core.images.ImageMode
DEFAULT_THEME = "textual-dark"
MAX_CONFIG_BYTES = 1 << 20  # a config is a few KB; ``--config /dev/zero`` must not read forever
# Settings where 0 would hang a fetch (no connection slot ever free) or fail every feed at once.
_MORE_THAN_ZERO = frozenset({
    "fetch.max_connections", "fetch.per_host", "fetch.workers", "fetch.connect_timeout",
    "fetch.read_timeout", "fetch.deadline", "fetch.extract_timeout", "fetch.page_max_mb",
    "fetch.feed_max_mb",
})


@dataclass(frozen=True, slots=True)
class FetchConfig:
    max_connections: int = 8
    per_host: int = 2
    min_delay: float = 1.0  # seconds between two requests to one host
    connect_timeout: float = 10.0
    read_timeout: float = 15.0
    deadline: float = 30.0  # whole request, however slowly the server drips
    retries: int = 3
    page_max_mb: float = 5.0
    feed_max_mb: float = 15.0
    workers: int = 2  # extraction processes
    extract_timeout: float = 10.0
    trust_env: bool = True  # honour HTTP(S)_PROXY and SSL_CERT_FILE


@dataclass(frozen=True, slots=True)
class RefreshConfig:
    interval_minutes: float = 60.0  # 0 turns periodic refresh off
    on_start: bool = True


@dataclass(frozen=True, slots=True)
class StorageConfig:
    raw_cache_mb: float = 512.0
    keep_days: float = 0.0  # 0 keeps articles forever
    keep_starred: bool = True


SyncApi = Literal["greader", "fever"]


@dataclass(frozen=True, slots=True)
class SyncConfig:
    """``[sync]``: the feed server this Warta meets other devices at. No secret is kept here:
    only the command or environment variable that yields it (see ``tui.core.sync.secret``)."""

    api: SyncApi
    url: str
    user: str
    password_command: str = ""
    password_env: str = ""
    max_items: int = 10000  # newest server items considered per sync (ids only after the first)


SYNC_MAX_ITEMS = 10000


@dataclass(frozen=True, slots=True)
class TagRule:
    """Auto-tag: when ``pattern`` matches the article's ``field``, add ``tag``."""

    field: str
    pattern: re.Pattern[str]
    tag: str


@dataclass(frozen=True, slots=True)
class PipeConfig:
    """``|``: commands the article (as Markdown) can be piped into, by name, and their limits."""

    timeout: float = 60.0  # seconds before the command's process group is killed
    max_output_kb: float = 256.0  # of stdout, and of stderr; past it the command is stopped
    commands: dict[str, str] = field(default_factory=dict)  # name -> command line (shell rules)


@dataclass(frozen=True, slots=True)
class Config:
    path: Path | None = None
    data_dir: Path | None = None
    theme: str = DEFAULT_THEME
    feeds: tuple[Feed, ...] = ()
    fetch: FetchConfig = field(default_factory=FetchConfig)
    refresh: RefreshConfig = field(default_factory=RefreshConfig)
    storage: StorageConfig = field(default_factory=StorageConfig)
    keys: dict[str, str] = field(default_factory=dict)
    filters: dict[str, str] = field(default_factory=dict)
    rules: tuple[TagRule, ...] = ()
    browser: str = ""  # a command line (shell rules; %u or %s for the URL); else $BROWSER
    browser_in_terminal: bool | None = None  # None: yes for w3m, lynx, links, elinks, browsh
    pipe: PipeConfig = field(default_factory=PipeConfig)
    images: str = "auto"  # pictures: "auto" | "halfblock" | "off" | "kitty" | "sixel" (forced)
    sort: str = "newest"  # the list's order at start: newest, oldest, feed, unread
    sync: SyncConfig | None = None


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


def find_config_path(explicit: str | None) -> tuple[Path, bool]:
    """The config path to use, and whether the user named it (so it must exist)."""
    if explicit:
        return Path(explicit).expanduser(), True
    if os.environ.get("WARTA_CONFIG"):
        return Path(os.environ["WARTA_CONFIG"]).expanduser(), True
    return default_config_path(), False


def load_config(explicit: str | None = None) -> Config:
    path, required = find_config_path(explicit)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except (FileNotFoundError, NotADirectoryError):
        if required:
            raise ConfigError(f"config error: {path}: file not found") from None
        return Config()
    except OSError as exc:
        raise ConfigError(f"config error: {path}: {exc.strerror}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"config error: {path}: larger than {MAX_CONFIG_BYTES // 2**20} MiB; "
                          "not a config file") from None
    return parse_config(raw, path)


def parse_config(raw: bytes, path: Path) -> Config:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"config error: {path}: line {line}: not valid UTF-8") from None
    text = text.removeprefix("\ufeff")  # editors on Windows save UTF-8 with a BOM
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config error: {path}: {_toml_message(exc)}") from None
    return _Reader(path, text).config(data)


def _toml_message(exc: tomllib.TOMLDecodeError) -> str:
    message = str(exc)
    found = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if found:
        message = message[: found.start()].strip()
        return f"line {found.group(1)}, column {found.group(2)}: {message}"
    return message


class _Reader:
    """Validates the parsed TOML; errors name the key and, where it can be found, the line."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def fail(self, key: str, problem: str, needle: str | None = None) -> ConfigError:
        line = self._line_of(needle if needle is not None else key.rsplit(".", 1)[-1])
        where = f"line {line}: " if line else ""
        return ConfigError(f"config error: {self.path}: {where}{key}: {problem}")

    def _line_of(self, needle: str) -> int | None:
        for number, line in enumerate(self.lines, 1):
            if needle and needle in line and not line.lstrip().startswith("#"):
                return number
        return None

    def config(self, data: dict[str, Any]) -> Config:
        known = {"data_dir", "theme", "feeds", "fetch", "refresh", "storage", "keys", "filters", "rules",
                 "browser", "browser_in_terminal", "pipe", "images", "sort", "sync"}
        for key in data:
            if key not in known:
                raise self.fail(key, f"unknown setting (known: {', '.join(sorted(known))})")
        data_dir = data.get("data_dir")
        if data_dir is not None and not isinstance(data_dir, str):
            raise self.fail("data_dir", "expected a path in quotes")
        theme = data.get("theme", DEFAULT_THEME)
        if not isinstance(theme, str):
            raise self.fail("theme", "expected a theme name in quotes")
        sort = data.get("sort", "newest")
        if sort not in ("newest", "oldest", "feed", "unread"):
            raise self.fail("sort", f"expected one of newest, oldest, feed, unread, got {sort!r}")
        return Config(
            path=self.path,
            sort=sort,
            data_dir=Path(data_dir).expanduser() if data_dir else None,
            theme=theme,
            feeds=self.feeds(data.get("feeds", [])),
            fetch=self.section("fetch", FetchConfig, data.get("fetch", {})),
            refresh=self.section("refresh", RefreshConfig, data.get("refresh", {})),
            storage=self.section("storage", StorageConfig, data.get("storage", {})),
            keys=self.string_table("keys", data.get("keys", {})),
            filters=self.saved_filters(data.get("filters", {})),
            rules=self.rules(data.get("rules", [])),
            **self.browser(data),
            pipe=self.pipe(data.get("pipe", {})),
            images=self.image_mode("images", data.get("images", "auto")),
            sync=self.sync(data["sync"]) if "sync" in data else None,
        )

    def browser(self, data: dict[str, Any]) -> dict[str, Any]:
        browser = data.get("browser", "")
        if not isinstance(browser, str):
            raise self.fail("browser", "expected a command in quotes, like \"firefox --new-tab %u\"")
        self.command_words("browser", browser)
        in_terminal = data.get("browser_in_terminal")
        if in_terminal is not None and not isinstance(in_terminal, bool):
            raise self.fail("browser_in_terminal", f"expected true or false, got {in_terminal!r}")
        return {"browser": browser, "browser_in_terminal": in_terminal}

    def pipe(self, table: Any) -> PipeConfig:
        if not isinstance(table, dict):
            raise self.fail("pipe", "expected a table, like [pipe]")
        commands = self.string_table("pipe.commands", table.get("commands", {}))
        for name, command in commands.items():
            if not self.command_words(f"pipe.commands.{name}", command):
                raise self.fail(f"pipe.commands.{name}", "empty command")
        limits = self.section("pipe", PipeConfig, {k: v for k, v in table.items() if k != "commands"})
        return PipeConfig(timeout=limits.timeout, max_output_kb=limits.max_output_kb, commands=commands)

    def command_words(self, key: str, command: str) -> list[str]:
        """A command line split as a shell would (no shell ever runs it)."""
        try:
            return shlex.split(command)
        except ValueError as exc:
            raise self.fail(key, f"cannot read the command: {exc}") from None

    def image_mode(self, key: str, value: Any) -> str:
        if value not in _IMAGE_MODES:
            raise self.fail(key, 'expected "auto", "halfblock", "off", "kitty" or "sixel"',
                            needle="images")
        return str(value)

    def section(self, name: str, cls: type[Any], table: Any) -> Any:
        if not isinstance(table, dict):
            raise self.fail(name, "expected a table, like [" + name + "]")
        types = {f.name: f.type for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key not in types:
                raise self.fail(f"{name}.{key}", f"unknown setting (known: {', '.join(types)})")
            wanted = types[key]
            if wanted == "bool":
                ok = isinstance(value, bool)
            elif wanted == "int":
                ok = isinstance(value, int) and not isinstance(value, bool)
            else:  # TOML's nan and inf are floats too, and no setting means them
                ok = isinstance(value, (int, float)) and not isinstance(value, bool) \
                    and math.isfinite(value)
            if not ok:
                kind = {"bool": "true or false", "int": "a whole number"}.get(str(wanted), "a number")
                raise self.fail(f"{name}.{key}", f"expected {kind}, got {value!r}")
            if wanted != "bool" and value < 0:
                raise self.fail(f"{name}.{key}", f"must not be negative, got {value!r}")
            if f"{name}.{key}" in _MORE_THAN_ZERO and value == 0:
                raise self.fail(f"{name}.{key}", "must be more than 0, got 0")
            values[key] = float(value) if wanted == "float" else value
        return cls(**values)

    def sync(self, table: Any) -> SyncConfig:
        if not isinstance(table, dict):
            raise self.fail("sync", "expected a table, like [sync]")
        if "password" in table or "api_key" in table:
            # Not even echoed back: the line number is enough to find it.
            raise self.fail("sync.password", "a secret does not belong in the config: use "
                            "password_command or password_env", needle="password")
        known = {f.name for f in fields(SyncConfig)}
        for key in table:
            if key not in known:
                raise self.fail(f"sync.{key}", f"unknown setting (known: {', '.join(sorted(known))})")
            if key == "max_items":
                value = table[key]
                if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                    raise self.fail("sync.max_items", "expected a positive whole number")
            elif not isinstance(table[key], str):
                raise self.fail(f"sync.{key}", "expected a string in quotes")
        api = table.get("api", "greader")
        if api not in get_args(SyncApi):
            raise self.fail("sync.api", 'expected "greader" or "fever"', needle="api")
        url = table.get("url", "").strip()
        if not is_http_url(url):
            raise self.fail("sync.url", f"expected the server's http(s) API address, got {url!r}",
                            needle="url")
        if not table.get("user", "").strip():
            raise self.fail("sync.user", "missing user name", needle="[sync]")
        if not table.get("password_command") and not table.get("password_env"):
            raise self.fail("sync", "needs password_command = \"…\" or password_env = \"VARIABLE\"",
                            needle="[sync]")
        return SyncConfig(api=api, url=url.rstrip("/"), user=table["user"].strip(),
                          password_command=table.get("password_command", ""),
                          password_env=table.get("password_env", ""),
                          max_items=table.get("max_items", SYNC_MAX_ITEMS))

    def saved_filters(self, table: Any) -> dict[str, str]:
        """``[filters]``, each one compiled now: a typo is reported at start, with its line,
        not months later when its key is first pressed."""
        from .errors import FilterError
        from .query import compile_filter

        filters = self.string_table("filters", table)
        for name, text in filters.items():
            try:
                compile_filter(text)
            except FilterError as exc:
                raise self.fail(f"filters.{name}", f"not a filter: {exc}", needle=text) from None
        return filters

    def string_table(self, name: str, table: Any) -> dict[str, str]:
        if not isinstance(table, dict):
            raise self.fail(name, "expected a table, like [" + name + "]")
        for key, value in table.items():
            if not isinstance(value, str):
                raise self.fail(f"{name}.{key}", f"expected a string in quotes, got {value!r}")
        return dict(table)

    def feeds(self, entries: Any) -> tuple[Feed, ...]:
        if not isinstance(entries, list):
            raise self.fail("feeds", "expected [[feeds]] entries")
        feeds: dict[str, Feed] = {}
        for number, entry in enumerate(entries, 1):
            key = f"feeds[{number}]"
            if not isinstance(entry, dict):
                raise self.fail(key, "expected a [[feeds]] table")
            url = entry.get("url")
            if not isinstance(url, str) or not url.strip():
                raise self.fail(f"{key}.url", "missing feed url", needle="[[feeds]]")
            normalised = normalise_feed_url(url)
            if normalised is None:
                raise self.fail(f"{key}.url", f"not an http(s) address: {url!r}", needle=url)
            tags = entry.get("tags", [])
            if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
                raise self.fail(f"{key}.tags", "expected a list of strings", needle=url)
            full_text = entry.get("full_text", "auto")
            if full_text not in get_args(FullTextPolicy):
                raise self.fail(f"{key}.full_text", "expected \"always\", \"never\" or \"auto\"",
                                needle="full_text")
            max_articles = entry.get("max_articles", 200)
            if not isinstance(max_articles, int) or isinstance(max_articles, bool) or max_articles < 1:
                raise self.fail(f"{key}.max_articles", "expected a positive whole number",
                                needle="max_articles")
            enabled = entry.get("enabled", True)
            if not isinstance(enabled, bool):
                raise self.fail(f"{key}.enabled", "expected true or false", needle="enabled")
            name = entry.get("name", "")
            if not isinstance(name, str):
                raise self.fail(f"{key}.name", "expected a string in quotes", needle=url)
            images = self.image_mode(f"{key}.images", entry["images"]) if "images" in entry else ""
            unknown = set(entry) - {"url", "name", "tags", "enabled", "full_text", "max_articles",
                                    "images"}
            if unknown:
                raise self.fail(f"{key}.{sorted(unknown)[0]}", "unknown feed setting",
                                needle=sorted(unknown)[0])
            feeds.setdefault(normalised, Feed(
                url=normalised, name=name, tags=tuple(tags), enabled=enabled,
                full_text=full_text, max_articles=max_articles, images=images,
            ))
        return tuple(feeds.values())

    def rules(self, entries: Any) -> tuple[TagRule, ...]:
        if not isinstance(entries, list):
            raise self.fail("rules", "expected [[rules]] entries")
        rules = []
        for number, entry in enumerate(entries, 1):
            key = f"rules[{number}]"
            if not isinstance(entry, dict):
                raise self.fail(key, "expected a [[rules]] table")
            field_name = entry.get("field", "title")
            if field_name not in ("title", "url", "site"):
                raise self.fail(f"{key}.field", "expected \"title\", \"url\" or \"site\"", needle="field")
            pattern, tag = entry.get("pattern"), entry.get("tag")
            if not isinstance(pattern, str) or not isinstance(tag, str) or not tag.strip():
                raise self.fail(key, "needs pattern = \"regex\" and tag = \"name\"", needle="[[rules]]")
            try:
                compiled = re.compile(pattern, re.IGNORECASE)
            except re.error as exc:
                raise self.fail(f"{key}.pattern", f"bad regular expression: {exc}", needle=pattern) from None
            rules.append(TagRule(field_name, compiled, tag.strip()))
        return tuple(rules)


def normalise_feed_url(url: str) -> str | None:
    """``example.com/feed`` -> ``https://example.com/feed``; anything not http(s) -> None."""
    url = url.strip()
    if "://" not in url and re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:(?!\d)", url) is None:
        url = "https://" + url
    if " " in url:
        url = url.replace(" ", "%20")
    return url if is_http_url(url) else None
