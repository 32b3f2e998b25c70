"""The child process of ``wsgen validate --imports``: it imports the user's modules, so that
wsgen itself never does. Standard library only; run as
``python -c "from wsgen.probe import main; main()" FD``.

It reads one JSON request on stdin, ``{"roots": [...], "modules": [{"module", "checks"}]}``,
and writes JSON lines to the file descriptor FD (never to stdout, which the user's modules
may print to): ``{"start": module}`` before importing a module, then ``{"module", "error"}``
or ``{"module", "results"}``. The parent reads ``start`` to know which module hung or
crashed the process, and starts a new child for the modules after it.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import sys
import traceback
import typing
import uuid
from typing import Any

ERROR_LINES = 3  # frames of a failed import's traceback the diagnostic shows

_IMPORTLIB = os.path.dirname(importlib.__file__)
_BUILTIN = {"str": str, "int": int, "float": float, "bool": bool, "uuid": uuid.UUID}


def main() -> None:
    channel = os.fdopen(int(sys.argv[1]), "w", encoding="utf-8")
    request = json.loads(sys.stdin.read())
    sys.path[:0] = request["roots"]
    if "" in sys.path[len(request["roots"]) :]:
        sys.path.remove("")
    for entry in request["modules"]:
        channel.write(json.dumps({"start": entry["module"]}) + "\n")
        channel.flush()
        channel.write(json.dumps(_probe_module(entry)) + "\n")
        channel.flush()


def _probe_module(entry: dict[str, Any]) -> dict[str, Any]:
    name = entry["module"]
    try:
        module = importlib.import_module(name)
    except BaseException as exc:  # noqa: BLE001 - SystemExit at import is a failure too
        frames = [
            f"{f.filename}:{f.lineno}: {(f.line or '').strip()}"
            for f in traceback.extract_tb(exc.__traceback__)
            if not f.filename.startswith(("<frozen", _IMPORTLIB, __file__))
        ]
        only = traceback.format_exception_only(type(exc), exc)
        return {
            "module": name,
            "error": "".join(only).strip().splitlines()[-1],
            "frames": frames[-ERROR_LINES:],
        }
    return {"module": name, "results": [_check(module, c) for c in entry["checks"]]}


def _check(module: Any, check: dict[str, Any]) -> dict[str, Any]:
    """What is wrong with one attribute: a list of problems, each a (kind, text) pair."""
    attribute = check["attribute"]
    if not hasattr(module, attribute):
        names = [n for n in dir(module) if not n.startswith("__")]
        return {"id": check["id"], "missing": True, "names": names}
    value = getattr(module, attribute)
    problems: list[tuple[str, str]] = []
    if check["kind"] == "handler":
        problems += _handler(value, check)
    elif check["kind"] == "dependency" and not callable(value):
        problems.append(("not-callable", type(value).__name__))
    elif check["kind"] == "class" and not isinstance(value, type):
        problems.append(("not-class", type(value).__name__))
    return {"id": check["id"], "missing": False, "problems": problems}


def _is_coroutine(value: Any) -> bool:
    """An ``async def`` function, or an object whose ``__call__`` is one."""
    if inspect.iscoroutinefunction(value):
        return True
    call = getattr(type(value), "__call__", None)  # noqa: B004 - its async-ness
    return not inspect.isroutine(value) and inspect.iscoroutinefunction(call)


def _handler(value: Any, check: dict[str, Any]) -> list[tuple[str, str]]:
    if not _is_coroutine(value):
        return [("not-coroutine", type(value).__name__)]
    try:
        signature = inspect.signature(value)
    except (TypeError, ValueError):
        return []  # a builtin without a signature: nothing to bind against
    try:
        signature.bind(check["first"], **{k: None for k in check["keywords"]})
    except TypeError as exc:
        return [("signature", str(exc))]
    return [("annotation", text) for text in _annotations(value, signature, check)]


def _annotations(
    value: Any, signature: inspect.Signature, check: dict[str, Any]
) -> list[str]:
    try:
        hints = typing.get_type_hints(value)
    except Exception:  # noqa: BLE001 - an annotation that does not resolve says nothing
        return []
    out = []
    for name, expected in check["types"].items():
        if name not in signature.parameters or name not in hints:
            continue
        if not _accepts(hints[name], _BUILTIN[expected["item"]], expected["list"]):
            out.append(f"{name}|{_spell(hints[name])}")
    return out


def _accepts(annotation: Any, item: type, is_list: bool) -> bool:
    """Whether a value FastAPI passes (``item``, or a list of them) may have this type;
    anything this cannot judge (a TypeVar, a protocol, a string) is accepted."""
    origin = typing.get_origin(annotation)
    if annotation is Any or annotation is object:
        return True
    if origin is typing.Annotated:
        return _accepts(typing.get_args(annotation)[0], item, is_list)
    if origin is typing.Union or type(annotation).__name__ == "UnionType":
        return any(_accepts(a, item, is_list) for a in typing.get_args(annotation))
    if origin is typing.Literal:
        values = typing.get_args(annotation)
        return not is_list and all(isinstance(v, item) for v in values)
    if is_list:
        if origin is None:
            return not isinstance(annotation, type) or issubclass(list, annotation)
        args = typing.get_args(annotation)
        inner = not args or _accepts(args[0], item, False)
        return isinstance(origin, type) and issubclass(list, origin) and inner
    if origin is not None or not isinstance(annotation, type):
        return True
    return issubclass(item, annotation) or (annotation is float and item is int)


def _spell(annotation: Any) -> str:
    if isinstance(annotation, type) and typing.get_origin(annotation) is None:
        return annotation.__name__
    return str(annotation).replace("typing.", "")


if __name__ == "__main__":  # pragma: no cover - run through -c, see the docstring
    main()
