"""The last check on generated Python before it is written or shown: it must compile.

The render is already in black's layout (wsgen/layout.py), so no run needs black. What is
left here is proof that a file is Python at all. Compiled, not only parsed: ``ast.parse``
accepts what only the compiler refuses (``def f(__debug__)``, a ``from __future__`` import
after other statements), and such a file must be reported as a bug in wsgen, never written.

Only files that differ from the folder are compiled: a file equal to the one on disk is
neither written nor shown, and compiling a whole large package costs more than rendering it.
"""

from __future__ import annotations

from collections.abc import Mapping


class InternalError(Exception):
    """wsgen produced something it should not have: a bug, never a spec mistake."""


def check_python(source: str, name: str) -> str:
    """``source``, once it is known to compile; InternalError otherwise.

    ``dont_inherit`` keeps this module's own ``from __future__`` out of the check."""
    try:
        compile(source, name, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:  # ValueError: a NUL byte, before 3.12
        where = f", line {exc.lineno}" if isinstance(exc, SyntaxError) else ""
        reason = exc.msg if isinstance(exc, SyntaxError) else str(exc)
        raise InternalError(
            f"generated {name} does not compile ({reason}{where}):\n{source}"
        ) from exc
    return source


def check_files(rendered: Mapping[str, str]) -> dict[str, str]:
    """Every rendered file by name, sorted, each known to compile."""
    return {name: check_python(rendered[name], name) for name in sorted(rendered)}
