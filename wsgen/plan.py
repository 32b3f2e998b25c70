"""Compare a generated package with its output folder: what is missing, changed or stale.

``plan`` decides everything before a byte is written; ``write.apply`` then carries it out.
Writing, ``--check``, ``--diff`` and ``--dry-run`` are all readers of the same plan.
"""

from __future__ import annotations

import difflib
import stat
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from . import header
from .errors import UsageError


class OutputError(UsageError):
    """The output folder cannot take the generated package (a user problem, exit 2)."""


@dataclass(frozen=True, slots=True)
class Change:
    path: Path
    kind: str  # "missing", "changed" or "extra" (generated before, no longer produced)
    old: str  # "" when missing
    new: str  # "" when extra
    # "written" when a changed file was written by hand: it has no generated header.
    by_hand: str = ""

    def diff(self) -> str:
        """A unified diff from the file on disk to the generated one."""
        name = self.path.as_posix()
        return "".join(
            difflib.unified_diff(
                self.old.splitlines(keepends=True),
                self.new.splitlines(keepends=True),
                fromfile="/dev/null" if self.kind == "missing" else f"a/{name}",
                tofile="/dev/null" if self.kind == "extra" else f"b/{name}",
            )
        )


@dataclass(frozen=True, slots=True)
class Plan:
    output: Path
    changes: tuple[Change, ...]
    unchanged: int
    foreign: tuple[Path, ...]  # files wsgen would replace but did not write
    # Modules generated from a spec that no longer exists (path, that spec's name).
    orphans: tuple[tuple[Path, str], ...] = ()

    @property
    def up_to_date(self) -> bool:
        return not self.changes


def _read(path: Path) -> str | None:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISDIR(mode):
        raise OutputError(f"{path} is a folder where wsgen would write a file")
    if not stat.S_ISREG(mode):  # a FIFO or a device: reading could block or never end
        raise OutputError(
            f"{path} is not a regular file where wsgen would write one; remove it"
        )
    return path.read_bytes().decode("utf-8", errors="replace")


def _check_owner(target: Path, old: str, source: str | None) -> None:
    """Refuse to overwrite a module that another spec generated: two specs writing one
    module into one folder would undo each other on every run."""
    owner = header.spec_of(old)
    if source is None or owner is None or owner == source:
        return
    raise OutputError(
        f"{target} was generated from {owner!r}, and {source!r} would overwrite it: two "
        "specs write the same module into one folder. Rename the router in one of them, "
        f"or give one another output folder; if {owner!r} is gone (renamed or moved), "
        f"delete {target}"
    )


def compare(target: Path, text: str, source: str | None) -> Change | None:
    """How the file at ``target`` differs from ``text`` (None: not at all). A changed file
    without the generated header is ``by_hand``; one that another spec generated is
    refused."""
    if target.is_symlink():
        raise OutputError(
            f"{target} is a symbolic link; wsgen does not write through links "
            "(it could land outside the output folder), so remove it"
        )
    old = _read(target)
    if old is None:
        return Change(target, "missing", "", text)
    if old == text:
        return None
    if not header.looks_generated(old):
        return Change(target, "changed", old, text, "written")
    _check_owner(target, old, source)
    return Change(target, "changed", old, text)


def plan(
    output: Path,
    files: dict[str, str],
    source: str | None = None,
    root: Path | None = None,
) -> Plan:
    """Compare ``files`` (relative path -> text) with what ``output`` holds now.

    A ``.py`` file in ``output`` that this spec (``source``) generated before but no longer
    produces is stale and will be removed; files of other specs and hand-written ones stay.
    Modules of specs that no longer exist under the project ``root`` are orphans.
    """
    if output.exists() and not output.is_dir():
        raise OutputError(f"{output} exists and is not a folder")
    changes: list[Change] = []
    foreign: list[Path] = []
    unchanged = 0
    for relative, text in sorted(files.items()):
        target = output / relative
        if Path(relative).name != relative or relative.startswith("."):
            raise OutputError(f"refusing to write {relative!r} outside {output}")
        change = compare(target, text, source)
        if change is None:
            unchanged += 1
            continue
        if change.by_hand:
            foreign.append(target)
        changes.append(change)
    if output.is_dir():
        for stale in sorted(output.glob("*.py")):
            if (
                stale.name not in files
                and not stale.is_symlink()
                and stale.is_file()
                and header.is_generated(stale, source)
            ):
                changes.append(Change(stale, "extra", _read(stale) or "", ""))
        changes.extend(_legacy(output))
    found = orphans(output, root, files, source)
    return Plan(output, tuple(changes), unchanged, tuple(foreign), found)


# Earlier versions recorded a manifest beside the modules; nothing reads it any more.
LEGACY_MANIFEST = ".wsgen-manifest.json"
_LEGACY_MARK = b'"generated_by": "wsgen'


def _legacy(output: Path) -> list[Change]:
    """The manifest an earlier wsgen left in ``output``: stale, so it is removed."""
    path = output / LEGACY_MANIFEST
    if path.is_symlink() or not path.is_file():
        return []
    try:
        with path.open("rb") as handle:
            start = handle.read(4096)
    except OSError:
        return []
    if _LEGACY_MARK not in start:
        return []
    return [Change(path, "extra", start.decode("utf-8", errors="replace"), "")]


def orphans(
    output: Path, root: Path | None, produced: Collection[str], source: str | None
) -> tuple[tuple[Path, str], ...]:
    """The modules in ``output`` whose header names a spec other than ``source`` that no
    longer exists under ``root`` (renamed or deleted): nothing would ever update them.
    Outside a project (no ``root``) no spec can be looked up, so none is known.
    """
    if root is None or not output.is_dir():
        return ()
    found = []
    for path in sorted(output.glob("*.py")):
        if path.name in produced or path.is_symlink() or not path.is_file():
            continue
        named = header.spec_in(path)
        if named is not None and named != source and not (root / named).is_file():
            found.append((path, named))
    return tuple(found)
