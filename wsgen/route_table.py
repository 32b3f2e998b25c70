"""``wsgen routes``: every route a spec serves, as the generated app serves it, in a table
for people and in JSON for tools (``schemas/routes.schema.json``).

It reads routes only through ``served`` (the same owner as the documents and the breaking
gate), so the table cannot disagree with them or with the app. An invalid spec is
reported exactly as ``wsgen validate`` reports it, with its exit code.

    spec -> model -> served routes -> rows -> text table | JSON document
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO

from .errors import Diagnostic, printable
from .model import Default, Param, Spec
from .pipeline import Outcome, read_model
from .served import Level, ServedRoute, served_routes, wire_name
from .text_table import Cell

FORMATS = ("text", "json")
HEADERS = ("PATH", "KIND", "NAME", "ROUTER", "HANDLER", "PARAMS", "DEPENDENCIES")
JOINERS = ("", "", "", "", "", ", ", "; ")  # how a cell's items share one line
SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class Listing:
    """One valid spec and what it serves."""

    spec: str  # the spec's name in messages
    model: Spec
    served: tuple[ServedRoute, ...]
    warnings: tuple[Diagnostic, ...]


def listings(paths: Sequence[Path]) -> tuple[list[Listing], list[Outcome]]:
    """The listing of each valid spec, and the outcome of each spec as ``validate``
    reports it (so that an invalid one is reported in its words)."""
    found: list[Listing] = []
    outcomes: list[Outcome] = []
    for path in paths:
        model, outcome = read_model(path)
        outcomes.append(outcome)
        if model is not None:
            served = served_routes(model)
            found.append(Listing(outcome.spec, model, served, outcome.diagnostics))
    return found, outcomes


# -- JSON ------------------------------------------------------------------------------


def document(found: Sequence[Listing]) -> dict[str, Any]:
    """The JSON document: stable keys, lists in serving order, as the schema says."""
    return {
        "version": SCHEMA_VERSION,
        "specs": [
            {
                "spec": listing.spec,
                "app": listing.model.app is not None,
                "routes": [_route_entry(listing.model, s) for s in listing.served],
            }
            for listing in found
        ],
        "diagnostics": [asdict(d) for listing in found for d in listing.warnings],
    }


def _route_entry(spec: Spec, served: ServedRoute) -> dict[str, Any]:
    route = served.route
    contract = route.contract
    return {
        "path": served.path,
        "address": served.address,
        "kind": route.kind,
        "name": route.name,
        "router": served.router,
        "handler": f"{route.handler.module}:{route.handler.attribute}",
        "messages": (
            None
            if contract is None
            else {"receive": list(contract.receive), "send": list(contract.send)}
        ),
        "params": [_param_entry(p) for p in route.params],
        "dependencies": [_level_entry(spec, level) for level in served.levels],
    }


def _param_entry(param: Param) -> dict[str, Any]:
    return {
        "name": param.name,
        "in": param.source,
        "wire": None if param.source == "depends" else wire_name(param),
        "type": _type(param),
        "list": param.is_list,
        "required": param.required,
        "default": _json_value(param.default),
        "depends": param.depends,
    }


def _type(param: Param) -> str:
    """The parameter's type as the spec names it: a class dependency as ``module:Class``."""
    if param.result_type is not None:
        return f"{param.result_type.module}:{param.result_type.attribute}"
    return param.item_type


def _json_value(value: Default) -> Any:
    if isinstance(value, tuple):
        return [_json_value(item) for item in value]
    return str(value) if isinstance(value, uuid.UUID) else value


def _level_entry(spec: Spec, level: Level) -> dict[str, Any]:
    return {
        "level": level.kind,
        "owner": level.owner,
        "label": level.label,
        "dependencies": [
            {"name": name, "ref": _ref(spec, name)} for name in level.dependencies
        ],
    }


def _ref(spec: Spec, name: str) -> str:
    ref = spec.dependency(name).ref
    return f"{ref.module}:{ref.attribute}"


# -- text ------------------------------------------------------------------------------


def text(found: Sequence[Listing], limit: int | None) -> str:
    """One table per spec; with several specs, each under its name."""
    from . import text_table

    parts = []
    for listing in found:
        rows = [_row(served) for served in listing.served]
        table = (
            text_table.render(HEADERS, rows, JOINERS, limit)
            if rows
            else "no routes are served\n"
        )
        alone = "" if listing.model.app else " (no app: each router on its own)"
        heading = f"{listing.spec}{alone}"
        parts.append(f"# {heading}\n{table}" if len(found) > 1 else table)
    return printable_lines("\n".join(parts))


def printable_lines(block: str) -> str:
    """``block`` with every character that could act on a terminal escaped, line ends
    kept."""
    return "".join(printable(line) + "\n" for line in block.splitlines())


def _row(served: ServedRoute) -> tuple[Cell, ...]:
    route = served.route
    kind = route.kind if route.contract is None else f"{route.kind} (messages)"
    levels = tuple(
        f"{level.label}: {', '.join(level.dependencies)}" for level in served.levels
    )
    return (
        (served.path,),
        (kind,),
        (route.name,),
        (served.router,),
        (f"{route.handler.module}:{route.handler.attribute}",),
        tuple(_param_cell(p) for p in route.params) or ("-",),
        levels or ("-",),
    )


def _param_cell(param: Param) -> str:
    """``query q (int, optional)``: where it comes from and the name a client sends (or
    the dependency), then what the handler gets when it is not plain: its keyword when
    that differs, its type when it is not the plain one (``str``; for a dependency,
    untyped), and whether it may be left out."""
    depends = param.source == "depends"
    named = param.depends if depends else wire_name(param)
    notes = [f"as {param.name}"] if param.name != named else []
    if param.item_type != ("any" if depends else "str") or param.is_list:
        notes.append(f"list[{_type(param)}]" if param.is_list else _type(param))
    if not param.required:
        notes.append("optional")
    return f"{param.source} {named}" + (f" ({', '.join(notes)})" if notes else "")


def write(found: Sequence[Listing], fmt: str, out: TextIO, err: TextIO) -> None:
    """The listings on ``out``: the JSON document (warnings in it), or the tables (the
    warnings on ``err``, as ``validate`` prints them)."""
    from .report import json_text, text_line, use_colour

    if fmt == "json":
        print(json_text(document(found)), file=out)
        return
    colour = use_colour(err)
    for listing in found:
        for warning in listing.warnings:
            print(text_line(warning, colour), file=err)
    out.write(text(found, terminal_width(out)))


def terminal_width(stream: TextIO) -> int | None:
    """How wide the table may be: ``COLUMNS`` when set, else the terminal's width, else
    (a pipe, a file) no limit, so that each route stays on one line for ``grep``."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        return (
            os.get_terminal_size(stream.fileno()).columns if stream.isatty() else None
        )
    except (OSError, ValueError, AttributeError):
        return None
