"""``deprecated: true`` on routes, parameters, messages and fields: said in the generated
docstrings (the code keeps serving them), refused when it is not a boolean."""

from __future__ import annotations

import ast
from pathlib import Path

from _apps import run_wsgen

SPEC = """\
version: 1
output: out
messages:
  hello:
    deprecated: true
    fields:
      text: {type: str, deprecated: true}
      n: {type: int}
  plain:
    description: Not going away.
routers:
  chat:
    websockets:
      - path: /room
        handler: app.h:room
        description: The room.
        deprecated: true
        params:
          q: {in: query, required: false, deprecated: true}
          r: {in: query, required: false}
        receive: [hello, plain]
"""


def _docs(path: Path) -> dict[str, str | None]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name: ast.get_docstring(node)
        for node in ast.walk(tree)
        if isinstance(node, (ast.AsyncFunctionDef, ast.ClassDef))
    }


def test_deprecated_things_are_named_in_docstrings(tmp_path: Path) -> None:
    (tmp_path / "wsgen.yaml").write_text(SPEC, encoding="utf-8")
    done = run_wsgen("generate", "wsgen.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    note = "Deprecated: kept for clients already deployed, to be removed."
    routes = _docs(tmp_path / "out" / "chat.py")
    assert routes["room"] == f"The room.\n\n{note}\n\nDeprecated parameters: q."
    models = _docs(tmp_path / "out" / "messages.py")
    assert models["Hello"] == f"{note}\n\nDeprecated fields: text."
    assert models["Plain"] == "Not going away."


def test_deprecated_must_be_a_boolean(tmp_path: Path) -> None:
    (tmp_path / "wsgen.yaml").write_text(
        SPEC.replace("        deprecated: true\n", "        deprecated: yes please\n"),
        encoding="utf-8",
    )
    done = run_wsgen("validate", "wsgen.yaml", cwd=tmp_path)
    assert done.returncode == 1
    assert "wsgen.yaml:17:21: routers.chat.websockets[0].deprecated:" in done.stderr
