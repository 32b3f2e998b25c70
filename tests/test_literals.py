"""The one place where spec values become source text: every value must come back unchanged."""

from __future__ import annotations

import ast
import uuid

import pytest

from wsgen.literals import docstring, py_literal

HOSTILE = [
    "plain",
    "it's",
    'say "hi"',
    '"""',
    "'''",
    "back\\slash\\",
    "new\nline",
    "\r\n",
    "{{ jinja }} {% if x %}",
    "\u2028line separator\u2029",
    "nul\x00byte",
    "tab\tand\x7fdel",
    "ünïcødé ✓",
    "x" * 5000,
]


@pytest.mark.parametrize("value", HOSTILE)
def test_string_literals_evaluate_back_to_the_same_string(value: str) -> None:
    assert ast.literal_eval(py_literal(value)) == value


@pytest.mark.parametrize(
    "value",
    [0, -3, 10**30, 1.5, -0.0, 1e-300, True, False, None, [1, "a", 2.5], (True,)],
)
def test_scalars_and_lists(value: object) -> None:
    expected = list(value) if isinstance(value, tuple) else value
    assert ast.literal_eval(py_literal(value)) == expected


def test_uuid_literal_is_a_constructor_call() -> None:
    value = uuid.UUID("6f1c5a34-0f46-4d0a-8a55-3c1f0e2b1a99")
    assert py_literal(value) == 'uuid.UUID("6f1c5a34-0f46-4d0a-8a55-3c1f0e2b1a99")'


@pytest.mark.parametrize("value", [float("inf"), float("nan"), object(), {"a": 1}])
def test_values_without_a_safe_literal_are_refused(value: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        py_literal(value)


@pytest.mark.parametrize("value", [v for v in HOSTILE if v.strip()])
def test_docstrings_cannot_escape_and_keep_their_text(value: str) -> None:
    source = f'def f():\n    """{docstring(value)}"""\n'
    tree = ast.parse(source)
    func = tree.body[0]
    assert isinstance(func, ast.FunctionDef)
    assert len(func.body) == 1  # nothing but the docstring: no injected statements
    text = ast.get_docstring(func, clean=False)
    assert text is not None
    assert text == value.strip().replace("\n", "\n    ")
