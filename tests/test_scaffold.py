"""``wsgen scaffold`` through the CLI: on an empty project (the README's walk-through, served
by TestClient and by a real uvicorn), on a partly written one, with typed routes; always
idempotent, in black's layout, and passing ``validate --imports`` afterwards."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from _apps import REPO, import_isolated, run_wsgen
from fastapi.testclient import TestClient
from test_server import RECV_TIMEOUT, uvicorn_server
from websockets.exceptions import ConnectionClosedOK
from websockets.sync.client import connect

PYPROJECT = '[project]\nname = "x"\nversion = "0"\n'


def tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text()
        for p in sorted(root.rglob("*.py"))
    }


def black_check(files: list[Path]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "black", "--check", "-q", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def kept_in_order(old: str, new: str) -> bool:
    """Whether every line of ``old`` is in ``new``, in the same order."""
    lines = iter(new.splitlines())
    return all(any(line == other for other in lines) for line in old.splitlines())


def assert_closes_after_accept(client: TestClient, url: str) -> None:
    with client.websocket_connect(url) as ws:
        message = ws.receive()
        assert message["type"] == "websocket.close"


def readme_walk_through() -> list[list[str]]:
    """The commands of the README's "From nothing to a served app", comments dropped."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## From nothing to a served app") :]
    block = section[section.index("```sh\n") + 6 : section.index("```\n", 10)]
    return [line.split("#")[0].split() for line in block.splitlines()]


def test_the_readme_walk_through(tmp_path: Path) -> None:
    """init, scaffold, generate, uvicorn, as the README writes them: a served app
    without writing any code."""
    commands = readme_walk_through()
    assert [c[0] for c in commands] == ["wsgen", "wsgen", "wsgen", "uvicorn"]
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    for command in commands[:3]:
        result = run_wsgen(*command[1:], cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    written = tree(tmp_path)
    assert sorted(written) == [
        "app/__init__.py",
        "app/deps.py",
        "app/handlers.py",
        "app/routes/__init__.py",
        "app/routes/app.py",
        "app/routes/chat.py",
    ]
    assert (
        "async def chat_room(websocket: WebSocket, room_id: str, nickname: str | None)"
        in written["app/handlers.py"]
    )
    black_check([tmp_path / "app" / "deps.py", tmp_path / "app" / "handlers.py"])
    again = run_wsgen("scaffold", cwd=tmp_path)
    assert again.returncode == 0
    assert again.stdout == "wsgen.yaml: nothing to scaffold\n"
    assert tree(tmp_path) == written  # idempotent
    checked = run_wsgen("validate", "--imports", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr

    [module] = import_isolated(["app.routes.app"], tmp_path)
    with TestClient(module.app) as client:
        assert_closes_after_accept(client, "/chat/rooms/lobby?nickname=ann")

    with (
        uvicorn_server(tmp_path, commands[3][1], tmp_path) as url,
        connect(f"{url}/chat/rooms/lobby", open_timeout=RECV_TIMEOUT) as ws,
        pytest.raises(ConnectionClosedOK),
    ):
        ws.recv(timeout=RECV_TIMEOUT)


def test_dry_run_shows_a_diff_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    assert run_wsgen("init", cwd=tmp_path).returncode == 0
    result = run_wsgen("scaffold", "--dry-run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "+++ b/app/handlers.py" in result.stdout
    assert "+async def chat_room(" in result.stdout
    assert not (tmp_path / "app").exists()


PARTIAL_SPEC = """\
version: 1
output: svc/routes
dependencies:
  auth: svc.deps:auth
  user: svc.deps:current_user
messages:
  note: {fields: {text: {type: str}}}
app:
  include: [{router: main}]
routers:
  main:
    websockets:
      - path: /done
        handler: svc.handlers:done
      - path: /items/{item_id:int}
        handler: svc.handlers:read_item
        dependencies: [auth]
        params:
          tags: {in: query, type: "list[str]", required: false}
          who: {depends: user, type: "svc.models:User"}
          token: {in: header, type: uuid}
      - path: /notes
        handler: svc.more.notes:talk
        receive: [note]
        send: [note]
"""

HANDLERS = '''\
"""Hand-written handlers."""

from fastapi import WebSocket


async def done(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text("mine")
    await websocket.close()
'''


def test_a_partly_written_project(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "wsgen.yaml").write_text(PARTIAL_SPEC)
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "handlers.py").write_text(HANDLERS)
    (tmp_path / "svc" / "deps.py").write_text("def auth() -> None:\n    return None\n")
    result = run_wsgen("scaffold", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    handlers = (tmp_path / "svc" / "handlers.py").read_text()
    assert kept_in_order(HANDLERS, handlers)  # lines inserted, none changed
    assert handlers.count("async def done(") == 1
    assert "async def read_item(" in handlers
    assert "from svc.models import User" in handlers
    deps = (tmp_path / "svc" / "deps.py").read_text()
    assert deps.startswith("def auth() -> None:\n    return None\n")
    assert "def current_user() -> None:" in deps
    notes = (tmp_path / "svc" / "more" / "notes.py").read_text()
    assert "from svc.routes.messages import TalkConnection" in notes
    assert "async def talk(conn: TalkConnection) -> None:" in notes
    assert (tmp_path / "svc" / "more" / "__init__.py").read_text() == ""
    assert not (tmp_path / "svc" / "__init__.py").exists()  # an existing folder stays
    black_check(sorted((tmp_path / "svc").rglob("*.py")))
    before = tree(tmp_path)
    assert run_wsgen("scaffold", cwd=tmp_path).returncode == 0
    assert tree(tmp_path) == before

    assert run_wsgen("generate", cwd=tmp_path).returncode == 0, result.stderr
    checked = run_wsgen("validate", "--imports", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    [module] = import_isolated(["svc.routes.app"], tmp_path)
    with TestClient(module.app) as client:
        with client.websocket_connect("/done") as ws:
            assert ws.receive_text() == "mine"
        token = "12345678-1234-5678-1234-567812345678"
        url = "/items/3?tags=a"
        with client.websocket_connect(url, headers={"token": token}) as ws:
            assert ws.receive()["type"] == "websocket.close"
        assert_closes_after_accept(client, "/notes")


def test_an_invalid_spec_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "wsgen.yaml").write_text(PARTIAL_SPEC.replace("[auth]", "[auht]"))
    result = run_wsgen("scaffold", cwd=tmp_path)
    assert result.returncode == 1
    assert "unknown dependency 'auht'; did you mean 'auth'?" in result.stderr
    assert not (tmp_path / "svc").exists()


def test_scaffold_is_lazy(tmp_path: Path) -> None:
    """validate does not import the scaffold or the import check."""
    probe = (
        "import sys\nfrom wsgen.cli import run\n"
        "run(['validate', 'wsgen.yaml'])\n"
        "print(sorted(m for m in sys.modules if m in "
        "('wsgen.scaffold', 'wsgen.import_check', 'wsgen.probe')))\n"
    )
    (tmp_path / "wsgen.yaml").write_text(PARTIAL_SPEC)
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO), "PATH": ""},
        check=False,
    )
    assert result.stdout.endswith("[]\n"), result.stderr
