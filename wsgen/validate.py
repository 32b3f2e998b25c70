"""Check a loaded spec: first its structure against the JSON Schema, then the semantic rules.

Every problem is collected before anything is reported. jsonschema's own wording
("'/api/' does not match '^(/.*[^/\\n])?(?!\\n)$'") is translated here into messages that say
what is wrong and how to fix it; the schema stays the single source of truth for structure.
jsonschema is imported only for a spec that does not conform: schema_check recognises
one that does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from . import resources, rules, schema_check
from .errors import Diagnostic, SpecError
from .loader import LoadedSpec
from .naming import did_you_mean, suggest_identifier
from .source import JsonPath, SourceMap

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

_YAML_TYPES = {
    dict: "a mapping",
    list: "a list",
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    type(None): "empty (null)",
}
_SCHEMA_TYPES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
}


def validate(loaded: LoadedSpec) -> list[Diagnostic]:
    """Raise SpecError listing every problem in the spec; return its warnings when valid."""
    read = {d.path for d in loaded.problems}
    problems = [*loaded.problems]
    for diagnostic in schema_diagnostics(loaded):
        # A key dropped while reading (e.g. a non-string key) leaves its mapping looking
        # empty or incomplete; the reading problem already says why.
        if diagnostic.path not in read:
            problems.append(diagnostic)
    broken = {d.path for d in problems}
    for diagnostic in rules.check(loaded.data, loaded.source):
        # A value the schema already rejected would only be reported twice.
        if not any(_within(diagnostic.path, b) for b in broken):
            problems.append(diagnostic)
    if any(d.severity == "error" for d in problems):
        raise SpecError(problems)
    return problems


def _within(path: str, broken: str) -> bool:
    return bool(broken) and (
        path == broken or path.startswith((broken + ".", broken + "["))
    )


def schema_diagnostics(loaded: LoadedSpec) -> list[Diagnostic]:
    """The schema's complaints about the spec, located and translated.

    jsonschema, slow to import, is only needed to word the errors of a spec that does not
    conform; schema_check answers whether it does.
    """
    if schema_check.conforms(loaded.data) is True:
        return []
    from jsonschema import Draft202012Validator

    schema = resources.schema()
    def_names = {id(sub): name for name, sub in schema["$defs"].items()}
    out: list[Diagnostic] = []
    for error in Draft202012Validator(schema).iter_errors(loaded.data):
        out.extend(_translate(error, loaded.source, def_names))
    return out


def _kind(value: Any) -> str:
    return _YAML_TYPES.get(type(value), type(value).__name__)


def _translate(
    error: ValidationError, source: SourceMap, def_names: dict[int, str]
) -> list[Diagnostic]:
    failure = _Failure(
        tuple(error.absolute_path),
        error.instance,
        error.validator_value,
        error.schema if isinstance(error.schema, dict) else {},
        def_names.get(id(error.schema), ""),
        source,
    )
    if "propertyNames" in error.absolute_schema_path:
        return [_key_name(failure)]  # the failing value is a key of the mapping
    wording = _WORDING.get(str(error.validator))
    found = wording(failure) if wording is not None else None
    if found is None:
        return [source.diagnostic(failure.path, "schema", error.message)]
    return found if isinstance(found, list) else [found]


class _Failure(NamedTuple):
    """One schema keyword that a value does not satisfy."""

    path: JsonPath
    value: Any
    rule_value: Any  # the keyword's value in the schema
    schema: dict[str, Any]  # the schema object holding the keyword
    def_name: str  # the $defs entry that schema object is, if it is one
    source: SourceMap

    def diagnostic(
        self, rule: str, message: str, hint: str = "", *, at_key: bool = False
    ) -> Diagnostic:
        return self.source.diagnostic(self.path, rule, message, hint, at_key=at_key)


def _key_name(f: _Failure) -> Diagnostic:
    return f.source.diagnostic(
        (*f.path, f.value),
        "name",
        f"'{f.value}' is not a valid Python identifier",
        f"use letters, digits and '_', e.g. '{suggest_identifier(str(f.value))}'",
        at_key=True,
    )


def _unknown_keys(f: _Failure) -> list[Diagnostic]:
    allowed = sorted(f.schema.get("properties", {}))
    return [
        f.source.diagnostic(
            (*f.path, key),
            "unknown-key",
            f"unknown key '{key}'",
            did_you_mean(key, allowed) or f"allowed keys: {', '.join(allowed)}",
            at_key=True,
        )
        for key in sorted(set(f.value) - set(allowed))
    ]


def _required(f: _Failure) -> list[Diagnostic]:
    missing = [k for k in f.rule_value if k not in f.value]
    return [
        f.diagnostic("required", f"missing required key '{key}'") for key in missing
    ]


def _type(f: _Failure) -> Diagnostic:
    names = [f.rule_value] if isinstance(f.rule_value, str) else list(f.rule_value)
    wanted = " or ".join(_SCHEMA_TYPES.get(n, n) for n in names)
    hint = ""
    if isinstance(f.value, bool) and "string" in names:
        hint = "YAML reads yes/no/on/off/true/false as booleans; quote the value"
    elif isinstance(f.value, (int, float)) and "string" in names:
        hint = "quote the value to make it a string"
    elif f.value is None:
        hint = "give it a value or remove the key"
    return f.diagnostic("type", f"must be {wanted}, not {_kind(f.value)}", hint)


def _const(f: _Failure) -> Diagnostic | None:
    if f.path != ("version",):
        return None
    hint = (
        "write it without quotes: 'version: 1'"
        if f.value == "1"
        else "this wsgen reads 'version: 1'"
    )
    return f.diagnostic("version", f"unsupported spec version {f.value!r}", hint)


def _enum(f: _Failure) -> Diagnostic:
    choices = [str(c) for c in f.rule_value]
    return f.diagnostic(
        "enum",
        f"{f.value!r} is not one of: {', '.join(choices)}",
        did_you_mean(str(f.value), choices),
    )


def _any_of(f: _Failure) -> Diagnostic | None:
    if f.path and f.path[-1] == "type" and f.def_name == "":
        return _param_type(f)
    if not f.path or f.path[-1] != "default":
        return None
    return f.diagnostic(
        "type",
        f"must be a string, number, boolean or a list of them, not {_kind(f.value)}",
    )


def _param_type(f: _Failure) -> Diagnostic:
    """A parameter's ``type``: one of the listed types, or a class as 'module:Class'
    (which only a 'depends' parameter may have: param_rules says so)."""
    if isinstance(f.value, str) and ":" in f.value:
        return _pattern("import_ref", f.path, f.value, f.source)
    [choices] = [sub["enum"] for sub in f.rule_value if "enum" in sub]
    if not isinstance(f.value, str):
        return _type(f._replace(rule_value="string"))
    return _enum(f._replace(rule_value=choices))


_WORDING: dict[str, Callable[[_Failure], Diagnostic | list[Diagnostic] | None]] = {
    "additionalProperties": _unknown_keys,
    "required": _required,
    "type": _type,
    "const": _const,
    "enum": _enum,
    "pattern": lambda f: _pattern(f.def_name, f.path, str(f.value), f.source),
    "minProperties": lambda f: f.diagnostic(
        "empty", "must not be empty", "declare at least one"
    ),
    "minLength": lambda f: f.diagnostic("empty", "must not be empty"),
    "minItems": lambda f: f.diagnostic("empty", "must not be empty"),
    "minimum": lambda f: f.diagnostic(
        "minimum", f"must be at least {f.rule_value}, not {f.value!r}"
    ),
    "anyOf": _any_of,
}


def _pattern(
    def_name: str, path: JsonPath, value: str, source: SourceMap
) -> Diagnostic:
    if def_name == "prefix":
        when = "included" if "include" in path else "created"
        assertion = f"(FastAPI asserts this when the router is {when})"
        if "\n" in value:
            return source.diagnostic(
                path,
                "prefix",
                f"'{value}' must be one line",
                "remove the line break",
            )
        if not value.startswith("/"):
            return source.diagnostic(
                path,
                "prefix",
                f"'{value}' must start with '/' {assertion}",
                f"use '/{value.rstrip('/')}'",
            )
        fixed = value.rstrip("/")
        hint = f"use '{fixed}'" if fixed else "use '' for no prefix, or remove the key"
        return source.diagnostic(
            path, "prefix", f"'{value}' must not end with '/' {assertion}", hint
        )
    if def_name == "import_ref":
        module, _, attribute = value.rpartition(".")
        example = (
            f"'{module}:{attribute}'"
            if ":" not in value and module
            else ("'chat_app.deps:verify_auth'")
        )
        return source.diagnostic(
            path,
            "import-ref",
            f"'{value}' is not an import reference",
            f"write it as 'module.path:attribute', e.g. {example}",
        )
    if def_name == "identifier":
        return source.diagnostic(
            path,
            "name",
            f"'{value}' is not a valid Python identifier",
            f"use letters, digits and '_', e.g. '{suggest_identifier(value)}'",
        )
    return source.diagnostic(path, "schema", f"{value!r} has the wrong form")
