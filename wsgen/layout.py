"""Lay out generated code the way black does, so that no run needs black.

wsgen writes a handful of code shapes (imports, a router, decorators, signatures, one call
per endpoint, docstrings, include calls), always in black's one mode: line length 88,
target py310, stable style. This module knows black's rules for those shapes:

- A line that fits stays whole. One that does not is split at its last bracket pair (a
  ``def`` at its parameters): the head up to the opening bracket, the body one level
  deeper, the closing bracket and what follows it.
- The body stays on one line ("hugged") when it fits, unless the brackets are a list
  literal with more than one item or an import: then, as when the body does not fit,
  each item goes on its own line with a trailing comma, and is laid out the same way.
  A def whose only parameter moves to its own line gets a trailing comma too.
- What cannot be split (a long string, a long name) stays long: black never splits it.
- Widths are black's: wide (East Asian) characters count two columns.
- Docstrings get black's normalisation (indentation, trailing spaces, padding before
  closing quotes, closing quotes on their own line when the last line is full).

Black stays the definition: the tests run black over every golden file, every example and
generated specs, and require that it changes nothing.
"""

from __future__ import annotations

import sys
import uuid
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ._width_table import WIDTH_TABLE
from .contexts import EndpointContext, IncludeContext, ParamContext
from .imports import ImportLine
from .literals import docstring as escape_docstring
from .literals import py_literal

LINE_LENGTH = 88
INDENT = "    "


@dataclass(frozen=True, slots=True)
class Group:
    """A bracket pair and the comma-separated items inside it.

    ``kind``: "call" (arguments and subscripts: hugged when they fit), "list" (a list
    literal: one item per line once split), "import" (always one per line) or "def"
    (parameters: a lone parameter on its own line gets a trailing comma)."""

    opening: str
    items: tuple[Chunk, ...]
    closing: str
    kind: str = "call"
    text: str = field(init=False, compare=False)  # the group on one line

    def __post_init__(self) -> None:
        joint = " | " if self.kind == "union" else ", "
        inner = joint.join(flat(item) for item in self.items)
        object.__setattr__(self, "text", f"{self.opening}{inner}{self.closing}")


Chunk = tuple["str | Group", ...]


def call(head: str, items: Sequence[Chunk], kind: str = "call") -> Chunk:
    """``head(item, item...)``."""
    return (head, Group("(", tuple(items), ")", kind))


def subscript(head: str, items: Sequence[Chunk]) -> Chunk:
    return (head, Group("[", tuple(items), "]"))


def list_literal(items: Sequence[Chunk]) -> Chunk:
    return (Group("[", tuple(items), "]", "list"),)


def union(items: Sequence[Chunk]) -> Chunk:
    """``A | B``: no brackets; inside brackets, black splits it before each ``|``."""
    return (Group("", tuple(items), "", "union"),)


def flat(chunk: Chunk) -> str:
    """The chunk on one line."""
    return "".join(part if isinstance(part, str) else part.text for part in chunk)


@cache
def _starts() -> list[int]:
    return [start for start, _, _ in WIDTH_TABLE]


def width(text: str) -> int:
    """Columns ``text`` takes, as black counts them."""
    if text.isascii():
        return len(text)
    starts = _starts()
    total = 0
    for char in text:
        point = ord(char)
        at = bisect_right(starts, point) - 1
        if at >= 0 and point <= WIDTH_TABLE[at][1]:
            total += max(WIDTH_TABLE[at][2], 0)
        else:
            total += 1
    return total


def fits(line: str) -> bool:
    return width(line) <= LINE_LENGTH


def lay_out(chunk: Chunk, depth: int = 0, end: str = "") -> str:
    """The chunk as black lays it out at indentation ``depth``, followed by ``end`` (a
    trailing comma, or nothing), without a final line break."""
    return "\n".join(_lines(chunk, depth, end))


def _lines(chunk: Chunk, depth: int, end: str) -> list[str]:
    pad = INDENT * depth
    whole = pad + flat(chunk) + end
    if len(whole) <= LINE_LENGTH and whole.isascii() or fits(whole):
        return [whole]
    if len(chunk) == 1 and isinstance(chunk[0], Group) and chunk[0].kind == "union":
        return _union_lines(chunk[0], depth, end)
    groups = [
        i
        for i, part in enumerate(chunk)
        if isinstance(part, Group) and part.kind != "union"
    ]
    if not groups or not _group(chunk, groups[-1]).items:
        return [whole]  # nothing to split at: black leaves it long
    # The last bracket pair first; an earlier one only while what follows it fits on the
    # closing line, and only if the head before it then fits (black's omitted trailers).
    chosen = groups[-1]
    for at in reversed(groups):
        head, tail = _head(chunk, at), _tail(chunk, at)
        if at != groups[-1] and not fits(pad + flat(tail) + end):
            break
        if fits(pad + flat(head)) and _group(chunk, at).items:
            chosen = at
            break
    # The head and the closing line are laid out again: they may still be too long.
    return [
        *_lines(_head(chunk, chosen), depth, ""),
        *_body(_group(chunk, chosen), depth + 1),
        *_lines(_tail(chunk, chosen), depth, end),
    ]


def _union_lines(group: Group, depth: int, end: str) -> list[str]:
    """A union that does not fit, split before each ``|`` (black's delimiter split); each
    member is laid out again on its own lines."""
    pad = INDENT * depth
    out: list[str] = []
    last = len(group.items) - 1
    for i, item in enumerate(group.items):
        member = _lines(
            item if i == 0 else ("| ", *item), depth, end if i == last else ""
        )
        out.extend(member)
    return [line if line.startswith(pad) else pad + line for line in out]


def _group(chunk: Chunk, at: int) -> Group:
    part = chunk[at]
    assert isinstance(part, Group)
    return part


def _head(chunk: Chunk, at: int) -> Chunk:
    """What goes on the line that opens the bracket pair at ``at``."""
    return (*chunk[:at], _group(chunk, at).opening)


def _tail(chunk: Chunk, at: int) -> Chunk:
    """What goes on the line that closes it."""
    return (_group(chunk, at).closing, *chunk[at + 1 :])


def _body(group: Group, depth: int) -> list[str]:
    items = group.items
    explode = group.kind == "import" or (group.kind == "list" and len(items) > 1)
    if not explode:
        if len(items) == 1:
            return _lines(items[0], depth, "," if group.kind == "def" else "")
        hugged = INDENT * depth + ", ".join(flat(item) for item in items)
        if fits(hugged):
            return [hugged]
    out: list[str] = []
    for item in items:
        out.extend(_lines(item, depth, ","))
    return out


# -- docstrings -------------------------------------------------------------------------


def docstring(body: str, depth: int) -> str:
    """The docstring statement at ``depth`` whose source text between the quotes is
    ``body`` (already escaped, lines joined by a bare line break), as black writes it.
    """
    pad = INDENT * depth
    lines = body.split("\n")
    if len(lines) == 1:
        text = lines[0].strip()
    else:
        text = _reindent(lines, pad)
    trailing_backslash = False
    if text:
        if text[0] == '"':
            text = " " + text
        if text[-1] == '"':
            text += " "
        if text[-1] == "\\" and (len(text) - len(text.rstrip("\\"))) % 2:
            text += " "
            trailing_backslash = True
    else:
        text = " "
    last = text.splitlines()
    if (
        len(last) > 1
        and len(last[-1]) + 3 > LINE_LENGTH
        and len(pad) + 3 <= LINE_LENGTH
        and not trailing_backslash
    ):
        return f'{pad}"""{text}\n{pad}"""'
    return f'{pad}"""{text}"""'


def _reindent(lines: list[str], pad: str) -> str:
    """PEP 257 indentation, as black applies it: the first line stripped, the common
    indentation of the others replaced by ``pad``, trailing spaces removed."""
    indent = sys.maxsize
    for line in lines[1:]:
        stripped = line.lstrip()
        if stripped:
            indent = min(indent, len(line) - len(stripped))
    out = [lines[0].strip()]
    if indent < sys.maxsize:
        for number, line in enumerate(lines[1:], start=1):
            kept = line[indent:].rstrip()
            out.append(pad + kept if kept or number == len(lines) - 1 else "")
    return "\n".join(out)


# -- the shapes wsgen writes, from render's contexts -------------------------------------


def literal(value: Any) -> Chunk:
    if isinstance(value, (list, tuple)):
        return list_literal([literal(item) for item in value])
    if isinstance(value, uuid.UUID):
        return call("uuid.UUID", [(py_literal(str(value)),)])
    return (py_literal(value),)


def keyword(key: str, value: Chunk) -> Chunk:
    return (f"{key}=", *value)


def _depends(names: Sequence[str]) -> Chunk:
    return list_literal([call("Depends", [(name,)]) for name in names])


def imports(sections: Sequence[Sequence[ImportLine]]) -> str:
    """A module's import block: each section followed by a blank line."""
    return "".join(
        "".join(import_line(line) + "\n" for line in section) + "\n"
        for section in sections
    )


def import_line(line: ImportLine) -> str:
    if line.plain:
        return f"import {line.module}"
    whole = f"from {line.module} import {', '.join(line.names)}"
    if fits(whole):
        return whole
    names = tuple((name,) for name in line.names)
    return lay_out((f"from {line.module} import ", Group("(", names, ")", "import")))


def assignment(target: str, factory: str, options: Sequence[tuple[str, Any]]) -> str:
    """``target = factory(key=value, ...)``; a value "dependencies" lists Depends(), a
    "lifespan" is a name."""
    items = [
        keyword(
            key,
            (
                _depends(value)
                if key == "dependencies"
                else (value,) if key == "lifespan" else literal(value)
            ),
        )
        for key, value in options
    ]
    return lay_out(call(f"{target} = {factory}", items))


def include_router(target: str, include: IncludeContext) -> str:
    items: list[Chunk] = [(include.router,)]
    if include.prefix:
        items.append(keyword("prefix", literal(include.prefix)))
    if include.dependencies:
        items.append(keyword("dependencies", _depends(include.dependencies)))
    return lay_out(call(f"{target}.include_router", items))


# Most lines fit: each shape below first writes its one-line text with plain string
# operations (the same text ``flat`` gives of its chunk, tested) and builds the chunk
# only for a line that must be split.


def _depends_text(names: Sequence[str]) -> str:
    return "[" + ", ".join(f"Depends({name})" for name in names) + "]"


_PREFIXED = (
    "# websocket_route() does not apply the router's prefix, so the path carries it.\n"
)


def endpoints(es: Sequence[EndpointContext]) -> str:
    """A router's endpoints, each after two blank lines and on lines of its own: one
    call for them all, rather than one template call per endpoint."""
    return "".join(f"\n\n{_PREFIXED if e.prefixed else ''}{endpoint(e)}\n" for e in es)


def endpoint(e: EndpointContext) -> str:
    """One endpoint: its decorator, signature, docstring and handler call."""
    lines = [decorator(e), signature(e)]
    if e.description:
        lines.append(description(e.description))
    lines.append(handler_call(e))
    return "\n".join(lines)


def decorator(e: EndpointContext) -> str:
    args = f"{py_literal(e.path)}, name={py_literal(e.name)}"
    if e.starlette:
        line = f"@router.websocket_route({args})"
    elif e.dependencies:
        line = (
            f"@router.websocket({args}, dependencies={_depends_text(e.dependencies)})"
        )
    else:
        line = f"@router.websocket({args})"
    return line if fits(line) else _decorator(e)


def _decorator(e: EndpointContext) -> str:
    items: list[Chunk] = [literal(e.path), keyword("name", literal(e.name))]
    if e.starlette:
        return lay_out(call("@router.websocket_route", items))
    if e.dependencies:
        items.append(keyword("dependencies", _depends(e.dependencies)))
    return lay_out(call("@router.websocket", items))


def signature(e: EndpointContext) -> str:
    texts = ["websocket: WebSocket", *(param_text(p) for p in e.params)]
    head, tail = f"async def {e.function}(", ") -> None:"
    line = head + ", ".join(texts) + tail
    if fits(line):
        return line
    hugged = INDENT + ", ".join(texts)
    if len(texts) > 1 and fits(hugged):
        return f"{head}\n{hugged}\n{tail}"
    lines = [head, f"{INDENT}{texts[0]},"]
    for p, text in zip(e.params, texts[1:]):
        one = f"{INDENT}{text},"
        lines.append(one if fits(one) else lay_out(param_chunk(p), 1, ","))
    lines.append(tail)
    return "\n".join(lines)


def param_text(p: ParamContext) -> str:
    """``flat(param_chunk(p))``, without building the chunk."""
    options = [p.dependency] if p.dependency else []
    options.extend(f"{key}={py_literal(value)}" for key, value in p.options)
    if p.default_factory:
        factory = f"lambda: {py_literal(p.default)}" if p.default else "list"
        options.append(f"default_factory={factory}")
    annotation = f"Literal[{', '.join(p.choices)}]" if p.choices else p.item
    if p.is_list:
        annotation = f"list[{annotation}]"
    if p.optional:
        annotation += " | None"
    text = f"{p.name}: Annotated[{annotation}, {p.marker}({', '.join(options)})]"
    if p.signature_default:
        text += f" = {py_literal(p.default)}"
    return text


def param_chunk(p: ParamContext) -> Chunk:
    options: list[Chunk] = [(p.dependency,)] if p.dependency else []
    options.extend(keyword(key, literal(value)) for key, value in p.options)
    if p.default_factory:
        factory = ("lambda: ", *literal(p.default)) if p.default else ("list",)
        options.append(keyword("default_factory", factory))
    marker = call(p.marker, options)
    annotation = (
        subscript("Literal", [(c,) for c in p.choices]) if p.choices else (p.item,)
    )
    if p.is_list:
        annotation = subscript("list", [annotation])
    if p.optional:
        annotation = union([annotation, ("None",)])
    chunk: Chunk = (f"{p.name}: ", *subscript("Annotated", [annotation, marker]))
    if p.signature_default:
        chunk = (*chunk, " = ", *literal(p.default))
    return chunk


def handler_call(e: EndpointContext) -> str:
    """``await handler(websocket, name=name, ...)``; a route with messages passes its typed
    connection, ``Connection(websocket)``, instead of the WebSocket."""
    args = "".join(f", {p.name}={p.name}" for p in e.params)
    if e.room:
        return _serve_call(e, args)
    first = f"{e.connection}(websocket)" if e.connection else "websocket"
    line = f"{INDENT}await {e.handler}({first}{args})"
    if fits(line):
        return line
    items: list[Chunk] = [
        call(e.connection, [("websocket",)]) if e.connection else ("websocket",)
    ]
    items.extend((f"{p.name}={p.name}",) for p in e.params)
    return lay_out(call(f"await {e.handler}", items), depth=1)


def _serve_call(e: EndpointContext, args: str) -> str:
    """``await Connection(websocket).serve(handler, name=name, ...)``: a route with a room
    leaves it however the handler ends."""
    line = f"{INDENT}await {e.connection}(websocket).serve({e.handler}{args})"
    if fits(line):
        return line
    items: list[Chunk] = [(e.handler,)]
    items.extend((f"{p.name}={p.name}",) for p in e.params)
    # Two bracket pairs: when the line up to ``serve(`` is too long, black splits at the
    # connection's instead (an omitted trailer).
    connection = call(f"await {e.connection}", [("websocket",)])
    return lay_out((*connection, *call(".serve", items)), depth=1)


def description(text: str) -> str:
    """The docstring of an endpoint whose description is ``text``."""
    return docstring(escape_docstring(text, indent=""), depth=1)
