"""Lay out the lines of ``messages.py`` that carry spec values, as black does.

Built on layout's chunks, with the shapes layout does not write:

- A union ``A | B | C`` inside brackets stays on one line when it fits, else black splits
  it before each ``|``.
- An annotation with a ``|`` (``X | None``) that does not fit its line is wrapped in
  parentheses of its own, ``name: (\n    X | None\n) = value``, unless splitting the
  value (``Field(...)``) is enough.
- An assignment whose value is one atom (``= "chat_message"``, ``= 4000``) and does not
  fit gets the value in parentheses on its own line.
"""

from __future__ import annotations

from collections.abc import Sequence

from .layout import INDENT, Chunk, Group, call, fits, flat, lay_out


def union_lines(names: Sequence[str], depth: int, end: str = "") -> list[str]:
    """``A | B | C`` at ``depth``, split before each ``|`` when it does not fit."""
    pad = INDENT * depth
    whole = pad + " | ".join(names) + end
    if fits(whole) or len(names) == 1:
        return [whole]
    return [
        pad + names[0],
        *(f"{pad}| {name}" for name in names[1:-1]),
        f"{pad}| {names[-1]}{end}",
    ]


def subscript_lines(
    head: str, items: Sequence[Sequence[str]], depth: int, end: str = ""
) -> list[str]:
    """``head[item, ...]`` where each item is a union (or one name): whole, hugged one
    level deeper, or one item per line with a trailing comma."""
    pad = INDENT * depth
    texts = [" | ".join(item) for item in items]
    whole = f"{pad}{head}[{', '.join(texts)}]{end}"
    if fits(whole):
        return [whole]
    hugged = INDENT * (depth + 1) + ", ".join(texts)
    if fits(hugged):
        return [f"{pad}{head}[", hugged, f"{pad}]{end}"]
    body = [line for item in items for line in union_lines(item, depth + 1, ",")]
    return [f"{pad}{head}[", *body, f"{pad}]{end}"]


def class_line(name: str, base: str, items: Sequence[Sequence[str]] = ()) -> str:
    """``class Name(Base):``, or ``class Name(Base[item, ...]):``."""
    if not items:
        return statement(
            f"class {name}({base}):", (*call(f"class {name}", [(base,)]), ":"), 0
        )
    texts = ", ".join(" | ".join(item) for item in items)
    line = f"class {name}({base}[{texts}]):"
    if fits(line):
        return line
    return "\n".join([f"class {name}(", *subscript_lines(base, items, 1), "):"])


def call_of_subscript(
    target: str, head: str, items: Sequence[Sequence[str]], depth: int
) -> str:
    """``target(head[item, ...])``, e.g. ``_receive = TypeAdapter(Annotated[...])``."""
    pad = INDENT * depth
    inner = subscript_lines(head, items, depth + 1)
    line = f"{pad}{target}({inner[0].strip()})"
    if len(inner) == 1 and fits(line):
        return line
    return "\n".join([f"{pad}{target}(", *inner, f"{pad})"])


def tuple_literal(items: Sequence[str]) -> Chunk:
    """``(A, B)``; one item keeps its comma: ``(A,)``."""
    if len(items) == 1:
        return (f"({items[0]},)",)
    return (Group("(", tuple((item,) for item in items), ")", "list"),)


def statement(line: str, chunk: Chunk, depth: int) -> str:
    """``line`` (the statement on one line, as ``flat(chunk)`` at ``depth``) when it
    fits, else the chunk laid out."""
    whole = INDENT * depth + line
    return whole if fits(whole) else lay_out(chunk, depth)


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
        return statement(flat(target), target, depth)
    chunk = (*target, " = ", *value)
    if len(value) == 1 and isinstance(value[0], str):
        has_brackets = any(isinstance(part, Group) for part in annotation)
        return assign_atom(
            flat(target), value[0], depth, chunk if has_brackets else None
        )
    return statement(flat(chunk), chunk, depth)


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
    inner = INDENT * (depth + 1) + annotation
    body = (
        [inner]
        if fits(inner)
        else [lay_out(item, depth + 1), f"{INDENT * (depth + 1)}| None"]
    )
    tail = lay_out((") = ", *value), depth)
    return "\n".join([f"{pad}{name}: (", *body, tail])
