"""Find the JSON Schema and the templates, installed or in a source checkout.

A wheel carries them inside the package (``wsgen/schemas``, ``wsgen/templates``); in a
source checkout or an editable install they are the top-level folders of the repository.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    for candidate in (PACKAGE / name, PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"wsgen is installed without its {name!r} folder")


def schema_path() -> Path:
    return resource_dir("schemas") / "wsgen.schema.json"


@cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_path().read_text(encoding="utf-8"))
    return loaded
