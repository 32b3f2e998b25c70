"""Hand-written handlers for the chat service example."""

from fastapi import WebSocket, WebSocketDisconnect


async def chat_room(websocket: WebSocket, room_id: str) -> None:
    user = websocket.state.user
    await websocket.accept()
    await websocket.send_text(f"Welcome to room {room_id}, {user}")
    try:
        while True:
            text = await websocket.receive_text()
            await websocket.send_text(f"[{room_id}] {user}: {text}")
    except WebSocketDisconnect:
        pass


async def read_items(
    websocket: WebSocket, session: str, q: int | None, x_token: str
) -> None:
    await websocket.accept()
    await websocket.send_text(f"Session: {session}")
    await websocket.send_json(
        {"user": websocket.state.user, "q": q, "x_token": x_token}
    )
    await websocket.close()


async def raw(websocket: WebSocket) -> None:
    """A plain Starlette route: no injection, so it checks nothing itself."""
    await websocket.accept()
    await websocket.send_text(f"Raw WebSocket at {websocket.url.path}")
    await websocket.close()
