"""``|``: the article piped into a command; what the command printed, shown as it finishes.

The command runs in an async worker of this screen (``core.pipe.run_pipe``: its own process
group, a hard timeout, capped output), so the app keeps answering keys while it works; closing
the screen cancels the worker, which kills the command. Its output is the command's, not
markup: escape sequences other than colours are removed before it is shown.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from ...core.errors import WartaError
from ...core.pipe import PipeResult, run_pipe, terminal_text
from ...core.sanitize import sanitize, sanitize_line
from ..widgets.reader import Reader


def output_view(result: PipeResult) -> RenderableType:
    """Stdout (colours kept), then stderr under its own heading, then why it stopped early."""
    parts: list[RenderableType] = []
    if result.stdout:
        parts.append(Text.from_ansi(terminal_text(result.stdout), end=""))
    if result.stderr:
        if parts:
            parts.append(Text(""))
        parts.append(Text("stderr", style="bold red"))
        parts.append(Text(sanitize(result.stderr).rstrip("\n"), style="red"))
    if not result.stdout and not result.stderr:
        parts.append(Text("(no output)", style="dim"))
    if result.timed_out or result.truncated:
        parts += [Text(""), Text(result.summary(), style="bold yellow")]
    return Group(*parts)


class PipeOutput(ModalScreen[None]):
    """Shows "running…", then the output of one command; Esc or q closes (and stops it)."""

    BINDINGS = [
        Binding("escape,q", "close", "Close", tooltip="Close the output (stops the command)",
                id="pipe_output.close"),
        Binding("pagedown,space", "page(1)", "Page down", show=False,
                tooltip="Scroll the output down a page", id="pipe_output.page_down"),
        Binding("pageup,b", "page(-1)", "Page up", show=False,
                tooltip="Scroll the output up a page", id="pipe_output.page_up"),
    ]

    DEFAULT_CSS = """
    PipeOutput { align: center middle; }
    PipeOutput > Vertical {
        width: 100; max-width: 98%; height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    PipeOutput .pipe-output--title { text-style: bold; height: 1; }
    PipeOutput .pipe-output--status { color: $text-muted; height: 1; }
    PipeOutput Reader { height: 1fr; background: $surface; padding: 0; }
    """

    class Finished(Message):
        """The command ended (or could not start: ``error``)."""

        def __init__(self, result: PipeResult | None, error: WartaError | None = None) -> None:
            super().__init__()
            self.result = result
            self.error = error

    def __init__(self, argv: Sequence[str], markdown: str, *, title: str, timeout: float,
                 max_output: int) -> None:
        super().__init__()
        self.argv = list(argv)
        self.markdown = markdown
        self.command_title = title
        self.timeout = timeout
        self.max_output = max_output
        self.result: PipeResult | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"| {sanitize_line(self.command_title, 80)}"), classes="pipe-output--title")
            yield Reader(id="pipe-output")
            yield Static(Text(f"running {sanitize_line(self.argv[0], 40)}… (esc stops it)"),
                         classes="pipe-output--status", id="pipe-output-status")

    def on_mount(self) -> None:
        self.query_one(Reader).focus()
        self._run()

    @work(exclusive=True, exit_on_error=False, group="pipe")
    async def _run(self) -> None:
        try:
            result = await run_pipe(self.argv, self.markdown, timeout=self.timeout,
                                    max_output=self.max_output)
        except WartaError as error:
            self.post_message(self.Finished(None, error))
            return
        self.post_message(self.Finished(result))

    def on_pipe_output_finished(self, message: Finished) -> None:
        status = self.query_one("#pipe-output-status", Static)
        reader = self.query_one(Reader)
        if message.result is None:
            text = str(message.error)
            reader.show(Text(text, style="bold red"))
            status.update(Text(text))
            return
        self.result = message.result
        reader.show(output_view(message.result))
        lines = len(reader.text_lines)
        status.update(Text(f"{message.result.summary()} · {lines:,} line{'s' if lines != 1 else ''}"
                           " · j/k scroll · esc closes"))

    def action_page(self, direction: int) -> None:
        """j/k/g/G are the reader's own keys; the page keys are here, as in the main screen."""
        reader = self.query_one(Reader)
        reader.page_down() if direction > 0 else reader.page_up()

    def action_close(self) -> None:
        self.workers.cancel_group(self, "pipe")  # a command still running is killed
        self.dismiss(None)
