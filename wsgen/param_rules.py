"""Semantic rules for one endpoint parameter: its source, type, default and constraints."""

from __future__ import annotations

import math
import re
import uuid
from functools import cache
from itertools import pairwise
from typing import Any

from . import typenames
from .naming import reserved, unreserved
from .paths import CONVERTOR_TYPES, implied_type
from .plain_yaml import MAX_INT_DIGITS
from .ref_rules import SpecView, check_dependency_ref, check_import_ref
from .source import JsonPath

NUMERIC = ("int", "float")
SOURCES = ("path", "query", "header", "cookie")
LIST_SOURCES = ("query", "header")
DEPENDS_KEYS = frozenset({"depends", "type", "description"})
# The types the schema's enum allows (a test keeps the two equal). For any other type the
# schema has said what is wrong, and rules that depend on the type would only repeat it.
SCALAR_TYPES = ("str", "int", "float", "bool", "uuid")
PARAM_TYPES = frozenset((*SCALAR_TYPES, *(f"list[{t}]" for t in SCALAR_TYPES)))
# pydantic-core turns a float bound of an int into an i64: it must be whole and strictly
# between these (-2.0**63 itself fails too), else the route fails at import with "'ge' must
# be coercible to an integer".
INT_BOUND_LIMIT = 2.0**63


def check_param(
    spec: SpecView,
    here: JsonPath,
    name: str,
    param: dict[str, Any],
    in_path: dict[str, str | None],
    path: Any,
) -> None:
    """One entry of a route's ``params``; ``in_path`` maps the path's parameters to their
    convertors, ``path`` is the route's path as written."""
    _check_name(spec, here, name, in_path)
    if not _check_source(spec, here, name, param, in_path, path):
        return
    if param.get("depends") is not None:
        _check_depends(spec, here, param)
        return
    source = param.get("in")
    # An undeclared path parameter's type comes from its convertor, as in build.py.
    implied = implied_type(in_path.get(name)) if source == "path" else "str"
    ptype = param.get("type", implied)
    known = isinstance(ptype, str) and ptype in PARAM_TYPES
    if typenames.is_class(ptype) and source in SOURCES:
        spec.report.error(
            (*here, "type"),
            "param-type",
            f"a class type ('{ptype}') is only for a 'depends' parameter, the result "
            f"of a dependency; a {source} parameter is one of "
            f"{', '.join(SCALAR_TYPES)} or a list of them",
            "use 'depends: <dependency>' with this type, or a type from the list",
        )
    fits = known and _type_fits_source(spec, here, ptype, source)
    if source == "path":
        fits = check_path_param(
            spec, here, name, param, ptype if fits else None, in_path, path
        )
    # One mistake, one error: with a type the schema refuses, that does not fit the
    # source, or that the path's convertor contradicts, the default and the constraints
    # would be checked against a type that is about to change.
    if fits:
        check_default(spec, here, param, ptype)
        check_constraints(spec, here, param, ptype)
        check_enum(spec, here, param, ptype)


def _type_fits_source(spec: SpecView, here: JsonPath, ptype: str, source: Any) -> bool:
    """A list type only for query and header parameters (an unknown source is the
    schema's to report)."""
    if typenames.split(ptype)[1] and source in SOURCES and source not in LIST_SOURCES:
        spec.report.error(
            (*here, "type"),
            "param-type",
            f"a {source} parameter cannot be a list",
            "lists are for 'in: query' and 'in: header'",
        )
        return False
    return True


def _check_name(
    spec: SpecView, here: JsonPath, name: str, in_path: dict[str, str | None]
) -> None:
    if name == "websocket":
        spec.report.error(
            here,
            "reserved-name",
            "parameter name 'websocket' clashes with the endpoint's WebSocket argument",
            "rename the parameter (use 'alias:' to keep the name on the wire)",
            at_key=True,
        )
    elif (why := reserved(name)) and name not in in_path:
        # A reserved name in the path is reported there (route_rules.check_path), with
        # the rename that fixes both.
        spec.report.error(
            here,
            "name",
            f"parameter name '{name}' {why}",
            f"use e.g. '{unreserved(name)}' with 'alias: {name}'",
            at_key=True,
        )


def _check_source(
    spec: SpecView,
    here: JsonPath,
    name: str,
    param: dict[str, Any],
    in_path: dict[str, str | None],
    path: Any,
) -> bool:
    """Whether the parameter has exactly one usable source; else the problem is reported."""
    source, depends = param.get("in"), param.get("depends")
    if name in in_path and source != "path" and (source or depends) is not None:
        key = "in" if source is not None else "depends"
        spec.report.error(
            (*here, key),
            "path-param",
            f"'{name}' is a parameter of the path '{path}', so it cannot also be "
            f"{'a ' + str(source) if source else 'a dependency'} parameter",
            "use 'in: path', or rename one of them",
        )
    elif source is None and depends is None:
        spec.report.error(
            here,
            "param-source",
            f"parameter '{name}' has no source",
            "add 'in: path|query|header|cookie' or 'depends: <dependency>'",
            at_key=True,
        )
    elif source is not None and depends is not None:
        spec.report.error(
            (*here, "depends"),
            "param-source",
            f"parameter '{name}' has both 'in' and 'depends'",
            "keep one of them",
        )
    else:
        return True
    return False


def _check_depends(spec: SpecView, here: JsonPath, param: dict[str, Any]) -> None:
    check_dependency_ref(spec, (*here, "depends"), param["depends"])
    check_import_ref(spec, (*here, "type"), param.get("type"))
    for key in sorted(set(param) - DEPENDS_KEYS):
        spec.report.error(
            (*here, key),
            "param-option",
            f"'{key}' does not apply to a 'depends' parameter",
            "a dependency parameter takes only 'type' (one of the types, or the "
            "class the dependency returns, as 'module.path:Class') and 'description'",
            at_key=True,
        )


def check_path_param(
    spec: SpecView,
    here: JsonPath,
    name: str,
    param: dict[str, Any],
    ptype: str | None,
    in_path: dict[str, str | None],
    path: Any,
) -> bool:
    """The rules of an ``in: path`` parameter; whether its type (None: one already
    refused) agrees with the path, so that rules depending on the type may run."""
    if name not in in_path:
        if isinstance(path, str):
            spec.report.error(
                (*here, "in"),
                "path-param",
                f"'{name}' is declared 'in: path' but '{path}' has no {{{name}}}",
                f"add {{{name}}} to the path, or use 'in: query'",
            )
        return ptype is not None
    for key in ("required", "default", "alias"):
        if key in param and not (key == "required" and param[key] is True):
            spec.report.error(
                (*here, key),
                "path-param",
                f"'{key}' does not apply to a path parameter: it is always "
                "required and named by the path",
                f"remove '{key}'",
                at_key=True,
            )
    convertor = in_path[name]
    if ptype is None:
        return False
    if convertor in CONVERTOR_TYPES and "type" in param:
        implied = CONVERTOR_TYPES[convertor]
        if implied != ptype:
            spec.report.error(
                (*here, "type"),
                "path-param",
                f"'{{{name}:{convertor}}}' makes '{name}' {a_or_an(implied)}, but it is "
                f"declared 'type: {ptype}'",
                f"drop 'type:', or make it 'type: {implied}'",
            )
            return False
    return True


def check_default(
    spec: SpecView,
    here: JsonPath,
    param: dict[str, Any],
    ptype: str,
    what: str = "parameter",
) -> None:
    if "default" not in param:
        return
    default = param["default"]
    if param.get("required") is True:
        spec.report.error(
            (*here, "default"),
            "param-default",
            f"a {what} with a default is not required",
            "remove 'required: true' or the default",
        )
    item_type, is_list = typenames.split(ptype)
    if is_list and not isinstance(default, list):
        spec.report.error(
            (*here, "default"),
            "param-default",
            f"the default of a {ptype} {what} must be a list",
            "write it as [ ... ]",
        )
        return
    if not is_list and isinstance(default, list):
        spec.report.error(
            (*here, "default"),
            "param-default",
            f"the default of {a_or_an(ptype)} {what} cannot be a list",
        )
        return
    values = default if is_list else [default]
    for value in values:
        problem = _default_problem(item_type, value)
        if problem:
            spec.report.error((*here, "default"), "param-default", problem)
            return


def check_constraints(
    spec: SpecView,
    here: JsonPath,
    param: dict[str, Any],
    ptype: str,
    what: str = "parameter",
) -> None:
    for key in ("ge", "gt", "le", "lt"):
        if key not in param:
            continue
        value = param[key]
        if ptype not in NUMERIC:
            spec.report.error(
                (*here, key),
                "constraint",
                f"'{key}' applies only to int and float",
                f"remove '{key}' or change 'type: {ptype}'",
                at_key=True,
            )
        elif isinstance(value, float) and not math.isfinite(value):
            spec.report.error(
                (*here, key), "constraint", f"'{key}' must be a finite number"
            )
        elif ptype == "int" and isinstance(value, float):
            check_int_bound(spec, (*here, key), key, value, what)
    check_lengths(spec, here, param, ptype)
    if "pattern" in param and ptype != "str":
        spec.report.error(
            (*here, "pattern"),
            "constraint",
            "'pattern' applies only to str",
            f"remove 'pattern' or change 'type: {ptype}'",
            at_key=True,
        )
    elif isinstance(param.get("pattern"), str):
        check_pattern(spec, (*here, "pattern"), param["pattern"])


# typing.Literal takes strings, integers and booleans, never floats or UUIDs.
ENUM_FIELD_TYPES = ("str", "int", "bool")


def check_enum(
    spec: SpecView,
    here: JsonPath,
    param: dict[str, Any],
    ptype: str,
    allowed: tuple[str, ...] = ("str",),
) -> None:
    """``enum:`` lists the only values a parameter or message field takes
    (``Literal[...]``): each of its type, each once, the default among them, and no
    constraint beside it.

    A parameter's enum holds strings only: a path, query, header or cookie value reaches
    pydantic as text, and ``Literal[1, 2]`` refuses the text '1' (it is never converted).
    A message field (``allowed``: ENUM_FIELD_TYPES) is JSON, whose numbers are numbers.
    """
    values = param.get("enum")
    if not isinstance(values, list):
        return
    item_type = typenames.split(ptype)[0]
    if item_type not in allowed:
        _enum_type_error(spec, (*here, "enum"), ptype, allowed)
        return
    if _enum_values_problem(spec, (*here, "enum"), values, item_type):
        return
    for key in typenames.CONSTRAINT_KEYS:
        if key in param:
            spec.report.error(
                (*here, key),
                "constraint",
                f"'{key}' does nothing beside 'enum', which names every allowed value",
                f"remove '{key}'",
                at_key=True,
            )
    default = param.get("default")
    defaults = default if isinstance(default, list) else [default]
    if "default" in param and any(not _among(v, values) for v in defaults):
        spec.report.error(
            (*here, "default"),
            "param-default",
            f"the default {default!r} is not one of the enum's values",
            f"use one of: {', '.join(repr(v) for v in values)}",
        )


def _enum_type_error(
    spec: SpecView, here: JsonPath, ptype: str, allowed: tuple[str, ...]
) -> None:
    if allowed == ("str",):
        spec.report.error(
            here,
            "enum",
            f"'enum' applies to str parameters, not {ptype}: FastAPI compares the "
            "text the client sent with each value, and the text '1' is never the "
            "number 1",
            "quote the values and drop 'type:' (e.g. enum: ['1', '2']), or use "
            "'ge'/'le' for a range",
            at_key=True,
        )
    else:
        spec.report.error(
            here,
            "enum",
            f"'enum' applies to {', '.join(allowed)} fields, not {ptype}",
            "remove 'enum', or use bounds ('ge', 'le', ...) for a range",
            at_key=True,
        )


def _enum_values_problem(
    spec: SpecView, here: JsonPath, values: list[Any], item_type: str
) -> bool:
    """Report an enum value of the wrong type, or given twice; whether there was one."""
    for i, value in enumerate(values):
        problem = _default_problem(item_type, value)
        if problem:
            message = problem.replace("the default", "the value", 1)
            spec.report.error((*here, i), "enum", message)
            return True
        if _among(value, values[:i]):
            spec.report.error(
                (*here, i), "enum", f"{value!r} is listed twice", "remove one"
            )
            return True
    return False


def _among(value: Any, values: list[Any]) -> bool:
    # 1 == True in Python, but not as a value of a typed parameter.
    return any(type(value) is type(v) and value == v for v in values)


def check_int_bound(
    spec: SpecView, here: JsonPath, key: str, value: float, what: str = "parameter"
) -> None:
    """A float bound of an int parameter (or message field), which pydantic converts to an
    integer when the route (the model) is created: the import fails unless that
    conversion is exact."""
    where = "route" if what == "parameter" else "module"
    failure = f"the {where} fails at import ('{key}' must be coercible to an integer)"
    if not value.is_integer():
        # The integer bound that admits the same integers: x >= 5.5 is x >= 6.
        same = math.ceil(value) if key in ("ge", "lt") else math.floor(value)
        spec.report.error(
            here,
            "constraint",
            f"'{key}: {value!r}' is not a whole number, so for an int {what} {failure}",
            f"write '{key}: {same}', which admits the same integers, "
            "or make it 'type: float'",
        )
    elif not -INT_BOUND_LIMIT < value < INT_BOUND_LIMIT:
        whole = int(value)
        hint = (
            f"write it as the integer {whole}"
            if len(str(abs(whole))) < MAX_INT_DIGITS
            else "remove it: no int parameter needs a bound this large"
        )
        spec.report.error(
            here,
            "constraint",
            f"'{key}: {value!r}' is a float beyond what pydantic converts to an int "
            f"bound (strictly between -2**63 and 2**63), so {failure}",
            hint,
        )


def check_lengths(
    spec: SpecView, here: JsonPath, param: dict[str, Any], ptype: str
) -> None:
    applies = ptype == "str" or typenames.split(ptype)[1]
    for key in ("min_length", "max_length"):
        if key not in param:
            continue
        if not applies:
            spec.report.error(
                (*here, key),
                "constraint",
                f"'{key}' applies only to str and list types",
                f"remove '{key}' or change 'type: {ptype}'",
                at_key=True,
            )
            continue  # removing it is the fix; its value does not matter then
        value = param[key]
        # JSON Schema counts 5.0 as an integer, but Query(min_length=5.0) fails at import.
        if isinstance(value, float):
            whole = f"{value:.0f}" if math.isfinite(value) else "a whole number"
            spec.report.error(
                (*here, key),
                "constraint",
                f"'{key}' must be an integer, not the float {value!r}",
                f"write it as {whole}",
            )
    low, high = _number(param.get("min_length")), _number(param.get("max_length"))
    if applies and low is not None and high is not None and low > high:
        spec.report.error(
            (*here, "min_length"),
            "constraint",
            f"min_length {low!r} is greater than max_length {high!r}",
            "no value could pass",
        )


def _number(value: Any) -> int | float | None:
    """``value`` when it is an int or a float (not a bool), else None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return None


def check_pattern(spec: SpecView, here: JsonPath, pattern: str) -> None:
    """A ``pattern`` both Python's ``re`` and FastAPI's validator compile."""
    try:
        re.compile(pattern)
    except re.error as exc:
        spec.report.error(
            here,
            "constraint",
            f"'pattern' is not a valid regular expression: {exc}",
        )
        return
    refused = _pydantic_refuses(pattern)
    if refused is not None:
        spec.report.error(
            here,
            "constraint",
            f"'pattern' is refused by FastAPI's validator: {refused} (Python's re "
            "accepts it, but pydantic compiles pattern= with pydantic-core's Rust regex "
            "engine, so the generated route would fail at import)",
            "rewrite it with what both engines support: no look-around such as "
            "(?!...) or (?<=...), no back-references such as \\1",
        )


@cache
def _pydantic_refuses(pattern: str) -> str | None:
    """Why pydantic-core refuses ``pattern`` as a ``str`` field's pattern, or None when it
    compiles it (or when pydantic-core is not installed: then ``re`` is the only check).

    Imported here, not at the top: only a spec with a ``pattern:`` pays for it, so
    ``wsgen validate`` of other specs imports neither FastAPI nor pydantic."""
    try:
        from pydantic_core import SchemaError, SchemaValidator, core_schema
    except ImportError:
        return None
    try:
        SchemaValidator(core_schema.str_schema(pattern=pattern))
    except SchemaError as exc:
        return _regex_problem(str(exc), pattern)
    return None


def _regex_problem(text: str, pattern: str) -> str:
    """The reason in pydantic-core's error, with the part of ``pattern`` it points at.

    The Rust engine's error reads: 'regex parse error:', the pattern indented by four
    spaces, a line of '^' under the offending part, then 'error: REASON'."""
    lines = text.splitlines()
    reasons = [line.strip() for line in lines if line.strip().startswith("error:")]
    if not reasons:
        rest = [line.strip() for line in lines if line.strip()]
        return rest[-1] if rest else "the pattern is refused"
    reason = reasons[-1].removeprefix("error:").strip()
    for shown, carets in pairwise(lines):
        marks = carets.strip()
        if shown == f"    {pattern}" and marks and set(marks) == {"^"}:
            start = carets.index("^") - 4
            return f"{reason} (at '{pattern[start : start + len(marks)]}')"
    return reason


def a_or_an(type_name: str) -> str:
    # "uuid" is said "you-you-id": a uuid.
    vowel = type_name[0] in "aeiou" and not type_name.startswith("uuid")
    return f"an {type_name}" if vowel else f"a {type_name}"


def _default_problem(item_type: str, value: Any) -> str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return "the default must be a finite number"
    ok = {
        "str": isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, (int, float)) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "uuid": isinstance(value, str) and _is_uuid(value),
    }.get(item_type, True)
    if ok:
        return None
    hint = " (quote it if it should be a string)" if item_type == "str" else ""
    return f"the default {value!r} is not {a_or_an(item_type)}{hint}"


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
