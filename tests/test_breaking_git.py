"""``wsgen breaking --against REV`` in a real git repository: the old spec is what git
holds at the revision, at the spec's own path (or the ``REV:path`` given)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from _apps import run_wsgen

if shutil.which("git") is None:  # pragma: no cover - CI installs git
    pytest.fail("git is needed on PATH")

SPEC = """\
version: 1
routers:
  chat:
    prefix: /chat
    websockets:
      - path: /room
        handler: app.h:room
      - path: /feed
        handler: app.h:feed
"""
WITHOUT_FEED = SPEC.replace("      - path: /feed\n        handler: app.h:feed\n", "")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com",
         *args],
        check=True, capture_output=True,
    )  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    _git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "README").write_text("before the spec\n")
    _git(tmp_path, "add", "README")
    _git(tmp_path, "commit", "-qm", "start")
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "wsgen.yaml").write_text(SPEC)
    _git(tmp_path, "add", "api")
    _git(tmp_path, "commit", "-qm", "spec")
    return tmp_path


def _json(repo: Path, *args: str) -> tuple[int, list[dict[str, object]]]:
    done = run_wsgen("breaking", *args, "--format", "json", cwd=repo)
    return done.returncode, json.loads(done.stdout)


def test_against_head_locates_a_removal_in_the_revision(repo: Path) -> None:
    (repo / "api" / "wsgen.yaml").write_text(WITHOUT_FEED)
    code, found = _json(repo, "api/wsgen.yaml", "--against", "HEAD")
    assert code == 1
    assert [(f["rule"], f["file"], f["line"], f["column"]) for f in found] == [
        ("route-removed", "HEAD:api/wsgen.yaml", 8, 9)
    ]


def test_unchanged_since_head(repo: Path) -> None:
    assert _json(repo, "api/wsgen.yaml", "--against", "HEAD") == (0, [])


def test_revision_without_the_spec_adds_everything(repo: Path) -> None:
    code, found = _json(repo, "api/wsgen.yaml", "--against", "HEAD~1")
    assert code == 0
    assert [(f["rule"], f["severity"]) for f in found] == [
        ("spec-added", "info"),
        ("route-added", "info"),
        ("route-added", "info"),
    ]
    assert (
        found[0]["message"]
        == "HEAD~1:api/wsgen.yaml does not exist: every route is new"
    )


def test_renamed_spec_is_compared_through_rev_path(repo: Path) -> None:
    """A rename: the new path did not exist at HEAD, which the first finding says; the
    old path, given as REV:path, compares the two files."""
    _git(repo, "mv", "api/wsgen.yaml", "api/chat.wsgen.yaml")
    (repo / "api" / "chat.wsgen.yaml").write_text(WITHOUT_FEED)
    code, found = _json(repo, "api/chat.wsgen.yaml", "--against", "HEAD")
    assert code == 0
    assert "--against HEAD:<its old path>" in str(found[0]["hint"])
    code, found = _json(repo, "api/chat.wsgen.yaml", "--against", "HEAD:api/wsgen.yaml")
    assert code == 1
    assert [(f["rule"], f["file"]) for f in found] == [
        ("route-removed", "HEAD:api/wsgen.yaml")
    ]


def test_a_file_wins_over_a_revision_of_that_name(repo: Path) -> None:
    (repo / "HEAD").write_text(WITHOUT_FEED)
    code, found = _json(repo, "api/wsgen.yaml", "--against", "HEAD")
    assert code == 0
    assert [(f["rule"], f["file"]) for f in found] == [
        ("route-added", "api/wsgen.yaml")
    ]


def test_unknown_revision_is_a_usage_error(repo: Path) -> None:
    done = run_wsgen("breaking", "api/wsgen.yaml", "--against", "nope", cwd=repo)
    assert done.returncode == 2
    assert "--against nope: neither a file nor a git revision" in done.stderr


def test_invalid_spec_at_the_revision_stops_with_2(repo: Path) -> None:
    (repo / "api" / "wsgen.yaml").write_text(SPEC.replace("/chat", "/chat/"))
    _git(repo, "commit", "-qam", "broken")
    (repo / "api" / "wsgen.yaml").write_text(SPEC)
    done = run_wsgen("breaking", "api/wsgen.yaml", "--against", "HEAD", cwd=repo)
    assert done.returncode == 2
    assert done.stderr.startswith("HEAD:api/wsgen.yaml:4:13: routers.chat.prefix:")
