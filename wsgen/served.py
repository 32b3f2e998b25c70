"""Every route of a built spec as FastAPI serves it: the full path, prefixes composed, and
the dependencies that guard it, level by level, in the order FastAPI runs them.

The documents (AsyncAPI, the reference page), the route table and the breaking-change
gate all read routes from here, so that they agree with the generated app by
construction. It reads the frozen model only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from .model import Include, Param, Route, Router, Spec
from .paths import PATH_PARAM

LevelKind = Literal["app", "include", "router", "route"]


@dataclass(frozen=True, slots=True)
class Level:
    """The dependencies one level adds: ``owner`` is the router (or ``app``) the level
    belongs to; an include is owned by the one that includes."""

    kind: LevelKind
    owner: str
    dependencies: tuple[str, ...]

    @property
    def label(self) -> str:
        if self.kind == "app":
            return "app"
        if self.kind == "include":
            return f"include by {self.owner}"
        return f"{self.kind} {self.owner}" if self.kind == "router" else "route"


@dataclass(frozen=True, slots=True)
class ServedRoute:
    path: str  # as FastAPI matches it, convertors kept: /v1/items/{id:int}
    router: str  # the router that declares the route
    route: Route
    levels: tuple[Level, ...]  # outermost first; levels without dependencies left out

    @property
    def address(self) -> str:
        """The path as documents write it, convertors dropped: /v1/items/{id}."""
        return PATH_PARAM.sub(r"{\1}", self.path)

    @property
    def dependencies(self) -> tuple[str, ...]:
        """Every dependency name, in the order FastAPI runs them (repeats kept)."""
        return tuple(name for level in self.levels for name in level.dependencies)


def wire_name(param: Param) -> str:
    """The name a client sends: the alias, else FastAPI's header spelling (underscores
    become hyphens), else the parameter's own name."""
    if param.alias is not None:
        return param.alias
    return param.name.replace("_", "-") if param.source == "header" else param.name


def served_routes(spec: Spec) -> tuple[ServedRoute, ...]:
    """Every served route in registration order. With an app, what the app serves;
    without one, each router that no other includes, served on its own."""
    routers = {router.name: router for router in spec.routers}
    if spec.app is not None:
        app = Level("app", "app", spec.app.dependencies)
        return tuple(_included(routers, spec.app.includes, "app", "", (app,)))
    inner = {i.router for router in spec.routers for i in router.includes}
    return tuple(
        served
        for router in spec.routers
        if router.name not in inner
        for served in _mounted(routers, router, "", ())
    )


def _included(
    routers: dict[str, Router],
    includes: tuple[Include, ...],
    owner: str,
    prefix: str,
    levels: tuple[Level, ...],
) -> Iterator[ServedRoute]:
    for include in includes:
        level = Level("include", owner, include.dependencies)
        yield from _mounted(
            routers, routers[include.router], prefix + include.prefix, (*levels, level)
        )


def _mounted(
    routers: dict[str, Router],
    router: Router,
    prefix: str,
    levels: tuple[Level, ...],
) -> Iterator[ServedRoute]:
    """``router``'s routes under ``prefix`` (the includes above it), then those of the
    routers it includes. A starlette route gets no dependencies: FastAPI ignores them.
    """
    full = prefix + router.prefix
    levels = (*levels, Level("router", router.name, router.dependencies))
    for route in router.routes:
        if route.kind == "starlette":
            yield ServedRoute(full + route.path, router.name, route, ())
            continue
        own = Level("route", router.name, route.dependencies)
        kept = tuple(level for level in (*levels, own) if level.dependencies)
        yield ServedRoute(full + route.path, router.name, route, kept)
    yield from _included(routers, router.includes, router.name, full, levels)
