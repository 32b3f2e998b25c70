"""Runs wsgen in this single-threaded process, serially and with a worker (parallel.py),
and prints what each run gave as JSON on stdout; tests/test_parallel.py reads it.

    python tests/_parallel_runs.py SCENARIO FOLDER

The test runner's own process has threads (so it never forks a worker); this one has
none. Scenarios: ``cases`` (every golden case, every example), ``large`` (a spec of the
benchmark's shape, valid and invalid), ``broken`` and ``dead`` (a worker that raises,
one that dies).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from run import spec_text

from wsgen import parallel, render
from wsgen.cli import run


def wsgen(mode: str, *args: str, cwd: Path) -> dict[str, Any]:
    """``wsgen ARGS`` with WSGEN_PARALLEL=mode: exit code, output, leftover children."""
    os.environ["WSGEN_PARALLEL"] = mode
    out, err = io.StringIO(), io.StringIO()
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        code = run(list(args), out, err)
    finally:
        os.chdir(previous)
    try:
        leftover = os.waitpid(-1, os.WNOHANG) != (0, 0)
    except ChildProcessError:
        leftover = False  # no child at all: every worker was reaped
    return {
        "code": code,
        "out": out.getvalue(),
        "err": err.getvalue(),
        "left": leftover,
    }


def both(*args: str, cwd: Path) -> dict[str, Any]:
    return {mode: wsgen(mode, *args, cwd=cwd) for mode in ("off", "on")}


def tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def cases(folder: Path) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for case in sorted((REPO / "tests" / "cases").iterdir()):
        if not (case / "spec.yaml").is_file():
            continue
        expected = case / "expected"
        out = str(expected) if expected.is_dir() else str(folder / case.name)
        found[case.name] = both("generate", "--check", "spec.yaml", "-o", out, cwd=case)
    for spec in sorted((REPO / "examples").glob("*/wsgen.yaml")):
        found[spec.parent.name] = both(
            "generate", "--check", "wsgen.yaml", cwd=spec.parent
        )
    return found


def large(folder: Path) -> dict[str, Any]:
    spec = folder / "wsgen.yaml"
    spec.write_text(spec_text(parallel.MIN_ROUTES + 100), encoding="utf-8")
    serial = wsgen("off", "generate", "-o", "serial", "wsgen.yaml", cwd=folder)
    forked = wsgen("auto", "generate", "-o", "forked", "wsgen.yaml", cwd=folder)
    check = wsgen(
        "auto", "generate", "--check", "-o", "serial", "wsgen.yaml", cwd=folder
    )
    # A mistake near the end of the file: the worker is rendering when it is found.
    text = spec.read_text(encoding="utf-8")
    at = text.rindex("type: int")
    (folder / "bad.yaml").write_text(text[:at] + "type: integer" + text[at + 9 :])
    invalid = both("generate", "-o", "bad", "bad.yaml", cwd=folder)
    return {
        "serial": serial,
        "forked": forked,
        "check": check,
        "same": tree(folder / "serial") == tree(folder / "forked"),
        "files": len(tree(folder / "forked")),
        "invalid": invalid,
        "bad written": (folder / "bad").exists(),
    }


def failing(folder: Path, how: str) -> dict[str, Any]:
    parent = os.getpid()
    original = render.render_routers

    def render_routers(spec: Any, routers: Any) -> dict[str, str]:
        if os.getpid() != parent:
            if how == "dead":
                os._exit(3)
            raise RuntimeError("rendering failed in the worker")
        return original(spec, routers)

    render.render_routers = render_routers  # type: ignore[assignment]
    (folder / "wsgen.yaml").write_text(spec_text(parallel.MIN_ROUTES), encoding="utf-8")
    result = wsgen("on", "generate", "-o", "out", "wsgen.yaml", cwd=folder)
    result["written"] = (folder / "out").exists()
    return result


def main() -> None:
    scenario, folder = sys.argv[1], Path(sys.argv[2])
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    if scenario == "cases":
        found = cases(folder)
    elif scenario == "large":
        found = large(folder)
    else:
        found = failing(folder, scenario)
    json.dump(found, sys.stdout)


if __name__ == "__main__":
    main()
