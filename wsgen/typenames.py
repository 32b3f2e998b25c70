"""The type names a spec gives parameters: ``str``, ``int``, ``float``, ``bool``, ``uuid``, and
``list[...]`` of each (the schema allows exactly these), or for a dependency the class it
returns, as ``module.path:Class``. Parsed here, once."""

from __future__ import annotations

# FastAPI's validation options of a parameter, in the order the generated code passes them.
CONSTRAINT_KEYS = ("ge", "gt", "le", "lt", "min_length", "max_length", "pattern")


def is_class(type_name: object) -> bool:
    """Whether a type is a class reference (``module.path:Class``), not a built-in type."""
    return isinstance(type_name, str) and ":" in type_name


def split(type_name: str) -> tuple[str, bool]:
    """``"list[int]"`` -> ``("int", True)``; ``"int"`` -> ``("int", False)``."""
    if type_name.startswith("list[") and type_name.endswith("]"):
        return type_name[5:-1], True
    return type_name, False


# How each type is spelled in generated code (render.py; messages add datetime).
PYTHON = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "uuid": "uuid.UUID",
    "any": "Any",
}
