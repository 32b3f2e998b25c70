"""Format generated Python with black, in-process, after proving it parses."""

from __future__ import annotations

import ast


class InternalError(Exception):
    """wsgen produced something it should not have: a bug, never a spec mistake."""


def format_python(source: str, name: str) -> str:
    try:
        ast.parse(source, filename=name)
    except SyntaxError as exc:
        raise InternalError(
            f"generated {name} does not parse ({exc.msg}, line {exc.lineno}):\n{source}"
        ) from exc
    import black  # heavy: only commands that generate pay for it
    from black.mode import Mode, TargetVersion

    mode = Mode(target_versions={TargetVersion.PY310})
    return black.format_str(source, mode=mode)
