"""Message contracts over the wire: the typed_chat example served by a real uvicorn.

The server runs on 127.0.0.1 (the helpers of ``test_server.py``) and the client is the
``websockets`` library, so the close codes and reasons asserted here are the ones a real
client reads from the close frame. A close before ``accept()`` is an HTTP 403 answer to the
handshake on a real server.

A room is named after its test, so tests never share members.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from _apps import EXAMPLES
from test_server import RECV_TIMEOUT, recv_text, rejected_status, uvicorn_server
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

LIMIT = 4096  # max_message_bytes of both room routes


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    logs = tmp_path_factory.mktemp("typed_chat_server")
    with uvicorn_server(
        EXAMPLES / "typed_chat", "typed_chat_app.routes.app:app", logs
    ) as url:
        yield url


@pytest.fixture()
def room(request: pytest.FixtureRequest) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", request.node.name)


def open_ws(url: str) -> ClientConnection:
    return connect(url, open_timeout=RECV_TIMEOUT, close_timeout=RECV_TIMEOUT)


def recv_json(ws: ClientConnection) -> Any:
    return json.loads(recv_text(ws))


def ping(ws: ClientConnection) -> None:
    """A ping round trip: the member is in its room and the connection is open."""
    ws.send('{"type":"ping"}')
    assert recv_json(ws) == {"type": "ping"}


def line(text: str, **extra: Any) -> str:
    return json.dumps(
        {"type": "chat_message", "text": text, **extra}, ensure_ascii=False
    )


def closed_by_server(ws: ClientConnection) -> tuple[int, str]:
    """The code and reason of the close frame the server sends next."""
    with pytest.raises(ConnectionClosed) as caught:
        ws.recv(timeout=RECV_TIMEOUT)
    close = caught.value.rcvd
    assert close is not None, "the connection ended without a close frame"
    return close.code, close.reason


def test_valid_exchange_between_two_clients(server: str, room: str) -> None:
    base = f"{server}/chat/room/{room}"
    with (
        open_ws(f"{base}?user=ann") as ann,
        open_ws(f"{base}?user=bob") as bob,
        open_ws(f"{server}/chat/room/{room}_other?user=cat") as cat,
    ):
        for ws in (ann, bob, cat):
            ping(ws)
        ann.send(line("hello, bob", extra="ignored"))
        first = recv_json(ann)
        assert recv_json(bob) == first
        assert first["type"] == "chat_event"
        assert (first["user"], first["text"], first["reply_to"]) == (
            "ann",
            "hello, bob",
            None,
        )
        assert "extra" not in first
        bob.send(line("hi ann ✓", reply_to=first["id"]))
        for ws in (ann, bob):
            answer = recv_json(ws)
            assert (answer["user"], answer["text"]) == ("bob", "hi ann ✓")
            assert answer["reply_to"] == first["id"]
        ping(cat)  # cat's first frame is its own ping: nothing from the other room


def test_invalid_message_gets_an_error_frame_and_the_connection_stays_open(
    server: str, room: str
) -> None:
    with open_ws(f"{server}/chat/room/{room}?user=ann") as ws:
        ws.send("EVIL-7f3a is not JSON")
        raw = recv_text(ws)
        assert "EVIL-7f3a" not in raw
        frame = json.loads(raw)
        assert set(frame) == {"type", "errors"} and frame["type"] == "error"
        [error] = frame["errors"]
        assert set(error) == {"loc", "msg", "type"}
        assert (error["loc"], error["type"]) == ([], "json_invalid")
        ws.send(line("", reply_to=0))
        errors = json.loads(recv_text(ws))["errors"]
        assert [(e["loc"], e["type"]) for e in errors] == [
            (["text"], "string_too_short"),
            (["reply_to"], "greater_than_equal"),
        ]
        ping(ws)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "not json",
            "invalid message: Invalid JSON: expected ident at line 1 column 2",
        ),
        ('{"text":"hi"}', "invalid message: type: Field required"),
        ('{"type":"ping"}', "invalid message: type: Input should be 'chat_message'"),
        (
            line("é" * 2001),
            "invalid message: text: String should have at most 2000 characters",
        ),
    ],
    ids=["not-json", "missing-type", "other-type", "too-long-multibyte"],
)
def test_strict_route_closes_with_1008(
    server: str, room: str, text: str, reason: str
) -> None:
    with open_ws(f"{server}/chat/strict/{room}?user=ann") as ws:
        ws.send(line("fine"))
        assert recv_json(ws)["text"] == "fine"
        ws.send(text)
        code, got = closed_by_server(ws)
    assert (code, got) == (1008, reason)
    assert len(got.encode()) <= 123


@pytest.mark.parametrize("route", ["room", "strict"])
def test_binary_frame_closes_with_1003(server: str, room: str, route: str) -> None:
    with open_ws(f"{server}/chat/{route}/{room}?user=ann") as ws:
        ws.send(b'{"type":"chat_message","text":"as bytes"}')
        assert closed_by_server(ws) == (1003, "binary messages are not accepted")


def sized(total: int) -> str:
    """A valid chat_message of exactly ``total`` bytes of UTF-8, in 3-byte characters."""
    envelope = '{"type":"chat_message","text":""}'
    room_for = total - len(envelope)
    text = "€" * (room_for // 3) + "a" * (room_for % 3)
    message = f'{{"type":"chat_message","text":"{text}"}}'
    assert len(message.encode()) == total
    return message


@pytest.mark.parametrize("route", ["room", "strict"])
def test_text_over_the_byte_limit_closes_with_1009(
    server: str, room: str, route: str
) -> None:
    at_limit, over = sized(LIMIT), sized(LIMIT + 1)
    assert len(over) <= LIMIT < len(over.encode())
    with open_ws(f"{server}/chat/{route}/{room}?user=ann") as ws:
        ws.send(at_limit)
        assert recv_json(ws)["text"] == json.loads(at_limit)["text"]
        ws.send(over)
        assert closed_by_server(ws) == (1009, "message too big")


def test_bye_closes_with_4000(server: str, room: str) -> None:
    with (
        open_ws(f"{server}/chat/room/{room}?user=ann") as ann,
        open_ws(f"{server}/chat/room/{room}?user=bob") as bob,
    ):
        ping(ann)
        ping(bob)
        ann.send(line("/bye"))
        assert closed_by_server(ann) == (4000, "")
        # bob is still in the room, now alone, and got no line for the goodbye.
        bob.send(line("still here"))
        assert recv_json(bob)["text"] == "still here"


def test_clock_ticks_three_times_then_closes_with_4000(server: str) -> None:
    with open_ws(f"{server}/chat/clock") as ws:
        ticks = [recv_json(ws) for _ in range(3)]
        assert closed_by_server(ws) == (4000, "")
    assert ticks == [{"type": "tick", "n": n} for n in range(3)]


@pytest.mark.parametrize(
    "path",
    [
        "/chat/room/lobby",
        "/chat/room/lobby?user=",
        "/chat/strict/lobby",
        f"/chat/strict/lobby?user={'u' * 33}",
    ],
)
def test_handshake_validation_is_a_403(server: str, path: str) -> None:
    assert rejected_status(f"{server}{path}") == 403
