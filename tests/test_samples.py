"""The example payload of every message is accepted by the model wsgen generates for it.

Each spec is generated with the real CLI and its ``messages.py`` imported; every sample
goes through the message's pydantic model as the connection reads it (JSON text in), and
through the route's receive union when a route receives it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _apps import EXAMPLES, generate, import_isolated

from wsgen.message_rules import class_name
from wsgen.model import Message, MessageField, Scalar
from wsgen.pipeline import load_model
from wsgen.samples import sample

# Every kind of field and constraint a message can have, and patterns to spell out.
VARIED = """\
version: 1
output: pkg
messages:
  everything:
    description: One of each.
    fields:
      word: {type: str}
      short: {type: str, min_length: 3, max_length: 3}
      long_name_for_a_short_field: {type: str, max_length: 4}
      code: {type: str, pattern: '^[A-Z]{2}-\\d{3,}$'}
      either: {type: str, pattern: '^(foo|bar)+baz?$', min_length: 7}
      hexed: {type: str, pattern: '^[^g-z]+$'}
      dotted: {type: str, pattern: '\\w+\\.\\w+', max_length: 10}
      n: {type: int}
      above: {type: int, gt: 10}
      below: {type: int, lt: -5}
      between: {type: int, ge: 3, le: 3}
      ratio: {type: float, gt: 0, lt: 1}
      scale: {type: float, gt: 2.5}
      cap: {type: float, lt: -1.5}
      flag: {type: bool}
      id: {type: uuid}
      at: {type: datetime}
      blob: {type: any}
      mood: {type: str, enum: [happy, sad]}
      level: {type: int, enum: [3, 5]}
      names: {type: "list[str]", min_length: 2, max_length: 3}
      counts: {type: "list[int]", min_length: 1}
      none_allowed: {type: "list[str]", max_length: 0}
      defaulted: {type: int, default: 7, le: 9}
      listed: {type: "list[int]", default: [1, 2]}
      maybe: {type: str, required: false, min_length: 2}
  bare: {}
routers:
  r:
    websockets:
      - path: /ws
        handler: app:handler
        receive: [everything, bare]
        send: [bare]
"""


def _specs(tmp_path: Path) -> list[Path]:
    varied = tmp_path / "varied" / "wsgen.yaml"
    varied.parent.mkdir()
    varied.write_text(VARIED, encoding="utf-8")
    examples = sorted(EXAMPLES.glob("*/wsgen.yaml"))
    return [varied, *(s for s in examples if load_model(s)[0].messages)]


def test_every_sample_is_accepted_by_its_generated_model(tmp_path: Path) -> None:
    checked = 0
    for spec_path in _specs(tmp_path):
        spec, _ = load_model(spec_path)
        out = tmp_path / "gen" / spec_path.parent.name / "pkg"
        generate(spec_path, out)
        (module,) = import_isolated(["pkg.messages"], out.parent)
        unions = {
            route.name: route.contract.receive
            for router in spec.routers
            for route in router.routes
            if route.contract is not None and len(route.contract.receive) > 1
        }
        for message in spec.messages:
            payload = sample(message)
            assert payload is not None, message.name
            assert payload["type"] == message.name
            model = getattr(module, class_name(message.name))
            parsed = model.model_validate_json(json.dumps(payload))
            assert {f.name for f in message.fields} <= set(parsed.model_fields_set) | {
                f.name for f in message.fields if not f.required
            }
            checked += 1
        for router in spec.routers:
            for route in router.routes:
                if route.name in unions:
                    cls = next(
                        getattr(module, n)
                        for n in dir(module)
                        if n.endswith("Connection")
                        and getattr(getattr(module, n), "_tags", None)
                        == frozenset(unions[route.name])
                    )
                    for name in unions[route.name]:
                        payload = sample(
                            next(m for m in spec.messages if m.name == name)
                        )
                        got = cls._receive.validate_json(json.dumps(payload))
                        assert type(got).__name__ == class_name(name)
    assert checked >= 6


def test_samples_are_pure_and_keep_every_field_they_can(tmp_path: Path) -> None:
    spec_path = _specs(tmp_path)[0]
    spec, _ = load_model(spec_path)
    everything = spec.messages[0]
    first = sample(everything)
    assert first == sample(everything)
    assert first is not None
    assert list(first) == ["type", *(f.name for f in everything.fields)]
    assert first["code"] == "AA-000"
    assert first["short"] == "sho"
    assert first["defaulted"] == 7 and first["listed"] == [1, 2]
    assert first["none_allowed"] == []
    assert sample(spec.messages[1]) == {"type": "bare"}


@pytest.mark.parametrize(
    "constraints",
    [
        (
            ("pattern", "^a(?=b)"),
        ),  # look-around: the rules refuse it, nothing spells it
        (("max_length", 4), ("pattern", "^x{5}$")),  # no text fits both
    ],
)
def test_a_field_without_a_value_is_left_out_or_leaves_no_sample(
    constraints: tuple[tuple[str, Scalar], ...],
) -> None:
    required = MessageField("f", "str", False, True, constraints=constraints)
    assert sample(Message("m", None, (required,))) is None
    optional = MessageField("f", "str", False, False, constraints=constraints)
    assert sample(Message("m", None, (optional,))) == {"type": "m"}
