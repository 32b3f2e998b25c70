"""Route order, trailing slashes, routers nothing serves, one error per mistake, float
bounds of int parameters, and where YAML indentation mistakes are reported.

Starlette matches WebSocket routes in registration order, each path as the regex its
convertors make, and the first full match wins: a route that an earlier one matches
first loses those URLs, silently. wsgen warns when a later route is never reached (an
earlier one matches all its URLs) or loses URLs while neither path is more specific, and
names a URL it loses; the more specific route first (``/trades/{id:int}`` before
``/{venue}/{symbol}``) is the order that works and is not warned about. The claims are
proved on generated apps with TestClient, and the path comparison is checked against
Starlette's own compiled regexes on every short URL.

Every test runs the CLI on real files; the golden cases ``tests/cases/warning_*`` and
``error_*`` added with these rules hold the exact messages of larger specs.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml
from _apps import import_isolated, run_wsgen
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.routing import compile_path
from starlette.websockets import WebSocketDisconnect

from wsgen import loader, param_rules, paths, resources

# Any attribute of mine.handlers is a handler that answers with its own name and params.
HANDLERS = (
    "from typing import Any\n\n\n"
    "def _handler(name: str) -> Any:\n"
    "    async def handle(websocket: Any, **params: Any) -> None:\n"
    "        await websocket.accept()\n"
    "        shown = {key: str(value) for key, value in params.items()}\n"
    "        await websocket.send_json({'handler': name, 'params': shown})\n"
    "        await websocket.close()\n\n"
    "    return handle\n\n\n"
    "def __getattr__(name: str) -> Any:\n"
    "    if name.startswith('__'):\n"
    "        raise AttributeError(name)\n"
    "    return _handler(name)\n"
)
WARNING = re.compile(r"^spec\.yaml:(\d+):(\d+): (\S+): warning: (.*)$", re.MULTILINE)
ERROR = re.compile(r"^spec\.yaml:(\d+):(\d+): (\S+): (?!warning: )(.*)$", re.MULTILINE)


def project(folder: Path, spec: str) -> Path:
    (folder / "mine").mkdir(parents=True, exist_ok=True)
    (folder / "mine" / "__init__.py").write_text("")
    (folder / "mine" / "handlers.py").write_text(HANDLERS)
    (folder / "spec.yaml").write_text(spec, encoding="utf-8")
    return folder


def validate(folder: Path, spec: str) -> tuple[int, str]:
    project(folder, spec)
    result = run_wsgen("validate", "spec.yaml", cwd=folder)
    assert "Traceback" not in result.stderr
    return result.returncode, result.stderr


def warnings(stderr: str) -> list[tuple[str, str]]:
    return [(m.group(3), m.group(4)) for m in WARNING.finditer(stderr)]


def errors(stderr: str) -> list[tuple[str, str]]:
    return [(m.group(3), m.group(4)) for m in ERROR.finditer(stderr)]


@contextmanager
def served_app(folder: Path, spec: str) -> Iterator[TestClient]:
    project(folder, spec)
    result = run_wsgen("generate", "spec.yaml", cwd=folder)
    assert result.returncode == 0, result.stderr
    (module,) = import_isolated(["gen.app"], folder)
    with TestClient(module.app) as client:
        yield client


def who(client: TestClient, url: str) -> Any:
    """The handler that answers ``url``, or the close code when no route does."""
    try:
        with client.websocket_connect(url) as ws:
            return ws.receive_json()["handler"]
    except WebSocketDisconnect as closed:
        return closed.code


def one_router(*routes: str, prefix: str = "") -> str:
    """A spec whose app includes one router with ``routes`` (path, or path=handler)."""
    lines = [
        "version: 1",
        "output: gen",
        "app:",
        "  include:",
        "    - router: feed",
        "routers:",
        "  feed:",
        f"    prefix: '{prefix}'",
        "    websockets:",
    ]
    for i, route in enumerate(routes):
        path, _, handler = route.partition("=")
        lines += [
            f"      - path: '{path}'",
            f"        handler: mine.handlers:{handler or f'r{i}'}",
        ]
    return "\n".join(lines) + "\n"


# --- A route hidden by an earlier one, proved on the generated app ---------------------


def test_a_hidden_route_is_warned_and_the_earlier_handler_serves_its_urls(
    tmp_path: Path,
) -> None:
    spec = one_router("/{venue}/{symbol}=quotes", "/trades/{trade_id:int}=trade")
    code, stderr = validate(tmp_path, spec)
    assert code == 0
    assert stderr == (
        "spec.yaml:12:15: routers.feed.websockets[1].path: warning: "
        "'/trades/{trade_id:int}' can never be reached: routers.feed.websockets[0] "
        "(line 10, '/{venue}/{symbol}') is registered first and matches every URL this "
        "route serves, such as '/trades/7'; declare the more specific route first: "
        "move it before websockets[0] of router 'feed'\n"
    )
    with served_app(tmp_path, spec) as client:
        # url_path_for still names the hidden route's path, which the other one serves.
        assert client.app.url_path_for("trade", trade_id=7) == "/trades/7"  # type: ignore[attr-defined]
        assert who(client, "/trades/7") == "quotes"
        assert who(client, "/trades/123456") == "quotes"


def test_the_more_specific_route_first_is_not_warned_and_serves_its_urls(
    tmp_path: Path,
) -> None:
    spec = one_router("/trades/{trade_id:int}=trade", "/{venue}/{symbol}=quotes")
    assert validate(tmp_path, spec) == (0, "")
    with served_app(tmp_path, spec) as client:
        assert who(client, "/trades/7") == "trade"
        assert who(client, "/trades/x") == "quotes"
        assert who(client, "/nyse/ibm") == "quotes"


def test_a_route_that_loses_some_urls_is_warned_and_loses_exactly_those(
    tmp_path: Path,
) -> None:
    spec = one_router("/{venue}/{symbol}=quotes", "/lobby/{rest:path}=lobby")
    code, stderr = validate(tmp_path, spec)
    assert code == 0
    [(where, message)] = warnings(stderr)
    assert where == "routers.feed.websockets[1].path"
    assert message.startswith(
        "'/lobby/{rest:path}' loses URLs such as '/lobby/7' to "
        "routers.feed.websockets[0] (line 10, '/{venue}/{symbol}')"
    )
    assert "neither path is more specific than the other" in message
    with served_app(tmp_path, spec) as client:
        assert who(client, "/lobby/7") == "quotes"  # the URL the warning names
        assert who(client, "/lobby/7/8") == "lobby"  # not hidden: it keeps these


# Earlier path, later path, and what the later route gets: "hidden" (never reached),
# "loses" (some URLs, neither path more specific) or None (no warning), with the URL named.
ORDER_CASES = [
    ("/{room}", "/lobby", "hidden", "/lobby"),
    ("/{name}", "/{id:int}", "hidden", "/7"),
    ("/{f:float}", "/{i:int}", "hidden", "/7"),
    ("/{p:path}", "/a/b/{c}", "hidden", "/a/b/7"),
    ("/files/{p:path}", "/files/{n:int}/meta", "hidden", "/files/7/meta"),
    ("/{p:path}", "/", "hidden", "/"),
    ("/item-{name}", "/item-{id:int}.json", "hidden", "/item-7.json"),
    ("/{u:uuid}", "/0123abcd-0000-4000-8000-00000000000a", "hidden", None),
    ("/{a:int}/{b}", "/{c}/{d:int}", "loses", "/7/7"),
    ("/{venue}/{symbol}", "/trades/{rest:path}", "loses", "/trades/7"),
    ("/{room}/messages", "/lobby/{action}", "loses", "/lobby/messages"),
    ("/lobby", "/{room}", None, None),
    ("/{id:int}", "/{name}", None, None),
    ("/{i:int}", "/{f:float}", None, None),
    ("/files/{n:int}/meta", "/files/{p:path}", None, None),
    ("/a/{b}", "/{c}", None, None),
    ("/{a}/{b}", "/{c}/{d}/e", None, None),
    ("/{n:int}", "/{u:uuid}", None, None),
    ("/files/{p:path}", "/other/{q}", None, None),
    ("/room", "/room/x", None, None),
    ("/{f:float}", "/1.", None, None),
    ("/x/{p:path}", "/{a}-{b}", None, None),
    # Starlette 0.27 matches uuids in lower case only: not every version routes it there.
    ("/{u:uuid}", "/0123ABCD-0000-4000-8000-00000000000A", None, None),
]


@pytest.mark.parametrize(("earlier", "later", "verdict", "example"), ORDER_CASES)
def test_route_order_verdicts(
    earlier: str, later: str, verdict: str | None, example: str | None, tmp_path: Path
) -> None:
    code, stderr = validate(tmp_path, one_router(earlier, later))
    assert code == 0, stderr
    found = [m for w, m in warnings(stderr) if w == "routers.feed.websockets[1].path"]
    if verdict is None:
        assert found == []
        return
    [message] = found
    assert ("can never be reached" in message) == (verdict == "hidden")
    shown = re.search(r"such as '([^']*)'", message)
    assert shown is not None
    assert example is None or shown.group(1) == example
    # Sound: the URL named is one Starlette really matches with both paths.
    for path in (earlier, later):
        assert compile_path(path)[0].match(shown.group(1)), (path, shown.group(1))


def test_the_hint_names_the_include_order_that_fixes_it(tmp_path: Path) -> None:
    spec = (
        "version: 1\noutput: gen\napp:\n  include:\n    - router: feed\n"
        "    - router: trades\n      prefix: /trades\nrouters:\n  feed:\n"
        "    websockets:\n      - path: /{venue}/{symbol}\n        handler: mine.h:q\n"
        "  trades:\n    websockets:\n      - path: /{trade_id:int}\n"
        "        handler: mine.h:t\n"
    )
    [(where, message)] = warnings(validate(tmp_path, spec)[1])
    assert where == "routers.trades.websockets[0].path"
    assert message.endswith(
        "in app.include, put include[1] (router 'trades') before include[0] "
        "(router 'feed')"
    )


def test_a_router_s_own_routes_come_before_those_it_includes(tmp_path: Path) -> None:
    spec = (
        "version: 1\nrouters:\n  outer:\n    include:\n      - router: inner\n"
        "    websockets:\n      - path: /{a}/{b}\n        handler: h:outer\n"
        "  inner:\n    prefix: /x\n    websockets:\n      - path: /{n:int}\n"
        "        handler: h:inner\n"
    )
    [(where, message)] = warnings(validate(tmp_path, spec)[1])
    assert where == "routers.inner.websockets[0].path"
    assert message.endswith(
        "router 'outer' registers its own routes before the routers it includes, so "
        "move this route into it, before websockets[0]"
    )


def test_a_route_served_in_several_places_is_warned_once(tmp_path: Path) -> None:
    spec = (
        "version: 1\napp:\n  include:\n    - router: feed\n    - router: feed\n"
        "      prefix: /v2\nrouters:\n  feed:\n    websockets:\n"
        "      - path: /{a}/{b}\n        handler: h:a\n"
        "      - path: /x/{n:int}\n        handler: h:n\n"
    )
    code, stderr = validate(tmp_path, spec)
    assert code == 0
    assert [w for w, _ in warnings(stderr)] == ["routers.feed.websockets[1].path"]


def test_a_router_included_twice_under_one_prefix_is_one_error(tmp_path: Path) -> None:
    spec = (
        "version: 1\napp:\n  include:\n    - router: chat\n    - router: chat\n"
        "routers:\n  chat:\n    include:\n      - router: sub\n    websockets:\n"
        "      - path: /a\n        handler: h:a\n      - path: /b\n        handler: h:b\n"
        "  sub:\n    websockets:\n      - path: /c\n        handler: h:c\n"
    )
    code, stderr = validate(tmp_path, spec)
    assert code == 1
    assert errors(stderr) == [
        (
            "app.include[1].router",
            (
                "router 'chat' is already included by app.include[0] (line 4) under "
                "the same prefix '', so each of its routes would be registered twice; "
                "include it once, or under different prefixes"
            ),
        )
    ]


# --- The path comparison against Starlette's own regexes -------------------------------

SEGMENTS = [
    "a",
    "1",
    "1.5",
    "{s}",
    "{i:int}",
    "{f:float}",
    "{p:path}",
    "a{s}",
    "{i:int}.a",
    "",
]
LETTERS = "/a1.x"  # each kind of character the segments above tell apart
URLS = [
    "/" + "".join(t) for n in range(6) for t in itertools.product(LETTERS, repeat=n)
]


def starlette_urls(path: str) -> frozenset[str]:
    regex = compile_path(path)[0]
    return frozenset(url for url in URLS if regex.match(url))


def named(parts: list[str], tag: str) -> str:
    """``parts`` as a path whose parameters all have different names."""
    numbers = itertools.count()
    return "/" + "/".join(
        re.sub(r"\{(\w+)", lambda m: f"{{{m.group(1)}_{tag}{next(numbers)}", part)
        for part in parts
    )


@settings(max_examples=120, deadline=None)
@given(
    st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=3),
    st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=3),
)
def test_overlap_agrees_with_starlette_on_every_short_url(
    later_parts: list[str], earlier_parts: list[str]
) -> None:
    """What ``paths.overlap`` says two paths share, checked on every URL of up to five
    characters after the '/' (over one character of each kind the paths tell apart)
    with Starlette's own compiled regexes: the URL it names matches both, and a path it
    says is within the other is, on all of them; when it says none is shared, none is.
    """
    later, earlier = named(later_parts, "l"), named(earlier_parts, "e")
    mine, theirs = paths.pattern(later), paths.pattern(earlier)
    assert mine is not None and theirs is not None
    common = paths.overlap(mine, theirs)
    ours, other = starlette_urls(later), starlette_urls(earlier)
    if common is None:
        assert not ours & other
        return
    assert compile_path(later)[0].match(common.example)
    assert compile_path(earlier)[0].match(common.example)
    if common.later_within:
        assert ours <= other
    if common.earlier_within:
        assert other <= ours


# --- A trailing slash, and a router nothing serves -------------------------------------


def test_a_trailing_slash_is_warned_and_the_path_without_it_has_no_route(
    tmp_path: Path,
) -> None:
    spec = one_router("/=index", "/room/=room", prefix="/chat")
    code, stderr = validate(tmp_path, spec)
    assert code == 0
    assert warnings(stderr) == [
        (
            "routers.feed.websockets[0].path",
            (
                "'/chat/' ends with '/', and Starlette does not redirect WebSocket "
                "connections: a client connecting to '/chat' gets no route; a route "
                "path cannot be empty, so to serve '/chat' move its last segment from "
                "the prefix into the route's path ('/chat'), or have clients connect "
                "with the trailing slash"
            ),
        ),
        (
            "routers.feed.websockets[1].path",
            (
                "'/chat/room/' ends with '/', and Starlette does not redirect WebSocket "
                "connections: a client connecting to '/chat/room' gets no route; use "
                "'/room', or have clients connect with the trailing slash"
            ),
        ),
    ]
    with served_app(tmp_path, spec) as client:
        assert who(client, "/chat/room/") == "room"
        assert who(client, "/chat/room") == 1000  # no route: closed normally
        assert who(client, "/chat/") == "index"
        assert who(client, "/chat") == 1000


def test_the_root_path_is_not_a_trailing_slash(tmp_path: Path) -> None:
    assert validate(tmp_path, one_router("/=index")) == (0, "")


UNSERVED = (
    "router 'admin' is generated, but neither the app nor any router includes it, so "
    "nothing serves its routes; add '- router: admin' to app.include; if you mount it "
    "yourself (app.include_router(admin.router) in your own code), that is fine and "
    "this warning can be ignored"
)
ADMIN = "  admin:\n    websockets:\n      - path: /admin\n        handler: h:admin\n"
CHAT = "  chat:\n    websockets:\n      - path: /ws\n        handler: h:ws\n"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("app:\n  include:\n    - router: chat\n", [("routers.admin", UNSERVED)]),
        ("app:\n  title: Chat\n", []),  # an app that includes nothing: all by hand
        ("", []),  # no app: every router is mounted by hand
        # A broken include is the mistake to fix first (it may have meant 'admin').
        ("app:\n  include:\n    - router: chat\n    - router: admn\n", []),
    ],
    ids=["not-included", "app-includes-nothing", "no-app", "broken-include"],
)
def test_a_router_nothing_includes_is_warned_when_the_app_includes_others(
    head: str, expected: list[tuple[str, str]], tmp_path: Path
) -> None:
    spec = f"version: 1\n{head}routers:\n{CHAT}{ADMIN}"
    assert warnings(validate(tmp_path, spec)[1]) == expected


def test_a_router_included_only_by_another_router_is_not_warned(tmp_path: Path) -> None:
    spec = (
        "version: 1\napp:\n  include:\n    - router: chat\nrouters:\n"
        f"{CHAT}  admin:\n    include:\n      - router: tools\n"
        "  tools:\n    websockets:\n      - path: /t\n        handler: h:t\n"
    )
    assert [w for w, _ in warnings(validate(tmp_path, spec)[1])] == ["routers.admin"]


# --- One mistake, one error ------------------------------------------------------------


def param_spec(params: str, path: str = "/room/{n}") -> str:
    return (
        "version: 1\nrouters:\n  chat:\n    websockets:\n"
        f"      - path: '{path}'\n        handler: h:room\n        params:\n"
        f"          {params}\n"
    )


@pytest.mark.parametrize(
    "param",
    [
        "q: {in: query, type: integer, ge: 1}",
        "q: {in: query, type: integer, min_length: 2}",
        "q: {in: query, type: integer, pattern: x}",
        "q: {in: query, type: integer, default: 5}",
        "q: {in: query, type: integer, ge: 1, min_length: 2, pattern: x, default: 5}",
        "n: {in: path, type: integer, ge: 1, min_length: 2, pattern: x}",
        "q: {in: query, type: 'list[integer]', max_length: 3, default: 4}",
    ],
)
def test_an_unknown_type_is_one_error(param: str, tmp_path: Path) -> None:
    code, stderr = validate(tmp_path, param_spec(param))
    assert code == 1
    [(where, message)] = errors(stderr)
    assert where == f"routers.chat.websockets[0].params.{param[0]}.type"
    assert re.match(r"'(list\[)?integer\]?' is not one of: str, int,", message)


@pytest.mark.parametrize(
    ("param", "where", "start"),
    [
        ("n: {in: path, type: str, ge: 1}", "n.type", "'{n:int}' makes 'n' an int"),
        (
            "c: {in: cookie, type: 'list[str]', default: x}",
            "c.type",
            "a cookie parameter",
        ),
        ("c: {in: cookie, type: 'list[int]', ge: 1}", "c.type", "a cookie parameter"),
        ("q: {in: querry, type: 'list[int]'}", "q.in", "'querry' is not one of"),
        (
            "m: {in: query, type: int, min_length: 2.0}",
            "m.min_length",
            "'min_length' applies",
        ),
        ("class: {in: path}", "", "path parameter 'class' is a Python keyword"),
    ],
)
def test_one_mistake_in_a_parameter_is_one_error(
    param: str, where: str, start: str, tmp_path: Path
) -> None:
    path = "/room/{class}" if param.startswith("class") else "/room/{n:int}"
    code, stderr = validate(tmp_path, param_spec(param, path))
    assert code == 1
    [(found, message)] = errors(stderr)
    prefix = "routers.chat.websockets[0]"
    assert found == (f"{prefix}.params.{where}" if where else f"{prefix}.path")
    assert message.startswith(start)


def test_param_types_are_the_schema_s() -> None:
    schema = resources.schema()["$defs"]["param"]["properties"]["type"]["anyOf"][0][
        "enum"
    ]
    assert param_rules.PARAM_TYPES == set(schema)


# --- A float bound of an int parameter -------------------------------------------------


@pytest.mark.parametrize(
    ("bound", "hint"),
    [
        ("ge: 5.5", "write 'ge: 6', which admits the same integers"),
        ("gt: 5.5", "write 'gt: 5', which admits the same integers"),
        ("le: -5.5", "write 'le: -6', which admits the same integers"),
        ("lt: -5.5", "write 'lt: -5', which admits the same integers"),
        ("le: 1.0e+20", "write it as the integer 100000000000000000000"),
        (
            "ge: -9.223372036854775808e+18",
            "write it as the integer -9223372036854775808",
        ),
        ("le: 1.0e+300", "remove it: no int parameter needs a bound this large"),
    ],
)
def test_a_float_bound_an_int_cannot_take_is_refused(
    bound: str, hint: str, tmp_path: Path
) -> None:
    code, stderr = validate(
        tmp_path, param_spec(f"q: {{in: query, type: int, {bound}}}")
    )
    assert code == 1
    [(where, message)] = errors(stderr)
    key = bound.split(":")[0]
    assert where == f"routers.chat.websockets[0].params.q.{key}"
    assert "must be coercible to an integer" in message
    assert f"; {hint}" in message
    assert re.search(r"^spec\.yaml:8:\d+: ", stderr)  # on the parameter's line


def int_bounds_spec(bounds: str) -> str:
    return (
        "version: 1\noutput: gen\napp:\n  include:\n    - router: chat\nrouters:\n"
        "  chat:\n    websockets:\n      - path: /room\n        handler: mine.handlers:room\n"
        f"        params:\n          q: {{in: query, type: int, {bounds}}}\n"
    )


@pytest.mark.parametrize("bound", ["ge: 5.5", "le: 1.0e+20"])
def test_without_the_rule_fastapi_fails_at_import(
    bound: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why the rule exists: switched off, wsgen writes the module and pydantic refuses
    the bound when FastAPI builds the route. If a release ever accepts it, the rule may
    go."""
    monkeypatch.setattr(param_rules, "check_int_bound", lambda *args: None)
    project(tmp_path, int_bounds_spec(bound))
    result = run_wsgen("generate", "spec.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    from pydantic_core import SchemaError

    with pytest.raises(SchemaError, match="must be coercible to an integer"):
        import_isolated(["gen.chat"], tmp_path)


@pytest.mark.parametrize(
    ("bounds", "passes", "fails"),
    [
        ("ge: 6", 6, 5),  # what the hint for 'ge: 5.5' says
        ("le: 100000000000000000000", 6, None),  # the hint for 'le: 1.0e+20'
        ("gt: -9223372036854775808", 6, None),
        ("ge: -9.223372036854775e+18, le: 5.0", 5, 6),  # whole, within range: fine
    ],
)
def test_the_accepted_bounds_import_and_apply(
    bounds: str, passes: int, fails: int | None, tmp_path: Path
) -> None:
    assert validate(tmp_path, int_bounds_spec(bounds)) == (0, "")
    with served_app(tmp_path, int_bounds_spec(bounds)) as client:
        assert who(client, f"/room?q={passes}") == "room"
        if fails is not None:
            assert who(client, f"/room?q={fails}") == 1008


# --- YAML indentation mistakes ---------------------------------------------------------

LOADERS = [yaml.SafeLoader] + (
    [yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else []
)


class Case(NamedTuple):
    spec: str
    at: tuple[int, int, str]  # where the error is reported: line, column, spec path
    hint: str  # how the hint starts


INDENTATION = {
    "key-indented-more": Case(
        spec=(
            "version: 1\nrouters:\n  chat:\n    prefix: /chat\n      websockets: []\n"
        ),
        at=(5, 7, "routers.chat"),
        hint=("this line is indented more than the key above it, 'prefix' on line 4"),
    ),
    "key-indented-more-after-a-flow-value": Case(
        spec=(
            "version: 1\nrouters:\n  chat:\n    websockets:\n      - path: /a\n"
            "        handler: h:a\n        params:\n          q: {in: query}\n"
            "           r: {in: query}\n"
        ),
        at=(9, 12, "routers.chat.websockets[0].params"),
        hint=("this line is indented more than the key above it, 'q' on line 8"),
    ),
    "top-level-key-indented": Case(
        spec=("version: 1\n routers: {}\n"),
        at=(2, 2, "<root>"),
        hint=("this line is indented more than the key above it, 'version' on line 1"),
    ),
    "item-indented-less": Case(
        spec=(
            "version: 1\nrouters:\n  chat:\n    websockets:\n      - path: /a\n"
            "        handler: h:a\n     - path: /b\n        handler: h:b\n"
        ),
        at=(7, 6, "routers.chat.websockets"),
        hint=(
            "this '-' item is indented less than the items of its list, the '-' on line 5"
        ),
    ),
    "item-at-the-key-s-column": Case(
        spec=(
            "version: 1\nrouters:\n  chat:\n    websockets:\n      - path: /a\n"
            "        handler: h:a\n    - path: /b\n"
        ),
        at=(7, 5, "routers.chat.websockets"),
        hint=("this '-' item is indented less than the items of its list"),
    ),
    "item-indented-more": Case(
        spec=(
            "version: 1\nrouters:\n  chat:\n    websockets:\n    - path: /a\n"
            "      handler: h:a\n      - path: /b\n"
        ),
        at=(7, 7, "routers.chat.websockets"),
        hint=(
            "this '-' item is indented more than the items of its list, the '-' on line 5"
        ),
    ),
    "value-on-the-next-line-indented-less": Case(
        spec=(
            "version: 1\nrouters:\n  chat:\n    websockets:\n      - path: /a\n"
            "        handler:\n      h:a\n"
        ),
        at=(7, 7, "routers.chat.websockets[0].handler"),
        hint=(
            "a value on the line after its key must be indented more than the key, "
            "'handler' on line 6"
        ),
    ),
    "value-on-the-next-line-then-more": Case(
        spec=(
            "version: 1\nrouters:\n  chat:\n    websockets:\n      - path: /a\n"
            "        handler:\n     h:a\n    prefix: /x\n"
        ),
        at=(7, 6, "routers.chat.websockets[0].handler"),
        hint=("a value on the line after its key must be indented more than the key"),
    ),
    "key-after-a-list-at-the-dash-column": Case(
        spec=(
            "version: 1\nrouters:\n  chat:\n    websockets:\n      - path: /a\n"
            "        handler: h:a\n      prefix: /chat\n"
        ),
        at=(7, 7, "routers.chat.websockets"),
        hint=("this key is at the column of the '-' items above, the '-' on line 5"),
    ),
    "key-between-the-dash-and-the-item-s-keys": Case(
        spec=(
            "version: 1\nrouters:\n  chat:\n    websockets:\n      - path: /a\n"
            "       handler: h:a\n"
        ),
        at=(6, 8, "routers.chat.websockets"),
        hint=(
            "this line is indented more than the '-' on line 5 (column 7) and less than "
            "'path' on line 5 (column 9)"
        ),
    ),
    "key-between-two-levels": Case(
        spec=("version: 1\nrouters:\n  chat:\n    websockets: []\n   other: {}\n"),
        at=(5, 4, "routers"),
        hint=(
            "this line is indented more than 'chat' on line 3 (column 3) and less than "
            "'websockets' on line 4 (column 5)"
        ),
    ),
    "key-without-a-colon": Case(
        spec=(
            "version: 1\nrouters:\n  chat:\n    websockets:\n      - path: /a\n"
            "        handler: h:a\n        description\n"
        ),
        at=(7, 9, "routers.chat.websockets[0]"),
        hint=("this line has no ':' after its first word"),
    ),
    "unclosed-quote": Case(
        spec=(
            "version: 1\nrouters:\n  chat:\n    websockets:\n      - path: '/a\n"
            "        handler: h:a\n"
        ),
        at=(5, 15, "routers.chat.websockets[0].path"),
        hint=("the quoted string that starts here is never closed: end it with '"),
    ),
    "unclosed-flow-mapping": Case(
        spec=(
            "version: 1\nrouters:\n  chat:\n    websockets:\n      - path: /a\n"
            "        params: {q: {in: query}\n        handler: h:a\n"
        ),
        at=(6, 17, "routers.chat.websockets[0].params"),
        hint=("this '{' starts a mapping that is never closed: end it with '}'"),
    ),
}


@pytest.mark.parametrize("parser", LOADERS, ids=lambda parser: parser.__name__)
@pytest.mark.parametrize("case", list(INDENTATION))
def test_an_indentation_mistake_is_located_with_a_hint(
    case: str, parser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both parsers (libyaml and PyYAML's own) put the same marks, so the location and
    the hint are the same with either; only the parser's own wording differs."""
    monkeypatch.setattr(loader, "_LOADER", parser)
    spec, (line, column, path), hint = INDENTATION[case]
    code, stderr = validate(tmp_path, spec)
    assert code == 1
    [diagnostic, count] = stderr.splitlines()
    assert count == "1 error found"
    assert diagnostic.startswith(f"spec.yaml:{line}:{column}: {path}: invalid YAML: ")
    assert f"; {hint}" in diagnostic


@pytest.mark.parametrize("parser", LOADERS, ids=lambda parser: parser.__name__)
def test_a_colon_inside_a_value_keeps_the_parser_s_own_report(
    parser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not an indentation mistake: reported where the parser stopped, as before."""
    monkeypatch.setattr(loader, "_LOADER", parser)
    spec = "version: 1\nrouters:\n  chat:\n    prefix: a: b\n"
    code, stderr = validate(tmp_path, spec)
    assert code == 1
    assert stderr.startswith("spec.yaml:4:14: <root>: invalid YAML: mapping values")
    assert ";" not in stderr.splitlines()[0]
