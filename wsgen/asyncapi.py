"""The AsyncAPI 3.0.0 document of a spec: the model in, YAML text out, nothing else.

One channel per route as FastAPI serves it (``served.py`` says which, at what address,
behind which dependencies); its ``ws`` binding carries the handshake's query and header
parameters as object schemas, its ``parameters`` the path's. The spec's messages become
``components``; per route, a ``receive`` operation (what the server receives) and a
``send`` operation (what it sends), the error frame among the latter wherever the route
answers an invalid message with one. What the spec marks ``deprecated: true`` says so:
schemas (a field, a handshake parameter, a message's payload) with JSON Schema's
``deprecated``, channels, path parameters and messages, which AsyncAPI 3.0 gives no such
field, with the extension ``x-deprecated``.

Payload schemas accept exactly the JSON the generated connection accepts in the form it
sends back: the pydantic model's fields with their constraints, and ``type`` as a required
constant (the connection refuses a message without it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from . import header, yaml_text
from .message_rules import ERROR_MESSAGE
from .model import Contract, Message, MessageField, Param, Scalar, Spec
from .paths import path_params
from .served import ServedRoute, served_routes, wire_name

VERSION = "3.0.0"
WS_BINDING_VERSION = "0.1.0"
# Channels, parameters and messages have no "deprecated" in AsyncAPI 3.0: an extension.
DEPRECATED = "x-deprecated"
JSON_TYPES = {
    "str": "string",
    "int": "integer",
    "float": "number",
    "bool": "boolean",
    "uuid": "string",
    "datetime": "string",
}
# What pydantic writes a UUID as, and so the one form the schema promises it reads.
UUID_PATTERN = "^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$"
# A parameter's or field's constraints as JSON Schema keywords; lengths of a list are its
# number of items.
KEYWORDS = {
    "ge": "minimum",
    "gt": "exclusiveMinimum",
    "le": "maximum",
    "lt": "exclusiveMaximum",
    "min_length": "minLength",
    "max_length": "maxLength",
    "pattern": "pattern",
}
LIST_KEYWORDS = {"min_length": "minItems", "max_length": "maxItems"}
# The close codes the generated connection itself uses.
CLOSE_BINARY = 1003
CLOSE_INVALID = 1008
CLOSE_TOO_BIG = 1009


class RefError(Exception):
    """The document refers to something it does not hold: a bug in wsgen, never the spec's."""


def document_text(spec: Spec) -> str:
    """The document as written: the generated header, then the YAML."""
    doc = document(spec)
    check_refs(doc)
    return f"{header.text(spec.source_name)}\n{yaml_text.dump(doc)}"


def document(spec: Spec) -> dict[str, Any]:
    """The document as JSON-like data, in the order it is written."""
    doc: dict[str, Any] = {"asyncapi": VERSION, "info": _info(spec)}
    if spec.asyncapi is not None and spec.asyncapi.servers is not None:
        doc["servers"] = json.loads(spec.asyncapi.servers)
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    routes = served_routes(spec)
    for key, served in _keyed(routes):
        channels[key] = _channel(spec, served)
        operations.update(_operations(key, served.route.contract))
    doc["channels"] = channels
    doc["operations"] = operations
    components = _components(spec, routes)
    if components:
        doc["components"] = components
    return doc


def _info(spec: Spec) -> dict[str, Any]:
    block, app = spec.asyncapi, spec.app
    title = block.title if block is not None else None
    version = block.version if block is not None else None
    info: dict[str, Any] = {
        "title": title or (app.title if app else None) or _file_name(spec),
        "version": version or (app.version if app else None) or "0.0.0",
    }
    if app is not None and app.description:
        info["description"] = app.description
    return info


def _file_name(spec: Spec) -> str:
    return PurePosixPath(spec.source_name).name


def _keyed(routes: tuple[ServedRoute, ...]) -> Iterator[tuple[str, ServedRoute]]:
    """Each route with its channel's key, ``router.route``; a router included twice serves
    its routes twice, the later ones keyed ``router.route.2``, ... (a name has no dot).
    """
    seen: dict[str, int] = {}
    for served in routes:
        key = f"{served.router}.{served.route.name}"
        seen[key] = seen.get(key, 0) + 1
        yield (key if seen[key] == 1 else f"{key}.{seen[key]}"), served


# -- channels --------------------------------------------------------------------------


def _channel(spec: Spec, served: ServedRoute) -> dict[str, Any]:
    route = served.route
    channel: dict[str, Any] = {"address": served.address, "title": route.name}
    if route.deprecated:
        channel[DEPRECATED] = True
    description = _channel_description(spec, served)
    if description:
        channel["description"] = description
    parameters = {
        p.name: _path_parameter(p, convertor)
        for (name, convertor) in path_params(route.path)
        for p in route.params
        if p.name == name and p.source == "path"
    }
    if parameters:
        channel["parameters"] = parameters
    if route.contract is not None:
        names = _channel_messages(route.contract)
        channel["messages"] = {
            n: {"$ref": f"#/components/messages/{_pointer(n)}"} for n in names
        }
    channel["bindings"] = {"ws": _binding(route.params)}
    codes = _close_codes(spec, route.contract)
    if codes:
        channel["x-close-codes"] = codes
    return channel


def _channel_messages(contract: Contract) -> list[str]:
    names = list(dict.fromkeys((*contract.receive, *contract.send)))
    if sends_error_frame(contract):
        names.append(ERROR_MESSAGE)
    return names


def sends_error_frame(contract: Contract | None) -> bool:
    """Whether the route answers an invalid message with an error frame (and stays open)."""
    return contract is not None and not contract.close_on_invalid


def _channel_description(spec: Spec, served: ServedRoute) -> str:
    route = served.route
    parts = [route.description.strip()] if route.description else []
    if route.kind == "starlette":
        parts.append("A plain Starlette route: no parameters or dependencies.")
    elif route.contract is None:
        parts.append("Untyped: the handler reads and writes the bare WebSocket.")
    cookies = [_param_line(p) for p in route.params if p.source == "cookie"]
    if cookies:
        parts.append("Cookies:\n" + "\n".join(cookies))
    depends = [
        f"- {level.label}: {', '.join(level.dependencies)}" for level in served.levels
    ]
    depends += [
        f"- parameter `{p.name}` from `{p.depends}`"
        + (f": {p.description.strip()}" if p.description else "")
        for p in route.params
        if p.source == "depends"
    ]
    if depends:
        parts.append(
            "Dependencies, in the order FastAPI runs them:\n" + "\n".join(depends)
        )
    return "\n\n".join(parts)


def _param_line(param: Param) -> str:
    facts = [_type_name(param.item_type, param.is_list)]
    facts.append("required" if param.required else f"default {_shown(param.default)}")
    facts += [f"{key}={_shown(value)}" for key, value in param.constraints]
    if param.choices:
        facts.append("one of " + ", ".join(_shown(v) for v in param.choices))
    text = f"- `{wire_name(param)}`: {'; '.join(facts)}"
    return text + (f". {param.description.strip()}" if param.description else "")


def _path_parameter(param: Param, convertor: str | None) -> dict[str, Any]:
    facts = [param.item_type]
    facts.append(f"convertor {convertor}" if convertor else "no convertor (str)")
    facts += [f"{key}={_shown(value)}" for key, value in param.constraints]
    text = "; ".join(facts)
    if param.description:
        text = f"{param.description.strip()} ({text})"
    parameter: dict[str, Any] = {"description": text}
    if param.deprecated:
        parameter[DEPRECATED] = True
    if param.choices:
        parameter["enum"] = [_wire_text(v) for v in param.choices]
    return parameter


def _binding(params: tuple[Param, ...]) -> dict[str, Any]:
    binding: dict[str, Any] = {"method": "GET"}
    for source, key in (("query", "query"), ("header", "headers")):
        chosen = [p for p in params if p.source == source]
        if chosen:
            binding[key] = _object(
                {wire_name(p): _property(p) for p in chosen},
                [wire_name(p) for p in chosen if p.required],
            )
    binding["bindingVersion"] = WS_BINDING_VERSION
    return binding


def _property(param: Param | MessageField) -> dict[str, Any]:
    """The schema of one handshake parameter or message field."""
    schema = _value_schema(param)
    # An optional field without a default takes null too; an optional handshake
    # parameter is simply left out (a URL or header has no null to send).
    nullable = not param.required and param.default is None
    if nullable and isinstance(param, MessageField):
        schema = {"anyOf": [schema, {"type": "null"}]}
    if param.description:
        schema = {"description": param.description.strip(), **schema}
    if not param.required and (
        param.default is not None or not isinstance(param, Param)
    ):
        schema["default"] = _json_value(param.default)
    if param.deprecated:
        schema["deprecated"] = True
    return schema


def _value_schema(param: Param | MessageField) -> dict[str, Any]:
    item = _item_schema(param.item_type, param.choices)
    if not param.is_list:
        item.update(_constraints(param.constraints, KEYWORDS))
        return item
    schema: dict[str, Any] = {"type": "array", "items": item}
    schema.update(_constraints(param.constraints, LIST_KEYWORDS))
    return schema


def _item_schema(item_type: str, choices: tuple[Scalar, ...]) -> dict[str, Any]:
    if choices:
        return {"enum": [_json_value(v) for v in choices]}
    if item_type not in JSON_TYPES:  # any
        return {}
    schema: dict[str, Any] = {"type": JSON_TYPES[item_type]}
    if item_type == "uuid":
        schema.update(format="uuid", pattern=UUID_PATTERN)
    elif item_type == "datetime":
        schema["format"] = "date-time"
    return schema


def _constraints(
    constraints: tuple[tuple[str, Scalar], ...], keywords: dict[str, str]
) -> dict[str, Any]:
    return {keywords[k]: v for k, v in constraints if k in keywords}


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _close_codes(spec: Spec, contract: Contract | None) -> list[dict[str, Any]]:
    codes: list[dict[str, Any]] = []
    if contract is not None:
        codes.append(_code(CLOSE_BINARY, "binary_frame", "a binary frame: only text"))
        if contract.close_on_invalid:
            codes.append(_code(CLOSE_INVALID, "invalid_message", "an invalid message"))
        if contract.max_bytes is not None:
            why = f"a message longer than {contract.max_bytes} bytes (UTF-8)"
            codes.append(_code(CLOSE_TOO_BIG, "message_too_big", why))
    codes += [
        _code(code, name, "the spec's own close code")
        for name, code in spec.close_codes
    ]
    return codes


def _code(code: int, name: str, description: str) -> dict[str, Any]:
    return {"code": code, "name": name, "description": description}


# -- operations ------------------------------------------------------------------------


def _operations(key: str, contract: Contract | None) -> dict[str, Any]:
    """The route's receive and send operations; a side that sends nothing has none."""
    if contract is None:
        return {
            f"{key}.receive": _operation(key, "receive", None),
            f"{key}.send": _operation(key, "send", None),
        }
    sent = [*contract.send, *([ERROR_MESSAGE] if sends_error_frame(contract) else [])]
    out = {}
    for action, names in (("receive", list(contract.receive)), ("send", sent)):
        if names:
            out[f"{key}.{action}"] = _operation(key, action, names)
    return out


def _operation(key: str, action: str, names: list[str] | None) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "action": action,
        "channel": {"$ref": f"#/channels/{_pointer(key)}"},
        "summary": (
            "What the client may send."
            if action == "receive"
            else "What the server sends."
        ),
    }
    if names is not None:
        operation["messages"] = [
            {"$ref": f"#/channels/{_pointer(key)}/messages/{_pointer(n)}"}
            for n in names
        ]
    return operation


# -- components ------------------------------------------------------------------------


def _components(spec: Spec, routes: tuple[ServedRoute, ...]) -> dict[str, Any]:
    used = [s.route.contract for s in routes if s.route.contract is not None]
    messages = {
        m.name: _message(m.name, m.description, m.deprecated) for m in spec.messages
    }
    schemas = {m.name: _payload(m) for m in spec.messages}
    if any(sends_error_frame(contract) for contract in used):
        why = "What the server sends for an invalid message; the connection stays open."
        messages[ERROR_MESSAGE] = _message(ERROR_MESSAGE, why)
        schemas[ERROR_MESSAGE] = error_frame_schema()
    out: dict[str, Any] = {}
    if schemas:
        out["schemas"] = schemas
    if messages:
        out["messages"] = messages
    return out


def _message(
    name: str, description: str | None, deprecated: bool = False
) -> dict[str, Any]:
    message: dict[str, Any] = {"name": name}
    if deprecated:
        message[DEPRECATED] = True
    if description and description.strip():
        message["summary"] = description.strip()
    message["contentType"] = "application/json"
    message["payload"] = {"$ref": f"#/components/schemas/{_pointer(name)}"}
    return message


def _payload(message: Message) -> dict[str, Any]:
    properties: dict[str, Any] = {"type": {"const": message.name}}
    properties.update((f.name, _property(f)) for f in message.fields)
    required = ["type", *(f.name for f in message.fields if f.required)]
    schema = _object(properties, required)
    if message.description and message.description.strip():
        schema = {"description": message.description.strip(), **schema}
    if message.deprecated:
        schema["deprecated"] = True
    return schema


def error_frame_schema() -> dict[str, Any]:
    """The frame messages.py sends: ``{"type": "error", "errors": [{loc, msg, type}]}``."""
    entry = _object(
        {
            "loc": {"type": "array", "items": {"type": ["string", "integer"]}},
            "msg": {"type": "string"},
            "type": {"type": "string"},
        },
        ["loc", "msg", "type"],
    )
    return _object(
        {
            "type": {"const": ERROR_MESSAGE},
            "errors": {"type": "array", "items": entry, "minItems": 1},
        },
        ["type", "errors"],
    )


# -- values ----------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    """A default or choice as JSON has it: a UUID as its text, a tuple as a list."""
    if isinstance(value, tuple):
        return [_json_value(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _wire_text(value: Scalar) -> str:
    """A value as it appears in a URL: path parameters' enums and defaults are text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _shown(value: Any) -> str:
    return json.dumps(_json_value(value), ensure_ascii=False)


def _type_name(item_type: str, is_list: bool) -> str:
    return f"list[{item_type}]" if is_list else item_type


def _pointer(key: str) -> str:
    """``key`` as one JSON Pointer token (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


# -- references ------------------------------------------------------------------------


def check_refs(doc: dict[str, Any]) -> None:
    """Raise RefError unless every ``$ref`` in ``doc`` that starts with ``#`` names a value
    in ``doc``. JSON Schema validation of the document does not check this."""
    for where, ref in _refs(doc, ()):
        if ref.startswith("#") and not _resolves(doc, ref):
            at = "#" + "".join(f"/{_pointer(str(part))}" for part in where)
            raise RefError(f"{at}: $ref {ref!r} names nothing in the document")


def _refs(value: Any, where: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str):
            yield where, ref
        for key, sub in value.items():
            if isinstance(sub, (dict, list)):
                yield from _refs(sub, (*where, key))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            if isinstance(sub, (dict, list)):
                yield from _refs(sub, (*where, i))


def _resolves(doc: Any, ref: str) -> bool:
    target = doc
    pointer = ref[1:]
    if pointer and not pointer.startswith("/"):
        return False
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(target, dict) and token in target:
            target = target[token]
        elif isinstance(target, list) and token.isdigit() and int(token) < len(target):
            target = target[int(token)]
        else:
            return False
    return True
