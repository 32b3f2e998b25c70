"""``wsgen scaffold``: write the handlers and dependencies a spec names that do not exist yet,
with the exact signature the generated code calls, so that every route is served at once.

Existence is decided without running anything: the module file is found under the spec's
roots (import_check.roots) and read with ``ast``. A missing module is created (with an
empty ``__init__.py`` in each folder scaffold creates, so new packages are regular
packages; an existing folder is left as it is); a missing function is appended, its
imports inserted after the module's own. No existing line changes, and a second run finds
everything and writes nothing. The text is laid out as black lays it out (layout.py).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from . import layout, typenames
from .import_check import roots
from .model import ImportRef, Param, Route, Spec
from .plan import Change


@dataclass(slots=True)
class _Module:
    """One module scaffold appends to or creates."""

    path: Path
    old: str | None  # None: the file does not exist
    defined: set[str]
    imports: dict[str, set[str]] = field(default_factory=dict)  # module -> names
    plain: set[str] = field(default_factory=set)
    blocks: list[str] = field(default_factory=list)


def plan(spec_path: Path, model: Spec) -> list[Change]:
    """Every file scaffold would write, as changes against the files on disk."""
    where = roots(spec_path)
    modules: dict[str, _Module] = {}

    def module(name: str) -> _Module | None:
        if name not in modules:
            found = _open(name, where)
            if found is None:
                return None
            modules[name] = found
        return modules[name]

    output = _output_package(spec_path, model, where)
    for router in model.routers:
        for route in router.routes:
            for param in route.params:
                if param.result_type is not None:
                    _class(module(param.result_type.module), param.result_type)
            target = module(route.handler.module)
            if target is not None and route.handler.attribute not in target.defined:
                connection = _connection(model, router.name, route, output)
                target.blocks.append(_handler(target, route, connection))
                target.defined.add(route.handler.attribute)
    for dependency in model.dependencies:
        target = module(dependency.ref.module)
        if target is not None and dependency.ref.attribute not in target.defined:
            text = f"def {dependency.ref.attribute}() -> None:\n    return None\n"
            target.blocks.append(text)
            target.defined.add(dependency.ref.attribute)
    changes = []
    for name in sorted(modules):
        found = modules[name]
        if found.blocks:
            changes.append(_change(found))
    return changes + _package_markers(changes, where)


def _open(name: str, where: tuple[Path, ...]) -> _Module | None:
    """The module's file under the first root that holds its top-level package; a new
    file under the first root when none does. None for a module that is not a file
    scaffold can append to (compiled, or one it cannot parse)."""
    parts = name.split(".")
    top = next(
        (
            r
            for r in where
            if (r / parts[0]).is_dir() or (r / f"{parts[0]}.py").is_file()
        ),
        where[0],
    )
    base = top.joinpath(*parts)
    for path in (base / "__init__.py", base.with_suffix(".py")):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            try:
                tree = ast.parse(text)
            except SyntaxError:
                return None
            return _Module(path, text, _names(tree))
    return _Module(base.with_suffix(".py"), None, set())


def _names(tree: ast.Module) -> set[str]:
    """What a module binds at its top level, through ifs and trys too."""
    out: set[str] = set()
    todo: list[ast.stmt] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            out.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            out.update(
                n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)
            )
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            todo.extend(ast.iter_child_nodes(node))  # type: ignore[arg-type]
    return out


def _output_package(
    spec_path: Path, model: Spec, where: tuple[Path, ...]
) -> str | None:
    """The dotted name of the generated package, as the handlers import it."""
    if model.output is None:
        return None
    folder = (spec_path.resolve().parent / model.output).resolve()
    for root in where:
        if folder.is_relative_to(root):
            parts = folder.relative_to(root).parts
            if parts and all(p.isidentifier() for p in parts):
                return ".".join(parts)
    return None


def _connection(
    model: Spec, router: str, route: Route, output: str | None
) -> str | None:
    if route.contract is None or output is None:
        return None
    from .render_messages import connection_names

    return f"{output}.messages:{connection_names(model)[(router, route.name)]}"


def _class(target: _Module | None, ref: ImportRef) -> None:
    if target is not None and ref.attribute not in target.defined:
        target.blocks.append(f"class {ref.attribute}:\n    pass\n")
        target.defined.add(ref.attribute)


def _handler(target: _Module, route: Route, connection: str | None) -> str:
    if connection is not None:
        module, _, cls = connection.partition(":")
        target.imports.setdefault(module, set()).add(cls)
        first, call = f"conn: {cls}", "conn"
    elif route.contract is not None:  # no generated package to import the class from
        target.imports.setdefault("typing", set()).add("Any")
        first, call = "conn: Any", "conn"
    else:
        target.imports.setdefault("fastapi", set()).add("WebSocket")
        first, call = "websocket: WebSocket", "websocket"
    items: list[layout.Chunk] = [(first,)]
    items += [(f"{p.name}: {_annotation(target, p)}",) for p in route.params]
    head = f"async def {route.handler.attribute}"
    chunk = (head, layout.Group("(", tuple(items), ")", "def"), " -> None:")
    return (
        layout.lay_out(chunk)
        + f"\n    await {call}.accept()\n    await {call}.close()\n"
    )


def _annotation(target: _Module, param: Param) -> str:
    if param.result_type is not None:
        ref = param.result_type
        if ref.module != _module_name(target):
            target.imports.setdefault(ref.module, set()).add(ref.attribute)
        text = ref.attribute
    else:
        text = typenames.PYTHON[param.item_type]
        if param.item_type == "uuid":
            target.plain.add("uuid")
        if param.item_type == "any":
            target.imports.setdefault("typing", set()).add("Any")
    if param.is_list:
        text = f"list[{text}]"
    if not param.required and param.default is None:
        text += " | None"
    return text


def _module_name(target: _Module) -> str:
    return target.path.stem


_STDLIB = {"typing", "uuid"}


def _import_lines(target: _Module) -> list[str]:
    """The imports the new code needs and the module lacks, in isort's sections."""
    present = target.defined
    plain = [f"import {m}" for m in sorted(target.plain) if m not in present]
    sections: list[list[str]] = [plain, [], [], []]
    for module in sorted(target.imports):
        names = sorted(n for n in target.imports[module] if n not in present)
        if not names:
            continue
        from .imports import ImportLine

        line = layout.import_line(ImportLine(module, tuple(names)))
        at = 0 if module in _STDLIB else 1 if module == "fastapi" else 2
        sections[at].append(line)
    return ["\n".join(s) for s in sections if s]


def _change(target: _Module) -> Change:
    imports = "\n\n".join(_import_lines(target))
    body = "\n\n\n".join(target.blocks)
    fresh = f"{imports}\n\n\n{body}" if imports else body
    if target.old is None:
        return Change(target.path, "missing", "", fresh)
    if not target.old.strip():
        return Change(target.path, "changed", target.old, fresh)
    text = _insert_imports(target.old, imports) if imports else target.old
    if not text.endswith("\n"):
        text += "\n"
    blank = len(text) - len(text.rstrip("\n")) - 1
    return Change(
        target.path, "changed", target.old, text + "\n" * max(0, 2 - blank) + body
    )


def _insert_imports(text: str, imports: str) -> str:
    """``imports`` after the module's leading imports (or its docstring): inserted lines
    only, never a changed one."""
    tree = ast.parse(text)
    end, after_import = 0, False
    for node in tree.body:
        docstring = (
            end == 0
            and isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        )
        if not (docstring or isinstance(node, (ast.Import, ast.ImportFrom))):
            break
        end, after_import = node.end_lineno or end, not docstring
    if end == 0:
        return imports + "\n\n\n" + text
    lines = text.splitlines(keepends=True)
    head, tail = "".join(lines[:end]), "".join(lines[end:])
    if after_import:
        return head + imports + "\n" + tail
    rest = tail.lstrip("\n")
    return head + "\n" + imports + "\n" + ("\n\n" + rest if rest else "")


def _package_markers(changes: list[Change], where: tuple[Path, ...]) -> list[Change]:
    """An empty ``__init__.py`` for each folder that writing ``changes`` creates."""
    out: dict[Path, Change] = {}
    for change in changes:
        if change.kind != "missing":
            continue
        folder = change.path.parent
        while not folder.exists() and not any(folder == r for r in where):
            marker = folder / "__init__.py"
            out[marker] = Change(marker, "missing", "", "")
            folder = folder.parent
    return [out[p] for p in sorted(out)]


def write(changes: list[Change]) -> None:
    from .write import atomic_write

    for change in changes:
        change.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(change.path, change.new.encode("utf-8"))
