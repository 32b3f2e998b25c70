"""Hand-written handlers of the typed chat: each gets its route's typed connection."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import datetime, timezone

from typed_chat_app.routes.messages import (
    ChatEvent,
    ChatMessage,
    ChatRoomConnection,
    ClockConnection,
    CloseCode,
    Ping,
    StrictRoomConnection,
    Tick,
)

# The members of each room, in this process.
ROOMS: defaultdict[str, set[ChatRoomConnection | StrictRoomConnection]] = defaultdict(set)
_ids = itertools.count(1)


def event(user: str, message: ChatMessage) -> ChatEvent:
    return ChatEvent(
        id=next(_ids),
        user=user,
        text=message.text,
        reply_to=message.reply_to,
        sent_at=datetime.now(timezone.utc),
    )


async def broadcast(room_id: str, line: ChatEvent) -> None:
    for member in list(ROOMS[room_id]):
        await member.send(line)


async def chat_room(conn: ChatRoomConnection, room_id: str, user: str) -> None:
    """Every valid line goes to everyone in the room; '/bye' ends the connection."""
    await conn.accept()
    ROOMS[room_id].add(conn)
    try:
        async for message in conn:
            if isinstance(message, Ping):
                await conn.send(Ping())
            elif message.text == "/bye":
                await conn.close(CloseCode.goodbye)
                return
            else:
                await broadcast(room_id, event(user, message))
    finally:
        ROOMS[room_id].discard(conn)


async def strict_room(conn: StrictRoomConnection, room_id: str, user: str) -> None:
    await conn.accept()
    ROOMS[room_id].add(conn)
    try:
        async for message in conn:
            await broadcast(room_id, event(user, message))
    finally:
        ROOMS[room_id].discard(conn)


async def clock(conn: ClockConnection) -> None:
    await conn.accept()
    for n in range(3):
        await conn.send(Tick(n=n))
    await conn.close(CloseCode.goodbye)
