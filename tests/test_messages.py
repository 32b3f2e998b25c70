"""Message contracts at run time: the typed_chat example through FastAPI's TestClient.

The example is imported as committed (``examples/typed_chat``). Its routes:

- ``/chat/room/{room_id}?user=NAME`` receives ``chat_message`` and ``ping``, sends
  ``chat_event`` and ``ping``, answers a bad message with an error frame and stays open
  (``on_invalid: error``), and takes at most 4096 bytes of UTF-8 per message;
- ``/chat/strict/{room_id}?user=NAME`` receives only ``chat_message`` and closes with 1008
  on a bad message (``on_invalid: close``);
- ``/chat/clock`` sends three ``tick`` messages and closes with the spec's ``goodbye``.

What the example cannot show (a single-message route that answers with an error frame, a
close reason that has to be cut to 123 bytes) comes from a small spec generated here with
the real CLI. The contract of the generated ``Connection`` itself (``receive`` raising
``WebSocketDisconnect``, ``async for`` ending quietly, ``send`` refusing other objects) is
driven through tiny apps and a scripted ASGI exchange built from the generated classes.

A room is named after its test, so tests never share members.
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import threading
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from _apps import EXAMPLES, generate, import_isolated
from fastapi import FastAPI, WebSocket
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

# A distinctive string put into every bad message: no frame or close reason may echo it.
HOSTILE = "EVIL-7f3a<script>"
LIMIT = 4096  # max_message_bytes of both room routes
ENVELOPE = '{"type":"chat_message","text":""}'  # 33 bytes around the text

TEST_DEADLINE = 10.0  # seconds per test; an upper bound against a hang, never a wait


@pytest.fixture(autouse=True)
def deadline() -> Iterator[None]:
    """Fail a test that waits for a frame the server never sends, instead of hanging.

    TestClient's receive has no timeout. SIGALRM interrupts the blocked wait in the main
    thread (POSIX); elsewhere, or off the main thread, the tests run without it.
    """
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"no answer from the server within {TEST_DEADLINE} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, TEST_DEADLINE)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --- the example app ---------------------------------------------------------------


@pytest.fixture(scope="module")
def modules() -> list[ModuleType]:
    """The app, the hand-written handlers and the generated messages, from one import."""
    return import_isolated(
        [
            "typed_chat_app.routes.app",
            "typed_chat_app.handlers",
            "typed_chat_app.routes.messages",
        ],
        EXAMPLES / "typed_chat",
    )


@pytest.fixture(scope="module")
def handlers(modules: list[ModuleType]) -> ModuleType:
    return modules[1]


@pytest.fixture(scope="module")
def messages(modules: list[ModuleType]) -> ModuleType:
    return modules[2]


@pytest.fixture(scope="module")
def client(modules: list[ModuleType]) -> Iterator[TestClient]:
    # One client in a `with` block: one event loop, so a room can broadcast across sockets.
    with TestClient(modules[0].app) as test_client:
        yield test_client


@pytest.fixture()
def room(request: pytest.FixtureRequest) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", request.node.name)


def room_url(room: str, user: str = "ann") -> str:
    return f"/chat/room/{room}?user={user}"


def strict_url(room: str, user: str = "ann") -> str:
    return f"/chat/strict/{room}?user={user}"


# --- helpers -----------------------------------------------------------------------


def ping(ws: Any) -> None:
    """A ping round trip: the member is in its room and the connection is open."""
    ws.send_text('{"type":"ping"}')
    assert ws.receive_json() == {"type": "ping"}


def line(text: Any, **extra: Any) -> str:
    return json.dumps({"type": "chat_message", "text": text, **extra})


def closed(ws: Any) -> WebSocketDisconnect:
    """The close the server sends next (after an accept)."""
    with pytest.raises(WebSocketDisconnect) as caught:
        ws.receive_text()
    return caught.value


def refused_at_handshake(client: TestClient, url: str) -> WebSocketDisconnect:
    """The close of a connection that was never accepted.

    TestClient raises from ``websocket_connect`` itself only when the first thing the
    server sends is a close, so this fails if the server accepts first.
    """
    with pytest.raises(WebSocketDisconnect) as caught, client.websocket_connect(url):
        pass
    return caught.value


def error_frame(text: str) -> list[dict[str, Any]]:
    """The errors of an error frame, after checking the frame's exact shape."""
    frame = json.loads(text)
    assert set(frame) == {"type", "errors"}, frame
    assert frame["type"] == "error"
    errors = frame["errors"]
    assert isinstance(errors, list) and errors, frame
    for error in errors:
        # pydantic's entries without input, url or ctx: where, what, which kind.
        assert set(error) == {"loc", "msg", "type"}, error
        assert isinstance(error["loc"], list)
        assert isinstance(error["msg"], str) and error["msg"]
        assert isinstance(error["type"], str)
    return errors


def sized(total: int, char: str) -> str:
    """A valid chat_message of exactly ``total`` bytes of UTF-8, mostly ``char``."""
    room_for = total - len(ENVELOPE)
    width = len(char.encode())
    text = char * (room_for // width) + "a" * (room_for % width)
    message = f'{{"type":"chat_message","text":"{text}"}}'  # raw, not \\u-escaped
    assert len(message.encode()) == total
    return message


# --- a valid exchange ----------------------------------------------------------------


def test_chat_message_is_broadcast_to_the_room_only(
    client: TestClient, room: str
) -> None:
    other_room = f"{room}_other"
    with (
        client.websocket_connect(room_url(room, "ann")) as ann,
        client.websocket_connect(room_url(room, "bob")) as bob,
        client.websocket_connect(room_url(other_room, "cat")) as cat,
    ):
        for ws in (ann, bob, cat):
            ping(ws)
        ann.send_text(line("hello room"))
        seen = [ann.receive_json(), bob.receive_json()]
        assert seen[0] == seen[1]
        event = seen[0]
        assert set(event) == {
            "type",
            "id",
            "user",
            "text",
            "reply_to",
            "mood",
            "tags",
            "sent_at",
        }
        assert event["type"] == "chat_event"
        assert (event["user"], event["text"]) == ("ann", "hello room")
        assert (event["reply_to"], event["mood"], event["tags"]) == (None, None, [])
        assert isinstance(event["id"], int) and event["id"] >= 1
        assert datetime.fromisoformat(event["sent_at"]).tzinfo is not None
        # Frames on one socket arrive in order: had cat got the line, it would come
        # before the answer to its own ping.
        ping(cat)
        bob.send_text(line("and back", reply_to=event["id"]))
        for ws in (ann, bob):
            answer = ws.receive_json()
            assert (answer["user"], answer["text"]) == ("bob", "and back")
            assert answer["reply_to"] == event["id"]
            assert answer["id"] > event["id"]
        ping(cat)


def test_ping_is_answered_with_ping(client: TestClient, room: str) -> None:
    with client.websocket_connect(room_url(room)) as ws:
        for _ in range(3):
            ws.send_text('{"type":"ping"}')
            assert ws.receive_text() == '{"type":"ping"}'


def test_unknown_extra_fields_are_ignored(client: TestClient, room: str) -> None:
    with client.websocket_connect(room_url(room)) as ws:
        ws.send_text('{"type":"ping","extra":1,"nested":{"a":[1,2]}}')
        assert ws.receive_json() == {"type": "ping"}
        ws.send_text(line("hi", reply_to=3, admin=True, user="mallory", id=99))
        event = ws.receive_json()
        assert "admin" not in event
        assert (event["user"], event["text"], event["reply_to"]) == ("ann", "hi", 3)
        assert event["id"] != 99


def test_strict_route_exchanges_valid_lines(client: TestClient, room: str) -> None:
    with (
        client.websocket_connect(strict_url(room, "ann")) as ann,
        client.websocket_connect(room_url(room, "bob")) as bob,
    ):
        ping(bob)
        ann.send_text(line("strict but fine", reply_to=1, extra="ignored"))
        for ws in (ann, bob):
            event = ws.receive_json()
            assert event["type"] == "chat_event"
            assert (event["user"], event["text"], event["reply_to"]) == (
                "ann",
                "strict but fine",
                1,
            )


# --- invalid input, on_invalid: error --------------------------------------------------

# (id, text, expected (loc, type) of each error). Each text carries HOSTILE somewhere.
INVALID = [
    ("not-json", f"{HOSTILE} is not JSON", [([], "json_invalid")]),
    (
        "truncated-json",
        f'{{"type":"chat_message","text":"{HOSTILE}',
        [([], "json_invalid")],
    ),
    ("array", json.dumps([HOSTILE]), [([], "dict_type")]),
    ("string", json.dumps(HOSTILE), [([], "dict_type")]),
    ("number", "42", [([], "dict_type")]),
    ("null", "null", [([], "dict_type")]),
    ("missing-type", json.dumps({"text": HOSTILE}), [([], "union_tag_not_found")]),
    (
        "unknown-type",
        json.dumps({"type": HOSTILE, "text": "x"}),
        [([], "union_tag_invalid")],
    ),
    ("type-not-a-string", '{"type": 5}', [([], "union_tag_invalid")]),
    ("reserved-error-type", '{"type": "error"}', [([], "union_tag_invalid")]),
    ("send-only-type", '{"type": "chat_event"}', [([], "union_tag_invalid")]),
    ("text-empty", line(""), [(["text"], "string_too_short")]),
    (
        "text-too-long",
        line((HOSTILE * 200)[:2001]),
        [(["text"], "string_too_long")],
    ),
    (
        "text-missing",
        json.dumps({"type": "chat_message", "note": HOSTILE}),
        [(["text"], "missing")],
    ),
    ("text-wrong-type", line([HOSTILE]), [(["text"], "string_type")]),
    ("text-number", line(5), [(["text"], "string_type")]),
    (
        "reply-to-zero",
        line(HOSTILE, reply_to=0),
        [(["reply_to"], "greater_than_equal")],
    ),
    (
        "reply-to-negative",
        line("x", reply_to=-3),
        [(["reply_to"], "greater_than_equal")],
    ),
    (
        "reply-to-wrong-type",
        line("x", reply_to=HOSTILE),
        [(["reply_to"], "int_parsing")],
    ),
    ("reply-to-fraction", line("x", reply_to=1.5), [(["reply_to"], "int_from_float")]),
    (
        "two-fields",
        line("", reply_to=0, note=HOSTILE),
        [(["text"], "string_too_short"), (["reply_to"], "greater_than_equal")],
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [case[1:] for case in INVALID],
    ids=[case[0] for case in INVALID],
)
def test_invalid_message_gets_error_frame_and_connection_stays_open(
    client: TestClient, room: str, text: str, expected: list[tuple[list[Any], str]]
) -> None:
    with client.websocket_connect(room_url(room)) as ws:
        ws.send_text(text)
        raw = ws.receive_text()
        errors = error_frame(raw)
        assert [(e["loc"], e["type"]) for e in errors] == expected
        assert HOSTILE not in raw
        assert HOSTILE not in json.dumps(errors, ensure_ascii=False)
        ping(ws)
        ws.send_text(line("still here"))
        assert ws.receive_json()["text"] == "still here"


def test_unknown_type_error_names_the_expected_tags(
    client: TestClient, room: str
) -> None:
    with client.websocket_connect(room_url(room)) as ws:
        ws.send_text(json.dumps({"type": HOSTILE}))
        (error,) = error_frame(ws.receive_text())
        assert error["msg"] == (
            "Input tag does not match any of the expected tags: 'chat_message', 'ping'"
        )


def test_constraint_errors_say_what_failed(client: TestClient, room: str) -> None:
    with client.websocket_connect(room_url(room)) as ws:
        ws.send_text(line("x" * 2001))
        (error,) = error_frame(ws.receive_text())
        assert error["msg"] == "String should have at most 2000 characters"
        ws.send_text(line("x", reply_to=0))
        (error,) = error_frame(ws.receive_text())
        assert error["msg"] == "Input should be greater than or equal to 1"


def test_many_bad_messages_in_a_row_keep_the_connection(
    client: TestClient, room: str
) -> None:
    with client.websocket_connect(room_url(room)) as ws:
        for _, text, expected in INVALID:
            ws.send_text(text)
            errors = error_frame(ws.receive_text())
            assert [(e["loc"], e["type"]) for e in errors] == expected
        ping(ws)


def test_error_frame_is_not_broadcast(client: TestClient, room: str) -> None:
    with (
        client.websocket_connect(room_url(room, "ann")) as ann,
        client.websocket_connect(room_url(room, "bob")) as bob,
    ):
        ping(bob)
        ann.send_text("not json")
        assert error_frame(ann.receive_text())
        ping(bob)  # bob's next frame is his own ping, not ann's error


# --- invalid input, on_invalid: close ------------------------------------------------

STRICT_INVALID = [
    ("not-json", f"{HOSTILE} is not JSON", "invalid message: Invalid JSON: "),
    ("array", json.dumps([HOSTILE]), "invalid message: Input should be an object"),
    ("null", "null", "invalid message: Input should be an object"),
    # One message: there is no union, so a missing type is refused by its own check.
    (
        "missing-type",
        json.dumps({"text": HOSTILE}),
        "invalid message: type: Field required",
    ),
    (
        "unknown-type",
        json.dumps({"type": HOSTILE, "text": "x"}),
        "invalid message: type: Input should be 'chat_message'",
    ),
    (
        "other-route-type",
        '{"type":"ping"}',
        "invalid message: type: Input should be 'chat_message'",
    ),
    (
        "text-empty",
        line(""),
        "invalid message: text: String should have at least 1 character",
    ),
    (
        "text-too-long-multibyte",
        f'{{"type":"chat_message","text":"{"é" * 1950}{HOSTILE}{"€" * 34}"}}',
        "invalid message: text: String should have at most 2000 characters",
    ),
    (
        "text-wrong-type",
        line([HOSTILE]),
        "invalid message: text: Input should be a valid string",
    ),
    (
        "reply-to-zero",
        line(HOSTILE, reply_to=0),
        "invalid message: reply_to: Input should be greater than or equal to 1",
    ),
    (
        "reply-to-wrong-type",
        line("x", reply_to=HOSTILE * 100),
        (
            "invalid message: reply_to: Input should be a valid integer, unable to"
            " parse string as an integer"
        ),
    ),
]


@pytest.mark.parametrize(
    ("text", "reason"),
    [case[1:] for case in STRICT_INVALID],
    ids=[case[0] for case in STRICT_INVALID],
)
def test_strict_route_closes_with_1008(
    client: TestClient, room: str, text: str, reason: str
) -> None:
    with client.websocket_connect(strict_url(room)) as ws:
        ws.send_text(line("valid first"))
        assert ws.receive_json()["text"] == "valid first"
        ws.send_text(text)
        close = closed(ws)
        assert close.code == 1008
        assert isinstance(close.reason, str)
        if reason.endswith(": "):  # the JSON parser's own words follow
            assert close.reason.startswith(reason)
        else:
            assert close.reason == reason
        assert len(close.reason.encode()) <= 123
        assert HOSTILE not in close.reason


def test_strict_close_reason_fits_for_a_huge_multibyte_value(
    client: TestClient, room: str
) -> None:
    # Just under the byte limit: a text too long in characters, a multibyte bad integer.
    text = "é" * 2001
    message = f'{{"type":"chat_message","text":"{text}","reply_to":"{"😀€" * 5}"}}'
    assert len(message.encode()) <= LIMIT
    with client.websocket_connect(strict_url(room)) as ws:
        ws.send_text(message)
        close = closed(ws)
    assert close.code == 1008
    assert close.reason.startswith("invalid message: ")
    assert len(close.reason.encode()) <= 123
    assert close.reason == (
        "invalid message: text: String should have at most 2000 characters"
    )


# --- binary frames and the size limit ---------------------------------------------------


@pytest.mark.parametrize("url", [room_url, strict_url], ids=["error", "close"])
@pytest.mark.parametrize(
    "data", [b'{"type":"ping"}', b"", b"\xff\x00"], ids=["json", "empty", "junk"]
)
def test_binary_frame_closes_with_1003(
    client: TestClient, room: str, url: Callable[[str], str], data: bytes
) -> None:
    with client.websocket_connect(url(room)) as ws:
        ws.send_bytes(data)
        close = closed(ws)
    assert (close.code, close.reason) == (1003, "binary messages are not accepted")


@pytest.mark.parametrize("url", [room_url, strict_url], ids=["error", "close"])
@pytest.mark.parametrize("char", ["€", "😀"], ids=["3-byte", "4-byte"])
def test_4096_bytes_pass_the_size_check(
    client: TestClient, room: str, url: Callable[[str], str], char: str
) -> None:
    message = sized(LIMIT, char)
    with client.websocket_connect(url(room)) as ws:
        ws.send_text(message)
        event = ws.receive_json()
    assert event["type"] == "chat_event"
    assert event["text"] == json.loads(message)["text"]


@pytest.mark.parametrize("url", [room_url, strict_url], ids=["error", "close"])
@pytest.mark.parametrize("char", ["€", "😀"], ids=["3-byte", "4-byte"])
def test_4097_bytes_close_with_1009_even_when_shorter_in_characters(
    client: TestClient, room: str, url: Callable[[str], str], char: str
) -> None:
    message = sized(LIMIT + 1, char)
    assert len(message) <= LIMIT < len(message.encode())
    with client.websocket_connect(url(room)) as ws:
        ws.send_text(message)
        close = closed(ws)
    assert (close.code, close.reason) == (1009, "message too big")


def test_size_is_checked_before_the_json(client: TestClient, room: str) -> None:
    with client.websocket_connect(room_url(room)) as ws:
        ws.send_text("x" * LIMIT)  # at the limit: parsed, and not JSON
        (error,) = error_frame(ws.receive_text())
        assert error["type"] == "json_invalid"
        ws.send_text("x" * (LIMIT + 1))  # over it: refused unparsed
        close = closed(ws)
    assert (close.code, close.reason) == (1009, "message too big")


def test_a_multibyte_text_at_the_limit_that_fails_a_field_gets_an_error_frame(
    client: TestClient, room: str
) -> None:
    message = sized(LIMIT, "é")  # 2031 characters of text: over max_length, not too big
    with client.websocket_connect(room_url(room)) as ws:
        ws.send_text(message)
        (error,) = error_frame(ws.receive_text())
        assert (error["loc"], error["type"]) == (["text"], "string_too_long")
        ping(ws)


# --- close codes of the handlers ------------------------------------------------------


def test_bye_closes_with_4000_and_is_not_broadcast(
    client: TestClient, room: str, messages: ModuleType
) -> None:
    assert messages.CloseCode.goodbye == 4000
    with (
        client.websocket_connect(room_url(room, "ann")) as ann,
        client.websocket_connect(room_url(room, "bob")) as bob,
    ):
        ping(ann)
        ping(bob)
        ann.send_text(line("/bye"))
        assert closed(ann).code == 4000
        ping(bob)  # no "/bye" event before the answer to bob's ping


def test_clock_sends_three_ticks_then_goodbye(client: TestClient) -> None:
    with client.websocket_connect("/chat/clock") as ws:
        ticks = [ws.receive_text() for _ in range(3)]
        close = closed(ws)
    assert ticks == [
        '{"type":"tick","n":0}',
        '{"type":"tick","n":1}',
        '{"type":"tick","n":2}',
    ]
    assert close.code == 4000


def test_clock_handler_never_reads_so_a_client_message_changes_nothing(
    client: TestClient,
) -> None:
    # The example's clock handler never calls receive(): what the client sends there is
    # never read, so it neither gets an error frame nor disturbs the ticks.
    with client.websocket_connect("/chat/clock") as ws:
        ws.send_text('{"type":"chat_message","text":"hello?"}')
        assert [ws.receive_json() for _ in range(3)] == [
            {"type": "tick", "n": n} for n in range(3)
        ]
        assert closed(ws).code == 4000


# --- the handshake -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/chat/room/r", "/chat/strict/r"])
@pytest.mark.parametrize(
    "query", ["", "?user=", f"?user={'u' * 33}"], ids=["none", "empty", "long"]
)
def test_handshake_validation_closes_with_1008_before_accept(
    client: TestClient, path: str, query: str
) -> None:
    close = refused_at_handshake(client, path + query)
    assert close.code == 1008
    reason: Any = close.reason
    assert [error["loc"] for error in reason] == [["query", "user"]]


def test_unrouted_path_is_closed_normally(client: TestClient) -> None:
    assert refused_at_handshake(client, "/chat/nowhere").code == 1000


# --- rooms are left behind empty --------------------------------------------------------


def test_room_is_empty_after_members_leave_normally(
    client: TestClient, room: str, handlers: ModuleType
) -> None:
    with (
        client.websocket_connect(room_url(room, "ann")) as ann,
        client.websocket_connect(strict_url(room, "bob")) as bob,
    ):
        ping(ann)
        bob.send_text(line("here"))
        assert bob.receive_json()["text"] == "here"
        assert ann.receive_json()["text"] == "here"
        assert len(handlers.ROOMS[room]) == 2
    assert handlers.ROOMS[room] == set()


@pytest.mark.parametrize(
    ("url", "send", "code"),
    [
        (room_url, lambda ws: ws.send_bytes(b"x"), 1003),
        (room_url, lambda ws: ws.send_text("x" * (LIMIT + 1)), 1009),
        (room_url, lambda ws: ws.send_text(line("/bye")), 4000),
        (strict_url, lambda ws: ws.send_text("not json"), 1008),
        (strict_url, lambda ws: ws.send_bytes(b"x"), 1003),
        (strict_url, lambda ws: ws.send_text("€" * (LIMIT // 3 + 1)), 1009),
    ],
    ids=[
        "binary",
        "too-big",
        "bye",
        "strict-invalid",
        "strict-binary",
        "strict-too-big",
    ],
)
def test_member_closed_by_the_server_leaves_its_room(
    client: TestClient,
    room: str,
    handlers: ModuleType,
    url: Callable[[str, str], str],
    send: Callable[[Any], None],
    code: int,
) -> None:
    with (
        client.websocket_connect(room_url(room, "stay")) as stay,
        client.websocket_connect(url(room, "gone")) as gone,
    ):
        ping(stay)
        gone.send_text(line("joined"))
        assert gone.receive_json()["text"] == "joined"
        assert stay.receive_json()["text"] == "joined"
        send(gone)
        assert closed(gone).code == code
        # The one left still talks to the room, and only to itself.
        stay.send_text(line("alone"))
        assert stay.receive_json()["text"] == "alone"
        assert len(handlers.ROOMS[room]) == 1
    assert handlers.ROOMS[room] == set()


# --- the Connection contract, with the generated classes ------------------------------


def send_checks_app(messages: ModuleType) -> FastAPI:
    """Each route tries to send what it may not, then what it may, and reports."""
    app = FastAPI()
    m = messages
    candidates: dict[str, Callable[[], Any]] = {
        "chat_event": lambda: m.ChatEvent(
            id=1, user="u", text="t", sent_at=datetime(2020, 1, 1)
        ),
        "ping": lambda: m.Ping(),
        "chat_message": lambda: m.ChatMessage(text="t"),
        "tick": lambda: m.Tick(n=1),
        "dict": lambda: {"type": "ping"},
        "text": lambda: '{"type":"ping"}',
        "none": lambda: None,
    }

    def route(path: str, connection: type) -> None:
        @app.websocket(path)
        async def endpoint(websocket: WebSocket) -> None:
            conn = connection(websocket)
            await conn.accept()
            report: dict[str, str] = {}
            sent: list[str] = []
            for name, make in candidates.items():
                try:
                    await conn.send(make())
                except TypeError as error:
                    report[name] = f"TypeError: {error}"
                else:
                    report[name] = "sent"
                    sent.append(name)
            await websocket.send_json({"report": report, "sent": sent})
            await conn.close(4001, "done")

    route("/room", m.ChatRoomConnection)
    route("/strict", m.StrictRoomConnection)
    route("/clock", m.ClockConnection)
    return app


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/room", ["chat_event", "ping"]),
        ("/strict", ["chat_event"]),
        ("/clock", ["tick"]),
    ],
)
def test_send_of_an_undeclared_message_is_a_type_error(
    messages: ModuleType, path: str, allowed: list[str]
) -> None:
    with (
        TestClient(send_checks_app(messages)) as test_client,
        test_client.websocket_connect(path) as ws,
    ):
        frames = [ws.receive_json() for _ in allowed]
        result = ws.receive_json()
        close = closed(ws)
    # What was sent arrived, as JSON text, before the report; nothing else did.
    assert [frame["type"] for frame in frames] == allowed
    assert result["sent"] == allowed
    for name, outcome in result["report"].items():
        if name in allowed:
            assert outcome == "sent"
        else:
            assert outcome.startswith("TypeError: "), (name, outcome)
            class_name = {"chat_message": "ChatMessage", "tick": "Tick", "ping": "Ping"}
            assert class_name.get(name, "") in outcome
    assert (close.code, close.reason) == (4001, "done")


def no_messages_app(messages: ModuleType) -> FastAPI:
    """A clock whose handler does read: the route receives no messages."""
    app = FastAPI()

    @app.websocket("/clock")
    async def endpoint(websocket: WebSocket) -> None:
        conn = messages.ClockConnection(websocket)
        await conn.accept()
        await conn.send(messages.Tick(n=0))
        async for _ in conn:  # never yields: every message is refused
            await conn.send(messages.Tick(n=99))

    return app


def test_a_route_without_receive_answers_every_message_with_no_messages(
    messages: ModuleType,
) -> None:
    with (
        TestClient(no_messages_app(messages)) as test_client,
        test_client.websocket_connect("/clock") as ws,
    ):
        assert ws.receive_json() == {"type": "tick", "n": 0}
        for text in ['{"type":"tick","n":1}', "{}", f"{HOSTILE} not json", "[]"]:
            ws.send_text(text)
            raw = ws.receive_text()
            assert error_frame(raw) == [
                {
                    "loc": [],
                    "msg": "This route receives no messages",
                    "type": "no_messages",
                }
            ]
            assert HOSTILE not in raw
        ws.send_bytes(b"{}")
        assert closed(ws).code == 1003


# A scripted ASGI exchange: the connection's receive/async-for contract, step by step.


def run_scripted(
    connection: type,
    incoming: list[dict[str, Any]],
    body: Callable[[Any], Awaitable[Any]],
) -> tuple[list[dict[str, Any]], Any]:
    """Run ``body(conn)`` on a connection fed ``incoming``; what it sent, what it returned."""
    queue = [{"type": "websocket.connect"}, *incoming]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return queue.pop(0)

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    async def main() -> Any:
        scope = {"type": "websocket", "path": "/", "headers": [], "query_string": b""}
        conn = connection(WebSocket(scope, receive, send))
        await conn.accept()
        return await body(conn)

    result = asyncio.run(main())
    return sent, result


def text(data: str) -> dict[str, Any]:
    return {"type": "websocket.receive", "text": data}


def test_receive_skips_bad_messages_and_returns_the_next_valid_one(
    messages: ModuleType,
) -> None:
    async def body(conn: Any) -> Any:
        return await conn.receive()

    sent, message = run_scripted(
        messages.ChatRoomConnection,
        [text("nope"), text('{"type":"ping","x":1}')],
        body,
    )
    assert type(message) is messages.Ping
    assert [m["type"] for m in sent] == ["websocket.accept", "websocket.send"]
    assert error_frame(sent[1]["text"])[0]["type"] == "json_invalid"


def test_receive_raises_websocket_disconnect_when_the_client_leaves(
    messages: ModuleType,
) -> None:
    async def body(conn: Any) -> Any:
        with pytest.raises(WebSocketDisconnect) as caught:
            await conn.receive()
        return caught.value

    sent, error = run_scripted(
        messages.StrictRoomConnection,
        [{"type": "websocket.disconnect", "code": 1001, "reason": "going away"}],
        body,
    )
    assert (error.code, error.reason) == (1001, "going away")
    assert [m["type"] for m in sent] == ["websocket.accept"]


def test_async_for_yields_valid_messages_and_ends_quietly(messages: ModuleType) -> None:
    async def body(conn: Any) -> Any:
        return [message async for message in conn]

    sent, received = run_scripted(
        messages.ChatRoomConnection,
        [
            text(line("one", reply_to=2)),
            text("[]"),
            text('{"type":"ping"}'),
            {"type": "websocket.disconnect", "code": 1000},
        ],
        body,
    )
    assert [type(m) for m in received] == [messages.ChatMessage, messages.Ping]
    assert (received[0].text, received[0].reply_to) == ("one", 2)
    assert [m["type"] for m in sent] == ["websocket.accept", "websocket.send"]


def test_async_for_ends_when_the_policy_closes(messages: ModuleType) -> None:
    async def body(conn: Any) -> Any:
        return [message async for message in conn]

    sent, received = run_scripted(
        messages.StrictRoomConnection,
        [text(line("one")), text('{"text":"x"}'), text(line("never read"))],
        body,
    )
    assert [m.text for m in received] == ["one"]
    assert sent[-1] == {
        "type": "websocket.close",
        "code": 1008,
        "reason": "invalid message: type: Field required",
    }


# --- what the example cannot show: a small spec generated here -------------------------

# A pattern long enough, in two-byte characters, that the close reason quoting it must be
# cut; a single-message route with each policy.
LONG_PATTERN = "^(" + "é" * 80 + "|ü)$"
TINY_SPEC = f"""\
version: 1
output: wsm_tiny_routes
messages:
  note:
    fields:
      code: {{type: str, pattern: "{LONG_PATTERN}"}}
      count: {{type: int, required: false, le: 10}}
      ref: {{type: uuid, required: false}}
routers:
  r:
    websockets:
      - path: /lenient
        handler: wsm_tiny_handlers:lenient
        receive: [note]
        send: [note]
      - path: /strict
        handler: wsm_tiny_handlers:strict
        receive: [note]
        send: [note]
        on_invalid: close
"""
TINY_HANDLERS = """\
from wsm_tiny_routes.messages import LenientConnection, StrictConnection


async def lenient(conn: LenientConnection) -> None:
    await conn.accept()
    async for message in conn:
        await conn.send(message)


async def strict(conn: StrictConnection) -> None:
    await conn.accept()
    async for message in conn:
        await conn.send(message)
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root: Path = tmp_path_factory.mktemp("tiny_messages")
    (root / "wsgen.yaml").write_text(TINY_SPEC, encoding="utf-8")
    (root / "wsm_tiny_handlers.py").write_text(TINY_HANDLERS, encoding="utf-8")
    generate(root / "wsgen.yaml", root / "wsm_tiny_routes")
    (routes,) = import_isolated(["wsm_tiny_routes.r"], root)
    app = FastAPI()
    app.include_router(routes.router)
    with TestClient(app) as test_client:
        yield test_client


def test_single_message_route_answers_a_missing_type_with_an_error_frame(
    tiny: TestClient,
) -> None:
    with tiny.websocket_connect("/lenient") as ws:
        ws.send_text(json.dumps({"code": "ü"}))
        assert error_frame(ws.receive_text()) == [
            {"loc": ["type"], "msg": "Field required", "type": "missing"}
        ]
        ws.send_text(json.dumps({"type": HOSTILE, "code": "ü"}))
        raw = ws.receive_text()
        assert [(e["loc"], e["type"]) for e in error_frame(raw)] == [
            (["type"], "literal_error")
        ]
        assert HOSTILE not in raw
        ws.send_text(json.dumps({"type": "note", "code": HOSTILE, "count": 11}))
        raw = ws.receive_text()
        assert [(e["loc"], e["type"]) for e in error_frame(raw)] == [
            (["code"], "string_pattern_mismatch"),
            (["count"], "less_than_equal"),
        ]
        assert HOSTILE not in raw
        ws.send_text(json.dumps({"type": "note", "code": "ü"}))
        assert ws.receive_json() == {
            "type": "note",
            "code": "ü",
            "count": None,
            "ref": None,
        }


def test_long_close_reason_is_cut_to_123_bytes_on_a_character_boundary(
    tiny: TestClient,
) -> None:
    with tiny.websocket_connect("/strict") as ws:
        ws.send_text(json.dumps({"type": "note", "code": HOSTILE}))
        close = closed(ws)
    full = f"invalid message: code: String should match pattern '{LONG_PATTERN}'"
    assert len(full.encode()) > 123
    assert close.code == 1008
    assert isinstance(close.reason, str)
    assert full.startswith(close.reason)
    # As much as fits: at most 123 bytes, and the next character would not have fitted.
    size = len(close.reason.encode())
    assert size <= 123 < size + len(full[len(close.reason)].encode())


# An invisible, text-reversing character: what a client could smuggle into a frame.
SMUGGLED = "\u202e"


def test_a_bad_uuid_is_located(tiny: TestClient) -> None:
    with tiny.websocket_connect("/lenient") as ws:
        ws.send_text(json.dumps({"type": "note", "code": "ü", "ref": "not-a-uuid"}))
        (error,) = error_frame(ws.receive_text())
        assert (error["loc"], error["type"]) == (["ref"], "uuid_parsing")
        ok = "12345678-1234-5678-1234-567812345678"
        ws.send_text(json.dumps({"type": "note", "code": "ü", "ref": ok}))
        assert ws.receive_json()["ref"] == ok


@pytest.mark.parametrize("route", ["lenient", "strict"])
def test_a_bad_uuid_is_not_echoed(tiny: TestClient, route: str) -> None:
    value = f"{SMUGGLED}{HOSTILE}"
    message = json.dumps(
        {"type": "note", "code": "ü", "ref": value}, ensure_ascii=False
    )
    with tiny.websocket_connect(f"/{route}") as ws:
        ws.send_text(message)
        if route == "lenient":
            said = json.loads(ws.receive_text())["errors"][0]["msg"]
        else:
            said = closed(ws).reason
    assert SMUGGLED not in said, said
