"""Config loading: defaults, a full example, and one clear line for every kind of mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.config import Config, load_config, parse_config
from tui.core.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def test_example_config_loads() -> None:
    config = load_config(str(ROOT / "config.example.toml"))
    assert config.feeds and all(feed.url.startswith("https://") for feed in config.feeds)
    assert config.fetch.max_connections == 8 and config.fetch.per_host == 2
    assert "tech" in config.filters


def test_missing_default_config_means_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WARTA_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert load_config(None) == Config()


def test_env_var_names_the_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.toml"
    path.write_text('theme = "nord"\n')
    monkeypatch.setenv("WARTA_CONFIG", str(path))
    assert load_config(None).theme == "nord"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'theme = "nord\n', r"line 1, column \d+: .*"),
        (b"[fetch]\nread_timeout = \"slow\"\n", r"line 2: fetch.read_timeout: expected a number, got 'slow'"),
        (b"[fetch]\nretries = -1\n", r"line 2: fetch.retries: must not be negative"),
        (b"[storage]\nkeep_days = nan\n", r"line 2: storage.keep_days: expected a number, got nan"),
        (b"[fetch]\nread_timeout = inf\n", r"line 2: fetch.read_timeout: expected a number, got inf"),
        (b"colour = 1\n", r"line 1: colour: unknown setting"),
        (b'[[feeds]]\nurl = "exec:rm -rf ~"\n', r"line 2: feeds\[1\].url: not an http\(s\) address"),
        (b'[[feeds]]\nurl = "file:///etc/passwd"\n', r"feeds\[1\].url: not an http\(s\) address"),
        (b'[[feeds]]\nname = "x"\n', r"line 1: feeds\[1\].url: missing feed url"),
        (b'[[feeds]]\nurl = "https://a.example/f"\nfull_text = "sometimes"\n',
         r'line 3: feeds\[1\].full_text: expected "always", "never" or "auto"'),
        (b'[[rules]]\npattern = "(unclosed"\ntag = "x"\n', r"line 2: rules\[1\].pattern: bad regular expression"),
        (b'theme = "caf\xe9"\n', r"line 1: not valid UTF-8"),
        (b'[keys]\n"list.down" = 5\n', r"keys.list.down: expected a string"),
        (b'browser = ["w3m"]\n', r"line 1: browser: expected a command in quotes"),
        (b'browser = "w3m \'oops"\n', r"line 1: browser: cannot read the command"),
        (b'browser_in_terminal = "yes"\n', r"line 1: browser_in_terminal: expected true or false"),
        (b'[pipe]\ntimeout = "long"\n', r"line 2: pipe.timeout: expected a number"),
        (b'[pipe]\nshell = true\n', r"line 2: pipe.shell: unknown setting"),
        (b'[pipe.commands]\nsum = "llm -s \'x"\n', r"line 2: pipe.commands.sum: cannot read the command"),
        (b'[pipe.commands]\nsum = ""\n', r"pipe.commands.sum: empty command"),
    ],
)
def test_bad_config_gives_one_line_naming_file_and_line(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "config.toml"
    with pytest.raises(ConfigError) as caught:
        parse_config(content, path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"config error: {path}: ")
    assert __import__("re").search(expected, message), message


def test_feed_urls_are_normalised_and_deduplicated(tmp_path: Path) -> None:
    config = parse_config(
        b'[[feeds]]\nurl = "example.com/feed"\n[[feeds]]\nurl = "https://example.com/feed"\n'
        b'[[feeds]]\nurl = "http://localhost:8080/rss"\n', tmp_path / "c.toml")
    assert [feed.url for feed in config.feeds] == ["https://example.com/feed", "http://localhost:8080/rss"]


def test_explicit_missing_config_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(str(tmp_path / "nope.toml"))


def test_browser_and_pipe_settings(tmp_path: Path) -> None:
    config = parse_config(
        b'browser = "firefox --new-tab %u"\nbrowser_in_terminal = false\n'
        b'[pipe]\ntimeout = 5\n[pipe.commands]\nglow = "glow -s dark -"\n', tmp_path / "c.toml")
    assert config.browser == "firefox --new-tab %u" and config.browser_in_terminal is False
    assert config.pipe.timeout == 5.0 and config.pipe.commands == {"glow": "glow -s dark -"}
    assert Config().browser_in_terminal is None  # auto: yes for the known terminal browsers
