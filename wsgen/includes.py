"""The include graph of a spec: which router includes which, under what prefix.

Built once per spec from its data as loaded (parts with the wrong shape are left out: the
schema reports them), then queried by the rules. Nothing here reports a problem.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

APP = None  # the owner of the app's includes: no router name can be it


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str:
    return value if isinstance(value, str) else ""


class Edge(NamedTuple):
    """One include of an existing router: ``owner``'s ``include[position]`` names ``child``."""

    owner: str | None  # a router name, or APP
    position: int
    child: str
    prefix: str
    guarded: bool  # the include has dependencies of its own

    @property
    def label(self) -> str:
        return "app" if self.owner is APP else f"router '{self.owner}'"


class IncludeGraph:
    def __init__(self, routers: dict[str, Any], app: dict[str, Any] | None) -> None:
        self.routers = {name: as_dict(router) for name, router in routers.items()}
        self.has_app = app is not None
        self.edges: dict[str | None, tuple[Edge, ...]] = {
            APP: self._edges(APP, as_dict(app).get("include"))
        }
        for name, router in self.routers.items():
            self.edges[name] = self._edges(name, router.get("include"))
        self.parents: dict[str, set[str]] = {}
        for owner, edges in self.edges.items():
            for edge in edges:
                if owner is not APP:
                    self.parents.setdefault(edge.child, set()).add(owner)
        self.served = self._reachable(APP)  # routers the app serves

    def _edges(self, owner: str | None, includes: Any) -> tuple[Edge, ...]:
        found = []
        for i, include in enumerate(as_list(includes)):
            include = as_dict(include)
            child = include.get("router")
            if isinstance(child, str) and child in self.routers:
                prefix, guarded = as_str(include.get("prefix")), bool(
                    include.get("dependencies")
                )
                found.append(Edge(owner, i, child, prefix, guarded))
        return tuple(found)

    def _reachable(self, start: str | None) -> set[str]:
        todo, seen = [edge.child for edge in self.edges[start]], set[str]()
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo.extend(edge.child for edge in self.edges[name])
        return seen

    def prefix(self, router: str) -> str:
        return as_str(self.routers[router].get("prefix"))

    def included(self) -> set[str]:
        """Routers that the app or another router includes."""
        return {edge.child for edges in self.edges.values() for edge in edges}

    def includes_of(self, router: str) -> list[Edge]:
        """Every include of ``router``, the app's first."""
        return [e for edges in self.edges.values() for e in edges if e.child == router]

    def prefixed_includers(self, router: str) -> list[str]:
        """Routers with a prefix that include ``router``, directly or further up."""
        found: list[str] = []
        todo, seen = sorted(self.parents.get(router, ())), {router}
        while todo:
            owner = todo.pop(0)
            if owner in seen:
                continue
            seen.add(owner)
            if self.prefix(owner):
                found.append(owner)
            todo.extend(sorted(self.parents.get(owner, ())))
        return found

    def cycles(self) -> Iterator[tuple[Edge, list[str]]]:
        """Each include cycle once: the include that closes it, and the routers on it."""
        reported: set[frozenset[str]] = set()
        for start in self.routers:
            stack: list[tuple[str, list[str]]] = [(start, [start])]
            while stack:
                node, chain = stack.pop()
                for edge in self.edges[node]:
                    if edge.child == start:
                        if frozenset(chain) not in reported:
                            reported.add(frozenset(chain))
                            yield edge, chain
                    elif edge.child not in chain:
                        stack.append((edge.child, [*chain, edge.child]))

    def trees(self) -> Iterator[list[tuple[str, str]]]:
        """Each tree that is served on its own, as its routers with the prefix before their
        routes, in the order FastAPI registers them: the app's, then each router that
        nothing includes (the user may mount those anywhere). A cycle is cut where it
        closes."""
        if self.has_app:
            yield self._mount(APP, "", [])
        included = self.included()
        for name in self.routers:
            if name not in included:
                yield [
                    (name, self.prefix(name)),
                    *self._mount(name, self.prefix(name), [name]),
                ]

    def _mount(
        self, owner: str | None, prefix: str, chain: list[str]
    ) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for edge in self.edges[owner]:
            if edge.child not in chain:
                inner = prefix + edge.prefix + self.prefix(edge.child)
                out.append((edge.child, inner))
                out.extend(self._mount(edge.child, inner, [*chain, edge.child]))
        return out
