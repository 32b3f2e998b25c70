"""``wsgen schema`` and ``wsgen init``: what editors and new projects start from."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from _apps import REPO, run_wsgen

SCHEMA = REPO / "schemas" / "wsgen.schema.json"
SCHEMA_LINE = "# yaml-language-server: $schema="


def test_schema_prints_the_shipped_schema(tmp_path: Path) -> None:
    result = run_wsgen("schema", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert result.stdout == SCHEMA.read_text(encoding="utf-8")


def test_init_writes_a_starter_that_validates_and_generates(tmp_path: Path) -> None:
    result = run_wsgen("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    spec = tmp_path / "wsgen.yaml"
    text = spec.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first.startswith(SCHEMA_LINE)
    # The schema line points at the schema written beside the spec.
    beside = tmp_path / first[len(SCHEMA_LINE) :].strip()
    assert beside == tmp_path / "wsgen.schema.json"
    assert json.loads(beside.read_text()) == json.loads(SCHEMA.read_text())
    assert "#" in "".join(text.splitlines()[1:])  # commented for a first-time reader
    jsonschema.validate(yaml.safe_load(text), json.loads(beside.read_text()))

    validate = run_wsgen("validate", "wsgen.yaml", cwd=tmp_path)
    assert validate.returncode == 0, validate.stderr
    assert validate.stderr == ""  # not even a warning

    generate = run_wsgen("generate", "wsgen.yaml", cwd=tmp_path)
    assert generate.returncode == 0, generate.stderr
    modules = sorted((tmp_path / "app" / "routes").glob("*.py"))
    assert [m.name for m in modules] == ["__init__.py", "app.py", "chat.py"]
    for module in modules:
        ast.parse(module.read_text(encoding="utf-8"), str(module))


def test_init_at_a_given_path(tmp_path: Path) -> None:
    result = run_wsgen("init", "config/api.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    spec = tmp_path / "config" / "api.yaml"
    assert spec.read_text().startswith(SCHEMA_LINE)
    assert (tmp_path / "config" / "wsgen.schema.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config"]
    assert "config/api.yaml" in result.stdout


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    spec = tmp_path / "wsgen.yaml"
    spec.write_text("version: 1  # mine\n")
    result = run_wsgen("init", cwd=tmp_path)
    assert result.returncode == 2
    assert "wsgen.yaml" in result.stderr and "already exists" in result.stderr
    assert "Traceback" not in result.stderr
    assert spec.read_text() == "version: 1  # mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wsgen.yaml"]


def test_init_keeps_an_existing_schema_file(tmp_path: Path) -> None:
    mine = tmp_path / "wsgen.schema.json"
    mine.write_text("{}\n")
    result = run_wsgen("init", "api.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "api.yaml").is_file()
    assert mine.read_text() == "{}\n"


@pytest.mark.parametrize("link", ["wsgen.yaml", "wsgen.schema.json"])
def test_init_never_writes_through_a_link(link: str, tmp_path: Path) -> None:
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (project / link).symlink_to(outside / "target")  # dangling: nothing there yet
    result = run_wsgen("init", cwd=project)
    assert result.returncode == 2
    assert f"{link} is a symbolic link" in result.stderr
    assert list(outside.iterdir()) == []
    assert sorted(p.name for p in project.iterdir()) == [link]
