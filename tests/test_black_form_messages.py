"""messages.py is in black's output form too: specs that stress its layout (long message,
field and close code names, many and long enum values, long descriptions and patterns,
many messages per route) give files black leaves unchanged."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_black_form import NAMES, TEXT, generated_black_stable, identifier

FIELD_TYPES = ["str", "int", "float", "bool", "uuid", "datetime", "any"]
MESSAGE_NAMES = st.one_of(identifier(10), identifier(30), identifier(48))
FIELD_NAMES = st.one_of(identifier(12), identifier(48))


@st.composite
def field(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(FIELD_TYPES))
    is_list = draw(st.integers(0, 3)) == 0
    raw: dict[str, Any] = {"type": f"list[{kind}]" if is_list else kind}
    if draw(st.booleans()):
        raw["required"] = False
    if draw(st.integers(0, 3)) == 0:
        raw["deprecated"] = True  # its name joins the model's docstring
    if kind in ("str", "int") and not is_list and draw(st.booleans()):
        values = draw(
            st.lists(
                TEXT if kind == "str" else st.integers(),
                min_size=1,
                max_size=12,
                unique=True,
            )
        )
        raw["enum"] = values
        if draw(st.booleans()):
            raw["default"] = values[0]
        return raw
    if kind == "str" and not is_list and draw(st.booleans()):
        raw["default"] = draw(TEXT)
    if is_list and kind == "str" and draw(st.booleans()):
        raw["default"] = draw(st.lists(TEXT, max_size=5))
    if draw(st.booleans()):
        raw["description"] = draw(TEXT)
    if kind == "str" and not is_list and draw(st.booleans()):
        raw["pattern"] = "^" + draw(st.text("abc-_", max_size=60)) + "$"
    if kind == "int" and not is_list and draw(st.booleans()):
        raw["ge"] = draw(st.integers(-(10**9), 0))
    if (kind == "str" or is_list) and draw(st.booleans()):
        raw["max_length"] = draw(st.integers(1, 10**6))
    return raw


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(MESSAGE_NAMES, min_size=1, max_size=9, unique=True))
    messages: dict[str, Any] = {}
    for name in names:
        raw: dict[str, Any] = {}
        if draw(st.booleans()):
            raw["description"] = draw(TEXT)
        if draw(st.integers(0, 3)) == 0:
            raw["deprecated"] = True
        fields = {
            draw(FIELD_NAMES): draw(field()) for _ in range(draw(st.integers(0, 5)))
        }
        if fields:
            raw["fields"] = fields
        messages[name] = raw
    routes = []
    for number in range(draw(st.integers(1, 3))):
        route: dict[str, Any] = {
            "path": f"/r{number}",
            "handler": "h:r",
            "name": f"{draw(NAMES)}{number}",
        }
        for key in ("receive", "send"):
            if draw(st.booleans()):
                route[key] = draw(
                    st.lists(st.sampled_from(names), min_size=1, unique=True)
                )
        route.setdefault("send", [names[0]])
        if draw(st.booleans()):
            route["on_invalid"] = "close"
        if draw(st.booleans()):
            route["max_message_bytes"] = draw(st.integers(1, 10**12))
        routes.append(route)
    spec: dict[str, Any] = {"version": 1, "messages": messages}
    codes = draw(st.lists(FIELD_NAMES, max_size=3, unique=True))
    if codes:
        spec["close_codes"] = {code: 4000 + i for i, code in enumerate(codes)}
    spec["routers"] = {draw(identifier(30)): {"websockets": routes}}
    return spec


@settings(max_examples=150)
@given(spec=specs())
def test_generated_messages_are_black_stable(
    tmp_path_factory: pytest.TempPathFactory, spec: dict[str, Any]
) -> None:
    generated_black_stable(tmp_path_factory, spec)
