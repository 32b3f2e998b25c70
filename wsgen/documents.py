"""The documents a spec asks for beside its package (``asyncapi:``), as plan steps.

A document is a generated file like the modules: rendered whole on every run, compared
byte for byte with the file on disk, written only when it differs, and never over a file
that wsgen did not write (``--force`` aside) or that another spec's header names. It lives
outside the package folder, so the folder's own bookkeeping (stale modules, orphans)
never sees it. The document's module is imported only for a spec that has the key.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from . import config, header
from .errors import UsageError
from .model import Spec
from .plan import Change, OutputError, Plan, compare


def document_path(spec_path: Path, model: Spec) -> Path | None:
    """Where the spec's AsyncAPI document goes, named as messages name paths."""
    if model.asyncapi is None:
        return None
    return Path(config.display(spec_path.parent / model.asyncapi.output))


def check_place(document: Path, package: Path) -> None:
    """Refuse a document inside the package folder (``-o DIR`` can put it there)."""
    try:
        document.resolve().relative_to(package.resolve())
    except ValueError:
        return
    raise UsageError(
        f"the AsyncAPI document {document} would be inside the generated package "
        f"{package}; give 'asyncapi: output:' a path beside the package"
    )


def render(model: Spec) -> str:
    from . import asyncapi

    return asyncapi.document_text(model)


def add(steps: Plan, document: Path, text: str, source: str) -> Plan:
    """``steps`` with the document's change, if it has one."""
    _check_owner(document, source)
    change = compare(document, text, source)
    if change is None:
        return dataclasses.replace(steps, unchanged=steps.unchanged + 1)
    foreign = (*steps.foreign, document) if change.by_hand else steps.foreign
    changes: tuple[Change, ...] = (*steps.changes, change)
    return dataclasses.replace(steps, changes=changes, foreign=foreign)


def _check_owner(document: Path, source: str) -> None:
    readable = (
        document.is_file() and not document.is_symlink()
    )  # compare() refuses links
    owner = header.spec_in(document) if readable else None
    if owner is None or owner == source:
        return
    raise OutputError(
        f"{document} was generated from {owner!r}, and {source!r} would overwrite it: "
        "two specs write one AsyncAPI document. Give one of them another "
        f"'asyncapi: output:'; if {owner!r} is gone (renamed or moved), delete {document}"
    )
