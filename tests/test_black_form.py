"""Generated code is already in black's output form, so wsgen never runs black.

Black stays the definition of "formatted": black (line length 88, target py310) must leave
every generated file unchanged, on every golden case, every example, and specs generated to
stress the layout (long names, many parameters, long paths, descriptions, patterns and
aliases, unicode, quotes and backslashes, nested includes). The oldest and newest black the
package allows are checked in tests/test_black_versions.py (slow).
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import black
import pytest
import yaml
from _apps import EXAMPLES, REPO
from black.mode import Mode, TargetVersion
from hypothesis import given, settings
from hypothesis import strategies as st

from wsgen import layout, render
from wsgen.errors import SpecError
from wsgen.model import Spec
from wsgen.pipeline import generate_files, load_model

MODE = Mode(target_versions={TargetVersion.PY310})
CASES = REPO / "tests" / "cases"
SPECS = sorted(
    [p / "spec.yaml" for p in CASES.iterdir() if (p / "expected").is_dir()]
    + list(EXAMPLES.glob("*/wsgen.yaml"))
)


def assert_black_stable(files: dict[str, str]) -> None:
    for name, text in files.items():
        formatted = black.format_str(text, mode=MODE)
        assert formatted == text, f"black changes {name}:\n{text}"


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.parent.name)
def test_every_golden_and_example_file_is_black_stable(spec: Path) -> None:
    model, _ = load_model(spec)
    assert_black_stable(generate_files(model))


def test_generate_never_imports_black() -> None:
    """Generation itself does without black (the tests import it, so look at the code)."""
    import wsgen

    sources = Path(wsgen.__file__).parent.glob("*.py")
    assert not [p.name for p in sources if "import black" in p.read_text()]


# -- specs that stress the layout -------------------------------------------------------

WIDE = "界面你好🎉"
# Free text: quotes, backslashes, wide and combining characters, line breaks, spaces.
TEXT = st.text(
    st.sampled_from(list(string.ascii_letters[:6] + " '\"\\{}-_/.é" + WIDE) + ["\n"]),
    max_size=120,
)
WORDS = st.text(st.sampled_from(string.ascii_lowercase + "_"), min_size=1, max_size=12)


def identifier(size: int) -> st.SearchStrategy[str]:
    return st.builds(
        lambda head, n: (head + "_" + "x" * n)[:size] or "x",
        WORDS.map(lambda w: "n" + w),
        st.integers(0, size),
    )


NAMES = st.one_of(identifier(12), identifier(40), identifier(90))
MODULES = st.lists(identifier(20), min_size=1, max_size=5).map(".".join)
TYPES = ["str", "int", "float", "bool", "uuid"]
UUID = "12345678-1234-5678-1234-567812345678"


def _default(kind: str, is_list: bool) -> st.SearchStrategy[Any]:
    one: st.SearchStrategy[Any] = {
        "str": TEXT,
        "int": st.integers(-(10**12), 10**12),
        "float": st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: round(f, 3)),
        "bool": st.booleans(),
        "uuid": st.just(UUID),
    }[kind]
    return st.lists(one, max_size=6) if is_list else one


@st.composite
def param(draw: st.DrawFn, deps: list[str]) -> dict[str, Any]:
    if deps and draw(st.integers(0, 5)) == 0:
        return {"depends": draw(st.sampled_from(deps))}
    source = draw(st.sampled_from(["query", "query", "header", "cookie"]))
    kind = draw(st.sampled_from(TYPES if source == "query" else ["str", "int"]))
    is_list = source == "query" and kind in ("str", "int") and draw(st.booleans())
    raw: dict[str, Any] = {"in": source, "type": f"list[{kind}]" if is_list else kind}
    if draw(st.booleans()):
        raw["default"] = draw(_default(kind, is_list))
    if draw(st.booleans()):
        raw["description"] = draw(TEXT)
    if draw(st.integers(0, 3)) == 0:
        raw["deprecated"] = True  # its name joins the endpoint's docstring
    if draw(st.booleans()):
        raw["alias"] = draw(TEXT.filter(lambda t: t.strip() and "\n" not in t))
    if kind == "str" and draw(st.integers(0, 3)) == 0:
        # Literal[...] of an enum: long, many, or quoted values; no default beside it.
        raw["enum"] = draw(st.lists(TEXT, min_size=1, max_size=10, unique=True))
        raw.pop("default", None)
        return raw
    if kind == "str" and not is_list and draw(st.booleans()):
        raw["pattern"] = "^" + draw(st.text("abc-_", max_size=60)) + "$"
    if kind in ("int", "float") and not is_list and draw(st.booleans()):
        raw["ge"] = draw(st.integers(-1000, 0))
    if kind == "str" and not is_list and draw(st.booleans()):
        raw["max_length"] = draw(st.integers(1, 10**6))
    return raw


@st.composite
def route(draw: st.DrawFn, deps: list[str], number: int) -> dict[str, Any]:
    path = "/" + "/".join(draw(st.lists(WORDS, min_size=1, max_size=8)))
    raw: dict[str, Any] = {
        "path": f"{path}{number}",
        "handler": f"{draw(MODULES)}:{draw(NAMES)}",
        "name": f"{draw(NAMES)}{number}",
    }
    if draw(st.booleans()):
        raw["description"] = draw(TEXT)
    if draw(st.integers(0, 3)) == 0:
        raw["deprecated"] = True
    if draw(st.integers(0, 6)) == 0:
        raw["kind"] = "starlette"
        return raw
    if draw(st.booleans()):
        raw["path"] += "/{item_id:int}"
    params = {}
    for _ in range(draw(st.integers(0, 8))):
        params[draw(NAMES)] = draw(param(deps))
    if params:
        raw["params"] = params
    if deps and draw(st.booleans()):
        raw["dependencies"] = draw(st.lists(st.sampled_from(deps), unique=True))
    return raw


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    deps = draw(st.lists(NAMES, max_size=4, unique=True))
    routers = draw(st.lists(identifier(30), min_size=1, max_size=3, unique=True))
    spec: dict[str, Any] = {"version": 1}
    if deps:
        spec["dependencies"] = {d: f"{draw(MODULES)}:{draw(NAMES)}" for d in deps}
    spec["routers"] = {}
    for number, name in enumerate(routers):
        count = draw(st.integers(1, 3))
        raw: dict[str, Any] = {
            "websockets": [draw(route(deps, number * 10 + i)) for i in range(count)]
        }
        if draw(st.booleans()):
            raw["prefix"] = "/" + "/".join(
                draw(st.lists(WORDS, min_size=1, max_size=6))
            )
        if deps and draw(st.booleans()):
            raw["dependencies"] = draw(st.lists(st.sampled_from(deps), unique=True))
        if number + 1 < len(routers) and draw(st.booleans()):  # a chain: no cycles
            include: dict[str, Any] = {"router": routers[number + 1]}
            if draw(st.booleans()):
                include["prefix"] = "/" + draw(WORDS)
            if deps and draw(st.booleans()):
                include["dependencies"] = draw(
                    st.lists(st.sampled_from(deps), unique=True)
                )
            raw["include"] = [include]
        spec["routers"][name] = raw
    if draw(st.booleans()):
        app: dict[str, Any] = {"include": [{"router": routers[0]}]}
        for key in ("title", "description", "version"):
            if draw(st.booleans()):
                app[key] = draw(TEXT)
        if deps and draw(st.booleans()):
            app["dependencies"] = draw(st.lists(st.sampled_from(deps), unique=True))
        spec["app"] = app
    return spec


def generated_black_stable(
    tmp_path_factory: pytest.TempPathFactory, spec: dict[str, Any]
) -> Spec | None:
    """The model of ``spec``, once black is shown to leave its files unchanged; None
    when wsgen refuses the spec (it then has nothing to lay out)."""
    path = tmp_path_factory.mktemp("spec") / "wsgen.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    try:
        model, _ = load_model(path)
    except SpecError:
        return None
    assert_black_stable(generate_files(model))
    return model


@settings(max_examples=150)
@given(spec=specs())
def test_generated_specs_are_black_stable(
    tmp_path_factory: pytest.TempPathFactory, spec: dict[str, Any]
) -> None:
    model = generated_black_stable(tmp_path_factory, spec)
    if model is None:
        return
    for router in model.routers:  # the one-line fast path says what the chunk says
        for endpoint in render.router_context(model, router).endpoints:
            for param in endpoint.params:
                chunk = layout.param_chunk(param)
                assert layout.param_text(param) == layout.flat(chunk)


@given(
    text=st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60)
)
def test_widths_are_blacks(text: str) -> None:
    from black.strings import str_width

    assert layout.width(text) == str_width(text)
