"""``--format json``: stdout is exactly one JSON document for every command and flag.

Each combination runs on the same kinds of trees (fresh, up to date, stale with a missing,
a changed and an extra file) and on an invalid spec; the document must parse, validate
against ``schemas/diagnostics.schema.json``, and say what the text format says: the same
problems, the same files, the same diff.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from _apps import REPO, run_wsgen

SPEC = """\
version: 1
output: out
dependencies:
  auth: deps:auth
app:
  dependencies: [auth]  # FastAPI does not apply it to the starlette route: a warning
  include:
    - router: chat
    - router: raw
routers:
  chat:
    prefix: /chat
    websockets:
      - path: /room/{room_id:int}
        handler: h:room
  raw:
    websockets:
      - path: /raw
        kind: starlette
        handler: h:raw
"""
# Stale against SPEC: app.py changed, chat.py missing, old.py generated before and gone now.
STALE_SPEC = SPEC.replace("    - router: raw\n", "").replace("/chat\n", "/talk\n")
MODES = {
    "write": [],
    "check": ["--check"],
    "diff": ["--diff"],
    "dry-run": ["--dry-run"],
}


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads((REPO / "schemas" / "diagnostics.schema.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@pytest.fixture(scope="module")
def stale_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder whose tree is stale against SPEC in all three ways."""
    root = tmp_path_factory.mktemp("stale")
    (root / "wsgen.yaml").write_text(
        STALE_SPEC.replace(
            "  raw:\n",
            "  old:\n    websockets:\n      - path: /o\n"
            "        handler: h:o\n  raw:\n",
        ),
        encoding="utf-8",
    )
    assert run_wsgen("generate", "wsgen.yaml", cwd=root).returncode == 0
    (root / "out" / "chat.py").unlink()
    (root / "wsgen.yaml").write_text(SPEC, encoding="utf-8")
    return root


def document(
    result: Any, validator: jsonschema.protocols.Validator
) -> list[dict[str, Any]]:
    entries = json.loads(result.stdout)  # the whole of stdout, or this raises
    validator.validate(entries)
    return entries


def files(entries: list[dict[str, Any]]) -> dict[str, tuple[str, str, str]]:
    return {
        e["file"]: (e["rule"], e["change"], e["severity"])
        for e in entries
        if "change" in e
    }


@pytest.mark.parametrize("mode", list(MODES))
def test_a_stale_tree_lists_every_file_that_differs(
    mode: str,
    stale_tree: Path,
    tmp_path: Path,
    validator: jsonschema.protocols.Validator,
) -> None:
    root = tmp_path / "project"
    shutil.copytree(stale_tree, root)
    text = run_wsgen("generate", "wsgen.yaml", *MODES[mode], cwd=root)
    shutil.rmtree(root)
    shutil.copytree(stale_tree, root)
    result = run_wsgen(
        "generate", "wsgen.yaml", *MODES[mode], "--format", "json", cwd=root
    )
    assert result.returncode == text.returncode == (1 if mode == "check" else 0)
    entries = document(result, validator)
    rule, severity = {
        "write": ("written", "info"),
        "check": ("stale", "error"),
        "diff": ("stale", "info"),
        "dry-run": ("stale", "info"),
    }[mode]
    expected = {
        "out/app.py": (rule, "changed", severity),
        "out/chat.py": (rule, "missing", severity),
        "out/old.py": ("removed" if mode == "write" else rule, "extra", severity),
    }
    # The starlette route's warning comes first, as in the text format.
    assert [e["rule"] for e in entries if "change" not in e] == ["starlette-unguarded"]
    assert files(entries) == expected
    diffs = [e["diff"] for e in entries if "diff" in e]
    if mode in ("check", "diff"):
        assert "".join(diffs) == text.stdout  # the text format's diff, file by file
        assert '+router = APIRouter(prefix="/chat")' in "".join(diffs)
    else:
        assert diffs == []
    # What the text format prints for people is on stderr.
    for line in text.stdout.splitlines() if mode in ("write", "dry-run") else []:
        assert line in result.stderr.splitlines()


@pytest.mark.parametrize("mode", list(MODES))
def test_an_up_to_date_tree_is_an_empty_list_but_for_warnings(
    mode: str,
    stale_tree: Path,
    tmp_path: Path,
    validator: jsonschema.protocols.Validator,
) -> None:
    root = tmp_path / "project"
    shutil.copytree(stale_tree, root)
    assert run_wsgen("generate", "wsgen.yaml", cwd=root).returncode == 0
    result = run_wsgen(
        "generate", "wsgen.yaml", *MODES[mode], "--format", "json", cwd=root
    )
    assert result.returncode == 0, result.stderr
    entries = document(result, validator)
    assert [(e["rule"], e["severity"]) for e in entries] == [
        ("starlette-unguarded", "warning")
    ]


@pytest.mark.parametrize("mode", [*MODES, "validate"])
def test_an_invalid_spec_lists_its_problems_and_no_file(
    mode: str, tmp_path: Path, validator: jsonschema.protocols.Validator
) -> None:
    (tmp_path / "wsgen.yaml").write_text(SPEC.replace("/chat", "/chat/"))
    args = ["validate"] if mode == "validate" else ["generate", *MODES[mode]]
    result = run_wsgen(*args, "wsgen.yaml", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1
    entries = document(result, validator)
    assert [(e["rule"], e["line"], e["severity"]) for e in entries] == [
        ("prefix", 12, "error"),
        ("starlette-unguarded", 19, "warning"),
    ]
    assert files(entries) == {}
    assert not (tmp_path / "out").exists()
    assert "1 error found" in result.stderr


def test_validate_of_a_valid_spec_lists_its_warnings(
    tmp_path: Path, validator: jsonschema.protocols.Validator
) -> None:
    (tmp_path / "wsgen.yaml").write_text(SPEC)
    result = run_wsgen("validate", "wsgen.yaml", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0
    assert [e["rule"] for e in document(result, validator)] == ["starlette-unguarded"]
    assert "wsgen.yaml: valid" in result.stderr


@pytest.mark.parametrize("mode", list(MODES))
def test_a_problem_that_stops_the_run_is_an_entry(
    mode: str, tmp_path: Path, validator: jsonschema.protocols.Validator
) -> None:
    (tmp_path / "wsgen.yaml").write_text(SPEC.replace("output: out\n", ""))
    result = run_wsgen(
        "generate", "wsgen.yaml", *MODES[mode], "--format", "json", cwd=tmp_path
    )
    assert result.returncode == 2
    entries = document(result, validator)
    usage = [e for e in entries if e["rule"] == "usage"]
    assert [(e["file"], e["severity"]) for e in usage] == [("wsgen.yaml", "error")]
    assert "has no 'output:'" in usage[0]["message"]
    assert "error: " in result.stderr


def test_a_foreign_file_stops_the_write_and_is_an_entry(
    tmp_path: Path, validator: jsonschema.protocols.Validator
) -> None:
    (tmp_path / "wsgen.yaml").write_text(SPEC)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "chat.py").write_text("# mine\n")
    result = run_wsgen("generate", "wsgen.yaml", "--format", "json", cwd=tmp_path)
    assert result.returncode == 2
    entries = document(result, validator)
    assert [e["rule"] for e in entries] == ["starlette-unguarded", "usage"]
    assert "out/chat.py: not written by wsgen" in entries[1]["message"]
    assert (tmp_path / "out" / "chat.py").read_text() == "# mine\n"


@pytest.mark.parametrize("command", ["validate", "generate"])
def test_a_bad_configuration_is_an_entry(
    command: str, tmp_path: Path, validator: jsonschema.protocols.Validator
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.wsgen]\nspec = "missing.yaml"\n')
    result = run_wsgen(command, "--format", "json", cwd=tmp_path)
    assert result.returncode == 2
    entries = document(result, validator)
    assert [(e["rule"], e["file"]) for e in entries] == [
        ("usage", str(tmp_path / "pyproject.toml"))
    ]


def test_a_bad_configuration_is_reported_in_the_configured_format(
    tmp_path: Path, validator: jsonschema.protocols.Validator
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.wsgen]\nspec = "missing.yaml"\nformat = "json"\n'
    )
    result = run_wsgen("validate", cwd=tmp_path)
    assert result.returncode == 2
    assert [e["rule"] for e in document(result, validator)] == ["usage"]
    assert "error found" not in result.stderr
