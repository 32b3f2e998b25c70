"""``wsgen validate --imports`` through the CLI, on real modules imported in a child
process: each kind of failure at its line and column in the spec, with its hint."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from _apps import EXAMPLES, run_wsgen, run_wsgen_process

SPEC = """\
version: 1
output: app/routes
dependencies:
  auth: app.deps:audt
  notcall: app.deps:VALUE
  loops: app.loops:f
  boom: app.boom:f
  dies: app.dies:f
  user: app.deps:get_user
routers:
  chat:
    dependencies: [auth, notcall, loops, boom, dies]
    websockets:
      - path: /a/{room_id}
        handler: app.handlers:sync_handler
      - path: /b/{room_id}
        handler: app.handlers:bad_sig
      - path: /c/{n}
        handler: app.handlers:typed
        params:
          n: {in: path, type: int}
          q: {in: query, type: str}
          u: {depends: user, type: "app.models:User"}
      - path: /d
        handler: app.handlers:good
        params:
          k: {in: query, type: "list[int]", required: false}
"""

MODULES = {
    "deps.py": 'print("hello from deps")\n\n\ndef audit(): ...\n\n\ndef get_user(): ...\n\n\nVALUE = 3\n',
    "loops.py": "while True:\n    pass\n",
    "boom.py": 'raise RuntimeError("no database")\n',
    "dies.py": "import os\n\nos._exit(7)\n",
    "handlers.py": textwrap.dedent("""\
        import sys

        print("handlers printed this")
        print("and this", file=sys.stderr)


        def sync_handler(websocket, room_id): ...


        async def bad_sig(websocket): ...


        async def typed(websocket, n: str, q: int, u): ...


        async def good(websocket, k: list[int] | None): ...
        """),
}


def project(tmp_path: Path, spec: str = SPEC) -> Path:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "0"\n')
    (tmp_path / "wsgen.yaml").write_text(spec)
    (tmp_path / "app").mkdir()
    for name, text in MODULES.items():
        (tmp_path / "app" / name).write_text(text)
    return tmp_path


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, str]:
    root = project(tmp_path_factory.mktemp("imports"))
    result = run_wsgen(
        "validate", "--imports", "--import-timeout", "1", "wsgen.yaml", cwd=root
    )
    return result.returncode, result.stdout, result.stderr


def line_at(stderr: str, where: str) -> str:
    [found] = [line for line in stderr.splitlines() if line.startswith(where)]
    return found


def test_fails_and_prints_nothing_of_the_modules(report: tuple[int, str, str]) -> None:
    code, stdout, stderr = report
    assert code == 1
    assert stdout == ""
    for printed in ("hello from deps", "handlers printed this", "and this"):
        assert printed not in stderr.replace("its last output: hello from deps", "")
    assert stderr.endswith("8 errors found\n")


def test_missing_attribute_with_did_you_mean(report: tuple[int, str, str]) -> None:
    assert line_at(report[2], "wsgen.yaml:4:9:") == (
        "wsgen.yaml:4:9: dependencies.auth: module 'app.deps' has no attribute 'audt'; "
        "did you mean 'audit'?"
    )


def test_dependency_not_callable(report: tuple[int, str, str]) -> None:
    assert "dependencies.notcall: 'app.deps:VALUE' is not callable (it is a int)" in (
        line_at(report[2], "wsgen.yaml:5:12:")
    )


def test_module_that_loops_forever_hits_the_time_limit(
    report: tuple[int, str, str],
) -> None:
    assert "dependencies.loops: importing 'app.loops' did not finish within 1 s" in (
        line_at(report[2], "wsgen.yaml:6:10:")
    )


def test_module_that_raises_shows_its_error(report: tuple[int, str, str]) -> None:
    line = line_at(report[2], "wsgen.yaml:7:9:")
    assert "cannot import 'app.boom': RuntimeError: no database" in line
    assert 'app/boom.py:1: raise RuntimeError("no database")' in line


def test_module_that_ends_the_process(report: tuple[int, str, str]) -> None:
    line = line_at(report[2], "wsgen.yaml:8:9:")
    assert "importing 'app.dies' ended the process (exit code 7)" in line


def test_handler_not_a_coroutine(report: tuple[int, str, str]) -> None:
    assert "handler 'app.handlers:sync_handler' is not a coroutine function" in (
        line_at(report[2], "wsgen.yaml:15:18:")
    )


def test_handler_signature(report: tuple[int, str, str]) -> None:
    line = line_at(report[2], "wsgen.yaml:17:18:")
    assert (
        "await bad_sig(websocket, room_id=room_id): got an unexpected keyword " in line
    )


def test_annotations_that_contradict_the_spec_are_warnings(
    report: tuple[int, str, str],
) -> None:
    n = line_at(report[2], "wsgen.yaml:21:14:")
    assert "params.n: warning: handler 'app.handlers:typed' annotates 'n' as str" in n
    q = line_at(report[2], "wsgen.yaml:22:14:")
    assert "annotates 'q' as int, but the spec makes it str" in q
    assert "'k'" not in report[2]  # list[int] | None accepts what the spec passes


def test_typed_dependency_whose_module_is_missing(report: tuple[int, str, str]) -> None:
    assert "params.u.type: cannot import 'app.models': ModuleNotFoundError" in (
        line_at(report[2], "wsgen.yaml:23:36:")
    )


def test_json_format(tmp_path: Path) -> None:
    root = project(tmp_path)
    result = run_wsgen(
        "validate", "--imports", "--import-timeout", "1", "--format", "json",
        "wsgen.yaml", cwd=root,
    )  # fmt: skip
    entries = json.loads(result.stdout)
    rules = sorted({e["rule"] for e in entries})
    assert rules == [
        "dependency-not-callable",
        "handler-annotation",
        "handler-not-coroutine",
        "handler-signature",
        "import-attribute",
        "import-module",
    ]


def test_config_key_makes_it_the_default(tmp_path: Path) -> None:
    root = project(tmp_path)
    plain = run_wsgen("validate", cwd=root)
    assert plain.returncode == 0, plain.stderr  # no imports: the spec itself is valid
    (root / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "0"\n\n[tool.wsgen]\nimports = true\n'
    )
    configured = run_wsgen("validate", "--import-timeout", "1", cwd=root)
    assert configured.returncode == 1
    assert "has no attribute 'audt'" in configured.stderr
    off = run_wsgen("validate", "--no-imports", cwd=root)
    assert off.returncode == 0, off.stderr


def test_bad_config_value(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "pyproject.toml").write_text("[tool.wsgen]\nimports = 'yes'\n")
    result = run_wsgen("validate", cwd=root)
    assert result.returncode == 2
    assert "'imports' must be true or false" in result.stderr


def test_without_imports_nothing_of_the_user_runs(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "app" / "deps.py").write_text("open('ran', 'w').close()\n")
    assert run_wsgen("validate", "wsgen.yaml", cwd=root).returncode == 0
    assert not (root / "ran").exists()


def test_every_example_passes(tmp_path: Path) -> None:
    specs = sorted(str(p) for p in EXAMPLES.glob("*/wsgen.yaml"))
    result = run_wsgen_process("validate", "--imports", *specs)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(": valid\n") == len(specs)


def test_typed_dependency_that_is_not_a_class(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "app" / "models.py").write_text("User = 3\n")
    result = run_wsgen("validate", "--imports", "--import-timeout", "1", cwd=root)
    assert (
        "wsgen.yaml:23:36: routers.chat.websockets[2].params.u.type: 'app.models:User' "
        "is not a class (it is a int); point at the class the dependency returns"
    ) in result.stderr


def test_a_child_per_hang_does_not_hide_later_modules(tmp_path: Path) -> None:
    """Modules are imported in name order: app.dies ends the child and app.loops hangs
    it, and a new child still checks app.handlers and app.models after them."""
    root = project(tmp_path)
    (root / "app" / "models.py").write_text("class User: ...\n")
    result = run_wsgen("validate", "--imports", "--import-timeout", "1", cwd=root)
    assert "app.models" not in result.stderr  # imported and found, after the hang
    assert "did not finish within 1 s" in result.stderr
    assert "ended the process" in result.stderr
    assert "'app.handlers:bad_sig' cannot take the call" in result.stderr
