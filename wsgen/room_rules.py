"""Semantic rules of rooms: a route's ``room:`` template and the top-level ``broadcast:``.

A room template becomes ``str.format_map`` over the connection's path parameters in the
generated code, so it may name only those parameters, plainly (no attribute, index,
conversion or format spec: each would run on a value the client chose).
"""

from __future__ import annotations

import string
from typing import Any

from .includes import as_dict, as_list
from .naming import did_you_mean
from .paths import path_params
from .ref_rules import SpecView
from .source import JsonPath

# The keys of `broadcast:` that only the redis backend reads.
REDIS_KEYS = ("url_env", "channel")


def uses_rooms(spec: SpecView) -> bool:
    """Whether some route has a room (the package then gets broadcast.py)."""
    return any(
        isinstance(route, dict) and "room" in route
        for router in spec.routers.values()
        for route in as_list(as_dict(router).get("websockets"))
    )


def check_room(spec: SpecView, here: JsonPath, route: dict[str, Any]) -> None:
    template = route["room"]
    where = (*here, "room")
    if route.get("kind") == "starlette":
        spec.report.error(
            where,
            "room",
            "'room' does not apply to a 'kind: starlette' route, which gets the bare "
            "WebSocket",
            "remove 'room', or make it a fastapi route with 'send' messages",
            at_key=True,
        )
        return
    if not route.get("send"):
        spec.report.error(
            where,
            "room",
            "a route with a 'room' publishes its 'send' messages, and it has none",
            "list the messages it sends under 'send', or remove 'room'",
            at_key=True,
        )
    if isinstance(template, str):
        path = route.get("path")
        names = [n for n, _ in path_params(path)] if isinstance(path, str) else []
        _check_template(spec, where, template, names)


def _check_template(
    spec: SpecView, where: JsonPath, template: str, names: list[str]
) -> None:
    try:
        fields = [part[1:] for part in string.Formatter().parse(template)]
    except ValueError:
        spec.report.error(
            where,
            "room",
            f"room '{template}' has a '{{' or '}}' that opens or closes nothing",
            "name path parameters as '{room_id}'; write a literal brace twice: '{{'",
        )
        return
    for field, format_spec, conversion in fields:
        if field is None:
            continue
        if field not in names:
            known = ", ".join(f"'{n}'" for n in names) or "none"
            spec.report.error(
                where,
                "room",
                f"room '{template}' names '{{{field}}}', which is not a path "
                "parameter of its route",
                did_you_mean(field, names, f"its path parameters: {known}"),
            )
        elif format_spec or conversion:
            spec.report.error(
                where,
                "room",
                f"room '{template}' formats '{{{field}}}'; a room names path "
                "parameters as they are",
                f"write '{{{field}}}'",
            )


def check_broadcast(spec: SpecView, raw: Any, rooms: bool) -> None:
    """The top-level ``broadcast:``; ``rooms``: whether some route has a room."""
    here: JsonPath = ("broadcast",)
    if not isinstance(raw, dict):
        return  # the schema has said what is wrong
    backend = raw.get("backend", "memory")
    if backend == "redis" and "url_env" not in raw:
        spec.report.error(
            (*here, "backend"),
            "broadcast",
            "the redis backend needs 'url_env', the environment variable that holds "
            "the Redis URL",
            "add 'url_env: REDIS_URL'",
        )
    elif backend == "memory":
        for key in REDIS_KEYS:
            if key in raw:
                spec.report.error(
                    (*here, key),
                    "broadcast",
                    f"'{key}' applies to the redis backend",
                    f"add 'backend: redis', or remove '{key}'",
                    at_key=True,
                )
    if not rooms:
        spec.report.warning(
            here,
            "unused-broadcast",
            "no route has a 'room', so nothing is broadcast",
            "give a route 'room: \"{param}\"', or remove 'broadcast'",
        )
