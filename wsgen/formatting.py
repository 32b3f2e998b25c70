"""Format generated Python with black, and only when the result is not already known.

Black is most of what generation costs. Each generated file carries a fingerprint line
after its header: a hash of the unformatted render together with the formatter (black's
major version, whose stable style is fixed for its year, and wsgen's settings), and a hash
of the file's own text. When the file on disk has the fingerprint of the new render and its
text still matches its hash, it is exactly what formatting would give again, so black does
not run. A hand edit breaks the text hash, so ``--check`` still sees it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from functools import cache

from . import header

TARGET = "py310"
# Below this many files to format, starting worker processes costs more than it saves.
PARALLEL_FROM = 8


class InternalError(Exception):
    """wsgen produced something it should not have: a bug, never a spec mistake."""


@cache
def formatter() -> str:
    return f"black-{_black_version().split('.')[0]} {TARGET} line-length-88"


def _black_version() -> str:
    # black's own tiny version module: reading it costs nothing, while importing black or
    # importlib.metadata costs tens of milliseconds that an up-to-date check should not pay.
    try:
        from _black_version import version  # type: ignore[import-untyped]
    except ImportError:
        from importlib.metadata import version as installed

        return installed("black")
    return str(version)


def fingerprint(raw: str) -> str:
    return header.short_hash(f"{formatter()}\n{raw}")


def stamp(formatted: str, raw_fingerprint: str) -> str:
    top, _, rest = header.split(formatted)
    return f"{top}{header.fingerprint_line(raw_fingerprint, top, rest)}\n{rest}"


def still_valid(previous: str | None, raw_fingerprint: str) -> bool:
    """Whether ``previous`` is the formatted file of a render with ``raw_fingerprint``."""
    if previous is None:
        return False
    top, line, rest = header.split(previous)
    return line == header.fingerprint_line(raw_fingerprint, top, rest)


def format_python(source: str, name: str) -> str:
    """``source`` formatted by black, once it is known to compile.

    Compiled, not only parsed: ``ast.parse`` accepts what only the compiler refuses
    (``def f(__debug__)``, a ``from __future__`` import after other statements), and such a
    file must be reported as a bug in wsgen, never written. ``dont_inherit`` keeps this
    module's own ``from __future__`` out of the check."""
    try:
        compile(source, name, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:  # ValueError: a NUL byte, before 3.12
        where = f", line {exc.lineno}" if isinstance(exc, SyntaxError) else ""
        reason = exc.msg if isinstance(exc, SyntaxError) else str(exc)
        raise InternalError(
            f"generated {name} does not compile ({reason}{where}):\n{source}"
        ) from exc
    import black  # heavy: only runs that format pay for it
    from black.mode import Mode, TargetVersion

    mode = Mode(target_versions={TargetVersion.PY310})
    return black.format_str(source, mode=mode)


def _format_item(item: tuple[str, str]) -> str:
    name, source = item
    return format_python(source, name)


def _exit_with(parent: int) -> None:
    """Worker initializer: end this worker when the wsgen process that started it is gone.

    A worker waits for its next file on a pipe. When wsgen is killed (SIGKILL, a cancelled
    CI job, a hook timeout) the pipe never reports its end, because the other forked workers
    hold it open too, so without this the workers would wait forever."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, name="wsgen-parent-watch", daemon=True).start()


def format_files(
    rendered: Mapping[str, str],
    previous: Mapping[str, str] | None = None,
    workers: int | None = None,
) -> dict[str, str]:
    """The final text of every rendered file, formatting only those not already on disk.

    ``workers`` defaults to the number of cores; the result does not depend on it.
    """
    previous = previous or {}
    out: dict[str, str] = {}
    todo: dict[str, str] = {}
    prints = {name: fingerprint(raw) for name, raw in rendered.items()}
    for name, raw in rendered.items():
        old = previous.get(name)
        if still_valid(old, prints[name]):
            assert old is not None
            out[name] = old
        else:
            todo[name] = raw
    workers = workers or os.cpu_count() or 1
    if workers > 1 and len(todo) >= PARALLEL_FROM:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # Workers must be children of this process (see _exit_with): forked on Linux,
        # spawned elsewhere, never started by a fork server (Linux's default from Python
        # 3.14), whose workers are the server's children.
        method = "fork" if sys.platform == "linux" else "spawn"
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context(method),
            initializer=_exit_with,
            initargs=(os.getpid(),),
        ) as pool:
            chunk = max(1, len(todo) // (workers * 4))
            results = pool.map(_format_item, todo.items(), chunksize=chunk)
            formatted = dict(zip(todo, results))
    else:
        formatted = {name: format_python(raw, name) for name, raw in todo.items()}
    for name, text in formatted.items():
        out[name] = stamp(text, prints[name])
    return {name: out[name] for name in sorted(out)}
