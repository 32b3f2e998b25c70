"""Rooms are typed: mypy --strict on the room_chat example (redis backend, so the relay's
use of redis.asyncio is checked too), and publishing a message the route does not send is
a type error, as sending one is.

The generated package stands alone: broadcast.py imports redis only inside the relay,
which runs only when the URL's variable is set, so the app imports without it.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

from _apps import EXAMPLES, clean_env
from test_messages_typing import errors, line_of, mypy

EXAMPLE = EXAMPLES / "room_chat"
PACKAGE = "room_chat_app"

MISUSE = """\
from room_chat_app.routes.messages import ChatRoomConnection, Joined, Ping, Said, Say


async def publishes(conn: ChatRoomConnection) -> None:
    await conn.publish(Said(user="u", text="t"))
    await conn.publish(Joined(user="u"), exclude_sender=True)
    await conn.publish(Ping())
    await conn.publish(Say(text="t"))  # misuse
    name: str = conn.room
    print(name)
"""


def test_example_passes_mypy_strict_and_publish_is_typed(
    tmp_path: Path,
) -> None:
    root = tmp_path / "room_chat"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__"))
    cache = tmp_path / "cache"
    clean = mypy(root, cache, PACKAGE)
    assert clean.returncode == 0 and clean.stdout.strip() == "", clean.stdout
    misuse = root / PACKAGE / "misuse.py"
    misuse.write_text(MISUSE, encoding="utf-8")
    result = mypy(root, cache, PACKAGE)
    found = errors(result)
    where = (f"{PACKAGE}/misuse.py", line_of(misuse, "# misuse"))
    assert set(found) == {where}, result.stdout
    assert 'incompatible type "Say"; expected "Said | Joined | Ping"' in found[where]


def test_broadcast_imports_redis_only_inside_the_relay() -> None:
    path = EXAMPLE / PACKAGE / "routes" / "broadcast.py"
    tree = ast.parse(path.read_text("utf-8"))
    top = {
        alias.name.split(".")[0]
        for node in tree.body
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
    }
    assert "redis" not in top
    assert top <= set(sys.stdlib_module_names) | {"fastapi"}
    # ... and the app imports, and serves its rooms in memory, where redis is blocked.
    script = (
        "import sys\n"
        "sys.modules['redis'] = None\n"
        "from fastapi.testclient import TestClient\n"
        "from room_chat_app.routes.app import app\n"
        "with TestClient(app) as client:\n"
        "    with client.websocket_connect('/rooms/r?user=u') as ws:\n"
        "        ws.send_json({'type': 'say', 'text': 'hi'})\n"
        "        print(ws.receive_json())\n"
    )
    env = {k: v for k, v in clean_env().items() if k != "REDIS_URL"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=EXAMPLE,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{'type': 'said', 'user': 'u', 'text': 'hi'}"
