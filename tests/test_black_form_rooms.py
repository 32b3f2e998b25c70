"""broadcast.py, and what rooms add to messages.py, the routers and app.py, are in black's
output form too: specs with long route, parameter, handler and message names, long room
templates, channels and variable names, both backends, with and without an app."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_black_form import MODULES, NAMES, TEXT, generated_black_stable, identifier

PARAMS = st.lists(identifier(40), min_size=0, max_size=4, unique=True)


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    message = draw(st.one_of(identifier(10), identifier(48)))
    routes = []
    for number in range(draw(st.integers(1, 3))):
        params = draw(PARAMS)
        path = "/r" + "".join(f"/{{{p}}}" for p in params)
        literal = draw(st.text("abc-_:./ ", max_size=60))
        route: dict[str, Any] = {
            "path": f"{path}/{number}",
            "handler": f"{draw(MODULES)}:{draw(identifier(40))}",
            "name": f"{draw(NAMES)}{number}",
            "room": literal + "".join(f"{{{p}}}" for p in params) or "lobby",
            "send": [message],
        }
        if draw(st.booleans()):
            route["receive"] = [message]
        query = draw(identifier(30))
        if draw(st.booleans()) and query not in params:  # never a path's parameter
            route["params"] = {query: {"in": "query"}}
        routes.append(route)
    broadcast: dict[str, Any] = {"queue_size": draw(st.integers(1, 10**12))}
    if draw(st.booleans()):
        broadcast["backend"] = "redis"
        broadcast["url_env"] = draw(identifier(90)).upper()
        if draw(st.booleans()):
            broadcast["channel"] = draw(TEXT.filter(bool))
    router = draw(identifier(30))
    spec: dict[str, Any] = {
        "version": 1,
        "broadcast": broadcast,
        "messages": {message: {"fields": {"text": {}}}},
        "routers": {router: {"websockets": routes}},
    }
    if draw(st.booleans()):
        spec["app"] = {"title": draw(TEXT), "include": [{"router": router}]}
    return spec


# Found by the property test: a serve call too long only up to ``serve(`` splits at the
# connection's brackets; a query parameter never takes a path parameter's name.
LONG_CONNECTION = {
    "version": 1,
    "broadcast": {"queue_size": 1},
    "messages": {"n__": {"fields": {"text": {}}}},
    "routers": {
        "n__": {
            "websockets": [
                {
                    "path": "/r/0",
                    "handler": "n__:n__",
                    "name": "n__" + "x" * 49 + "0",
                    "room": "lobby",
                    "send": ["n__"],
                }
            ]
        }
    },
}


@settings(max_examples=100)
@given(spec=specs())
@example(spec=LONG_CONNECTION)
def test_generated_rooms_are_black_stable(
    tmp_path_factory: pytest.TempPathFactory, spec: dict[str, Any]
) -> None:
    model = generated_black_stable(tmp_path_factory, spec)
    assert model is not None, "the strategy makes valid specs only"
    assert model.has_rooms
