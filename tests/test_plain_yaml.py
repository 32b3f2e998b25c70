"""The line reader (wsgen/plain_yaml.py) gives exactly what libyaml's reading gives, or
leaves the text to it.

Exactly means the same types too (``True`` is not ``1``) and the same key order, which
decides the order of routers and routes in the generated code. The oracle is the loader's
reading of libyaml's events, which tests/test_loader_paths.py holds to the full reader.
"""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from _apps import EXAMPLES, REPO
from hypothesis import given, settings
from hypothesis import strategies as st

from wsgen import loader, plain_yaml

YAML_FILES = sorted(
    p
    for folder in ("tests", "examples", "templates")
    for p in (REPO / folder).rglob("*.y*ml")
)


def same(a: Any, b: Any) -> bool:
    """Equal, with equal types and key order all the way down."""
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if type(a) is list:
        return len(a) == len(b) and all(map(same, a, b))
    return bool(a == b) or (type(a) is float and math.isnan(a) and math.isnan(b))


def fast(text: str) -> Any:
    try:
        return plain_yaml.read(text)
    except plain_yaml.Unusual:
        return plain_yaml.Unusual


def libyaml(text: str) -> Any:
    try:
        return loader._from_libyaml(text)
    except loader.Unusual:
        return loader.Unusual


def assert_agree(text: str) -> None:
    got = fast(text)
    if got is plain_yaml.Unusual:
        return
    expected = libyaml(text)
    assert expected is not loader.Unusual, f"read what libyaml refuses: {text!r}"
    assert same(got, expected), (text, got, expected)


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_yaml_file_in_the_repository_reads_the_same(path: Path) -> None:
    assert_agree(path.read_bytes().decode("utf-8", errors="replace"))


@pytest.mark.parametrize("spec", sorted(EXAMPLES.glob("*/wsgen.yaml")), ids=str)
def test_the_examples_take_the_line_reader(spec: Path) -> None:
    """Specs as people write them are in the subset: the fast path is the common one."""
    text = spec.read_text(encoding="utf-8")
    assert same(plain_yaml.read(text), libyaml(text))


def test_what_the_subset_holds() -> None:
    text = (
        "version: 1\n"
        "# a comment\n"
        "a:\n"
        "  b: {in: query, type: int, ge: -1, default: 1.5, on: x}\n"
        "  c: [x, 'it''s', \"q\", {k: [1, 2]}]  # trailing\n"
        "  d:\n"
        "  - one\n"
        "  - k: v\n"
        "    l: yes\n"
        "  e: Route {j}: no\n"
        "  f: ~\n"
        "  g:\n"
    )
    assert fast(text) is plain_yaml.Unusual  # 'on' is a boolean key; ': ' in a scalar
    text = text.replace(", on: x", "").replace("Route {j}: no", "Route {j} #no")
    assert fast(text) == {
        "version": 1,
        "a": {
            "b": {"in": "query", "type": "int", "ge": -1, "default": 1.5},
            "c": ["x", "it's", "q", {"k": [1, 2]}],
            "d": ["one", {"k": "v", "l": True}],
            "e": "Route {j}",
            "f": None,
            "g": None,
        },
    }
    assert_agree(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: b\n  c\n",  # a scalar over two lines
        "a: |\n  x\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: 1\na: 2\n",
        "1: a\n",
        "a:\tb\n",
        "a: b\r\n",
        'a: "x\\ty"\n',
        "a: [b,\n  c]\n",
        "a: [b,]\n",
        "---\na: 1\n",
        "a: 2001-12-14\n",
        "<<: {a: 1}\n",
        "  a: 1\n",
        "a:\n    b: 1\n  c: 2\n",
        f"a: {'9' * 101}\n",
    ],
)
def test_outside_the_subset_is_left_to_libyaml(text: str) -> None:
    assert fast(text) is plain_yaml.Unusual


TRICKY = list("ab1-:#'\"{}[], \n\t&*!|>?%@`~.\\") + [": ", " #", "- ", "\n  ", "\n- "]


def mutations(text: str, seed: int, count: int) -> list[str]:
    """Texts that differ from ``text`` by a few inserted, removed or replaced pieces."""
    rng = random.Random(seed)
    found = []
    for _ in range(count):
        chars = list(text)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(chars) + 1)
            action = rng.random()
            if action < 0.4:
                chars.insert(at, rng.choice(TRICKY))
            elif action < 0.7 and at < len(chars):
                del chars[at]
            elif at < len(chars):
                chars[at] = rng.choice(TRICKY)
        found.append("".join(chars))
    return found


SEEDS = [
    p
    for p in YAML_FILES
    if p.stat().st_size < 4000 and p.parent.parent.name in ("cases", "examples")
]


@pytest.mark.parametrize(
    "path", SEEDS[:: max(1, len(SEEDS) // 40)], ids=lambda p: str(p.relative_to(REPO))
)
def test_mutated_specs_read_the_same_or_are_left_to_libyaml(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    for mutated in mutations(text, seed=len(text), count=150):
        assert_agree(mutated)


KEYS = st.text(st.sampled_from(list("abkey_.-1 :#'\"")), min_size=1, max_size=6)
SCALARS = st.one_of(
    st.text(max_size=10),
    st.text(st.sampled_from(list("ab {}[],:#-'\"!&*?|>1.~")), max_size=10),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.sampled_from(
        ["yes", "No", "on", "~", "0x1f", "0o17", "1_000", "1:30", "-", "-a"]
    ),
)
DATA = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(KEYS | st.text(max_size=4), inner, max_size=4),
    max_leaves=24,
)


@settings(max_examples=400)
@given(
    data=st.dictionaries(KEYS, DATA, min_size=1, max_size=4),
    flow=st.sampled_from([None, False, True]),
    indent=st.sampled_from([2, 4]),
)
def test_dumped_yaml_reads_the_same(data: Any, flow: bool | None, indent: int) -> None:
    text = yaml.safe_dump(
        data, default_flow_style=flow, allow_unicode=True, indent=indent, width=60
    )
    assert_agree(text)
    assert_agree(text.replace("\n- ", "\n  - "))  # lists indented under their key
