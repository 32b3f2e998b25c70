"""Golden tests: each folder under ``tests/cases/`` and each example is run through the CLI.

A case folder holds ``spec.yaml`` and what wsgen must make of it:

- ``expected/``: the exact tree ``wsgen generate spec.yaml -o DIR`` writes;
- ``expected_stderr.txt``: the exact stderr of ``wsgen validate spec.yaml`` run in the case
  folder (so messages read ``spec.yaml:LINE:COL: ...``). Without ``expected/`` the spec is
  invalid: exit code 1 and nothing on stdout. With ``expected/`` it holds the warnings of a
  valid spec (exit code 0).

Every ``examples/*/wsgen.yaml`` is a golden case too: generating it must reproduce the
committed files in its ``output:`` folder byte for byte, and it must validate.

The CLI runs in process (``wsgen.cli.run``, what ``python -m wsgen`` calls); tests/test_cli.py
runs each command once as a real process and checks it says the same.

To rewrite the goldens after an intended change, run

    WSGEN_UPDATE_GOLDENS=1 python -m pytest tests/test_golden.py

and review the diff: it rewrites ``expected/`` and ``expected_stderr.txt`` of every case and
regenerates each example's committed output.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml
from _apps import run_wsgen

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"
EXAMPLES = ROOT / "examples"
UPDATE = os.environ.get("WSGEN_UPDATE_GOLDENS") == "1"


wsgen = run_wsgen


def read_tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative POSIX path, ignoring bytecode caches."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.relative_to(folder).parts
    }


def write_tree(folder: Path, files: dict[str, bytes]) -> None:
    """Make ``folder`` hold exactly ``files`` (used only when rewriting goldens)."""
    for stale in set(read_tree(folder)) - set(files) if folder.exists() else ():
        (folder / stale).unlink()
    for relative, data in files.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def assert_same_tree(actual: dict[str, bytes], expected: dict[str, bytes]) -> None:
    assert sorted(actual) == sorted(
        expected
    ), "generated files differ from the golden set"
    for name, data in expected.items():
        assert actual[name].decode() == data.decode(), f"{name} differs"


def case_names() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if (p / "spec.yaml").is_file())


def example_specs() -> list[Path]:
    return sorted(EXAMPLES.glob("*/wsgen.yaml")) if EXAMPLES.is_dir() else []


@pytest.mark.parametrize("name", case_names())
def test_case(name: str, tmp_path: Path) -> None:
    case = CASES / name
    expected_dir = case / "expected"
    stderr_file = case / "expected_stderr.txt"
    result = wsgen("validate", "spec.yaml", cwd=case)

    if UPDATE:
        if result.returncode not in (0, 1):
            pytest.fail(f"wsgen validate exited {result.returncode}:\n{result.stderr}")
        if result.stderr:
            stderr_file.write_text(result.stderr, encoding="utf-8")
        elif stderr_file.exists():
            stderr_file.unlink()
        if result.returncode == 0:
            out = tmp_path / "out"
            generated = wsgen("generate", "spec.yaml", "-o", str(out), cwd=case)
            assert generated.returncode == 0, generated.stderr
            write_tree(expected_dir, read_tree(out))
        elif expected_dir.exists():
            write_tree(expected_dir, {})
            expected_dir.rmdir()
        return

    assert expected_dir.is_dir() or stderr_file.is_file(), f"{name} has no expectation"
    expected_stderr = (
        stderr_file.read_text(encoding="utf-8") if stderr_file.exists() else ""
    )
    if not expected_dir.is_dir():
        # An invalid spec: every problem on stderr, nothing on stdout.
        assert result.stderr == expected_stderr
        assert result.stdout == ""
        assert result.returncode == 1
        # Every problem is reported, in the order it stands in the file, then a count.
        places = [
            (int(m.group(1)), int(m.group(2)))
            for m in re.finditer(
                r"^spec\.yaml:(\d+):(\d+): ", result.stderr, re.MULTILINE
            )
        ]
        assert places and places == sorted(places)
        errors = len(places) - result.stderr.count(": warning: ")
        noun = "error" if errors == 1 else "errors"
        assert result.stderr.endswith(f"\n{errors} {noun} found\n")
        return

    assert result.stderr == expected_stderr
    assert result.stdout == "spec.yaml: valid\n"
    assert result.returncode == 0

    out = tmp_path / "out"
    generated = wsgen("generate", "spec.yaml", "-o", str(out), cwd=case)
    assert generated.returncode == 0, generated.stderr
    assert generated.stderr == expected_stderr  # generate reports the same warnings
    assert_same_tree(read_tree(out), read_tree(expected_dir))


@pytest.mark.parametrize("spec", example_specs(), ids=lambda p: p.parent.name)
def test_example(spec: Path, tmp_path: Path) -> None:
    folder = spec.parent
    output = yaml.safe_load(spec.read_text(encoding="utf-8"))["output"]
    committed = folder / output

    if UPDATE:
        regenerated = wsgen("generate", spec.name, cwd=folder)
        assert regenerated.returncode == 0, regenerated.stderr

    checked = wsgen("validate", spec.name, cwd=folder)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout == f"{spec.name}: valid\n"
    assert checked.stderr == ""  # examples are what users copy: no warnings

    out = tmp_path / "out"
    generated = wsgen("generate", spec.name, "-o", str(out), cwd=folder)
    assert generated.returncode == 0, generated.stderr
    assert_same_tree(read_tree(out), read_tree(committed))


def test_cases_are_found() -> None:
    """Guards against a discovery bug silently turning the golden suite into zero tests."""
    names = case_names()
    assert len(names) >= 40
    assert any(n.startswith("valid_") for n in names)
    assert any(n.startswith("error_") for n in names)
