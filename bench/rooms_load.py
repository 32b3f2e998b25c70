"""Rooms across workers under load: the room_chat example on two uvicorn workers sharing
a redis-server, next to the same rooms written by hand with redis.asyncio, in one run.

    python bench/rooms_load.py                    # 500 clients, 10 rooms, 20,000 messages
    python bench/rooms_load.py --clients 100 --messages 2000

Needs redis-server on PATH (tests/system-packages.txt) and the redis package. It starts
redis-server on a free loopback port (no persistence), and for each variant two uvicorn
processes of one app on two free ports. Every client joins one room, half of each room on
each worker. The messages are sent one after the other, round-robin over the rooms, each
by a client of its room, alternately on the two workers; each carries its number and the
time it was sent, so every receiver knows what it missed or got twice, and how long the
message took to reach it. A run ends when every client has every message of its room, or
at a deadline. Everything stops by itself; the processes are killed at the end.

The hand-written app is what such rooms usually look like: each worker subscribes to one
channel, a message is published to Redis (one PUBLISH per message, from a blocking pool
of 100 connections) and each worker's listener sends it to its own sockets with
`await websocket.send_text(text)`, one after the other, without a bound.
"""

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "room_chat"
DEADLINE = 300.0  # seconds per variant: a bound, never a wait

BY_HAND = """\
import asyncio
import json
import os
from collections import defaultdict
from contextlib import asynccontextmanager

import redis.asyncio
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

CHANNEL = "by-hand"
ROOMS = defaultdict(set)
# Publishes wait for a free connection: with the default pool, the 101st concurrent
# publish fails ("Too many connections") and its message is lost.
pool = redis.asyncio.BlockingConnectionPool.from_url(
    os.environ["REDIS_URL"], decode_responses=True, max_connections=100, timeout=None
)
client = redis.asyncio.Redis(connection_pool=pool)


async def listen():
    async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
        await pubsub.subscribe(CHANNEL)
        async for message in pubsub.listen():
            room, _, text = message["data"].partition("\\n")
            for member in list(ROOMS[room]):
                try:
                    await member.send_text(text)
                except Exception:
                    ROOMS[room].discard(member)


@asynccontextmanager
async def lifespan(app):
    task = asyncio.create_task(listen())
    yield
    task.cancel()


app = FastAPI(lifespan=lifespan)


@app.websocket("/rooms/{room_id}")
async def room(websocket: WebSocket, room_id: str, user: str):
    await websocket.accept()
    ROOMS[room_id].add(websocket)
    try:
        while True:
            data = json.loads(await websocket.receive_text())
            if data["type"] == "ping":
                await websocket.send_text('{"type":"ping"}')
                continue
            said = {"type": "said", "user": user, "text": data["text"]}
            await client.publish(CHANNEL, room_id + "\\n" + json.dumps(said))
    except WebSocketDisconnect:
        pass
    finally:
        ROOMS[room_id].discard(websocket)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    end = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > end:
                sys.exit(f"a server on port {port} did not start")
            time.sleep(0.05)


@contextlib.contextmanager
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    try:
        yield started
    finally:
        for process in started:
            process.kill()
            process.wait()


def start_workers(
    started: list[subprocess.Popen[bytes]], app_dir: Path, target: str, url: str
) -> list[int]:
    ports = []
    for _ in range(2):
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", target, "--app-dir", str(app_dir)]
            + ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            env={**os.environ, "REDIS_URL": url, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        started.append(process)
        wait_for_port(port, process)
        ports.append(port)
    return ports


class Client:
    def __init__(self, ws: ClientConnection, room: int) -> None:
        self.ws, self.room = ws, room
        self.seen: dict[int, int] = {}
        self.latencies: list[float] = []
        self.closed: int | None = None

    async def read(self, expected: int, done: asyncio.Event) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for frame in self.ws:
                data = json.loads(frame)
                if data["type"] != "said":
                    continue
                number, _, sent = data["text"].partition("@")
                self.latencies.append(time.perf_counter() - float(sent))
                key = int(number)
                self.seen[key] = self.seen.get(key, 0) + 1
                if len(self.seen) == expected:
                    done.set()
        self.closed = self.ws.close_code


async def load(ports: list[int], options: argparse.Namespace) -> dict[str, Any]:
    clients: list[Client] = []
    for n in range(options.clients):
        room, port = n % options.rooms, ports[(n // options.rooms) % 2]
        url = f"ws://127.0.0.1:{port}/rooms/load{room}?user=u{n}"
        ws = await connect(url, open_timeout=30, max_queue=None)
        await ws.send('{"type":"ping"}')
        while json.loads(await ws.recv())["type"] != "ping":
            pass
        clients.append(Client(ws, room))
    per_room = [
        len(range(r, options.messages, options.rooms)) for r in range(options.rooms)
    ]
    events = [asyncio.Event() for _ in clients]
    readers = [
        asyncio.create_task(c.read(per_room[c.room], e))
        for c, e in zip(clients, events)
    ]
    senders = [[c for c in clients if c.room == r] for r in range(options.rooms)]
    start = time.perf_counter()
    for number in range(options.messages):
        room = number % options.rooms
        sender = senders[room][(number // options.rooms) % len(senders[room])]
        text = f"{number // options.rooms}@{time.perf_counter()}"
        await sender.ws.send(json.dumps({"type": "say", "text": text}))
        await asyncio.sleep(0)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in events)), DEADLINE)
    elapsed = time.perf_counter() - start
    for client in clients:
        await client.ws.close()
    await asyncio.gather(*readers)
    expected = sum(per_room[c.room] for c in clients)
    got = sum(len(c.seen) for c in clients)
    twice = sum(count - 1 for c in clients for count in c.seen.values())
    latencies = sorted(x for c in clients for x in c.latencies)
    return {
        "deliveries": got,
        "lost": expected - got,
        "duplicated": twice,
        "closed_1013": sum(1 for c in clients if c.closed == 1013),
        "seconds": elapsed,
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p99": latencies[int(len(latencies) * 0.99)] if latencies else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--rooms", type=int, default=10)
    parser.add_argument("--messages", type=int, default=20_000)
    options = parser.parse_args()
    if options.clients < 2 * options.rooms or options.messages < 1:
        parser.error("every room needs a client on each worker, and one message")
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis-server is missing: sh tests/system-packages.sh")
    results = {}
    with (
        tempfile.TemporaryDirectory(prefix="wsgen-rooms-load-") as tmp,
        processes() as up,
    ):
        redis_port = free_port()
        redis = subprocess.Popen(
            [binary, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", tmp],
            stdout=subprocess.DEVNULL,
        )
        up.append(redis)
        wait_for_port(redis_port, redis)
        url = f"redis://127.0.0.1:{redis_port}/0"
        (Path(tmp) / "by_hand.py").write_text(BY_HAND, encoding="utf-8")
        variants = {
            "generated (room_chat example)": (EXAMPLE, "room_chat_app.routes.app:app"),
            "by hand (redis.asyncio fan-out)": (Path(tmp), "by_hand:app"),
        }
        for name, (app_dir, target) in variants.items():
            workers: list[subprocess.Popen[bytes]] = []
            ports = start_workers(workers, app_dir, target, url)
            try:
                results[name] = asyncio.run(load(ports, options))
            finally:
                for process in workers:
                    process.kill()
                    process.wait()
    print(
        f"Rooms across 2 workers and Redis: {options.clients} clients in "
        f"{options.rooms} rooms, {options.messages:,} messages "
        f"({options.messages * options.clients // options.rooms:,} deliveries)"
    )
    print(f"Python {platform.python_version()}, {platform.machine()}, one run each")
    print()
    print(
        "| variant | deliveries/s | messages/s | p50 ms | p99 ms | lost | twice "
        "| closed 1013 |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        print(
            f"| {name} | {r['deliveries'] / r['seconds']:,.0f} "
            f"| {options.messages / r['seconds']:,.0f} | {r['p50'] * 1000:.1f} "
            f"| {r['p99'] * 1000:.1f} | {r['lost']} | {r['duplicated']} "
            f"| {r['closed_1013']} |"
        )


if __name__ == "__main__":
    main()
