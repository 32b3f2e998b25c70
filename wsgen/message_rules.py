"""Semantic rules of message contracts: the messages and their fields, the close codes, and
what each route receives and sends.

A message becomes a pydantic model in the generated ``messages.py``; its fields become the
model's attributes, so a field name must be one pydantic keeps as a field and that does not
hide a method of ``BaseModel``.
"""

from __future__ import annotations

from typing import Any

from .includes import as_dict, as_list
from .naming import did_you_mean, reserved, unreserved
from .param_rules import ENUM_FIELD_TYPES, check_constraints, check_default, check_enum
from .ref_rules import SpecView
from .source import JsonPath

# The message name the error frame of `on_invalid: error` uses: {"type": "error", ...}.
ERROR_MESSAGE = "error"
SCALAR_FIELD_TYPES = ("str", "int", "float", "bool", "uuid", "datetime", "any")
# The types the schema's enum allows (a test keeps the two equal).
FIELD_TYPES = frozenset(
    (*SCALAR_FIELD_TYPES, *(f"list[{t}]" for t in SCALAR_FIELD_TYPES))
)
# Names messages.py binds besides the message classes (render.MESSAGES_NAMES uses them).
MODULE_NAMES = frozenset(
    {
        "Annotated",
        "Any",
        "Awaitable",
        "BaseModel",
        "Callable",
        "CloseCode",
        "Connection",
        "Field",
        "Generic",
        "IntEnum",
        "Iterable",
        "Literal",
        "Member",
        "NoReturn",
        "RoomConnection",
        "TypeAdapter",
        "TypeVar",
        "ValidationError",
        "WebSocket",
        "WebSocketDisconnect",
    }
)
# BaseModel's public attributes that do not start with "model_" (pydantic 2.x); a field of
# one of these names would hide it. A test compares them with the installed pydantic.
BASE_MODEL_NAMES = frozenset(
    {
        "construct",
        "copy",
        "dict",
        "from_orm",
        "json",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "schema",
        "schema_json",
        "update_forward_refs",
        "validate",
    }
)
# Names a field's annotation or value may use in messages.py.
ANNOTATION_NAMES = MODULE_NAMES | {
    "bool",
    "datetime",
    "float",
    "int",
    "list",
    "str",
    "uuid",
}
# Message, field and close code names are at most this long: every generated line that
# holds one then splits in the few ways black splits short code.
MAX_NAME = 48
ROUTE_KEYS = ("receive", "send", "on_invalid", "max_message_bytes")
# Close codes an endpoint may send (RFC 6455 7.4; 1004-1006 and 1015 are reserved).
CLOSE_CODE_RANGES = ((1000, 1003), (1007, 1014), (3000, 4999))


def class_name(message: str) -> str:
    """The model class of a message: PascalCase, ``chat_message`` -> ``ChatMessage``."""
    return "".join(part[:1].upper() + part[1:] for part in message.split("_"))


def check_messages(spec: SpecView) -> None:
    classes: dict[str, str] = {}
    for name, message in spec.messages.items():
        here: JsonPath = ("messages", name)
        if _short(spec, here, name, "message"):
            _check_message_name(spec, here, name, classes)
        for fname, field in as_dict(as_dict(message).get("fields")).items():
            where = (*here, "fields", fname)
            if isinstance(field, dict) and _short(spec, where, fname, "field"):
                check_field(spec, where, fname, field)


def _short(spec: SpecView, here: JsonPath, name: str, what: str) -> bool:
    if len(name) <= MAX_NAME:
        return True
    spec.report.error(
        here,
        "name",
        f"{what} name of {len(name)} characters is too long",
        f"use at most {MAX_NAME}",
        at_key=True,
    )
    return False


def _check_message_name(
    spec: SpecView, here: JsonPath, name: str, classes: dict[str, str]
) -> None:
    cls = class_name(name)
    if name == ERROR_MESSAGE:
        spec.report.error(
            here,
            "message-name",
            "'error' is reserved: it is the type of the error frame the server sends "
            "for an invalid message",
            "rename the message, e.g. 'error_event'",
            at_key=True,
        )
    elif reserved(cls):
        spec.report.error(
            here,
            "message-name",
            f"message '{name}' would be the class '{cls}', which {reserved(cls)}",
            f"rename the message, e.g. '{name}_message'",
            at_key=True,
        )
    elif not cls or cls in MODULE_NAMES:
        spec.report.error(
            here,
            "message-name",
            f"message '{name}' would be the class '{cls}', a name messages.py already "
            "uses",
            f"rename the message, e.g. '{name}_message'",
            at_key=True,
        )
    elif cls in classes:
        spec.report.error(
            here,
            "message-name",
            f"messages '{classes[cls]}' and '{name}' would both be the class '{cls}'",
            "rename one of them",
            at_key=True,
        )
    else:
        classes[cls] = name


def check_field(
    spec: SpecView, here: JsonPath, name: str, field: dict[str, Any]
) -> None:
    if not _check_field_name(spec, here, name):
        return
    ftype = field.get("type", "str")
    if not isinstance(ftype, str) or ftype not in FIELD_TYPES:
        return  # the schema has said what is wrong
    if ftype.endswith("datetime") and "default" in field:
        spec.report.error(
            (*here, "default"),
            "field-default",
            "a datetime field takes no default (a fixed time is rarely what a message "
            "means)",
            "remove 'default', and use 'required: false' for an optional field",
        )
    else:
        check_default(spec, here, field, ftype, what="field")
    check_constraints(spec, here, field, ftype, what="field")
    check_enum(spec, here, field, ftype, allowed=ENUM_FIELD_TYPES)


def _check_field_name(spec: SpecView, here: JsonPath, name: str) -> bool:
    why = None
    hint = f"rename the field, e.g. '{name.strip('_')}_value'"
    if name == "type":
        why = "is the wire field that names the message"
    elif name.startswith("_"):
        why = (
            "starts with '_', which pydantic keeps as a private attribute, not a field"
        )
    elif name.startswith("model_") or name in BASE_MODEL_NAMES:
        why = "would hide an attribute of pydantic's BaseModel"
    elif name in ANNOTATION_NAMES:
        # `datetime: datetime | None = None` binds the name before Python evaluates the
        # annotation, which then reads the field's own default.
        why = "is a name the model's annotations use"
    elif reserved(name):
        why = str(reserved(name))
        hint = f"rename the field, e.g. '{unreserved(name)}'"
    if why is None:
        return True
    spec.report.error(
        here, "field-name", f"field name '{name}' {why}", hint, at_key=True
    )
    return False


def check_close_codes(spec: SpecView) -> None:
    seen: dict[int, str] = {}
    for name, code in spec.close_codes.items():
        here: JsonPath = ("close_codes", name)
        if not _short(spec, here, name, "close code"):
            continue
        why = reserved(name)
        if name.startswith("_") or name == "mro":
            why = "is a name an enum member may not have"
        if why:
            spec.report.error(
                here,
                "close-code",
                f"close code name '{name}' {why}",
                "rename it",
                at_key=True,
            )
        if not isinstance(code, int) or isinstance(code, bool):
            continue
        if not any(low <= code <= high for low, high in CLOSE_CODE_RANGES):
            spec.report.error(
                here,
                "close-code",
                f"{code} is not a close code an endpoint may send",
                "use 1000-1003 or 1007-1014 (defined by RFC 6455; 1004-1006 and 1015 "
                "are reserved), or 4000-4999 for your own",
            )
        elif code in seen:
            spec.report.error(
                here,
                "close-code",
                f"{code} is already named '{seen[code]}'",
                "give each code one name",
            )
        else:
            seen[code] = name


def check_route_messages(spec: SpecView, here: JsonPath, route: dict[str, Any]) -> None:
    """``receive``, ``send``, ``on_invalid`` and ``max_message_bytes`` of one route."""
    present = [key for key in ROUTE_KEYS if key in route]
    if route.get("kind") == "starlette":
        for key in present:
            spec.report.error(
                (*here, key),
                "route-messages",
                f"'{key}' does not apply to a 'kind: starlette' route, which gets the "
                "bare WebSocket",
                f"remove '{key}', or make it a fastapi route",
                at_key=True,
            )
        return
    for key in ("receive", "send"):
        _check_message_list(spec, (*here, key), route.get(key))
    if not ({"receive", "send"} & set(route)):
        for key in present:
            spec.report.error(
                (*here, key),
                "route-messages",
                f"'{key}' applies to a route with 'receive' or 'send' messages",
                f"declare the messages, or remove '{key}'",
                at_key=True,
            )


def _check_message_list(spec: SpecView, here: JsonPath, names: Any) -> None:
    seen: set[str] = set()
    for i, name in enumerate(as_list(names)):
        if not isinstance(name, str):
            continue
        if name in seen:
            spec.report.error(
                (*here, i), "route-messages", f"'{name}' is listed twice", "remove one"
            )
        elif name not in spec.messages:
            spec.report.error(
                (*here, i),
                "unknown-message",
                f"unknown message '{name}'",
                did_you_mean(
                    name,
                    list(spec.messages),
                    "declare it under the top-level 'messages:'",
                ),
            )
        seen.add(name)
