"""The two ways of reading a spec agree: the plain reader (events, no positions) gives the
same data as the full reader, or leaves the spec to it.

The full reader keeps a position for every key and value and reports every problem; the
plain one reads most specs in a fraction of the time and bails out on anything it does not
handle (tags, anchors, duplicate or non-string keys, merge keys, timestamps, huge integers,
deep nesting, several documents, a syntax error). Positions come from the full reader the
first time a diagnostic needs one, so every diagnostic keeps its line and column (the
golden error cases check them).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from _apps import REPO
from hypothesis import given
from hypothesis import strategies as st

from wsgen import loader
from wsgen.errors import SpecError

YAML_FILES = sorted(
    p
    for folder in ("tests", "examples", "templates")
    for p in (REPO / folder).rglob("*.y*ml")
)


def both(text: str) -> tuple[object, object]:
    try:
        plain = loader._plain_data(text)
    except loader.Unusual:
        plain = "unusual"
    try:
        full: object = loader._read(text, "f")
    except SpecError as error:
        full = error
    return plain, full


def assert_agree(text: str) -> None:
    plain, full = both(text)
    if plain == "unusual":
        return
    assert isinstance(full, loader.LoadedSpec), full
    assert full.problems == ()
    assert plain == full.data


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_spec_in_the_repository_reads_the_same(path: Path) -> None:
    assert_agree(path.read_bytes().decode("utf-8", errors="replace"))


SCALARS = st.one_of(
    st.text(max_size=8),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.sampled_from(
        ["yes", "No", "on", "~", "0x1f", "0o17", "1_000", "2001-12-14", "<<"]
    ),
)
DATA = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


@given(data=DATA, flow=st.booleans())
def test_any_yaml_reads_the_same(data: object, flow: bool) -> None:
    assert_agree(yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True))


@given(text=st.text(st.sampled_from(list("ab:- \n[]{},'\"&*!#<>|?1")), max_size=40))
def test_any_text_reads_the_same_or_is_left_to_the_full_reader(text: str) -> None:
    assert_agree(text)


def test_positions_are_found_only_when_a_diagnostic_asks() -> None:
    spec = loader.load_text("version: 1\nrouters:\n  chat: {}\n", "f")
    assert spec.source.locate is not None  # nothing asked yet
    assert spec.source.value(("routers", "chat")) == (3, 9)
    assert spec.source.key(("routers", "chat")) == (3, 3)
    assert spec.source.locate is None
