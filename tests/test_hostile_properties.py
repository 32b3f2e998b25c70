"""Property: hostile strings in any spec field are rejected with located errors or come out
as exactly the same values in safe code.

Specs are built as data with hostile strings (quotes, triple quotes, backslashes, newlines,
braces, Jinja syntax, line and paragraph separators, NUL and other controls, very long text)
in every field that takes a string, dumped to YAML and run through the in-process pipeline.
Each spec is either refused with a SpecError whose diagnostics are all located, or every
generated file compiles, is black-stable, holds exactly the spec's strings, and is made only
of the statements, calls and imports wsgen emits.
"""

from __future__ import annotations

import ast
import re
from typing import Any

import black
import yaml
from black.mode import Mode, TargetVersion
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from wsgen import build, pipeline, validate
from wsgen.errors import SpecError
from wsgen.loader import load_text

YAML_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
MODE = Mode(target_versions={TargetVersion.PY310})
SPEC_NAME = "spec.yaml"

# -- strategies ---------------------------------------------------------------------------

FRAGMENTS = [
    '"',
    "'",
    '"""',
    "'''",
    "\\",
    "\\\\",
    "\\n",
    "\\\n",
    "\n",
    "\r\n",
    "\r",
    "{",
    "}",
    "{}",
    "{x}",
    "{{ f.prefix }}",
    "{% if true %}x{% endif %}",
    "{# c #}",
    "{%- raw %}",
    "\u2028",
    "\u2029",
    "\x85",
    "\x00",
    "\x07",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x7f",
    "\t",
    " ",
    "  ",
    "#",
    "# comment\n",
    "')\nimport os\nos.system('x')\n#",
    '")\n__import__("os")\n("',
    '"""\nimport os\n"""',
    ")]:",
    "\\x00",
    "\\u2028",
    "%s",
    "$",
    "/",
    "Grüße 你好 🎉",
    "\ufeff",
    "\u200b",
    "\xa0",
    "\u3000",
]
ALPHABET = st.characters(
    blacklist_categories=("Cs",),  # lone surrogates cannot be written in YAML
)
LONG = st.builds(
    lambda piece, n: piece * n,
    st.sampled_from(["x", "\\", '"', "{}", "é\n"]),
    st.integers(200, 3000),
)
HOSTILE = st.one_of(
    st.lists(
        st.one_of(st.sampled_from(FRAGMENTS), st.text(ALPHABET, max_size=6)), max_size=8
    ).map("".join),
    st.text(ALPHABET, max_size=20),
    LONG,
)

# Names the rules accept, for specs whose structure should generate (hostile text is then
# in the free-text fields), and names they must refuse or handle, for the other specs.
SAFE_NAMES = [
    "chat",
    "items",
    "room",
    "q",
    "x_token",
    "_private",
    "a1",
    "handler",
    "Data",
    "x" * 120,
]
RISKY_NAMES = [
    "websocket",
    "router",
    "app",
    "Depends",
    "WebSocket",
    "Annotated",
    "uuid",
    "list",
    "str",
    "class",
    "None",
    "__init__",
]
MODULES = [
    "handlers",
    "chat_app.handlers",
    "chat_app.deps",
    "fastapi",
    "typing",
    "uuid",
    "os",
    "a.b.c",
]
NO_BRACES = HOSTILE.map(lambda t: t.replace("{", "").replace("}", ""))


def names(safe: bool) -> st.SearchStrategy[str]:
    if safe:
        return st.sampled_from(SAFE_NAMES)
    return st.one_of(
        st.sampled_from(SAFE_NAMES + RISKY_NAMES),
        st.builds(
            lambda n, h: n + h,
            st.sampled_from(SAFE_NAMES + RISKY_NAMES),
            st.sampled_from(["\n", " ", "\u2028", "\x00", "-x", "()", "\n\n"]),
        ),
        HOSTILE,
    )


def refs(safe: bool) -> st.SearchStrategy[str]:
    valid = st.builds(
        lambda m, a: f"{m}:{a}",
        st.sampled_from(MODULES),
        st.sampled_from(SAFE_NAMES if safe else SAFE_NAMES + RISKY_NAMES),
    )
    if safe:
        return valid
    return st.one_of(
        valid,
        st.builds(lambda r, h: r + h, valid, st.sampled_from(["\n", " ", "\x00"])),
        HOSTILE,
    )


def paths(safe: bool) -> st.SearchStrategy[str]:
    return (
        NO_BRACES.map(lambda t: "/" + t)
        if safe
        else st.one_of(HOSTILE.map(lambda t: "/" + t), HOSTILE)
    )


def prefixes(safe: bool) -> st.SearchStrategy[str]:
    if safe:
        return st.one_of(st.just(""), NO_BRACES.map(lambda t: "/" + t + "z"))
    return st.one_of(st.just(""), HOSTILE.map(lambda t: "/" + t + "z"), HOSTILE)


def patterns(safe: bool) -> st.SearchStrategy[str]:
    escaped = HOSTILE.map(lambda t: "^" + re.escape(t) + "$")
    return escaped if safe else st.one_of(escaped, HOSTILE)


# Free text (descriptions, titles, versions, aliases, string defaults) is always hostile.
TEXT = HOSTILE


@st.composite
def params(draw: st.DrawFn, deps: list[str], safe: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for _ in range(draw(st.integers(0, 3))):
        name = draw(names(safe))
        kind = draw(st.sampled_from(["query", "header", "cookie", "depends", "query"]))
        param: dict[str, Any] = {}
        if kind == "depends":
            param["depends"] = draw(
                st.sampled_from(deps) if deps and safe else names(safe)
            )
            if draw(st.integers(0, 3)) == 0:
                param["type"] = draw(refs(safe))  # the class the dependency returns
        else:
            param["in"] = kind
            if draw(st.booleans()):
                lists_ok = kind != "cookie" or not safe
                param["type"] = draw(
                    st.sampled_from(["str", "list[str]"] if lists_ok else ["str"])
                )
            if draw(st.booleans()):
                if param.get("type") == "list[str]":
                    param["default"] = draw(st.lists(TEXT, max_size=3))
                else:
                    param["default"] = draw(TEXT)
            if draw(st.booleans()):
                param["alias"] = draw(TEXT.filter(bool) if safe else TEXT)
            if draw(st.booleans()) and param.get("type", "str") == "str":
                param["pattern"] = draw(patterns(safe))
            elif draw(st.integers(0, 3)) == 0 and "default" not in param:
                # Hostile enum values go into Literal[...] through the one escaping.
                param["enum"] = draw(
                    st.lists(TEXT, min_size=1, max_size=3, unique=True)
                )
        if draw(st.booleans()):
            param["description"] = draw(TEXT)
        out[name] = param
    return out


@st.composite
def route(draw: st.DrawFn, deps: list[str], safe: bool) -> dict[str, Any]:
    raw: dict[str, Any] = {"path": draw(paths(safe)), "handler": draw(refs(safe))}
    if draw(st.booleans()):
        raw["name"] = draw(names(safe))
    if draw(st.booleans()):
        raw["description"] = draw(TEXT)
    if draw(st.integers(0, 4)) == 0:
        raw["kind"] = "starlette"
        return raw
    if draw(st.booleans()):
        # A declared path parameter, with the hostile description it may carry.
        pname = draw(st.sampled_from(["room_id", "item"]))
        raw["path"] += "/{" + pname + "}"
        raw["params"] = {pname: {"in": "path", "description": draw(TEXT)}}
    raw.setdefault("params", {}).update(draw(params(deps, safe)))
    if not raw["params"]:
        del raw["params"]
    if deps and draw(st.booleans()):
        raw["dependencies"] = draw(
            st.lists(st.sampled_from(deps), max_size=2, unique=True)
        )
    return raw


@st.composite
def include(
    draw: st.DrawFn, routers: list[str], deps: list[str], safe: bool
) -> dict[str, Any]:
    router = st.sampled_from(routers)
    raw: dict[str, Any] = {
        "router": draw(router if safe else st.one_of(router, names(safe)))
    }
    if draw(st.booleans()):
        raw["prefix"] = draw(prefixes(safe))
    if deps and draw(st.booleans()):
        raw["dependencies"] = draw(
            st.lists(st.sampled_from(deps), max_size=2, unique=True)
        )
    return raw


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    safe = draw(st.sampled_from([True, True, True, False]))
    dep_names = draw(st.lists(names(safe), max_size=2, unique=True))
    dependencies = {name: draw(refs(safe)) for name in dep_names}
    router_names = draw(st.lists(names(safe), min_size=1, max_size=2, unique=True))
    routers: dict[str, Any] = {}
    for name in router_names:
        raw: dict[str, Any] = {}
        if draw(st.booleans()):
            raw["prefix"] = draw(prefixes(safe))
        if dep_names and draw(st.booleans()):
            raw["dependencies"] = draw(
                st.lists(st.sampled_from(dep_names), max_size=2, unique=True)
            )
        raw["websockets"] = draw(
            st.lists(route(dep_names, safe), min_size=1, max_size=2)
        )
        others = [r for r in router_names if r != name]
        if others and draw(st.integers(0, 3)) == 0:
            raw["include"] = [draw(include(others, dep_names, safe))]
        routers[name] = raw
    spec: dict[str, Any] = {"version": 1}
    if dependencies:
        spec["dependencies"] = dependencies
    if draw(st.booleans()):
        app: dict[str, Any] = {}
        for key in ("title", "description", "version"):
            if draw(st.booleans()):
                app[key] = draw(TEXT)
        if dep_names and draw(st.booleans()):
            app["dependencies"] = [draw(st.sampled_from(dep_names))]
        app["include"] = draw(
            st.lists(include(router_names, dep_names, safe), max_size=2)
        )
        spec["app"] = app
    spec["routers"] = routers
    return spec


# -- what the generated code may contain -------------------------------------------------

FASTAPI_NAMES = {
    "APIRouter",
    "FastAPI",
    "Depends",
    "Path",
    "Query",
    "Header",
    "Cookie",
    "WebSocket",
}
MARKERS = {"Path", "Query", "Header", "Cookie", "Depends"}
TYPING_NAMES = {"Annotated", "Any", "Literal"}
NODE_TYPES = {
    ast.Module,
    ast.Expr,
    ast.Constant,
    ast.ImportFrom,
    ast.Import,
    ast.alias,
    ast.Assign,
    ast.Name,
    ast.Load,
    ast.Store,
    ast.Call,
    ast.keyword,
    ast.List,
    ast.Attribute,
    ast.AsyncFunctionDef,
    ast.arguments,
    ast.arg,
    ast.Subscript,
    ast.Tuple,
    ast.BinOp,
    ast.BitOr,
    ast.Await,
    ast.Lambda,
}


def documented_docstring(description: str) -> str:
    """The docstring value a description becomes (PEP 257 layout, as black keeps it).

    The text is stripped, each line loses its trailing whitespace, the lines after the first
    lose their common leading spaces and get the body's indent (blank lines stay empty). Two
    padding rules keep the closing quotes apart: a text ending in '"' gets a space, and a
    multi-line text whose last line would pass 88 columns gets the quotes on their own line.
    """
    from wsgen.literals import docstring

    lines = [line.rstrip() for line in description.strip().split("\n")]
    rest = [line for line in lines[1:] if line]
    margin = min((len(line) - len(line.lstrip(" ")) for line in rest), default=0)
    lines = [lines[0]] + ["    " + line[margin:] if line else "" for line in lines[1:]]
    value = "\n".join(lines)
    padded = value.endswith('"')
    if padded:
        value += " "
    if len(lines) > 1:
        # Black measures the last line as written: escapes count with their backslashes.
        written = "    " + docstring("." + lines[-1][4:])[1:] + (" " if padded else "")
        if len(written) + 3 > 88:
            value += "\n    "
    return value


def first_difference(got: Any, want: Any, where: str = "") -> str | None:
    if isinstance(want, dict) and isinstance(got, dict) and list(got) == list(want):
        for key in want:
            found = first_difference(got[key], want[key], f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(want, list) and isinstance(got, list) and len(got) == len(want):
        for i, (a, b) in enumerate(zip(got, want)):
            found = first_difference(a, b, f"{where}[{i}]")
            if found:
                return found
        return None
    return None if got == want else f"{where}: read {got!r}, wrote {want!r}"


def collect_strings(spec: dict[str, Any]) -> set[str]:
    out: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str):
            out.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(spec)
    return out


def route_name(raw: dict[str, Any]) -> str:
    return raw.get("name") or raw["handler"].rpartition(":")[2]


def keywords(call: ast.Call) -> dict[str, ast.expr]:
    assert all(k.arg is not None for k in call.keywords)
    return {k.arg: k.value for k in call.keywords if k.arg is not None}


def const(node: ast.expr) -> Any:
    assert isinstance(node, ast.Constant), ast.dump(node)
    return node.value


def check_depends_list(
    node: ast.expr,
    expected: list[str],
    imported: dict[str, tuple[str, str]],
    spec: dict[str, Any],
) -> None:
    assert isinstance(node, ast.List)
    names = []
    for item in node.elts:
        assert (
            isinstance(item, ast.Call)
            and isinstance(item.func, ast.Name)
            and item.func.id == "Depends"
        )
        assert len(item.args) == 1 and not item.keywords
        names.append(check_dependency(item.args[0], imported, spec))
    assert names == expected


def check_dependency(
    node: ast.expr, imported: dict[str, tuple[str, str]], spec: dict[str, Any]
) -> str:
    assert isinstance(node, ast.Name)
    ref = spec["dependencies"][node.id]
    assert imported[node.id] == tuple(ref.split(":"))
    return node.id


def check_imports(tree: ast.Module, spec: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Local name -> (module, attribute) for every user import; checks every import."""
    refs = {tuple(r.split(":")) for r in spec.get("dependencies", {}).values()}
    for raw in spec["routers"].values():
        refs |= {tuple(r["handler"].split(":")) for r in raw["websockets"]}
        refs |= {
            tuple(p["type"].split(":"))
            for r in raw["websockets"]
            for p in r.get("params", {}).values()
            if ":" in p.get("type", "")
        }
    imported: dict[str, tuple[str, str]] = {}
    for node in tree.body:
        if isinstance(node, ast.Import):
            assert [(a.name, a.asname) for a in node.names] == [("uuid", None)]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                assert node.level == 1 and node.module in spec["routers"]
                assert [a.name for a in node.names] == ["router"]
                for a in node.names:
                    imported[a.asname or a.name] = ("." + node.module, "router")
                continue
            assert node.level == 0 and node.module is not None
            for a in node.names:
                local = a.asname or a.name
                if (node.module, a.name) in refs and (
                    node.module not in ("typing", "fastapi")
                    or a.asname is not None
                    or a.name not in FASTAPI_NAMES | TYPING_NAMES
                ):
                    imported[local] = (node.module, a.name)
                elif node.module == "typing":
                    assert a.name in TYPING_NAMES and a.asname is None
                elif node.module == "fastapi":
                    assert a.name in FASTAPI_NAMES and a.asname is None
                else:
                    raise AssertionError(
                        f"unexpected import {a.name} from {node.module}"
                    )
    return imported


def check_param(
    arg: ast.arg,
    default: ast.expr | None,
    raw: dict[str, Any],
    imported: dict[str, tuple[str, str]],
    spec: dict[str, Any],
) -> None:
    ann = arg.annotation
    assert isinstance(ann, ast.Subscript) and ast.unparse(ann.value) == "Annotated"
    assert isinstance(ann.slice, ast.Tuple) and len(ann.slice.elts) == 2
    marker = ann.slice.elts[1]
    assert isinstance(marker, ast.Call) and isinstance(marker.func, ast.Name)
    assert marker.func.id in MARKERS
    opts = keywords(marker)
    check_value_type(ann.slice.elts[0], raw, imported)
    if "depends" in raw:
        assert marker.func.id == "Depends" and not opts
        assert len(marker.args) == 1
        assert check_dependency(marker.args[0], imported, spec) == raw["depends"]
        assert default is None
        return
    assert marker.func.id == raw["in"].capitalize() and not marker.args
    for key in ("alias", "description", "pattern"):
        if key in raw:
            assert const(opts.pop(key)) == raw[key]
    if "default_factory" in opts:
        factory = opts.pop("default_factory")
        if isinstance(factory, ast.Lambda):
            assert isinstance(factory.body, ast.List)
            assert [const(e) for e in factory.body.elts] == raw["default"]
        else:
            assert isinstance(factory, ast.Name) and factory.id == "list"
            assert raw["default"] == []
        assert default is None
    elif "default" in raw:
        assert default is not None and const(default) == raw["default"]
    elif raw.get("required", True):
        assert default is None
    assert not opts, f"unexpected options {list(opts)}"


def check_value_type(
    node: ast.expr, raw: dict[str, Any], imported: dict[str, tuple[str, str]]
) -> None:
    """The type inside Annotated[...]: the imported class of a typed dependency, or
    Literal[...] holding exactly the enum's values (| None and list[...] around it)."""
    if isinstance(node, ast.BinOp):
        node = node.left
    if ":" in raw.get("type", ""):
        assert isinstance(node, ast.Name)
        assert imported[node.id] == tuple(raw["type"].split(":"))
        return
    if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "list":
        node = node.slice
    if "enum" not in raw:
        assert "Literal" not in ast.unparse(node)
        return
    assert isinstance(node, ast.Subscript) and ast.unparse(node.value) == "Literal"
    values = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    assert [const(v) for v in values] == raw["enum"]


def check_endpoint(
    fn: ast.AsyncFunctionDef,
    raw: dict[str, Any],
    router: dict[str, Any],
    imported: dict[str, tuple[str, str]],
    spec: dict[str, Any],
) -> None:
    starlette = raw.get("kind") == "starlette"
    (decorator,) = fn.decorator_list
    assert isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)
    assert (
        isinstance(decorator.func.value, ast.Name)
        and decorator.func.value.id == "router"
    )
    assert decorator.func.attr == ("websocket_route" if starlette else "websocket")
    (path,) = decorator.args
    expected_path = router.get("prefix", "") + raw["path"] if starlette else raw["path"]
    assert const(path) == expected_path
    opts = keywords(decorator)
    assert const(opts.pop("name")) == route_name(raw)
    if "dependencies" in opts:
        check_depends_list(
            opts.pop("dependencies"), raw["dependencies"], imported, spec
        )
    else:
        assert not raw.get("dependencies")
    assert not opts
    # Signature: websocket first, then the params in any order, each annotated.
    args = fn.args
    assert not (args.posonlyargs or args.kwonlyargs or args.vararg or args.kwarg)
    assert (
        args.args[0].arg == "websocket"
        and ast.unparse(args.args[0].annotation) == "WebSocket"
    )
    assert ast.unparse(fn.returns) == "None"
    declared = raw.get("params", {})
    names = [a.arg for a in args.args[1:]]
    assert sorted(names) == sorted(declared)
    defaults = [None] * (len(args.args) - len(args.defaults)) + list(args.defaults)
    for arg, default in zip(args.args[1:], defaults[1:]):
        check_param(arg, default, declared[arg.arg], imported, spec)
    # Body: an optional docstring, then one await of the handler.
    body = list(fn.body)
    if "description" in raw and raw["description"].strip():
        doc = body.pop(0)
        assert isinstance(doc, ast.Expr)
        assert const(doc.value) == documented_docstring(raw["description"])
    (call_stmt,) = body
    assert isinstance(call_stmt, ast.Expr) and isinstance(call_stmt.value, ast.Await)
    call = call_stmt.value.value
    assert isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
    assert imported[call.func.id] == tuple(raw["handler"].split(":"))
    assert [ast.unparse(a) for a in call.args] == ["websocket"]
    assert [(k.arg, ast.unparse(k.value)) for k in call.keywords] == [
        (n, n) for n in names
    ]


def check_include(
    stmt: ast.stmt,
    target: str,
    raw: dict[str, Any],
    imported: dict[str, tuple[str, str]],
    spec: dict[str, Any],
) -> None:
    assert isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
    call = stmt.value
    assert ast.unparse(call.func) == f"{target}.include_router"
    (child,) = call.args
    assert isinstance(child, ast.Name) and imported[child.id] == (
        "." + raw["router"],
        "router",
    )
    opts = keywords(call)
    if raw.get("prefix"):
        assert const(opts.pop("prefix")) == raw["prefix"]
    if raw.get("dependencies"):
        check_depends_list(
            opts.pop("dependencies"), raw["dependencies"], imported, spec
        )
    assert not opts


def check_module(name: str, text: str, spec: dict[str, Any]) -> None:
    compile(text, name, "exec", dont_inherit=True)  # also what ast.parse leaves out
    assert black.format_str(text, mode=MODE) == text
    tree = ast.parse(text)
    for node in ast.walk(tree):
        assert type(node) in NODE_TYPES, f"{name}: unexpected {type(node).__name__}"
        if isinstance(node, ast.BinOp):
            assert isinstance(node.op, ast.BitOr) and ast.unparse(node.right) == "None"
    if name == "__init__.py":
        (doc,) = tree.body
        assert isinstance(doc, ast.Expr) and isinstance(const(doc.value), str)
        return
    imported = check_imports(tree, spec)
    body = [n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom))]
    assert all(
        isinstance(n, (ast.Import, ast.ImportFrom))
        for n in tree.body[: len(tree.body) - len(body)]
    )
    head = body.pop(0)
    assert isinstance(head, ast.Assign) and len(head.targets) == 1
    target = ast.unparse(head.targets[0])
    assert isinstance(head.value, ast.Call)
    opts = keywords(head.value)
    assert not head.value.args
    if name == "app.py":
        app = spec["app"]
        assert target == "app" and ast.unparse(head.value.func) == "FastAPI"
        for key in ("title", "description", "version"):
            if key in app:
                assert const(opts.pop(key)) == app[key]
        owner = app
    else:
        router = spec["routers"][name[:-3]]
        assert target == "router" and ast.unparse(head.value.func) == "APIRouter"
        if router.get("prefix"):
            assert const(opts.pop("prefix")) == router["prefix"]
        functions = [n for n in body if isinstance(n, ast.AsyncFunctionDef)]
        assert len(functions) == len(router["websockets"])
        for fn, raw in zip(functions, router["websockets"]):
            check_endpoint(fn, raw, router, imported, spec)
        body = body[len(functions) :]
        owner = router
    if owner.get("dependencies"):
        check_depends_list(
            opts.pop("dependencies"), owner["dependencies"], imported, spec
        )
    assert not opts
    includes = owner.get("include", [])
    assert len(body) == len(includes)
    for stmt, raw in zip(body, includes):
        check_include(stmt, target, raw, imported, spec)


def check_string_constants(files: dict[str, str], spec: dict[str, Any]) -> None:
    """Every string in the code is a spec string, a docstring, or a prefixed starlette path."""
    allowed = collect_strings(spec) | {""}
    for router in spec["routers"].values():
        for raw in router["websockets"]:
            allowed.add(router.get("prefix", "") + raw["path"])
            allowed.add(route_name(raw))
            if "description" in raw:
                allowed.add(documented_docstring(raw["description"]))
    for name, text in files.items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if name == "__init__.py":
                    continue
                assert node.value in allowed, f"{name}: stray string {node.value!r}"


@settings(max_examples=200)  # the rest: tests/conftest.py
@given(specs())
# Found by this property and fixed: a name or reference with a trailing newline passed the
# schema (Python's '$' matches before it) and broke the generated import or def.
@example(
    {
        "version": 1,
        "dependencies": {"chat\n": "handlers:chat"},
        "routers": {
            "chat": {
                "dependencies": ["chat\n"],
                "websockets": [{"path": "/", "handler": "h:c"}],
            }
        },
    }
)
@example(
    {
        "version": 1,
        "routers": {
            "chat": {"websockets": [{"path": "/", "handler": "h:c", "name": "abc\n"}]}
        },
    }
)
@example(
    {
        "version": 1,
        "routers": {"chat": {"websockets": [{"path": "/", "handler": "h:c\n"}]}},
    }
)
# Found and fixed: a line ending in a backslash made black leave the docstring as written
# (trailing spaces, indentation, quote padding), and a blank description gave an empty one.
@example(
    {
        "version": 1,
        "routers": {
            "chat": {
                "websockets": [
                    {
                        "path": "/a",
                        "handler": "h:a",
                        "description": 'one  \n  x\\\n  "y"',
                    },
                    {
                        "path": "/b",
                        "handler": "h:b",
                        "description": "x\\  \n\n" + "y" * 90,
                    },
                    {"path": "/c", "handler": "h:c", "description": " \n\u2028"},
                ]
            }
        },
    }
)
# PyYAML's emitter folds a NEL that ends a quoted scalar: such specs are written double-quoted.
@example(
    {
        "version": 1,
        "routers": {"chat": {"websockets": [{"path": "/\x85", "handler": "h:c"}]}},
    }
)
# Code in every free-text field.
@example(
    {
        "version": 1,
        "app": {
            "title": "')\nimport os\n#",
            "description": '"""\nimport os\n"""',
            "version": "{{ f }}{% raw %}",
            "include": [{"router": "chat", "prefix": "/\\')\n__import__('os')\n#"}],
        },
        "routers": {
            "chat": {
                "prefix": '/x")\nimport os\n#',
                "websockets": [
                    {
                        "path": "/\u2028\x00'''",
                        "handler": "h:c",
                        "description": '\\"""\nimport os\n"""\\',
                        "params": {
                            "q": {
                                "in": "query",
                                "default": "\\')\n",
                                "alias": '"""',
                                "description": "{%- if x %}\u2029",
                                "pattern": "^\\\\'\"$",
                            }
                        },
                    }
                ],
            }
        },
    }
)
def test_hostile_specs_are_refused_with_located_errors_or_generate_exact_safe_code(
    spec: dict[str, Any],
) -> None:
    text = yaml.safe_dump(spec, allow_unicode=True, sort_keys=False)
    if yaml.safe_load(text) != spec:
        # PyYAML's emitter folds a NEL or LS ending a quoted scalar; double quotes escape it.
        text = yaml.safe_dump(
            spec, allow_unicode=True, sort_keys=False, default_style='"'
        )
        assert yaml.safe_load(text) == spec
    lines = YAML_LINE_BREAK.split(text)
    try:
        loaded = load_text(text, SPEC_NAME)
        validate.validate(loaded)
    except SpecError as exc:
        event("refused")
        assert exc.diagnostics
        for d in exc.diagnostics:
            assert d.file == SPEC_NAME
            assert d.line >= 1 and d.column >= 1, d.format()
            assert d.message.strip(), d
            # YAML also breaks lines at NEL, LS and PS: positions count those lines too.
            assert d.line <= len(lines), d.format()
            assert d.column <= len(lines[d.line - 1]) + 1, d.format()
        return
    event("generated")
    # The YAML round trip kept every hostile string, so the inputs are the spec's values.
    assert first_difference(loaded.data, spec) is None
    files = pipeline.generate_files(build.spec_model(loaded.data, SPEC_NAME))
    expected = {"__init__.py"} | {f"{n}.py" for n in spec["routers"]}
    if "app" in spec:
        expected.add("app.py")
    assert set(files) == expected
    for name, code in files.items():
        check_module(name, code, spec)
    check_string_constants(files, spec)
