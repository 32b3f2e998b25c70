"""Serve generated examples with a real uvicorn on 127.0.0.1 and use a real client.

The client is the ``websockets`` library. Unlike ``TestClient``, a real server turns a
close before ``accept()`` (a failed dependency, failed validation, or a path no
route serves) into an HTTP 403 answer to the handshake, so that is what is asserted
here for rejected connections.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from _apps import EXAMPLES
from websockets.exceptions import ConnectionClosedOK, InvalidStatus
from websockets.sync.client import ClientConnection, connect

STARTUP_DEADLINE = 30.0  # seconds; an upper bound for a slow machine, not a wait
RECV_TIMEOUT = 10.0  # guards against a hang, never expected to expire


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def uvicorn_server(app_dir: Path, target: str, logs: Path) -> Iterator[str]:
    """Run ``uvicorn target`` from ``app_dir``; yield its ws:// base URL."""
    with uvicorn_process(app_dir, target, logs) as (url, _):
        yield url


@contextmanager
def uvicorn_process(
    app_dir: Path, target: str, logs: Path, extra_env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``uvicorn_server`` with more environment variables, also yielding the process (to
    kill it); its output goes to ``logs``/uvicorn.log."""
    port = free_port()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(extra_env or {})}
    with (logs / "uvicorn.log").open("w+") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                target,
                "--app-dir",
                str(app_dir),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            deadline = time.monotonic() + STARTUP_DEADLINE
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    pass
                try:
                    # Between attempts, wait on the process: an early exit ends the wait.
                    process.wait(timeout=0.05)
                except subprocess.TimeoutExpired:
                    if time.monotonic() < deadline:
                        continue
                log.seek(0)
                if process.returncode is None:
                    pytest.fail(f"uvicorn did not listen on port {port}:\n{log.read()}")
                pytest.fail(f"uvicorn exited with {process.returncode}:\n{log.read()}")
            yield f"ws://127.0.0.1:{port}", process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def rejected_status(url: str, headers: dict[str, str] | None = None) -> int:
    """The HTTP status a handshake to ``url`` was refused with."""
    with (
        pytest.raises(InvalidStatus) as caught,
        connect(url, open_timeout=RECV_TIMEOUT, additional_headers=headers),
    ):
        pass
    return caught.value.response.status_code


def recv_text(ws: ClientConnection) -> str:
    message = ws.recv(timeout=RECV_TIMEOUT)
    assert isinstance(message, str)
    return message


@pytest.fixture(scope="module")
def chat_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    logs = tmp_path_factory.mktemp("chat_server")
    with uvicorn_server(
        EXAMPLES / "chat_service", "chat_app.routes.app:app", logs
    ) as url:
        yield url


@pytest.fixture(scope="module")
def echo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    logs = tmp_path_factory.mktemp("echo_server")
    with uvicorn_server(EXAMPLES / "echo", "echo_app.routes.app:app", logs) as url:
        yield url


def test_echo_over_real_server(echo_server: str) -> None:
    with connect(f"{echo_server}/ws", open_timeout=RECV_TIMEOUT) as ws:
        for text in ("hello", "wsgen"):
            ws.send(text)
            assert recv_text(ws) == f"Message text was: {text}"


def test_guarded_chat_room_with_token(chat_server: str) -> None:
    url = f"{chat_server}/chat/room/general?token=alice-token"
    with connect(url, open_timeout=RECV_TIMEOUT) as ws:
        assert recv_text(ws) == "Welcome to room general, alice"
        ws.send("hi")
        assert recv_text(ws) == "[general] alice: hi"


def test_chat_room_without_token_is_refused(chat_server: str) -> None:
    assert rejected_status(f"{chat_server}/chat/room/general") == 403


def test_items_with_credentials(chat_server: str) -> None:
    url = f"{chat_server}/v1/items?session=s1&token=bob-token&q=5"
    with connect(
        url, open_timeout=RECV_TIMEOUT, additional_headers={"X-Token": "tok"}
    ) as ws:
        assert recv_text(ws) == "Session: s1"
        assert json.loads(recv_text(ws)) == {"user": "bob", "q": 5, "x_token": "tok"}
        with pytest.raises(ConnectionClosedOK):
            ws.recv(timeout=RECV_TIMEOUT)


def test_items_session_from_cookie(chat_server: str) -> None:
    url = f"{chat_server}/v1/items?token=bob-token"
    headers = {"X-Token": "tok", "Cookie": "session=from-cookie"}
    with connect(url, open_timeout=RECV_TIMEOUT, additional_headers=headers) as ws:
        assert recv_text(ws) == "Session: from-cookie"


@pytest.mark.parametrize(
    ("query", "headers"),
    [
        (
            "token=bob-token",
            {"X-Token": "tok"},
        ),  # no session: parameter-level dependency
        ("session=s1", {"X-Token": "tok"}),  # no token: include/decorator dependency
        ("session=s1&token=bob-token", {}),  # no X-Token header: validation
        ("session=s1&token=bob-token&q=five", {"X-Token": "tok"}),  # q not an int
    ],
)
def test_items_rejections_are_403_handshakes(
    chat_server: str, query: str, headers: dict[str, str]
) -> None:
    url = f"{chat_server}/v1/items?{query}"
    assert rejected_status(url, headers) == 403


def test_starlette_route_at_full_path(chat_server: str) -> None:
    with connect(f"{chat_server}/v1/raw", open_timeout=RECV_TIMEOUT) as ws:
        assert recv_text(ws) == "Raw WebSocket at /v1/raw"
    assert rejected_status(f"{chat_server}/raw") == 403
