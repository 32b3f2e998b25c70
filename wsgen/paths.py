"""WebSocket path syntax, as Starlette reads it."""

from __future__ import annotations

import re

# Starlette's own pattern for path parameters, and the convertors it knows.
PATH_PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::([a-zA-Z_][a-zA-Z0-9_]*))?}")
CONVERTOR_TYPES = {
    "str": "str",
    "path": "str",
    "int": "int",
    "float": "float",
    "uuid": "uuid",
}


def path_params(path: str) -> list[tuple[str, str | None]]:
    """``/a/{id:int}/{name}`` -> ``[("id", "int"), ("name", None)]``."""
    return [(m.group(1), m.group(2)) for m in PATH_PARAM.finditer(path)]


def implied_type(convertor: str | None) -> str:
    """The type a path parameter has when the spec does not declare one: its convertor's."""
    return CONVERTOR_TYPES.get(convertor or "str", "str")
