"""Diagnostics formats: text for people, json for tools, github for Actions annotations.

The json output is checked against ``schemas/diagnostics.schema.json``, the schema that
ships with wsgen, and must say exactly what the text output says.
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from _apps import REPO, run_wsgen

CASES = Path(__file__).resolve().parent / "cases"
MANY = CASES / "error_many_problems_in_line_order" / "spec.yaml"  # errors and a warning
WARNING = CASES / "warning_starlette_unguarded" / "spec.yaml"
VALID = "version: 1\nrouters:\n  chat:\n    websockets:\n      - path: /ws\n        handler: h:ws\n"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads((REPO / "schemas" / "diagnostics.schema.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def as_text(problem: dict[str, Any]) -> str:
    """The text format's line for one json object, built from the json fields only."""
    message = problem["message"]
    if problem["hint"]:
        message += "; " + problem["hint"]
    if problem["severity"] == "warning":
        message = "warning: " + message
    where = problem["path"] or "<root>"
    return (
        f"{problem['file']}:{problem['line']}:{problem['column']}: {where}: {message}"
    )


def copy(source: Path, folder: Path, name: str = "spec.yaml") -> str:
    (folder / name).write_bytes(source.read_bytes())
    return name


def test_json_lists_every_problem_as_the_text_format_does(
    tmp_path: Path, validator: jsonschema.protocols.Validator
) -> None:
    name = copy(MANY, tmp_path)
    as_json = run_wsgen("validate", name, "--format", "json", cwd=tmp_path)
    text = run_wsgen("validate", name, cwd=tmp_path)
    assert as_json.returncode == text.returncode == 1

    problems = json.loads(as_json.stdout)
    validator.validate(problems)
    assert len(problems) == 19
    assert sum(p["severity"] == "warning" for p in problems) == 1
    assert {p["file"] for p in problems} == {"spec.yaml"}
    assert "routers.chat.dependencies[0]" in {p["path"] for p in problems}
    assert "unknown-dependency" in {p["rule"] for p in problems}

    # Same problems, same order, same fields as the text lines.
    text_lines = text.stderr.splitlines()
    assert text_lines[-1] == "18 errors found"
    assert [as_text(p) for p in problems] == text_lines[:-1]
    assert "\x1b" not in text.stderr  # not a terminal: no colour
    assert text.stdout == ""


def test_json_for_a_valid_spec_with_a_warning(
    tmp_path: Path, validator: jsonschema.protocols.Validator
) -> None:
    name = copy(WARNING, tmp_path)
    result = run_wsgen("generate", name, "-o", "out", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    entries = json.loads(result.stdout)  # results go to stderr, stdout is only JSON
    validator.validate(entries)
    problems = [e for e in entries if e["severity"] != "info"]
    assert [(p["severity"], p["line"], p["column"]) for p in problems] == [
        ("warning", 15, 15)
    ]
    written = [
        (e["rule"], e["change"], e["file"]) for e in entries if e not in problems
    ]
    assert written == [
        ("written", "missing", f"out/{name}")
        for name in ("__init__.py", "app.py", "raw.py")
    ]
    assert problems[0]["path"] == "routers.raw.websockets[0].kind"
    expected = (WARNING.parent / "expected_stderr.txt").read_text().splitlines()
    assert [as_text(p) for p in problems] == expected
    assert (tmp_path / "out" / "raw.py").is_file()


def test_json_for_a_valid_spec_is_an_empty_list(
    tmp_path: Path, validator: jsonschema.protocols.Validator
) -> None:
    (tmp_path / "spec.yaml").write_text(VALID)
    result = run_wsgen("validate", "spec.yaml", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    validator.validate([])


def test_json_on_generate_with_an_invalid_spec(
    tmp_path: Path, validator: jsonschema.protocols.Validator
) -> None:
    (tmp_path / "spec.yaml").write_text(VALID.replace("/ws", "ws"))
    result = run_wsgen(
        "generate", "spec.yaml", "-o", "out", "--format", "json", cwd=tmp_path
    )
    assert result.returncode == 1
    problems = json.loads(result.stdout)
    validator.validate(problems)
    assert [(p["line"], p["column"], p["path"]) for p in problems] == [
        (5, 15, "routers.chat.websockets[0].path")
    ]
    assert not (tmp_path / "out").exists()


GITHUB = re.compile(
    r"^::(error|warning) file=([^,:]*),line=(\d+),col=(\d+),title=([^,:]*)::(.*)$"
)


def test_github_annotations_one_per_problem(tmp_path: Path) -> None:
    name = copy(MANY, tmp_path)
    result = run_wsgen("validate", name, "--format", "github", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    matches = [GITHUB.match(line) for line in lines]
    assert all(matches), lines
    assert [m.group(1) for m in matches if m].count("error") == 18
    assert [m.group(1) for m in matches if m].count("warning") == 1
    first = matches[0]
    assert first is not None
    assert first.groups()[:4] == ("error", "spec.yaml", "5", "3")
    assert re.fullmatch(r"wsgen [a-z0-9-]+", first.group(5))
    assert first.group(6).startswith(
        "dependencies.bad-name: 'bad-name' is not a valid Python identifier"
    )


def test_github_escapes_percent_newline_colon_and_comma(tmp_path: Path) -> None:
    name = "we,ird:name.yaml"
    (tmp_path / name).write_text(
        'version: 1\n"x\\ny": 1\nrouters:\n  chat:\n    prefix: "/50%/"\n'
        "    websockets:\n      - path: /ws\n        handler: h:ws\n"
    )
    result = run_wsgen("validate", name, "--format", "github", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        (
            "::error file=we%2Cird%3Aname.yaml,line=2,col=1,title=wsgen unknown-key::"
            "x\\ny: unknown key 'x\\ny'; allowed keys: app, asyncapi, broadcast, "
            "close_codes, dependencies, messages, output, routers, version"
        ),
        (
            "::error file=we%2Cird%3Aname.yaml,line=5,col=13,title=wsgen prefix::"
            "routers.chat.prefix: '/50%25/' must not end with '/' (FastAPI asserts this "
            "when the router is created); use '/50%25'"
        ),
    ]


def _stderr_on_a_terminal(folder: Path, *args: str, **env: str) -> str:
    """Run wsgen with stderr on a pseudo-terminal; what the terminal received."""
    master, slave = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    environment.update(PYTHONPATH=str(REPO), **env)
    process = subprocess.Popen(
        [sys.executable, "-m", "wsgen", *args],
        cwd=folder,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=slave,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert process.wait() == 1
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_colour_on_a_terminal_and_never_with_no_color(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(VALID.replace("/ws", "ws"))
    plain_line = run_wsgen("validate", "spec.yaml", cwd=tmp_path).stderr.splitlines()[0]
    assert "\x1b" not in plain_line

    coloured = _stderr_on_a_terminal(tmp_path, "validate", "spec.yaml")
    first = coloured.splitlines()[0]
    assert ANSI.search(first), repr(first)
    assert ANSI.sub("", first) == plain_line

    no_color = _stderr_on_a_terminal(tmp_path, "validate", "spec.yaml", NO_COLOR="1")
    assert "\x1b" not in no_color
    assert no_color.splitlines()[0] == plain_line


@pytest.mark.parametrize("command", ["validate", "generate"])
def test_unknown_format_is_a_usage_error(command: str, tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(VALID)
    output = ["-o", "out"] if command == "generate" else []
    result = run_wsgen(command, "spec.yaml", *output, "--format", "xml", cwd=tmp_path)
    assert result.returncode == 2
    assert "--format must be one of: text, json, github" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_github_check_annotates_each_stale_file(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(VALID.replace("chat:", "chat:\n    prefix: /a"))
    assert run_wsgen("generate", "spec.yaml", "-o", "out", cwd=tmp_path).returncode == 0
    (tmp_path / "spec.yaml").write_text(VALID)
    (tmp_path / "out" / "__init__.py").unlink()
    result = run_wsgen(
        "generate",
        "spec.yaml",
        "-o",
        "out",
        "--check",
        "--format",
        "github",
        cwd=tmp_path,
    )
    assert result.returncode == 1
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    message = "out of date with its spec; run `wsgen generate` to update it"
    assert annotations == [
        f"::error file=out/__init__.py,title=wsgen stale::missing: {message}",
        f"::error file=out/chat.py,title=wsgen stale::changed: {message}",
    ]


RAW = re.compile("[\x1b\x9b\u202e\u2028]")


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_no_format_prints_a_terminal_escape_or_bidi_override_from_the_spec(
    fmt: str, tmp_path: Path
) -> None:
    """A value can hold ESC (erase the line, print a fake 'valid'), a C1 CSI, a line
    separator or U+202E (text shown right to left): every format shows them as escapes,
    in diagnostics, in results and in paths."""
    evil = "\\e[2K\\e[1Gwsgen.yaml: valid\\x9b\\u202e\\u2028"  # YAML escapes
    (tmp_path / "bad.yaml").write_text(VALID.replace("/ws", f'"{evil}ws"'))
    (tmp_path / "good.yaml").write_text(f'output: "out{evil}"\n' + VALID)
    for args in (["validate", "bad.yaml"], ["generate", "good.yaml"]):
        result = run_wsgen(*args, "--format", fmt, cwd=tmp_path)
        assert result.returncode in (0, 1), result.stderr
        for stream in (result.stdout, result.stderr):
            assert not RAW.search(stream), repr(stream)
        shown = result.stdout + result.stderr
        assert "\\x1b[2K" in shown or "\\u001b[2K" in shown or "\\\\x1b[2K" in shown
    written = [p.name for p in tmp_path.iterdir() if p.name.startswith("out")]
    assert written == ["out\x1b[2K\x1b[1Gwsgen.yaml: valid\x9b\u202e\u2028"]


@pytest.mark.parametrize("root_from", ["git", "GITHUB_WORKSPACE"])
def test_github_names_files_from_the_repository_root(
    root_from: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GitHub matches annotations to a pull request's lines by the path from the root of
    the repository, whatever folder wsgen was run in."""
    repo = tmp_path / "repo"
    folder = repo / "api" / "specs"
    folder.mkdir(parents=True)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    if root_from == "git":
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
    else:
        monkeypatch.setenv("GITHUB_WORKSPACE", str(repo))
    (folder / "spec.yaml").write_text(VALID.replace("/ws", "ws"))
    result = run_wsgen("validate", "spec.yaml", "--format", "github", cwd=folder)
    assert result.returncode == 1
    assert result.stdout.startswith("::error file=api/specs/spec.yaml,line=5,col=15,")

    (folder / "spec.yaml").write_text("output: out\n" + VALID)
    assert run_wsgen("generate", "spec.yaml", cwd=folder).returncode == 0
    (folder / "spec.yaml").write_text("output: out\n" + VALID.replace("/ws", "/w"))
    result = run_wsgen(
        "generate", "spec.yaml", "--check", "--format", "github", cwd=folder
    )
    assert result.returncode == 1
    assert "::error file=api/specs/out/chat.py,title=wsgen stale::" in result.stdout
