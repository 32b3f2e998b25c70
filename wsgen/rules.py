"""Semantic rules: what the JSON Schema cannot say about a spec.

``check`` walks the spec top-down: its dependencies, the app, each router and its routes
(route_rules, param_rules), then what only the include graph shows (cycles, two routes at
one served path). Every rule is a plain function reporting to one collector.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from .errors import Diagnostic
from .includes import APP, Edge, Mount, as_dict, as_list
from .message_rules import check_close_codes, check_messages
from .naming import reserved, route_name, unreserved
from .paths import PathIndex, compiles, shape
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
    check_messages(spec)
    check_close_codes(spec)
    if "broadcast" in data:
        from .room_rules import check_broadcast, uses_rooms

        check_broadcast(spec, data["broadcast"], uses_rooms(spec))
    refused = {name for name in spec.routers if not check_router(spec, name)}
    check_unserved(spec, refused)
    check_cycles(spec)
    check_full_paths(spec)
    if "asyncapi" in data:
        from .asyncapi_rules import check_asyncapi

        check_asyncapi(data, spec.report)
    return spec.report.found


def check_router(spec: SpecView, name: str) -> bool:
    """Check one router; whether its name is one a module can have."""
    here: JsonPath = ("routers", name)
    router = spec.router(name)
    named = check_router_name(spec, name)
    check_prefix(spec, (*here, "prefix"), router.get("prefix"))
    check_dependency_list(spec, (*here, "dependencies"), router.get("dependencies"))
    check_includes(spec, (*here, "include"), router.get("include"))
    routes = as_list(router.get("websockets"))
    for i, route in enumerate(routes):
        if isinstance(route, dict):
            check_route(spec, name, (*here, "websockets", i), route)
    check_route_names(spec, name, routes)
    return named


def check_router_name(spec: SpecView, name: str) -> bool:
    """A router's name becomes the file name of its module; whether it can."""
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
    elif (
        name.startswith("__")
        or (name == "app" and spec.app is not None)
        or (name == "messages" and spec.has_messages)
        or (name == "broadcast" and _uses_rooms(spec))
    ):
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
    else:
        return True
    return False


def _uses_rooms(spec: SpecView) -> bool:
    from .room_rules import uses_rooms

    return uses_rooms(spec)


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


class Served(NamedTuple):
    """One route as one tree serves it."""

    here: JsonPath  # the route's 'path' in the spec
    full: str  # the path it is served at, prefixes included
    key: str  # paths.shape(full): two routes with one key serve the same URLs
    mount: Mount
    position: int  # its place in its router's websockets
    shape: str | None  # the key when it is comparable, else None (a part is broken)

    @property
    def label(self) -> str:
        return format_path(self.here[:-1])


def check_full_paths(spec: SpecView) -> None:
    """What only the trees served on their own show: two routes at one path (FastAPI
    silently serves only the first), a route that an earlier one hides or takes URLs from,
    a path ending in '/' (warnings). A route is warned about once, whatever its trees.
    """
    warned: set[tuple[str, JsonPath]] = set()
    for tree in spec.graph.trees():
        seen: dict[str, Served] = {}
        index, numbered = PathIndex(), list[Served]()
        for route in served_routes(spec, tree):
            _check_served_once(spec, seen, route)
            if route.shape is None:
                continue
            if ("order", route.here) not in warned and _check_order(
                spec, index, numbered, route
            ):
                warned.add(("order", route.here))
            if ("slash", route.here) not in warned and _check_trailing_slash(
                spec, route
            ):
                warned.add(("slash", route.here))
            index.add(route.shape)
            numbered.append(route)


def served_routes(spec: SpecView, tree: list[Mount]) -> Iterator[Served]:
    """The routes of ``tree`` in registration order. A router included a second time
    under the same prefix is reported once, at that include, and its routes (and those of
    the routers it includes) are not served again here."""
    firsts: dict[tuple[str, str], Mount] = {}
    repeated: list[tuple[Edge, ...]] = []
    for number, mount in enumerate(tree):
        if any(mount.chain[: len(chain)] == chain for chain in repeated):
            continue
        first = firsts.setdefault((mount.router, mount.prefix), mount)
        if first is not mount:
            repeated.append(mount.chain)
            if _registers_routes(spec, tree[number:], mount.chain):
                _report_included_twice(spec, first, mount)
            continue
        comparable = _prefixes_ok(spec, mount)
        routes = as_list(spec.router(mount.router).get("websockets"))
        for i, route in enumerate(routes):
            path = route.get("path") if isinstance(route, dict) else None
            if isinstance(path, str):
                full = mount.prefix + path
                key = shape(full)
                ok = comparable and path.startswith("/") and compiles(key)
                here: JsonPath = ("routers", mount.router, "websockets", i, "path")
                yield Served(here, full, key, mount, i, key if ok else None)


def _registers_routes(
    spec: SpecView, mounts: list[Mount], chain: tuple[Edge, ...]
) -> bool:
    """Whether the mount with ``chain`` (first of ``mounts``) or one below it has a route."""
    return any(
        as_list(spec.router(m.router).get("websockets"))
        for m in mounts
        if m.chain[: len(chain)] == chain
    )


def _report_included_twice(spec: SpecView, first: Mount, again: Mount) -> None:
    before = first.chain[-1].where  # a repeated router is never a tree's root
    line, _ = spec.report.source.value((*before, "router"))
    spec.report.error(
        (*again.chain[-1].where, "router"),
        "duplicate-path",
        f"router '{again.router}' is already included by {format_path(before)} "
        f"(line {line}) under the same prefix '{again.prefix}', so each of its routes "
        "would be registered twice",
        "include it once, or under different prefixes",
    )


def _prefixes_ok(spec: SpecView, mount: Mount) -> bool:
    """Whether every prefix on the way to ``mount`` has the form FastAPI asserts (and no
    parameter): else the schema or ref_rules reported it, and paths built with it are
    not compared."""
    root = mount.chain[0].owner if mount.chain else mount.router
    routers = [root, *(edge.child for edge in mount.chain)]
    prefixes = [edge.prefix for edge in mount.chain]
    prefixes += [spec.graph.prefix(r) for r in routers if isinstance(r, str)]
    return all(
        p == ""
        or (p.startswith("/") and not p.endswith("/") and not {"{", "}"} & set(p))
        for p in prefixes
    )


def _check_served_once(spec: SpecView, seen: dict[str, Served], route: Served) -> None:
    # Paths that differ only in parameter names (or an explicit ':str') match alike.
    first = seen.setdefault(route.key, route)
    if first is route:
        return
    line, _ = spec.report.source.value(first.here)
    spec.report.error(
        route.here,
        "duplicate-path",
        f"'{route.full}' is already served by {first.label} "
        f"(line {line}, '{first.full}'); FastAPI silently serves only the first",
        "change one of the paths or prefixes",
    )


def _check_order(
    spec: SpecView, index: PathIndex, numbered: list[Served], route: Served
) -> bool:
    """Warn when an earlier route of the tree takes URLs from ``route``: all of them (it
    is never reached), or some while neither path is more specific than the other.
    An earlier route that is more specific (``/trades/{id:int}`` before ``/{venue}/{x}``)
    is the order that works, and is not warned about. Whether it warned."""
    assert route.shape is not None
    found = [
        (numbered[number], common)
        for number, common in index.shared(route.shape)
        if numbered[number].shape != route.shape  # the same path: an error above
        and (common.later_within or not common.earlier_within)
    ]
    if not found:
        return False
    # The route that hides it wholly says most; else the first one that takes URLs.
    earlier, common = next(((e, c) for e, c in found if c.later_within), found[0])
    line, _ = spec.report.source.value(earlier.here)
    first = f"{earlier.label} (line {line}, '{earlier.full}')"
    fix = _order_fix(earlier, route)
    if common.later_within:
        message = (
            f"'{route.full}' can never be reached: {first} is registered first and "
            f"matches every URL this route serves, such as '{common.example}'"
        )
        hint = f"declare the more specific route first: {fix}"
    else:
        message = (
            f"'{route.full}' loses URLs such as '{common.example}' to {first}, which "
            "is registered first and matches them too"
        )
        hint = (
            "neither path is more specific than the other, so an order only decides "
            f"which route gets them: make the paths distinct, or, to serve them here, "
            f"{fix}"
        )
    spec.report.warning(route.here, "shadowed-route", message, hint)
    return True


def _order_fix(earlier: Served, later: Served) -> str:
    """How to register ``later`` before ``earlier``, in the words of the spec."""
    if earlier.mount == later.mount:
        return (
            f"move it before websockets[{earlier.position}] of router "
            f"'{later.mount.router}'"
        )
    above, below = earlier.mount.chain, later.mount.chain
    depth = 0
    while depth < min(len(above), len(below)) and above[depth] == below[depth]:
        depth += 1
    if depth < len(above) and depth < len(below):
        one, other = above[depth], below[depth]  # two includes of one owner
        return (
            f"in {format_path(one.where[:-1])}, put include[{other.position}] "
            f"(router '{other.child}') before include[{one.position}] "
            f"(router '{one.child}')"
        )
    return (
        f"router '{earlier.mount.router}' registers its own routes before the routers "
        f"it includes, so move this route into it, before websockets[{earlier.position}]"
    )


def _check_trailing_slash(spec: SpecView, route: Served) -> bool:
    """Warn about a path served with a trailing '/': no redirect reaches it without.
    Whether it warned."""
    if not route.full.endswith("/") or route.full == "/":
        return False
    bare = route.full.rstrip("/") or "/"
    written = route.full[len(route.mount.prefix) :]
    if written != "/":
        hint = f"use '{written.rstrip('/') or '/'}'"
    else:
        last = "/" + bare.rsplit("/", 1)[-1]
        hint = (
            f"a route path cannot be empty, so to serve '{bare}' move its last "
            f"segment from the prefix into the route's path ('{last}')"
        )
    spec.report.warning(
        route.here,
        "trailing-slash",
        f"'{route.full}' ends with '/', and Starlette does not redirect WebSocket "
        f"connections: a client connecting to '{bare}' gets no route",
        f"{hint}, or have clients connect with the trailing slash",
    )
    return True


def check_unserved(spec: SpecView, refused: set[str]) -> None:
    """When the app includes routers, one that nothing includes is generated but served
    by nothing: likely a forgotten include. An app that includes none composes nothing,
    so its routers are mounted by hand. Not said while an include is broken (fixing it
    may include the router), nor of a router whose name is ``refused``."""
    if spec.app is None or not spec.graph.edges[APP] or _an_include_is_broken(spec):
        return
    included = spec.graph.included()
    for name in spec.routers:
        if name not in included and name not in refused:
            spec.report.error(
                ("routers", name),
                "unserved-router",
                f"router '{name}' is generated, but neither the app nor any router "
                "includes it, so nothing serves its routes",
                f"add '- router: {name}' to app.include; if you mount it yourself "
                f"(app.include_router({name}.router) in your own code), that is fine "
                "and this warning can be ignored",
                at_key=True,
                severity="warning",
            )


def _an_include_is_broken(spec: SpecView) -> bool:
    owners = [spec.app, *(spec.router(name) for name in spec.routers)]
    for owner in owners:
        includes = as_dict(owner).get("include", [])
        if not isinstance(includes, list):
            return True
        for include in includes:
            child = as_dict(include).get("router")
            if not isinstance(child, str) or child not in spec.routers:
                return True
    return False
