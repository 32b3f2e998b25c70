"""What ``wsgen generate`` does to the output folder when things go wrong.

- a symbolic link in the output folder is never written through;
- an output folder that cannot be written gives a one-line error (exit 2) and leaves nothing
  behind, neither a half-written file nor a temporary one;
- a run killed at any point, or failing between two writes, leaves every file whole and from
  one version: the old tree (spec A) or the new one (spec B), file by file;
- two runs at once on the same spec end with the same tree as one run;
- a killed run leaves no black worker process behind.

A run killed by SIGKILL cannot clean up, so it may leave the temporary file it was writing:
``.NAME.XXXXXXXX.tmp`` beside ``NAME``. Such a file is hidden, is not a Python module (no
``.py`` suffix), is never taken for a generated file (``--check`` ignores it) and is never
imported; the tests below check all of that, and otherwise accept it.
"""

from __future__ import annotations

import ctypes
import os
import pkgutil
import random
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from _apps import REPO, run_wsgen

ROUTERS = 8
ENV = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "100"}
TEMP_NAME = re.compile(r"^\.(?P<target>[A-Za-z_][A-Za-z0-9_]*\.py)\.[^/]+\.tmp$")


def spec_text(version: str) -> str:
    """Spec A or B: B changes every router and app.py, drops r7 and adds 'extra'."""
    names = [f"r{i}" for i in range(ROUTERS)]
    if version == "B":
        names = [*names[:-1], "extra"]
    lines = ["version: 1", "app:", f"  title: Service {version}", "  include:"]
    lines += [f"    - router: {name}" for name in names]
    lines.append("routers:")
    for name in names:
        lines += [
            f"  {name}:",
            f"    prefix: /{version.lower()}/{name}",
            "    websockets:",
            "      - path: /ws/{room_id}",
            f"        handler: svc.handlers:{name}_{version.lower()}",
        ]
    return "\n".join(lines) + "\n"


def read_tree(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def generated(tree: dict[str, bytes]) -> dict[str, bytes]:
    """The tree without leftover temporary files."""
    return {name: data for name, data in tree.items() if not name.endswith(".tmp")}


def generate_cmd(*extra: str) -> list[str]:
    return [sys.executable, "-m", "wsgen", "generate", "spec.yaml", "-o", "out", *extra]


def make_tree(folder: Path, version: str) -> dict[str, bytes]:
    """Write spec ``version`` as ``folder/spec.yaml`` and generate it into ``folder/out``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "spec.yaml").write_text(spec_text(version), encoding="utf-8")
    result = run_wsgen("generate", "spec.yaml", "-o", "out", cwd=folder)
    assert result.returncode == 0, result.stderr
    return read_tree(folder / "out")


def place_tree(folder: Path, tree: dict[str, bytes], version: str) -> None:
    """What ``make_tree`` gives, without running wsgen again: ``tree`` is its output."""
    (folder / "out").mkdir(parents=True)
    (folder / "spec.yaml").write_text(spec_text(version), encoding="utf-8")
    for name, data in tree.items():
        (folder / "out" / name).write_bytes(data)


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, bytes]]:
    """The complete trees of spec A and spec B."""
    root = tmp_path_factory.mktemp("versions")
    trees = {v: make_tree(root / v, v) for v in ("A", "B")}
    a, b = trees["A"], trees["B"]
    # Most files differ between the versions; some exist in only one of them.
    assert sum(a[n] != b[n] for n in a.keys() & b.keys()) >= ROUTERS
    assert a.keys() - b.keys() == {"r7.py"} and b.keys() - a.keys() == {"extra.py"}
    return trees


def assert_each_file_whole(folder: Path, versions: dict[str, dict[str, bytes]]) -> None:
    """Every file is its A or its B version; only temporary files may be anything else."""
    a, b = versions["A"], versions["B"]
    tree = read_tree(folder)
    for name, data in tree.items():
        if name.endswith(".tmp"):
            match = TEMP_NAME.match(name)
            assert match, f"unexpected temporary file {name}"
            assert match["target"] in a.keys() | b.keys()
            continue
        assert name in a or name in b, f"unexpected file {name}"
        assert data in (a.get(name), b.get(name)), f"{name} is neither version A nor B"
    # A file both versions have is replaced, never removed.
    assert a.keys() & b.keys() <= tree.keys()


def assert_clean_finish(folder: Path, versions: dict[str, dict[str, bytes]]) -> None:
    """One more run completes the tree; leftover temporary files change nothing."""
    (folder / "spec.yaml").write_text(spec_text("B"), encoding="utf-8")
    done = run_wsgen("generate", "spec.yaml", "-o", "out", cwd=folder)
    assert done.returncode == 0, done.stderr
    out = folder / "out"
    assert generated(read_tree(out)) == versions["B"]
    # A second run finds nothing to do: a temporary file is not an extra generated file.
    again = run_wsgen("generate", "spec.yaml", "-o", "out", "--check", cwd=folder)
    assert again.returncode == 0, again.stdout + again.stderr
    modules = {m.name for m in pkgutil.iter_modules([str(out)])}
    assert modules == {
        Path(n).stem for n in versions["B"] if n.endswith(".py") and n != "__init__.py"
    }


# --- symbolic links ----------------------------------------------------------------------


def test_a_symlink_in_the_output_folder_is_never_written_through(
    tmp_path: Path, versions: dict[str, dict[str, bytes]]
) -> None:
    work = tmp_path / "work"
    place_tree(work, versions["A"], "A")
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim.py"
    victim.write_bytes(b"precious = True\n")
    (work / "out" / "r0.py").unlink()
    (work / "out" / "r0.py").symlink_to(victim)
    (work / "out" / "extra.py").symlink_to(outside / "planted.py")  # dangling
    (work / "spec.yaml").write_text(spec_text("B"), encoding="utf-8")

    result = run_wsgen("generate", "spec.yaml", "-o", "out", cwd=work)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: out/extra.py is a symbolic link;")
    assert result.stderr.count("\n") == 1
    assert victim.read_bytes() == b"precious = True\n"
    assert sorted(p.name for p in outside.iterdir()) == ["victim.py"]
    assert (work / "out" / "r0.py").is_symlink()
    # Refused before anything was written.
    tree = read_tree(work / "out")
    assert {n: d for n, d in tree.items() if n != "r0.py"} == {
        n: d for n, d in versions["A"].items() if n != "r0.py"
    }


# --- folders that cannot be written ------------------------------------------------------

PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2


def _drop_permission_override() -> None:
    """In the child before exec: lose root's power to ignore file permissions."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _permissions_enforced(folder: Path) -> bool:
    probe = folder / ".probe"
    try:
        probe.touch()
    except PermissionError:
        return True
    probe.unlink()
    return False


@pytest.fixture(scope="module")
def run_restricted(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[Path], subprocess.CompletedProcess[str]]:
    """Run ``wsgen generate spec.yaml -o out`` in a folder as a user bound by permissions.

    Tests run as root here, and root ignores a folder's mode. Then the child drops
    CAP_DAC_OVERRIDE (from its bounding set, before exec) and is bound like anyone else.
    """
    locked = tmp_path_factory.mktemp("locked")
    locked.chmod(0o555)
    preexec = None
    if not _permissions_enforced(locked):
        preexec = _drop_permission_override
        check = subprocess.run(
            [sys.executable, "-c", f"open({str(locked / 'x')!r}, 'x')"],
            preexec_fn=preexec,
            capture_output=True,
            check=False,
        )
        if check.returncode == 0 or b"PermissionError" not in check.stderr:
            pytest.skip("cannot make a folder unwritable to a child process here")
    locked.chmod(0o755)

    def run(cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            generate_cmd(),
            cwd=cwd,
            env=ENV,
            preexec_fn=preexec,
            capture_output=True,
            text=True,
            check=False,
        )

    return run


def assert_usage_error(result: subprocess.CompletedProcess[str], pattern: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert re.fullmatch(pattern, result.stderr), result.stderr


def test_read_only_output_folder_with_an_old_tree(
    tmp_path: Path,
    versions: dict[str, dict[str, bytes]],
    run_restricted: Callable[[Path], subprocess.CompletedProcess[str]],
) -> None:
    work = tmp_path / "work"
    place_tree(work, versions["A"], "B")
    (work / "out").chmod(0o555)
    try:
        result = run_restricted(work)
    finally:
        (work / "out").chmod(0o755)
    # The file named is one wsgen meant to write, not its temporary file.
    assert_usage_error(result, r"error: cannot write out/\w+\.py: Permission denied\n")
    assert read_tree(work / "out") == versions["A"]


def test_read_only_empty_output_folder(
    tmp_path: Path,
    run_restricted: Callable[[Path], subprocess.CompletedProcess[str]],
) -> None:
    (tmp_path / "spec.yaml").write_text(spec_text("A"), encoding="utf-8")
    (tmp_path / "out").mkdir(mode=0o555)
    (tmp_path / "out").chmod(0o555)
    try:
        result = run_restricted(tmp_path)
    finally:
        (tmp_path / "out").chmod(0o755)
    assert_usage_error(result, r"error: cannot write out/\w+\.py: Permission denied\n")
    assert list((tmp_path / "out").iterdir()) == []


def test_read_only_parent_of_a_new_output_folder(
    tmp_path: Path,
    run_restricted: Callable[[Path], subprocess.CompletedProcess[str]],
) -> None:
    (tmp_path / "spec.yaml").write_text(spec_text("A"), encoding="utf-8")
    tmp_path.chmod(0o555)
    try:
        result = run_restricted(tmp_path)
    finally:
        tmp_path.chmod(0o755)
    assert_usage_error(result, r"error: cannot write out: Permission denied\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.yaml"]


@pytest.fixture
def tree_b(tmp_path: Path, versions: dict[str, dict[str, bytes]]) -> dict[str, bytes]:
    """Tree B placed in ``tmp_path``."""
    tree = dict(versions["B"])
    place_tree(tmp_path, tree, "B")
    return tree


def test_an_up_to_date_tree_in_a_read_only_folder_needs_no_write(
    tmp_path: Path,
    tree_b: dict[str, bytes],
    versions: dict[str, dict[str, bytes]],
    run_restricted: Callable[[Path], subprocess.CompletedProcess[str]],
) -> None:
    tree = tree_b
    (tmp_path / "out").chmod(0o555)
    try:
        result = run_restricted(tmp_path)
    finally:
        (tmp_path / "out").chmod(0o755)
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith(f"out: {len(versions['B'])} files, 0 changed\n")
    assert read_tree(tmp_path / "out") == tree
    assert result.stderr == ""


def test_an_unreadable_hand_written_module_is_left_alone(
    tmp_path: Path,
    tree_b: dict[str, bytes],
    run_restricted: Callable[[Path], subprocess.CompletedProcess[str]],
) -> None:
    notes = tmp_path / "out" / "notes.py"
    notes.write_text("SECRET = 1\n")
    notes.chmod(0o000)
    result = run_restricted(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith(" 0 changed\n")
    notes.chmod(0o644)
    assert notes.read_text() == "SECRET = 1\n"


def test_output_below_a_file(tmp_path: Path) -> None:
    """Works as root too: no folder can be made below a regular file."""
    (tmp_path / "spec.yaml").write_text(spec_text("A"), encoding="utf-8")
    (tmp_path / "blocker").write_text("not a folder\n")
    result = run_wsgen("generate", "spec.yaml", "-o", "blocker/out", cwd=tmp_path)
    assert_usage_error(
        result, r"error: cannot write blocker/out/__init__\.py: Not a directory\n"
    )
    assert (tmp_path / "blocker").read_text() == "not a folder\n"

    # The option itself is checked first: -o must name a folder.
    result = run_wsgen("generate", "spec.yaml", "-o", "blocker", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "'blocker' is a file" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker", "spec.yaml"]


# --- crashes -----------------------------------------------------------------------------


def test_killed_at_random_points_every_file_is_whole(
    tmp_path: Path, versions: dict[str, dict[str, bytes]]
) -> None:
    work = tmp_path / "work"
    started = time.monotonic()
    make_tree(work, "A")
    # Only to spread the kills over a run's length; nothing is asserted about time.
    run_length = time.monotonic() - started
    rng = random.Random(20240604)
    for _ in range(8):
        version = rng.choice("AB")
        (work / "spec.yaml").write_text(spec_text(version), encoding="utf-8")
        process = subprocess.Popen(
            generate_cmd(),
            cwd=work,
            env=ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            process.wait(timeout=rng.uniform(0.3, 1.2) * run_length)
            assert process.returncode == 0
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        assert_each_file_whole(work / "out", versions)
        if process.returncode == 0:  # finished before its kill: the tree is complete
            assert generated(read_tree(work / "out")) == versions[version]
    assert_clean_finish(work, versions)


# Runs the real CLI with os.replace patched: the FAIL_AT-th replace into the output folder
# raises (mode "raise") or ends the process on the spot, as a kill would (mode "exit").
INJECT = """
import errno, os, sys
from wsgen.cli import main

mode, fail_at = sys.argv[1], int(sys.argv[2])
real_replace = os.replace
calls = 0

def replace(src, dst, **kwargs):
    global calls
    if os.path.basename(os.path.dirname(os.path.abspath(dst))) == "out":
        calls += 1
        if calls == fail_at:
            if mode == "exit":
                os._exit(137)
            raise OSError(errno.EIO, "injected failure", dst)
    return real_replace(src, dst, **kwargs)

os.replace = replace
sys.argv = ["wsgen", "generate", "spec.yaml", "-o", "out"]
main()
"""


@pytest.mark.parametrize("mode", ["raise", "exit"])
def test_a_failure_between_writes_leaves_whole_files(
    mode: str, tmp_path: Path, versions: dict[str, dict[str, bytes]]
) -> None:
    work = tmp_path / "work"
    place_tree(work, versions["A"], "B")

    result = subprocess.run(
        [sys.executable, "-c", INJECT, mode, "3"],
        cwd=work,
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
    )

    out = work / "out"
    assert_each_file_whole(out, versions)
    tree = generated(read_tree(out))
    a, b = versions["A"], versions["B"]
    # Two files were replaced before the failure; every other file is still version A.
    new = [n for n in tree if tree[n] != a.get(n)]
    assert len(new) == 2 and all(tree[n] == b[n] for n in new)
    assert "Traceback" not in result.stderr
    if mode == "raise":
        assert result.returncode == 2
        assert re.fullmatch(
            r"error: cannot write out/\w+\.py: injected failure\n", result.stderr
        )
        assert temp_files(out) == []  # cleaned up on the way out
    else:
        assert result.returncode == 137
        # Every new text was complete in its temporary file before the first rename: the
        # files not yet renamed are still there, whole, beside their old version.
        leftovers = temp_files(out)
        changed = [n for n in b if n.endswith(".py") and b[n] != a.get(n)]
        assert len(leftovers) == len(changed) - 2
        for leftover in leftovers:
            target = TEMP_NAME.fullmatch(leftover)
            assert target is not None
            assert (out / leftover).read_bytes() == b[target["target"]]
            assert tree[target["target"]] == a[target["target"]]
        assert_clean_finish(work, versions)


def test_a_failure_before_the_first_rename_changes_nothing(
    tmp_path: Path,
    versions: dict[str, dict[str, bytes]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The third temporary file cannot be made (a full disk, a name too long): every new
    text is staged before any file is renamed, so the whole tree stays version A."""
    import tempfile

    from wsgen import write

    real, made = tempfile.mkstemp, []

    def mkstemp(*args: object, **kwargs: object) -> tuple[int, str]:
        made.append(1)
        if len(made) == 3:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)  # type: ignore[call-overload, no-any-return]

    monkeypatch.setattr(write.tempfile, "mkstemp", mkstemp)
    work = tmp_path / "work"
    place_tree(work, versions["A"], "B")
    before = read_tree(work / "out")
    result = run_wsgen("generate", "spec.yaml", "-o", "out", cwd=work)
    assert result.returncode == 2
    assert "No space left on device" in result.stderr
    assert read_tree(work / "out") == before
    assert temp_files(work / "out") == []


# --- concurrent runs ---------------------------------------------------------------------


@pytest.mark.parametrize("start", ["empty", "A", "A again"])
def test_two_runs_at_once_end_with_the_right_tree(
    start: str, tmp_path: Path, versions: dict[str, dict[str, bytes]]
) -> None:
    work = tmp_path / "work"
    if start == "empty":
        work.mkdir()
    else:
        place_tree(work, versions["A"], "B")
    (work / "spec.yaml").write_text(spec_text("B"), encoding="utf-8")

    processes = [
        subprocess.Popen(
            generate_cmd(),
            cwd=work,
            env=ENV,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [(p.communicate()[1], p.returncode) for p in processes]

    for stderr, code in results:
        assert code == 0, stderr
    assert read_tree(work / "out") == versions["B"]
