"""A spec wsgen accepts generates modules that compile and import under FastAPI; what would
not is refused with a located error, or, if it still slips through, is a bug report (exit 3)
and is never written.

Each construct below once passed ``wsgen validate`` and then broke: ``__debug__`` as a name
and ``__future__`` as a module (the module did not compile), ``pattern:`` values that only
Python's ``re`` knows and ``min_length: 5.0`` (FastAPI failed at import), integers too large
for Python to turn into text (the "bug in wsgen" report), router names too long for the
temporary file beside their module (writing failed half-way). Every test runs the CLI on
real files; the golden cases ``tests/cases/error_*`` hold the exact messages.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from _apps import REPO, import_isolated, run_wsgen

from wsgen import param_rules
from wsgen.naming import suggest_identifier
from wsgen.plain_yaml import MAX_INT_DIGITS
from wsgen.rules import MAX_ROUTER_NAME_BYTES

# Any attribute of these modules is a handler or a dependency (PEP 562), so a spec may name
# whatever it likes.
HANDLERS = (
    "from typing import Any\n\n\n"
    "async def handle(websocket: Any, **params: Any) -> None:\n"
    "    await websocket.accept()\n"
    "    await websocket.send_json(sorted(params))\n"
    "    await websocket.close()\n\n\n"
    "def __getattr__(name: str) -> Any:\n"
    "    return handle\n"
)
DEPENDENCIES = (
    "from typing import Any\n\n\n"
    "def dependency() -> None:\n"
    "    return None\n\n\n"
    "def __getattr__(name: str) -> Any:\n"
    "    return dependency\n"
)
LONG_ROUTER = "r" * MAX_ROUTER_NAME_BYTES
HUGE_HEX = "0x" + "f" * 4000

# Next to every refused construct, the nearest one that is accepted.
NEIGHBOURS = f"""\
version: 1
output: gen
dependencies:
  debug: deps:debug
  future: mine.future:annotations
routers:
  chat:
    dependencies: [debug, future]
    websockets:
      - path: /room/{{debug}}
        name: debug
        handler: mine.handlers:debug_
        params:
          __debug___: {{in: query, type: bool, alias: __debug__, required: false}}
          user: {{in: query, pattern: '^\\w+$', min_length: 5, max_length: 5}}
          code: {{in: header, pattern: '(?i)^(?P<first>[a-z])\\d{{2,}}$'}}
          big: {{in: query, type: int, le: {"9" * MAX_INT_DIGITS}, default: 7}}
          wide: {{in: query, type: int, default: {"9" * (MAX_INT_DIGITS - 1)}}}
      - path: /items
        handler: mine.handlers:items
        params:
          ids: {{in: query, type: "list[int]", max_length: 3, default: [1, 2]}}
  cafe:
    websockets:
      - path: /menu
        handler: mine.handlers:menu
  {LONG_ROUTER}:
    websockets:
      - path: /long
        handler: mine.handlers:long
"""


def project(folder: Path, spec: str) -> Path:
    """A project holding ``spec`` and the modules it refers to; the spec's path."""
    (folder / "mine").mkdir(parents=True)
    (folder / "mine" / "__init__.py").write_text("")
    (folder / "mine" / "handlers.py").write_text(HANDLERS)
    (folder / "mine" / "future.py").write_text(DEPENDENCIES)
    (folder / "deps.py").write_text(DEPENDENCIES)
    (folder / "spec.yaml").write_text(spec, encoding="utf-8")
    return folder / "spec.yaml"


def generated_modules(folder: Path) -> list[str]:
    return sorted(f"gen.{p.stem}" for p in (folder / "gen").glob("*.py"))


def test_neighbours_of_refused_constructs_generate_modules_that_import(
    tmp_path: Path,
) -> None:
    project(tmp_path, NEIGHBOURS)
    assert run_wsgen("validate", "spec.yaml", cwd=tmp_path).returncode == 0
    result = run_wsgen("generate", "spec.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    names = generated_modules(tmp_path)
    assert f"gen.{LONG_ROUTER}" in names
    # Importing a router module builds FastAPI's validators (patterns, lengths, bounds).
    modules = import_isolated(names, tmp_path)
    routers = [m.router for m in modules if hasattr(m, "router")]
    assert len(routers) == 3

    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    app = FastAPI()
    for router in routers:
        app.include_router(router)
    client = TestClient(app)
    url = "/room/x?user=alice&__debug__=true"
    with client.websocket_connect(url, headers={"code": "A12"}) as ws:
        assert ws.receive_json() == [
            "__debug___",
            "big",
            "code",
            "debug",
            "user",
            "wide",
        ]


VALID_SPEC = """\
version: 1
output: gen
routers:
  chat:
    websockets:
      - path: /room
        handler: mine.handlers:room
"""
HANDLER = "        handler: mine.handlers:room\n"


def spec_with(old: str, new: str) -> str:
    """VALID_SPEC with ``old`` (which it holds) replaced by ``new``."""
    assert old in VALID_SPEC
    return VALID_SPEC.replace(old, new, 1)


def with_route_line(line: str) -> str:
    """VALID_SPEC with one more line in its route."""
    return spec_with(HANDLER, f"{HANDLER}        {line}\n")


def with_param(param: str) -> str:
    return with_route_line(f"params: {{q: {param}}}")


# Each spec differs from VALID_SPEC in one construct; where its error is reported.
REFUSED = {
    "debug-dependency": (
        spec_with("routers:", "dependencies:\n  __debug__: deps:x\nrouters:"),
        "spec.yaml:4:3: dependencies.__debug__: ",
    ),
    "debug-route-name": (
        with_route_line("name: __debug__"),
        "spec.yaml:8:15: routers.chat.websockets[0].name: ",
    ),
    "debug-path-param": (
        spec_with("/room", "/room/{__debug__}"),
        "spec.yaml:6:15: routers.chat.websockets[0].path: ",
    ),
    "debug-query-param": (
        with_route_line("params: {__debug__: {in: query}}"),
        "spec.yaml:8:18: routers.chat.websockets[0].params.__debug__: ",
    ),
    "debug-handler": (
        spec_with("mine.handlers:room", "mine.handlers:__debug__"),
        "spec.yaml:7:18: routers.chat.websockets[0].handler: ",
    ),
    "future-handler": (
        spec_with("mine.handlers:room", "__future__:annotations"),
        "spec.yaml:7:18: routers.chat.websockets[0].handler: ",
    ),
    "future-dependency": (
        spec_with(
            "routers:", "dependencies:\n  later: __future__:annotations\nrouters:"
        ),
        "spec.yaml:4:10: dependencies.later: ",
    ),
    "look-around": (
        with_param("{in: query, pattern: '^(?!admin)\\w+$'}"),
        "params.q.pattern: 'pattern' is refused by FastAPI's validator: look-around",
    ),
    "back-reference": (
        with_param("{in: query, pattern: '^(a)\\1$'}"),
        "params.q.pattern: 'pattern' is refused by FastAPI's validator: backreferences",
    ),
    "float-length": (
        with_param("{in: query, min_length: 5.0}"),
        "params.q.min_length: 'min_length' must be an integer",
    ),
    "float-lengths-crossed": (
        with_param("{in: query, min_length: 5.0, max_length: 2.0}"),
        "params.q.min_length: min_length 5.0 is greater than max_length 2.0",
    ),
    "huge-bound": (
        with_param(f"{{in: query, type: int, ge: {HUGE_HEX}}}"),
        "params.q.ge: integer too large",
    ),
    "huge-decimal-bound": (
        with_param(f"{{in: query, type: int, ge: {'9' * 5000}}}"),
        "params.q.ge: integer too large",
    ),
    "huge-default": (
        with_param(f"{{in: query, default: {HUGE_HEX}}}"),
        "params.q.default: integer too large",
    ),
    "huge-version": (
        spec_with("version: 1", f"version: {HUGE_HEX}"),
        "spec.yaml:1:10: version: integer too large",
    ),
    # A key of more than 1024 characters must be explicit ('? KEY'), as YAML says.
    "huge-key": (
        spec_with("  chat:", f"  ? {HUGE_HEX}\n  : {{}}\n  chat:"),
        "spec.yaml:4:5: routers: integer too large",
    ),
    "huge-base-60-key": (
        spec_with("  chat:", f"  {':'.join(['59'] * 100)}: {{}}\n  chat:"),
        "spec.yaml:4:3: routers: integer too large",
    ),
    "long-router-name": (
        spec_with("chat:", f"{'r' * (MAX_ROUTER_NAME_BYTES + 1)}:"),
        "spec.yaml:4:3: routers.rrr",
    ),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_with_a_located_error_and_nothing_written(
    name: str, tmp_path: Path
) -> None:
    spec, where = REFUSED[name]
    project(tmp_path, spec)
    for args in (["validate"], ["generate"]):
        result = run_wsgen(*args, "spec.yaml", cwd=tmp_path)
        assert "bug in wsgen" not in result.stderr
        assert result.returncode == 1, result.stderr
        assert result.stdout == "" and result.stderr.startswith("spec.yaml:")
        assert where in result.stderr
    assert not (tmp_path / "gen").exists()


def test_the_valid_spec_of_those_cases_generates(tmp_path: Path) -> None:
    project(tmp_path, VALID_SPEC)
    result = run_wsgen("generate", "spec.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    import_isolated(generated_modules(tmp_path), tmp_path)


@pytest.mark.parametrize(
    "param",
    [
        "{in: query, pattern: '^(?!admin)\\w+$'}",
        "{in: query, min_length: 5.0}",
    ],
    ids=["look-around", "float-length"],
)
def test_without_the_rules_fastapi_fails_at_import(
    param: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why the rules exist: with the semantic rules switched off, wsgen writes the module
    and FastAPI (pydantic) refuses it at import. If a FastAPI release ever accepts these,
    this test says the rule may go."""
    monkeypatch.setattr("wsgen.rules.check", lambda data, source: [])
    project(tmp_path, with_param(param))
    result = run_wsgen("generate", "spec.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    from pydantic_core import SchemaError

    with pytest.raises(SchemaError):
        import_isolated(["gen.chat"], tmp_path)


@pytest.mark.parametrize(
    "case", ["debug-route-name", "debug-query-param", "future-handler"]
)
def test_what_slips_past_the_rules_is_a_bug_report_never_written(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last safety net: each generated file is compiled, not only parsed, before it is
    formatted (``ast.parse`` accepts all three)."""
    monkeypatch.setattr("wsgen.rules.check", lambda data, source: [])
    project(tmp_path, REFUSED[case][0])
    result = run_wsgen("generate", "spec.yaml", cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    assert "does not compile" in result.stderr
    assert "bug in wsgen" in result.stderr
    assert not (tmp_path / "gen").exists()


PROBE = (
    "import sys\n"
    "from wsgen.cli import main\n"
    "sys.argv = ['wsgen', 'validate', 'spec.yaml']\n"
    "try:\n"
    "    main()\n"
    "finally:\n"
    "    heavy = {'fastapi', 'starlette', 'pydantic', 'pydantic_core'}\n"
    "    print(sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
)


@pytest.mark.parametrize(
    ("param", "imported", "verdict"),
    [
        ("{in: query}", [], "spec.yaml: valid"),
        ("{in: query, pattern: '^\\w+$'}", ["pydantic_core"], "spec.yaml: valid"),
        ("{in: query, pattern: '^(?!a)$'}", ["pydantic_core"], ""),
    ],
    ids=["no-pattern", "pattern", "refused-pattern"],
)
def test_pydantic_core_is_imported_only_for_a_pattern(
    param: str, imported: list[str], verdict: str, tmp_path: Path
) -> None:
    project(tmp_path, with_param(param))
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=tmp_path,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.splitlines() == [*filter(None, [verdict]), str(imported)]
    assert ("look-around" in result.stderr) == (not verdict), result.stderr


def test_without_pydantic_core_the_pattern_check_is_re(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pydantic_core", None)  # import raises ImportError
    param_rules._pydantic_refuses.cache_clear()
    try:
        project(tmp_path, with_param("{in: query, pattern: '('}"))
        refused = run_wsgen("validate", "spec.yaml", cwd=tmp_path)
        assert refused.returncode == 1
        assert "not a valid regular expression" in refused.stderr
        (tmp_path / "spec.yaml").write_text(
            with_param("{in: query, pattern: '^(?!a)$'}")
        )
        assert run_wsgen("validate", "spec.yaml", cwd=tmp_path).returncode == 0
    finally:
        param_rules._pydantic_refuses.cache_clear()


IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SUGGESTED = re.compile(r"e\.g\. '([^']*)'")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ｃｈａｔ", "chat"),
        ("café", "cafe"),
        ("crème_brûlée", "creme_brulee"),
        ("ﬁle", "file"),
        ("x-token", "x_token"),
        ("1st", "_1st"),
        ("日本", "__"),
        ("Ⅻ", "XII"),
    ],
)
def test_the_suggested_identifier_is_accepted(
    name: str, expected: str, tmp_path: Path
) -> None:
    """The hint for a name the schema refuses names one it accepts: used instead, the
    spec is valid."""
    project(tmp_path, with_route_line(f"params: {{'{name}': {{in: query}}}}"))
    refused = run_wsgen("validate", "spec.yaml", cwd=tmp_path)
    assert refused.returncode == 1
    found = SUGGESTED.search(refused.stderr)
    assert found, refused.stderr
    assert found[1] == expected
    (tmp_path / "spec.yaml").write_text(
        with_route_line(f"params: {{'{found[1]}': {{in: query}}}}"), encoding="utf-8"
    )
    accepted = run_wsgen("validate", "spec.yaml", cwd=tmp_path)
    assert accepted.returncode == 0, accepted.stderr


@pytest.mark.parametrize(
    "text", ["ｃｈａｔ", "café", "ǅ", "ı", "ﬃ", "٣x", "𝔡𝔢𝔟𝔲𝔤", "", "-"]
)
def test_suggest_identifier_fits_the_schema(text: str) -> None:
    assert IDENTIFIER.match(suggest_identifier(text))
