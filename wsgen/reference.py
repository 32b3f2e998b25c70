"""The reference page: one self-contained HTML file that people read to use the API.

    spec model -> page model (frozen, every value already a plain text) -> Jinja (HTML)

Routes are read only through ``served``, so the page shows what the app serves. The
template escapes every text once, by Jinja's autoescape; nothing here builds HTML, and
nothing is marked safe. The page has no script and loads nothing: it works from disk.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from . import resources
from .model import Contract, Message, MessageField, Param, Scalar, Spec
from .samples import sample
from .served import ServedRoute, served_routes, wire_name

if TYPE_CHECKING:
    import jinja2

    from .pipeline import Run

_BOUNDS = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<"}
_LENGTHS = {"min_length": "min length", "max_length": "max length"}

# What the generated connection answers to a bad message (templates/messages.py.jinja).
ERROR_FRAME = (
    '{"type": "error", "errors": [{"loc": [...], "msg": "...", "type": "..."}]}'
)
NO_MESSAGES = (
    '{"type": "error", "errors": [{"loc": [], "msg": "This route receives no messages", '
    '"type": "no_messages"}]}'
)


@dataclass(frozen=True, slots=True)
class Constraint:
    label: str  # "≥", "max length", "pattern"
    value: str


@dataclass(frozen=True, slots=True)
class Field:
    """A handshake parameter or a message field, as a table row."""

    name: str  # the wire name
    where: str  # path, query, header, cookie; "" for a message field
    type: str
    required: bool
    default: str | None  # as JSON
    choices: tuple[str, ...]  # as JSON
    constraints: tuple[Constraint, ...]
    description: str | None
    python_name: str | None = None  # when it differs from the wire name
    deprecated: bool = False


@dataclass(frozen=True, slots=True)
class DependencyRow:
    level: str  # app, include, router, route, parameter
    label: str  # "include by app", "router chat", "parameter session"
    name: str
    ref: str  # module:attribute


@dataclass(frozen=True, slots=True)
class MessageDoc:
    name: str
    anchor: str
    description: str | None
    fields: tuple[Field, ...]
    example: str | None  # JSON text; None when no value fits a required field
    sent_by: tuple[str, ...]  # "client", "server": who sends it on some route
    deprecated: bool = False


@dataclass(frozen=True, slots=True)
class Outcome:
    """One row of the invalid-message policy: what the client sends, what happens."""

    sent: str
    result: str
    frame: str | None = None  # the error frame's shape, when one is sent


@dataclass(frozen=True, slots=True)
class CloseCode:
    code: int
    name: str
    meaning: str


@dataclass(frozen=True, slots=True)
class RouteDoc:
    anchor: str
    path: str  # as FastAPI matches it, convertors kept
    address: str  # convertors dropped
    segments: tuple[
        tuple[str, bool], ...
    ]  # the address in pieces: (text, is a parameter)
    kind: str
    name: str
    router: str
    description: str | None
    params: tuple[Field, ...]
    dependencies: tuple[DependencyRow, ...]
    receive: tuple[tuple[str, str], ...]  # (message name, anchor)
    send: tuple[tuple[str, str], ...]
    typed: bool  # has a message contract
    on_invalid: str | None
    max_bytes: int | None
    policy: tuple[Outcome, ...]
    close_codes: tuple[CloseCode, ...]
    deprecated: bool = False


@dataclass(frozen=True, slots=True)
class Page:
    title: str
    description: str | None
    version: str | None
    source: str
    routes: tuple[RouteDoc, ...]
    messages: tuple[MessageDoc, ...]
    close_codes: tuple[CloseCode, ...]  # the spec's own


def page_model(spec: Spec) -> Page:
    served = served_routes(spec)
    routes = tuple(_route(spec, index, s) for index, s in enumerate(served, 1))
    app = spec.app
    return Page(
        title=(app.title if app and app.title else None) or spec.source_name,
        description=app.description if app else None,
        version=app.version if app else None,
        source=spec.source_name,
        routes=routes,
        messages=tuple(_message(m, served) for m in spec.messages),
        close_codes=tuple(
            CloseCode(c, n, "sent by the handler") for n, c in spec.close_codes
        ),
    )


def render_page(spec: Spec) -> str:
    """The page's HTML: the same spec always gives the same bytes."""
    return (
        environment().get_template("reference.html.jinja").render(page=page_model(spec))
    )


@cache
def environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resources.resource_dir("templates"))),
        autoescape=True,  # the one place where text from the spec becomes HTML
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def message_anchor(name: str) -> str:
    return f"message-{name}"


def _route(spec: Spec, index: int, served: ServedRoute) -> RouteDoc:
    route = served.route
    contract = route.contract
    return RouteDoc(
        anchor=f"route-{index}-{route.name}",
        path=served.path,
        address=served.address,
        segments=_segments(served.address),
        kind=route.kind,
        name=route.name,
        router=served.router,
        description=(route.description or "").strip() or None,
        params=tuple(_param(p) for p in route.params if p.source != "depends"),
        dependencies=_dependencies(spec, served),
        receive=_links(contract.receive if contract else ()),
        send=_links(contract.send if contract else ()),
        typed=contract is not None,
        on_invalid=(
            None
            if contract is None
            else ("close" if contract.close_on_invalid else "error")
        ),
        max_bytes=contract.max_bytes if contract else None,
        policy=_policy(contract) if contract else (),
        close_codes=_close_codes(route.kind, contract),
        deprecated=route.deprecated,
    )


def _segments(address: str) -> tuple[tuple[str, bool], ...]:
    pieces = re.split(r"(\{[^}]*\})", address)
    return tuple((piece, piece.startswith("{")) for piece in pieces if piece)


def _links(names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((name, message_anchor(name)) for name in names)


def _dependencies(spec: Spec, served: ServedRoute) -> tuple[DependencyRow, ...]:
    rows = [
        DependencyRow(level.kind, level.label, name, _ref(spec, name))
        for level in served.levels
        for name in level.dependencies
    ]
    for param in served.route.params:
        if param.depends is not None:
            label = f"parameter {param.name}"
            rows.append(
                DependencyRow(
                    "parameter", label, param.depends, _ref(spec, param.depends)
                )
            )
    return tuple(rows)


def _ref(spec: Spec, name: str) -> str:
    ref = spec.dependency(name).ref
    return f"{ref.module}:{ref.attribute}"


def _param(param: Param) -> Field:
    wire = wire_name(param)
    return _row(param, wire, param.source, param.name if param.name != wire else None)


def _field(field: MessageField) -> Field:
    return _row(field, field.name, "")


def _row(
    value: Param | MessageField, name: str, where: str, python_name: str | None = None
) -> Field:
    """Parameters and message fields share their options: one row shape for both."""
    return Field(
        name=name,
        where=where,
        type=_type(value.item_type, value.is_list),
        required=value.required,
        default=_json(value.default) if value.default is not None else None,
        choices=tuple(_json(c) for c in value.choices),
        constraints=_constraints(value.constraints),
        description=value.description,
        python_name=python_name,
        deprecated=value.deprecated,
    )


def _type(item: str, is_list: bool) -> str:
    return f"list[{item}]" if is_list else item


def _constraints(constraints: tuple[tuple[str, Scalar], ...]) -> tuple[Constraint, ...]:
    out = []
    for key, value in constraints:
        label = _BOUNDS.get(key) or _LENGTHS.get(key) or key
        out.append(Constraint(label, str(value) if key == "pattern" else _json(value)))
    return tuple(out)


def _json(value: Any) -> str:
    if isinstance(value, tuple):
        return json.dumps([_plain(v) for v in value], ensure_ascii=False)
    return json.dumps(_plain(value), ensure_ascii=False)


def _plain(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool)) else str(value)


def _message(message: Message, served: tuple[ServedRoute, ...]) -> MessageDoc:
    contracts = [s.route.contract for s in served if s.route.contract is not None]
    sent_by = tuple(
        side
        for side, names in (
            ("client", {n for c in contracts for n in c.receive}),
            ("server", {n for c in contracts for n in c.send}),
        )
        if message.name in names
    )
    payload = sample(message)
    return MessageDoc(
        name=message.name,
        anchor=message_anchor(message.name),
        description=(message.description or "").strip() or None,
        fields=tuple(_field(f) for f in message.fields),
        example=(
            None
            if payload is None
            else json.dumps(payload, indent=2, ensure_ascii=False)
        ),
        sent_by=sent_by,
        deprecated=message.deprecated,
    )


def _policy(contract: Contract) -> tuple[Outcome, ...]:
    close = contract.close_on_invalid
    bad = "text that is not JSON, not an object, with a missing or unknown type, or a field that fails"
    if not contract.receive:
        rows = [
            Outcome(
                "any message (this route receives none)",
                (
                    "close 1008"
                    if close
                    else "an error frame of type no_messages; the connection stays open"
                ),
                None if close else NO_MESSAGES,
            )
        ]
    elif close:
        rows = [Outcome(bad, "close 1008, reason “invalid message: <where>: <what>”")]
    else:
        rows = [Outcome(bad, "an error frame; the connection stays open", ERROR_FRAME)]
    rows.append(Outcome("a binary frame", "close 1003"))
    if contract.max_bytes is not None:
        rows.append(
            Outcome(f"text over {contract.max_bytes} bytes of UTF-8", "close 1009")
        )
    return tuple(rows)


def _close_codes(kind: str, contract: Contract | None) -> tuple[CloseCode, ...]:
    if kind == "starlette":
        return ()
    codes = [
        CloseCode(
            1008,
            "policy violation",
            "a parameter or dependency failed at the handshake (through a server: HTTP 403)",
        )
    ]
    if contract is None:
        return tuple(codes)
    if contract.close_on_invalid:
        codes[0] = CloseCode(
            1008, "policy violation", "a failed handshake, or an invalid message"
        )
    codes.append(CloseCode(1003, "unsupported data", "a binary frame"))
    if contract.max_bytes is not None:
        codes.append(
            CloseCode(
                1009, "message too big", f"a text over {contract.max_bytes} bytes"
            )
        )
    return tuple(codes)


def write_page(spec_path: Path, output: Path | None, stdout: TextIO) -> Run:
    """``wsgen docs``: the page of the spec at ``spec_path`` to ``output`` (atomically),
    or to ``stdout``. An invalid spec is reported as ``validate`` reports it, and nothing
    is written."""
    from . import config, pipeline, write
    from .errors import UsageError

    model, outcome = pipeline.read_model(spec_path)
    if model is None:
        return pipeline.Run("validate", None, (outcome,))
    html = render_page(model)
    if output is None:
        stdout.write(html)
        return pipeline.Run("docs", None, (outcome,))
    try:
        write.atomic_write(output, html.encode("utf-8"))
    except OSError as exc:
        unwritable = UsageError(
            f"cannot write {exc.filename or output}: {exc.strerror or exc}"
        )
        return pipeline.Run("docs", None, (outcome,), unwritable)
    written = outcome._replace(output=Path(config.display(output)))
    return pipeline.Run("docs", "write", (written,))
