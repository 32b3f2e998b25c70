"""Message contracts: the rules' own tables agree with the schema and with pydantic, and
hostile text in descriptions, enum values and patterns reaches the generated models exactly,
never as code.

The behaviour of the generated connection is tested on the typed_chat example
(tests/test_messages.py, through TestClient; tests/test_messages_server.py, through uvicorn)
and its typing with mypy (tests/test_messages_typing.py).
"""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any

import pydantic
import yaml
from _apps import run_wsgen
from hypothesis import given, settings
from hypothesis import strategies as st
from test_hostile_properties import HOSTILE, documented_docstring

from wsgen import message_rules, resources
from wsgen.pipeline import generate_files, load_model


def test_field_types_are_the_schema_s() -> None:
    schema = resources.schema()["$defs"]["field"]["properties"]["type"]["enum"]
    assert message_rules.FIELD_TYPES == set(schema)


def test_every_attribute_of_base_model_is_refused_as_a_field_name() -> None:
    public = {name for name in dir(pydantic.BaseModel) if not name.startswith("_")}
    refused = {
        name
        for name in public
        if name.startswith("model_") or name in message_rules.BASE_MODEL_NAMES
    }
    assert refused == public


def test_a_spec_without_messages_gets_no_messages_module(tmp_path: Path) -> None:
    (tmp_path / "wsgen.yaml").write_text(
        "version: 1\noutput: out\nrouters:\n  chat:\n    websockets:\n"
        "      - path: /a\n        handler: h:a\n",
        encoding="utf-8",
    )
    assert run_wsgen("generate", "wsgen.yaml", cwd=tmp_path).returncode == 0
    assert sorted(p.name for p in (tmp_path / "out").glob("*.py")) == [
        "__init__.py",
        "chat.py",
    ]


def _module(source: str) -> types.ModuleType:
    module = types.ModuleType("messages_under_test")
    # The generated module under test, run as the application would import it.
    code = compile(source, "messages.py", "exec", dont_inherit=True)
    exec(code, module.__dict__)  # noqa: S102
    return module


ENUMS = st.lists(HOSTILE, min_size=1, max_size=4, unique=True)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(description=HOSTILE, field_doc=HOSTILE, choices=ENUMS, default=st.integers(0, 3))
def test_hostile_text_reaches_the_models_as_data(
    tmp_path_factory: Any,
    description: str,
    field_doc: str,
    choices: list[str],
    default: int,
) -> None:
    folder = tmp_path_factory.mktemp("hostile_messages")
    spec = {
        "version": 1,
        "messages": {
            "note": {
                "description": description,
                "fields": {
                    "body": {"type": "str", "description": field_doc},
                    "kind": {
                        "type": "str",
                        "enum": choices,
                        "default": choices[default % len(choices)],
                    },
                },
            }
        },
        "routers": {
            "chat": {
                "websockets": [
                    {
                        "path": "/n",
                        "handler": "h:n",
                        "receive": ["note"],
                        "send": ["note"],
                    }
                ]
            }
        },
    }
    path = folder / "wsgen.yaml"
    path.write_text(
        yaml.safe_dump(spec, allow_unicode=True, sort_keys=False, default_style='"'),
        encoding="utf-8",
    )
    model, _ = load_model(path)
    module = _module(generate_files(model)["messages.py"])
    note = module.Note
    if description.strip():
        assert note.__doc__ == documented_docstring(description)
    assert note.model_fields["body"].description == field_doc
    kind = note.model_fields["kind"]
    assert typing.get_args(kind.annotation) == tuple(choices)
    assert kind.default == choices[default % len(choices)]
    for value in choices:
        assert note(body="x", kind=value).kind == value


RISKY = [
    "none",
    "true",
    "type",
    "json",
    "copy",
    "model_x",
    "_x",
    "__debug__",
    "connection",
    "close_code",
    "base_model",
    "datetime",
    "uuid",
    "str",
    "Field",
    "Literal",
    "error",
    "class",
    "a_b",
    "aB",
    "ping",
    "x" * 100,
]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    messages=st.lists(st.sampled_from(RISKY), min_size=1, max_size=3, unique=True),
    fields=st.lists(st.sampled_from(RISKY), max_size=3, unique=True),
    codes=st.lists(st.sampled_from(RISKY), max_size=2, unique=True),
)
def test_risky_names_are_refused_where_they_stand_or_generate_a_module_that_imports(
    tmp_path_factory: Any, messages: list[str], fields: list[str], codes: list[str]
) -> None:
    folder = tmp_path_factory.mktemp("risky_names")
    spec = {
        "version": 1,
        "output": "out",
        "messages": {
            name: {"fields": {f: {"type": "int", "required": False} for f in fields}}
            for name in messages
        },
        "close_codes": {name: 4000 + i for i, name in enumerate(codes)},
        "routers": {
            "chat": {
                "websockets": [
                    {
                        "path": "/n",
                        "handler": "h:n",
                        "receive": messages,
                        "send": messages,
                    }
                ]
            }
        },
    }
    (folder / "wsgen.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    result = run_wsgen("validate", "wsgen.yaml", cwd=folder)
    if result.returncode == 1:
        assert "Traceback" not in result.stderr
        for line in result.stderr.splitlines()[:-1]:
            assert line.startswith("wsgen.yaml:"), line
        return
    assert result.returncode == 0, result.stderr
    model, _ = load_model(folder / "wsgen.yaml")
    module = _module(generate_files(model)["messages.py"])
    for name in messages:
        cls = message_rules.class_name(name)
        instance = getattr(module, cls)()
        assert instance.type == name
        assert set(type(instance).model_fields) == {"type", *fields}
    for i, name in enumerate(codes):
        assert module.CloseCode[name] == 4000 + i


def test_every_name_messages_py_binds_is_one_no_message_class_may_take() -> None:
    """A message class named like an import of messages.py (Awaitable, Field, ...) would
    replace it: the rules refuse every such name."""
    import ast

    from _apps import REPO

    folder = REPO / "tests" / "cases" / "valid_messages"
    tree = ast.parse((folder / "expected" / "messages.py").read_text(encoding="utf-8"))
    spec = yaml.safe_load((folder / "spec.yaml").read_text(encoding="utf-8"))
    bound: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.Assign):
            bound |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    messages = {message_rules.class_name(name) for name in spec["messages"]}
    public = {
        name
        for name in bound - messages
        if not name.startswith("_") and not name.endswith("Connection")
    }
    lowercase = {"datetime", "json", "uuid"}  # no PascalCase class can be these
    assert public - lowercase <= message_rules.MODULE_NAMES
    assert "Connection" in message_rules.MODULE_NAMES
