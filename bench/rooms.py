"""Publish fan-out through a generated room, next to the same room written by hand.

    python bench/rooms.py                          # 50 members, 2,000 messages, 7 runs
    python bench/rooms.py --members 500 --messages 1000 --repeat 5

It writes a small spec (one route with `room: "{room_id}"`, the memory backend) into a
temporary folder, runs the real `wsgen generate` on it, and serves it beside a
hand-written route that does the same the way it is usually written: a module-level
`dict[str, set[WebSocket]]`, join after accept, `discard` in `finally`, and for each
message `Said(...).model_dump_json()` once, then `await member.send_text(text)` for every
member in turn. The generated handler is `await conn.publish(Said(...))`, which queues the
text for each member (bounded, with one writer task per member) instead.

Both routes run in one FastAPI app called directly as ASGI: every member is a scripted
connection whose `send` only counts, and one of them (the talker) hands the app N
messages. The clock runs from the first message to the moment every member (the talker
too) has received all N, and each row is the median of the runs, the variants
interleaved. No server and no client: what is measured is the room's own cost per
delivery.
"""

import argparse
import asyncio
import importlib
import platform
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from messages import generate_package, scope  # bench/messages.py, beside this one
from pydantic import BaseModel

REPO = Path(__file__).resolve().parent.parent
PACKAGE = "wsgen_bench_rooms"
VARIANTS = ("generated", "by hand")

SPEC = f"""\
version: 1
output: {PACKAGE}/routes
messages:
  say: {{fields: {{text: {{type: str}}}}}}
  said: {{fields: {{text: {{type: str}}}}}}
routers:
  bench:
    websockets:
      - path: /generated/{{room_id}}
        name: generated
        handler: {PACKAGE}.handlers:generated
        room: "{{room_id}}"
        receive: [say]
        send: [said]
"""

HANDLERS = f"""\
from {PACKAGE}.routes.messages import GeneratedConnection, Said


async def generated(conn: GeneratedConnection, room_id: str) -> None:
    await conn.accept()
    async for message in conn:
        await conn.publish(Said(text=message.text))
"""


class Say(BaseModel):
    type: Literal["say"] = "say"
    text: str


class Said(BaseModel):
    type: Literal["said"] = "said"
    text: str


ROOMS: defaultdict[str, set[WebSocket]] = defaultdict(set)


async def by_hand(websocket: WebSocket, room_id: str) -> None:
    await websocket.accept()
    ROOMS[room_id].add(websocket)
    try:
        while True:
            message = Say.model_validate_json(await websocket.receive_text())
            text = Said(text=message.text).model_dump_json()
            for member in list(ROOMS[room_id]):
                await member.send_text(text)
    except WebSocketDisconnect:
        pass
    finally:
        ROOMS[room_id].discard(websocket)


class Member:
    """One scripted connection: counts the frames it gets; ``done`` when it has all."""

    def __init__(self, app: FastAPI, path: str, expected: int) -> None:
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.inbox.put_nowait({"type": "websocket.connect"})
        self.accepted = asyncio.Event()
        self.done = asyncio.Event()
        self.expected, self.count = expected, 0
        self.task = asyncio.create_task(app(scope(path), self.inbox.get, self.send))

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "websocket.accept":
            self.accepted.set()
        elif message["type"] == "websocket.send":
            self.count += 1
            if self.count == self.expected:
                self.done.set()


async def run(app: FastAPI, variant: str, members: int, messages: int) -> float:
    """Seconds from the first message to the last delivery, for one room."""
    path = f"/{'generated' if variant == 'generated' else 'hand'}/bench"
    peers = [Member(app, path, messages) for _ in range(members)]
    for peer in peers:
        await peer.accepted.wait()
    await asyncio.sleep(0)  # the last member's join, right after its accept
    lines = [f'{{"type":"say","text":"line {n}"}}' for n in range(messages)]
    start = time.perf_counter()
    for text in lines:
        peers[0].inbox.put_nowait({"type": "websocket.receive", "text": text})
    await asyncio.gather(*(peer.done.wait() for peer in peers))
    elapsed = time.perf_counter() - start
    for peer in peers:
        peer.inbox.put_nowait({"type": "websocket.disconnect", "code": 1000})
    await asyncio.gather(*(peer.task for peer in peers))
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=50, help="in the room (50)")
    parser.add_argument("--messages", type=int, default=2_000, help="per run (2,000)")
    parser.add_argument("--repeat", type=int, default=7, help="runs per variant (7)")
    options = parser.parse_args()
    if min(options.members, options.messages, options.repeat) < 1:
        parser.error("--members, --messages and --repeat must be at least 1")
    with tempfile.TemporaryDirectory(prefix="wsgen-bench-rooms-") as tmp:
        generated = generate_package(Path(tmp), PACKAGE, SPEC, HANDLERS, "bench")
        broadcast = importlib.import_module(f"{PACKAGE}.routes.broadcast")
        app = FastAPI()
        app.include_router(generated.router)
        app.add_api_websocket_route("/hand/{room_id}", by_hand)
        times: dict[str, list[float]] = {v: [] for v in VARIANTS}

        async def all_runs() -> None:
            for variant in VARIANTS:  # warm-up
                await run(app, variant, options.members, min(options.messages, 100))
            for _ in range(options.repeat):
                for variant in VARIANTS:
                    elapsed = await run(app, variant, options.members, options.messages)
                    times[variant].append(elapsed)
            if broadcast.rooms.members or ROOMS["bench"]:
                sys.exit("a member was left in its room")

        asyncio.run(all_runs())
    deliveries = options.members * options.messages
    print(
        f"Publish fan-out: {options.members} members in one room, "
        f"{options.messages:,} messages, every member gets every message "
        f"({deliveries:,} deliveries per run), median of {options.repeat} runs"
    )
    print(f"Python {platform.python_version()}, {platform.machine()}")
    print()
    print("| variant | seconds | deliveries/s | generated / by hand |")
    print("|---|---|---|---|")
    median = {v: statistics.median(times[v]) for v in VARIANTS}
    for variant in VARIANTS:
        rate = deliveries / median[variant]
        ratio = median["by hand"] / median[variant]
        print(f"| {variant} | {median[variant]:.4f} | {rate:,.0f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
