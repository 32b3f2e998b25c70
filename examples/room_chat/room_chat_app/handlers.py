"""Hand-written handler of the room chat: the generated connection does the rooms."""

from __future__ import annotations

from room_chat_app.routes.messages import ChatRoomConnection, Joined, Ping, Said


async def room(conn: ChatRoomConnection, room_id: str, user: str) -> None:
    """Tell the room who came in, then pass every line on to everyone in it (the sender
    too: its own line coming back says the room has it). A ping is answered directly."""
    await conn.accept()
    await conn.publish(Joined(user=user), exclude_sender=True)
    async for message in conn:
        if isinstance(message, Ping):
            await conn.send(Ping())
        else:
            await conn.publish(Said(user=user, text=message.text))
