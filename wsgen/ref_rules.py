"""The spec as the semantic rules see it, and the checks of names and references that every
level of a spec (app, include, router, route, parameter) shares.

The rules read the loaded data defensively: a part with the wrong shape is skipped here
(the schema reports it), so a spec with several kinds of problem gets all of them at once.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .includes import IncludeGraph, as_dict, as_list
from .naming import did_you_mean, reserved, shadows, unreserved
from .source import Collector, JsonPath


class SpecView(NamedTuple):
    """What every rule may consult, and where it reports."""

    dependencies: dict[str, Any]
    routers: dict[str, Any]
    app: dict[str, Any] | None
    graph: IncludeGraph
    report: Collector
    messages: dict[str, Any]
    close_codes: dict[str, Any]

    @classmethod
    def of(cls, data: dict[str, Any], report: Collector) -> SpecView:
        routers = as_dict(data.get("routers"))
        app = data.get("app") if isinstance(data.get("app"), dict) else None
        graph = IncludeGraph(routers, app)
        return cls(
            as_dict(data.get("dependencies")),
            routers,
            app,
            graph,
            report,
            as_dict(data.get("messages")),
            as_dict(data.get("close_codes")),
        )

    @property
    def has_messages(self) -> bool:
        """Whether the package gets a messages.py."""
        return bool(self.messages or self.close_codes)

    def router(self, name: str) -> dict[str, Any]:
        return as_dict(self.routers.get(name))


def check_binding_name(spec: SpecView, here: JsonPath, name: str, what: str) -> None:
    """A name the generated modules bind: not reserved by Python, not one they use."""
    why = reserved(name)
    if why:
        spec.report.error(
            here,
            "name",
            f"{what} name '{name}' {why}",
            f"use e.g. '{unreserved(name)}'",
            at_key=True,
        )
        return
    reason = shadows(name)
    if reason:
        spec.report.error(
            here,
            "name",
            f"{what} name '{name}' cannot be used: {reason}",
            f"use e.g. '{name.lower()}_dep'",
            at_key=True,
        )


def check_import_ref(spec: SpecView, here: JsonPath, ref: Any) -> None:
    if not isinstance(ref, str) or ":" not in ref:
        return
    module, _, attribute = ref.partition(":")
    if module.split(".")[0] == "__future__":
        spec.report.error(
            here,
            "import-ref",
            f"'{ref}' imports from '__future__': 'from __future__ import ...' is a "
            "compiler directive, allowed only at the top of a module, so the generated "
            "module would not compile",
            "point at the module that defines your callable",
        )
        return
    for part in (*module.split("."), attribute):
        why = reserved(part)
        if why:
            spec.report.error(
                here,
                "import-ref",
                f"'{part}' in '{ref}' {why} and cannot be imported",
                "rename the module or attribute",
            )


def check_dependency_list(spec: SpecView, here: JsonPath, names: Any) -> None:
    for i, name in enumerate(as_list(names)):
        check_dependency_ref(spec, (*here, i), name)


def check_dependency_ref(spec: SpecView, here: JsonPath, name: Any) -> None:
    if isinstance(name, str) and name not in spec.dependencies:
        spec.report.error(
            here,
            "unknown-dependency",
            f"unknown dependency '{name}'",
            did_you_mean(
                name,
                list(spec.dependencies),
                "declare it under the top-level 'dependencies:'",
            ),
        )


def check_prefix(spec: SpecView, here: JsonPath, prefix: Any) -> None:
    if isinstance(prefix, str) and ("{" in prefix or "}" in prefix):
        spec.report.error(
            here,
            "prefix-param",
            f"prefix '{prefix}' has a path parameter; wsgen checks and declares "
            "parameters per route, so they must be in the route's path",
            "move the parameter into each route's 'path:'",
        )


def check_includes(spec: SpecView, here: JsonPath, includes: Any) -> None:
    for i, include in enumerate(as_list(includes)):
        include = as_dict(include)
        check_prefix(spec, (*here, i, "prefix"), include.get("prefix"))
        name = include.get("router")
        if isinstance(name, str) and name not in spec.routers:
            spec.report.error(
                (*here, i, "router"),
                "unknown-router",
                f"unknown router '{name}'",
                did_you_mean(
                    name,
                    list(spec.routers),
                    f"routers are: {', '.join(sorted(spec.routers))}",
                ),
            )
        check_dependency_list(
            spec, (*here, i, "dependencies"), include.get("dependencies")
        )
