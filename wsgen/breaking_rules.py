"""The rules of ``wsgen breaking``: every rule id, its level, and what its finding says.

One table, read by the comparison (breaking.py), the allow list (an unknown id is refused)
and the README's table (a test holds the two together). A level says what the change does
to a client already deployed: ``error`` breaks it, ``warning`` may, ``info`` cannot.
Removing something the old spec marked ``deprecated: true`` is ``info`` whatever the
rule's own level: clients were told.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

Level = Literal["error", "warning", "info"]
LEVELS: tuple[Level, ...] = ("info", "warning", "error")  # weakest first


class Rule(NamedTuple):
    level: Level
    text: str  # the finding's message after "{served path}: ", with {fields} filled in
    softened_by_deprecation: bool = (
        False  # a removal: info when the old one was deprecated
    )


RULES: dict[str, Rule] = {
    # -- the spec: it did not exist in the old version (every route is then added)
    "spec-added": Rule("info", "spec added"),
    # -- routes, by their served path
    "route-removed": Rule("error", "route removed", True),
    "route-added": Rule("info", "route added"),
    "route-name-changed": Rule(
        "warning", "route name changed from {old!r} to {new!r} (url_path_for breaks)"
    ),
    "route-kind-changed": Rule("error", "kind changed from {old} to {new}"),
    "path-convertor-narrowed": Rule(
        "error", "path parameter {name!r} narrowed from {old} to {new}"
    ),
    "path-convertor-widened": Rule(
        "info", "path parameter {name!r} widened from {old} to {new}"
    ),
    # -- query, header and cookie parameters, by the name a client sends
    "param-added-required": Rule("error", "required {source} parameter {name!r} added"),
    "param-added-optional": Rule("info", "optional {source} parameter {name!r} added"),
    "param-removed": Rule("warning", "{source} parameter {name!r} removed", True),
    "param-became-required": Rule(
        "error", "{source} parameter {name!r} became required"
    ),
    "param-became-optional": Rule(
        "info", "{source} parameter {name!r} became optional"
    ),
    "param-renamed": Rule(
        "error", "required {source} parameter {old!r} renamed on the wire to {new!r}"
    ),
    "optional-param-renamed": Rule(
        "warning", "optional {source} parameter {old!r} renamed on the wire to {new!r}"
    ),
    "param-type-narrowed": Rule(
        "error", "{source} parameter {name!r} narrowed from {old} to {new}"
    ),
    "param-type-widened": Rule(
        "info", "{source} parameter {name!r} widened from {old} to {new}"
    ),
    "param-constraint-tightened": Rule(
        "error", "{source} parameter {name!r}: {what} tightened from {old} to {new}"
    ),
    "param-constraint-loosened": Rule(
        "info", "{source} parameter {name!r}: {what} loosened from {old} to {new}"
    ),
    "param-default-changed": Rule(
        "warning", "{source} parameter {name!r}: default changed from {old} to {new}"
    ),
    # -- dependencies, on every level FastAPI runs them
    "dependency-added": Rule(
        "warning",
        "dependency {name!r} added at {where} (it may reject clients that were "
        "accepted)",
    ),
    # -- messages, from the client's side
    "receive-message-removed": Rule(
        "error", "message {name!r} may no longer be sent by the client", True
    ),
    "receive-message-added": Rule("info", "message {name!r} may now be sent"),
    "receive-field-added-required": Rule(
        "error", "received message {message!r}: required field {name!r} added"
    ),
    "receive-field-added-optional": Rule(
        "info", "received message {message!r}: optional field {name!r} added"
    ),
    "receive-field-tightened": Rule(
        "error",
        "received message {message!r}: field {name!r}: {what} tightened from {old} to {new}",
    ),
    "receive-field-loosened": Rule(
        "info",
        "received message {message!r}: field {name!r}: {what} loosened from {old} to {new}",
    ),
    "send-message-added": Rule(
        "warning",
        "message {name!r} may now be sent by the server (old clients may "
        "not handle it)",
    ),
    "send-message-removed": Rule("info", "message {name!r} is no longer sent"),
    "send-field-removed": Rule(
        "error", "sent message {message!r}: required field {name!r} removed", True
    ),
    "send-field-type-changed": Rule(
        "error", "sent message {message!r}: field {name!r} changed from {old} to {new}"
    ),
    "on-invalid-changed": Rule("warning", "on_invalid changed from {old} to {new}"),
    "close-code-removed": Rule("warning", "close code {name} ({old}) removed"),
    "close-code-renumbered": Rule(
        "warning", "close code {name} renumbered from {old} to {new}"
    ),
}


def at_least(level: Level, threshold: Level) -> bool:
    return LEVELS.index(level) >= LEVELS.index(threshold)
