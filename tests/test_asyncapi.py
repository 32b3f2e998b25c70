"""The AsyncAPI document: valid against the official schema, every ``$ref`` resolving, its
addresses the ones the generated app serves, its payload schemas agreeing with the
generated pydantic models, and the frames the real app sends valid against it."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pytest
import yaml
from _apps import EXAMPLES, REPO, import_isolated, run_wsgen
from _asyncapi_schema import load as load_asyncapi_schema
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from wsgen import asyncapi, pipeline

SPECS = sorted(EXAMPLES.glob("*/wsgen.yaml"))
WITH_DOCUMENT = [s for s in SPECS if "asyncapi:" in s.read_text(encoding="utf-8")]


@pytest.fixture(scope="session")
def official() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(load_asyncapi_schema())


def _document(spec: Path) -> tuple[str, dict[str, Any]]:
    model, _ = pipeline.load_model(spec, str(spec.relative_to(REPO)))
    return asyncapi.document_text(model), asyncapi.document(model)


def test_two_examples_ask_for_a_document() -> None:
    names = {s.parent.name for s in WITH_DOCUMENT}
    assert {"typed_chat", "chat_service"} <= names


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.parent.name)
def test_every_example_document_is_valid_asyncapi_3(
    spec: Path, official: jsonschema.Draft7Validator
) -> None:
    text, data = _document(spec)
    read = yaml.safe_load(text)
    assert read == data  # the YAML says exactly what was built
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in official.iter_errors(read)
    ]
    assert not errors, "\n".join(errors[:10])
    asyncapi.check_refs(read)
    assert read["asyncapi"] == "3.0.0"


def test_the_official_schema_does_refuse_a_broken_document(
    official: jsonschema.Draft7Validator,
) -> None:
    _, data = _document(EXAMPLES / "typed_chat" / "wsgen.yaml")
    data["channels"]["chat.clock"]["bindings"]["ws"]["bindingVersion"] = 1
    data["operations"]["chat.clock.send"]["action"] = "publish"  # AsyncAPI 2's word
    assert len(list(official.iter_errors(data))) >= 2


@pytest.mark.parametrize("spec", WITH_DOCUMENT, ids=lambda s: s.parent.name)
def test_committed_document_is_the_golden(spec: Path) -> None:
    model, _ = pipeline.load_model(spec, str(spec.relative_to(REPO)))
    assert model.asyncapi is not None
    written = (spec.parent / model.asyncapi.output).read_text(encoding="utf-8")
    text, _ = _document(spec)
    assert written == text
    assert text == _document(spec)[0]  # byte-deterministic


def test_a_dangling_ref_fails_loudly() -> None:
    _, data = _document(EXAMPLES / "typed_chat" / "wsgen.yaml")
    asyncapi.check_refs(data)
    data["operations"]["chat.clock.send"]["messages"].append(
        {"$ref": "#/channels/chat.clock/messages/nothing"}
    )
    with pytest.raises(asyncapi.RefError, match="nothing"):
        asyncapi.check_refs(data)
    with pytest.raises(asyncapi.RefError):
        asyncapi.check_refs({"a": [{"$ref": "#/b/0"}], "b": []})
    asyncapi.check_refs(
        {"a": [{"$ref": "#/b/0"}], "b": [1], "c~/d": {"$ref": "#/c~0~1d"}}
    )


# -- addresses: what the generated app serves -------------------------------------------


@pytest.mark.parametrize(
    ("example", "package"),
    [("typed_chat", "typed_chat_app"), ("chat_service", "chat_app")],
)
def test_channel_addresses_are_the_paths_the_app_serves(
    example: str, package: str
) -> None:
    """Asked by route name, the app builds each channel's address (7 for every parameter:
    every convertor writes it as 7)."""
    [app_module] = import_isolated([f"{package}.routes.app"], EXAMPLES / example)
    _, doc = _document(EXAMPLES / example / "wsgen.yaml")
    assert doc["channels"]
    for key, channel in doc["channels"].items():
        route_name = key.split(".")[1]
        address = channel["address"]
        params = re.findall(r"{(\w+)}", address)
        served = app_module.app.url_path_for(route_name, **{p: 7 for p in params})
        assert served == re.sub(r"{\w+}", "7", address), key
        assert set(channel.get("parameters", {})) == set(params)


def test_handshake_parameters_and_dependencies_are_documented() -> None:
    _, doc = _document(EXAMPLES / "chat_service" / "wsgen.yaml")
    items = doc["channels"]["items.read_items"]
    ws = items["bindings"]["ws"]
    assert ws["bindingVersion"] == "0.1.0"
    assert ws["query"]["properties"] == {"q": {"type": "integer"}}
    assert "required" not in ws["query"]
    assert ws["headers"] == {
        "type": "object",
        "properties": {"X-Token": {"type": "string"}},
        "required": ["X-Token"],
    }
    assert "- route: verify_auth" in items["description"]
    assert "`session` from `get_cookie_or_token`" in items["description"]
    room = doc["channels"]["chat.chat_room"]
    assert "router chat: verify_auth" in room["description"]
    assert doc["servers"] == {
        "production": {"host": "chat.example.com", "protocol": "wss"}
    }
    assert doc["info"] == {"title": "Chat service", "version": "1.2.0"}


# -- a spec with every kind of parameter and field ---------------------------------------

ALL_KINDS = """\
version: 1
output: kinds_app/routes
asyncapi: {output: asyncapi.yml}
dependencies:
  user: kinds_app.deps:user
messages:
  sample:
    description: Every field type.
    fields:
      s: {type: str, min_length: 2, max_length: 5, pattern: "^[a-z]+$"}
      i: {type: int, ge: -3, lt: 10}
      f: {type: float, gt: 0.5, le: 2.5}
      b: {type: bool}
      u: {type: uuid}
      d: {type: datetime}
      a: {type: any}
      e: {type: int, enum: [1, 2, 3]}
      w: {type: str, enum: [up, down], required: false}
      o: {type: int, required: false}
      l: {type: "list[int]", default: [1], min_length: 1, max_length: 3}
      ls: {type: "list[str]", required: false}
      dflt: {type: str, default: hi}
  other: {}
close_codes: {bye: 4001}
routers:
  r:
    prefix: /r
    websockets:
      - path: /kinds/{n:int}/{tag}/{id:uuid}
        name: kinds
        handler: kinds_app.handlers:kinds
        params:
          tag: {in: path, type: str, enum: [red, blue], description: The colour.}
          q: {in: query, type: "list[int]", default: [1, 2]}
          limit: {in: query, type: int, ge: 1, le: 100, default: 10}
          x_trace_id: {in: header, type: str, required: false}
          token: {in: header, type: str, alias: Authorization, pattern: "^Bearer "}
          session: {in: cookie, type: str, description: The login cookie.}
          who: {depends: user, description: The signed-in user.}
        receive: [sample, other]
        send: [sample]
        on_invalid: close
"""


@pytest.fixture(scope="module")
def kinds(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[dict[str, Any], ModuleType]:
    folder = tmp_path_factory.mktemp("kinds")
    (folder / "wsgen.yaml").write_text(ALL_KINDS, encoding="utf-8")
    result = run_wsgen("generate", str(folder / "wsgen.yaml"))
    assert result.returncode == 0, result.stderr
    doc = yaml.safe_load((folder / "asyncapi.yml").read_text(encoding="utf-8"))
    [messages] = import_isolated(["kinds_app.routes.messages"], folder)
    return doc, messages


def test_all_kinds_document_is_valid(
    kinds: tuple[dict[str, Any], ModuleType], official: jsonschema.Draft7Validator
) -> None:
    doc, _ = kinds
    assert not [e.message for e in official.iter_errors(doc)]
    asyncapi.check_refs(doc)


def test_path_query_header_cookie_parameters(
    kinds: tuple[dict[str, Any], ModuleType],
) -> None:
    doc, _ = kinds
    channel = doc["channels"]["r.kinds"]
    assert channel["address"] == "/r/kinds/{n}/{tag}/{id}"
    params = channel["parameters"]
    assert params["n"] == {"description": "int; convertor int"}
    assert params["tag"] == {
        "description": "The colour. (str; no convertor (str))",
        "enum": ["red", "blue"],
    }
    assert params["id"] == {"description": "uuid; convertor uuid"}
    ws = channel["bindings"]["ws"]
    assert ws["query"] == {
        "type": "object",
        "properties": {
            "q": {"type": "array", "items": {"type": "integer"}, "default": [1, 2]},
            "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10},
        },
    }
    assert ws["headers"] == {
        "type": "object",
        "properties": {
            "x-trace-id": {"type": "string"},
            "Authorization": {"type": "string", "pattern": "^Bearer "},
        },
        "required": ["Authorization"],
    }
    assert "- `session`: str; required. The login cookie." in channel["description"]
    assert "`who` from `user`: The signed-in user." in channel["description"]
    codes = {c["code"]: c["name"] for c in channel["x-close-codes"]}
    assert codes == {1003: "binary_frame", 1008: "invalid_message", 4001: "bye"}
    # on_invalid: close: no error frame anywhere
    assert "error" not in doc["components"]["messages"]
    send = doc["operations"]["r.kinds.send"]["messages"]
    assert send == [{"$ref": "#/channels/r.kinds/messages/sample"}]


# -- payload schemas agree with the generated models -------------------------------------


def _accepts(model: type, sample: dict[str, Any]) -> dict[str, Any] | None:
    """What the connection makes of ``sample`` (as JSON text): the message's JSON form, or
    None when it refuses it. The connection also refuses a message without ``type``."""
    try:
        message = TypeAdapter(model).validate_json(json.dumps(sample))
    except ValidationError:
        return None
    if "type" not in sample:
        return None
    dumped: dict[str, Any] = json.loads(message.model_dump_json())
    return dumped


def _canonical(sample: dict[str, Any], dumped: dict[str, Any]) -> bool:
    """Whether the model kept every value of ``sample`` as it was (no coercion)."""
    return all(
        json.dumps(sample[key]) == json.dumps(dumped[key])
        for key in sample
        if key in dumped
    )


def _date_time(value: object) -> bool:
    """RFC 3339 date-time, as the schema's ``format`` means it."""
    if not isinstance(value, str):
        return True
    shape = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)"
    if not re.fullmatch(shape, value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


FORMATS = jsonschema.FormatChecker(formats=())
FORMATS.checks("date-time")(_date_time)

anything = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=5,
)
NEAR = {
    "s": st.sampled_from(["ab", "abcde", "a", "abcdef", "AB", "ab1", "xyz"]),
    "i": st.integers(-5, 12),
    "f": st.sampled_from([0.5, 0.50001, 2.5, 2.6, 1, 1.5]),
    "b": st.booleans(),
    "u": st.uuids().map(str) | st.sampled_from(["x", str(uuid.UUID(int=1)).upper()]),
    "d": st.datetimes().map(lambda d: d.isoformat() + "Z")
    | st.sampled_from(["2024-02-30T00:00:00Z", "2024-01-01T25:00:00Z", "yesterday"]),
    "a": anything,
    "e": st.integers(0, 4),
    "w": st.sampled_from(["up", "down", "left", None]),
    "o": st.none() | st.integers(),
    "l": st.lists(st.integers(), max_size=4),
    "ls": st.none() | st.lists(st.text(max_size=2), max_size=2),
    "dflt": st.text(max_size=3) | st.none(),
    "type": st.sampled_from(["sample", "other", "nope"]),
    "extra": anything,
}


VALID = {
    "s": st.sampled_from(["ab", "abcde", "xyz"]),
    "i": st.integers(-3, 9),
    "f": st.sampled_from([0.50001, 2.5, 1.5]),
    "b": st.booleans(),
    "u": st.uuids().map(str),
    "d": st.datetimes().map(lambda d: d.isoformat() + "Z"),
    "e": st.integers(1, 3),
    "a": anything,
    "type": st.just("sample"),
}


@st.composite
def samples(draw: st.DrawFn) -> dict[str, Any]:
    """A valid ``sample`` message, then up to three fields dropped, replaced by values
    near their limits, or by any JSON at all."""
    out = {key: draw(valid) for key, valid in VALID.items()}
    for key in draw(st.lists(st.sampled_from(sorted(NEAR)), max_size=3, unique=True)):
        how = draw(st.integers(0, 5))
        if how == 0:
            out.pop(key, None)
        elif how < 5:
            out[key] = draw(NEAR[key])
        else:
            out[key] = draw(anything)
    return out


@settings(max_examples=400)
@given(sample=samples())
def test_payload_schema_accepts_what_the_model_accepts(
    kinds: tuple[dict[str, Any], ModuleType], sample: dict[str, Any]
) -> None:
    doc, messages = kinds
    for name, model in (("sample", messages.Sample), ("other", messages.Other)):
        schema = doc["components"]["schemas"][name]
        valid = jsonschema.Draft7Validator(schema, format_checker=FORMATS).is_valid(
            sample
        )
        dumped = _accepts(model, sample)
        if valid:
            assert dumped is not None, (name, sample)
        if dumped is not None and _canonical(sample, dumped):
            assert valid, (name, sample, dumped)


@pytest.mark.parametrize(
    ("sample", "valid"),
    [
        ({"type": "chat_message", "text": "hi"}, True),
        ({"type": "chat_message", "text": "hi", "reply_to": None}, True),
        ({"type": "chat_message", "text": "hi", "reply_to": 3, "more": [1]}, True),
        ({"text": "hi"}, False),
        ({"type": "ping", "text": "hi"}, False),
        ({"type": "chat_message", "text": ""}, False),
        ({"type": "chat_message", "text": "x" * 2001}, False),
        ({"type": "chat_message", "text": "hi", "reply_to": 0}, False),
        ({"type": "chat_message", "text": 5}, False),
    ],
)
def test_typed_chat_samples(sample: dict[str, Any], valid: bool) -> None:
    [messages] = import_isolated(
        ["typed_chat_app.routes.messages"], EXAMPLES / "typed_chat"
    )
    _, doc = _document(EXAMPLES / "typed_chat" / "wsgen.yaml")
    schema = doc["components"]["schemas"]["chat_message"]
    assert jsonschema.Draft7Validator(schema).is_valid(sample) is valid
    assert (_accepts(messages.ChatMessage, sample) is not None) is valid


# -- what the real app sends is what the document says ------------------------------------


def test_frames_the_app_sends_validate_against_their_messages() -> None:
    app_module, messages = import_isolated(
        ["typed_chat_app.routes.app", "typed_chat_app.routes.messages"],
        EXAMPLES / "typed_chat",
    )
    _, doc = _document(EXAMPLES / "typed_chat" / "wsgen.yaml")
    schemas = doc["components"]["schemas"]
    with (
        TestClient(app_module.app) as client,
        client.websocket_connect("/chat/room/docs?user=ann") as ws,
    ):
        ws.send_text('{"type": "chat_message", "text": ""}')
        frame = ws.receive_json()
        ws.send_text("{}")
        missing = ws.receive_json()
        ws.send_text('{"type": "chat_message", "text": "hello"}')
        event = ws.receive_json()
    validator = jsonschema.Draft7Validator(schemas["error"])
    for error_frame in (frame, missing):
        assert error_frame["type"] == "error"
        assert validator.is_valid(error_frame), error_frame
    assert event["type"] == "chat_event"
    assert jsonschema.Draft7Validator(schemas["chat_event"]).is_valid(event), event
    sent = messages.ChatEvent(id=1, user="a", text="b", sent_at=datetime(2024, 1, 1))
    assert jsonschema.Draft7Validator(schemas["chat_event"]).is_valid(
        json.loads(sent.model_dump_json())
    )
    send = doc["operations"]["chat.chat_room.send"]["messages"]
    assert {"$ref": "#/channels/chat.chat_room/messages/error"} in send


# -- the YAML: any spec text reads back as itself ------------------------------------------

scalars = (
    st.text()
    | st.sampled_from(
        ["yes", "No", "null", "~", "1.0", "0x1F", "1e3", "12:30", "- a", "a: b"]
    )
    | st.integers()
    | st.floats()
    | st.booleans()
    | st.none()
)
json_like = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300)
@given(data=st.dictionaries(st.text(), json_like, max_size=4))
def test_any_data_reads_back_as_itself(data: dict[str, Any]) -> None:
    from wsgen import yaml_text

    text = yaml_text.dump(data)
    read = yaml.safe_load(text)
    assert json.dumps(read, sort_keys=True) == json.dumps(data or None, sort_keys=True)


@pytest.mark.parametrize(
    ("example", "start"),
    [
        ("chat_service", "channels:\n  items.read_items:"),
        ("typed_chat", "  schemas:\n"),
    ],
)
def test_readme_excerpts_are_the_committed_documents(example: str, start: str) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    opening = readme.index(start, readme.index("### AsyncAPI document"))
    excerpt = readme[opening : readme.index("```", opening)]
    document = (EXAMPLES / example / "docs" / "asyncapi.yaml").read_text(
        encoding="utf-8"
    )
    body = excerpt.removeprefix("channels:\n") if example == "chat_service" else excerpt
    assert body in document


DEPRECATED_SPEC = """\
version: 1
output: routes
messages:
  old_hello:
    deprecated: true
    fields:
      name: {type: str}
  hello:
    fields:
      name: {type: str}
      nick: {type: str, required: false, deprecated: true}
routers:
  chat:
    websockets:
      - path: /old/{room}
        handler: app.handlers:old
        deprecated: true
        params:
          room: {in: path, type: str, deprecated: true}
          q: {in: query, type: int, required: false, deprecated: true}
        receive: [old_hello, hello]
        send: [hello]
"""


def test_deprecated_things_say_so(
    tmp_path: Path, official: jsonschema.Draft7Validator
) -> None:
    spec = tmp_path / "wsgen.yaml"
    spec.write_text(DEPRECATED_SPEC, encoding="utf-8")
    model, _ = pipeline.load_model(spec)
    doc = yaml.safe_load(asyncapi.document_text(model))
    assert not list(official.iter_errors(doc))
    channel = doc["channels"]["chat.old"]
    assert channel["x-deprecated"] is True
    assert channel["parameters"]["room"]["x-deprecated"] is True
    assert channel["bindings"]["ws"]["query"]["properties"]["q"]["deprecated"] is True
    messages, schemas = doc["components"]["messages"], doc["components"]["schemas"]
    assert messages["old_hello"]["x-deprecated"] is True
    assert "x-deprecated" not in messages["hello"]
    assert schemas["old_hello"]["deprecated"] is True
    assert "deprecated" not in schemas["hello"]
    assert schemas["hello"]["properties"]["nick"]["deprecated"] is True
    assert "deprecated" not in schemas["hello"]["properties"]["name"]
