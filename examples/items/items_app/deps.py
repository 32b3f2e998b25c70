"""Dependencies for the items example."""

from typing import Annotated

from fastapi import Cookie, Query, WebSocket, WebSocketException, status


async def get_cookie_or_token(
    websocket: WebSocket,
    session: Annotated[str | None, Query()] = None,
    session_cookie: Annotated[str | None, Cookie(alias="session")] = None,
) -> str:
    """The session from the ``session`` query parameter or the ``session`` cookie.

    Without one the connection is closed with 1008 (policy violation) before it is
    accepted, so the handler never runs.
    """
    value = session or session_cookie
    if value is None:
        raise WebSocketException(
            code=status.WS_1008_POLICY_VIOLATION, reason="no session"
        )
    return value
