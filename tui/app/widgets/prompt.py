"""One-line prompts above the status line: ``/`` for a filter, ``f`` for a link number,
``ctrl+f`` to find in the article.

A prompt opens with ``open()``, answers with ``Submitted`` (Enter) or ``Cancelled`` (Esc, or
focus moving elsewhere), and can show an error (wrapped to the width) above itself while staying open, so a
mistyped filter can be fixed instead of retyped.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, Static
from textual.widgets.input import Selection


class PromptInput(Input):
    """The text field of a prompt: Esc gives up."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False,
                        tooltip="Close the prompt without applying it", id="prompt.cancel")]

    class Cancel(Message):
        pass

    def action_cancel(self) -> None:
        self.post_message(self.Cancel())

    def on_blur(self) -> None:
        self.post_message(self.Cancel())


class BottomPrompt(Widget):
    """A label and a field; hidden until opened."""

    DEFAULT_CSS = """
    BottomPrompt { height: auto; display: none; background: $panel; }
    BottomPrompt.-open { display: block; }
    BottomPrompt > .prompt--error {
        color: $text-error; display: none; padding: 0 1; height: auto;  /* wrapped, never cut */
    }
    BottomPrompt.-error > .prompt--error { display: block; }
    BottomPrompt > Horizontal { height: 1; }
    BottomPrompt Label { width: auto; padding: 0 0 0 1; text-style: bold; }
    BottomPrompt PromptInput { border: none; height: 1; padding: 0 1; width: 1fr; background: $panel; }
    BottomPrompt PromptInput:focus { border: none; }
    """

    LABEL = ""
    PLACEHOLDER = ""
    RESTRICT: str | None = None

    class Submitted(Message):
        def __init__(self, prompt: BottomPrompt, value: str) -> None:
            super().__init__()
            self.prompt = prompt
            self.value = value

        @property
        def control(self) -> BottomPrompt:
            return self.prompt

    class Cancelled(Message):
        def __init__(self, prompt: BottomPrompt) -> None:
            super().__init__()
            self.prompt = prompt

        @property
        def control(self) -> BottomPrompt:
            return self.prompt

    def compose(self) -> ComposeResult:
        yield Static("", classes="prompt--error")
        with Horizontal():
            yield Label(self.LABEL)
            yield PromptInput(placeholder=self.PLACEHOLDER, restrict=self.RESTRICT)

    @property
    def input(self) -> PromptInput:
        return self.query_one(PromptInput)

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def open(self, value: str = "") -> None:
        self.show_error(None)
        self.add_class("-open")
        field = self.input
        field.value = value
        field.cursor_position = len(value)
        field.focus()

    def close(self) -> None:
        self.remove_class("-open", "-error")

    def show_error(self, message: Text | None, *, select: tuple[int, int] | None = None) -> None:
        """Show ``message`` above the field (None hides it) and select the bad part."""
        self.set_class(message is not None, "-error")
        self.query_one(".prompt--error", Static).update(message or "")
        if select is not None:
            self.input.selection = Selection(*select)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.is_open:
            self.post_message(self.Submitted(self, event.value))

    @on(PromptInput.Cancel)
    def _cancel(self, event: PromptInput.Cancel) -> None:
        event.stop()
        if self.is_open:
            self.close()
            self.post_message(self.Cancelled(self))

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.is_open:
            self.edited(event.value)

    def edited(self, value: str) -> None:
        """Called as the user types; subclasses may submit early."""
        self.show_error(None)


class FilterPrompt(BottomPrompt):
    """``/``: the filter language of ``core.query``; an empty filter shows everything."""

    LABEL = "Filter:"
    PLACEHOLDER = "words  +tag  -tag  site:  feed:  lang:  is:unread  is:new  since:7d   (empty = all)"


class AddPrompt(BottomPrompt):
    """``a``: a URL to subscribe to (a feed or a page that has one) or to save as one article."""

    LABEL = "Add:"
    PLACEHOLDER = "https://… a feed, a site that has one, or a page to save"


class LinkPrompt(BottomPrompt):
    """``f``: a link number; opens as soon as no longer number could start with the digits."""

    LABEL = "Open link:"
    RESTRICT = r"[0-9]*"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.link_count = 0

    def open_for(self, link_count: int) -> None:
        self.link_count = link_count
        self.open("")
        self.input.placeholder = f"1–{link_count}, then Enter" if link_count > 9 else f"1–{link_count}"

    def edited(self, value: str) -> None:
        super().edited(value)
        if value and int(value) * 10 > self.link_count:
            self.post_message(self.Submitted(self, value))


class PipePrompt(BottomPrompt):
    """``|``: a command to pipe the article into, typed or by its name under ``[pipe.commands]``."""

    LABEL = "Pipe to:"

    def open_with(self, value: str, names: list[str]) -> None:
        self.open(value)
        named = f" or one of: {', '.join(names)}" if names else ""
        self.input.placeholder = f"a command (glow -, wc -w){named}"[:120]


class FindPrompt(BottomPrompt):
    """``ctrl+f``: find in the article as you type; the count of matches shows beside the field.
    Enter keeps the find (n/N step through it), Esc ends it."""

    LABEL = "Find:"
    PLACEHOLDER = "words in this article (case and accents aside)"

    DEFAULT_CSS = """
    FindPrompt .find--count { width: auto; padding: 0 1; color: $text-muted; }
    """

    class Changed(Message):
        def __init__(self, prompt: FindPrompt, value: str) -> None:
            super().__init__()
            self.prompt = prompt
            self.value = value

        @property
        def control(self) -> FindPrompt:
            return self.prompt

    def compose(self) -> ComposeResult:
        yield Static("", classes="prompt--error")
        with Horizontal():
            yield Label(self.LABEL)
            yield PromptInput(placeholder=self.PLACEHOLDER)
            yield Label("", classes="find--count")

    def show_count(self, counter: str) -> None:
        """ "3/17", "no match", or "" while the field is empty."""
        self.query_one(".find--count", Label).update(counter)

    def edited(self, value: str) -> None:
        super().edited(value)
        self.post_message(self.Changed(self, value))
