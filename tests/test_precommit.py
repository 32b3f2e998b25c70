"""The hooks of ``.pre-commit-hooks.yaml``, run by the real ``pre-commit`` tool.

The hook repository is a snapshot of this checkout's working tree (tracked and untracked,
not ignored, files), committed in a temporary git repository, so the test covers uncommitted
edits and new files too; ``pre-commit try-repo`` on the checkout itself would see only HEAD
plus changes to tracked files. Each test works in a fresh temporary git project.

``try-repo`` always builds the hook environment in a throw-away store (it ignores
``PRE_COMMIT_HOME``), so it runs once, on the cases the hooks exist for: a valid spec, an
invalid one and a stale tree. The other tests use the ``.pre-commit-config.yaml`` a user
writes (the README's), with ``PRE_COMMIT_HOME`` shared by the session: one environment build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from _apps import clean_env

pytestmark = pytest.mark.slow

pytest.importorskip("pre_commit", reason="pre-commit is in the 'test' extra")
if shutil.which("git") is None:  # pragma: no cover - git is needed by pre-commit itself
    pytest.skip("pre-commit needs git on PATH", allow_module_level=True)

REPO = Path(__file__).resolve().parents[1]

SPEC = """\
version: 1
output: chat_app/routes
routers:
  chat:
    prefix: /chat
    websockets:
      - path: /room/{room_id}
        handler: chat_app.handlers:chat_room
"""

# Line 4, column 13: the value of `prefix`.
BROKEN_SPEC = """\
version: 1
routers:
  chat:
    prefix: /chat/
    websockets:
      - path: /room
        handler: chat_app.handlers:room
"""
BROKEN_LINE = (
    "routers.chat.prefix: '/chat/' must not end with '/' (FastAPI asserts this when "
    "the router is created); use '/chat'"
)

PYPROJECT = """\
[project]
name = "chat-app"
version = "0"

[tool.wsgen]
spec = "wsgen.yaml"
"""

# What the README tells users to add, pointing at the snapshot.
USER_CONFIG = """\
repos:
  - repo: {repo}
    rev: {rev}
    hooks:
      - id: wsgen-validate{validate_extra}
      - id: wsgen-check
      # Test-only: `wsgen generate` from the same hook environment (same wsgen), so the
      # tree the tests commit is exactly what the hooks expect.
      - id: wsgen-check
        alias: wsgen-generate
        name: wsgen generate
        entry: wsgen generate
        stages: [manual]
"""

GENERATED = ("__init__.py", "chat.py")


def _env(home: Path | None = None) -> dict[str, str]:
    """No outer git, pre-commit or user git configuration leaks into the runs."""
    env = {
        key: value
        for key, value in clean_env().items()
        if not key.startswith(("GIT_", "PRE_COMMIT")) and key != "SKIP"
    }
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        NO_COLOR="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    if home is not None:
        env["PRE_COMMIT_HOME"] = str(home)
    return env


def git(*args: str, cwd: Path) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


def init_repo(folder: Path) -> None:
    git("init", "-q", cwd=folder)
    git("config", "user.name", "wsgen tests", cwd=folder)
    git("config", "user.email", "wsgen-tests@example.invalid", cwd=folder)
    git("config", "commit.gpgsign", "false", cwd=folder)


def commit_all(folder: Path, message: str) -> None:
    git("add", "-A", cwd=folder)
    git("commit", "-q", "--no-verify", "-m", message, cwd=folder)


def pre_commit(
    *args: str, cwd: Path, home: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``pre-commit ARGS``; stdout and stderr together, as a user sees them."""
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args, "--color", "never"],
        cwd=cwd,
        env=_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
        check=False,
    )


def _working_tree_files() -> list[Path]:
    """The checkout's files, as git would commit them with ``git add -A``."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        env=_env(),
        capture_output=True,
        check=False,
    )
    if listed.returncode == 0:
        names = [n for n in listed.stdout.decode().split("\0") if n]
        return [Path(n) for n in names if (REPO / n).is_file()]
    # Not a git checkout (an unpacked sdist, say): everything but caches and environments.
    skip = {".git", ".venv", "__pycache__", "build", "dist", ".tox", ".nox"}
    files = []
    for folder, dirs, names in os.walk(REPO):
        dirs[:] = [
            d for d in dirs if d not in skip and not d.endswith((".egg-info", "_cache"))
        ]
        files += [Path(folder, n).relative_to(REPO) for n in names]
    return files


@dataclass(frozen=True)
class HookRepo:
    path: Path
    rev: str


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> HookRepo:
    assert (REPO / ".pre-commit-hooks.yaml").is_file()
    root = tmp_path_factory.mktemp("hook-repo")
    for relative in _working_tree_files():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / relative, root / relative)
    init_repo(root)
    commit_all(root, "snapshot of the wsgen checkout")
    return HookRepo(root, git("rev-parse", "HEAD", cwd=root).strip())


@pytest.fixture(scope="session")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """PRE_COMMIT_HOME for the session: the hook environment is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def write_config(project: Path, hook_repo: HookRepo, validate_extra: str = "") -> None:
    (project / ".pre-commit-config.yaml").write_text(
        USER_CONFIG.format(
            repo=hook_repo.path, rev=hook_repo.rev, validate_extra=validate_extra
        ),
        encoding="utf-8",
    )


def regenerate(project: Path, home: Path) -> None:
    git("add", "-A", cwd=project)  # pre-commit only sees files git knows
    result = pre_commit(
        "run",
        "wsgen-generate",
        "--hook-stage",
        "manual",
        "--all-files",
        cwd=project,
        home=home,
    )
    # pre-commit fails a hook that changes tracked files; that is this hook's job here.
    ok = result.returncode == 0 or (
        "- files were modified by this hook" in result.stdout
        and "- exit code:" not in result.stdout
    )
    assert ok, result.stdout


@pytest.fixture
def project(tmp_path: Path, hook_repo: HookRepo, home: Path) -> Path:
    """A committed git project: spec, [tool.wsgen], user config, up-to-date routes."""
    project = tmp_path / "project"
    project.mkdir()
    init_repo(project)
    (project / "wsgen.yaml").write_text(SPEC, encoding="utf-8")
    (project / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    write_config(project, hook_repo)
    regenerate(project, home)
    routes = project / "chat_app" / "routes"
    assert sorted(p.name for p in routes.iterdir()) == sorted(GENERATED)
    commit_all(project, "chat app")
    return project


def make_stale(project: Path) -> None:
    """Edit the spec (still valid) without regenerating, and stage it."""
    spec = project / "wsgen.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("/chat", "/talk"), encoding="utf-8"
    )
    git("add", "wsgen.yaml", cwd=project)


def assert_stale_report(output: str) -> None:
    assert "--- a/chat_app/routes/chat.py" in output
    assert "+++ b/chat_app/routes/chat.py" in output
    assert '-router = APIRouter(prefix="/chat")' in output
    assert '+router = APIRouter(prefix="/talk")' in output
    assert "changed: chat_app/routes/chat.py" in output
    assert "chat_app/routes is out of date with its spec" in output


def hook_line(output: str, name: str) -> str:
    """pre-commit's status line for the hook called ``name`` ("name....Passed")."""
    lines = [line for line in output.splitlines() if line.startswith(name + ".")]
    assert len(lines) == 1, output
    return lines[0]


# --- pre-commit try-repo: the hook repository as pre-commit fetches it ----------------------


def test_try_repo_fails_an_invalid_spec_and_a_stale_tree(
    project: Path, hook_repo: HookRepo
) -> None:
    (project / "broken.wsgen.yaml").write_text(BROKEN_SPEC, encoding="utf-8")
    git("add", "broken.wsgen.yaml", cwd=project)
    make_stale(project)
    result = pre_commit(
        "try-repo",
        str(hook_repo.path),
        "--ref",
        hook_repo.rev,
        "--all-files",
        cwd=project,
    )
    assert result.returncode == 1, result.stdout
    assert hook_line(result.stdout, "wsgen validate").endswith("Failed")
    assert f"broken.wsgen.yaml:4:13: {BROKEN_LINE}" in result.stdout
    assert "\nwsgen.yaml: valid\n" in result.stdout  # the valid spec passes
    assert hook_line(result.stdout, "wsgen generate --check").endswith("Failed")
    assert_stale_report(result.stdout)


# --- the README's .pre-commit-config.yaml, one shared hook environment ----------------------


def test_both_hooks_pass_a_valid_up_to_date_project(project: Path, home: Path) -> None:
    result = pre_commit("run", "--all-files", cwd=project, home=home)
    assert result.returncode == 0, result.stdout
    assert hook_line(result.stdout, "wsgen validate").endswith("Passed")
    assert hook_line(result.stdout, "wsgen generate --check").endswith("Passed")


def test_validate_passes_a_valid_spec(project: Path, home: Path) -> None:
    result = pre_commit(
        "run", "wsgen-validate", "--files", "wsgen.yaml", cwd=project, home=home
    )
    assert result.returncode == 0, result.stdout
    assert hook_line(result.stdout, "wsgen validate").endswith("Passed")


def test_validate_fails_an_invalid_spec_at_its_line(project: Path, home: Path) -> None:
    (project / "api.wsgen.yml").write_text(BROKEN_SPEC, encoding="utf-8")
    git("add", "api.wsgen.yml", cwd=project)
    result = pre_commit("run", "wsgen-validate", cwd=project, home=home)  # staged files
    assert result.returncode == 1, result.stdout
    assert hook_line(result.stdout, "wsgen validate").endswith("Failed")
    assert f"api.wsgen.yml:4:13: {BROKEN_LINE}" in result.stdout
    assert "1 error found" in result.stdout


def test_validate_default_files_pattern(project: Path, home: Path) -> None:
    """Only files named like specs reach the hook; other YAML is none of its business."""
    for name in ("notes.yaml", "wsgen.yaml.orig", "not-wsgen.yaml"):
        (project / name).write_text(BROKEN_SPEC, encoding="utf-8")
    git("add", "-A", cwd=project)
    result = pre_commit(
        "run", "wsgen-validate", "--all-files", "--verbose", cwd=project, home=home
    )
    assert result.returncode == 0, result.stdout
    assert hook_line(result.stdout, "wsgen validate").endswith("Passed")
    assert "wsgen.yaml: valid" in result.stdout
    assert "notes.yaml" not in result.stdout
    assert "not-wsgen.yaml" not in result.stdout


def test_validate_files_override(
    project: Path, hook_repo: HookRepo, home: Path
) -> None:
    """A `files:` regex in the user's config picks specs named otherwise."""
    (project / "specs").mkdir()
    (project / "specs" / "api.yaml").write_text(BROKEN_SPEC, encoding="utf-8")
    write_config(project, hook_repo, "\n        files: ^specs/.*\\.ya?ml$")
    git("add", "-A", cwd=project)
    result = pre_commit("run", "wsgen-validate", "--all-files", cwd=project, home=home)
    assert result.returncode == 1, result.stdout
    assert f"specs/api.yaml:4:13: {BROKEN_LINE}" in result.stdout
    assert "wsgen.yaml: valid" not in result.stdout  # the default pattern is replaced


def test_check_passes_an_up_to_date_tree(project: Path, home: Path) -> None:
    result = pre_commit("run", "wsgen-check", "--all-files", cwd=project, home=home)
    assert result.returncode == 0, result.stdout
    assert hook_line(result.stdout, "wsgen generate --check").endswith("Passed")


def test_commit_of_a_stale_tree_is_refused(project: Path, home: Path) -> None:
    """Through git itself: the installed hook stops the commit, regenerating fixes it."""
    installed = pre_commit("install", cwd=project, home=home)
    assert installed.returncode == 0, installed.stdout
    head = git("rev-parse", "HEAD", cwd=project)
    make_stale(project)

    refused = subprocess.run(
        ["git", "commit", "-m", "talk, not chat"],
        cwd=project,
        env=_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    assert refused.returncode != 0, refused.stdout
    assert hook_line(refused.stdout, "wsgen generate --check").endswith("Failed")
    assert_stale_report(refused.stdout)
    assert git("rev-parse", "HEAD", cwd=project) == head

    regenerate(project, home)
    git("add", "-A", cwd=project)
    accepted = subprocess.run(
        ["git", "commit", "-m", "talk, not chat"],
        cwd=project,
        env=_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    assert accepted.returncode == 0, accepted.stdout
    assert hook_line(accepted.stdout, "wsgen generate --check").endswith("Passed")
    assert git("rev-parse", "HEAD", cwd=project) != head


def test_validate_imports_nothing_heavy(tmp_path: Path) -> None:
    """wsgen-validate runs on every commit that touches a spec: no FastAPI, black, Jinja."""
    (tmp_path / "wsgen.yaml").write_text(SPEC, encoding="utf-8")
    probe = (
        "import sys\n"
        "from wsgen.cli import main\n"
        "sys.argv = ['wsgen', 'validate', 'wsgen.yaml']\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    heavy = {'fastapi', 'starlette', 'black', 'jinja2'}\n"
        "    print(sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={**clean_env(), "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "wsgen.yaml: valid\n[]\n"


# --- the README's local hooks, with the wsgen of this environment -------------------------


def _readme_block(marker: str) -> str:
    """The fenced block of README.md whose first line is ``marker``, as written there."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index(f"```yaml\n{marker}\n") + len("```yaml\n")
    return readme[start : readme.index("```", start)]


def test_the_readme_local_hooks_work_as_written(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    init_repo(project)
    (project / "wsgen.yaml").write_text(SPEC, encoding="utf-8")
    (project / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    config = _readme_block(
        "# .pre-commit-config.yaml, with the wsgen installed in your environment"
    )
    (project / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    generated = subprocess.run(
        [sys.executable, "-m", "wsgen", "generate"],
        cwd=project,
        env=_env(),
        check=False,
    )
    assert generated.returncode == 0
    commit_all(project, "chat app")
    env = _env(tmp_path / "home")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"  # its wsgen

    def run_hooks() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "pre_commit",
                "run",
                "--all-files",
                "--color",
                "never",
            ],
            cwd=project,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )

    passed = run_hooks()
    assert passed.returncode == 0, passed.stdout
    assert hook_line(passed.stdout, "wsgen validate").endswith("Passed")
    assert hook_line(passed.stdout, "wsgen generate --check").endswith("Passed")

    make_stale(project)
    (project / "broken.wsgen.yaml").write_text(BROKEN_SPEC, encoding="utf-8")
    git("add", "broken.wsgen.yaml", cwd=project)
    failed = run_hooks()
    assert failed.returncode == 1, failed.stdout
    assert f"broken.wsgen.yaml:4:13: {BROKEN_LINE}" in failed.stdout
    assert hook_line(failed.stdout, "wsgen generate --check").endswith("Failed")
    assert_stale_report(failed.stdout)


BREAKING_CONFIG = """\
repos:
  - repo: {repo}
    rev: {rev}
    hooks:
      - id: wsgen-breaking
"""


def test_breaking_fails_a_removed_route_against_head(
    project: Path, hook_repo: HookRepo, home: Path
) -> None:
    (project / ".pre-commit-config.yaml").write_text(
        BREAKING_CONFIG.format(repo=hook_repo.path, rev=hook_repo.rev), encoding="utf-8"
    )
    commit_all(project, "the breaking hook")
    result = pre_commit("run", "wsgen-breaking", "--files", "wsgen.yaml", cwd=project,
                        home=home)  # fmt: skip
    assert result.returncode == 0, result.stdout
    assert (
        "wsgen.yaml: no breaking change" in result.stdout or "Passed" in result.stdout
    )
    spec = project / "wsgen.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("/chat", "/talk"))
    git("add", "wsgen.yaml", cwd=project)
    result = pre_commit("run", "wsgen-breaking", cwd=project, home=home)  # staged
    assert result.returncode == 1, result.stdout
    assert hook_line(result.stdout, "wsgen breaking --against HEAD").endswith("Failed")
    assert "HEAD:wsgen.yaml:7:9: routers.chat.websockets[0]: /chat/room/{room_id}: " \
        "route removed" in result.stdout, result.stdout  # fmt: skip


# --- wsgen-validate-imports ---------------------------------------------------------------

IMPORTS_CONFIG = """\
repos:
  - repo: {repo}
    rev: {rev}
    hooks:
      - id: wsgen-validate-imports
"""


def test_validate_imports_hook_reports_a_missing_handler(
    project: Path, hook_repo: HookRepo, home: Path
) -> None:
    (project / ".pre-commit-config.yaml").write_text(
        IMPORTS_CONFIG.format(repo=hook_repo.path, rev=hook_repo.rev), encoding="utf-8"
    )

    def run_with(handlers: str) -> subprocess.CompletedProcess[str]:
        (project / "chat_app" / "handlers.py").write_text(handlers)
        git("add", "-A", cwd=project)
        return pre_commit(
            "run", "wsgen-validate-imports", "--all-files", cwd=project, home=home
        )

    failed = run_with("async def chat_rom(websocket, room_id): ...\n")
    assert failed.returncode == 1, failed.stdout
    assert hook_line(failed.stdout, "wsgen validate --imports").endswith("Failed")
    assert (
        "wsgen.yaml:8:18: routers.chat.websockets[0].handler: module "
        "'chat_app.handlers' has no attribute 'chat_room'; did you mean 'chat_rom'?"
    ) in failed.stdout

    passed = run_with("async def chat_room(websocket, room_id): ...\n")
    assert passed.returncode == 0, passed.stdout
    assert hook_line(passed.stdout, "wsgen validate --imports").endswith("Passed")
