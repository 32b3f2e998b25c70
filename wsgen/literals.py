"""The one place where spec values become Python source text.

Templates never quote anything themselves: a value reaches generated code as an identifier
that validation has proven safe, as a literal through ``py_literal`` (built on ``repr``,
which always yields a valid literal that evaluates back to the same value), or as docstring
text through ``docstring``.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from functools import lru_cache
from typing import Any


def py_literal(value: Any) -> str:
    if isinstance(value, str):
        return _black_quotes(repr(value))
    if value is None or isinstance(value, (bool, int)):
        return repr(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} has no Python literal")
        return repr(value)
    if isinstance(value, uuid.UUID):
        return f'uuid.UUID("{value}")'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(py_literal(item) for item in value) + "]"
    raise TypeError(f"no literal for {type(value).__name__}")


_ESCAPED_SINGLE = re.compile(r"([^\\]|^)\\((?:\\\\)*)'")
_UNESCAPED_DOUBLE = re.compile(r'(([^\\]|^)(\\\\)*)"')


def _sub_twice(regex: re.Pattern[str], replacement: str, text: str) -> str:
    # Matches can overlap (the character before a quote is part of the match).
    return regex.sub(replacement, regex.sub(replacement, text))


def _black_quotes(literal: str) -> str:
    """A ``repr`` string literal in black's quotes: double, unless that needs more
    backslashes (black's ``normalize_string_quotes`` for plain strings)."""
    if literal[0] == '"':
        return literal  # repr chose double quotes: the text has ' and no "
    body = literal[1:-1]
    if '"' not in body and "'" not in body:
        return f'"{body}"'
    new = _sub_twice(_ESCAPED_SINGLE, r"\1\2'", body)
    new = _sub_twice(_UNESCAPED_DOUBLE, r'\1\\"', new)
    if new.count("\\") > body.count("\\"):
        return literal
    return f'"{new}"'


def docstring(text: str, indent: str = "    ") -> str:
    """Body of a triple-double-quoted docstring whose value is ``text``, line by line.

    Backslashes and double quotes are escaped, so the text can neither end the string nor
    start an escape; characters Python would not keep as written (NUL, other controls, line
    and paragraph separators) become escapes; continuation lines get the body's indent.
    The text is stripped and so is the end of each line. A backslash ending a line is
    written ``\\x5c``: black leaves a docstring with a backslash before a line break as it
    is, and would then not lay it out like every other one (PEP 257 indentation, a space
    before closing quotes that follow a quote).
    """
    lines = [line.rstrip() for line in text.strip().split("\n")]
    out = []
    for number, line in enumerate(lines):
        if number:
            out.append("\n" + indent)
        if line.isprintable() and "\\" not in line and '"' not in line:
            out.append(line)  # most lines: nothing to escape
            continue
        for ch in line:
            if ch == "\\":
                out.append("\\\\")
            elif ch == '"':
                out.append('\\"')
            elif ch.isprintable():
                out.append(ch)
            else:
                out.append(repr(ch)[1:-1])
        if line.endswith("\\") and number < len(lines) - 1:
            out[-1] = "\\x5c"
    return "".join(out)


# -- YAML ------------------------------------------------------------------------------
#
# A string is written plain only when every YAML reader (1.1 and 1.2) reads it back as that
# same string: it starts with a letter, '/', '_', '$' or '(' (no indicator, no number),
# holds no ': ', ' #', tab or line break, does not end in ':' or a space, and is not a word
# a 1.1 reader turns into a boolean or null; or it is a version such as 3.0.0 (two dots:
# never a number). Else it is written double-quoted, JSON's escapes being YAML's too;
# characters YAML does not allow in a document (controls, surrogates, NEL, the line and
# paragraph separators, BOM) as \u escapes, so the document is printable text whatever
# the spec says.
_YAML_BAD = "\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff"
_YAML_UNSAFE = re.compile(f"[{_YAML_BAD}]")
_YAML_PLAIN = re.compile(
    r"[0-9]+(?:\.[0-9]+){2,}"  # a version
    r"|(?!(?i:y|n|yes|no|true|false|on|off|null)\Z)"  # not a 1.1 boolean or null
    r"[A-Za-z/_$(]"  # no indicator, no number
    f"(?:[^{_YAML_BAD}:#]|:(?! )|(?<! )#)*"  # no ': ', ' #' or unsafe character
    r"(?<![: ])"  # no ':' or space at the end
)


@lru_cache(maxsize=4096)  # keys and short values repeat in every channel
def yaml_string(text: str) -> str:
    if _YAML_PLAIN.fullmatch(text):
        return text
    quoted = json.dumps(text, ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def yaml_scalar(value: Any) -> str:
    """A scalar as YAML text that reads back as the same value."""
    if isinstance(value, str):
        return yaml_string(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value)  # YAML 1.1 wants a dot in a float, and a signed exponent
        mantissa, e, exponent = text.partition("e")
        if "." not in mantissa:
            mantissa += ".0"
        return mantissa + (e + exponent if e else "")
    raise TypeError(f"no YAML scalar for {type(value).__name__}")
