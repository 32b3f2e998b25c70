"""Tell whether a spec conforms to wsgen's JSON Schema without importing jsonschema.

Importing jsonschema takes longer than everything else ``wsgen validate`` does on a small
spec, and a spec that conforms needs none of its error reports. So validate.py asks this
module first and runs jsonschema only for a spec that does not conform, to say why.

The answer must be exactly jsonschema's (Draft 2020-12), so this module implements only the
keywords schemas/wsgen.schema.json uses, with jsonschema's own semantics: booleans are
neither integers nor numbers, a float like 1.0 is an integer, ``enum`` and ``const`` compare
without letting ``True`` equal ``1``, ``pattern`` searches anywhere in the string, ``items``
applies to every element. A schema with any other keyword, or a ``$ref`` that is not a local
``#/$defs/NAME``, is refused with Unsupported instead of being half checked.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

from . import resources

Check = Callable[[Any], bool]

# Keywords that describe or hold schemas but assert nothing about an instance.
_ANNOTATIONS = frozenset(
    {"$schema", "$defs", "$comment", "title", "description", "default", "examples"}
)
_DEFS = "#/$defs/"


class Unsupported(Exception):
    """The schema uses something this module does not implement; ask jsonschema."""


def conforms(instance: Any) -> bool | None:
    """Whether ``instance`` is valid against wsgen's schema; None if this cannot tell."""
    try:
        check = _wsgen_check()
    except Unsupported:
        return None
    return check(instance)


@cache
def _wsgen_check() -> Check:
    return compile_schema(resources.schema())


def compile_schema(root: Mapping[str, Any]) -> Check:
    """A function answering whether an instance is valid against ``root``.

    Raises Unsupported when ``root`` uses a keyword or reference outside this module's subset.
    """
    return _Compiler(_dict(root.get("$defs", {}))).build(root)


class _Compiler:
    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs
        self.compiled: dict[str, Check] = {}

    def ref(self, target: Any) -> Check:
        if not isinstance(target, str) or not target.startswith(_DEFS):
            raise Unsupported(f"$ref {target!r}")
        name = target[len(_DEFS) :]
        if set(name) & set("/~%"):
            raise Unsupported(f"$ref {target!r} needs JSON Pointer unescaping")
        if name not in self.defs:
            raise Unsupported(f"$ref {target!r} names no definition")
        compiled = self.compiled
        if name not in compiled:
            # A definition that refers to itself reaches this placeholder, which looks
            # the finished check up when it runs.
            compiled[name] = lambda instance: compiled[name](instance)
            compiled[name] = self.build(self.defs[name])
        return compiled[name]

    def build(self, schema: Any) -> Check:
        if schema is True:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, dict):
            raise Unsupported(f"not a schema: {schema!r}")
        kind = schema.get("type")
        keys = schema.keys() - _ANNOTATIONS
        if kind == "object" and keys <= _OBJECT_KEYS:
            return self.object(schema)
        if kind == "string" and keys <= _STRING_KEYS:
            return _string(
                _count(schema.get("minLength", 0)),
                (
                    re.compile(_of(schema["pattern"], str))
                    if "pattern" in schema
                    else None
                ),
            )
        checks = [
            self.keyword(name, value, schema)
            for name, value in schema.items()
            if name not in _ANNOTATIONS
        ]
        return _all_of(checks) if checks else _always

    def object(self, schema: dict[str, Any]) -> Check:
        """The keywords of an object schema as one check that looks at each entry once
        (the same answer as checking them one by one)."""
        subs = {
            k: self.build(sub) for k, sub in _dict(schema.get("properties", {})).items()
        }
        additional = schema.get("additionalProperties")
        return _object(
            subs,
            None if additional is None else self.build(additional),
            _list(schema.get("required", []), str),
            self.build(schema["propertyNames"]) if "propertyNames" in schema else None,
            _count(schema.get("minProperties", 0)),
        )

    def keyword(self, name: str, value: Any, schema: dict[str, Any]) -> Check:
        build = self.build
        if name == "$ref":
            return self.ref(value)
        if name == "properties":
            return _properties({key: build(sub) for key, sub in _dict(value).items()})
        if name == "additionalProperties":
            known = frozenset(_dict(schema.get("properties", {})))
            return _additional(known, build(value))
        if name == "propertyNames":
            return _property_names(build(value))
        if name == "items":
            return _items(build(value))
        if name == "anyOf":
            return _any_of([build(sub) for sub in _list(value, object)])
        leaf = _LEAVES.get(name)
        if leaf is None:
            raise Unsupported(f"keyword {name!r}")
        return leaf(value)


# Schemas of one type with only these keywords are checked by one function each.
_OBJECT_KEYS = frozenset(
    {
        "type",
        "properties",
        "additionalProperties",
        "required",
        "propertyNames",
        "minProperties",
    }
)
_STRING_KEYS = frozenset({"type", "minLength", "pattern"})

# Keywords whose check depends on their value alone.
_LEAVES: dict[str, Callable[[Any], Check]] = {
    "type": lambda value: _type(value),
    "required": lambda value: _required(_list(value, str)),
    "minProperties": lambda value: _min_properties(_count(value)),
    "minItems": lambda value: _min_items(_count(value)),
    "enum": lambda value: _enum(_list(value, object)),
    "const": lambda value: lambda instance: _equal(instance, value),
    "pattern": lambda value: _pattern(re.compile(_of(value, str))),
    "minLength": lambda value: _min_length(_count(value)),
    "minimum": lambda value: _minimum(_of(value, (int, float))),
}


# -- checking values of the schema itself ----------------------------------------------------


def _of(value: Any, kind: type | tuple[type, ...]) -> Any:
    if isinstance(value, bool) or not isinstance(value, kind):
        raise Unsupported(f"unexpected keyword value {value!r}")
    return value


def _count(value: Any) -> int:
    count: int = _of(value, int)
    if count < 0:
        raise Unsupported(f"negative count {value!r}")
    return count


def _dict(value: Any) -> dict[str, Any]:
    checked: dict[str, Any] = _of(value, dict)
    return checked


def _list(value: Any, kind: type) -> list[Any]:
    checked: list[Any] = _of(value, list)
    for each in checked:
        if not isinstance(each, kind):
            raise Unsupported(f"unexpected keyword value {value!r}")
    return checked


# -- instance checks, each as jsonschema's keyword of the same name --------------------------


def _always(instance: Any) -> bool:
    return True


def _never(instance: Any) -> bool:
    return False


def _is_integer(instance: Any) -> bool:
    if isinstance(instance, bool):
        return False
    return isinstance(instance, int) or (
        isinstance(instance, float) and instance.is_integer()
    )


def _is_number(instance: Any) -> bool:
    return isinstance(instance, numbers.Number) and not isinstance(instance, bool)


_TYPES: dict[str, Check] = {
    "object": lambda instance: isinstance(instance, dict),
    "array": lambda instance: isinstance(instance, list),
    "string": lambda instance: isinstance(instance, str),
    "boolean": lambda instance: isinstance(instance, bool),
    "null": lambda instance: instance is None,
    "integer": _is_integer,
    "number": _is_number,
}


def _type(value: Any) -> Check:
    names = [value] if isinstance(value, str) else _list(value, str)
    if not names or any(name not in _TYPES for name in names):
        raise Unsupported(f"type {value!r}")
    tests = [_TYPES[name] for name in names]
    if len(tests) == 1:
        return tests[0]
    return lambda instance: any(test(instance) for test in tests)


def _all_of(checks: list[Check]) -> Check:
    def check(instance: Any) -> bool:
        for each in checks:
            if not each(instance):
                return False
        return True

    return checks[0] if len(checks) == 1 else check


def _properties(subs: dict[str, Check]) -> Check:
    def check(instance: Any) -> bool:
        if isinstance(instance, dict):
            for key, item in instance.items():
                sub = subs.get(key)
                if sub is not None and not sub(item):
                    return False
        return True

    return check


def _additional(known: frozenset[str], sub: Check) -> Check:
    def check(instance: Any) -> bool:
        if isinstance(instance, dict):
            for key, item in instance.items():
                if key not in known and not sub(item):
                    return False
        return True

    return check


def _property_names(sub: Check) -> Check:
    def check(instance: Any) -> bool:
        if isinstance(instance, dict):
            for key in instance:
                if not sub(key):
                    return False
        return True

    return check


def _required(keys: list[str]) -> Check:
    def check(instance: Any) -> bool:
        if isinstance(instance, dict):
            for key in keys:
                if key not in instance:
                    return False
        return True

    return check


def _object(
    subs: dict[str, Check],
    additional: Check | None,
    required: list[str],
    names: Check | None,
    least: int,
) -> Check:
    """type: object, properties, additionalProperties, required, propertyNames and
    minProperties, in one pass over the entries."""

    def check(instance: Any) -> bool:
        if not isinstance(instance, dict) or len(instance) < least:
            return False
        for key in required:
            if key not in instance:
                return False
        for key, item in instance.items():
            if names is not None and not names(key):
                return False
            sub = subs.get(key, additional)
            if sub is not None and not sub(item):
                return False
        return True

    return check


def _string(least: int, regex: re.Pattern[str] | None) -> Check:
    """type: string, minLength and pattern."""

    def check(instance: Any) -> bool:
        return (
            isinstance(instance, str)
            and len(instance) >= least
            and (regex is None or regex.search(instance) is not None)
        )

    return check


def _min_properties(least: int) -> Check:
    return lambda instance: not isinstance(instance, dict) or len(instance) >= least


def _min_items(least: int) -> Check:
    return lambda instance: not isinstance(instance, list) or len(instance) >= least


def _items(sub: Check) -> Check:
    def check(instance: Any) -> bool:
        if isinstance(instance, list):
            for item in instance:
                if not sub(item):
                    return False
        return True

    return check


def _any_of(subs: list[Check]) -> Check:
    if not subs:
        raise Unsupported("anyOf without schemas")

    def check(instance: Any) -> bool:
        for sub in subs:
            if sub(instance):
                return True
        return False

    return check


def _enum(choices: list[Any]) -> Check:
    # A str choice equals a plain str only if it has the same text: found by hashing.
    texts = frozenset(choice for choice in choices if isinstance(choice, str))
    others = [choice for choice in choices if not isinstance(choice, str)]

    def check(instance: Any) -> bool:
        if type(instance) is str:
            return instance in texts or any(_equal(c, instance) for c in others)
        return any(_equal(choice, instance) for choice in choices)

    return check


def _pattern(regex: re.Pattern[str]) -> Check:
    return lambda instance: (
        not isinstance(instance, str) or regex.search(instance) is not None
    )


def _min_length(least: int) -> Check:
    return lambda instance: not isinstance(instance, str) or len(instance) >= least


def _minimum(least: float) -> Check:
    return lambda instance: not _is_number(instance) or not instance < least


def _equal(one: Any, two: Any) -> bool:
    """jsonschema's equality: as Python's, except that booleans equal only booleans."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(_equal(a, b) for a, b in zip(one, two))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(
            key in two and _equal(value, two[key]) for key, value in one.items()
        )
    return bool(_unbool(one) == _unbool(two))


_TRUE = object()
_FALSE = object()


def _unbool(value: Any) -> Any:
    if value is True:
        return _TRUE
    if value is False:
        return _FALSE
    return value
