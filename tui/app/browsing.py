"""Opening a link in the browser the user chose, including one that lives in the terminal.

A graphical browser is started and not waited for (``core.browser.open_url``). A terminal
browser (w3m, lynx, …) needs the terminal itself: the app suspends (Textual gives the terminal
back as it was before the app started), the browser runs until the user quits it, and the app
resumes and redraws. Whatever happens inside, the app is resumed.
"""

from __future__ import annotations

import os

from textual.app import App, SuspendNotSupported

from ..core.browser import BrowserCommand, NoBrowserError, Opener, browser_command, open_url, run_in_terminal
from ..core.config import Config
from ..core.errors import WartaError
from ..core.sanitize import sanitize_line


def chosen_browser(config: Config) -> BrowserCommand | None:
    """The browser the user configured (config ``browser``, else ``$BROWSER``); None leaves the
    choice to the platform (``open``, the desktop's default)."""
    if not (config.browser or os.environ.get("BROWSER", "")).strip():
        return None
    return browser_command(os.environ, config.browser, config.browser_in_terminal)


def launch(app: App[object], url: str, config: Config, opener: Opener | None = None) -> str | None:
    """Open ``url``; a line to tell the user when a terminal browser ended badly, else None.
    Raises ``WartaError`` (an unsafe URL, no browser) with its one-line message."""
    command = chosen_browser(config)
    if command is None or not command.in_terminal:
        open_url(url, opener=opener, command=command)
        return None
    argv = command.argv(url)  # checked before the terminal is handed over
    name = sanitize_line(os.path.basename(command.program), 40)
    failure: WartaError | None = None
    status = 0
    try:
        with app.suspend():
            try:
                status = run_in_terminal(argv)
            except WartaError as error:  # caught inside, so the app always resumes
                failure = error
    except SuspendNotSupported:
        raise NoBrowserError(f"cannot hand the terminal to {name} here; set browser_in_terminal = "
                             "false, or press y to copy the link") from None
    if failure is not None:
        raise failure
    return f"{name} exited with status {status}" if status else None
