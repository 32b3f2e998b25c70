"""Rooms across workers, for real: the room_chat example (redis backend) served by two
uvicorn processes on two loopback ports, sharing one redis-server started here, with
real ``websockets`` clients on both.

redis-server is Debian's package (tests/system-packages.txt); it runs on a free loopback
port with no persistence, and is killed at the end. Workers are known to listen on Redis
when the channel has their subscriptions (PUBSUB NUMSUB), never after a sleep. Every wait
is bounded.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis
from _apps import EXAMPLES
from test_server import RECV_TIMEOUT, free_port, recv_text, uvicorn_process
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

APP_DIR = EXAMPLES / "room_chat"
TARGET = "room_chat_app.routes.app:app"
CHANNEL = "wsgen:room_chat_app.routes.broadcast"  # the default: the module's name
DEADLINE = 20.0  # seconds: a bound against a hang, never expected to pass


def until(condition: Callable[[], bool], what: str) -> None:
    end = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < end, f"{what} did not happen within {DEADLINE} s"
        time.sleep(0.02)


class RedisServer:
    """redis-server on one loopback port, started and killed (and started again) here."""

    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is missing: run sh tests/system-packages.sh")
        self.binary, self.folder, self.port = binary, folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        args = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        args += ["--appendonly", "no", "--dir", str(self.folder)]
        log = (self.folder / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [self.binary, *args], stdout=log, stderr=subprocess.STDOUT
        )
        client = redis.Redis.from_url(self.url, socket_timeout=1)
        until(lambda: self._pings(client), "redis-server answering PING")

    def _pings(self, client: redis.Redis) -> bool:
        assert self.process is not None and self.process.poll() is None
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def subscribers(self) -> int:
        client = redis.Redis.from_url(self.url, socket_timeout=1)
        [(_, count)] = client.pubsub_numsub(CHANNEL)
        return int(count)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    running = RedisServer(tmp_path_factory.mktemp("redis"))
    running.start()
    try:
        yield running
    finally:
        running.kill()


class Worker:
    def __init__(self, url: str, process: subprocess.Popen[bytes], log: Path) -> None:
        self.url, self.process, self.log = url, process, log

    def logged(self, text: str) -> bool:
        return text in self.log.read_text(errors="replace")


@pytest.fixture(scope="module")
def workers(
    server: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Worker, Worker]]:
    with (
        _worker(server, tmp_path_factory) as first,
        _worker(server, tmp_path_factory) as second,
    ):
        until(lambda: server.subscribers() == 2, "both workers subscribing")
        yield first, second


@contextmanager
def _worker(server: RedisServer, factory: pytest.TempPathFactory) -> Iterator[Worker]:
    logs = factory.mktemp("worker")
    env = {"REDIS_URL": server.url}
    with uvicorn_process(APP_DIR, TARGET, logs, env) as (url, process):
        yield Worker(url, process, logs / "uvicorn.log")


# A member hears "joined" from those who come in after it; that of one who came in before
# it may still be on its way through Redis when it joins, and is not part of any check.
_JOINED: defaultdict[str, list[str]] = defaultdict(list)  # room -> users, in order
_EARLIER: dict[int, frozenset[str]] = {}  # id(ws) -> the users who joined before it


@contextmanager
def join(worker: Worker, room: str, user: str) -> Iterator[ClientConnection]:
    """A member of ``room``, once its handler has published that it joined (a ping is
    answered after that), so the next member's joining reaches it."""
    earlier = frozenset(_JOINED[room])
    _JOINED[room].append(user)
    with connect(
        f"{worker.url}/rooms/{room}?user={user}",
        open_timeout=RECV_TIMEOUT,
        close_timeout=RECV_TIMEOUT,
    ) as ws:
        _EARLIER[id(ws)] = earlier
        ws.send('{"type":"ping"}')
        assert recv_json(ws) == {"type": "ping"}
        yield ws


def recv_json(ws: ClientConnection) -> Any:
    """The next frame, but the late "joined" of a member who came in before ``ws``."""
    while True:
        frame = json.loads(recv_text(ws))
        if frame["type"] != "joined" or frame["user"] not in _EARLIER.get(id(ws), ()):
            return frame


def say(ws: ClientConnection, text: str) -> None:
    ws.send(json.dumps({"type": "say", "text": text}))


def said(user: str, text: str) -> dict[str, str]:
    return {"type": "said", "user": user, "text": text}


def frames_until(ws: ClientConnection, markers: set[str]) -> list[Any]:
    """Every frame up to the lines ``markers``, the last each worker published: what a
    worker publishes reaches a socket in order, so nothing of it comes later."""
    frames, waiting = [], set(markers)
    while waiting:
        frames.append(recv_json(ws))
        waiting.discard(frames[-1].get("text"))
    return frames


def test_a_publish_on_one_worker_reaches_the_other(
    workers: tuple[Worker, Worker],
) -> None:
    a, b = workers
    with join(a, "across", "ann") as ann, join(b, "across", "bob") as bob:
        assert recv_json(ann) == {"type": "joined", "user": "bob"}  # through Redis
        for n in range(20):
            say(ann, f"a{n}")
            say(bob, f"b{n}")
        say(ann, "end a")
        say(bob, "end b")
        # Each side gets every line once, each worker's lines in the order it sent them.
        for ws in (ann, bob):
            frames = frames_until(ws, {"end a", "end b"})
            for user, prefix in (("ann", "a"), ("bob", "b")):
                lines = [f"{prefix}{n}" for n in range(20)] + [f"end {prefix}"]
                mine = [f["text"] for f in frames if f["user"] == user]
                assert mine == lines
            assert len(frames) == 42


def test_a_killed_workers_sockets_leave_its_rooms(
    server: RedisServer,
    workers: tuple[Worker, Worker],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    a, _ = workers
    with _worker(server, tmp_path_factory) as third:
        until(lambda: server.subscribers() == 3, "the third worker subscribing")
        with join(a, "killed", "ann") as ann, join(third, "killed", "cat") as cat:
            assert recv_json(ann) == {"type": "joined", "user": "cat"}
            third.process.send_signal(signal.SIGKILL)
            third.process.wait(timeout=10)
            with pytest.raises(ConnectionClosed):
                cat.recv(timeout=RECV_TIMEOUT)
            # Its subscription, and with it every socket it had in a room, is gone.
            until(lambda: server.subscribers() == 2, "Redis dropping the killed worker")
            say(ann, "still here")
            assert recv_json(ann) == said("ann", "still here")
            with join(a, "killed", "dan") as dan:
                assert recv_json(ann) == {"type": "joined", "user": "dan"}
                say(dan, "hello")
                assert recv_json(ann) == said("dan", "hello")
                assert recv_json(dan) == said("dan", "hello")
    assert not a.logged("Traceback")


def test_redis_going_away_keeps_local_rooms_and_comes_back(
    server: RedisServer, workers: tuple[Worker, Worker]
) -> None:
    """Last in this file: it restarts redis-server."""
    a, b = workers
    with (
        join(a, "outage", "ann") as ann,
        join(a, "outage", "amy") as amy,
        join(b, "outage", "bob") as bob,
    ):
        assert recv_json(ann) == {"type": "joined", "user": "amy"}
        assert recv_json(ann) == {"type": "joined", "user": "bob"}
        assert recv_json(amy) == {"type": "joined", "user": "bob"}
        server.kill()
        for worker in workers:
            until(
                lambda w=worker: w.logged("Redis is unavailable"), "the log saying so"
            )
        say(ann, "local only")
        assert recv_json(ann) == said("ann", "local only")
        assert recv_json(amy) == said("ann", "local only")
        server.start()
        for worker in workers:
            until(
                lambda w=worker: w.logged("Redis is back"), "the log saying it is back"
            )
        until(lambda: server.subscribers() == 2, "both workers subscribing again")
        say(ann, "across again")
        # bob never got the line of the outage: this is his next frame.
        assert recv_json(bob) == said("ann", "across again")
        assert recv_json(amy) == said("ann", "across again")
        say(bob, "and back")
        assert recv_json(ann) == said("ann", "across again")
        assert recv_json(ann) == said("bob", "and back")
    for worker in workers:
        assert not worker.logged("Traceback")
