"""Handlers that report what the generated endpoint passed them."""

from typing import Any

from fastapi import WebSocket


async def report(websocket: WebSocket, **params: Any) -> None:
    """Send ``repr()`` of every parameter, so tests see values and types."""
    await websocket.accept()
    await websocket.send_json({name: repr(value) for name, value in params.items()})
    await websocket.close()


async def raw(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text(f"raw at {websocket.url.path}")
    await websocket.close()
