"""Run the generated code: import each generated app and talk to it over WebSockets.

The four examples under ``examples/`` are imported as committed. Behaviours they do
not show (parameters of every kind, dependency order across nested routers, a
``kind: starlette`` route under two prefixes) have their own specs under
``tests/behaviour/``, generated here with the real CLI into a temporary folder.

With ``TestClient`` a connection the server closes before accepting it raises
``WebSocketDisconnect`` from ``websocket_connect``; its ``code`` is the close code
(1008 for a failed dependency or validation, 1000 for a path no route serves).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from _apps import BEHAVIOUR, EXAMPLES, generate, import_isolated
from fastapi import FastAPI, WebSocket
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from wsgen.pipeline import load_model
from wsgen.served import served_routes, wire_name


def refused(client: TestClient, url: str, **kwargs: Any) -> WebSocketDisconnect:
    """Connect to ``url`` and return the close the server answered with."""
    with (
        pytest.raises(WebSocketDisconnect) as caught,
        client.websocket_connect(url, **kwargs) as ws,
    ):
        ws.receive_text()
    return caught.value


def error_locations(closed: WebSocketDisconnect) -> list[list[str]]:
    """Where validation failed, from the close reason FastAPI sends."""
    reason: Any = closed.reason
    assert isinstance(reason, list), reason
    return [list(error["loc"]) for error in reason]


def example_app(folder: str, package: str) -> FastAPI:
    (module,) = import_isolated([f"{package}.routes.app"], EXAMPLES / folder)
    app = module.app
    assert isinstance(app, FastAPI)
    return app


def behaviour_app(
    tmp_path_factory: pytest.TempPathFactory, name: str, extra: tuple[str, ...] = ()
) -> list[Any]:
    """Generate ``tests/behaviour/<name>/wsgen.yaml`` and import its app (and ``extra``)."""
    out = tmp_path_factory.mktemp(f"gen_{name}")
    package = f"wsb_{name}_routes"
    generate(BEHAVIOUR / name / "wsgen.yaml", out / package)
    return import_isolated([f"{package}.app", *extra], out, BEHAVIOUR / name)


# --- echo -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def echo() -> Iterator[TestClient]:
    with TestClient(example_app("echo", "echo_app")) as client:
        yield client


def test_echo_sends_every_message_back(echo: TestClient) -> None:
    with echo.websocket_connect("/ws") as ws:
        ws.send_text("hello")
        assert ws.receive_text() == "Message text was: hello"
        ws.send_text("again")
        assert ws.receive_text() == "Message text was: again"


def test_echo_route_is_named_after_its_handler(echo: TestClient) -> None:
    assert echo.app.url_path_for("websocket_endpoint") == "/ws"  # type: ignore[attr-defined]


def test_unrouted_path_is_closed_normally(echo: TestClient) -> None:
    assert refused(echo, "/ws/other").code == 1000


# --- items: a parameter-level dependency ---------------------------------------------


@pytest.fixture(scope="module")
def items() -> Iterator[TestClient]:
    with TestClient(example_app("items", "items_app")) as client:
        yield client


def test_items_session_from_query(items: TestClient) -> None:
    with items.websocket_connect("/items?session=abc") as ws:
        assert ws.receive_text() == "Session: abc"


def test_items_session_from_cookie(items: TestClient) -> None:
    with items.websocket_connect(
        "/items", headers={"cookie": "session=from-cookie"}
    ) as ws:
        assert ws.receive_text() == "Session: from-cookie"


def test_items_without_session_closes_with_1008(items: TestClient) -> None:
    closed = refused(items, "/items")
    assert (closed.code, closed.reason) == (1008, "no session")


# --- rooms: router prefix, include prefix, path parameter ----------------------------


@pytest.fixture(scope="module")
def rooms() -> Iterator[TestClient]:
    # One client in a `with` block: one event loop, so rooms can broadcast across sockets.
    with TestClient(example_app("rooms", "rooms_app")) as client:
        yield client


def test_room_is_served_under_include_and_router_prefix(rooms: TestClient) -> None:
    with rooms.websocket_connect("/api/chat/room/lobby") as ws:
        assert ws.receive_text() == "Welcome to room lobby"
    assert rooms.app.url_path_for("chat_room", room_id="x") == "/api/chat/room/x"  # type: ignore[attr-defined]


@pytest.mark.parametrize("url", ["/chat/room/lobby", "/api/room/lobby", "/room/lobby"])
def test_room_is_not_served_without_both_prefixes(rooms: TestClient, url: str) -> None:
    assert refused(rooms, url).code == 1000


def test_room_broadcasts_within_the_room_only(rooms: TestClient) -> None:
    with (
        rooms.websocket_connect("/api/chat/room/red") as first,
        rooms.websocket_connect("/api/chat/room/red") as second,
        rooms.websocket_connect("/api/chat/room/blue") as other,
    ):
        for ws, room in ((first, "red"), (second, "red"), (other, "blue")):
            assert ws.receive_text() == f"Welcome to room {room}"
        # A member has joined the room by the time its welcome arrives.
        first.send_text("hi all")
        assert first.receive_text() == "[red] hi all"
        assert second.receive_text() == "[red] hi all"
        # Messages on one socket arrive in order: had the blue member got the red
        # message, it would come before its own.
        other.send_text("anyone?")
        assert other.receive_text() == "[blue] anyone?"


# --- chat_service: the spec from the issue ---------------------------------------------


@pytest.fixture(scope="module")
def chat_modules() -> list[Any]:
    return import_isolated(
        ["chat_app.routes.app", "chat_app.deps"], EXAMPLES / "chat_service"
    )


@pytest.fixture()
def chat(chat_modules: list[Any]) -> Iterator[TestClient]:
    app = chat_modules[0].app
    with TestClient(app) as client:
        yield client
    app.dependency_overrides.clear()


def test_chat_room_with_token(chat: TestClient) -> None:
    with chat.websocket_connect("/chat/room/general?token=alice-token") as ws:
        assert ws.receive_text() == "Welcome to room general, alice"
        ws.send_text("hello")
        assert ws.receive_text() == "[general] alice: hello"


@pytest.mark.parametrize("query", ["", "?token=", "?token=mallory"])
def test_router_dependency_rejects_chat_room_without_token(
    chat: TestClient, query: str
) -> None:
    closed = refused(chat, f"/chat/room/general{query}")
    assert (closed.code, closed.reason) == (1008, "unknown or missing token")


def test_chat_room_is_not_served_without_router_prefix(chat: TestClient) -> None:
    assert refused(chat, "/room/general?token=alice-token").code == 1000


def test_items_with_session_token_query_and_header(chat: TestClient) -> None:
    url = "/v1/items?session=s1&token=bob-token&q=5"
    with chat.websocket_connect(url, headers={"X-Token": "tok"}) as ws:
        assert ws.receive_text() == "Session: s1"
        assert ws.receive_json() == {"user": "bob", "q": 5, "x_token": "tok"}


def test_items_optional_query_defaults_to_none(chat: TestClient) -> None:
    url = "/v1/items?token=bob-token"
    with chat.websocket_connect(
        url, headers={"X-Token": "tok", "cookie": "session=c1"}
    ) as ws:
        assert ws.receive_text() == "Session: c1"
        assert ws.receive_json() == {"user": "bob", "q": None, "x_token": "tok"}


def test_items_without_session_closes_with_1008_from_dependency(
    chat: TestClient,
) -> None:
    closed = refused(chat, "/v1/items?token=bob-token", headers={"X-Token": "tok"})
    assert (closed.code, closed.reason) == (1008, "no session")


def test_items_without_token_closes_with_1008_from_include_dependency(
    chat: TestClient,
) -> None:
    closed = refused(chat, "/v1/items?session=s1", headers={"X-Token": "tok"})
    assert (closed.code, closed.reason) == (1008, "unknown or missing token")


def test_items_without_aliased_header_fails_validation(chat: TestClient) -> None:
    closed = refused(chat, "/v1/items?session=s1&token=bob-token")
    assert closed.code == 1008
    assert error_locations(closed) == [["header", "X-Token"]]


def test_items_with_bad_query_fails_validation(chat: TestClient) -> None:
    closed = refused(
        chat, "/v1/items?session=s1&token=bob-token&q=five", headers={"X-Token": "t"}
    )
    assert closed.code == 1008
    assert error_locations(closed) == [["query", "q"]]


def test_items_only_under_include_prefix(chat: TestClient) -> None:
    closed = refused(
        chat, "/items?session=s1&token=bob-token", headers={"X-Token": "t"}
    )
    assert closed.code == 1000


def test_dependency_overrides_reach_every_level(
    chat: TestClient, chat_modules: list[Any]
) -> None:
    deps = chat_modules[1]
    seen: list[str] = []

    async def let_in(websocket: WebSocket) -> None:
        seen.append(websocket.url.path)
        websocket.state.user = "tester"

    chat.app.dependency_overrides[deps.verify_auth] = let_in  # type: ignore[attr-defined]
    with chat.websocket_connect("/chat/room/r1") as ws:
        assert ws.receive_text() == "Welcome to room r1, tester"
    with chat.websocket_connect("/v1/items?session=s", headers={"X-Token": "t"}) as ws:
        assert ws.receive_text() == "Session: s"
        assert ws.receive_json()["user"] == "tester"
    # Include and decorator both name verify_auth: FastAPI runs it once per connection.
    assert seen == ["/chat/room/r1", "/v1/items"]


def test_starlette_route_at_full_path_without_guards(chat: TestClient) -> None:
    with chat.websocket_connect("/v1/raw") as ws:
        assert ws.receive_text() == "Raw WebSocket at /v1/raw"
    assert refused(chat, "/raw").code == 1000


def test_chat_route_names(chat: TestClient) -> None:
    app = chat.app
    assert app.url_path_for("chat_room", room_id="r") == "/chat/room/r"  # type: ignore[attr-defined]
    assert app.url_path_for("read_items") == "/v1/items"  # type: ignore[attr-defined]
    assert app.url_path_for("raw") == "/v1/raw"  # type: ignore[attr-defined]


# --- parameters of every kind (tests/behaviour/params) --------------------------------


@pytest.fixture(scope="module")
def params(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    (module,) = behaviour_app(tmp_path_factory, "params")
    with TestClient(module.app) as client:
        yield client


def reported(client: TestClient, url: str, **kwargs: Any) -> dict[str, Any]:
    with client.websocket_connect(url, **kwargs) as ws:
        result: dict[str, Any] = ws.receive_json()
    return result


def test_int_convertor_path_param(params: TestClient) -> None:
    assert reported(params, "/p/items/42") == {"item_id": "42"}
    assert params.app.url_path_for("item_by_id", item_id=7) == "/p/items/7"  # type: ignore[attr-defined]


def test_int_convertor_does_not_match_other_text(params: TestClient) -> None:
    assert refused(params, "/p/items/abc").code == 1000


def test_str_and_path_convertor_params(params: TestClient) -> None:
    assert reported(params, "/p/users/ann/files/docs/a.txt") == {
        "user": "'ann'",
        "file_path": "'docs/a.txt'",
    }


def test_declared_path_param_type_and_constraint(params: TestClient) -> None:
    assert reported(params, "/p/orders/7") == {"order_id": "7"}
    for bad in ("0", "abc"):
        closed = refused(params, f"/p/orders/{bad}")
        assert closed.code == 1008
        assert error_locations(closed) == [["path", "order_id"]]


def test_query_defaults(params: TestClient) -> None:
    assert reported(params, "/p/query") == {
        "limit": "10",
        "tag": "None",
        "q": "None",
        "code": "None",
        "page_size": "None",
        "flag": "False",
        "ratio": "None",
        "uid": "None",
    }


def test_query_values_list_and_alias(params: TestClient) -> None:
    uid = uuid.UUID("12345678-1234-5678-1234-567812345678")
    url = (
        "/p/query?limit=100&tag=a&tag=b&q=abcd&code=ABC&page-size=3"
        f"&flag=true&ratio=0.5&uid={uid}"
    )
    assert reported(params, url) == {
        "limit": "100",
        "tag": "['a', 'b']",
        "q": "'abcd'",
        "code": "'ABC'",
        "page_size": "3",
        "flag": "True",
        "ratio": "0.5",
        "uid": repr(uid),
    }


def test_query_alias_replaces_the_python_name(params: TestClient) -> None:
    assert reported(params, "/p/query?page_size=3")["page_size"] == "None"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),  # ge=1
        ("limit=101", "limit"),  # le=100
        ("limit=ten", "limit"),  # type int
        ("q=ab", "q"),  # min_length=3
        ("q=abcdefghi", "q"),  # max_length=8
        ("code=abc", "code"),  # pattern
        ("page-size=x", "page-size"),  # alias in the error too
        ("ratio=1", "ratio"),  # lt=1
        ("ratio=0", "ratio"),  # gt=0
        ("uid=not-a-uuid", "uid"),
        ("flag=maybe", "flag"),
    ],
)
def test_query_constraints_reject_bad_input(
    params: TestClient, query: str, field: str
) -> None:
    closed = refused(params, f"/p/query?{query}")
    assert closed.code == 1008
    assert error_locations(closed) == [["query", field]]


def test_required_query_missing(params: TestClient) -> None:
    assert reported(params, "/p/needs-query?count=3") == {"count": "3"}
    closed = refused(params, "/p/needs-query")
    assert closed.code == 1008
    assert error_locations(closed) == [["query", "count"]]


def test_header_params(params: TestClient) -> None:
    headers = httpx.Headers(
        [
            ("X-Token", "tok"),
            ("X-Trace", "a"),
            ("X-Trace", "b"),
            ("User-Agent", "probe"),
        ]
    )
    assert reported(params, "/p/headers", headers=headers) == {
        "user_agent": "'probe'",  # user_agent reads User-Agent
        "x_token": "'tok'",
        "x_trace": "['a', 'b']",
    }


def test_optional_header_list_defaults_to_none(params: TestClient) -> None:
    assert reported(params, "/p/headers", headers={"X-Token": "t"})["x_trace"] == "None"


def test_aliased_header_is_required(params: TestClient) -> None:
    closed = refused(params, "/p/headers", headers={"X-Tokn": "t"})
    assert closed.code == 1008
    assert error_locations(closed) == [["header", "X-Token"]]


def test_cookie_params(params: TestClient) -> None:
    assert reported(params, "/p/cookies", headers={"cookie": "session=abcd"}) == {
        "session": "'abcd'",
        "theme": "'light'",
    }
    cookies = {"cookie": "session=abcd; theme=dark"}
    assert reported(params, "/p/cookies", headers=cookies)["theme"] == "'dark'"


def test_enum_params_take_their_values(params: TestClient) -> None:
    assert reported(params, "/p/choice/fast") == {
        "mode": "'fast'",
        "unit": "'ms'",
        "lang": "None",
        "flavour": "None",
    }
    headers = httpx.Headers(
        [("lang", "de"), ("lang", "en"), ("cookie", "flavour=plain")]
    )
    assert reported(params, "/p/choice/safe?unit=s", headers=headers) == {
        "mode": "'safe'",
        "unit": "'s'",
        "lang": "['de', 'en']",
        "flavour": "'plain'",
    }


@pytest.mark.parametrize(
    ("url", "headers", "where"),
    [
        ("/p/choice/slow", {}, ["path", "mode"]),
        ("/p/choice/fast?unit=h", {}, ["query", "unit"]),
        ("/p/choice/fast", {"lang": "fr"}, ["header", "lang", 0]),
        ("/p/choice/fast", {"cookie": "flavour=mint"}, ["cookie", "flavour"]),
    ],
)
def test_enum_params_refuse_other_values(
    params: TestClient, url: str, headers: dict[str, str], where: list[Any]
) -> None:
    closed = refused(params, url, headers=headers)
    assert closed.code == 1008
    assert error_locations(closed) == [where]


def test_typed_dependency_result_reaches_the_handler(params: TestClient) -> None:
    assert reported(params, "/p/me?user=bob") == {"user": "User(name='bob')"}


@pytest.mark.parametrize("cookie", [None, "session=abc", "theme=dark"])
def test_cookie_missing_or_too_short(params: TestClient, cookie: str | None) -> None:
    headers = {"cookie": cookie} if cookie else {}
    closed = refused(params, "/p/cookies", headers=headers)
    assert closed.code == 1008
    assert error_locations(closed) == [["cookie", "session"]]


def test_starlette_route_gets_router_and_include_prefix(params: TestClient) -> None:
    with params.websocket_connect("/inc/plain/raw") as ws:
        assert ws.receive_text() == "raw at /inc/plain/raw"
    assert params.app.url_path_for("raw") == "/inc/plain/raw"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "url", ["/inc/raw", "/plain/raw", "/raw", "/inc/plain/plain/raw"]
)
def test_starlette_route_not_served_at_partial_paths(
    params: TestClient, url: str
) -> None:
    assert refused(params, url).code == 1000


# --- dependency order across nested routers (tests/behaviour/order) -------------------


@pytest.fixture(scope="module")
def order(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    (module,) = behaviour_app(tmp_path_factory, "order")
    with TestClient(module.app) as client:
        yield client


DEEP = "/o/outer/i/inner/deep"


def test_nested_prefixes_compose(order: TestClient) -> None:
    assert order.app.url_path_for("inner_deep", slug="s") == f"{DEEP}/s"  # type: ignore[attr-defined]
    assert order.app.url_path_for("outer_here") == "/o/outer/here"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "url",
    [
        "/outer/i/inner/deep/x",
        "/o/i/inner/deep/x",
        "/o/outer/inner/deep/x",
        "/o/outer/i/deep/x",
    ],
)
def test_nested_route_needs_every_prefix(order: TestClient, url: str) -> None:
    assert refused(order, url).code == 1000


def test_dependency_order_app_include_router_route_params(order: TestClient) -> None:
    assert reported(order, f"{DEEP}/xyz") == {
        "calls": [
            "app",
            "outer_include",
            "outer_router",
            "inner_include",
            "inner_router",
            "route",
            "first_param",
            "second_param",
        ],
        "params": {
            "slug": "'xyz'",
            "first": "'first-value'",
            "second": "'second-value'",
        },
    }


def test_dependency_used_twice_runs_once(order: TestClient) -> None:
    # /here names app_dep again at route level; FastAPI caches it per connection.
    assert reported(order, "/o/outer/here") == {
        "calls": ["app", "outer_include", "outer_router"],
        "params": {},
    }


def test_route_dependency_lets_valid_key_through(order: TestClient) -> None:
    result = reported(order, "/o/outer/i/inner/guarded?key=open-sesame")
    assert result["calls"] == [
        "app",
        "outer_include",
        "outer_router",
        "inner_include",
        "inner_router",
        "require_key",
    ]


@pytest.mark.parametrize("query", ["", "?key=wrong"])
def test_failed_route_dependency_closes_with_1008(
    order: TestClient, query: str
) -> None:
    closed = refused(order, f"/o/outer/i/inner/guarded{query}")
    assert (closed.code, closed.reason) == (1008, "bad key")


def test_served_routes_agree_with_the_app(order: TestClient) -> None:
    """wsgen.served, which the documents and the route table read, names the paths the
    app serves and the dependencies in the order the app runs them."""
    model, _ = load_model(BEHAVIOUR / "order" / "wsgen.yaml")
    served = {s.route.name: s for s in served_routes(model)}
    assert sorted(served) == ["guarded", "inner_deep", "outer_here"]
    app: Any = order.app
    assert app.url_path_for("inner_deep", slug="s") == served["inner_deep"].path.format(
        slug="s"
    )
    for name in ("outer_here", "guarded"):
        assert app.url_path_for(name) == served[name].path
    calls = [dep.removesuffix("_dep") for dep in served["inner_deep"].dependencies]
    assert calls == reported(order, f"{DEEP}/xyz")["calls"][:6]
    assert [level.label for level in served["inner_deep"].levels] == [
        "app",
        "include by app",
        "router outer",
        "include by outer",
        "router inner",
        "route",
    ]


def test_served_wire_names_are_what_the_app_reads(params: TestClient) -> None:
    model, _ = load_model(BEHAVIOUR / "params" / "wsgen.yaml")
    served = {s.route.name: s for s in served_routes(model)}
    by_id = served["item_by_id"]
    assert (by_id.path, by_id.address) == (
        "/p/items/{item_id:int}",
        "/p/items/{item_id}",
    )
    names = {p.name: wire_name(p) for p in served["header_params"].route.params}
    assert names == {
        "user_agent": "user-agent",
        "x_token": "X-Token",
        "x_trace": "x-trace",
    }
    headers = {names["user_agent"]: "ua", names["x_token"]: "t", names["x_trace"]: "tr"}
    result = reported(params, "/p/headers", headers=headers)
    assert (result["user_agent"], result["x_token"], result["x_trace"]) == (
        "'ua'",
        "'t'",
        "['tr']",
    )
