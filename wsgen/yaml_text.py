"""JSON-like data as YAML text in one fixed style: block mappings and lists indented by two
spaces, keys in the order given, every scalar through ``literals.yaml_scalar``.

The same data always gives the same bytes, so a written document can be compared with a
fresh one byte for byte. Only what JSON holds is accepted (mappings with string keys, lists,
strings, numbers, booleans, null): the document is a JSON Schema instance as well.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .literals import yaml_scalar, yaml_string


def dump(data: Mapping[str, Any]) -> str:
    """``data`` as a YAML document, ending with a line break."""
    return "".join(f"{line}\n" for line in _mapping(data, ""))


def _mapping(data: Mapping[str, Any], indent: str) -> Iterator[str]:
    for key, value in data.items():
        lead = f"{indent}{yaml_string(key)}:"
        if _nested(value):
            yield lead
            yield from _block(value, indent + "  ")
        else:
            yield f"{lead} {_flat(value)}"


def _sequence(data: Sequence[Any], indent: str) -> Iterator[str]:
    for value in data:
        if not _nested(value):
            yield f"{indent}- {_flat(value)}"
            continue
        lines = _block(value, indent + "  ")
        first = next(lines)
        yield f"{indent}- {first[len(indent) + 2 :]}"
        yield from lines


def _block(value: Any, indent: str) -> Iterator[str]:
    if isinstance(value, Mapping):
        return _mapping(value, indent)
    return _sequence(value, indent)


def _nested(value: Any) -> bool:
    """Whether ``value`` takes lines of its own: a non-empty mapping or list."""
    return isinstance(value, (Mapping, list, tuple)) and bool(value)


def _flat(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{}"
    if isinstance(value, (list, tuple)):
        return "[]"
    return yaml_scalar(value)
