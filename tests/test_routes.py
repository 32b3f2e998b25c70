"""``wsgen routes``: the table of what a spec serves, checked against the generated apps.

Every path and name the command lists is asked of the generated app itself
(``app.url_path_for``: on FastAPI 0.165 ``app.routes`` does not list included routes),
for every example and behaviour spec; the JSON output is validated against
``schemas/routes.schema.json``; an invalid spec is reported exactly as ``validate``
reports it.
"""

from __future__ import annotations

import ast
import json
import os
import re
import uuid
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from _apps import (
    BEHAVIOUR,
    EXAMPLES,
    REPO,
    generate,
    import_isolated,
    run_wsgen,
    run_wsgen_process,
)

from wsgen import route_table, text_table

SCHEMA = json.loads((REPO / "schemas" / "routes.schema.json").read_text())
CHAT = EXAMPLES / "chat_service" / "wsgen.yaml"
EXAMPLE_SPECS = sorted(EXAMPLES.glob("*/wsgen.yaml"))
BEHAVIOUR_SPECS = sorted(BEHAVIOUR.glob("*/wsgen.yaml"))


def routes_json(*specs: Path) -> dict[str, Any]:
    result = run_wsgen("routes", "--format", "json", *map(str, specs))
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    return document


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- what the app serves -------------------------------------------------------------

SAMPLES = {"int": 7, "float": 1.5, "path": "a/b", "uuid": uuid.UUID(int=5)}
_PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")


def sample_params(path: str) -> tuple[dict[str, Any], str]:
    """Values for the path's parameters (by convertor), and the path filled with them."""
    values = {
        name: SAMPLES.get(convertor, f"v-{name}")
        for name, convertor in _PARAM.findall(path)
    }
    filled = _PARAM.sub(lambda m: str(values[m[1]]), path)
    return values, filled


def declared_names(package: Path) -> set[str]:
    """The ``name=`` of every route decorator in the generated modules, read with ast."""
    names = set()
    for module in package.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("websocket", "websocket_route")
            ):
                names.update(
                    k.value.value
                    for k in node.keywords
                    if k.arg == "name" and isinstance(k.value, ast.Constant)
                )
    return names


def example_app(spec: Path) -> tuple[Any, Path]:
    output = spec.parent / _output(spec)
    package = ".".join(output.relative_to(spec.parent).parts)
    (module,) = import_isolated([f"{package}.app"], spec.parent)
    return module.app, output


def _output(spec: Path) -> str:
    match = re.search(
        r"^output: *(\S+)", spec.read_text(encoding="utf-8"), re.MULTILINE
    )
    assert match, spec
    return match[1]


@pytest.mark.parametrize(
    "spec", [*EXAMPLE_SPECS, *BEHAVIOUR_SPECS], ids=lambda p: p.parent.name
)
def test_every_listed_route_is_where_the_app_serves_it(
    spec: Path, tmp_path: Path
) -> None:
    if spec.parent.parent == EXAMPLES:
        app, package = example_app(spec)
    else:
        package = tmp_path / f"wsb_{spec.parent.name}_routes"
        generate(spec, package)
        (module,) = import_isolated([f"{package.name}.app"], tmp_path, spec.parent)
        app = module.app
    (listed,) = routes_json(spec)["specs"]
    routes = listed["routes"]
    names = [route["name"] for route in routes]
    assert routes and len(set(names)) == len(names)
    assert set(names) == declared_names(
        package
    )  # nothing the code declares is left out
    for route in routes:
        values, filled = sample_params(route["path"])
        assert app.url_path_for(route["name"], **values) == filled, route
        assert _PARAM.sub(r"{\1}", route["path"]) == route["address"]
        in_path = [p["name"] for p in route["params"] if p["in"] == "path"]
        assert sorted(in_path) == sorted(values), route


def test_the_table_names_each_parameter_as_the_client_sends_it() -> None:
    (listed,) = routes_json(BEHAVIOUR / "params" / "wsgen.yaml")["specs"]
    by_name = {route["name"]: route for route in listed["routes"]}
    headers = {p["name"]: p for p in by_name["header_params"]["params"]}
    assert {k: (p["in"], p["wire"]) for k, p in headers.items()} == {
        "user_agent": ("header", "user-agent"),
        "x_token": ("header", "X-Token"),
        "x_trace": ("header", "x-trace"),
    }
    assert (headers["x_trace"]["list"], headers["x_trace"]["required"]) == (True, False)
    query = {p["name"]: p for p in by_name["query_params"]["params"]}
    assert query["page_size"]["wire"] == "page-size"
    assert query["uid"]["type"] == "uuid"
    (me,) = by_name["me"]["params"]
    assert (me["in"], me["wire"], me["depends"]) == ("depends", None, "current_user")
    raw = by_name["raw"]
    assert (raw["kind"], raw["params"], raw["dependencies"]) == ("starlette", [], [])


def test_dependencies_by_level_in_the_order_fastapi_runs_them() -> None:
    (listed,) = routes_json(BEHAVIOUR / "order" / "wsgen.yaml")["specs"]
    deep = next(r for r in listed["routes"] if r["name"] == "inner_deep")
    levels = [
        (level["label"], [d["name"] for d in level["dependencies"]])
        for level in deep["dependencies"]
    ]
    assert levels == [
        ("app", ["app_dep"]),
        ("include by app", ["outer_include_dep"]),
        ("router outer", ["outer_router_dep"]),
        ("include by outer", ["inner_include_dep"]),
        ("router inner", ["inner_router_dep"]),
        ("route", ["route_dep"]),
    ]
    assert deep["dependencies"][0]["dependencies"][0]["ref"] == "wsb_order.deps:app_dep"


def test_message_routes_list_their_contract() -> None:
    (listed,) = routes_json(EXAMPLES / "typed_chat" / "wsgen.yaml")["specs"]
    by_name = {route["name"]: route for route in listed["routes"]}
    assert by_name["chat_room"]["messages"] == {
        "receive": ["chat_message", "ping"],
        "send": ["chat_event", "ping"],
    }
    assert by_name["clock"]["messages"] == {"receive": [], "send": ["tick"]}


# -- the text table ------------------------------------------------------------------

CHAT_WIDE = """\
PATH                  KIND       NAME        ROUTER  HANDLER                       PARAMS                                                                                          DEPENDENCIES
/chat/room/{room_id}  fastapi    chat_room   chat    chat_app.handlers:chat_room   path room_id                                                                                    router chat: verify_auth
/v1/items             fastapi    read_items  items   chat_app.handlers:read_items  depends get_cookie_or_token (as session), header X-Token (as x_token), query q (int, optional)  route: verify_auth
/v1/raw               starlette  raw         items   chat_app.handlers:raw         -                                                                                               -
"""

CHAT_STACKED = """\
PATH                  KIND       NAME        ROUTER  HANDLER                       PARAMS                                    DEPENDENCIES
/chat/room/{room_id}  fastapi    chat_room   chat    chat_app.handlers:chat_room   path room_id                              router chat: verify_auth

/v1/items             fastapi    read_items  items   chat_app.handlers:read_items  depends get_cookie_or_token (as session)  route: verify_auth
                                                                                   header X-Token (as x_token)
                                                                                   query q (int, optional)

/v1/raw               starlette  raw         items   chat_app.handlers:raw         -                                         -
"""

CHAT_RECORDS = """\
/chat/room/{room_id}
  kind          fastapi
  name          chat_room
  router        chat
  handler       chat_app.handlers:chat_room
  params        path room_id
  dependencies  router chat: verify_auth

/v1/items
  kind          fastapi
  name          read_items
  router        items
  handler       chat_app.handlers:read_items
  params        depends get_cookie_or_token (as session)
                header X-Token (as x_token)
                query q (int, optional)
  dependencies  route: verify_auth

/v1/raw
  kind          starlette
  name          raw
  router        items
  handler       chat_app.handlers:raw
  params        -
  dependencies  -
"""


def chat_listing() -> list[route_table.Listing]:
    found, outcomes = route_table.listings([CHAT])
    assert len(found) == len(outcomes) == 1
    return found


@pytest.mark.parametrize(
    ("limit", "expected"),
    [(None, CHAT_WIDE), (210, CHAT_WIDE), (150, CHAT_STACKED), (100, CHAT_RECORDS)],
)
def test_the_table_fits_the_width_it_is_given(limit: int | None, expected: str) -> None:
    text = route_table.text(chat_listing(), limit)
    assert text == expected
    if limit is not None:
        assert max(len(line) for line in text.splitlines()) <= limit


def test_the_cli_table_follows_columns() -> None:
    """run_wsgen sets COLUMNS=100: the records; the same as the real process prints."""
    result = run_wsgen("routes", str(CHAT))
    assert (result.returncode, result.stdout, result.stderr) == (0, CHAT_RECORDS, "")
    process = run_wsgen_process("routes", str(CHAT), cwd=REPO)
    assert (process.returncode, process.stdout, process.stderr) == (
        0,
        CHAT_RECORDS,
        "",
    )


def test_an_item_longer_than_the_terminal_wraps_and_keeps_every_character() -> None:
    long_path = "/" + "/".join(f"segment{n}" for n in range(12)) + "/{room_id}"
    rows = [((long_path,), ("fastapi",), ("a", "b"))]
    text = text_table.render(("PATH", "KIND", "ITEMS"), rows, ("", "", ", "), 40)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 40
    title = lines[: lines.index("  kind   fastapi")]
    assert len(title) > 1 and "".join(title) == long_path
    assert lines[-2:] == ["  items  a", "         b"]


def test_wide_characters_are_aligned_by_their_display_width() -> None:
    rows = [(("/房间",), ("x",)), (("/room",), ("y",))]
    text = text_table.render(("PATH", "KIND"), rows, ("", ""), None)
    assert text == "PATH   KIND\n/房间  x\n/room  y\n"


def test_several_specs_each_under_its_name(tmp_path: Path) -> None:
    spec = write(
        tmp_path / "alone.yaml",
        "version: 1\nrouters:\n  a:\n    prefix: /a\n    websockets:\n"
        "      - path: /x\n        handler: m:h\n",
    )
    found, _ = route_table.listings([spec, EXAMPLES / "echo" / "wsgen.yaml"])
    assert route_table.text(found, None) == (
        f"# {spec} (no app: each router on its own)\n"
        "PATH  KIND     NAME  ROUTER  HANDLER  PARAMS  DEPENDENCIES\n"
        "/a/x  fastapi  h     a       m:h      -       -\n"
        "\n"
        "# examples/echo/wsgen.yaml\n"
        "PATH  KIND     NAME                ROUTER  HANDLER"
        "                               PARAMS  DEPENDENCIES\n"
        "/ws   fastapi  websocket_endpoint  echo    echo_app.handlers:websocket_endpoint"
        "  -       -\n"
    )


def test_control_characters_from_a_spec_never_reach_the_terminal(
    tmp_path: Path,
) -> None:
    spec = write(
        tmp_path / "s.yaml",
        "version: 1\napp:\n  include: [{router: a}]\nrouters:\n  a:\n    websockets:\n"
        '      - path: "/x\\e[31m\\u202e"\n        handler: m:h\n',
    )
    result = run_wsgen("routes", str(spec))
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert "/x\\x1b[31m\\u202e" in result.stdout
    document = routes_json(spec)
    assert document["specs"][0]["routes"][0]["path"] == "/x\x1b[31m\u202e"


def test_nothing_served(tmp_path: Path) -> None:
    spec = write(
        tmp_path / "s.yaml",
        "version: 1\napp:\n  include: []\nrouters:\n  a:\n    websockets:\n"
        "      - path: /x\n        handler: m:h\n",
    )
    result = run_wsgen("routes", str(spec))
    assert (result.returncode, result.stdout) == (0, "no routes are served\n")
    assert routes_json(spec)["specs"][0]["routes"] == []


# -- problems are reported as validate reports them ----------------------------------

WARNED = REPO / "tests" / "cases" / "warning_trailing_slash_and_unserved_router"


def test_warnings_go_to_stderr_or_into_the_document() -> None:
    spec = WARNED / "spec.yaml"
    validated = run_wsgen("validate", str(spec))
    listed = run_wsgen("routes", str(spec))
    assert listed.returncode == 0
    assert listed.stderr.splitlines() == validated.stderr.splitlines()
    assert listed.stdout.startswith("PATH ")
    document = routes_json(spec)
    rules = {d["rule"] for d in document["diagnostics"]}
    assert {d["severity"] for d in document["diagnostics"]} == {"warning"}
    assert len(rules) >= 2


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_an_invalid_spec_is_reported_as_validate_reports_it(
    tmp_path: Path, fmt: str
) -> None:
    bad = write(
        tmp_path / "bad.yaml",
        "version: 1\nrouters:\n  chat:\n    prefix: /chat/\n    websockets:\n"
        "      - path: /ws\n        handler: m:h\n",
    )
    args = ("--format", fmt, str(EXAMPLES / "echo" / "wsgen.yaml"), str(bad))
    validated = run_wsgen("validate", *args)
    listed = run_wsgen("routes", *args)
    assert listed.returncode == validated.returncode == 1
    assert (listed.stdout, listed.stderr) == (validated.stdout, validated.stderr)
    assert "must not end with '/'" in listed.stdout + listed.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "github"), "--format must be one of: text, json"),
        (("--format", "yaml"), "--format must be one of: text, json"),
    ],
)
def test_bad_usage_exits_2(args: tuple[str, ...], message: str) -> None:
    result = run_wsgen("routes", *args, str(CHAT))
    assert result.returncode == 2
    assert f"error: {message}" in result.stderr
    assert "Traceback" not in result.stderr


def test_no_spec_given_exits_2_in_the_chosen_format(tmp_path: Path) -> None:
    result = run_wsgen("routes", "--format", "json", cwd=tmp_path)
    assert result.returncode == 2
    (entry,) = json.loads(result.stdout)
    assert entry["rule"] == "usage" and "no spec given" in entry["message"]


def test_specs_come_from_tool_wsgen(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.wsgen]\nspec = "api/wsgen.yaml"\n')
    write(
        tmp_path / "api" / "wsgen.yaml", (EXAMPLES / "rooms" / "wsgen.yaml").read_text()
    )
    result = run_wsgen("routes", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "/api/chat/room/{room_id}" in result.stdout


def test_a_closed_pipe_ends_the_listing_quietly() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        f"{sys.executable} -m wsgen routes {BEHAVIOUR / 'params' / 'wsgen.yaml'} | head -1",
        shell=True,
        check=False,
        capture_output=True,
        text=True,
        cwd=REPO,
        # No COLUMNS: piped, the table has no width limit, one route per line.
        env={**_without("COLUMNS"), "PYTHONPATH": str(REPO)},
        timeout=60,
    )
    assert done.stdout.startswith("PATH ")
    assert done.stderr == ""


def test_a_dependency_parameter_shows_its_type_and_keyword(tmp_path: Path) -> None:
    spec = write(
        tmp_path / "s.yaml",
        "version: 1\ndependencies:\n  current_user: app.deps:current_user\n"
        "  count: app.deps:count\napp:\n  include: [{router: a}]\nrouters:\n  a:\n"
        "    websockets:\n      - path: /x\n        handler: app.h:h\n        params:\n"
        '          user: {depends: current_user, type: "app.models:User"}\n'
        "          n: {depends: count, type: int}\n          count: {depends: count}\n",
    )
    (listing,) = route_table.listings([spec])[0]
    row = route_table.text([listing], None).splitlines()[1]
    assert (
        "depends current_user (as user, app.models:User), depends count (as n, int), "
        "depends count  -"
    ) in row
    params = routes_json(spec)["specs"][0]["routes"][0]["params"]
    assert [p["type"] for p in params] == ["app.models:User", "int", "any"]


def test_the_readme_shows_what_the_command_prints() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    command = "$ wsgen routes examples/chat_service/wsgen.yaml\n"
    shown = readme[readme.index(command) + len(command) :].split("```")[0]
    assert shown == CHAT_STACKED
    assert route_table.text(chat_listing(), 150) == shown


def _without(name: str) -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key != name}
