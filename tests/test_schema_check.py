"""schema_check gives jsonschema's verdict on every spec, and refuses what it cannot check.

``wsgen validate`` trusts schema_check's "conforms" without running jsonschema, so any spec on
which the two disagree would pass unchecked (or be reported with no error). The verdicts are
compared on every spec in the repository, on mutations of a spec that uses every part of the
schema, and on the values where Python and JSON Schema disagree about types and equality.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _apps import REPO
from hypothesis import event, example, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from wsgen import resources, schema_check
from wsgen.errors import SpecError
from wsgen.loader import load_bytes, load_text
from wsgen.validate import schema_diagnostics

VALIDATOR = Draft202012Validator(resources.schema())

CORPUS = sorted(
    [
        *(REPO / "tests" / "cases").glob("*/spec.yaml"),
        *(REPO / "examples").glob("*/wsgen.yaml"),
        *(REPO / "tests" / "hostile").glob("*.yaml"),
    ]
)


def loadable(paths: list[Path]) -> Iterator[tuple[Path, Any]]:
    """The data of each spec that loads; the others never reach the schema."""
    for path in paths:
        try:
            yield path, load_bytes(path.read_bytes(), str(path)).data
        except SpecError:
            continue


LOADED = list(loadable(CORPUS))


@pytest.mark.parametrize(
    ("path", "data"), LOADED, ids=[str(p.relative_to(REPO)) for p, _ in LOADED]
)
def test_agrees_with_jsonschema_on_every_spec_in_the_repository(
    path: Path, data: Any
) -> None:
    assert schema_check.conforms(data) is VALIDATOR.is_valid(data)


def test_the_repository_has_specs_on_both_sides() -> None:
    assert {VALIDATOR.is_valid(data) for _, data in LOADED} == {True, False}


# A spec that uses every property and definition of the schema.
FULL: dict[str, Any] = {
    "version": 1,
    "output": "app/routes",
    "dependencies": {"verify_auth": "app.deps:verify_auth", "user": "deps:user"},
    "app": {
        "title": "T",
        "description": "D",
        "version": "1.0",
        "dependencies": ["verify_auth"],
        "include": [
            {"router": "chat", "prefix": "/v1", "dependencies": ["verify_auth"]},
            {"router": "items"},
        ],
    },
    "routers": {
        "chat": {
            "prefix": "",
            "dependencies": ["verify_auth"],
            "include": [{"router": "items", "prefix": "/sub"}],
            "websockets": [
                {
                    "path": "/room/{room_id:int}",
                    "handler": "app.handlers:room",
                    "name": "room",
                    "description": "Join.",
                    "kind": "fastapi",
                    "dependencies": ["user"],
                    "params": {
                        "room_id": {"in": "path", "type": "int", "ge": 1, "lt": 9.5},
                        "q": {
                            "in": "query",
                            "type": "list[str]",
                            "default": ["a", 1, 2.5, True],
                            "required": False,
                            "alias": "Q",
                            "description": "d",
                            "min_length": 0,
                            "max_length": 3,
                            "pattern": "^a",
                            "gt": 0,
                            "le": 10,
                        },
                        "who": {"depends": "user"},
                        "me": {"depends": "user", "type": "app.models:User"},
                        "mode": {"in": "header", "type": "str", "enum": ["a", 1]},
                    },
                },
                {"path": "/raw", "handler": "h:raw", "kind": "starlette"},
            ],
        },
        "items": {"websockets": []},
    },
}

STRINGS = st.one_of(
    st.sampled_from(
        [
            "",
            "x",
            "chat",
            "chat\n",
            "1x",
            "a-b",
            "/x",
            "/x/",
            "/",
            "x/",
            "a.b:c",
            "a.b:c\n",
            "a.b",
            ":c",
            "fastapi",
            "starlette",
            "path",
            "query",
            "header",
            "cookie",
            "int",
            "list[int]",
            "list[dict]",
            "1",
        ]
    ),
    st.text(max_size=4),
)
KEYS = st.one_of(
    st.sampled_from(
        [
            "version",
            "routers",
            "router",
            "prefix",
            "dependencies",
            "websockets",
            "path",
            "handler",
            "params",
            "in",
            "type",
            "default",
            "title",
            "unknown",
        ]
    ),
    STRINGS,
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 3),
    st.sampled_from([0.0, 1.0, -1.0, 2.5, -0.5, float("inf"), float("nan")]),
    st.floats(),
    STRINGS,
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=3)
    ),
    max_leaves=6,
)


def paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*path, index))


def at(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    """FULL with one to three values replaced, keys deleted or keys added, anywhere."""
    spec: Any = copy.deepcopy(FULL)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(paths(spec))))
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        node = at(spec, path)
        if action == "replace" or (action == "delete" and not path):
            if not path:
                spec = draw(VALUES)
            else:
                at(spec, path[:-1])[path[-1]] = draw(VALUES)
        elif action == "delete":
            del at(spec, path[:-1])[path[-1]]
        elif isinstance(node, dict):
            node[draw(KEYS)] = draw(VALUES)
        elif isinstance(node, list):
            node.append(draw(VALUES))
    return spec


@settings(max_examples=500)  # the rest: tests/conftest.py
@given(mutated())
@example(FULL)
def test_agrees_with_jsonschema_on_mutated_specs(spec: Any) -> None:
    valid = VALIDATOR.is_valid(spec)
    event("conforms" if valid else "does not conform")
    assert schema_check.conforms(spec) is valid


def with_value(path: tuple[Any, ...], value: Any) -> Any:
    spec = copy.deepcopy(FULL)
    at(spec, path[:-1])[path[-1]] = value
    return spec


PARAM = ("routers", "chat", "websockets", 0, "params", "q")
ROUTE = ("routers", "chat", "websockets", 0)


@pytest.mark.parametrize(
    ("path", "value", "conforms"),
    [
        # An integer is any int or a float with no fraction, never a boolean.
        ((*PARAM, "min_length"), 2.0, True),
        ((*PARAM, "min_length"), 2.5, False),
        ((*PARAM, "min_length"), True, False),
        ((*PARAM, "min_length"), -1, False),
        ((*PARAM, "min_length"), -0.0, True),
        # A number is never a boolean; minimum compares as Python does.
        ((*PARAM, "ge"), False, False),
        ((*PARAM, "ge"), float("nan"), True),
        ((*PARAM, "ge"), float("-inf"), True),
        # const and enum: True is not 1, but 1.0 is.
        (("version",), 1.0, True),
        (("version",), True, False),
        (("version",), "1", False),
        ((*PARAM, "in"), "query\n", False),
        ((*PARAM, "in"), ["query"], False),
        # Patterns are searched (unanchored) and '$' stops before a final newline.
        ((*ROUTE, "name"), "room\n", False),
        ((*ROUTE, "handler"), "a.b:c\n", False),
        (("routers", "chat", "prefix"), "/x/", False),
        (("routers", "chat", "prefix"), "/x\n", False),
        (("routers", "chat", "prefix"), "\n", False),
        (("routers", "chat", "prefix"), "/\n", False),
        (("routers", "chat", "prefix"), "/a\nb", False),
        # minLength counts code points.
        ((*ROUTE, "path"), "é", True),
        ((*ROUTE, "path"), "", False),
        # items applies to every element; anyOf takes any branch.
        ((*PARAM, "default"), [1, "a", 2.5, False], True),
        ((*PARAM, "default"), [1, None], False),
        ((*PARAM, "default"), [[1]], False),
        ((*PARAM, "default"), None, False),
        # propertyNames applies to the keys.
        (("dependencies",), {"bad name": "a:b"}, False),
        (("routers", "chat", "websockets", 0, "params"), {"x\n": {}}, False),
    ],
)
def test_edge_values_are_judged_as_jsonschema_judges_them(
    path: tuple[Any, ...], value: Any, conforms: bool
) -> None:
    spec = with_value(path, value)
    assert VALIDATOR.is_valid(spec) is conforms
    assert schema_check.conforms(spec) is conforms


@pytest.mark.parametrize(
    ("schema", "instance", "valid"),
    [
        ({"pattern": "b"}, "abc", True),
        ({"pattern": "^b"}, "abc", False),
        ({"pattern": "^a"}, 3, True),
        ({"minLength": 2}, "é", False),
        ({"minLength": 2}, "éé", True),
        ({"minLength": 2}, [1], True),
        ({"minimum": 1}, 1.0, True),
        ({"minimum": 1}, 0.5, False),
        ({"minimum": 1}, "0", True),
        ({"type": ["integer", "null"]}, None, True),
        ({"type": "integer"}, 1e300, True),
        ({"type": "number"}, True, False),
        ({"enum": [[1, {"a": True}]]}, [1.0, {"a": True}], True),
        ({"enum": [[1, {"a": True}]]}, [1, {"a": 1}], False),
        ({"enum": [{"a": 1}]}, {"a": 1, "b": 2}, False),
        ({"enum": [False, 0]}, 0.0, True),
        ({"enum": []}, None, False),
        ({"const": [0]}, [False], False),
        ({"const": None}, None, True),
        ({"propertyNames": {"minLength": 2}}, {"ab": 1, "c": 2}, False),
        ({"additionalProperties": {"type": "string"}}, {"a": "x", "b": 1}, False),
        ({"properties": {"b": {}}, "additionalProperties": False}, {"b": 1}, True),
        ({"properties": {"b": {}}, "additionalProperties": False}, {"c": 1}, False),
        ({"required": ["a"], "minProperties": 2}, {"a": 1}, False),
        ({"required": ["a"]}, ["a"], True),
        ({"minItems": 1}, [], False),
        ({"minItems": 1}, [0], True),
        ({"minItems": 1}, {}, True),
        ({"items": {"type": "integer"}}, [1, 2, "3"], False),
        ({"items": False}, [], True),
        ({"anyOf": [{"type": "string"}, {"minimum": 5}]}, 3, False),
        ({"anyOf": [{"type": "string"}, {"minimum": 5}]}, 7, True),
        ({"$ref": "#/$defs/a", "minimum": 2, "$defs": {"a": {"minimum": 0}}}, 1, False),
    ],
)
def test_each_keyword_means_what_it_means_to_jsonschema(
    schema: dict[str, Any], instance: Any, valid: bool
) -> None:
    assert Draft202012Validator(schema).is_valid(instance) is valid
    assert schema_check.compile_schema(schema)(instance) is valid


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "maxProperties": 1},
        {"properties": {"a": {"format": "email"}}},
        {"items": {"$ref": "#/$defs/x"}, "$defs": {"x": {"uniqueItems": True}}},
        {"$ref": "other.json#/$defs/x"},
        {"$ref": "#/$defs/missing", "$defs": {}},
        {"$ref": "#/$defs/a~1b", "$defs": {"a/b": {}}},
        {"type": "decimal"},
        {"properties": {"a": 1}},
        {"minimum": "0"},
    ],
)
def test_refuses_a_schema_outside_its_subset(schema: dict[str, Any]) -> None:
    with pytest.raises(schema_check.Unsupported):
        schema_check.compile_schema(schema)


def test_an_unknown_keyword_in_wsgens_schema_falls_back_to_jsonschema(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    schema = copy.deepcopy(resources.schema())
    schema["properties"]["routers"]["maxProperties"] = 1
    monkeypatch.setattr(resources, "schema", lambda: schema)
    schema_check._wsgen_check.cache_clear()
    try:
        loaded = load_text(
            "version: 1\n"
            "routers:\n"
            "  a: {websockets: [{path: /a, handler: 'h:a'}]}\n"
            "  b: {websockets: [{path: /b, handler: 'h:b'}]}\n",
            "spec.yaml",
        )
        assert schema_check.conforms(loaded.data) is None
        [diagnostic] = schema_diagnostics(loaded)
    finally:
        schema_check._wsgen_check.cache_clear()
    assert (diagnostic.path, diagnostic.line) == ("routers", 3)
    assert diagnostic.message.endswith("has too many properties")


def test_a_recursive_definition_is_checked_to_any_depth() -> None:
    check = schema_check.compile_schema(
        {
            "$ref": "#/$defs/tree",
            "$defs": {
                "tree": {"type": "array", "items": {"$ref": "#/$defs/tree"}},
            },
        }
    )
    assert check([[], [[[]]]]) is True
    assert check([[], [[[1]]]]) is False
