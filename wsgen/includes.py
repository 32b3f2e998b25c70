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

    @property
    def where(self) -> tuple[str | int, ...]:
        """The spec path of the include."""
        if self.owner is APP:
            return ("app", "include", self.position)
        return ("routers", self.owner, "include", self.position)


class Mount(NamedTuple):
    """A router as one tree serves it: the prefix before its routes, and the includes
    from the tree's root down to it (none for the root router of its own tree)."""

    router: str
    prefix: str
    chain: tuple[Edge, ...]


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

    def trees(self) -> Iterator[list[Mount]]:
        """Each tree that is served on its own, as its routers with the prefix before their
        routes, in the order FastAPI registers them: the app's, then each router that
        nothing includes (the user may mount those anywhere). A router's own routes come
        before those of the routers it includes. A cycle is cut where it closes."""
        if self.has_app:
            yield self._mount(APP, "", ())
        included = self.included()
        for name in self.routers:
            if name not in included:
                prefix = self.prefix(name)
                yield [Mount(name, prefix, ()), *self._mount(name, prefix, ())]

    def _mount(
        self, owner: str | None, prefix: str, chain: tuple[Edge, ...]
    ) -> list[Mount]:
        out: list[Mount] = []
        # The routers on the way down, the tree's root included: a cycle stops here.
        above = {owner, *(e.owner for e in chain), *(e.child for e in chain)}
        for edge in self.edges[owner]:
            if edge.child not in above:
                inner = prefix + edge.prefix + self.prefix(edge.child)
                out.append(Mount(edge.child, inner, (*chain, edge)))
                out.extend(self._mount(edge.child, inner, (*chain, edge)))
        return out
