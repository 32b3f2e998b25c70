"""What render.py hands to the router and app templates, and layout.py lays out.

Named tuples rather than frozen dataclasses: as immutable, and built several times faster,
which counts at one context per endpoint and parameter.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .imports import ImportLine


class ParamContext(NamedTuple):
    name: str
    item: (
        str  # the annotation of one value: a built-in type or a class ("" for choices)
    )
    choices: tuple[str, ...]  # enum: the values' literals, annotated Literal[...]
    is_list: bool  # list[item]
    optional: bool  # ... | None
    marker: str  # Path, Query, Header, Cookie or Depends
    dependency: str | None  # local name passed to Depends()
    options: tuple[tuple[str, Any], ...]  # keyword -> literal, for the marker call
    signature_default: bool  # "= default" in the signature
    default_factory: bool  # the default is a list: Query(default_factory=lambda: [...])
    default: Any


class EndpointContext(NamedTuple):
    function: str
    name: str
    path: str
    starlette: bool
    prefixed: bool  # the path already carries the router's prefix (starlette routes)
    dependencies: tuple[str, ...]
    params: tuple[ParamContext, ...]
    handler: str
    description: str | None
    connection: str | None = None  # the typed connection class the handler gets, if any
    room: bool = False  # the connection is in a room: serve() runs the handler


class IncludeContext(NamedTuple):
    router: str
    prefix: str
    dependencies: tuple[str, ...]


class FileContext(NamedTuple):
    header: str
    imports: tuple[
        tuple[ImportLine, ...], ...
    ]  # sections: stdlib, fastapi, user, package
    title: str | None = None
    description: str | None = None
    version: str | None = None
    prefix: str = ""
    dependencies: tuple[str, ...] = ()
    endpoints: tuple[EndpointContext, ...] = ()
    includes: tuple[IncludeContext, ...] = ()
    lifespan: str | None = None  # the app's lifespan: broadcast.py's, for redis rooms
