"""The type names a spec gives parameters: ``str``, ``int``, ``float``, ``bool``, ``uuid``, and
``list[...]`` of each (the schema allows exactly these). Parsed here, once."""

from __future__ import annotations


def split(type_name: str) -> tuple[str, bool]:
    """``"list[int]"`` -> ``("int", True)``; ``"int"`` -> ``("int", False)``."""
    if type_name.startswith("list[") and type_name.endswith("]"):
        return type_name[5:-1], True
    return type_name, False
