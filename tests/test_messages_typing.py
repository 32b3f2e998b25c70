"""Message contracts are typed: mypy --strict on the typed_chat example, and what it refuses.

The example is copied to a temporary folder (so no cache or stray file lands in
``examples/``) and checked there as a user would check their project. A module of misuses
added to the copy shows that sending a message the route does not declare, or reading a
message as the wrong type, is a type error; a handler given another route's connection
is one too, at the generated call.

Last, the generated package stands alone: it imports only the standard library,
FastAPI, pydantic and the project's own modules, never wsgen.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from _apps import EXAMPLES, clean_env

EXAMPLE = EXAMPLES / "typed_chat"
PACKAGE = "typed_chat_app"
GENERATED = EXAMPLE / PACKAGE / "routes"

ERROR_LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): error: (?P<text>.*)$")


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy-cache")


def copy_example(folder: Path) -> Path:
    root = folder / "typed_chat"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def mypy(
    root: Path, cache: Path, package: str = PACKAGE
) -> subprocess.CompletedProcess[str]:
    """``mypy --strict`` on the package, from the project's folder, with no config."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MYPYPATH")}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            "",
            "--cache-dir",
            str(cache),
            "--no-error-summary",
            "--show-error-codes",
            package,
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def errors(result: subprocess.CompletedProcess[str]) -> dict[tuple[str, int], str]:
    """(file, line) -> error text, for every error mypy reported."""
    found: dict[tuple[str, int], str] = {}
    for text in result.stdout.splitlines():
        match = ERROR_LINE.match(text)
        if match:
            key = (Path(match["file"]).as_posix(), int(match["line"]))
            found[key] = f"{found.get(key, '')}{match['text']}"
    return found


def line_of(path: Path, marker: str) -> int:
    (number,) = [
        n
        for n, text in enumerate(path.read_text("utf-8").splitlines(), 1)
        if marker in text
    ]
    return number


def test_example_passes_mypy_strict(tmp_path: Path, mypy_cache: Path) -> None:
    root = copy_example(tmp_path)
    result = mypy(root, mypy_cache)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "", result.stdout


# Each misuse carries a marker and the words its error must contain; the lines without
# a marker are correct uses and must pass.
MISUSE = """\
from datetime import datetime

from typed_chat_app.routes.messages import (
    ChatEvent,
    ChatMessage,
    ChatRoomConnection,
    ClockConnection,
    Ping,
    StrictRoomConnection,
    Tick,
)


async def sends(
    room: ChatRoomConnection, strict: StrictRoomConnection, clock: ClockConnection
) -> None:
    event = ChatEvent(id=1, user="u", text="t", sent_at=datetime(2020, 1, 1))
    await room.send(event)
    await room.send(Ping())
    await strict.send(event)
    await clock.send(Tick(n=0))
    await room.send(ChatMessage(text="t"))  # misuse: room-sends-chat-message
    await strict.send(Tick(n=1))  # misuse: strict-sends-tick
    await strict.send(Ping())  # misuse: strict-sends-ping
    await clock.send(Ping())  # misuse: clock-sends-ping


async def receives(room: ChatRoomConnection, strict: StrictRoomConnection) -> None:
    line: ChatMessage = await strict.receive()
    print(line.text, line.reply_to)
    async for message in room:
        if isinstance(message, Ping):
            continue
        print(message.text)
    tick: Tick = await strict.receive()  # misuse: strict-receives-tick
    any_message = await room.receive()
    print(any_message.text)  # misuse: union-not-narrowed
    print(tick)
"""

EXPECTED_MISUSES = {
    "room-sends-chat-message": (
        'Argument 1 to "send" of "Connection" has incompatible type "ChatMessage";'
        ' expected "ChatEvent | Ping"'
    ),
    "strict-sends-tick": (
        'Argument 1 to "send" of "Connection" has incompatible type "Tick";'
        ' expected "ChatEvent"'
    ),
    "strict-sends-ping": (
        'Argument 1 to "send" of "Connection" has incompatible type "Ping";'
        ' expected "ChatEvent"'
    ),
    "clock-sends-ping": (
        'Argument 1 to "send" of "Connection" has incompatible type "Ping";'
        ' expected "Tick"'
    ),
    "strict-receives-tick": 'expression has type "ChatMessage", variable has type "Tick"',
    "union-not-narrowed": 'Item "Ping" of "ChatMessage | Ping" has no attribute "text"',
}


def test_sending_or_reading_the_wrong_message_is_a_mypy_error(
    tmp_path: Path, mypy_cache: Path
) -> None:
    root = copy_example(tmp_path)
    misuse = root / PACKAGE / "misuse.py"
    misuse.write_text(MISUSE, encoding="utf-8")
    result = mypy(root, mypy_cache)
    assert result.returncode == 1, result.stdout + result.stderr
    found = errors(result)
    expected = {
        (f"{PACKAGE}/misuse.py", line_of(misuse, f"# misuse: {name}")): words
        for name, words in EXPECTED_MISUSES.items()
    }
    # Exactly the misuses fail: the correct uses beside them and the example pass.
    assert set(found) == set(expected), result.stdout
    for key, words in expected.items():
        assert words in found[key], (key, found[key])


def test_a_handler_typed_for_another_route_is_a_mypy_error(
    tmp_path: Path, mypy_cache: Path
) -> None:
    root = copy_example(tmp_path)
    handlers = root / PACKAGE / "handlers.py"
    source = handlers.read_text("utf-8")
    wrong = source.replace(
        "async def clock(conn: ClockConnection) -> None:",
        "async def clock(conn: ChatRoomConnection) -> None:",
    )
    assert wrong != source, "the example's clock handler changed its signature"
    handlers.write_text(wrong, encoding="utf-8")
    result = mypy(root, mypy_cache)
    assert result.returncode == 1, result.stdout + result.stderr
    found = errors(result)
    call = (
        f"{PACKAGE}/routes/chat.py",
        line_of(
            root / PACKAGE / "routes" / "chat.py", "clock_handler(ClockConnection("
        ),
    )
    send = (f"{PACKAGE}/handlers.py", line_of(handlers, "conn.send(Tick(n=n))"))
    assert set(found) == {call, send}, result.stdout
    assert (
        'Argument 1 to "clock" has incompatible type "ClockConnection";'
        ' expected "ChatRoomConnection"'
    ) in found[call]
    assert 'incompatible type "Tick"; expected "ChatEvent | Ping"' in found[send]


# --- the generated package stands alone -------------------------------------------------


def generated_files() -> list[Path]:
    files = sorted(GENERATED.glob("*.py"))
    assert {p.name for p in files} >= {
        "__init__.py",
        "app.py",
        "chat.py",
        "messages.py",
    }
    for path in files:
        assert "Generated by wsgen" in path.read_text("utf-8").splitlines()[0], path
    return files


def imported_modules(path: Path) -> set[str]:
    """Absolute module names imported by ``path``; relative imports as '.name'."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
    return names


@pytest.mark.parametrize("name", [p.name for p in generated_files()])
def test_generated_file_imports_only_stdlib_fastapi_pydantic_and_the_project(
    name: str,
) -> None:
    allowed = set(sys.stdlib_module_names) | {"fastapi", "pydantic", PACKAGE}
    imports = imported_modules(GENERATED / name)
    outside = {
        module
        for module in imports
        if not module.startswith(".") and module.split(".")[0] not in allowed
    }
    assert outside == set(), f"{name} imports {sorted(outside)}"
    assert not any(module.split(".")[0] == "wsgen" for module in imports)


def test_messages_module_imports_fastapi_and_pydantic() -> None:
    """The check above sees the imports: messages.py has both kinds it allows."""
    roots = {m.split(".")[0] for m in imported_modules(GENERATED / "messages.py")}
    assert {"fastapi", "pydantic"} <= roots
    assert roots - {"fastapi", "pydantic"} <= set(sys.stdlib_module_names)


# wsgen and what only wsgen needs: none of it may be imported by the generated package.
BLOCKED = ("wsgen", "jinja2", "yaml", "jsonschema", "typer", "black")

RUN_ALONE = """\
import sys
for name in {blocked!r}:
    sys.modules[name] = None  # any import of it raises ImportError
from fastapi.testclient import TestClient
from typed_chat_app.routes.app import app
from typed_chat_app.routes.messages import ChatMessage
assert ChatMessage.model_validate_json('{{"type":"chat_message","text":"hi"}}').text == "hi"
with TestClient(app) as client, client.websocket_connect("/chat/clock") as ws:
    print(ws.receive_text())
print(sorted(m for m in sys.modules if m.split(".")[0] in {blocked!r} and sys.modules[m]))
"""


def test_generated_package_runs_without_wsgen(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    env = clean_env()
    result = subprocess.run(
        [sys.executable, "-c", RUN_ALONE.format(blocked=BLOCKED)],
        cwd=root,
        env={**env, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == ['{"type":"tick","n":0}', "[]"]
