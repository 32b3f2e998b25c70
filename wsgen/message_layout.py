"""Lay out the lines of ``messages.py`` that carry spec values, as black does.

Built on layout's chunks, with the shapes layout does not write:

- A union ``A | B | C`` (layout's ``union``) stays on one line when it fits, else black
  splits it before each ``|``.
- An annotation with a ``|`` (``X | None``) that does not fit its line is wrapped in
  parentheses of its own, ``name: (\n    X | None\n) = value``, unless splitting the
  value (``Field(...)``) is enough.
- An assignment whose value is one atom (``= "chat_message"``, ``= 4000``) and does not
  fit gets the value in parentheses on its own line.
"""

from __future__ import annotations

from collections.abc import Sequence

from .layout import INDENT, Chunk, Group, call, fits, flat, lay_out
from .layout import union as layout_union


def union(names: Sequence[str]) -> Chunk:
    """``A | B | C`` as a chunk (one name alone is just that name)."""
    if len(names) == 1:
        return (names[0],)
    return layout_union([(name,) for name in names])


def class_line(name: str, base: Chunk) -> str:
    """``class Name(Base):``."""
    return lay_out((*call(f"class {name}", [base]), ":"))


def tuple_literal(items: Sequence[str]) -> Chunk:
    """``(A, B)``; one item keeps its comma: ``(A,)``."""
    if len(items) == 1:
        return (f"({items[0]},)",)
    return (Group("(", tuple((item,) for item in items), ")", "list"),)


def assign_atom(target: str, atom: str, depth: int, split: Chunk | None = None) -> str:
    """``target = atom``. A line that does not fit gets the atom in parentheses on its own
    line when that line and the head (``target = (``) fit; else ``split`` (the statement
    as a chunk, to split at a bracket of the target) is laid out; else it stays long."""
    pad = INDENT * depth
    whole = f"{pad}{target} = {atom}"
    if fits(whole):
        return whole
    head, body = f"{pad}{target} = (", f"{pad}{INDENT}{atom}"
    # With no bracket in the target, black takes the parentheses even when the head
    # stays too long: nothing else would shorten the line.
    if fits(body) and (split is None or fits(head)):
        return f"{head}\n{body}\n{pad})"
    return whole if split is None else lay_out(split, depth)


def annotated(name: str, annotation: Chunk, value: Chunk | None, depth: int = 1) -> str:
    """``name: annotation`` or ``name: annotation = value``, the value a call or atom."""
    target: Chunk = (f"{name}: ", *annotation)
    if value is None:
        return lay_out(target, depth)
    chunk = (*target, " = ", *value)
    if len(value) == 1 and isinstance(value[0], str):
        has_brackets = any(isinstance(part, Group) for part in annotation)
        return assign_atom(
            flat(target), value[0], depth, chunk if has_brackets else None
        )
    return lay_out(chunk, depth)


def optional(name: str, item: Chunk, value: Chunk, depth: int = 1) -> str:
    """``name: item | None = value``: whole; else split in the value when its head fits;
    else the annotation in parentheses, ``| None`` on its own line if need be."""
    pad = INDENT * depth
    annotation = f"{flat(item)} | None"
    line = f"{pad}{name}: {annotation} = {flat(value)}"
    if fits(line):
        return line
    last = value[-1]
    if isinstance(last, str):  # an atom: None
        head = f"{pad}{name}: {annotation} = ("
        if fits(head) and fits(f"{pad}{INDENT}{last}"):
            return f"{head}\n{pad}{INDENT}{last}\n{pad})"
    else:  # a call: Field(...)
        head = f"{pad}{name}: {annotation} = {flat(value[:-1])}{last.opening}"
        if fits(head):
            return lay_out((f"{name}: {annotation} = ", *value), depth)
    body = lay_out(layout_union([item, ("None",)]), depth + 1)
    tail = lay_out((") = ", *value), depth)
    return "\n".join([f"{pad}{name}: (", body, tail])
