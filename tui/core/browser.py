"""Open a web link in the user's browser without handing the link a way to run anything.

Links come from web pages, so they are hostile: only ``http``/``https`` URLs are opened
(``urls.is_http_url``: no ``file:``, ``javascript:``, control characters, or a leading ``-`` that
a browser would read as an option), no shell is involved, and the URL is exactly one argument.

Which browser: the config's ``browser``, else the first program of ``$BROWSER`` found on
``PATH`` (split with shell rules, so ``"firefox --new-tab"`` keeps its flag; a ``%u`` or ``%s``
argument is replaced by the URL, else the URL goes last); otherwise ``open`` on macOS, the shell
association on Windows, and ``xdg-open`` (or a graphical browser known to ``webbrowser``) when a
display is present. A terminal browser is never picked by guessing.

A graphical browser is started in its own session and not waited for, so a slow browser never
freezes the reader. A browser that lives in the terminal (w3m, lynx, links, elinks, browsh, or
any with ``browser_in_terminal = true``) needs the terminal itself: ``BrowserCommand.in_terminal``
tells the app to step aside (suspend) and ``run_in_terminal`` to wait for it.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import webbrowser
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from .errors import UnsafeURLError, WartaError
from .sanitize import sanitize_line
from .urls import is_http_url

Opener = Callable[[Sequence[str]], None]
"""Starts ``argv`` (the browser command with the URL); raises ``OSError`` when it cannot run."""

TERMINAL_BROWSERS = frozenset({"w3m", "lynx", "links", "links2", "elinks", "browsh", "carbonyl"})
PLACEHOLDERS = ("%u", "%s")


class NoBrowserError(WartaError):
    """No browser can be started here (headless machine, ``$BROWSER`` not found)."""


@dataclass(frozen=True, slots=True)
class BrowserCommand:
    """A browser as the user configured it: the program (found on ``PATH``) and its arguments."""

    words: tuple[str, ...]
    in_terminal: bool = False

    @property
    def program(self) -> str:
        return self.words[0]

    def argv(self, url: str) -> list[str]:
        """The command for ``url``: the URL replaces ``%u``/``%s``, else it is the last word;
        always one argv element, never parsed by a shell. ``UnsafeURLError`` unless http(s)."""
        check_url(url)
        if any(p in word for word in self.words[1:] for p in PLACEHOLDERS):
            return [self.words[0], *(_substitute(word, url) for word in self.words[1:])]
        return [*self.words, url]


def _substitute(word: str, url: str) -> str:
    for placeholder in PLACEHOLDERS:
        word = word.replace(placeholder, url)
    return word


def check_url(url: str) -> None:
    """``UnsafeURLError`` unless ``url`` is a plain http(s) URL a browser may be given."""
    if not is_http_url(url):
        raise UnsafeURLError(f"not opening {sanitize_line(url, 80)!r}: only http(s) links open "
                             "in the browser", url)


def open_url(url: str, *, opener: Opener | None = None,
             environ: Mapping[str, str] | None = None,
             command: BrowserCommand | None = None) -> None:
    """Open ``url`` in a graphical browser, not waiting for it; ``UnsafeURLError`` unless it is
    a plain http(s) URL. ``command`` defaults to ``browser_command(environ)``."""
    check_url(url)
    environ = os.environ if environ is None else environ
    if command is None and opener is None and sys.platform.startswith("win") and not environ.get("BROWSER"):
        os.startfile(url)  # type: ignore[attr-defined]  # the shell association, no command line
        return
    argv = (command or browser_command(environ)).argv(url)
    try:
        (opener or spawn)(argv)
    except OSError as exc:
        raise NoBrowserError(f"cannot start the browser {argv[0]}: {exc.strerror or exc}") from exc


def run_in_terminal(argv: Sequence[str]) -> int:
    """Run a terminal browser on this terminal and wait for it; its exit status.

    The caller hands the terminal over first (the app suspends itself); the browser reads the
    keyboard and draws until the user quits it.
    """
    try:
        return subprocess.run(list(argv), close_fds=True, check=False).returncode
    except OSError as exc:
        raise NoBrowserError(f"cannot start the browser {argv[0]}: {exc.strerror or exc}") from exc


# Link text that reads as an address: "example.com", "www.example.com/path", "https://x.org/".
_ADDRESS_TEXT = re.compile(r"(?:[a-z][a-z0-9+.-]*://)?((?:[^\s/:@.]+\.)+[^\s/:@.\d]{2,})\.?(?::\d+)?(?:[/?#]\S*)?",
                           re.IGNORECASE)


def ascii_host(host: str) -> str:
    """``host`` as the network sees it: lower case, IDN labels in punycode (``xn--…``)."""
    host = host.lower().rstrip(".")
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return ".".join(label if label.isascii() else
                        "xn--" + label.encode("punycode").decode("ascii")
                        for label in host.split("."))


def display_url(url: str) -> str:
    """``url`` for showing before it opens: one line, its host in punycode."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return sanitize_line(url, 200)
    if host and not host.isascii():
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = (userinfo + "@" if userinfo else "") + ascii_host(host)
        if parts.port:
            netloc += f":{parts.port}"
        url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return sanitize_line(url, 200)


def link_warning(url: str, text: str = "") -> str | None:
    """Why opening ``url`` needs the user's yes, in one line; None when it does not.

    The tricks: link text that names another site than the link goes to ("paypal.com" →
    paypal.com.evil.example), a host in non-ASCII letters that looks like a familiar one
    (``аpple.com`` with a Cyrillic а), and a familiar name before an ``@`` (the user part).
    Each way the user sees the real host, in punycode.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return None
    real = ascii_host(host)
    if "@" in parts.netloc:  # https://paypal.com@evil.example/ goes to evil.example
        return f"the address puts other text before an @; it really goes to {real}"
    shown = _address_in(text)
    if shown and not _same_site(shown, real):
        return f"the link text says {sanitize_line(shown, 80)} but it goes to {real}"
    if not host.isascii():
        return f"the address uses non-ASCII letters; it really goes to {real}"
    return None


def _address_in(text: str) -> str | None:
    found = _ADDRESS_TEXT.fullmatch(text.strip())
    if found is None:
        return None
    return ascii_host(found.group(1))


def _same_site(shown: str, real: str) -> bool:
    """Text naming ``example.com`` may link to ``www.example.com`` or ``news.example.com``."""
    shown = shown.removeprefix("www.")
    real = real.removeprefix("www.")
    return real == shown or real.endswith("." + shown)


def browser_command(environ: Mapping[str, str], configured: str = "",
                    in_terminal: bool | None = None) -> BrowserCommand:
    """The browser to hand URLs to, or ``NoBrowserError`` with one line saying why not.

    ``configured`` (the config's ``browser``) wins over ``$BROWSER``; ``in_terminal`` None means
    "yes for the known terminal browsers". A browser found by guessing is always graphical.
    """
    for source, value in (("browser in the config", configured), ("$BROWSER", environ.get("BROWSER", ""))):
        if not value.strip():
            continue
        words = _first_on_path(value, source)
        terminal = os.path.basename(words[0]) in TERMINAL_BROWSERS if in_terminal is None else in_terminal
        return BrowserCommand(words, terminal)
    return BrowserCommand((_default_program(environ),), bool(in_terminal))


def browser_program(environ: Mapping[str, str]) -> str:
    """The program that ``browser_command(environ)`` would start."""
    return browser_command(environ).program


def _first_on_path(value: str, source: str) -> tuple[str, ...]:
    """The words of the first entry of ``value`` (``:``-separated, like ``$BROWSER``) whose
    program is on ``PATH``, the program replaced by its full path."""
    for entry in value.split(os.pathsep):
        try:
            words = shlex.split(entry)
        except ValueError as exc:
            raise NoBrowserError(f"{source} ({sanitize_line(value, 60)}) cannot be read: {exc}") from None
        if words and not words[0].startswith("-"):
            found = shutil.which(words[0])
            if found:
                return (found, *words[1:])
    raise NoBrowserError(f"{source} ({sanitize_line(value, 60)}) is not a program on PATH; "
                         "press y to copy the link instead")


def _default_program(environ: Mapping[str, str]) -> str:
    if sys.platform == "darwin":
        return "open"
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        found = shutil.which("xdg-open") or _graphical_browser()
        if found:
            return found
    raise NoBrowserError("no browser here (no display, $BROWSER unset); press y to copy the link")


def _graphical_browser() -> str | None:
    """A graphical browser ``webbrowser`` knows of (never a terminal one: it would wait)."""
    try:
        controller = webbrowser.get()
    except webbrowser.Error:
        return None
    if isinstance(controller, webbrowser.BackgroundBrowser) or (
        isinstance(controller, webbrowser.UnixBrowser) and controller.background
    ):
        return shutil.which(controller.name)
    return None


def spawn(argv: Sequence[str]) -> None:
    """Start ``argv`` detached from the terminal and reap it in the background."""
    process = subprocess.Popen(
        list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, close_fds=True, start_new_session=True,
    )
    threading.Thread(target=process.wait, name="browser-reaper", daemon=True).start()
