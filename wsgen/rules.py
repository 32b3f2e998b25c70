"""Semantic rules: what the JSON Schema cannot say about a spec.

The rules read the loaded data defensively (a part with the wrong shape is skipped here; the
schema reports it), so a spec with several kinds of problem gets all of them in one run.
"""

from __future__ import annotations

import keyword
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .errors import Diagnostic
from .loader import JsonPath, SourceMap, format_path
from .naming import did_you_mean, route_name, shadows
from .param_rules import ParamRules
from .paths import CONVERTOR_TYPES, PATH_PARAM, path_params


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


@dataclass
class _Checker(ParamRules):
    data: dict[str, Any]
    source: SourceMap

    def __post_init__(self) -> None:
        self.out: list[Diagnostic] = []
        self.dependencies = _dict(self.data.get("dependencies"))
        self.routers = _dict(self.data.get("routers"))
        self.app = (
            self.data.get("app") if isinstance(self.data.get("app"), dict) else None
        )

    # -- the walk -------------------------------------------------------------------------

    def run(self) -> list[Diagnostic]:
        for name, ref in self.dependencies.items():
            self.check_binding_name(("dependencies", name), name, "dependency")
            self.check_import_ref(("dependencies", name), ref)
        if self.app is not None:
            self.check_dependency_list(
                ("app", "dependencies"), self.app.get("dependencies")
            )
            self.check_includes(("app", "include"), self.app.get("include"))
        for name, router in self.routers.items():
            self.check_router(name, _dict(router))
        self.check_cycles()
        self.check_full_paths()
        return self.out

    def check_router(self, name: str, router: dict[str, Any]) -> None:
        here: JsonPath = ("routers", name)
        if keyword.iskeyword(name):
            self.error(
                here,
                "name",
                f"router name '{name}' is a Python keyword",
                f"rename it, e.g. '{name}_'",
                at_key=True,
            )
        elif name.startswith("__") or (name == "app" and self.app is not None):
            self.error(
                here,
                "name",
                f"router name '{name}' would clash with a generated file",
                "rename the router",
                at_key=True,
            )
        self.check_prefix((*here, "prefix"), router.get("prefix"))
        self.check_dependency_list((*here, "dependencies"), router.get("dependencies"))
        self.check_includes((*here, "include"), router.get("include"))
        seen: dict[str, int] = {}
        for i, route in enumerate(_list(router.get("websockets"))):
            if not isinstance(route, dict):
                continue
            rpath: JsonPath = (*here, "websockets", i)
            self.check_route(name, rpath, route)
            rname = route_name(route)
            if rname is None:
                continue
            where = (*rpath, "name") if "name" in route else (*rpath, "handler")
            if rname in seen:
                self.error(
                    where,
                    "duplicate-name",
                    f"route name '{rname}' is already used by websockets[{seen[rname]}] "
                    f"of router '{name}'",
                    "give one of them a distinct 'name:'",
                )
            else:
                seen[rname] = i

    def check_route(self, router: str, here: JsonPath, route: dict[str, Any]) -> None:
        path = route.get("path")
        declared = _dict(route.get("params"))
        in_path: dict[str, str | None] = {}
        if isinstance(path, str):
            in_path = self.check_path((*here, "path"), path, router)
        if isinstance(route.get("handler"), str):
            self.check_import_ref((*here, "handler"), route["handler"])
        name = route.get("name")
        if isinstance(name, str) and keyword.iskeyword(name):
            self.error(
                (*here, "name"),
                "name",
                f"route name '{name}' is a Python keyword",
                f"use e.g. '{name}_'",
            )
        self.check_dependency_list((*here, "dependencies"), route.get("dependencies"))
        if route.get("kind") == "starlette":
            self.check_starlette_route(router, here, route)
            return
        for pname in in_path:
            if pname == "websocket" and pname not in declared:
                self.error(
                    (*here, "path"),
                    "reserved-name",
                    "path parameter 'websocket' clashes with the endpoint's WebSocket argument",
                    "rename the path parameter",
                )
        for pname, param in declared.items():
            if isinstance(param, dict):
                self.check_param((*here, "params", pname), pname, param, in_path, path)

    def check_path(
        self, here: JsonPath, path: str, router: str
    ) -> dict[str, str | None]:
        if not path.startswith("/"):
            prefix = _dict(self.routers.get(router)).get("prefix")
            landing = (
                f" (under prefix '{prefix}' it would land at '{prefix}{path}')"
                if (isinstance(prefix, str) and prefix)
                else ""
            )
            self.error(
                here,
                "route-path",
                f"route path '{path}' must start with '/'; FastAPI accepts it "
                f"silently but it is unreachable{landing}",
                f"use '/{path}'",
            )
        params: dict[str, str | None] = {}
        for pname, convertor in path_params(path):
            if pname in params:
                self.error(
                    here,
                    "path-param",
                    f"path parameter '{pname}' appears twice in '{path}' "
                    "(Starlette raises ValueError at import)",
                    "rename one of them",
                )
            if keyword.iskeyword(pname):
                self.error(
                    here,
                    "path-param",
                    f"path parameter '{pname}' is a Python keyword, so FastAPI cannot "
                    "pass it to the endpoint",
                    f"use e.g. '{pname}_'",
                )
            if convertor is not None and convertor not in CONVERTOR_TYPES:
                self.error(
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
            self.error(
                here,
                "path-param",
                f"'{path}' has a '{{' or '}}' that is not a path parameter",
                "write parameters as {name} or {name:convertor}, "
                "with a Python identifier as name",
            )
        return params

    def check_starlette_route(
        self, router: str, here: JsonPath, route: dict[str, Any]
    ) -> None:
        for key in ("params", "dependencies"):
            if route.get(key):
                self.error(
                    (*here, key),
                    "starlette-route",
                    f"a 'kind: starlette' route takes no {key}: websocket_route() "
                    "does no injection",
                    "remove them, or drop 'kind: starlette' to get a FastAPI route",
                )
        for owner in self.prefixed_includers(router):
            prefix = _dict(self.routers.get(owner)).get("prefix")
            self.error(
                (*here, "kind"),
                "starlette-route",
                f"router '{router}' is included by router '{owner}', whose prefix "
                f"'{prefix}' FastAPI 0.137+ applies to websocket_route() routes and "
                "older releases drop, so the served path would depend on the FastAPI "
                "version",
                "include this router from the app or from unprefixed routers only, "
                "or drop 'kind: starlette'",
            )
        guards = self.inherited_dependencies(router)
        if guards:
            self.error(
                (*here, "kind"),
                "starlette-unguarded",
                f"a 'kind: starlette' route is not guarded by the dependencies of "
                f"{', '.join(guards)}: FastAPI ignores them for websocket_route()",
                "check the handler does its own checks, or drop 'kind: starlette'",
                severity="warning",
            )

    def inherited_dependencies(self, router: str) -> list[str]:
        """Where dependencies would reach a route of ``router`` from outside the route."""
        found: list[str] = []
        if _dict(self.routers.get(router)).get("dependencies"):
            found.append(f"router '{router}'")
        for owner, include in self.all_includes():
            if include.get("router") == router and include.get("dependencies"):
                found.append(f"the include in {owner}")
        if (
            self.app is not None
            and self.app.get("dependencies")
            and router in self.reachable()
        ):
            found.append("the app")
        return found

    def prefixed_includers(self, router: str) -> list[str]:
        """Routers with a prefix that include ``router``, directly or further up."""
        parents: dict[str, set[str]] = {}
        for name in self.routers:
            for _, child in self.children(name):
                parents.setdefault(child, set()).add(name)
        found: list[str] = []
        todo, seen = sorted(parents.get(router, ())), {router}
        while todo:
            owner = todo.pop(0)
            if owner in seen:
                continue
            seen.add(owner)
            if _dict(self.routers.get(owner)).get("prefix"):
                found.append(owner)
            todo.extend(sorted(parents.get(owner, ())))
        return found

    # -- references -----------------------------------------------------------------------

    def check_binding_name(self, here: JsonPath, name: str, what: str) -> None:
        if keyword.iskeyword(name):
            self.error(
                here,
                "name",
                f"{what} name '{name}' is a Python keyword",
                f"use e.g. '{name}_'",
                at_key=True,
            )
            return
        reason = shadows(name)
        if reason:
            self.error(
                here,
                "name",
                f"{what} name '{name}' cannot be used: {reason}",
                f"use e.g. '{name.lower()}_dep'",
                at_key=True,
            )

    def check_import_ref(self, here: JsonPath, ref: Any) -> None:
        if not isinstance(ref, str) or ":" not in ref:
            return
        module, _, attribute = ref.partition(":")
        for part in (*module.split("."), attribute):
            if keyword.iskeyword(part):
                self.error(
                    here,
                    "import-ref",
                    f"'{part}' in '{ref}' is a Python keyword and cannot be imported",
                    "rename the module or attribute",
                )

    def check_dependency_list(self, here: JsonPath, names: Any) -> None:
        for i, name in enumerate(_list(names)):
            self.check_dependency_ref((*here, i), name)

    def check_dependency_ref(self, here: JsonPath, name: Any) -> None:
        if isinstance(name, str) and name not in self.dependencies:
            self.error(
                here,
                "unknown-dependency",
                f"unknown dependency '{name}'",
                did_you_mean(
                    name,
                    list(self.dependencies),
                    "declare it under the top-level 'dependencies:'",
                ),
            )

    def check_prefix(self, here: JsonPath, prefix: Any) -> None:
        if isinstance(prefix, str) and ("{" in prefix or "}" in prefix):
            self.error(
                here,
                "prefix-param",
                f"prefix '{prefix}' has a path parameter; wsgen checks and declares "
                "parameters per route, so they must be in the route's path",
                "move the parameter into each route's 'path:'",
            )

    def check_includes(self, here: JsonPath, includes: Any) -> None:
        for i, include in enumerate(_list(includes)):
            include = _dict(include)
            self.check_prefix((*here, i, "prefix"), include.get("prefix"))
            name = include.get("router")
            if isinstance(name, str) and name not in self.routers:
                self.error(
                    (*here, i, "router"),
                    "unknown-router",
                    f"unknown router '{name}'",
                    did_you_mean(
                        name,
                        list(self.routers),
                        f"routers are: {', '.join(sorted(self.routers))}",
                    ),
                )
            self.check_dependency_list(
                (*here, i, "dependencies"), include.get("dependencies")
            )

    # -- the include graph ----------------------------------------------------------------

    def all_includes(self) -> Iterator[tuple[str, dict[str, Any]]]:
        if self.app is not None:
            for include in _list(self.app.get("include")):
                yield "app", _dict(include)
        for name, router in self.routers.items():
            for include in _list(_dict(router).get("include")):
                yield f"router '{name}'", _dict(include)

    def children(self, router: str) -> list[tuple[int, str]]:
        found = []
        for i, include in enumerate(
            _list(_dict(self.routers.get(router)).get("include"))
        ):
            child = _dict(include).get("router")
            if isinstance(child, str) and child in self.routers:
                found.append((i, child))
        return found

    def reachable(self) -> set[str]:
        """Routers the app serves, directly or through other routers."""
        todo = [_dict(i).get("router") for i in _list(_dict(self.app).get("include"))]
        seen: set[str] = set()
        while todo:
            name = todo.pop()
            if isinstance(name, str) and name in self.routers and name not in seen:
                seen.add(name)
                todo.extend(child for _, child in self.children(name))
        return seen

    def check_cycles(self) -> None:
        reported: set[frozenset[str]] = set()
        for start in self.routers:
            stack: list[tuple[str, list[str]]] = [(start, [start])]
            while stack:
                node, chain = stack.pop()
                for i, child in self.children(node):
                    if child == start:
                        members = frozenset(chain)
                        if members in reported:
                            continue
                        reported.add(members)
                        loop = " -> ".join([*chain, child])
                        self.error(
                            ("routers", node, "include", i, "router"),
                            "include-cycle",
                            f"router '{node}' includes '{child}', which makes a cycle: "
                            f"{loop}",
                            "remove one of these includes",
                        )
                    elif child not in chain:
                        stack.append((child, [*chain, child]))

    def check_full_paths(self) -> None:
        included = {
            child
            for _, inc in self.all_includes()
            if isinstance(child := inc.get("router"), str)
        }
        # Each tree is served on its own: the app's, and each router nothing includes
        # (the user may mount those anywhere, so they are not compared with each other).
        if self.app is not None:
            self._mount(_list(self.app.get("include")), ("app", "include"), "", [], {})
        for name in self.routers:
            seen: dict[str, tuple[JsonPath, str]] = {}
            if name not in included:
                self._mount_router(name, "", [], seen)

    def _mount(
        self,
        includes: list[Any],
        here: JsonPath,
        prefix: str,
        chain: list[str],
        seen: dict[str, tuple[JsonPath, str]],
    ) -> None:
        for i, include in enumerate(includes):
            include = _dict(include)
            child = include.get("router")
            if isinstance(child, str) and child in self.routers and child not in chain:
                extra = include.get("prefix", "")
                self._mount_router(
                    child,
                    prefix + (extra if isinstance(extra, str) else ""),
                    chain,
                    seen,
                )

    def _mount_router(
        self,
        name: str,
        outer: str,
        chain: list[str],
        seen: dict[str, tuple[JsonPath, str]],
    ) -> None:
        router = _dict(self.routers.get(name))
        own = router.get("prefix", "")
        prefix = outer + (own if isinstance(own, str) else "")
        for i, route in enumerate(_list(router.get("websockets"))):
            path = _dict(route).get("path")
            if not isinstance(path, str):
                continue
            full = prefix + path
            key = PATH_PARAM.sub(
                lambda m: "{:" + _convertor_key(m.group(2)) + "}", full
            )
            here: JsonPath = ("routers", name, "websockets", i, "path")
            if key not in seen:
                seen[key] = (here, full)
                continue
            first, first_full = seen[key]
            line, _ = self.source.value(first)
            if first == here:
                self.error(
                    here,
                    "duplicate-path",
                    f"router '{name}' is included twice under the same prefix, so "
                    f"'{full}' is registered twice",
                    "include it once, or under different prefixes",
                )
            else:
                self.error(
                    here,
                    "duplicate-path",
                    f"'{full}' is already served by {format_path(first[:-1])} "
                    f"(line {line}, '{first_full}'); FastAPI silently serves only the first",
                    "change one of the paths or prefixes",
                )
        self._mount(
            _list(router.get("include")),
            ("routers", name, "include"),
            prefix,
            [*chain, name],
            seen,
        )


def _convertor_key(convertor: str | None) -> str:
    return "" if convertor in (None, "str") else str(convertor)


def check(data: Any, source: SourceMap) -> list[Diagnostic]:
    """Every semantic problem in ``data``; the schema has already reported shape errors."""
    if not isinstance(data, dict):
        return []
    return _Checker(data, source).run()
