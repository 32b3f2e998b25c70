"""The context of ``messages.py``: a pydantic model per message, the close codes, and per
route with a contract the typed connection class its handler receives.

Class names are made here, once: a message's class is its name in PascalCase (the rules
have refused names that would collide), a route's connection is ``<Route>Connection``,
else ``<Router><Route>Connection``, else numbered. Router modules import the connection
classes under the names :func:`connection_names` gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import deprecation, header
from .imports import ImportLine, Imports
from .layout import Chunk, call, docstring, keyword, lay_out, literal, subscript
from .literals import docstring as escape_docstring
from .literals import py_literal
from .message_layout import (
    annotated,
    assign_atom,
    class_line,
    optional,
    tuple_literal,
    union,
)
from .message_rules import MODULE_NAMES, class_name
from .model import Contract, Message, MessageField, Route, Spec
from .naming import NameAllocator
from .typenames import PYTHON

# A field has the types of a parameter, and datetime.
TYPES = {**PYTHON, "datetime": "datetime"}


@dataclass(frozen=True, slots=True)
class ModelContext:
    header: str  # the class line
    doc: str | None  # the docstring statement
    lines: tuple[str, ...]  # the type field, then the declared fields


@dataclass(frozen=True, slots=True)
class ConnectionContext:
    header: str
    doc: str
    lines: tuple[str, ...]  # the class attributes


@dataclass(frozen=True, slots=True)
class MessagesContext:
    """Every line that carries a spec value, already laid out as black would."""

    header: str
    imports: tuple[tuple[ImportLine, ...], ...]
    close_codes: tuple[str, ...]
    models: tuple[ModelContext, ...]
    connections: tuple[ConnectionContext, ...]
    rooms: bool = False  # some route has a room: RoomConnection and broadcast's rooms


def connection_names(spec: Spec) -> dict[tuple[str, str], str]:
    """(router, route) -> the class of its typed connection, for routes with a contract."""
    names = NameAllocator(MODULE_NAMES | {class_name(m.name) for m in spec.messages})
    out = {}
    for router in spec.routers:
        for route in router.routes:
            if route.contract is not None:
                own = f"{class_name(route.name)}Connection"
                full = f"{class_name(router.name)}{class_name(route.name)}Connection"
                out[(router.name, route.name)] = names.allocate(own, full)
    return out


def messages_context(
    spec: Spec, connections: dict[tuple[str, str], str]
) -> MessagesContext:
    imports = Imports()
    if spec.close_codes:
        imports.add(imports.stdlib, "enum", "IntEnum", "IntEnum")
    if spec.messages:
        imports.add(imports.third_party, "pydantic", "BaseModel", "BaseModel")
        _typing(imports, "Literal")
    models = tuple(_model(imports, message) for message in spec.messages)
    contexts = tuple(
        _connection(imports, router.name, route, route.contract, cls)
        for router in spec.routers
        for route in router.routes
        if route.contract is not None
        for cls in [connections[(router.name, route.name)]]
    )
    if contexts:
        imports.plain.add("json")
        for name in ("Awaitable", "Iterable"):
            imports.add(imports.stdlib, "collections.abc", name, name)
        for name in ("Any", "Generic", "NoReturn", "TypeVar"):
            _typing(imports, name)
        for name in ("WebSocket", "WebSocketDisconnect"):
            imports.fastapi.add(name)
        for name in ("TypeAdapter", "ValidationError"):
            imports.add(imports.third_party, "pydantic", name, name)
        if any(
            len(route.contract.receive) > 1
            for router in spec.routers
            for route in router.routes
            if route.contract is not None
        ):
            _typing(imports, "Annotated")
            imports.add(imports.third_party, "pydantic", "Field", "Field")
    if spec.has_rooms:
        imports.add(imports.stdlib, "collections.abc", "Callable", "Callable")
        for name in ("Member", "rooms"):
            imports.add(imports.package, ".broadcast", name, name)
    return MessagesContext(
        header=header.text(spec.source_name),
        imports=imports.sections(),
        close_codes=tuple(
            assign_atom(name, str(code), 1) for name, code in spec.close_codes
        ),
        models=models,
        connections=contexts,
        rooms=spec.has_rooms,
    )


def _typing(imports: Imports, name: str) -> None:
    imports.add(imports.stdlib, "typing", name, name)


def _model(imports: Imports, message: Message) -> ModelContext:
    cls = class_name(message.name)
    description = deprecation.message_doc(message)
    name = py_literal(message.name)
    kind = annotated("type", subscript("Literal", [(name,)]), (name,))
    return ModelContext(
        header=class_line(cls, ("BaseModel",)),
        doc=None if description is None else _doc(description),
        lines=(kind, *(_field(imports, f) for f in message.fields)),
    )


def _doc(text: str) -> str:
    return docstring(escape_docstring(text, indent=""), depth=1)


def _field(imports: Imports, field: MessageField) -> str:
    """``name: annotation [= default | = Field(...)]`` as one laid-out statement."""
    item = _item(imports, field)
    if field.is_list:
        item = subscript("list", [item])
    options: list[Chunk] = []
    factory = not field.required and isinstance(field.default, tuple)
    if factory:
        made = ("lambda: ", *literal(field.default)) if field.default else ("list",)
        options.append(keyword("default_factory", made))
    elif not field.required:
        options.append(keyword("default", literal(field.default)))
    extra: list[tuple[str, Any]] = []
    if field.description is not None:
        extra.append(("description", field.description))
    extra.extend(field.constraints)
    options.extend(keyword(key, literal(value)) for key, value in extra)
    if extra or factory:
        imports.add(imports.third_party, "pydantic", "Field", "Field")
        value: Chunk | None = call("Field", options)
    else:
        value = None if field.required else literal(field.default)
    if not field.required and field.default is None:
        return optional(field.name, item, value or ("None",))
    return annotated(field.name, item, value)


def _item(imports: Imports, field: MessageField) -> Chunk:
    if field.choices:
        _typing(imports, "Literal")
        return subscript("Literal", [(py_literal(v),) for v in field.choices])
    if field.item_type == "uuid":
        imports.plain.add("uuid")
    elif field.item_type == "datetime":
        imports.add(imports.stdlib, "datetime", "datetime", "datetime")
    elif field.item_type == "any":
        _typing(imports, "Any")
    return (TYPES[field.item_type],)


def _connection(
    imports: Imports, router: str, route: Route, contract: Contract, cls: str
) -> ConnectionContext:
    receive = [class_name(name) for name in contract.receive]
    send = [class_name(name) for name in contract.send]
    base = subscript(
        "Connection" if route.room is None else "RoomConnection",
        [union(receive or ["NoReturn"]), union(send or ["NoReturn"])],
    )
    tags = [literal(list(contract.receive))] if len(receive) > 1 else []
    sends = tuple_literal(send) if send else ("()",)
    lines = [
        "    __slots__ = ()",
        _adapter(receive),
        lay_out(call("_tags = frozenset", tags), 1),
        lay_out(("_sends = ", *sends), 1),
        f"    _close_on_invalid = {contract.close_on_invalid}",
        assign_atom("_max_bytes", str(contract.max_bytes), 1),
    ]
    if route.room is not None:
        lines.append(assign_atom("_room", py_literal(route.room), 1))
    return ConnectionContext(
        header=class_line(cls, base),
        doc=_doc(
            f"The connection of route '{route.name}' in router '{router}'.\n\n"
            f"Receives {' | '.join(receive) or 'no messages'}; "
            f"sends {' | '.join(send) or 'none'}."
        ),
        lines=tuple(lines),
    )


def _adapter(receive: list[str]) -> str:
    """``_receive = TypeAdapter(...)``: of a discriminated union, one model, or None."""
    if not receive:
        return "    _receive = None"
    if len(receive) == 1:
        return lay_out(call("_receive = TypeAdapter", [(receive[0],)]), 1)
    tagged = subscript("Annotated", [union(receive), ('Field(discriminator="type")',)])
    return lay_out(call("_receive = TypeAdapter", [tagged]), 1)
