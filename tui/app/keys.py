"""Every key of the app in one view: which bindings exist, where, and what the keymap made of them.

The bindings themselves live where Textual looks for them (``BINDINGS`` of the app, the main
screen, the list and the reader), each with an id. The user's ``[keys]`` table maps ids to keys
and goes to ``App.set_keymap``. This module reads the same ``BINDINGS`` to draw the help screen,
fill the command palette and find conflicts, so none of them can drift from the real keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from textual.app import App
from textual.binding import Binding, BindingsMap

from ..core.sanitize import sanitize_line

Keymap = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Scope:
    """Bindings that belong to one node: ``name`` picks the node the actions run on, ``owner``
    is its class (the app, a screen, or a widget on one)."""

    name: str  # "app", "screen", "list", "reader", "feeds", "rows", ...
    title: str
    bindings: tuple[Binding, ...]
    owner: type = object


@dataclass(frozen=True, slots=True)
class Conflict:
    """One key that, after remapping, means two different things in one context."""

    key: str
    context: str
    bindings: tuple[Binding, ...]

    def message(self, app: App[Any]) -> str:
        actions = " and ".join(f"{b.description} ({b.id})" for b in self.bindings)
        return (f"Key {app.get_key_display(self.bindings[0].with_key(self.key))} does two things in "
                f"{self.context}: {actions}. Change one under [keys] in the config.")


# Keys pressed with the list focused reach the list, then the screen, then the app (likewise
# for the reader and the feed pane), so those are the sets in which one key must not mean two
# things.
CONTEXTS = {
    "the article list": ("list", "screen", "app"),
    "the reader": ("reader", "screen", "app"),
    "the feed pane": ("rows", "feeds", "app"),
}


def scopes(app_type: type[App[Any]]) -> list[Scope]:
    """The app's own bindings (those with ids), in help-screen order: the main screen, then
    each screen and dialog, then the keys that work everywhere."""
    # Imported here: the screens import the app, which imports this module.
    from .screens.ask import Ask
    from .screens.confirm import ConfirmOpen
    from .screens.errors import ErrorsScreen
    from .screens.feeds import FeedsScreen, NamePrompt
    from .screens.help import HelpScreen
    from .screens.main import MainScreen
    from .screens.picture import PictureScreen
    from .screens.pipe_output import PipeOutput
    from .screens.tag_editor import TagEditor
    from .screens.tag_picker import KeyedSelectionList, TagPicker
    from .widgets.article_list import ArticleList
    from .widgets.prompt import PromptInput
    from .widgets.reader import Reader
    from .widgets.row_list import RowList

    def own(cls: type) -> tuple[Binding, ...]:
        return tuple(b for b in cls.__dict__.get("BINDINGS", ()) if isinstance(b, Binding) and b.id)

    return [
        Scope("screen", "Articles (list and reader)", own(MainScreen), MainScreen),
        Scope("list", "Article list", own(ArticleList), ArticleList),
        Scope("reader", "Reader", own(Reader), Reader),
        Scope("prompt", "Prompts (/ a f | ^f)", own(PromptInput), PromptInput),
        Scope("feeds", "Feed pane (F)", own(FeedsScreen), FeedsScreen),
        Scope("rows", "Feed pane: moving", own(RowList), RowList),
        Scope("name_prompt", "Feed pane: rename (R)", own(NamePrompt), NamePrompt),
        Scope("tag_picker", "Tag picker (t)", own(TagPicker), TagPicker),
        Scope("tag_list", "Tag picker: moving", own(KeyedSelectionList), KeyedSelectionList),
        Scope("tag_editor", "Tag editor (T)", own(TagEditor), TagEditor),
        Scope("errors", "Refresh errors (E)", own(ErrorsScreen), ErrorsScreen),
        Scope("pipe_output", "Pipe output (|)", own(PipeOutput), PipeOutput),
        Scope("picture", "Picture (i)", own(PictureScreen), PictureScreen),
        Scope("ask", "Questions (mark all read, unsubscribe)", own(Ask), Ask),
        Scope("confirm", "Opening a doubtful link", own(ConfirmOpen), ConfirmOpen),
        Scope("help", "Help (?)", own(HelpScreen), HelpScreen),
        Scope("app", "Everywhere", own(app_type), app_type),
    ]


def all_bindings(app_type: type[App[Any]]) -> Iterable[tuple[Scope, Binding]]:
    for scope in scopes(app_type):
        for binding in scope.bindings:
            yield scope, binding


def keys_of(binding: Binding, keymap: Keymap) -> list[str]:
    """The keys ``binding`` answers to after ``keymap``, in Textual's normal form."""
    key = keymap.get(binding.id or "", binding.key)
    return list(BindingsMap([binding.with_key(key)]).key_to_bindings)


def key_display(app: App[Any], binding: Binding, keymap: Keymap) -> str:
    """How the keys of ``binding`` are shown to the user ("j, ↓")."""
    return ", ".join(app.get_key_display(binding.with_key(key)) for key in keys_of(binding, keymap))


def unknown_ids(app_type: type[App[Any]], keymap: Keymap) -> list[str]:
    known = {binding.id for _, binding in all_bindings(app_type)}
    return [binding_id for binding_id in keymap if binding_id not in known]


def find_conflicts(app_type: type[App[Any]], keymap: Keymap) -> list[Conflict]:
    """Keys that two bindings claim in one context, where the user's keymap caused it.

    Some keys are claimed twice on purpose (PgDn pages the list when it has focus and the
    reader otherwise); only a key that the keymap gave to a binding counts as a conflict.
    """
    by_name = {scope.name: scope for scope in scopes(app_type)}
    conflicts: dict[tuple[str, frozenset[str]], Conflict] = {}
    for context, names in CONTEXTS.items():
        claims: dict[str, list[Binding]] = {}
        for name in names:
            for binding in by_name[name].bindings:
                for key in keys_of(binding, keymap):
                    claims.setdefault(key, []).append(binding)
        for key, claimants in claims.items():
            distinct = list({b.id: b for b in claimants}.values())
            remapped = any(b.id in keymap and key not in keys_of(b, {}) for b in distinct)
            if len(distinct) > 1 and remapped:
                ids = frozenset(b.id or "" for b in distinct)
                conflicts.setdefault((key, ids), Conflict(key, context, tuple(distinct)))
    return list(conflicts.values())


def help_sections(app: App[Any], keymap: Keymap,
                  saved_filters: Mapping[str, str]) -> list[tuple[str, list[tuple[str, str, str, str]]]]:
    """The help's key sections: (scope title, rows of key, action, what it does, id), as the
    keymap left the keys; a saved-filter key shows its filter."""
    sections: list[tuple[str, list[tuple[str, str, str, str]]]] = []
    for scope in scopes(type(app)):
        rows = []
        for binding in scope.bindings:
            what = binding.tooltip or binding.description
            if binding.id and binding.id.startswith("filter.saved_"):
                number = int(binding.id.rsplit("_", 1)[1])
                names = list(saved_filters)
                if number > len(names):
                    continue
                name = names[number - 1]
                what = f"Saved filter {sanitize_line(name, 30)}: {sanitize_line(saved_filters[name], 40)}"
            rows.append((key_display(app, binding, keymap), binding.description, what,
                         binding.id or ""))
        if rows:
            sections.append((scope.title, rows))
    return sections
