"""Dependencies that record, per connection, that they ran."""

from typing import Annotated

from fastapi import Query, WebSocket, WebSocketException


def record(websocket: WebSocket, name: str) -> None:
    if not hasattr(websocket.state, "calls"):
        websocket.state.calls = []
    websocket.state.calls.append(name)


async def app_dep(websocket: WebSocket) -> None:
    record(websocket, "app")


async def outer_include_dep(websocket: WebSocket) -> None:
    record(websocket, "outer_include")


async def outer_router_dep(websocket: WebSocket) -> None:
    record(websocket, "outer_router")


async def inner_include_dep(websocket: WebSocket) -> None:
    record(websocket, "inner_include")


async def inner_router_dep(websocket: WebSocket) -> None:
    record(websocket, "inner_router")


async def route_dep(websocket: WebSocket) -> None:
    record(websocket, "route")


async def first_param_dep(websocket: WebSocket) -> str:
    record(websocket, "first_param")
    return "first-value"


async def second_param_dep(websocket: WebSocket) -> str:
    record(websocket, "second_param")
    return "second-value"


async def require_key(
    websocket: WebSocket, key: Annotated[str | None, Query()] = None
) -> None:
    record(websocket, "require_key")
    if key != "open-sesame":
        raise WebSocketException(code=1008, reason="bad key")
