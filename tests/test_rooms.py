"""Rooms in one process: the in-memory backend of a spec generated here with the real CLI.

Through FastAPI's TestClient: a connection joins its room after accept, a publish reaches
everyone in the room (the sender too, or everyone else), and the room is left however
the connection ends: the client leaving, the server closing, the handler raising. What
TestClient cannot do (cancel a connection's task from outside, a client that stops
reading) is driven as a scripted ASGI exchange with the same generated app. Every test
ends with the rooms empty: nothing leaks.

The room_chat example (redis backend) runs here without REDIS_URL: in memory, saying so.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from _apps import EXAMPLES, generate, import_isolated
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect
from test_messages import deadline  # noqa: F401  (autouse: every test is bounded)

SPEC = """\
version: 1
output: wsr_rooms/routes
messages:
  say:
    fields:
      text: {type: str}
  note:
    fields:
      text: {type: str}
  other: {}
app:
  include:
    - router: chat
routers:
  chat:
    websockets:
      - path: /room/{room_id}/{shard:int}
        name: room
        handler: wsr_rooms.handlers:room
        room: "{room_id}.{shard}"
        receive: [say]
        send: [note]
"""

# Each line the client sends is a command: the handler's ways to end, and two publishes.
HANDLERS = """\
import asyncio

from wsr_rooms.routes.messages import ChatRoomConnection, Note, Other


async def room(conn: ChatRoomConnection, room_id: str, shard: int) -> None:
    await conn.accept()
    await conn.send(Note(text=f"in {conn.room}"))
    async for message in conn:
        command, _, text = message.text.partition(" ")
        if command == "all":
            await conn.publish(Note(text=text))
        elif command == "others":
            await conn.publish(Note(text=text), exclude_sender=True)
        elif command == "close":
            await conn.close(4000)
            return
        elif command == "raise":
            raise RuntimeError("the handler failed")
        elif command == "wrong":
            try:
                await conn.publish(Other())
            except TypeError as error:
                await conn.send(Note(text=str(error)))
"""

WAIT = 5.0  # seconds: a bound against a hang, never expected to pass


@pytest.fixture(scope="module")
def app_modules(tmp_path_factory: pytest.TempPathFactory) -> list[ModuleType]:
    root = tmp_path_factory.mktemp("rooms")
    (root / "spec.yaml").write_text(SPEC)
    package = root / "wsr_rooms"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "handlers.py").write_text(HANDLERS)
    generate(root / "spec.yaml", package / "routes")
    return import_isolated(["wsr_rooms.routes.app", "wsr_rooms.routes.broadcast"], root)


@pytest.fixture()
def client(app_modules: list[ModuleType]) -> Iterator[TestClient]:
    with TestClient(app_modules[0].app) as client:
        yield client
    assert app_modules[1].rooms.members == {}, "a socket was left in a room"


@pytest.fixture()
def rooms(app_modules: list[ModuleType]) -> Any:
    return app_modules[1].rooms


def until(condition: Callable[[], bool]) -> None:
    """Wait for the server's side of a disconnect, which runs on the app's own thread."""
    end = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < end, "the condition did not come true"
        time.sleep(0.005)


def test_the_package_has_no_redis(app_modules: list[ModuleType]) -> None:
    source = Path(app_modules[1].__file__ or "").read_text()
    assert "redis" not in source
    assert not hasattr(app_modules[1], "lifespan")


def test_publish_reaches_the_room_and_only_it(client: TestClient, rooms: Any) -> None:
    with (
        client.websocket_connect("/room/red/1") as ann,
        client.websocket_connect("/room/red/1") as bob,
        client.websocket_connect("/room/red/2") as cat,
    ):
        for ws, room in ((ann, "red.1"), (bob, "red.1"), (cat, "red.2")):
            assert ws.receive_json() == {"type": "note", "text": f"in {room}"}
        assert rooms.size("red.1") == 2 and rooms.size("red.2") == 1
        ann.send_json({"type": "say", "text": "all hello"})
        assert ann.receive_json() == {"type": "note", "text": "hello"}
        assert bob.receive_json() == {"type": "note", "text": "hello"}
        bob.send_json({"type": "say", "text": "others just you"})
        assert ann.receive_json() == {"type": "note", "text": "just you"}
        # cat is in another room: the next thing it gets is its own publish
        cat.send_json({"type": "say", "text": "all mine"})
        assert cat.receive_json() == {"type": "note", "text": "mine"}
        # bob left himself out: his next frame is ann's next publish
        ann.send_json({"type": "say", "text": "all again"})
        assert bob.receive_json() == {"type": "note", "text": "again"}
        assert ann.receive_json() == {"type": "note", "text": "again"}
    until(lambda: rooms.members == {})


def test_publish_refuses_a_model_the_route_does_not_send(client: TestClient) -> None:
    with client.websocket_connect("/room/typed/1") as ws:
        ws.receive_json()
        ws.send_json({"type": "say", "text": "wrong"})
        assert ws.receive_json() == {
            "type": "note",
            "text": "Other is not sent by this route",
        }


def test_client_disconnect_leaves(client: TestClient, rooms: Any) -> None:
    with client.websocket_connect("/room/gone/1") as ws:
        ws.receive_json()
        assert rooms.size("gone.1") == 1
    until(lambda: rooms.size("gone.1") == 0)


def test_server_close_leaves(client: TestClient, rooms: Any) -> None:
    with (
        client.websocket_connect("/room/shut/1") as ws,
        client.websocket_connect("/room/shut/1") as peer,
    ):
        ws.receive_json()
        peer.receive_json()
        ws.send_json({"type": "say", "text": "close"})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4000
        # Left before the close frame went out: one member is left, and gets this.
        assert rooms.size("shut.1") == 1
        peer.send_json({"type": "say", "text": "all still here"})
        assert peer.receive_json() == {"type": "note", "text": "still here"}


def test_handler_exception_leaves(client: TestClient, rooms: Any) -> None:
    with (
        pytest.raises(RuntimeError, match="the handler failed"),
        client.websocket_connect("/room/boom/1") as ws,
    ):
        ws.receive_json()
        assert rooms.size("boom.1") == 1
        ws.send_json({"type": "say", "text": "raise"})
        ws.receive_json()
    assert rooms.size("boom.1") == 0


# --- a scripted ASGI exchange: cancellation and a client that stops reading -------------


class Peer:
    """One WebSocket connection to the app as ASGI: what it sends waits in ``inbox``;
    with ``stalled`` every frame after the first blocks for ever (a client that stopped
    reading), while a close still gets through."""

    def __init__(self, app: Any, path: str, stalled: bool = False) -> None:
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.inbox.put_nowait({"type": "websocket.connect"})
        self.sent: list[dict[str, Any]] = []
        self.stalled = stalled
        scope = {
            "type": "websocket",
            "asgi": {"version": "3.0"},
            "scheme": "ws",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [],
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
            "subprotocols": [],
        }
        self.task = asyncio.create_task(app(scope, self.inbox.get, self._send))

    async def _send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)
        frames = [m for m in self.sent if m["type"] == "websocket.send"]
        if self.stalled and message["type"] == "websocket.send" and len(frames) > 1:
            await asyncio.Event().wait()

    def say(self, text: str) -> None:
        self.inbox.put_nowait({"type": "websocket.receive", "text": text})

    def texts(self) -> list[str]:
        return [m["text"] for m in self.sent if m["type"] == "websocket.send"]


async def settle(condition: Callable[[], bool]) -> None:
    end = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < end, "the condition did not come true"
        await asyncio.sleep(0.001)


def test_cancelled_connection_leaves(app_modules: list[ModuleType]) -> None:
    app, broadcast = app_modules

    async def scenario() -> None:
        peer = Peer(app.app, "/room/cancel/1")
        await settle(lambda: broadcast.rooms.size("cancel.1") == 1)
        peer.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await peer.task
        assert broadcast.rooms.size("cancel.1") == 0

    asyncio.run(scenario())


def test_a_stalled_member_is_closed_with_1013_and_others_get_everything(
    app_modules: list[ModuleType],
) -> None:
    app, broadcast = app_modules
    limit = broadcast.QUEUE_SIZE
    count = limit + 10

    async def scenario() -> None:
        talker = Peer(app.app, "/room/slow/1")
        stalled = Peer(app.app, "/room/slow/1", stalled=True)
        await settle(lambda: broadcast.rooms.size("slow.1") == 2)
        await settle(lambda: len(stalled.texts()) == 1)  # its welcome went out
        for n in range(count):
            talker.say(f'{{"type":"say","text":"all {n}"}}')
        await settle(lambda: len(talker.texts()) == count + 1)
        assert talker.texts()[1:] == [
            f'{{"type":"note","text":"{n}"}}' for n in range(count)
        ]
        closes = [m for m in stalled.sent if m["type"] == "websocket.close"]
        assert [c["code"] for c in closes] == [1013]
        assert broadcast.rooms.size("slow.1") == 1
        for peer in (talker, stalled):
            peer.inbox.put_nowait({"type": "websocket.disconnect", "code": 1000})
        await asyncio.wait_for(asyncio.gather(talker.task, stalled.task), WAIT)
        assert broadcast.rooms.members == {}

    asyncio.run(scenario())


# --- the example: redis backend, no REDIS_URL ----------------------------------------


def test_example_without_redis_url_keeps_rooms_in_memory(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    app, broadcast = import_isolated(
        ["room_chat_app.routes.app", "room_chat_app.routes.broadcast"],
        EXAMPLES / "room_chat",
    )
    with caplog.at_level(logging.WARNING), TestClient(app.app) as client:
        assert "REDIS_URL is not set: rooms are local to this process" in caplog.text
        with (
            client.websocket_connect("/rooms/lobby?user=ann") as ann,
            client.websocket_connect("/rooms/lobby?user=bob") as bob,
        ):
            assert ann.receive_json() == {"type": "joined", "user": "bob"}
            bob.send_json({"type": "say", "text": "hi"})
            said = {"type": "said", "user": "bob", "text": "hi"}
            assert ann.receive_json() == said and bob.receive_json() == said
            assert broadcast.rooms.size("chat:lobby") == 2
        until(lambda: broadcast.rooms.members == {})
