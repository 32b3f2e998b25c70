"""Read a YAML spec into plain data plus the source position of every key and value.

PyYAML's composer gives nodes with marks; we build the Python data ourselves from those
nodes so that each value keeps its line and column, duplicate keys are caught (PyYAML
silently keeps the last one) and non-string keys are reported where they stand.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Any, NamedTuple

import yaml

from . import plain_yaml
from .errors import Diagnostic, SpecError
from .plain_yaml import INT_LIMIT as _INT_LIMIT
from .plain_yaml import MAX_DEPTH, MAX_INT_DIGITS, MAX_INT_TEXT, Unusual
from .source import JsonPath, SourceMap, format_path


@dataclass(frozen=True, slots=True)
class LoadedSpec:
    data: Any
    source: SourceMap
    # Problems found while reading (duplicate or non-string keys); validation reports them
    # together with everything else.
    problems: tuple[Diagnostic, ...] = ()


# A spec larger than this is refused before parsing: above any real WebSocket surface (the
# benchmark's 50,000 routes, each with three parameters and a description, take 17 MB),
# and it bounds what a stray file can cost: reading takes about 80 bytes of memory per
# byte of spec, so at most about 2.6 GB.
MAX_SPEC_BYTES = 32 * 1024 * 1024
# Aliases may repeat a node; the data they expand to may hold at most this many values per
# distinct node in the file (plus a fixed allowance), which stops "billion laughs" files early.
EXPANSION_FACTOR = 10
EXPANSION_ALLOWANCE = 10_000


def _refused(
    file: str, line: int, column: int, rule: str, message: str, hint: str = ""
) -> SpecError:
    """A spec that cannot be read at all: one problem, at the whole file's path."""
    return SpecError([Diagnostic(file, line, column, "", rule, message, hint)])


def read_spec(path: FilePath, name: str) -> bytes:
    """The bytes of a spec file, refusing one too large to be a spec before reading it all."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_SPEC_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise _refused(name, 1, 1, "io", f"cannot read the spec: {reason}") from None
    if len(raw) > MAX_SPEC_BYTES:
        raise _refused(
            name,
            1,
            1,
            "size",
            f"the spec is larger than {MAX_SPEC_BYTES // (1024 * 1024)} MiB, "
            "the most wsgen reads",
            "split it into several specs",
        )
    return raw


def load_bytes(raw: bytes, name: str) -> LoadedSpec:
    """Parse a spec's bytes (``read_spec``); ``name`` is how diagnostics name the file."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"byte 0x{raw[exc.start]:02x} is not valid UTF-8"
        raise _refused(
            name, line, column, "encoding", message, "save the spec as UTF-8"
        ) from None
    return load_text(text, name)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Reading allocates millions of objects that all stay alive (nodes, marks, data), and
    each allocation burst made Python's cycle collector walk the whole growing heap again:
    half the time of reading a large spec, and growing faster than the spec. Reading
    makes no cyclic garbage worth collecting, so the collector waits until it is done.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def kept() -> Iterator[None]:
    """While a loaded spec is used, the cycle collector waits, as while reading: what a
    run builds (the model, contexts, modules) stays alive or is freed by reference
    counting, so each collection only walked the growing heap again (a sixth of a
    50,000-route run) for no memory back; the peak is the same without it. A worker
    forked meanwhile (parallel.py) inherits the pause, so no collection of its makes it
    copy the pages it shares with this process.

    At the end, what is still alive goes to the oldest generation (freeze, unfreeze),
    which the collector walks only once it has grown by a quarter: left young, a whole
    run's objects would be walked at the next allocation, just before most of them are
    freed (26 ms at 10,000 routes). The collector then runs again, for a process that
    goes on (``--watch``, tests).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()


def load_text(text: str, file: str) -> LoadedSpec:
    """The spec's data, and where each part stands (found only when asked for).

    Most specs are plain: mappings, lists and scalars, no tags, anchors, duplicate keys
    or anything else to report. Those are read without keeping a node or a position
    (``_plain_data``): line by line when they keep to plain_yaml's subset, else from
    libyaml's events. Anything else, and the positions themselves
    when a diagnostic needs them, take the full reader (``_read``), which keeps a
    position for every key and value and reports every problem where it stands."""
    try:
        with _collector_paused():
            data = _plain_data(text)
    except Unusual:
        return _read(text, file)
    return LoadedSpec(data, SourceMap(file, locate=lambda into: _locate(text, into)))


def _locate(text: str, source: SourceMap) -> None:
    """Fill ``source`` with the positions of a spec ``_plain_data`` has read."""
    try:
        with _collector_paused():
            node = yaml.compose(text, Loader=_LOADER)
            if node is not None:
                _Builder(source, _expansion_budget(node)).build(node, ())
    except (yaml.YAMLError, RecursionError):  # cannot be: the plain reader read it
        pass


def _read(text: str, file: str) -> LoadedSpec:
    source = SourceMap(file)
    try:
        with _collector_paused():
            node = yaml.compose(text, Loader=_LOADER)
            # Building can fail too: unknown tags (!!python/...), bad merge keys, alias loops.
            builder = _Builder(source, _expansion_budget(node))
            data = builder.build(node, ()) if node is not None else None
    except RecursionError:
        message = "invalid YAML: the spec nests too deeply"
        raise _refused(file, 1, 1, "yaml", message) from None
    except yaml.MarkedYAMLError as exc:
        raise _marked_error(exc, text, file) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, ...)
        if not isinstance(exc.character, int):
            raise
        raise _reader_error(exc, exc.character, text, file) from None
    except yaml.YAMLError as exc:
        raise _refused(file, 1, 1, "yaml", f"invalid YAML: {exc}") from None
    if node is None:
        raise _refused(
            file,
            1,
            1,
            "empty",
            "the spec is empty",
            "start from 'version: 1' and a 'routers:' mapping",
        )
    return LoadedSpec(data, source, tuple(builder.problems))


def _marked_error(exc: yaml.MarkedYAMLError, text: str, file: str) -> SpecError:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    lines = text.split("\n")
    at = lines[line - 1][column - 1 : column] if line <= len(lines) else ""
    found = None if at == "\t" else _syntax_diagnosis(exc, lines, text)
    path: JsonPath = ()
    if found is not None:
        line, column, path, hint = found
    else:
        hint = "indent YAML with spaces, not tabs" if at == "\t" else ""
    problem = exc.problem or "invalid YAML"
    if exc.context and exc.context not in problem:
        start = exc.context_mark
        where = ""
        if start is not None and (start.line + 1, start.column + 1) != (line, column):
            where = f" started at line {start.line + 1}, column {start.column + 1}"
        problem = f"{exc.context}{where}, {problem}"
    if "expected a single document" in problem:
        hint = "keep the whole spec in one YAML document (remove the '---')"
    message = f"invalid YAML: {problem}"
    diagnostic = Diagnostic(
        file, line, column, format_path(path), "yaml", message, hint
    )
    return SpecError([diagnostic])


# --- Where a YAML syntax error is, in words a user knows ---------------------------------
#
# PyYAML reports an indentation mistake as the parser meets it ("did not find expected
# key", "mapping values are not allowed here", ...), sometimes on the line after it. Both
# parsers (libyaml and PyYAML's own) put the same marks, only their wording differs, so
# what follows reads the marks and the structure, never the wording: the parser's events
# are replayed up to the error, which gives the blocks still open there (their columns,
# their last keys), and the offending line is compared with them.


class _Syntax(NamedTuple):
    line: int
    column: int
    path: JsonPath
    hint: str


@dataclass(slots=True)
class _Frame:
    """A mapping or list that is open where the parser stopped (or just closed there)."""

    mapping: bool
    column: int  # 1-based column of its first key or '-'
    path: JsonPath
    flow: bool
    count: int = 0  # nodes read in it (keys and values for a mapping)
    key: tuple[str, int, int] = ("", 0, 0)  # its last key: text, line, column
    item_line: int = 0  # line of its last item (a list)
    closed: _Frame | None = None  # the block that ended in it just before the error

    def child_path(self) -> JsonPath:
        return (*self.path, self.key[0] if self.mapping else max(self.count - 1, 0))

    def describe(self) -> str:
        if self.mapping:
            name, line, column = self.key
            return f"'{name}' on line {line} (column {column})"
        return f"the '-' on line {self.item_line} (column {self.column})"


def _place(mark: Any) -> tuple[int, int]:
    """A mark's 1-based line and column."""
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _open_frames(text: str) -> list[_Frame]:
    """The collections open when parsing ``text`` fails, outermost first."""
    frames: list[_Frame] = []
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            if isinstance(event, yaml.CollectionEndEvent):
                done = frames.pop()
                if frames:
                    frames[-1].closed = done
                continue
            if not isinstance(event, yaml.NodeEvent):
                continue
            top = frames[-1] if frames else None
            if top is not None:
                line, column = _place(event.start_mark)
                if top.mapping and top.count % 2 == 0:
                    name = event.value if isinstance(event, yaml.ScalarEvent) else "?"
                    top.key = (str(name), line, column)
                elif not top.mapping:
                    top.item_line = line
                top.count += 1
                top.closed = None
            if isinstance(event, yaml.CollectionStartEvent):
                frames.append(
                    _Frame(
                        isinstance(event, yaml.MappingStartEvent),
                        _place(event.start_mark)[1],
                        top.child_path() if top is not None else (),
                        event.flow_style is True,
                    )
                )
    except yaml.YAMLError:
        return frames
    return []


def _blocks(frames: list[_Frame]) -> list[_Frame]:
    """The block collections open at the error, then those that closed just before it
    (the list and item a dedented line left), outermost first; flow ones say nothing
    about indentation."""
    blocks = list(frames)
    closed = frames[-1].closed if frames else None
    while closed is not None:
        blocks.append(closed)
        closed = closed.closed
    return [b for b in blocks if not b.flow]


def _syntax_diagnosis(
    exc: yaml.MarkedYAMLError, lines: list[str], text: str
) -> _Syntax | None:
    """The offending line, its place in the spec and a hint, for the mistakes recognised
    here (indentation, an unclosed quote or bracket); None for any other."""
    context, start, mark = exc.context or "", exc.context_mark, exc.problem_mark
    if mark is None:
        return None
    unclosed = context.startswith(
        ("while scanning a quoted scalar", "while parsing a flow")
    )
    if unclosed and start is not None and start.line < mark.line:
        return _unclosed(lines, start.line, start.column, _open_frames(text))
    if context.startswith("while scanning a simple key") and start is not None:
        return _indentation(lines, start.line, _open_frames(text), simple_key=True)
    row = lines[mark.line] if mark.line < len(lines) else ""
    colon = row[mark.column : mark.column + 1] == ":"
    if context.startswith("while parsing a block") or (not context and colon):
        frames = _open_frames(text)
        if colon and frames and frames[-1].key[1] == mark.line + 1:
            return None  # a ': ' inside a value on its key's line, not indentation
        return _indentation(lines, mark.line, frames, simple_key=False)
    return None


def _unclosed(
    lines: list[str], line: int, column: int, frames: list[_Frame]
) -> _Syntax | None:
    opener = lines[line][column : column + 1]
    closer = {"[": "]", "{": "}", '"': '"', "'": "'"}.get(opener)
    if closer is None:
        return None
    if opener in "[{":
        what = "list" if opener == "[" else "mapping"
        path = frames[-1].path if frames else ()
        hint = (
            f"this '{opener}' starts a {what} that is never closed: end it with "
            f"'{closer}', or quote the value if the '{opener}' is part of the text"
        )
    else:
        path = frames[-1].child_path() if frames and frames[-1].mapping else ()
        hint = (
            f"the quoted string that starts here is never closed: end it with {closer}"
        )
    return _Syntax(line + 1, column + 1, path, hint)


def _indentation(
    lines: list[str], line: int, frames: list[_Frame], *, simple_key: bool
) -> _Syntax | None:
    """Why line ``line`` (0-based) does not fit the blocks open above it."""
    blocks = _blocks(frames)
    if not blocks or frames[-1].flow or line >= len(lines):
        return None
    row = lines[line].rstrip("\r")
    text = row.lstrip(" ")
    column = len(row) - len(text) + 1

    def found(path: JsonPath, hint: str) -> _Syntax:
        return _Syntax(line + 1, column, path, hint)

    last = blocks[-1]
    # A key whose value the parser still waits for, or left empty by the line above.
    waiting = last.mapping and (
        last.count % 2 == 1 or last.key[1] == _line_ending_with_colon(lines, line)
    )
    if waiting and column <= last.key[2] and (simple_key or last.count % 2 == 0):
        return found(
            last.child_path(),
            "a value on the line after its key must be indented more than the key, "
            f"{last.describe()}: indent this line more, or write the value after the "
            "key on its line",
        )
    if text.startswith("-") and text[1:2] in ("", " "):
        return _misplaced_item(found, blocks, column)
    if simple_key:
        return found(
            last.path,
            "this line has no ':' after its first word, so YAML reads it neither as a "
            "key nor as part of the value above: write it as 'key: value', or indent "
            f"it more than {last.describe()} to continue that value",
        )
    return _misplaced_key(found, blocks, column)


def _line_ending_with_colon(lines: list[str], line: int) -> int:
    """The 1-based number of the line above ``line`` (skipping blank and comment lines)
    when it ends with ':' (a key whose value is left for the next line), else 0."""
    for number in range(line - 1, -1, -1):
        content = lines[number].split(" #", 1)[0].rstrip()
        if content and not content.lstrip().startswith("#"):
            return number + 1 if content.endswith(":") else 0
    return 0


def _misplaced_item(
    found: Callable[[JsonPath, str], _Syntax], blocks: list[_Frame], column: int
) -> _Syntax | None:
    lists = [b for b in blocks if not b.mapping]
    if not lists:
        return found(
            blocks[-1].path,
            "YAML expects a key here, not a '-' item: a list is the value of a key, "
            "on the lines after 'key:', indented more than the key",
        )
    items = lists[-1]
    if items.column == column:
        return None
    side = "more" if column > items.column else "less"
    return found(
        items.path,
        f"this '-' item is indented {side} than the items of its list, "
        f"{items.describe()}: align its '-' with theirs",
    )


def _misplaced_key(
    found: Callable[[JsonPath, str], _Syntax], blocks: list[_Frame], column: int
) -> _Syntax | None:
    below = [b for b in blocks if b.column < column]
    above = [b for b in blocks if b.column > column]
    same = [b for b in blocks if b.column == column]
    if below and not above:
        key = below[-1]
        return found(
            key.path,
            f"this line is indented more than the key above it, {key.describe()}: "
            "indent it like that key",
        )
    if below and same and not same[-1].mapping:
        items = same[-1]
        ways = [f"like {b.describe()} to add it to that item" for b in above[:1]]
        if below[-1].mapping:
            ways.append(f"like {below[-1].describe()} to put it beside that key")
        return found(
            items.path,
            f"this key is at the column of the '-' items above, {items.describe()}, "
            f"where only another '-' item can start: indent it {' or '.join(ways)}",
        )
    if below and above and not same:
        return found(
            below[-1].path,
            f"this line is indented more than {below[-1].describe()} and less than "
            f"{above[0].describe()}, so YAML cannot tell which it belongs to: indent "
            "it like one of them",
        )
    return None


def _reader_error(
    exc: yaml.reader.ReaderError, character: int, text: str, file: str
) -> SpecError:
    before = text[: exc.position]
    line_start = before.rfind("\n") + 1
    column = len(before) - line_start - before.count("\ufeff", line_start) + 1
    hint = (
        "remove it; in a double-quoted string write it as an escape "
        f'("\\x{character:02x}")'
        if character < 0x100
        else "remove it"
    )
    message = f"invalid YAML: character U+{character:04X} is not allowed in YAML"
    return _refused(file, before.count("\n") + 1, column, "yaml", message, hint)


def _expansion_budget(root: yaml.Node | None) -> int:
    """How many values the document may build: a multiple of its distinct nodes."""
    seen: set[int] = set()
    todo = [root] if root is not None else []
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                todo.extend((key, value))
    return EXPANSION_FACTOR * len(seen) + EXPANSION_ALLOWANCE


_NO_KEY = object()  # a mapping waits for its next key


def _plain_data(text: str) -> Any:
    """The data of a plain spec: read line by line when it keeps to the subset that
    plain_yaml reads, else from libyaml's events; ``Unusual`` for any spec that is not
    plain (see ``load_text``), or that does not parse."""
    try:
        return plain_yaml.read(text)
    except Unusual:
        return _from_libyaml(text)


def _from_libyaml(text: str) -> Any:
    parser = _LOADER(text)
    try:
        return _from_events(parser)
    except yaml.YAMLError:
        raise Unusual from None
    finally:
        parser.dispose()


def _from_events(parser: Any) -> Any:
    """The loop of ``_plain_data``: one pass, no node and no position kept."""
    scalar_event = yaml.ScalarEvent
    end_events = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    mapping_start, sequence_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    first_chars = plain_yaml.FIRST_CHARS
    scalar = plain_yaml.scalar
    root: list[Any] = []  # holds the document
    top: Any = root  # the collection being read
    stack: list[Any] = []  # the collections around it, and their pending keys
    key: Any = _NO_KEY
    parser.get_event()  # the stream starts
    if type(parser.get_event()) is not yaml.DocumentStartEvent:
        raise Unusual  # an empty spec: reported by _read
    while True:
        event = parser.get_event()
        kind = type(event)
        if kind is scalar_event:
            value = event.value
            if event.tag is not None or event.anchor is not None:
                raise Unusual
            if event.implicit[0] and (not value or value[0] in first_chars):
                value = scalar(value)
            container = False
        elif kind is mapping_start or kind is sequence_start:
            if event.anchor is not None or event.tag is not None:
                raise Unusual
            value = {} if kind is mapping_start else []
            container = True
        elif kind in end_events:
            top, key = stack.pop()
            continue
        elif kind is yaml.DocumentEndEvent:
            break
        else:  # an alias
            raise Unusual
        if type(top) is list:
            top.append(value)
        elif key is _NO_KEY:
            if container or type(value) is not str or value in top:
                raise Unusual  # a non-string or duplicate key: reported by _read
            key = value
            continue
        else:
            top[key] = value
            key = _NO_KEY
        if container:
            stack.append((top, key))
            top, key = value, _NO_KEY
            if len(stack) >= MAX_DEPTH:
                raise Unusual
    if len(root) != 1 or type(parser.get_event()) is not yaml.StreamEndEvent:
        raise Unusual  # an empty spec, or several documents: reported by _read
    return root[0]


# Mappings and lists are built here, not by PyYAML: any other tag on them would be dropped.
_PLAIN_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


# libyaml's parser when PyYAML has it (about 3 times faster), else the pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"


class _HugeInteger(Exception):
    """An integer scalar beyond MAX_INT_DIGITS: reported where it stands, never built."""


_DROPPED = object()  # a scalar that was reported instead of built


class _Builder:
    def __init__(self, source: SourceMap, budget: int) -> None:
        self.budget = budget
        self.source = source
        self.problems: list[Diagnostic] = []
        self._constructor = yaml.SafeLoader("")
        # Collections being built: an alias loop re-enters one.
        self._open: set[int] = set()

    def build(self, node: yaml.Node, path: JsonPath) -> Any:
        if len(path) > MAX_DEPTH:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"the spec nests deeper than {MAX_DEPTH} levels (a spec needs about 8)",
                node.start_mark,
            )
        self.budget -= 1
        if self.budget < 0:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                "YAML aliases expand this spec to far more values than it has nodes "
                "(a 'billion laughs' file?); wsgen stops here",
                node.start_mark,
            )
        self.source.values[path] = (
            node.start_mark.line + 1,
            node.start_mark.column + 1,
        )
        if not isinstance(node, yaml.CollectionNode):
            value = self._scalar(node, path)
            return None if value is _DROPPED else value
        # A tag on a mapping or list (e.g. !!python/object/apply:os.system [...]) is refused.
        if node.tag not in _PLAIN_COLLECTION_TAGS:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"could not determine a constructor for the tag '{node.tag}'",
                node.start_mark,
            )
        if id(node) in self._open:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                "an alias refers to a collection that contains it",
                node.start_mark,
            )
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        finally:
            self._open.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: JsonPath) -> dict[str, Any]:
        explicit = {
            id(key) for key, _ in node.value if key.tag != "tag:yaml.org,2002:merge"
        }
        self._constructor.flatten_mapping(node)  # resolves YAML merge keys (<<)
        out: dict[str, Any] = {}
        first_seen: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = self._scalar(key_node, path)
            if key is _DROPPED:
                continue
            here = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if not isinstance(key, str) and not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(
                    Diagnostic(
                        self.source.file,
                        *here,
                        format_path(path),
                        "key-type",
                        f"a {type(key).__name__} cannot be a key here",
                        "use a name",
                    )
                )
                continue
            if not isinstance(key, str):
                self.problems.append(
                    Diagnostic(
                        self.source.file,
                        *here,
                        format_path(path),
                        "key-type",
                        f"key {key_node.value!r} is read as {type(key).__name__}, not a string",
                        f"quote it: '{key_node.value}'",
                    )
                )
                continue
            merged = (
                id(key_node) not in explicit or id(first_seen.get(key)) not in explicit
            )
            if key in first_seen and not merged:
                first = first_seen[key].start_mark
                self.problems.append(
                    Diagnostic(
                        self.source.file,
                        *here,
                        format_path((*path, key)),
                        "duplicate-key",
                        f"duplicate key '{key}' (first defined at line {first.line + 1}, "
                        f"column {first.column + 1}); YAML would silently keep only the last one",
                        "remove or rename one of them",
                    )
                )
                continue
            # A key given next to a merge (<<) overrides the merged one, as YAML says.
            first_seen[key] = key_node
            self.source.keys[(*path, key)] = here
            out[key] = self.build(value_node, (*path, key))
        return out

    def _scalar(self, node: yaml.Node, path: JsonPath) -> Any:
        """A value or key (at ``path``, or in the mapping at ``path``), or _DROPPED when
        it is an integer too large to read: then that is reported where it stands."""
        try:
            return self._construct(node)
        except _HugeInteger:
            pass
        self.problems.append(
            Diagnostic(
                self.source.file,
                node.start_mark.line + 1,
                node.start_mark.column + 1,
                format_path(path),
                "integer-range",
                f"integer too large: wsgen reads integers of at most {MAX_INT_DIGITS} "
                f"digits (below 10**{MAX_INT_DIGITS} in magnitude)",
                "no spec needs a number this large; check the value, or quote it if "
                "it is meant as a string",
            )
        )
        return _DROPPED

    def _construct(self, node: yaml.Node) -> Any:
        if node.tag == _STR and isinstance(node, yaml.ScalarNode):
            return node.value  # most of a spec; the constructor's machinery is slow
        scalar = isinstance(node, yaml.ScalarNode)
        if scalar and node.tag == _INT and len(node.value) > MAX_INT_TEXT:
            raise _HugeInteger
        value = self._construct_other(node)
        if isinstance(value, int) and abs(value) >= _INT_LIMIT:
            raise _HugeInteger
        return value

    def _construct_other(self, node: yaml.Node) -> Any:
        try:
            return self._constructor.construct_object(node, deep=True)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, LookupError, AttributeError):  # e.g. '!!int abc'
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            shown = f" {node.value!r}" if isinstance(node, yaml.ScalarNode) else ""
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read{shown} as {tag}", node.start_mark
            ) from None
