"""The manifest shortcut: an unchanged spec and tree are known without reading the spec.

Which path a run took is read from WSGEN_PHASES: the full path has a "load" phase, the
shortcut has only "manifest". Every test also checks the answer itself, because the shortcut
must never change what a run says or writes, only how long it takes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _apps import REPO, run_wsgen

from wsgen import manifest

SPEC = """\
version: 1
output: gen/routes   # the package
dependencies:
  verify_auth: deps:verify_auth
app:
  include:
    - router: chat
    - router: raw
routers:
  chat:
    prefix: /chat
    websockets:
      - path: /room/{room_id:int}
        handler: h:room
        params:
          q: {in: query, type: int, required: false, ge: 1}
  raw:
    dependencies: [verify_auth]
    websockets:
      - path: /raw
        kind: starlette
        handler: h:raw
"""
OUT = Path("gen/routes")
MODULES = ["__init__.py", "app.py", "chat.py", "raw.py"]


def wsgen(cwd: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run the CLI; the result and the names of the phases the run went through."""
    os.environ["WSGEN_PHASES"] = "1"
    try:
        result = run_wsgen(*args, cwd=cwd)
    finally:
        del os.environ["WSGEN_PHASES"]
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    timings = [line for line in lines if line.startswith("wsgen-phases ")]
    assert len(timings) == 1, result.stderr
    result.stderr = "\n".join(line for line in lines if line not in timings)
    return result, set(json.loads(timings[0].split(" ", 1)[1]))


def read_full_spec(phases: set[str]) -> bool:
    return "load" in phases


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "wsgen.yaml").write_text(SPEC, encoding="utf-8")
    first, phases = wsgen(tmp_path, "generate", "wsgen.yaml")
    assert first.returncode == 0, first.stderr
    assert read_full_spec(phases)
    assert f"wrote {OUT / manifest.NAME}" in first.stdout.splitlines()
    return tmp_path


def test_an_unchanged_tree_is_known_without_reading_the_spec(project: Path) -> None:
    full_check = None
    for args in (["--check"], [], ["--diff"], ["--dry-run"]):
        result, phases = wsgen(project, "generate", "wsgen.yaml", *args)
        assert result.returncode == 0, result.stderr
        assert not read_full_spec(phases), args
        assert "manifest" in phases
        if args == ["--check"]:
            full_check = result
    assert full_check is not None
    assert full_check.stdout == f"{OUT}: up to date\n"
    # The warning of the starlette route is shown again, exactly as a full run shows it.
    assert full_check.stderr.count("warning:") == 1
    (project / OUT / manifest.NAME).unlink()
    slow, phases = wsgen(project, "generate", "wsgen.yaml", "--check")
    assert read_full_spec(phases)
    assert slow.stdout == full_check.stdout
    assert slow.stderr.splitlines()[0] == full_check.stderr.splitlines()[0]


def test_warnings_come_back_in_every_format(project: Path) -> None:
    for fmt in ("json", "github"):
        fast, phases = wsgen(
            project, "generate", "wsgen.yaml", "--check", "--format", fmt
        )
        assert not read_full_spec(phases)
        saved = (project / OUT / manifest.NAME).read_bytes()
        (project / OUT / manifest.NAME).unlink()
        slow, phases = wsgen(
            project, "generate", "wsgen.yaml", "--check", "--format", fmt
        )
        assert read_full_spec(phases)
        (project / OUT / manifest.NAME).write_bytes(saved)
        assert fast.stdout == slow.stdout
        assert "starlette" in fast.stdout


@pytest.mark.parametrize(
    "edit",
    ["hand edit", "deleted", "stray module of the spec", "symlink", "folder"],
)
def test_a_changed_tree_is_still_caught(project: Path, edit: str) -> None:
    out = project / OUT
    if edit == "hand edit":
        chat = out / "chat.py"
        chat.write_text(chat.read_text().replace("ge=1", "ge=0"))
        expected = "changed: gen/routes/chat.py"
    elif edit == "deleted":
        (out / "raw.py").unlink()
        expected = "missing: gen/routes/raw.py"
    elif edit == "stray module of the spec":
        (out / "old.py").write_text((out / "chat.py").read_text())
        expected = "extra: gen/routes/old.py"
    elif edit == "symlink":
        (out / "raw.py").unlink()
        (out / "raw.py").symlink_to(out / "chat.py")
        expected = "symbolic link"
    else:
        (out / "raw.py").unlink()
        (out / "raw.py").mkdir()
        expected = "is a folder where wsgen would write a file"
    result, phases = wsgen(project, "generate", "wsgen.yaml", "--check")
    assert result.returncode != 0
    assert expected in result.stderr
    assert read_full_spec(phases)


def test_a_module_of_another_spec_in_the_folder_does_not_matter(project: Path) -> None:
    other = (
        (project / OUT / "chat.py").read_text().replace("'wsgen.yaml'", "'other.yaml'")
    )
    (project / OUT / "other.py").write_text(other)
    result, phases = wsgen(project, "generate", "wsgen.yaml", "--check")
    assert result.returncode == 0, result.stderr
    assert not read_full_spec(phases)


def test_a_comment_in_the_spec_costs_one_slow_check_and_one_manifest_write(
    project: Path,
) -> None:
    out = project / OUT
    before = {n: (out / n).read_bytes() for n in MODULES}
    with (project / "wsgen.yaml").open("a") as spec:
        spec.write("# a comment changes the bytes, not the output\n")
    check, phases = wsgen(project, "generate", "wsgen.yaml", "--check")
    assert check.returncode == 0, check.stderr
    assert read_full_spec(phases)
    assert f"note: {OUT / manifest.NAME} is missing or out of date" in check.stderr

    regenerated, _ = wsgen(project, "generate", "wsgen.yaml")
    assert regenerated.stdout.splitlines() == [
        f"wrote {OUT / manifest.NAME}",
        f"{OUT}: 4 files, 0 changed",
    ]
    assert {n: (out / n).read_bytes() for n in MODULES} == before
    again, phases = wsgen(project, "generate", "wsgen.yaml", "--check")
    assert again.returncode == 0
    assert not read_full_spec(phases)
    assert "note:" not in again.stderr


def test_an_edited_spec_is_read_and_its_tree_reported_stale(project: Path) -> None:
    spec = project / "wsgen.yaml"
    spec.write_text(SPEC.replace("/room/", "/rooms/"))
    result, phases = wsgen(project, "generate", "wsgen.yaml", "--check")
    assert result.returncode == 1
    assert "changed: gen/routes/chat.py" in result.stderr
    assert read_full_spec(phases)


@pytest.mark.parametrize(
    "damage",
    ["garbage", "other wsgen", "other format", "files not a mapping", "empty"],
)
def test_a_damaged_or_foreign_manifest_only_costs_time(
    project: Path, damage: str
) -> None:
    path = project / OUT / manifest.NAME
    document = json.loads(path.read_text())
    entry = document["specs"]["wsgen.yaml"]
    if damage == "garbage":
        path.write_text("{not json")
    elif damage == "other wsgen":  # another wsgen, or another black, made it
        entry["wsgen"] = "0" * 64
        path.write_text(json.dumps(document))
    elif damage == "other format":
        document["format"] = 99
        path.write_text(json.dumps(document))
    elif damage == "files not a mapping":
        entry["files"] = ["chat.py"]
        path.write_text(json.dumps(document))
    else:
        path.write_text("")
    check, phases = wsgen(project, "generate", "wsgen.yaml", "--check")
    assert check.returncode == 0, check.stderr
    assert read_full_spec(phases)
    repaired, _ = wsgen(project, "generate", "wsgen.yaml")
    assert f"wrote {OUT / manifest.NAME}" in repaired.stdout
    check, phases = wsgen(project, "generate", "wsgen.yaml", "--check")
    assert not read_full_spec(phases)


def test_the_manifest_claims_nothing_it_did_not_check(project: Path) -> None:
    # A manifest edited to list a file as it is now, while the spec says otherwise, is not
    # believed: the digest of the spec's bytes is part of the entry.
    path = project / OUT / manifest.NAME
    document = json.loads(path.read_text())
    (project / "wsgen.yaml").write_text(SPEC.replace("ge: 1", "ge: 2"))
    path.write_text(json.dumps(document))
    result, phases = wsgen(project, "generate", "wsgen.yaml", "--check")
    assert result.returncode == 1
    assert "Query(ge=2)" in result.stdout
    assert read_full_spec(phases)


@pytest.mark.parametrize(
    "output_line",
    ["output: 'gen/routes'", 'output: "gen/routes"', "output:   gen/routes  # here"],
)
def test_the_output_folder_is_found_in_the_spec_bytes(
    tmp_path: Path, output_line: str
) -> None:
    (tmp_path / "wsgen.yaml").write_text(
        SPEC.replace("output: gen/routes   # the package", output_line)
    )
    assert wsgen(tmp_path, "generate", "wsgen.yaml")[0].returncode == 0
    result, phases = wsgen(tmp_path, "generate", "wsgen.yaml", "--check")
    assert result.returncode == 0
    assert not read_full_spec(phases)


def test_an_output_written_in_flow_style_takes_the_full_path(tmp_path: Path) -> None:
    (tmp_path / "wsgen.yaml").write_text(
        "{version: 1, output: gen/routes, routers: {chat: {websockets: "
        "[{path: /ws, handler: 'h:ws'}]}}}\n"
    )
    assert wsgen(tmp_path, "generate", "wsgen.yaml")[0].returncode == 0
    result, phases = wsgen(tmp_path, "generate", "wsgen.yaml", "--check")
    assert result.returncode == 0
    assert read_full_spec(phases)  # no plain `output:` line: right, just not instant


# `output: elsewhere` at column 0 is the continuation of a quoted title, and the real
# output is written with an escape (gen/routes), which the line scan does not read.
TRAP = SPEC.replace(
    "output: gen/routes   # the package\n", 'output: "gen/\\x72outes"\n'
).replace("app:\n", 'app:\n  title: "a\noutput: elsewhere\n  b"\n')


def test_a_line_that_only_looks_like_output_never_answers_for_the_spec(
    tmp_path: Path,
) -> None:
    (tmp_path / "wsgen.yaml").write_text(TRAP)
    assert manifest.output_hint(TRAP.encode()) == "elsewhere"
    # "elsewhere" holds an entry for these very bytes, made by `-o elsewhere` ...
    made = wsgen(tmp_path, "generate", "wsgen.yaml", "-o", "elsewhere")[0]
    assert made.returncode == 0, made.stderr
    assert manifest.read(tmp_path / "elsewhere")["wsgen.yaml"].output == "gen/routes"
    # ... but the spec's folder is gen/routes, never generated: the check must say so.
    result, phases = wsgen(tmp_path, "generate", "wsgen.yaml", "--check")
    assert result.returncode == 1
    assert "missing: gen/routes/chat.py" in result.stderr
    assert read_full_spec(phases)


def test_the_recorded_output_must_match_the_one_found(tmp_path: Path) -> None:
    # Generated with -o into "elsewhere"; the spec's own output is gen/routes. A check
    # without -o must look at gen/routes, even though "elsewhere" holds a matching entry
    # for these bytes whose folder name a hint could point at.
    (tmp_path / "wsgen.yaml").write_text(SPEC)
    assert (
        wsgen(tmp_path, "generate", "wsgen.yaml", "-o", "elsewhere")[0].returncode == 0
    )
    entry = manifest.read(tmp_path / "elsewhere")["wsgen.yaml"]
    assert entry.output == "gen/routes"
    assert (
        manifest.unchanged(
            tmp_path / "elsewhere",
            "wsgen.yaml",
            (tmp_path / "wsgen.yaml").read_bytes(),
            "elsewhere",
        )
        is None
    )
    fast, phases = wsgen(
        tmp_path, "generate", "wsgen.yaml", "-o", "elsewhere", "--check"
    )
    assert fast.returncode == 0 and not read_full_spec(phases)
    stale, _ = wsgen(tmp_path, "generate", "wsgen.yaml", "--check")
    assert stale.returncode == 1


def test_two_specs_share_a_folder_and_both_stay_instant(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    for name, router in (("a.yaml", "alpha"), ("b.yaml", "beta")):
        (tmp_path / name).write_text(
            f"version: 1\noutput: routes\nrouters:\n  {router}:\n    websockets:\n"
            f"      - path: /{router}\n        handler: h:{router}\n"
        )
    first, _ = wsgen(tmp_path, "generate", "a.yaml", "b.yaml")
    assert first.returncode == 0, first.stderr
    assert sorted(manifest.read(tmp_path / "routes")) == ["a.yaml", "b.yaml"]
    check, phases = wsgen(tmp_path, "generate", "--check", "a.yaml", "b.yaml")
    assert check.returncode == 0
    assert not read_full_spec(phases)

    # b.yaml is removed and its module deleted by hand: its entry goes at the next write.
    (tmp_path / "b.yaml").unlink()
    (tmp_path / "routes" / "beta.py").unlink()
    (tmp_path / "a.yaml").write_text((tmp_path / "a.yaml").read_text() + "# edited\n")
    assert wsgen(tmp_path, "generate", "a.yaml")[0].returncode == 0
    assert sorted(manifest.read(tmp_path / "routes")) == ["a.yaml"]


def test_the_manifest_is_the_same_bytes_wherever_the_project_lives(
    tmp_path: Path,
) -> None:
    texts = []
    for where in ("one", "two/deeper"):
        folder = tmp_path / where
        folder.mkdir(parents=True)
        (folder / "wsgen.yaml").write_text(SPEC)
        assert wsgen(folder, "generate", "wsgen.yaml")[0].returncode == 0
        texts.append((folder / OUT / manifest.NAME).read_text())
    assert texts[0] == texts[1]
    assert str(tmp_path) not in texts[0]
    document = json.loads(texts[0])
    assert sorted(document["specs"]["wsgen.yaml"]["files"]) == MODULES
    assert (
        document["specs"]["wsgen.yaml"]["warnings"][0]["rule"] == "starlette-unguarded"
    )


def test_wsgen_digest_names_files_by_kind_not_by_place() -> None:
    # A wheel keeps templates/ and schemas/ inside the package, a checkout beside it; the
    # digest must be the same for both, so it may not contain where the files are.
    assert str(REPO) not in manifest.wsgen_digest()
    assert len(manifest.wsgen_digest()) == 64


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("version: 1\noutput: a/b\n", "a/b"),
        ("output: 'a b'  # c\n", "a b"),
        ('output: "x"\r\n', "x"),
        ("output: a\noutput: b\n", None),  # a duplicate key: the full path reports it
        ("  output: nested\n", None),
        ("output: &anchor a\n", None),
        ("output: |\n  a\n", None),
        ("output:\n", None),
        ("routers: {}\n", None),
    ],
)
def test_output_hint(text: str, hint: str | None) -> None:
    assert manifest.output_hint(text.encode()) == hint


def test_an_entry_that_no_run_wrote_is_not_believed(project: Path) -> None:
    # What a clean git merge of two branches can give: the spec digest of one branch (which
    # changed the spec) beside the file digests of the other (which did not).
    path = project / OUT / manifest.NAME
    document = json.loads(path.read_text())
    changed = SPEC.replace("ge: 1", "ge: 2")
    (project / "wsgen.yaml").write_text(changed)
    entry = document["specs"]["wsgen.yaml"]
    entry["spec"] = manifest.digest(changed.encode())
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    assert manifest.read(project / OUT) == {}
    result, phases = wsgen(project, "generate", "wsgen.yaml", "--check")
    assert result.returncode == 1
    assert "changed: gen/routes/chat.py" in result.stderr
    assert read_full_spec(phases)


@pytest.mark.parametrize(
    ("module", "attribute", "value"),
    [
        ("jinja2", "__version__", "0.0"),
        ("yaml", "__version__", "0.0"),
        ("yaml", "__with_libyaml__", None),
        ("unicodedata", "unidata_version", "0.0"),
    ],
)
def test_what_shapes_the_text_is_part_of_the_wsgen_digest(
    monkeypatch: pytest.MonkeyPatch, module: str, attribute: str, value: object
) -> None:
    # repr() escapes by the Unicode database, PyYAML and Jinja turn text into text: a
    # manifest written with other versions of them cannot vouch for these files.
    before = manifest.wsgen_digest.__wrapped__()
    monkeypatch.setattr(__import__(module), attribute, value)
    assert manifest.wsgen_digest.__wrapped__() != before


def _check_in_a_process(project: Path) -> subprocess.CompletedProcess[str]:
    """``generate --check`` as its own process, so a run that would hang times out."""
    return subprocess.run(
        [sys.executable, "-m", "wsgen", "generate", "wsgen.yaml", "--check"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("where", ["notes.py", "raw.py"])
def test_a_fifo_in_the_folder_never_blocks_a_run(project: Path, where: str) -> None:
    fifo = project / OUT / where
    fifo.unlink(missing_ok=True)
    os.mkfifo(fifo)
    answers = []
    for keep in (True, False):
        if not keep:
            (project / OUT / manifest.NAME).unlink()
        result = _check_in_a_process(project)
        answers.append(result.returncode)
        if where == "raw.py":
            assert "is not a regular file where wsgen would write one" in result.stderr
    # A stray FIFO is no module of the spec; one at a module's path is an error.
    assert answers == ([0, 0] if where == "notes.py" else [2, 2])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_manifest_that_is_a_fifo_is_ignored(project: Path) -> None:
    (project / OUT / manifest.NAME).unlink()
    os.mkfifo(project / OUT / manifest.NAME)
    result = _check_in_a_process(project)
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_manifest_linked_to_an_endless_file_is_ignored(project: Path) -> None:
    (project / OUT / manifest.NAME).unlink()
    (project / OUT / manifest.NAME).symlink_to("/dev/zero")
    result = _check_in_a_process(project)
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


@pytest.mark.parametrize("name", ["/dev/zero", "../wsgen.yaml", "sub/chat.py", ".x.py"])
def test_an_entry_naming_a_file_outside_the_folder_is_ignored(
    project: Path, name: str
) -> None:
    """A sealed entry (anyone can compute the seal) that lists a file wsgen never writes
    is not read: the run takes the full path and says the same as without it."""
    path = project / OUT / manifest.NAME
    document = json.loads(path.read_text())
    entry = document["specs"]["wsgen.yaml"]
    entry["files"][name] = manifest.digest(b"")
    del entry["seal"]
    entry["seal"] = manifest._seal(entry)
    path.write_text(json.dumps(document))
    assert manifest.read(project / OUT) == {}
    result, phases = wsgen(project, "generate", "wsgen.yaml", "--check")
    assert result.returncode == 0, result.stderr
    assert read_full_spec(phases)
