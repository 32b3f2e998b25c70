"""An aligned table for a terminal, as ``kubectl get`` and ``docker ps`` print them:
upper-case headers, columns two spaces apart, no borders.

A cell holds one or more items (a route's parameters, its dependency levels). A table
that fits keeps one row per line, its items joined (``a, b``), which is what ``grep`` and
``awk`` want. One that does not fit puts each item on a line of its own (rows of several
lines set apart by an empty line). When even that is too wide, each row becomes a record,
as ``psql``'s expanded display does: a column squeezed to a few characters is harder to
read than the same values one per line. Nothing is ever cut off: an item longer than the
terminal wraps at natural breaks (spaces, ``/``, ``.``, ``:``), so every character stays
on screen and a search still finds it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .layout import width

GAP = "  "
NARROWEST = 12  # a column is not made narrower than this (or than its header)
_PIECE = re.compile(r".*?(?: |[/.:]|$)")

Cell = tuple[str, ...]  # the items of one cell, never empty


def render(
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    joiners: Sequence[str],
    limit: int | None,
) -> str:
    """The table of ``rows`` under ``headers`` in at most ``limit`` columns (None: no
    limit); ``\n`` ended. A cell's items are joined with its column's joiner when the
    table fits that way, else stacked; when even that does not fit, each row is a record.
    """
    joined = [[(j.join(cell),) for cell, j in zip(row, joiners)] for row in rows]
    if limit is None or _natural(headers, joined) <= limit:
        return _lines(headers, joined, _widths(headers, joined))
    if _natural(headers, rows) <= limit:
        return _lines(headers, rows, _widths(headers, rows))
    return _records(headers, rows, limit)


def _records(headers: Sequence[str], rows: Sequence[Sequence[Cell]], limit: int) -> str:
    """Each row as a block, as ``psql``'s expanded display shows wide tables: the first
    cell as its title, then one line per other column (its name, then its items), the
    items wrapped to ``limit`` when they must be."""
    names = [header.lower() for header in headers[1:]]
    indent = 2 + max(width(name) for name in names) + len(GAP)
    room = max(limit - indent, NARROWEST)
    blocks = []
    for row in rows:
        lines = [line for item in row[0] for line in _wrap(item, limit)]
        for name, cell in zip(names, row[1:]):
            values = [line for item in cell for line in _wrap(item, room)]
            lead = f"  {name}"
            for value in values:
                lines.append(f"{lead:<{indent}}{value}".rstrip())
                lead = ""
        blocks.append("".join(line + "\n" for line in lines))
    return "\n".join(blocks)


def _lines(
    headers: Sequence[str], rows: Sequence[Sequence[Cell]], widths: Sequence[int]
) -> str:
    lines = [_line(headers, widths)]
    spaced = any(len(cell) > 1 for row in rows for cell in row)
    for number, cells in enumerate(rows):
        if spaced and number:
            lines.append("")
        for at in range(max(len(cell) for cell in cells)):
            lines.append(
                _line([cell[at] if at < len(cell) else "" for cell in cells], widths)
            )
    return "".join(line + "\n" for line in lines)


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    padded = [cell + " " * (w - width(cell)) for cell, w in zip(cells, widths)]
    return GAP.join(padded).rstrip()


def _widths(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> list[int]:
    """Each column's width: its widest header, item or line."""
    return [
        max([width(header), *(width(item) for row in rows for item in row[at])])
        for at, header in enumerate(headers)
    ]


def _natural(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> int:
    return sum(_widths(headers, rows)) + len(GAP) * (len(headers) - 1)


def _wrap(item: str, limit: int) -> list[str]:
    """``item`` in lines of at most ``limit`` columns, broken after a space, ``/``,
    ``.`` or ``:`` where it can be, else wherever it must; no line ends in a space."""
    lines: list[str] = []
    line = ""
    for piece in (p for p in _PIECE.findall(item) if p):
        if line and width(line + piece.rstrip()) > limit:
            lines.append(line.rstrip())
            line = ""
        line += piece
        while width(line.rstrip()) > limit:
            cut = _cut(line, limit)
            lines.append(line[:cut])
            line = line[cut:]
    return [*lines, line.rstrip()] if line or not lines else lines


def _cut(text: str, limit: int) -> int:
    """How many characters of ``text`` fit in ``limit`` columns (at least one)."""
    for at in range(len(text), 0, -1):
        if width(text[:at]) <= limit:
            return at
    return 1
