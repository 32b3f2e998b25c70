"""JSON-like data as YAML text in one fixed style: block mappings and lists indented by two
spaces, keys in the order given, every scalar through ``literals.yaml_scalar``.

The same data always gives the same bytes, so a written document can be compared with a
fresh one byte for byte. Only what JSON holds is accepted (dicts with string keys, lists,
strings, numbers, booleans, null): the document is a JSON Schema instance as well.
"""

from __future__ import annotations

from typing import Any

from .literals import yaml_scalar, yaml_string


def dump(data: dict[str, Any]) -> str:
    """``data`` as a YAML document, ending with a line break."""
    lines: list[str] = []
    _mapping(data, "", lines)
    return "".join(f"{line}\n" for line in lines)


def _mapping(data: dict[str, Any], indent: str, lines: list[str]) -> None:
    deeper = indent + "  "
    for key, value in data.items():
        lead = f"{indent}{yaml_string(key)}:"
        if isinstance(value, dict) and value:
            lines.append(lead)
            _mapping(value, deeper, lines)
        elif isinstance(value, list) and value:
            lines.append(lead)
            _sequence(value, deeper, lines)
        else:
            lines.append(f"{lead} {_flat(value)}")


def _sequence(data: list[Any], indent: str, lines: list[str]) -> None:
    """Each item after ``- ``; a nested item's first line shares the dash's line."""
    deeper = indent + "  "
    for value in data:
        if isinstance(value, dict) and value:
            start = len(lines)
            _mapping(value, deeper, lines)
        elif isinstance(value, list) and value:
            start = len(lines)
            _sequence(value, deeper, lines)
        else:
            lines.append(f"{indent}- {_flat(value)}")
            continue
        lines[start] = f"{indent}- {lines[start][len(deeper) :]}"


def _flat(value: Any) -> str:
    """An empty collection or a scalar, on its key's or dash's line."""
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return yaml_scalar(value)
