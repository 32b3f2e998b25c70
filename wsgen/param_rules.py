"""Semantic rules for one endpoint parameter: its source, type, default and constraints."""

from __future__ import annotations

import keyword
import math
import re
import uuid
from typing import Any

from .errors import Diagnostic
from .loader import JsonPath, SourceMap
from .paths import CONVERTOR_TYPES

NUMERIC = ("int", "float")
LIST_SOURCES = ("query", "header")
DEPENDS_KEYS = frozenset({"depends", "type", "description"})


class ParamRules:
    """The parameter checks of the rule checker, and how every rule reports a problem."""

    source: SourceMap
    out: list[Diagnostic]

    def error(
        self,
        path: JsonPath,
        rule: str,
        message: str,
        hint: str = "",
        *,
        at_key: bool = False,
        severity: str = "error",
    ) -> None:
        self.out.append(
            self.source.diagnostic(
                path, rule, message, hint, at_key=at_key, severity=severity
            )
        )

    def check_dependency_ref(self, here: JsonPath, name: Any) -> None:
        raise NotImplementedError

    def check_param(
        self,
        here: JsonPath,
        name: str,
        param: dict[str, Any],
        in_path: dict[str, str | None],
        path: Any,
    ) -> None:
        if name == "websocket":
            self.error(
                here,
                "reserved-name",
                "parameter name 'websocket' clashes with the endpoint's WebSocket argument",
                "rename the parameter (use 'alias:' to keep the name on the wire)",
                at_key=True,
            )
        elif keyword.iskeyword(name):
            self.error(
                here,
                "name",
                f"parameter name '{name}' is a Python keyword",
                f"use e.g. '{name}_' with 'alias: {name}'",
                at_key=True,
            )
        source, depends = param.get("in"), param.get("depends")
        if name in in_path and source != "path" and (source or depends) is not None:
            key = "in" if source is not None else "depends"
            self.error(
                (*here, key),
                "path-param",
                f"'{name}' is a parameter of the path '{path}', so it cannot also be "
                f"{'a ' + str(source) if source else 'a dependency'} parameter",
                "use 'in: path', or rename one of them",
            )
            return
        if source is None and depends is None:
            self.error(
                here,
                "param-source",
                f"parameter '{name}' has no source",
                "add 'in: path|query|header|cookie' or 'depends: <dependency>'",
                at_key=True,
            )
            return
        if source is not None and depends is not None:
            self.error(
                (*here, "depends"),
                "param-source",
                f"parameter '{name}' has both 'in' and 'depends'",
                "keep one of them",
            )
            return
        if depends is not None:
            self.check_dependency_ref((*here, "depends"), depends)
            for key in sorted(set(param) - DEPENDS_KEYS):
                self.error(
                    (*here, key),
                    "param-option",
                    f"'{key}' does not apply to a 'depends' parameter",
                    "a dependency parameter takes only 'type' and 'description'",
                    at_key=True,
                )
            return
        # An undeclared path parameter type comes from its convertor, as in build.py.
        implied = "str"
        if source == "path":
            implied = CONVERTOR_TYPES.get(in_path.get(name) or "str", "str")
        ptype = param.get("type", implied)
        if not isinstance(ptype, str):
            return
        if ptype.startswith("list[") and source not in LIST_SOURCES:
            self.error(
                (*here, "type"),
                "param-type",
                f"a {source} parameter cannot be a list",
                "lists are for 'in: query' and 'in: header'",
            )
        if source == "path":
            self.check_path_param(here, name, param, ptype, in_path, path)
        self.check_default(here, param, ptype)
        self.check_constraints(here, param, ptype)

    def check_path_param(
        self,
        here: JsonPath,
        name: str,
        param: dict[str, Any],
        ptype: str,
        in_path: dict[str, str | None],
        path: Any,
    ) -> None:
        if name not in in_path:
            if isinstance(path, str):
                self.error(
                    (*here, "in"),
                    "path-param",
                    f"'{name}' is declared 'in: path' but '{path}' has no {{{name}}}",
                    f"add {{{name}}} to the path, or use 'in: query'",
                )
            return
        for key in ("required", "default", "alias"):
            if key in param and not (key == "required" and param[key] is True):
                self.error(
                    (*here, key),
                    "path-param",
                    f"'{key}' does not apply to a path parameter: it is always "
                    "required and named by the path",
                    f"remove '{key}'",
                    at_key=True,
                )
        convertor = in_path[name]
        if convertor in CONVERTOR_TYPES and "type" in param:
            implied = CONVERTOR_TYPES[convertor]
            if implied != ptype:
                self.error(
                    (*here, "type"),
                    "path-param",
                    f"'{{{name}:{convertor}}}' makes '{name}' {a_or_an(implied)}, but it is "
                    f"declared 'type: {ptype}'",
                    f"drop 'type:', or make it 'type: {implied}'",
                )

    def check_default(self, here: JsonPath, param: dict[str, Any], ptype: str) -> None:
        if "default" not in param:
            return
        default = param["default"]
        if param.get("required") is True:
            self.error(
                (*here, "default"),
                "param-default",
                "a parameter with a default is not required",
                "remove 'required: true' or the default",
            )
        item_type = ptype[5:-1] if ptype.startswith("list[") else ptype
        values = (
            default
            if ptype.startswith("list[") and isinstance(default, list)
            else [default]
        )
        if ptype.startswith("list[") and not isinstance(default, list):
            self.error(
                (*here, "default"),
                "param-default",
                f"the default of a {ptype} parameter must be a list",
                "write it as [ ... ]",
            )
            return
        if not ptype.startswith("list[") and isinstance(default, list):
            self.error(
                (*here, "default"),
                "param-default",
                f"the default of {a_or_an(ptype)} parameter cannot be a list",
            )
            return
        for value in values:
            problem = _default_problem(item_type, value)
            if problem:
                self.error((*here, "default"), "param-default", problem)
                return

    def check_constraints(
        self, here: JsonPath, param: dict[str, Any], ptype: str
    ) -> None:
        for key in ("ge", "gt", "le", "lt"):
            if key not in param:
                continue
            value = param[key]
            if ptype not in NUMERIC:
                self.error(
                    (*here, key),
                    "constraint",
                    f"'{key}' applies only to int and float",
                    f"remove '{key}' or change 'type: {ptype}'",
                    at_key=True,
                )
            elif isinstance(value, float) and not math.isfinite(value):
                self.error(
                    (*here, key), "constraint", f"'{key}' must be a finite number"
                )
        for key in ("min_length", "max_length"):
            if key in param and not (ptype == "str" or ptype.startswith("list[")):
                self.error(
                    (*here, key),
                    "constraint",
                    f"'{key}' applies only to str and list types",
                    f"remove '{key}' or change 'type: {ptype}'",
                    at_key=True,
                )
        low, high = param.get("min_length"), param.get("max_length")
        if isinstance(low, int) and isinstance(high, int) and low > high:
            self.error(
                (*here, "min_length"),
                "constraint",
                f"min_length {low} is greater than max_length {high}",
                "no value could pass",
            )
        pattern = param.get("pattern")
        if "pattern" in param and ptype != "str":
            self.error(
                (*here, "pattern"),
                "constraint",
                "'pattern' applies only to str",
                f"remove 'pattern' or change 'type: {ptype}'",
                at_key=True,
            )
        elif isinstance(pattern, str):
            try:
                re.compile(pattern)
            except re.error as exc:
                self.error(
                    (*here, "pattern"),
                    "constraint",
                    f"'pattern' is not a valid regular expression: {exc}",
                )


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
