"""A handler that reports which dependencies ran, and what it was passed."""

from typing import Any

from fastapi import WebSocket


async def report(websocket: WebSocket, **params: Any) -> None:
    await websocket.accept()
    await websocket.send_json(
        {
            "calls": getattr(websocket.state, "calls", []),
            "params": {name: repr(value) for name, value in params.items()},
        }
    )
    await websocket.close()
