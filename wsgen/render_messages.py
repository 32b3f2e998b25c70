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

from . import header
from .literals import py_literal
from .message_rules import MODULE_NAMES, class_name
from .model import Contract, Message, MessageField, Spec
from .naming import NameAllocator
from .render import ImportLine, Imports

TYPES = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "uuid": "uuid.UUID",
    "datetime": "datetime",
    "any": "Any",
}


@dataclass(frozen=True, slots=True)
class FieldContext:
    name: str
    annotation: str
    has_default: bool  # "= default", or default= inside Field(...)
    default: Any
    factory: bool  # a list default: Field(default_factory=lambda: [...]), never shared
    options: tuple[tuple[str, Any], ...]  # description and constraints, for Field(...)


@dataclass(frozen=True, slots=True)
class ModelContext:
    cls: str
    name: str
    description: str | None
    fields: tuple[FieldContext, ...]


@dataclass(frozen=True, slots=True)
class ConnectionContext:
    cls: str
    description: str
    receive_type: str  # the type receive() returns: "A | B", or "NoReturn"
    send_type: str
    adapter: str  # the TypeAdapter(...) expression, or "None"
    tags: tuple[str, ...]  # message names of a union, whose errors start with them
    send: tuple[str, ...]  # class names
    close_on_invalid: bool
    max_bytes: int | None


@dataclass(frozen=True, slots=True)
class MessagesContext:
    header: str
    imports: tuple[tuple[ImportLine, ...], ...]
    close_codes: tuple[tuple[str, int], ...]
    models: tuple[ModelContext, ...]
    connections: tuple[ConnectionContext, ...]


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
        _connection(spec, router.name, route.name, route.contract, cls)
        for router in spec.routers
        for route in router.routes
        if route.contract is not None
        for cls in [connections[(router.name, route.name)]]
    )
    if contexts:
        imports.plain.add("json")
        imports.add(imports.stdlib, "collections.abc", "Iterable", "Iterable")
        for name in ("Any", "Generic", "NoReturn", "TypeVar"):
            _typing(imports, name)
        for name in ("WebSocket", "WebSocketDisconnect"):
            imports.fastapi.add(name)
        for name in ("TypeAdapter", "ValidationError"):
            imports.add(imports.third_party, "pydantic", name, name)
        if any(c.tags for c in contexts):
            _typing(imports, "Annotated")
            imports.add(imports.third_party, "pydantic", "Field", "Field")
    return MessagesContext(
        header=header.text(spec.source_name),
        imports=imports.sections(),
        close_codes=spec.close_codes,
        models=models,
        connections=contexts,
    )


def _typing(imports: Imports, name: str) -> None:
    imports.add(imports.stdlib, "typing", name, name)


def _model(imports: Imports, message: Message) -> ModelContext:
    return ModelContext(
        cls=class_name(message.name),
        name=message.name,
        description=(message.description or "").strip() or None,
        fields=tuple(_field(imports, f) for f in message.fields),
    )


def _field(imports: Imports, field: MessageField) -> FieldContext:
    if field.choices:
        _typing(imports, "Literal")
        annotation = f"Literal[{', '.join(py_literal(v) for v in field.choices)}]"
    else:
        annotation = TYPES[field.item_type]
    if field.item_type == "uuid":
        imports.plain.add("uuid")
    elif field.item_type == "datetime":
        imports.add(imports.stdlib, "datetime", "datetime", "datetime")
    elif field.item_type == "any" and not field.choices:
        _typing(imports, "Any")
    if field.is_list:
        annotation = f"list[{annotation}]"
    if not field.required and field.default is None:
        annotation += " | None"
    options: list[tuple[str, Any]] = []
    if field.description is not None:
        options.append(("description", field.description))
    options.extend(field.constraints)
    factory = not field.required and isinstance(field.default, tuple)
    if options or factory:
        imports.add(imports.third_party, "pydantic", "Field", "Field")
    return FieldContext(
        name=field.name,
        annotation=annotation,
        has_default=not field.required,
        default=field.default,
        factory=factory,
        options=tuple(options),
    )


def _connection(
    spec: Spec, router: str, route: str, contract: Contract, cls: str
) -> ConnectionContext:
    receive = tuple(class_name(name) for name in contract.receive)
    send = tuple(class_name(name) for name in contract.send)
    union = " | ".join(receive)
    if len(receive) > 1:
        adapter = f'TypeAdapter(Annotated[{union}, Field(discriminator="type")])'
    else:
        adapter = f"TypeAdapter({union})" if receive else "None"
    return ConnectionContext(
        cls=cls,
        description=(
            f"The connection of route '{route}' in router '{router}'.\n\n"
            f"Receives {union or 'no messages'}; sends {' | '.join(send) or 'none'}."
        ),
        receive_type=union or "NoReturn",
        send_type=" | ".join(send) or "NoReturn",
        adapter=adapter,
        tags=contract.receive if len(receive) > 1 else (),
        send=send,
        close_on_invalid=contract.close_on_invalid,
        max_bytes=contract.max_bytes,
    )
