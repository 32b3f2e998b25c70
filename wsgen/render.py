"""Work out everything each generated file needs, then fill its Jinja template.

Each output file gets one ready-made context: imports merged and sorted, every local name
allocated and unique, types spelled out. The templates only loop and branch.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

from . import deprecation, header, layout, resources, typenames
from .contexts import EndpointContext, FileContext, IncludeContext, ParamContext
from .imports import Imports
from .literals import py_literal
from .model import ImportRef, Include, Param, Route, Router, Spec
from .naming import NameAllocator

if TYPE_CHECKING:
    import jinja2

MARKERS = {
    "path": "Path",
    "query": "Query",
    "header": "Header",
    "cookie": "Cookie",
    "depends": "Depends",
}


class _FileBuilder:
    """Shared by router and app modules: dependency imports and include_router calls."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.imports = Imports()
        self.names = NameAllocator()
        self.classes: dict[tuple[str, str], str] = {}

    def dependencies(self, names: tuple[str, ...]) -> tuple[str, ...]:
        for name in names:
            self.dependency(name)
        return names

    def dependency(self, name: str) -> str:
        ref = self.spec.dependency(name).ref
        self.imports.fastapi.add("Depends")
        self.imports.add(
            self.imports.user, ref.module, ref.attribute, self.names.reserve(name)
        )
        return name

    def result_type(self, ref: ImportRef) -> str:
        """The local name of a class a dependency returns: one import per class, under
        its own name unless that is taken. Used only in annotations, which are read at
        module level, so no endpoint parameter can shadow it."""
        key = (ref.module, ref.attribute)
        if key not in self.classes:
            alias = self.names.allocate(ref.attribute, f"{ref.attribute}_type")
            self.imports.add(self.imports.user, ref.module, ref.attribute, alias)
            self.classes[key] = alias
        return self.classes[key]

    def includes(self, includes: tuple[Include, ...]) -> tuple[IncludeContext, ...]:
        aliases: dict[str, str] = {}
        out = []
        for include in includes:
            if include.router not in aliases:
                alias = self.names.allocate(f"{include.router}_router")
                aliases[include.router] = alias
                self.imports.add(
                    self.imports.package, f".{include.router}", "router", alias
                )
            out.append(
                IncludeContext(
                    aliases[include.router],
                    include.prefix,
                    self.dependencies(include.dependencies),
                )
            )
        return tuple(out)


def router_context(
    spec: Spec, router: Router, connections: dict[tuple[str, str], str] | None = None
) -> FileContext:
    """``connections``: the class names of messages.py's typed connections, by (router,
    route); see render_messages.connection_names."""
    files = _FileBuilder(spec)
    # Dependencies keep their spec names; reserve them before anything is allocated.
    for route in router.routes:
        files.dependencies(route.dependencies)
        for param in route.params:
            if param.depends:
                files.dependency(param.depends)
    dependencies = files.dependencies(router.dependencies)
    includes = files.includes(router.includes)
    files.imports.fastapi.add("APIRouter")
    functions = [files.names.allocate(route.name) for route in router.routes]
    handlers = _handler_aliases(files, router.routes)
    typed = _connection_aliases(files, router, connections or {})
    endpoints = tuple(
        _endpoint(
            files,
            router,
            route,
            function,
            handlers[(route.handler.module, route.handler.attribute)],
            typed.get(route.name),
        )
        for route, function in zip(router.routes, functions)
    )
    return FileContext(
        header=header.text(spec.source_name),
        imports=files.imports.sections(),
        prefix=router.prefix,
        dependencies=dependencies,
        endpoints=endpoints,
        includes=includes,
    )


def _handler_aliases(
    files: _FileBuilder, routes: tuple[Route, ...]
) -> dict[tuple[str, str], str]:
    """One import per handler, under a name no endpoint parameter can shadow."""
    shadowing: dict[tuple[str, str], set[str]] = {}
    for route in routes:
        key = (route.handler.module, route.handler.attribute)
        shadowing.setdefault(key, {"websocket"}).update(p.name for p in route.params)
    aliases = {}
    for (module, attribute), avoid in shadowing.items():
        alias = files.names.allocate(
            attribute, f"{attribute}_handler", avoid=frozenset(avoid)
        )
        files.imports.add(files.imports.user, module, attribute, alias)
        aliases[(module, attribute)] = alias
    return aliases


def _connection_aliases(
    files: _FileBuilder, router: Router, classes: dict[tuple[str, str], str]
) -> dict[str, str]:
    """Route name -> the local name of its typed connection class, imported from
    messages.py under a name no endpoint parameter can shadow (it is used in the body).
    """
    out = {}
    for route in router.routes:
        cls = classes.get((router.name, route.name))
        if cls is not None:
            avoid = frozenset(p.name for p in route.params) | {"websocket"}
            alias = files.names.allocate(cls, avoid=avoid)
            files.imports.add(files.imports.package, ".messages", cls, alias)
            out[route.name] = alias
    return out


def _endpoint(
    files: _FileBuilder,
    router: Router,
    route: Route,
    function: str,
    handler: str,
    connection: str | None = None,
) -> EndpointContext:
    files.imports.fastapi.add("WebSocket")
    if route.params:
        files.imports.add(files.imports.stdlib, "typing", "Annotated", "Annotated")
    starlette = route.kind == "starlette"
    return EndpointContext(
        function=function,
        name=route.name,
        # websocket_route() ignores the router's own prefix, so the path carries it.
        path=router.prefix + route.path if starlette else route.path,
        starlette=starlette,
        prefixed=starlette and bool(router.prefix),
        dependencies=route.dependencies,
        params=tuple(_param(files, p) for p in route.params),
        handler=handler,
        # A blank description would make an empty docstring: it gets none.
        description=deprecation.route_doc(route),
        connection=connection,
        room=route.room is not None,
    )


def _param(files: _FileBuilder, param: Param) -> ParamContext:
    marker = MARKERS[param.source]
    files.imports.fastapi.add(marker)
    options: list[tuple[str, Any]] = []
    if param.alias is not None:
        options.append(("alias", param.alias))
    # Depends() takes no description (TypeError at import): it documents the spec only.
    if param.description is not None and param.source != "depends":
        options.append(("description", param.description))
    options.extend(param.constraints)
    default_factory = param.default_factory
    return ParamContext(
        name=param.name,
        item=_item_type(files, param),
        choices=_choices(files, param),
        is_list=param.is_list,
        optional=not param.required and param.default is None,
        marker=marker,
        dependency=param.depends,
        options=tuple(options),
        signature_default=not param.required and not default_factory,
        default_factory=default_factory,
        default=param.default,
    )


def _item_type(files: _FileBuilder, param: Param) -> str:
    """The annotation of one value of ``param``: a built-in type or the class a
    dependency returns ("" for an enum, annotated with its choices)."""
    if param.result_type is not None:
        return files.result_type(param.result_type)
    if param.choices:
        return ""
    if param.item_type == "uuid":
        files.imports.plain.add("uuid")
    elif param.item_type == "any":
        files.imports.add(files.imports.stdlib, "typing", "Any", "Any")
    return typenames.PYTHON[param.item_type]


def _choices(files: _FileBuilder, param: Param) -> tuple[str, ...]:
    """An enum's values, spelled by the one literal writer, for ``Literal[...]``."""
    if param.result_type is not None or not param.choices:
        return ()
    files.imports.add(files.imports.stdlib, "typing", "Literal", "Literal")
    return tuple(py_literal(v) for v in param.choices)


def app_context(spec: Spec) -> FileContext:
    assert spec.app is not None
    files = _FileBuilder(spec)
    dependencies = files.dependencies(spec.app.dependencies)
    for include in spec.app.includes:
        files.dependencies(include.dependencies)
    includes = files.includes(spec.app.includes)
    files.imports.fastapi.add("FastAPI")
    lifespan = None
    if spec.broadcast is not None and spec.broadcast.backend == "redis":
        lifespan = files.names.allocate("lifespan")
        files.imports.add(files.imports.package, ".broadcast", "lifespan", lifespan)
    return FileContext(
        header=header.text(spec.source_name),
        imports=files.imports.sections(),
        title=spec.app.title,
        description=spec.app.description,
        version=spec.app.version,
        dependencies=dependencies,
        includes=includes,
        lifespan=lifespan,
    )


def package_context(spec: Spec) -> FileContext:
    # The package marker is shared by every spec that writes into the folder: no spec name.
    return FileContext(header=header.text(None), imports=())


@cache
def environment() -> jinja2.Environment:
    import jinja2  # only runs that render pay for it: `wsgen validate` never does

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resources.resource_dir("templates"))),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["lay"] = layout
    return env


def prepare() -> None:
    """Import Jinja and compile the router template now: parallel.py does it before the
    fork, so that the two processes do not both do it."""
    environment().get_template("router.py.jinja")


def render_file(template: str, context: Any) -> str:
    return environment().get_template(template).render(f=context)


def render_package(
    spec: Spec, routers: Iterable[Router] | None = None
) -> dict[str, str]:
    """Every file of the generated package by name, already in black's layout; of the
    router modules only those of ``routers`` when given (parallel.py renders the rest).
    """
    from .render_messages import connection_names, messages_context

    files = {"__init__.py": render_file("__init__.py.jinja", package_context(spec))}
    connections = connection_names(spec)
    if spec.has_messages:
        files["messages.py"] = render_file(
            "messages.py.jinja", messages_context(spec, connections)
        )
    if spec.has_rooms:
        from .render_broadcast import broadcast_context

        files["broadcast.py"] = render_file(
            "broadcast.py.jinja", broadcast_context(spec)
        )
    if spec.app is not None:
        files["app.py"] = render_file("app.py.jinja", app_context(spec))
    routers = spec.routers if routers is None else routers
    files.update(_routers(spec, routers, connections))
    return files


def render_routers(spec: Spec, routers: Iterable[Router]) -> dict[str, str]:
    """The modules of ``routers`` (of ``spec``), by file name."""
    from .render_messages import connection_names

    return _routers(spec, routers, connection_names(spec))


def _routers(
    spec: Spec,
    routers: Iterable[Router],
    connections: dict[tuple[str, str], str],
) -> dict[str, str]:
    return {
        f"{router.name}.py": render_file(
            "router.py.jinja", router_context(spec, router, connections)
        )
        for router in routers
    }
