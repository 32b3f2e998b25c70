"""The official AsyncAPI 3.0.0 JSON Schema, from the npm package that publishes it.

No Python package ships it, and it is not copied into this repository: the first test
that needs it runs ``npm install @asyncapi/specs@6`` into a cache outside the checkout
(``WSGEN_TEST_CACHE``, else ``~/.cache/wsgen-tests``) and every later run reads it from
there. Without npm or the registry the tests that need it fail: a document nobody
validated is not a passing test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

PACKAGE = "@asyncapi/specs@6"
SCHEMA = Path("node_modules/@asyncapi/specs/schemas/3.0.0.json")


def cache() -> Path:
    configured = os.environ.get("WSGEN_TEST_CACHE")
    base = Path(configured) if configured else Path.home() / ".cache" / "wsgen-tests"
    return base / "asyncapi-specs-6"


def schema_file() -> Path:
    """The schema's path in the cache, installing the package first when it is missing.
    Two workers may race: each installs into a folder of its own, the first rename wins.
    """
    folder = cache()
    if (folder / SCHEMA).is_file():
        return folder / SCHEMA
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            "npm is not installed: the AsyncAPI schema comes from the npm package "
            f"{PACKAGE} (sh tests/system-packages.sh installs npm)"
        )
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".asyncapi-specs-", dir=folder.parent))
    try:
        subprocess.run(
            [
                npm,
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(staging),
                PACKAGE,
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
        try:
            os.replace(staging, folder)
        except OSError:  # another worker's install is there already
            pass
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder / SCHEMA


def load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(schema_file().read_text(encoding="utf-8"))
    return data
