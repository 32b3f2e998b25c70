"""Hand-written handler for the rooms example."""

from collections import defaultdict

from fastapi import WebSocket, WebSocketDisconnect

# Connected clients by room. One process, in memory: enough for an example.
rooms: defaultdict[str, list[WebSocket]] = defaultdict(list)


async def broadcast(room_id: str, message: str) -> None:
    for member in list(rooms[room_id]):
        await member.send_text(message)


async def chat_room(websocket: WebSocket, room_id: str) -> None:
    await websocket.accept()
    # Join before the welcome: once a client has it, it gets every later message.
    rooms[room_id].append(websocket)
    try:
        await websocket.send_text(f"Welcome to room {room_id}")
        while True:
            text = await websocket.receive_text()
            await broadcast(room_id, f"[{room_id}] {text}")
    except WebSocketDisconnect:
        pass
    finally:
        rooms[room_id].remove(websocket)
        if not rooms[room_id]:
            del rooms[room_id]
