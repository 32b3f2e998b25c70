"""Semantic rules: what the JSON Schema cannot say about a spec.

``check`` walks the spec top-down: its dependencies, the app, each router and its routes
(route_rules, param_rules), then what only the include graph shows (cycles, two routes at
one served path). Every rule is a plain function reporting to one collector.
"""

from __future__ import annotations

from typing import Any

from .errors import Diagnostic
from .includes import as_list
from .naming import reserved, route_name, unreserved
from .paths import PATH_PARAM
from .ref_rules import (
    SpecView,
    check_binding_name,
    check_dependency_list,
    check_import_ref,
    check_includes,
    check_prefix,
)
from .route_rules import check_route
from .source import Collector, JsonPath, SourceMap, format_path

# A router becomes the module NAME.py, written through a temporary file beside it,
# .NAME.py.XXXXXXXX.tmp (write.atomic_write; tempfile's random part has 8 characters).
# Most file systems allow at most 255 bytes in one file name, so a router name may have
# 255 - 17 = 238 bytes (its bytecode file, NAME.cpython-3XY.pyc, then fits too).
MAX_FILE_NAME_BYTES = 255
TEMP_FILE_EXTRA = len("..py.XXXXXXXX.tmp")
MAX_ROUTER_NAME_BYTES = MAX_FILE_NAME_BYTES - TEMP_FILE_EXTRA


def check(data: Any, source: SourceMap) -> list[Diagnostic]:
    """Every semantic problem in ``data``; the schema has already reported shape errors."""
    if not isinstance(data, dict):
        return []
    spec = SpecView.of(data, Collector(source))
    for name, ref in spec.dependencies.items():
        check_binding_name(spec, ("dependencies", name), name, "dependency")
        check_import_ref(spec, ("dependencies", name), ref)
    if spec.app is not None:
        check_dependency_list(
            spec, ("app", "dependencies"), spec.app.get("dependencies")
        )
        check_includes(spec, ("app", "include"), spec.app.get("include"))
    for name in spec.routers:
        check_router(spec, name)
    check_cycles(spec)
    check_full_paths(spec)
    return spec.report.found


def check_router(spec: SpecView, name: str) -> None:
    here: JsonPath = ("routers", name)
    router = spec.router(name)
    check_router_name(spec, name)
    check_prefix(spec, (*here, "prefix"), router.get("prefix"))
    check_dependency_list(spec, (*here, "dependencies"), router.get("dependencies"))
    check_includes(spec, (*here, "include"), router.get("include"))
    routes = as_list(router.get("websockets"))
    for i, route in enumerate(routes):
        if isinstance(route, dict):
            check_route(spec, name, (*here, "websockets", i), route)
    check_route_names(spec, name, routes)


def check_router_name(spec: SpecView, name: str) -> None:
    """A router's name becomes the file name of its module."""
    here: JsonPath = ("routers", name)
    why = reserved(name)
    size = len(name.encode("utf-8"))
    if why:
        spec.report.error(
            here,
            "name",
            f"router name '{name}' {why}",
            f"rename it, e.g. '{unreserved(name)}'",
            at_key=True,
        )
    elif name.startswith("__") or (name == "app" and spec.app is not None):
        spec.report.error(
            here,
            "name",
            f"router name '{name}' would clash with a generated file",
            "rename the router",
            at_key=True,
        )
    elif size > MAX_ROUTER_NAME_BYTES:
        spec.report.error(
            here,
            "name",
            f"router name of {size} bytes is too long: its module NAME.py is written "
            "through the temporary file .NAME.py.XXXXXXXX.tmp beside it, whose name "
            f"would exceed the {MAX_FILE_NAME_BYTES}-byte limit of a file name",
            f"use a name of at most {MAX_ROUTER_NAME_BYTES} bytes",
            at_key=True,
        )


def check_route_names(spec: SpecView, router: str, routes: list[Any]) -> None:
    """Two routes of one router may not share a name: ``url_path_for`` finds one."""
    seen: dict[str, int] = {}
    for i, route in enumerate(routes):
        rname = route_name(route) if isinstance(route, dict) else None
        if rname is None:
            continue
        here: JsonPath = ("routers", router, "websockets", i)
        where = (*here, "name") if "name" in route else (*here, "handler")
        if rname in seen:
            spec.report.error(
                where,
                "duplicate-name",
                f"route name '{rname}' is already used by websockets[{seen[rname]}] "
                f"of router '{router}'",
                "give one of them a distinct 'name:'",
            )
        else:
            seen[rname] = i


def check_cycles(spec: SpecView) -> None:
    for edge, chain in spec.graph.cycles():
        loop = " -> ".join([*chain, edge.child])
        spec.report.error(
            ("routers", str(edge.owner), "include", edge.position, "router"),
            "include-cycle",
            f"router '{edge.owner}' includes '{edge.child}', which makes a cycle: {loop}",
            "remove one of these includes",
        )


def check_full_paths(spec: SpecView) -> None:
    """Two routes served at one path, in any tree served on its own: FastAPI silently
    serves only the first."""
    for tree in spec.graph.trees():
        seen: dict[str, tuple[JsonPath, str]] = {}
        for name, prefix in tree:
            for i, route in enumerate(as_list(spec.router(name).get("websockets"))):
                path = route.get("path") if isinstance(route, dict) else None
                if isinstance(path, str):
                    here: JsonPath = ("routers", name, "websockets", i, "path")
                    _check_served_once(spec, seen, here, prefix + path)


def _check_served_once(
    spec: SpecView, seen: dict[str, tuple[JsonPath, str]], here: JsonPath, full: str
) -> None:
    # Paths that differ only in parameter names (or an explicit ':str') match alike.
    key = PATH_PARAM.sub(lambda m: "{:" + _convertor_key(m.group(2)) + "}", full)
    if key not in seen:
        seen[key] = (here, full)
        return
    first, first_full = seen[key]
    if first == here:
        spec.report.error(
            here,
            "duplicate-path",
            f"router '{here[1]}' is included twice under the same prefix, so "
            f"'{full}' is registered twice",
            "include it once, or under different prefixes",
        )
    else:
        line, _ = spec.report.source.value(first)
        spec.report.error(
            here,
            "duplicate-path",
            f"'{full}' is already served by {format_path(first[:-1])} "
            f"(line {line}, '{first_full}'); FastAPI silently serves only the first",
            "change one of the paths or prefixes",
        )


def _convertor_key(convertor: str | None) -> str:
    return "" if convertor in (None, "str") else str(convertor)
