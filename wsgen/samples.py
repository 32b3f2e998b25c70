"""One example payload per message: JSON data that the generated pydantic model accepts.

Pure: a message in, a value out, the same every time. Each field gets its default when it
has one, else the first of its ``enum``, else a value of its type inside its bounds and
lengths; a ``pattern`` gets the shortest text the expression matches (read with Python's
own regular-expression parser). A field no value can be made for is left out when it is
optional; when it is required, the message has no example (``None``).
"""

from __future__ import annotations

import importlib
import math
import re
import sys
import uuid
from typing import Any

from .model import Message, MessageField, Scalar

# Python's own regular-expression parser; Python 3.11 moved it (the same module).
sre_parse: Any = importlib.import_module(
    "re._parser" if sys.version_info >= (3, 11) else "sre_parse"
)

_FIXED = {
    "bool": True,
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "datetime": "2026-01-01T12:00:00Z",
    "any": {},
}
_MISSING = object()


def sample(message: Message) -> dict[str, Any] | None:
    """``{"type": <name>, field: value, ...}``, or None when a required field has none."""
    payload: dict[str, Any] = {"type": message.name}
    for field in message.fields:
        value = _field(field)
        if value is _MISSING:
            if field.required:
                return None
            continue
        payload[field.name] = value
    return payload


def _field(field: MessageField) -> Any:
    if not field.required and field.default is not None:
        return _json(field.default)
    constraints = dict(field.constraints)
    if not field.is_list:
        return _item(field, constraints)
    lengths = {
        k: constraints.pop(k) for k in ("min_length", "max_length") if k in constraints
    }
    count = int(lengths.get("min_length", 1))
    if "max_length" in lengths:
        count = min(count, int(lengths["max_length"]))
    item = _item(field, constraints)
    if item is _MISSING:
        return [] if not lengths.get("min_length") else _MISSING
    return [item] * count


def _json(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_json(item) for item in value]
    return str(value) if isinstance(value, uuid.UUID) else value


def _item(field: MessageField, constraints: dict[str, Scalar]) -> Any:
    if field.choices:
        return field.choices[0]
    if field.item_type in ("int", "float"):
        return _number(field.item_type == "int", constraints)
    if field.item_type == "str":
        return _text(field.name, constraints)
    return _FIXED[field.item_type]


def _number(whole: bool, constraints: dict[str, Scalar]) -> Any:
    """A number inside the bounds: the lower one when there is one (stepped inside when
    it is strict), else the upper one, else 1; both bounds: the middle for floats."""
    bounds = {
        key: float(value)
        for key, value in constraints.items()
        if isinstance(value, (int, float))
    }
    low = bounds.get("ge", bounds.get("gt"))
    high = bounds.get("le", bounds.get("lt"))
    step = 1 if whole else 0.5
    if low is not None and high is not None and not whole:
        return (float(low) + float(high)) / 2
    if low is not None:
        value = float(low) + (step if "gt" in bounds else 0)
    elif high is not None:
        value = float(high) - (step if "lt" in bounds else 0)
    else:
        value = 1.0
    if whole:
        value = math.floor(value) if low is None else math.ceil(value)
        if "gt" in bounds and value <= float(bounds["gt"]):
            value += 1
        return int(value)
    return value


def _text(name: str, constraints: dict[str, Scalar]) -> Any:
    low = int(constraints.get("min_length", 0))
    high = constraints.get("max_length")
    pattern = constraints.get("pattern")
    if pattern is None:
        text = name[: int(high)] if high is not None else name
        return text + "x" * (low - len(text))
    for text in _matches(str(pattern)):
        if len(text) >= low and (high is None or len(text) <= int(high)):
            return text
    return _MISSING


def _matches(pattern: str) -> list[str]:
    """Texts that ``pattern`` finds, each repeat taken 0, 1, 2, ... times (within its
    bounds): the shortest first. Empty when the parser cannot spell one out."""
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError):
        return []
    found = []
    for times in (0, 1, 2, 3, 4, 8, 16, 32, 64, 128, 256):
        try:
            text = _spell(parsed, times)
        except _CannotSpell:
            return []
        if re.search(pattern, text) and text not in found:
            found.append(text)
    return found


class _CannotSpell(Exception):
    pass


def _spell(items: Any, times: int) -> str:
    return "".join(_spell_one(op, arg, times) for op, arg in items)


def _spell_one(op: Any, arg: Any, times: int) -> str:
    name = str(op)
    if name == "LITERAL":
        return chr(arg)
    if name == "NOT_LITERAL":
        return "a" if arg != ord("a") else "b"
    if name == "ANY":
        return "a"
    if name == "IN":
        return _member(arg)
    if name in ("AT", "ASSERT", "ASSERT_NOT"):
        return ""  # anchors match no text; look-around the rules refused already
    if name == "SUBPATTERN":
        return _spell(arg[-1], times)
    if name == "BRANCH":
        return _spell(arg[1][0], times)
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, high, body = arg
        count = max(low, min(high, times))
        return str(_spell(body, times) * count)
    if name == "CATEGORY":
        return _category(str(arg))
    raise _CannotSpell(name)


def _member(items: Any) -> str:
    """A character of a ``[...]`` class: the first it lists (a negated class: a letter it
    does not list)."""
    if items and str(items[0][0]) == "NEGATE":
        banned = {chr(arg) for op, arg in items[1:] if str(op) == "LITERAL"}
        for candidate in "azAZ09_-":
            if candidate not in banned and re.fullmatch(
                sre_parse_pattern(items), candidate
            ):
                return candidate
        raise _CannotSpell("NEGATE")
    op, arg = items[0]
    name = str(op)
    if name == "LITERAL":
        return chr(arg)
    if name == "RANGE":
        return chr(arg[0])
    if name == "CATEGORY":
        return _category(str(arg))
    raise _CannotSpell(name)


def sre_parse_pattern(items: Any) -> str:
    """A negated class written back as a pattern, to test candidates against."""
    parts = []
    for op, arg in items[1:]:
        name = str(op)
        if name == "LITERAL":
            parts.append(re.escape(chr(arg)))
        elif name == "RANGE":
            parts.append(f"{re.escape(chr(arg[0]))}-{re.escape(chr(arg[1]))}")
        elif name == "CATEGORY":
            parts.append(_CATEGORY_CLASS.get(str(arg), ""))
    return f"[^{''.join(parts)}]" if parts else "."


_CATEGORIES = {
    "CATEGORY_DIGIT": "0",
    "CATEGORY_NOT_DIGIT": "a",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": "a",
    "CATEGORY_WORD": "a",
    "CATEGORY_NOT_WORD": "-",
}
_CATEGORY_CLASS = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}


def _category(name: str) -> str:
    if name not in _CATEGORIES:
        raise _CannotSpell(name)
    return _CATEGORIES[name]
