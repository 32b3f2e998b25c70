"""The one place where spec values become Python source text.

Templates never quote anything themselves: a value reaches generated code as an identifier
that validation has proven safe, as a literal through ``py_literal`` (built on ``repr``,
which always yields a valid literal that evaluates back to the same value), or as docstring
text through ``docstring``.
"""

from __future__ import annotations

import math
import uuid
from typing import Any


def py_literal(value: Any) -> str:
    if value is None or isinstance(value, (bool, int, str)):
        return repr(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} has no Python literal")
        return repr(value)
    if isinstance(value, uuid.UUID):
        return f"uuid.UUID({str(value)!r})"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(py_literal(item) for item in value) + "]"
    raise TypeError(f"no literal for {type(value).__name__}")


def docstring(text: str, indent: str = "    ") -> str:
    """Body of a triple-double-quoted docstring whose value is ``text``, line by line.

    Backslashes and double quotes are escaped, so the text can neither end the string nor
    start an escape; characters Python would not keep as written (NUL, other controls, line
    and paragraph separators) become escapes; continuation lines get the body's indent.
    """
    out = []
    for ch in text.strip():
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\n" + indent)
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(repr(ch)[1:-1])
    return "".join(out)
