"""Hostile spec files: every YAML trap gets a located error or a documented interpretation.

``tests/hostile/`` holds one spec per trap. ``NAME.yaml`` with ``NAME.stderr.txt`` beside it
must be refused: ``wsgen validate NAME.yaml`` (run in a folder holding only that file) exits
1, prints exactly ``NAME.stderr.txt`` on stderr and nothing on stdout, and
``wsgen generate NAME.yaml -o out`` refuses it the same way and writes nothing. Two traps are
accepted on purpose, each with its own test below (``ACCEPTED``). The file just over the size
limit is made in a temporary folder rather than committed.

The traps run through ``wsgen.cli.main``, the real entry point, all in one interpreter (a
start-up per trap would cost more than the traps); the billion-laughs file also runs as a
process of its own so that its peak memory can be measured.

To rewrite the expected stderr after an intended change in wording, run

    WSGEN_UPDATE_GOLDENS=1 python -m pytest tests/test_hostile.py

and review the diff.
"""

from __future__ import annotations

import ast
import gc
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from _apps import REPO, run_wsgen

from wsgen.errors import SpecError
from wsgen.loader import MAX_SPEC_BYTES, load_text

HOSTILE = Path(__file__).resolve().parent / "hostile"
UPDATE = os.environ.get("WSGEN_UPDATE_GOLDENS") == "1"

# Traps with a documented interpretation instead of an error.
ACCEPTED = {
    "bom.yaml": "a UTF-8 byte order mark at the start is skipped",
    "number_like_strings.yaml": "1e3 and 1.0e3 are strings (PyYAML's floats need '.' and "
    "a signed exponent, e.g. 1.0e+3, which number_values.yaml shows refused)",
}
# Peak memory allowed to one wsgen process reading a billion-laughs file. A plain run
# takes about 60 MiB; expanding the aliases would take far more than any machine has.
MAX_RSS_BYTES = 200 * 1024 * 1024


def refused_traps() -> list[str]:
    return sorted(p.name for p in HOSTILE.glob("*.yaml") if p.name not in ACCEPTED)


def expected_file(name: str) -> Path:
    return HOSTILE / f"{Path(name).stem}.stderr.txt"


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str


# Runs ``wsgen.cli.main`` (what the ``wsgen`` script and ``python -m wsgen`` call) once per
# job, in one interpreter, so forty runs do not pay forty start-ups. Jobs come as JSON on
# stdin: [folder, [args...]]; results go to stdout as JSON: [exit code, stdout, stderr].
DRIVER = """
import contextlib, io, json, os, sys
from wsgen.cli import main

results = []
for folder, args in json.load(sys.stdin):
    os.chdir(folder)
    out, err = io.StringIO(), io.StringIO()
    sys.argv = ["wsgen", *args]
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main()
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else 1
    results.append([code, out.getvalue(), err.getvalue()])
json.dump(results, sys.__stdout__)
"""


def run_in_one_process(jobs: list[tuple[Path, list[str]]]) -> list[Run]:
    result = subprocess.run(
        [sys.executable, "-c", DRIVER],
        input=json.dumps([[str(folder), args] for folder, args in jobs]),
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "100"},
    )
    assert result.returncode == 0, result.stderr
    return [Run(*item) for item in json.loads(result.stdout)]


# Runs wsgen, then writes the peak resident size of this process's own memory (VmHWM, in
# kB) to the file named by its first argument.
_MEASURED = (
    "import sys\n"
    "report, sys.argv = sys.argv[1], ['wsgen', *sys.argv[2:]]\n"
    "try:\n"
    "    from wsgen.cli import main\n"
    "    main()\n"
    "finally:\n"
    "    with open('/proc/self/status') as status:\n"
    "        peak = next(l for l in status if l.startswith('VmHWM:')).split()[1]\n"
    "    with open(report, 'w') as out:\n"
    "        out.write(peak)\n"
)


def peak_memory(args: list[str], cwd: Path) -> tuple[Run, int]:
    """Run wsgen ARGS as a process of its own; its result and its peak RSS in bytes.

    Read from the process itself: ``ru_maxrss`` of a child also counts the memory of the
    process that started it, before ``exec``, so it grows with the test process.
    """
    report = cwd.parent / "peak"
    result = subprocess.run(
        [sys.executable, "-c", _MEASURED, str(report), *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env={**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "100"},
        check=False,
    )
    run = Run(result.returncode, result.stdout, result.stderr)
    return run, int(report.read_text()) * 1024


@dataclass(frozen=True)
class TrapRuns:
    folder: Path  # held the spec and nothing else before the runs
    validate: Run
    generate: Run


@pytest.fixture(scope="module")
def trap_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, TrapRuns]:
    """``wsgen validate NAME`` and ``wsgen generate NAME -o out`` for every refused trap."""
    root = tmp_path_factory.mktemp("hostile")
    jobs: list[tuple[Path, list[str]]] = []
    for name in refused_traps():
        folder = root / Path(name).stem
        folder.mkdir()
        shutil.copyfile(HOSTILE / name, folder / name)
        jobs += [
            (folder, ["validate", name]),
            (folder, ["generate", name, "-o", "out"]),
        ]
    runs = run_in_one_process(jobs)
    return {
        name: TrapRuns(root / Path(name).stem, runs[2 * i], runs[2 * i + 1])
        for i, name in enumerate(refused_traps())
    }


def assert_refused(run: Run, name: str, expected: str) -> None:
    assert "Traceback" not in run.stderr
    assert run.stdout == ""
    assert run.stderr == expected
    assert run.returncode == 1
    # One line per problem, FILE:LINE:COL: path: message, in file order; then the count.
    *lines, summary = run.stderr.splitlines()
    places = []
    for line in lines:
        match = re.match(rf"{re.escape(name)}:(\d+):(\d+): \S+: \S", line)
        assert match, f"not a diagnostic line: {line[:200]!r}"
        places.append((int(match[1]), int(match[2])))
    assert places == sorted(places)
    assert summary == f"{len(lines)} error{'s' if len(lines) != 1 else ''} found"


@pytest.mark.parametrize("name", refused_traps())
def test_trap_is_refused_with_a_located_error(
    name: str, trap_runs: dict[str, TrapRuns]
) -> None:
    runs = trap_runs[name]
    if UPDATE:
        assert runs.validate.returncode == 1, runs.validate.stderr
        expected_file(name).write_text(runs.validate.stderr, encoding="utf-8")
    expected = expected_file(name).read_text(encoding="utf-8")
    assert_refused(runs.validate, name, expected)
    # generate refuses it the same way, and neither command leaves anything behind (the
    # unsafe tags would have run `touch pwned`).
    assert_refused(runs.generate, name, expected)
    assert [p.name for p in runs.folder.iterdir()] == [name]


def test_every_trap_has_an_expectation() -> None:
    names = {p.name for p in HOSTILE.glob("*.yaml")}
    assert ACCEPTED.keys() <= names
    for name in names - ACCEPTED.keys():
        assert expected_file(
            name
        ).is_file(), f"{name} has no {expected_file(name).name}"
    expected = {p.name for p in HOSTILE.glob("*.stderr.txt")}
    assert expected == {expected_file(n).name for n in names - ACCEPTED.keys()}


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_billion_laughs_is_stopped_with_bounded_memory(tmp_path: Path) -> None:
    folder = tmp_path / "work"
    folder.mkdir()
    shutil.copyfile(HOSTILE / "billion_laughs.yaml", folder / "spec.yaml")
    for args in (["validate", "spec.yaml"], ["generate", "spec.yaml", "-o", "out"]):
        run, peak = peak_memory(args, folder)
        assert run.returncode == 1, run.stderr
        assert "(a 'billion laughs' file?); wsgen stops here" in run.stderr
        assert 0 < peak < MAX_RSS_BYTES, f"peak memory {peak} bytes"
    assert [p.name for p in folder.iterdir()] == ["spec.yaml"]


def test_unsafe_tags_never_run(trap_runs: dict[str, TrapRuns]) -> None:
    for name in ("unsafe_tag.yaml", "unsafe_tag_mapping.yaml"):
        runs = trap_runs[name]
        assert "could not determine a constructor for the tag" in runs.validate.stderr
        assert not (runs.folder / "pwned").exists()


def test_a_spec_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    filler = "# " + "x" * 97 + "\n"  # 100 bytes per line
    head = "version: 1\nrouters: {}\n"
    lines, rest = divmod(MAX_SPEC_BYTES + 1 - len(head), len(filler))
    (tmp_path / "big.yaml").write_text(head + filler * lines + "#" * rest)
    assert (tmp_path / "big.yaml").stat().st_size == MAX_SPEC_BYTES + 1

    result = run_wsgen("validate", "big.yaml", cwd=tmp_path)
    assert_refused(
        Run(result.returncode, result.stdout, result.stderr),
        "big.yaml",
        "big.yaml:1:1: <root>: the spec is larger than 32 MiB, the most wsgen reads; "
        "split it into several specs\n1 error found\n",
    )

    # A file of exactly the limit is read: here its first line is the problem reported.
    (tmp_path / "edge.yaml").write_text("\t" + "#" * (MAX_SPEC_BYTES - 1))
    edge = run_wsgen("validate", "edge.yaml", cwd=tmp_path)
    assert edge.returncode == 1
    assert edge.stderr.startswith("edge.yaml:1:1: <root>: invalid YAML: ")
    assert "indent YAML with spaces, not tabs" in edge.stderr


def _generate(spec: Path, cwd: Path) -> dict[str, str]:
    result = run_wsgen("generate", spec.name, "-o", "out", cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return {p.name: p.read_text(encoding="utf-8") for p in (cwd / "out").glob("*.py")}


def test_a_utf8_byte_order_mark_is_skipped(tmp_path: Path) -> None:
    raw = (HOSTILE / "bom.yaml").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with_bom, without = tmp_path / "with", tmp_path / "without"
    for folder, data in ((with_bom, raw), (without, raw[3:])):
        folder.mkdir()
        (folder / "bom.yaml").write_bytes(data)

    result = run_wsgen("validate", "bom.yaml", cwd=with_bom)
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "bom.yaml: valid\n",
        "",
    )
    # The mark changes nothing in the output.
    files = _generate(with_bom / "bom.yaml", with_bom)
    assert files == _generate(without / "bom.yaml", without)
    assert all("\ufeff" not in text for text in files.values())


def test_number_like_plain_scalars_stay_strings(tmp_path: Path) -> None:
    shutil.copyfile(HOSTILE / "number_like_strings.yaml", tmp_path / "spec.yaml")
    result = run_wsgen("validate", "spec.yaml", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "spec.yaml: valid\n",
        "",
    )

    module = ast.parse(_generate(tmp_path / "spec.yaml", tmp_path)["chat.py"])
    docstrings = {
        node.name: ast.get_docstring(node)
        for node in module.body
        if isinstance(node, ast.AsyncFunctionDef)
    }
    assert docstrings == {"a": "1e3", "b": "1.0e3"}


@pytest.mark.parametrize(
    "text",
    [
        "version: 1\nrouters: {}\n",
        "a: [unclosed\n",
        "a: &x [*x]\n",
        "a: !!python/name:os.system\n",
    ],
    ids=["valid", "syntax", "recursive-alias", "unsafe-tag"],
)
def test_reading_leaves_the_cycle_collector_on(text: str) -> None:
    # Reading pauses Python's cycle collector for speed; it must come back on whatever
    # happens, or every later allocation of the process would go uncollected.
    assert gc.isenabled()
    try:
        load_text(text, "spec.yaml")
    except SpecError:
        pass
    assert gc.isenabled()


def test_a_huge_value_gives_a_short_message_that_keeps_its_ends(tmp_path: Path) -> None:
    name = "r-" + "x" * 100_000 + "-end"
    (tmp_path / "spec.yaml").write_text(
        "version: 1\nrouters:\n  chat:\n    websockets:\n"
        f"      - path: /ws\n        handler: h:ws\n        name: {name}\n",
        encoding="utf-8",
    )
    for fmt in ("text", "json"):
        result = run_wsgen("validate", "spec.yaml", "--format", fmt, cwd=tmp_path)
        assert result.returncode == 1
        shown = result.stderr if fmt == "text" else result.stdout
        assert len(shown) < 2_000, shown[:300]
        assert "'r-xxx" in shown and "x-end'" in shown
        assert "more characters)" in shown
