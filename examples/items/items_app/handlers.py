"""Hand-written handler for the items example."""

from fastapi import WebSocket


async def read_items(websocket: WebSocket, session: str) -> None:
    await websocket.accept()
    await websocket.send_text(f"Session: {session}")
    await websocket.close()
