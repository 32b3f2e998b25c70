"""Turn validated spec data into the frozen model. Assumes ``validate`` has passed."""

from __future__ import annotations

import json
import uuid
from typing import Any

from . import typenames
from .model import (
    App,
    AsyncApi,
    Broadcast,
    Contract,
    Dependency,
    ImportRef,
    Include,
    Message,
    MessageField,
    Param,
    Route,
    Router,
    Scalar,
    Spec,
)
from .naming import route_name
from .paths import implied_type, path_params


def spec_model(data: dict[str, Any], source_name: str, routers: bool = True) -> Spec:
    """The model of validated ``data``. With ``routers=False`` its ``routers`` stay empty,
    for a run that builds each router when it renders it (``router_model``, parallel.py):
    every other part is the same."""
    app = data.get("app")
    return Spec(
        source_name=source_name,
        output=data.get("output"),
        dependencies=tuple(
            Dependency(name, ImportRef.parse(ref))
            for name, ref in data.get("dependencies", {}).items()
        ),
        routers=(
            tuple(_router(name, raw) for name, raw in data["routers"].items())
            if routers
            else ()
        ),
        messages=tuple(
            _message(name, raw) for name, raw in data.get("messages", {}).items()
        ),
        close_codes=tuple(data.get("close_codes", {}).items()),
        asyncapi=_asyncapi(data.get("asyncapi")),
        app=(
            None
            if app is None
            else App(
                title=app.get("title"),
                description=app.get("description"),
                version=app.get("version"),
                dependencies=tuple(app.get("dependencies", ())),
                includes=_includes(app.get("include", ())),
            )
        ),
        broadcast=_broadcast(data.get("broadcast", {}), data["routers"]),
    )


def router_model(data: dict[str, Any], name: str) -> Router:
    """The model of one router of validated ``data``, as ``spec_model`` builds it."""
    return _router(name, data["routers"][name])


# Messages a socket may have waiting before a publish closes it with 1013.
QUEUE_SIZE = 64


def _broadcast(raw: dict[str, Any], routers: dict[str, Any]) -> Broadcast | None:
    rooms = (
        route.get("room") is not None
        for router in routers.values()
        for route in router.get("websockets", ())
    )
    if not any(rooms):
        return None
    return Broadcast(
        backend=raw.get("backend", "memory"),
        url_env=raw.get("url_env"),
        channel=raw.get("channel"),
        queue_size=raw.get("queue_size", QUEUE_SIZE),
    )


def _asyncapi(raw: dict[str, Any] | None) -> AsyncApi | None:
    if raw is None:
        return None
    servers = raw.get("servers")
    return AsyncApi(
        output=raw["output"],
        title=raw.get("title"),
        version=raw.get("version"),
        servers=None if servers is None else json.dumps(servers, ensure_ascii=False),
    )


def _includes(raw: list[dict[str, Any]]) -> tuple[Include, ...]:
    return tuple(
        Include(i["router"], i.get("prefix", ""), tuple(i.get("dependencies", ())))
        for i in raw
    )


def _router(name: str, raw: dict[str, Any]) -> Router:
    return Router(
        name=name,
        prefix=raw.get("prefix", ""),
        dependencies=tuple(raw.get("dependencies", ())),
        routes=tuple(_route(r) for r in raw.get("websockets", ())),
        includes=_includes(raw.get("include", ())),
    )


def _route(raw: dict[str, Any]) -> Route:
    name = route_name(raw)
    assert name is not None  # validated: handler is an import reference
    declared = raw.get("params", {})
    params = [
        _path_param(pname, convertor, declared.get(pname))
        for pname, convertor in path_params(raw["path"])
    ]
    others = [
        _param(pname, p) for pname, p in declared.items() if p.get("in") != "path"
    ]
    # Python wants parameters without a default before those with one; keep the order
    # else. Path parameters have none, and come first.
    others.sort(key=lambda p: p.signature_default)
    params += others
    return Route(
        name=name,
        path=raw["path"],
        kind=raw.get("kind", "fastapi"),
        handler=ImportRef.parse(raw["handler"]),
        description=raw.get("description"),
        dependencies=tuple(raw.get("dependencies", ())),
        params=tuple(params),
        contract=_contract(raw),
        deprecated=raw.get("deprecated", False),
        room=raw.get("room"),
    )


def _contract(raw: dict[str, Any]) -> Contract | None:
    if "receive" not in raw and "send" not in raw:
        return None
    return Contract(
        receive=tuple(raw.get("receive", ())),
        send=tuple(raw.get("send", ())),
        close_on_invalid=raw.get("on_invalid", "error") == "close",
        max_bytes=raw.get("max_message_bytes"),
    )


def _message(name: str, raw: dict[str, Any]) -> Message:
    return Message(
        name=name,
        description=raw.get("description"),
        fields=tuple(_field(fname, f) for fname, f in raw.get("fields", {}).items()),
        deprecated=raw.get("deprecated", False),
    )


def _field(name: str, raw: dict[str, Any]) -> MessageField:
    item_type, is_list = typenames.split(raw.get("type", "str"))
    has_default = "default" in raw
    return MessageField(
        name=name,
        item_type=item_type,
        is_list=is_list,
        required=not has_default and raw.get("required", True),
        default=_typed_default(item_type, raw.get("default")),
        description=raw.get("description"),
        constraints=_constraints(raw),
        choices=tuple(raw.get("enum", ())),
        deprecated=raw.get("deprecated", False),
    )


def _typed_default(item_type: str, default: Any) -> Any:
    """A default as the generated code writes it: a list as a tuple, a UUID as uuid.UUID
    (so it matches its annotation)."""
    if item_type == "uuid" and default is not None:
        if isinstance(default, list):
            return tuple(uuid.UUID(v) for v in default)
        return uuid.UUID(default)
    return tuple(default) if isinstance(default, list) else default


def _path_param(name: str, convertor: str | None, raw: dict[str, Any] | None) -> Param:
    raw = raw or {}
    item_type, is_list = typenames.split(raw.get("type", implied_type(convertor)))
    return Param(
        name=name,
        source="path",
        item_type=item_type,
        is_list=is_list,
        required=True,
        description=raw.get("description"),
        constraints=_constraints(raw),
        choices=tuple(raw.get("enum", ())),
        deprecated=raw.get("deprecated", False),
    )


def _param(name: str, raw: dict[str, Any]) -> Param:
    if "depends" in raw:
        declared = raw.get("type", "any")
        result_type = None
        if typenames.is_class(declared):
            declared, result_type = "class", ImportRef.parse(declared)
        item_type, is_list = typenames.split(declared)
        return Param(
            name=name,
            source="depends",
            item_type=item_type,
            is_list=is_list,
            required=True,
            description=raw.get("description"),
            depends=raw["depends"],
            result_type=result_type,
            deprecated=raw.get("deprecated", False),
        )
    item_type, is_list = typenames.split(raw.get("type", "str"))
    has_default = "default" in raw
    return Param(
        name=name,
        source=raw["in"],
        item_type=item_type,
        is_list=is_list,
        required=not has_default and raw.get("required", True),
        default=_typed_default(item_type, raw.get("default")),
        alias=raw.get("alias"),
        description=raw.get("description"),
        constraints=_constraints(raw),
        choices=tuple(raw.get("enum", ())),
        deprecated=raw.get("deprecated", False),
    )


def _constraints(raw: dict[str, Any]) -> tuple[tuple[str, Scalar], ...]:
    if raw.keys().isdisjoint(_CONSTRAINTS):  # most parameters and fields have none
        return ()
    return tuple([(key, raw[key]) for key in typenames.CONSTRAINT_KEYS if key in raw])


_CONSTRAINTS = frozenset(typenames.CONSTRAINT_KEYS)
