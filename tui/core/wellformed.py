"""Is a record read back from disk what its type says? Rows on disk are hostile too.

A cache row can be damaged (a bad sector, a half-written page after a crash, someone's
editing) and still unpack as JSON: a list where a record was, a string where a date was. The
``from_json`` constructors take what they are given, so the damage would surface later as a
traceback in whatever reads the field. ``well_formed`` checks a decoded dataclass against its
own annotations, recursively, so the store can treat such a row as the miss it is. The check
for each type is built once from its annotations (a few microseconds per record after that).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from typing import Any, Literal, get_args, get_origin

Check = Callable[[Any], bool]
_CHECKS: dict[Any, Check] = {}


def well_formed(value: Any) -> bool:
    """True if every field of the dataclass ``value`` holds what its annotation declares."""
    return _check_for(type(value))(value)


def _check_for(annotation: Any) -> Check:
    check = _CHECKS.get(annotation)
    if check is None:
        if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
            _CHECKS[annotation] = lambda value: _check_for(annotation)(value)  # recursion guard
        check = _CHECKS[annotation] = _build(annotation)
    return check


def _build(annotation: Any) -> Check:
    origin = get_origin(annotation)
    args = get_args(annotation)
    if annotation is Any:
        return lambda value: True
    if origin is Literal:
        allowed = frozenset(args)
        return lambda value: isinstance(value, str | int) and value in allowed
    if origin in (typing.Union, types.UnionType):
        options = [_check_for(option) for option in args]
        return lambda value: any(check(value) for check in options)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = _check_for(args[0])
        return lambda value: isinstance(value, tuple) and all(item(v) for v in value)
    if origin is tuple:
        parts = [_check_for(arg) for arg in args]
        return lambda value: (isinstance(value, tuple) and len(value) == len(parts)
                              and all(check(v) for check, v in zip(parts, value)))
    if origin is dict:
        key, item = (_check_for(arg) for arg in args)
        return lambda value: isinstance(value, dict) and all(
            key(k) and item(v) for k, v in value.items())
    if annotation is type(None):
        return lambda value: value is None
    if annotation is float:
        return lambda value: isinstance(value, int | float) and not isinstance(value, bool)
    if annotation is int:
        return lambda value: isinstance(value, int) and not isinstance(value, bool)
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        hints = typing.get_type_hints(annotation)
        fields = [(f.name, _check_for(hints[f.name])) for f in dataclasses.fields(annotation)]
        return lambda value: isinstance(value, annotation) and all(
            check(getattr(value, name)) for name, check in fields)
    if isinstance(annotation, type):
        return lambda value: isinstance(value, annotation)
    return lambda value: True  # an annotation this checker does not know: not its business
