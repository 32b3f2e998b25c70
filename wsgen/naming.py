"""Python names: what a spec may use, and how generated modules pick unique local names."""

from __future__ import annotations

import difflib
import keyword
import re
import unicodedata
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
        "Literal",
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


def reserved(name: str) -> str | None:
    """Why Python refuses ``name`` as a name it binds (a parameter, a function, an import
    target), or None: a keyword, or ``__debug__``, which ``ast.parse`` accepts but the
    compiler refuses ("cannot assign to __debug__")."""
    if keyword.iskeyword(name):
        return "is a Python keyword"
    if name == "__debug__":
        return "is reserved by Python (a constant no code may assign)"
    return None


def unreserved(name: str) -> str:
    """A usable name for a hint, close to the reserved ``name``: 'class' -> 'class_'."""
    return "debug" if name == "__debug__" else f"{name}_"


def suggest_identifier(text: str) -> str:
    """A close name the schema's ``identifier`` accepts (ASCII letters, digits and '_', not
    starting with a digit), for a hint: 'x-token' -> 'x_token', '1st' -> '_1st',
    full-width 'ｃｈａｔ' -> 'chat', 'café' -> 'cafe'."""
    # NFKC folds compatibility forms (full-width letters, ligatures) into ASCII; NFKD then
    # splits an accented letter into its base letter and marks, and the marks are dropped.
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    base = "".join(c for c in folded if not unicodedata.combining(c))
    name = re.sub(r"[^A-Za-z0-9_]", "_", base) or "_"
    if name[0].isdigit():
        name = "_" + name
    if reserved(name):
        name = unreserved(name)
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
