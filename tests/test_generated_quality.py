"""The generated code is code a team would commit: black-formatted, clean under ruff
(default rules and import sorting) and mypy --strict, and the same bytes on every run.

Trees come from every example, every golden case with an expected tree, and the
FastAPI-versions fixture; all are generated afresh into a temporary folder. A golden case has
no handler modules, so typed stand-ins are written next to it: each handler takes exactly the
keyword arguments its routes declare, so mypy checks the generated calls.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from _apps import write_files

from wsgen.model import ImportRef, Param, Spec
from wsgen.pipeline import generate_files, load_model

REPO = Path(__file__).resolve().parents[1]
CASES = REPO / "tests" / "cases"


@dataclass(frozen=True)
class Source:
    id: str
    spec: Path  # in the repository
    project: bool  # the spec's folder holds the handler modules


def _sources() -> list[Source]:
    found = [
        Source(f"example-{spec.parent.name}", spec, True)
        for spec in sorted((REPO / "examples").glob("*/wsgen.yaml"))
    ]
    found += [
        Source(f"case-{spec.parent.name}", spec, False)
        for spec in sorted(CASES.glob("*/spec.yaml"))
        if (spec.parent / "expected").is_dir()
    ]
    found.append(
        Source("fixture-versions", REPO / "tests/fixtures/versions/wsgen.yaml", True)
    )
    return found


SOURCES = _sources()
IDS = [s.id for s in SOURCES]


@dataclass(frozen=True)
class Tree:
    root: Path  # the folder tools run in, as the spec's folder would be
    package: str  # the generated package, relative to root
    files: dict[str, str]


# --- typed stand-ins for the handler and dependency modules of golden cases ---

_TYPES = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "uuid": "uuid.UUID",
}


def _annotation(param: Param) -> str:
    """The type a handler receives, derived here independently of wsgen's renderer."""
    if param.item_type == "any":
        return "list[Any]" if param.is_list else "Any"
    if param.result_type is not None:
        return f"{param.result_type.module}.{param.result_type.attribute}"
    if param.choices:
        text = f"Literal[{', '.join(repr(c) for c in param.choices)}]"
    else:
        text = _TYPES[param.item_type]
    if param.is_list:
        text = f"list[{text}]"
    if not param.required and param.default is None:
        text += " | None"
    return text


def _stub_modules(spec: Spec, package: str) -> dict[str, dict[str, str]]:
    """module -> attribute -> function source. A route with messages passes its typed
    connection (``package.messages.<Route>Connection``) where others pass the WebSocket.
    """
    from wsgen.render_messages import connection_names

    connections = connection_names(spec)
    signatures: dict[tuple[str, str], set[tuple[tuple[str, str], ...]]] = {}
    for router in spec.routers:
        for route in router.routes:
            key = (route.handler.module, route.handler.attribute)
            first = connections.get((router.name, route.name))
            conn = f"{package}.messages.{first}" if first else "WebSocket"
            args = (("", conn), *((p.name, _annotation(p)) for p in route.params))
            signatures.setdefault(key, set()).add(args)
    modules: dict[str, dict[str, str]] = {}
    for dep in spec.dependencies:
        modules.setdefault(dep.ref.module, {})[
            dep.ref.attribute
        ] = f"async def {dep.ref.attribute}() -> Any:\n    return None\n"
    for ref in _result_types(spec):
        modules.setdefault(ref.module, {})[
            ref.attribute
        ] = f"class {ref.attribute}:\n    pass\n"
    for (module, attribute), variants in signatures.items():
        if len(variants) == 1:
            (_, first), *args = next(iter(variants))
            params = "".join(f", {name}: {ann}" for name, ann in args)
            params = f", *{params}" if args else ""
        else:  # one handler behind routes with different parameters
            first, params = "Any", ", **params: Any"
        modules.setdefault(module, {})[
            attribute
        ] = f"async def {attribute}(websocket: {first}{params}) -> None:\n    return None\n"
    return modules


def _result_types(spec: Spec) -> set[ImportRef]:
    return {
        p.result_type
        for router in spec.routers
        for route in router.routes
        for p in route.params
        if p.result_type is not None
    }


def _write_stubs(root: Path, spec: Spec, package: str) -> None:
    classes = sorted({ref.module for ref in _result_types(spec)})
    if spec.has_messages:
        classes.append(f"{package.replace('/', '.')}.messages")
    header = (
        "import uuid\n"
        + "".join(f"import {module}\n" for module in classes)
        + "from typing import Any, Literal\n\nfrom fastapi import WebSocket\n\n"
    )
    dotted = package.replace("/", ".")
    for module, functions in sorted(_stub_modules(spec, dotted).items()):
        target = root.joinpath(*module.split("."), "__init__.py")
        _ensure_packages(root, target.parent)
        body = "\n\n".join(functions[name] for name in sorted(functions))
        target.write_text(header + "\n" + body, encoding="utf-8")


def _ensure_packages(root: Path, folder: Path) -> None:
    """Every folder from root down to ``folder`` is a regular package."""
    folder.mkdir(parents=True, exist_ok=True)
    while folder != root:
        (folder / "__init__.py").touch()
        folder = folder.parent


# --- the trees ---


@pytest.fixture(scope="session")
def trees(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Tree]:
    base = tmp_path_factory.mktemp("quality")
    built: dict[str, Tree] = {}
    for source in SOURCES:
        root = base / source.id
        if source.project:
            shutil.copytree(
                source.spec.parent, root, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            root.mkdir()
            shutil.copy(source.spec, root / source.spec.name)
        spec, _ = load_model(root / source.spec.name)
        package = spec.output or "generated"
        if source.project:
            shutil.rmtree(root / package, ignore_errors=True)  # only the tmp copy
        else:
            _write_stubs(root, spec, package)
            _ensure_packages(root, (root / package).parent)
        files = generate_files(spec)
        write_files(root / package, files)
        (root / package / "__init__.py").touch()
        built[source.id] = Tree(root, package, files)
    return built


def _tool(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MYPYPATH")}
    return subprocess.run(
        [sys.executable, "-m", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_sources_found() -> None:
    assert any(s.id.startswith("example-") for s in SOURCES), "no examples found"


@pytest.mark.parametrize("source_id", IDS)
def test_black_check(trees: dict[str, Tree], source_id: str) -> None:
    tree = trees[source_id]
    result = _tool("black", "--check", "--diff", "--quiet", tree.package, cwd=tree.root)
    assert result.returncode == 0, result.stdout + result.stderr


def _ruff(tree: Tree, *options: str) -> subprocess.CompletedProcess[str]:
    """``ruff check`` on the tree with ruff's own defaults, not this repository's config."""
    return _tool(
        "ruff",
        "check",
        "--isolated",
        "--no-cache",
        *options,
        tree.package,
        cwd=tree.root,
    )


@pytest.mark.parametrize("source_id", IDS)
def test_ruff_default_rules(trees: dict[str, Tree], source_id: str) -> None:
    result = _ruff(trees[source_id], "--output-format", "concise")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("source_id", IDS)
def test_ruff_import_sorting(trees: dict[str, Tree], source_id: str) -> None:
    """isort's order as ruff applies it: stdlib, third party, the user's modules, relative."""
    result = _ruff(trees[source_id], "--select", "I", "--diff")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="session")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy-cache")


@pytest.mark.parametrize("source_id", IDS)
def test_mypy_strict(trees: dict[str, Tree], mypy_cache: Path, source_id: str) -> None:
    tree = trees[source_id]
    result = _tool(
        "mypy",
        "--strict",
        "--config-file",
        "",
        "--cache-dir",
        mypy_cache,
        "--no-error-summary",
        tree.package,
        cwd=tree.root,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_catches_a_wrong_handler_call(tmp_path: Path, mypy_cache: Path) -> None:
    """The stand-in handlers are strict enough to fail a generated call that is wrong."""
    (tmp_path / "spec.yaml").write_text(
        "version: 1\n"
        "routers:\n"
        "  r:\n"
        "    websockets:\n"
        "      - path: /x/{n:int}\n"
        "        handler: h:x\n"
        "        params:\n"
        "          q: {in: query, type: int, required: false}\n",
        encoding="utf-8",
    )
    spec, _ = load_model(tmp_path / "spec.yaml")
    _write_stubs(tmp_path, spec, "generated")
    stub = tmp_path / "h" / "__init__.py"
    assert "n: int, q: int | None" in stub.read_text()
    stub.write_text(stub.read_text().replace("q: int | None", "q: str"))
    _ensure_packages(tmp_path, tmp_path / "generated")
    write_files(tmp_path / "generated", generate_files(spec))
    result = _tool(
        "mypy",
        "--strict",
        "--config-file",
        "",
        "--cache-dir",
        mypy_cache,
        "generated",
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert 'Argument "q" to "x" has incompatible type' in result.stdout


# --- determinism ---


@pytest.mark.parametrize("source_id", IDS)
def test_generating_twice_gives_the_same_bytes(
    trees: dict[str, Tree], source_id: str
) -> None:
    tree = trees[source_id]
    spec_name = next(s.spec.name for s in SOURCES if s.id == source_id)
    again = generate_files(load_model(tree.root / spec_name)[0])
    assert again == tree.files
    written = {
        p.relative_to(tree.root / tree.package).as_posix(): p.read_bytes()
        for p in (tree.root / tree.package).glob("*.py")
    }
    assert written == {name: text.encode("utf-8") for name, text in tree.files.items()}


@pytest.mark.parametrize("source_id", IDS)
def test_no_absolute_paths_or_machine_details(
    trees: dict[str, Tree], source_id: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    tree = trees[source_id]
    forbidden = {
        str(tree.root),
        tree.root.name,
        str(tmp_path_factory.getbasetemp()),
        str(REPO),
        str(Path.home()),
        "pytest-of-",
    }
    for name, text in tree.files.items():
        for needle in forbidden:
            assert needle not in text, f"{name} contains {needle!r}"
        assert text.endswith("\n") and "\r" not in text, name


def _generate_in_subprocess(seed: str) -> dict[str, dict[str, str]]:
    """Generate every source from its place in the repository, in a fresh interpreter."""
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from wsgen.pipeline import generate_files, load_model\n"
        "out = {}\n"
        "for item in json.loads(sys.argv[1]):\n"
        "    out[item[0]] = generate_files(load_model(Path(item[1]))[0])\n"
        "print(json.dumps(out))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": seed}
    payload = json.dumps([[s.id, str(s.spec)] for s in SOURCES])
    result = subprocess.run(
        [sys.executable, "-c", script, payload],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    loaded: dict[str, dict[str, str]] = json.loads(result.stdout)
    return loaded


def test_same_bytes_across_processes_hash_seeds_and_folders(
    trees: dict[str, Tree],
) -> None:
    """Set and dict ordering must not leak into the output, nor the spec's absolute location.

    Only the header may differ between the repository and the tmp copies: it names the spec by its path from the project root
    (pyproject.toml), or by its file name outside one.
    """
    first = _generate_in_subprocess("1")
    second = _generate_in_subprocess("2")
    assert first == second

    def bodies(files: dict[str, str]) -> dict[str, str]:
        # Past the header's two lines.
        return {name: text.split("\n", 2)[2] for name, text in files.items()}

    assert {k: bodies(v) for k, v in first.items()} == {
        source_id: bodies(tree.files) for source_id, tree in trees.items()
    }
    for files in first.values():
        for text in files.values():
            assert str(REPO) not in text and "/tmp" not in text


# --- wsgen itself ---


def _repo_tool(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *map(str, args)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


def test_wsgen_passes_mypy_strict(mypy_cache: Path) -> None:
    # [tool.mypy] in pyproject: strict, files = wsgen
    result = _repo_tool("mypy", "--cache-dir", mypy_cache)
    assert result.returncode == 0, result.stdout + result.stderr


def test_wsgen_passes_ruff() -> None:
    result = _repo_tool(
        "ruff", "check", "--no-cache", "--output-format", "concise", "wsgen"
    )
    assert result.returncode == 0, result.stdout + result.stderr
