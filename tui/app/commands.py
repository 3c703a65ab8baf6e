"""The command palette (ctrl+p): every keyed action by name, with its current key."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

from . import keys
from .screens.main import MainScreen


class WartaCommands(Provider):
    """Built from the same bindings as the keys, so a command and its key do the same."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        screen = self.screen
        if not isinstance(screen, MainScreen):
            return []
        app = self.app
        config = screen.library.config
        keymap = config.keys
        saved = list(screen.library.filters())
        nodes: dict[str, DOMNode] = {
            "app": app, "screen": screen, "list": screen.article_list, "reader": screen.reader,
        }
        commands: list[tuple[str, str, Callable[[], object]]] = []
        for scope, binding in keys.all_bindings(type(app)):
            title = binding.tooltip or binding.description
            if binding.id and binding.id.startswith("filter.saved_"):
                number = int(binding.id.rsplit("_", 1)[1])
                if number > len(saved):
                    continue
                title = f"Saved filter {number}: {saved[number - 1]}"
            help_text = f"{scope.title} · key {keys.key_display(app, binding, keymap)}"
            commands.append((title, help_text,
                             partial(app.run_action, binding.action, nodes[scope.name])))
        return commands

    async def discover(self) -> Hits:
        for title, help_text, command in self._commands():
            yield DiscoveryHit(Text(title), command, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, command in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, text=title, help=help_text)
