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
    for change in plan.changes:  # a document beside the package may need its folder
        if change.kind == "missing":
            change.path.parent.mkdir(parents=True, exist_ok=True)
    # Every new text goes into a temporary file first: a failure there (a full disk, a
    # name the file system refuses) leaves the whole tree as it was. Only then are the
    # files renamed into place, each rename atomic.
    staged: list[tuple[str, Path]] = []
    try:
        for change in plan.changes:
            if change.kind != "extra":
                staged.append(
                    (stage(change.path, change.new.encode("utf-8")), change.path)
                )
        while staged:
            temp, target = staged[0]
            os.replace(temp, target)
            staged.pop(0)
    finally:
        for temp, _ in staged:
            Path(temp).unlink(missing_ok=True)
    for change in plan.changes:
        if change.kind == "extra":
            change.path.unlink(missing_ok=True)


def stage(target: Path, data: bytes) -> str:
    """A temporary file beside ``target`` holding ``data``, ready to be renamed over it. Its
    name starts with '.' and ends with '.tmp', so nothing imports a leftover."""
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
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return temp


def atomic_write(target: Path, data: bytes) -> None:
    temp = stage(target, data)
    try:
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
