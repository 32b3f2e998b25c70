"""The wheel is complete: installed (not editable) into a fresh virtual environment, the
``wsgen`` command finds its templates and schema from any folder and writes exactly what
this checkout's ``wsgen.generate.generate`` produces.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from _apps import clean_env, make_venv

import wsgen
from wsgen.pipeline import generate_files, load_model

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]

# The spec from the issue that asked for wsgen, verbatim.
ISSUE_SPEC = """\
version: 1
output: chat_app/routes            # generated package, relative to the spec file
dependencies:                      # name -> "module:attribute"
  verify_auth: chat_app.deps:verify_auth
  get_cookie_or_token: chat_app.deps:get_cookie_or_token
app:                               # optional: also generate <output>/app.py
  title: Chat service
  include:                         # app.include_router(...), in this order
    - router: chat
    - router: items
      prefix: /v1
      dependencies: [verify_auth]
routers:
  chat:                            # -> <output>/chat.py, module variable `router`
    prefix: /chat
    dependencies: [verify_auth]    # APIRouter(dependencies=[Depends(verify_auth)])
    websockets:
      - path: /room/{room_id}
        handler: chat_app.handlers:chat_room
        description: Join a chat room.
  items:
    websockets:
      - path: /items
        name: read_items
        handler: chat_app.handlers:read_items
        dependencies: [verify_auth]          # decorator-level
        params:
          session: {depends: get_cookie_or_token}
          q: {in: query, type: int, required: false}
          x_token: {in: header, type: str, alias: X-Token}
      - path: /raw
        kind: starlette                      # websocket_route: no params, no dependencies
        handler: chat_app.handlers:raw
"""

BAD_SPEC = """\
version: 1
routers:
  chat:
    prefix: /chat/
    websockets:
      - path: /room
        handler: chat_app.handlers:room
"""


@dataclass(frozen=True)
class Installed:
    wheel: Path
    env_dir: Path
    python: Path
    wsgen: Path


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(REPO)],
        check=True,
        capture_output=True,
        env=clean_env(),
    )
    (wheel,) = dist.glob("wsgen-*.whl")
    env_dir = tmp_path_factory.mktemp("wheel-env") / "venv"
    python = make_venv(env_dir, str(wheel))
    return Installed(wheel, env_dir, python, env_dir / "bin" / "wsgen")


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A working folder that is not inside the repository."""
    assert REPO not in tmp_path.resolve().parents
    return tmp_path


def _run(args: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )


def wheel_bytes(wheel: Path, name: str) -> bytes:
    with zipfile.ZipFile(wheel) as archive:
        return archive.read(name)


def test_wheel_ships_templates_and_schema(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
        schema = wheel.read("wsgen/schemas/wsgen.schema.json")
        templates = {n for n in names if n.startswith("wsgen/templates/")}
        shipped = {n: wheel.read(n) for n in templates}
    assert schema == (REPO / "schemas" / "wsgen.schema.json").read_bytes()
    expected = {
        f"wsgen/templates/{p.name}"
        for p in (REPO / "templates").iterdir()
        if p.is_file()
    }
    for extra in ("diagnostics.schema.json", "routes.schema.json"):
        assert (
            wheel_bytes(installed.wheel, f"wsgen/schemas/{extra}")
            == (REPO / "schemas" / extra).read_bytes()
        )
    assert expected, "no templates in the checkout"
    assert templates == expected
    for name, data in shipped.items():
        assert data == (REPO / "templates" / Path(name).name).read_bytes(), name


def test_installed_package_is_not_the_checkout(
    installed: Installed, outside: Path
) -> None:
    result = _run(
        [
            installed.python,
            "-c",
            (
                "import wsgen, wsgen.resources as r; print(wsgen.__file__); "
                "print(r.schema_path()); print(r.resource_dir('templates'))"
            ),
        ],
        cwd=outside,
    )
    assert result.returncode == 0, result.stderr
    site = installed.env_dir.resolve()
    paths = [Path(line).resolve() for line in result.stdout.splitlines()]
    assert len(paths) == 3
    for path in paths:
        assert site in path.parents, path
        assert REPO not in path.parents, path


def test_version(installed: Installed, outside: Path) -> None:
    result = _run([installed.wsgen, "--version"], cwd=outside)
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        f"wsgen {wsgen.__version__}\n",
        "",
    )


def test_generate_from_another_folder_matches_the_checkout(
    installed: Installed, outside: Path
) -> None:
    project = outside / "project"
    project.mkdir()
    spec_path = project / "wsgen.yaml"
    spec_path.write_text(ISSUE_SPEC, encoding="utf-8")

    # Run from the parent folder: the output folder is relative to the spec, not the cwd.
    result = _run([installed.wsgen, "generate", "project/wsgen.yaml"], cwd=outside)
    assert result.returncode == 0, result.stderr

    spec, _ = load_model(spec_path)
    expected = generate_files(spec)
    assert set(expected) == {"__init__.py", "app.py", "chat.py", "items.py"}
    out = project / "chat_app" / "routes"
    written = {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file()
    }
    # The installed wheel and this checkout are the same wsgen: the same bytes, and
    # nothing beside the modules.
    assert written == {name: text.encode("utf-8") for name, text in expected.items()}
    assert "Traceback" not in result.stderr


def test_generate_with_output_option(installed: Installed, outside: Path) -> None:
    (outside / "wsgen.yaml").write_text(ISSUE_SPEC, encoding="utf-8")
    result = _run(
        [installed.wsgen, "generate", "wsgen.yaml", "-o", "elsewhere/pkg"], cwd=outside
    )
    assert result.returncode == 0, result.stderr
    spec, _ = load_model(outside / "wsgen.yaml")
    for name, text in generate_files(spec).items():
        assert (outside / "elsewhere" / "pkg" / name).read_text(
            encoding="utf-8"
        ) == text
    assert not (outside / "chat_app").exists()


def test_validate(installed: Installed, outside: Path) -> None:
    (outside / "wsgen.yaml").write_text(ISSUE_SPEC, encoding="utf-8")
    (outside / "bad.yaml").write_text(BAD_SPEC, encoding="utf-8")

    good = _run([installed.wsgen, "validate", "wsgen.yaml"], cwd=outside)
    assert good.returncode == 0, good.stderr
    assert good.stdout == "wsgen.yaml: valid\n"

    bad = _run([installed.wsgen, "validate", "wsgen.yaml", "bad.yaml"], cwd=outside)
    assert bad.returncode == 1
    assert bad.stdout == "wsgen.yaml: valid\n"
    assert (
        "bad.yaml:4:13: routers.chat.prefix: '/chat/' must not end with '/' "
        "(FastAPI asserts this when the router is created); use '/chat'\n"
    ) in bad.stderr
    assert "Traceback" not in bad.stderr
