"""Check a loaded spec: first its structure against the JSON Schema, then the semantic rules.

Every problem is collected before anything is reported. jsonschema's own wording
("'/api/' does not match '^(/.*[^/\\n])?(?!\\n)$'") is translated here into messages that say
what is wrong and how to fix it; the schema stays the single source of truth for structure.
jsonschema is imported only for a spec that does not conform: schema_check recognises
one that does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import resources, rules, schema_check
from .errors import Diagnostic, SpecError
from .loader import JsonPath, LoadedSpec, SourceMap
from .naming import did_you_mean, suggest_identifier

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
    path: JsonPath = tuple(error.absolute_path)
    keyword = error.validator
    value: Any = error.instance
    rule_value: Any = error.validator_value
    schema = error.schema if isinstance(error.schema, dict) else {}
    if "propertyNames" in error.absolute_schema_path:
        # The failing value is a key of the mapping at ``path``.
        return [
            source.diagnostic(
                (*path, value),
                "name",
                f"'{value}' is not a valid Python identifier",
                f"use letters, digits and '_', e.g. '{suggest_identifier(str(value))}'",
                at_key=True,
            )
        ]
    if keyword == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        return [
            source.diagnostic(
                (*path, key),
                "unknown-key",
                f"unknown key '{key}'",
                did_you_mean(key, allowed) or f"allowed keys: {', '.join(allowed)}",
                at_key=True,
            )
            for key in sorted(set(value) - set(allowed))
        ]
    if keyword == "required":
        missing = [k for k in rule_value if k not in value]
        return [
            source.diagnostic(path, "required", f"missing required key '{key}'")
            for key in missing
        ]
    if keyword == "type":
        expected = rule_value
        names = [expected] if isinstance(expected, str) else list(expected)
        wanted = " or ".join(_SCHEMA_TYPES.get(n, n) for n in names)
        hint = ""
        if isinstance(value, bool) and "string" in names:
            hint = "YAML reads yes/no/on/off/true/false as booleans; quote the value"
        elif isinstance(value, (int, float)) and "string" in names:
            hint = "quote the value to make it a string"
        elif value is None:
            hint = "give it a value or remove the key"
        return [
            source.diagnostic(
                path, "type", f"must be {wanted}, not {_kind(value)}", hint
            )
        ]
    if keyword == "const" and path == ("version",):
        return [
            source.diagnostic(
                path,
                "version",
                f"unsupported spec version {value!r}",
                (
                    "write it without quotes: 'version: 1'"
                    if value == "1"
                    else "this wsgen reads 'version: 1'"
                ),
            )
        ]
    if keyword == "enum":
        choices = [str(c) for c in rule_value]
        return [
            source.diagnostic(
                path,
                "enum",
                f"{value!r} is not one of: {', '.join(choices)}",
                did_you_mean(str(value), choices),
            )
        ]
    if keyword == "pattern":
        return [_pattern(def_names.get(id(error.schema), ""), path, str(value), source)]
    if keyword == "minProperties":
        return [
            source.diagnostic(
                path, "empty", "must not be empty", "declare at least one"
            )
        ]
    if keyword == "minLength":
        return [source.diagnostic(path, "empty", "must not be empty")]
    if keyword == "minimum":
        return [
            source.diagnostic(
                path,
                "minimum",
                f"must be at least {rule_value}, not {value!r}",
            )
        ]
    if keyword == "anyOf" and path and path[-1] == "default":
        return [
            source.diagnostic(
                path,
                "type",
                f"must be a string, number, boolean or a list of them, not {_kind(value)}",
            )
        ]
    return [source.diagnostic(path, "schema", error.message)]


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
