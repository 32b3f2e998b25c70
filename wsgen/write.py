"""Carry out a plan: write what is missing or changed, remove what is stale, atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .plan import OutputError, Plan


def apply(plan: Plan, *, force: bool = False) -> None:
    """Carry out ``plan``: write what is missing or changed, remove what is stale.

    Each write goes to a temporary file in the same folder and is renamed over the target, so
    a reader never sees half a file; unchanged files are not touched (their mtime stays).
    """
    if plan.foreign and not force:
        names = ", ".join(str(p) for p in plan.foreign)
        raise OutputError(
            f"{names}: not written by wsgen (no generated header), so it is not "
            "overwritten; move it away, or pass --force to replace it"
        )
    plan.output.mkdir(parents=True, exist_ok=True)
    for change in plan.changes:
        if change.kind == "extra":
            change.path.unlink(missing_ok=True)
        else:
            atomic_write(change.path, change.new.encode("utf-8"))


def atomic_write(target: Path, data: bytes) -> None:
    try:
        fd, temp = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
        )
    except OSError as exc:  # name the file the user knows, not the random temp name
        raise OSError(exc.errno, exc.strerror, str(target)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
