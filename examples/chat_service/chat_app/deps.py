"""Dependencies for the chat service example."""

from typing import Annotated

from fastapi import Cookie, Query, WebSocket, WebSocketException, status

# Who may connect, by access token. A real service would look tokens up elsewhere.
TOKENS = {"alice-token": "alice", "bob-token": "bob"}


async def verify_auth(
    websocket: WebSocket, token: Annotated[str | None, Query()] = None
) -> None:
    """Let a connection through only with a known ``token`` query parameter.

    The user it names is kept in ``websocket.state.user`` for the handlers. Any other
    connection is closed with 1008 (policy violation) before it is accepted.
    """
    user = TOKENS.get(token or "")
    if user is None:
        raise WebSocketException(
            code=status.WS_1008_POLICY_VIOLATION, reason="unknown or missing token"
        )
    websocket.state.user = user


async def get_cookie_or_token(
    websocket: WebSocket,
    session: Annotated[str | None, Query()] = None,
    session_cookie: Annotated[str | None, Cookie(alias="session")] = None,
) -> str:
    """The session from the ``session`` query parameter or the ``session`` cookie."""
    value = session or session_cookie
    if value is None:
        raise WebSocketException(
            code=status.WS_1008_POLICY_VIOLATION, reason="no session"
        )
    return value
