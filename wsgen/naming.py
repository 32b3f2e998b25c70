"""Python names: what a spec may use, and how generated modules pick unique local names."""

from __future__ import annotations

import difflib
import keyword
import re
from collections.abc import Iterable
from typing import Any

# Names every generated module may bind at module level or use in annotations. A dependency
# (imported under its spec name) must not shadow them.
GENERATED_NAMES = frozenset(
    {
        "APIRouter",
        "Annotated",
        "Any",
        "Cookie",
        "Depends",
        "FastAPI",
        "Header",
        "Path",
        "Query",
        "WebSocket",
        "app",
        "router",
        "uuid",
    }
)
# Builtins the generated code uses in annotations and defaults.
USED_BUILTINS = frozenset({"bool", "float", "int", "list", "str", "None"})


def route_name(route: dict[str, Any]) -> str | None:
    """A route's name (``url_path_for``): its ``name``, else its handler's attribute; None
    while the route has neither in a usable form (the schema reports that)."""
    name = route.get("name")
    if isinstance(name, str):
        return name
    handler = route.get("handler")
    if isinstance(handler, str) and ":" in handler:
        return handler.rpartition(":")[2]
    return None


def did_you_mean(word: str, choices: Iterable[str], otherwise: str = "") -> str:
    """A hint naming the closest choice, or ``otherwise`` when none is close."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else otherwise


def suggest_identifier(text: str) -> str:
    """A close valid identifier for a hint: 'x-token' -> 'x_token', '1st' -> '_1st'."""
    name = re.sub(r"\W", "_", text) or "_"
    if name[0].isdigit():
        name = "_" + name
    if keyword.iskeyword(name):
        name += "_"
    return name


def shadows(name: str) -> str | None:
    """Why ``name`` may not be bound at module level in generated code, or None."""
    if name in GENERATED_NAMES:
        return f"'{name}' is a name the generated modules import or define"
    if name in USED_BUILTINS:
        return f"'{name}' would shadow the builtin the generated code uses"
    return None


class NameAllocator:
    """Hands out module-level names that are unique within one generated file."""

    def __init__(self, taken: frozenset[str] | set[str] = frozenset()) -> None:
        self._taken = set(taken) | GENERATED_NAMES | USED_BUILTINS

    def reserve(self, name: str) -> str:
        self._taken.add(name)
        return name

    def allocate(self, *candidates: str, avoid: frozenset[str] = frozenset()) -> str:
        """The first free candidate, else the last one numbered: ``x_handler_2``, ..."""
        for candidate in candidates:
            if candidate not in self._taken and candidate not in avoid:
                self._taken.add(candidate)
                return candidate
        last, n = candidates[-1], 2
        while f"{last}_{n}" in self._taken or f"{last}_{n}" in avoid:
            n += 1
        self._taken.add(f"{last}_{n}")
        return f"{last}_{n}"
