"""The command palette (ctrl+p): every keyed action of the screen by name, with its key and id."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.widget import Widget

from . import keys


class WartaCommands(Provider):
    """Built from the same bindings as the keys, so a command and its key do the same. On each
    screen it offers that screen's actions, its widgets' and the app's."""

    def _nodes(self) -> dict[str, DOMNode]:
        """Scope name -> the node its actions run on, for the scopes present on this screen."""
        screen, app = self.screen, self.app
        widgets = list(screen.query(Widget))
        found: dict[str, DOMNode] = {}
        for scope in keys.scopes(type(app)):
            if isinstance(app, scope.owner):
                found[scope.name] = app
            elif isinstance(screen, scope.owner):
                found[scope.name] = screen
            else:
                widget = next((w for w in widgets if isinstance(w, scope.owner)), None)
                if widget is not None:
                    found[scope.name] = widget
        return found

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.app
        library = getattr(app, "library", None)
        keymap = library.config.keys if library is not None else {}
        saved = list(library.filters()) if library is not None else []
        nodes = self._nodes()
        commands: list[tuple[str, str, Callable[[], object]]] = []
        for scope, binding in keys.all_bindings(type(app)):
            node = nodes.get(scope.name)
            if node is None:
                continue
            title = binding.tooltip or binding.description
            if binding.id and binding.id.startswith("filter.saved_"):
                number = int(binding.id.rsplit("_", 1)[1])
                if number > len(saved):
                    continue
                title = f"Saved filter {number}: {saved[number - 1]}"
            help_text = (f"{scope.title} · key {keys.key_display(app, binding, keymap)} · "
                         f"{binding.id}")
            commands.append((title, help_text, partial(app.run_action, binding.action, node)))
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
