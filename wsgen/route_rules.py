"""Semantic rules for one route: its path, handler, name, kind and parameters."""

from __future__ import annotations

from typing import Any

from .includes import as_dict
from .message_rules import check_route_messages
from .naming import did_you_mean, reserved, unreserved
from .param_rules import check_param
from .paths import CONVERTOR_TYPES, PATH_PARAM, path_params
from .ref_rules import SpecView, check_dependency_list, check_import_ref
from .source import JsonPath


def check_route(
    spec: SpecView, router: str, here: JsonPath, route: dict[str, Any]
) -> None:
    path = route.get("path")
    declared = as_dict(route.get("params"))
    in_path: dict[str, str | None] = {}
    if isinstance(path, str):
        in_path = check_path(spec, (*here, "path"), path, router)
    if isinstance(route.get("handler"), str):
        check_import_ref(spec, (*here, "handler"), route["handler"])
    name = route.get("name")
    why = reserved(name) if isinstance(name, str) else None
    if why:
        spec.report.error(
            (*here, "name"),
            "name",
            f"route name '{name}' {why}",
            f"use e.g. '{unreserved(str(name))}'",
        )
    check_dependency_list(spec, (*here, "dependencies"), route.get("dependencies"))
    check_route_messages(spec, here, route)
    if "room" in route:
        from .room_rules import check_room  # only specs with rooms import it

        check_room(spec, here, route)
    if route.get("kind") == "starlette":
        check_starlette_route(spec, router, here, route)
        return
    for pname in in_path:
        if pname == "websocket" and pname not in declared:
            spec.report.error(
                (*here, "path"),
                "reserved-name",
                "path parameter 'websocket' clashes with the endpoint's WebSocket argument",
                "rename the path parameter",
            )
    for pname, param in declared.items():
        if isinstance(param, dict):
            check_param(spec, (*here, "params", pname), pname, param, in_path, path)


def check_path(
    spec: SpecView, here: JsonPath, path: str, router: str
) -> dict[str, str | None]:
    if not path.startswith("/"):
        prefix = spec.router(router).get("prefix")
        landing = (
            f" (under prefix '{prefix}' it would land at '{prefix}{path}')"
            if (isinstance(prefix, str) and prefix)
            else ""
        )
        spec.report.error(
            here,
            "route-path",
            f"route path '{path}' must start with '/'; FastAPI accepts it "
            f"silently but it is unreachable{landing}",
            f"use '/{path}'",
        )
    params: dict[str, str | None] = {}
    for pname, convertor in path_params(path):
        if pname in params:
            spec.report.error(
                here,
                "path-param",
                f"path parameter '{pname}' appears twice in '{path}' "
                "(Starlette raises ValueError at import)",
                "rename one of them",
            )
        why = reserved(pname)
        if why:
            spec.report.error(
                here,
                "path-param",
                f"path parameter '{pname}' {why}, so FastAPI cannot "
                "pass it to the endpoint",
                f"use e.g. '{unreserved(pname)}'",
            )
        if convertor is not None and convertor not in CONVERTOR_TYPES:
            spec.report.error(
                here,
                "path-param",
                f"unknown path convertor '{convertor}' in '{{{pname}:{convertor}}}'",
                did_you_mean(
                    convertor,
                    list(CONVERTOR_TYPES),
                    f"use one of: {', '.join(CONVERTOR_TYPES)}",
                ),
            )
        params[pname] = convertor
    leftover = PATH_PARAM.sub("", path)
    if "{" in leftover or "}" in leftover:
        spec.report.error(
            here,
            "path-param",
            f"'{path}' has a '{{' or '}}' that is not a path parameter",
            "write parameters as {name} or {name:convertor}, "
            "with a Python identifier as name",
        )
    return params


def check_starlette_route(
    spec: SpecView, router: str, here: JsonPath, route: dict[str, Any]
) -> None:
    for key in ("params", "dependencies"):
        if route.get(key):
            spec.report.error(
                (*here, key),
                "starlette-route",
                f"a 'kind: starlette' route takes no {key}: websocket_route() "
                "does no injection",
                "remove them, or drop 'kind: starlette' to get a FastAPI route",
            )
    for owner in spec.graph.prefixed_includers(router):
        prefix = spec.router(owner).get("prefix")
        spec.report.error(
            (*here, "kind"),
            "starlette-route",
            f"router '{router}' is included by router '{owner}', whose prefix "
            f"'{prefix}' FastAPI 0.137+ applies to websocket_route() routes and "
            "older releases drop, so the served path would depend on the FastAPI "
            "version",
            "include this router from the app or from unprefixed routers only, "
            "or drop 'kind: starlette'",
        )
    guards = inherited_dependencies(spec, router)
    if guards:
        spec.report.warning(
            (*here, "kind"),
            "starlette-unguarded",
            f"a 'kind: starlette' route is not guarded by the dependencies of "
            f"{', '.join(guards)}: FastAPI ignores them for websocket_route()",
            "check the handler does its own checks, or drop 'kind: starlette'",
        )


def inherited_dependencies(spec: SpecView, router: str) -> list[str]:
    """Where dependencies would reach a route of ``router`` from outside the route."""
    found: list[str] = []
    if spec.router(router).get("dependencies"):
        found.append(f"router '{router}'")
    for edge in spec.graph.includes_of(router):
        if edge.guarded:
            found.append(f"the include in {edge.label}")
    app = spec.app
    if app is not None and app.get("dependencies") and router in spec.graph.served:
        found.append("the app")
    return found
