"""The command line as users and hooks run it.

Exit codes are part of the interface (0 ok, 1 invalid spec, 2 bad usage), errors go to
stderr, stdout carries only results, and a user mistake never shows a traceback. Most tests
run the CLI in process (``wsgen.cli.run``); the smoke tests below run each command as the
real ``python -m wsgen`` process and check it says exactly what the in-process run says.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from _apps import run_wsgen, run_wsgen_process

import wsgen

ROOT = Path(__file__).resolve().parent.parent

VALID = """\
version: 1
output: gen/routes
dependencies:
  verify_auth: chat_app.deps:verify_auth
app:
  title: Chat
  include:
    - router: chat
      prefix: /v1
routers:
  chat:
    prefix: /chat
    dependencies: [verify_auth]
    websockets:
      - path: /room/{room_id:int}
        handler: chat_app.handlers:room
        params:
          q: {in: query, required: false}
"""

INVALID = """\
version: 1
routers:
  chat:
    prefix: /chat/
    websockets:
      - path: /ws
        handler: chat_app.handlers:ws
"""
INVALID_LINE = (
    "routers.chat.prefix: '/chat/' must not end with '/' (FastAPI asserts this when the "
    "router is created); use '/chat'"
)


run = run_wsgen


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stdout + result.stderr


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def files_under(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
    )


# -- each command as a real process --------------------------------------------------------

SMOKE = {
    "version": ["--version"],
    "help": ["--help"],
    "validate": ["validate", "wsgen.yaml"],
    "validate invalid": ["validate", "bad.yaml", "--format", "github"],
    "generate": ["generate", "wsgen.yaml"],
    "generate --check": ["generate", "wsgen.yaml", "--check", "--format", "json"],
    "schema": ["schema"],
    "init": ["init", "new/wsgen.yaml"],
    "bad usage": ["generate", "missing.yaml"],
}


@pytest.mark.parametrize("name", list(SMOKE))
def test_each_command_as_a_process_says_what_the_in_process_run_says(
    name: str, tmp_path: Path
) -> None:
    results = []
    for runner, folder in ((run_wsgen_process, "process"), (run, "in_process")):
        root = tmp_path / folder
        write(root / "wsgen.yaml", VALID.replace("prefix: /chat", "prefix: /c"))
        write(root / "bad.yaml", INVALID)
        if name == "generate --check":  # a stale tree: the document lists its files
            assert run("generate", "wsgen.yaml", cwd=root).returncode == 0
            write(root / "wsgen.yaml", VALID)
        results.append(runner(*SMOKE[name], cwd=root))
        no_traceback(results[-1])
    process, in_process = results
    assert (process.returncode, process.stdout, process.stderr) == (
        in_process.returncode,
        in_process.stdout,
        in_process.stderr,
    )
    expected = {"validate invalid": 1, "generate --check": 1, "bad usage": 2}
    assert process.returncode == expected.get(name, 0)


# -- version and help ---------------------------------------------------------------------


def test_version(tmp_path: Path) -> None:
    result = run("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout == f"wsgen {wsgen.__version__}\n"
    assert result.stderr == ""


def test_help_on_the_app(tmp_path: Path) -> None:
    result = run("--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "Usage: wsgen" in result.stdout
    assert "generate" in result.stdout and "validate" in result.stdout
    assert "--version" in result.stdout


@pytest.mark.parametrize("command", ["generate", "validate"])
def test_help_on_each_command(command: str, tmp_path: Path) -> None:
    result = run(command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert f"Usage: wsgen {command}" in result.stdout
    assert "SPEC" in result.stdout
    if command == "generate":
        assert "--output" in result.stdout and "-o" in result.stdout
    # Help texts are plain text, not markup that would swallow the brackets.
    assert "'spec' in [tool.wsgen] of the" in result.stdout
    no_traceback(result)


# -- exit codes -----------------------------------------------------------------------------


def test_valid_spec_exits_0_with_result_on_stdout(tmp_path: Path) -> None:
    write(tmp_path / "wsgen.yaml", VALID)
    result = run("validate", "wsgen.yaml", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout == "wsgen.yaml: valid\n"
    assert result.stderr == ""


def test_invalid_spec_exits_1_with_errors_on_stderr_only(tmp_path: Path) -> None:
    write(tmp_path / "bad.yaml", INVALID)
    result = run("validate", "bad.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == f"bad.yaml:4:13: {INVALID_LINE}\n1 error found\n"


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["validate", "--no-such-option", "x.yaml"], id="unknown-option"),
        pytest.param(
            ["generate", "--no-such-option", "x.yaml"], id="unknown-option-gen"
        ),
        pytest.param(["validate", "missing.yaml"], id="missing-file"),
        pytest.param(["generate", "missing.yaml"], id="missing-file-gen"),
        pytest.param(["frobnicate"], id="unknown-command"),
    ],
)
def test_bad_usage_exits_2(args: list[str], tmp_path: Path) -> None:
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Usage: wsgen" in result.stderr
    no_traceback(result)


@pytest.mark.parametrize("command", ["validate", "generate"])
def test_no_spec_and_no_configuration_exits_2(command: str, tmp_path: Path) -> None:
    result = run(command, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: no spec given: pass SPEC, set 'spec' in [tool.wsgen] of pyproject.toml, "
        "or run in the folder of a 'wsgen.yaml'\n"
    )


@pytest.mark.parametrize("command", ["validate", "generate"])
def test_without_configuration_a_bare_command_reads_wsgen_yaml(
    command: str, tmp_path: Path
) -> None:
    """What `wsgen init` writes is what a bare `wsgen validate` then reads."""
    assert run("init", cwd=tmp_path).returncode == 0
    result = run(command, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    if command == "validate":
        assert result.stdout == "wsgen.yaml: valid\n"
    else:
        assert (tmp_path / "app" / "routes" / "__init__.py").is_file()


def test_missing_file_is_named(tmp_path: Path) -> None:
    result = run("validate", "missing.yaml", cwd=tmp_path)
    assert "missing.yaml" in result.stderr
    assert "does not exist" in result.stderr


def test_no_arguments_shows_help(tmp_path: Path) -> None:
    result = run(cwd=tmp_path)
    assert result.returncode == 2
    assert "generate" in result.stdout + result.stderr
    no_traceback(result)


def test_validate_several_files_reports_the_invalid_one(tmp_path: Path) -> None:
    write(tmp_path / "good.yaml", VALID)
    write(tmp_path / "bad.yaml", INVALID)
    write(tmp_path / "also_good.yaml", VALID)
    result = run("validate", "good.yaml", "bad.yaml", "also_good.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == "good.yaml: valid\nalso_good.yaml: valid\n"
    assert result.stderr == f"bad.yaml:4:13: {INVALID_LINE}\n1 error found\n"


def test_validate_counts_errors_over_all_files(tmp_path: Path) -> None:
    write(tmp_path / "one.yaml", INVALID)
    write(tmp_path / "two.yaml", INVALID)
    result = run("validate", "one.yaml", "two.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"one.yaml:4:13: {INVALID_LINE}",
        f"two.yaml:4:13: {INVALID_LINE}",
        "2 errors found",
    ]


def test_warnings_go_to_stderr_and_keep_exit_0(tmp_path: Path) -> None:
    spec = VALID + (
        "      - path: /raw\n"
        "        kind: starlette\n"
        "        handler: chat_app.handlers:raw\n"
    )
    write(tmp_path / "wsgen.yaml", spec)
    result = run("validate", "wsgen.yaml", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout == "wsgen.yaml: valid\n"
    assert result.stderr.startswith(
        "wsgen.yaml:20:15: routers.chat.websockets[1].kind: warning:"
    )
    generated = run("generate", "wsgen.yaml", "-o", "out", cwd=tmp_path)
    assert generated.returncode == 0
    assert generated.stderr == result.stderr
    assert "warning" not in generated.stdout


# -- user mistakes never show a traceback ------------------------------------------------------


@pytest.mark.parametrize("command", ["validate", "generate"])
def test_directory_as_spec(command: str, tmp_path: Path) -> None:
    (tmp_path / "specdir").mkdir()
    result = run(command, "specdir", cwd=tmp_path)
    assert result.returncode == 2
    assert "specdir" in result.stderr and "is a directory" in result.stderr
    assert result.stdout == ""
    no_traceback(result)


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read any file"
)
def test_unreadable_file_by_permissions(tmp_path: Path) -> None:
    spec = write(tmp_path / "locked.yaml", VALID)
    spec.chmod(0)
    try:
        result = run("validate", "locked.yaml", cwd=tmp_path)
    finally:
        spec.chmod(0o644)
    assert result.returncode in (1, 2)
    assert "locked.yaml" in result.stderr
    assert result.stdout == ""
    no_traceback(result)


@pytest.mark.parametrize("command", ["validate", "generate"])
def test_file_that_cannot_be_read(command: str, tmp_path: Path) -> None:
    # A Unix socket exists and passes permission checks even for root, but open() fails.
    path = tmp_path / "sock.yaml"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        result = run(command, "sock.yaml", cwd=tmp_path)
    finally:
        server.close()
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("sock.yaml:1:1: <root>: cannot read the spec: ")
    assert result.stderr.endswith("1 error found\n")
    no_traceback(result)


@pytest.mark.parametrize("command", ["validate", "generate"])
def test_non_utf8_spec(command: str, tmp_path: Path) -> None:
    (tmp_path / "latin1.yaml").write_bytes(
        b"version: 1\nrouters:\n  caf\xe9:\n    websockets: []\n"
    )
    result = (
        run(command, "latin1.yaml", "-o", "out", cwd=tmp_path)
        if command == "generate"
        else run(command, "latin1.yaml", cwd=tmp_path)
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "latin1.yaml:3:6: <root>: byte 0xe9 is not valid UTF-8; save the spec as UTF-8\n"
        "1 error found\n"
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("version: 1\nrouters: [\n", id="broken-yaml"),
        pytest.param("- a\n- b\n", id="list-root"),
        pytest.param("version: 1\nrouters:\n  a: {}\n  a: {}\n", id="duplicate-key"),
        pytest.param("version: 1\nrouters:\n  ? [a, b]\n  : {}\n", id="list-as-key"),
        pytest.param(
            "version: !!python/object:os.system x\nrouters: {}\n", id="python-tag"
        ),
        pytest.param("a: &a [*a]\n", id="recursive-alias"),
        pytest.param("\x00\x01", id="control-bytes"),
    ],
)
def test_malformed_specs_are_reported_not_raised(text: str, tmp_path: Path) -> None:
    write(tmp_path / "spec.yaml", text)
    result = run("validate", "spec.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert re.match(r"spec\.yaml:\d+:\d+: ", result.stderr)
    no_traceback(result)


def test_output_folder_that_cannot_be_created(tmp_path: Path) -> None:
    write(tmp_path / "wsgen.yaml", VALID)
    write(tmp_path / "a_file", "")
    result = run("generate", "wsgen.yaml", "-o", "a_file/routes", cwd=tmp_path)
    assert result.returncode == 2
    assert "a_file" in result.stderr
    assert result.stdout == ""
    no_traceback(result)


def test_output_option_naming_a_file(tmp_path: Path) -> None:
    write(tmp_path / "wsgen.yaml", VALID)
    write(tmp_path / "a_file", "")
    result = run("generate", "wsgen.yaml", "-o", "a_file", cwd=tmp_path)
    assert result.returncode == 2
    assert (tmp_path / "a_file").read_text() == ""
    no_traceback(result)


# -- generate -------------------------------------------------------------------------------


def test_generate_with_output_option(tmp_path: Path) -> None:
    write(tmp_path / "wsgen.yaml", VALID)
    result = run("generate", "wsgen.yaml", "-o", "elsewhere", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert files_under(tmp_path / "elsewhere") == [
        "__init__.py",
        "app.py",
        "chat.py",
    ]
    assert not (tmp_path / "gen").exists()  # -o overrides the spec's output:
    for name in ("__init__.py", "app.py", "chat.py"):
        assert f"wrote {Path('elsewhere') / name}" in result.stdout


def test_generate_uses_output_relative_to_the_spec_not_the_cwd(tmp_path: Path) -> None:
    project = tmp_path / "project"
    write(project / "wsgen.yaml", VALID)
    cwd = tmp_path / "somewhere_else"
    cwd.mkdir()
    result = run("generate", str(project / "wsgen.yaml"), cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert files_under(project / "gen" / "routes") == [
        "__init__.py",
        "app.py",
        "chat.py",
    ]
    assert list(cwd.iterdir()) == []


def test_generate_without_output_anywhere_exits_2(tmp_path: Path) -> None:
    write(tmp_path / "wsgen.yaml", VALID.replace("output: gen/routes\n", ""))
    result = run("generate", "wsgen.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "has no 'output:'" in result.stderr and "-o" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wsgen.yaml"]
    no_traceback(result)


def test_invalid_spec_writes_nothing(tmp_path: Path) -> None:
    write(tmp_path / "bad.yaml", INVALID + "output: gen/routes\n")
    out = tmp_path / "out"
    for args in (["bad.yaml", "-o", str(out)], ["bad.yaml"]):
        result = run("generate", *args, cwd=tmp_path)
        assert result.returncode == 1
        assert result.stdout == ""
        assert result.stderr == f"bad.yaml:4:13: {INVALID_LINE}\n1 error found\n"
    assert not out.exists()
    assert not (tmp_path / "gen").exists()


def test_invalid_spec_leaves_an_existing_tree_alone(tmp_path: Path) -> None:
    write(tmp_path / "wsgen.yaml", VALID)
    assert run("generate", "wsgen.yaml", cwd=tmp_path).returncode == 0
    out = tmp_path / "gen" / "routes"
    before = {name: (out / name).read_bytes() for name in files_under(out)}
    write(tmp_path / "wsgen.yaml", VALID.replace("prefix: /chat", "prefix: /chat/"))
    result = run("generate", "wsgen.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert {name: (out / name).read_bytes() for name in files_under(out)} == before


def test_generate_twice_is_byte_identical_and_writes_nothing(tmp_path: Path) -> None:
    write(tmp_path / "wsgen.yaml", VALID)
    first = run("generate", "wsgen.yaml", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    out = tmp_path / "gen" / "routes"
    contents = {name: (out / name).read_bytes() for name in files_under(out)}
    assert sorted(contents) == ["__init__.py", "app.py", "chat.py"]
    # Backdate the files, so a rewrite would show as a new mtime without waiting.
    for name in contents:
        os.utime(out / name, ns=(1_000_000_000, 1_000_000_000))

    second = run("generate", "wsgen.yaml", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "wrote" not in second.stdout
    assert {name: (out / name).read_bytes() for name in files_under(out)} == contents
    for name in contents:
        assert (out / name).stat().st_mtime_ns == 1_000_000_000
    assert sorted(p.name for p in out.iterdir()) == sorted(
        contents
    )  # no temp files left


def test_generate_rewrites_only_changed_files(tmp_path: Path) -> None:
    write(tmp_path / "wsgen.yaml", VALID)
    assert run("generate", "wsgen.yaml", cwd=tmp_path).returncode == 0
    out = tmp_path / "gen" / "routes"
    chat = out / "chat.py"
    chat.write_text(
        chat.read_text(encoding="utf-8") + "# edited by hand\n", encoding="utf-8"
    )
    result = run("generate", "wsgen.yaml", cwd=tmp_path)
    assert result.returncode == 0
    wrote = [line for line in result.stdout.splitlines() if line.startswith("wrote ")]
    assert wrote == [f"wrote {Path('gen/routes/chat.py')}"]
    assert (
        (out / "chat.py").read_text(encoding="utf-8").startswith("# Generated by wsgen")
    )


def test_output_has_no_absolute_paths_or_timestamps(tmp_path: Path) -> None:
    trees = []
    for where in ("a", "b/deeper"):
        folder = tmp_path / where
        write(folder / "wsgen.yaml", VALID)
        result = run(
            "generate",
            str(folder / "wsgen.yaml"),
            "-o",
            str(folder / "out"),
            cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr
        trees.append(
            {
                n: (folder / "out" / n).read_text(encoding="utf-8")
                for n in files_under(folder / "out")
            }
        )
    assert trees[0] == trees[1]  # the same spec gives the same bytes wherever it lives
    for name, text in trees[0].items():
        assert str(tmp_path) not in text
        assert os.path.expanduser("~") not in text
        assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}:\d{2}", text), name
        assert "\r" not in text
        header = "# Generated by wsgen" + (
            "." if name == "__init__.py" else " from 'wsgen.yaml'."
        )
        assert text.startswith(header), name


# -- nobody reading -------------------------------------------------------------------------

PIPE_CASES = {
    "valid": (["validate", "wsgen.yaml"], 0),
    "invalid": (["validate", "bad.yaml"], 1),
    "schema": (["schema"], 0),
    "stale --check": (["generate", "wsgen.yaml", "--check"], 1),
    "stale --check json": (
        ["generate", "wsgen.yaml", "--check", "--format", "json"],
        1,
    ),
    "generate": (["generate", "wsgen.yaml", "-o", "fresh"], 0),
}


def _pipe_project(folder: Path) -> None:
    write(folder / "wsgen.yaml", VALID.replace("prefix: /chat", "prefix: /c"))
    write(folder / "bad.yaml", INVALID)
    assert run("generate", "wsgen.yaml", cwd=folder).returncode == 0
    write(folder / "wsgen.yaml", VALID)  # the tree is now stale


@pytest.mark.parametrize("name", list(PIPE_CASES))
def test_a_closed_pipe_keeps_the_exit_code(name: str, tmp_path: Path) -> None:
    """`wsgen generate --check | head -1`: the answer does not depend on the reader."""
    _pipe_project(tmp_path)
    args, code = PIPE_CASES[name]
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write to stdout fails with EPIPE
    try:
        result = subprocess.run(
            [sys.executable, "-m", "wsgen", *args],
            cwd=tmp_path,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            check=False,
        )
    finally:
        os.close(write_end)
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr


@pytest.mark.parametrize("name", list(PIPE_CASES))
def test_a_closed_stdout_keeps_the_exit_code(name: str, tmp_path: Path) -> None:
    _pipe_project(tmp_path)
    args, code = PIPE_CASES[name]
    result = subprocess.run(
        ["sh", "-c", 'exec "$@" >&-', "sh", sys.executable, "-m", "wsgen", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
