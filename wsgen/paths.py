"""WebSocket path syntax, as Starlette reads it."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any, NamedTuple

# Starlette's own pattern for path parameters, and the convertors it knows.
PATH_PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::([a-zA-Z_][a-zA-Z0-9_]*))?}")
CONVERTOR_TYPES = {
    "str": "str",
    "path": "str",
    "int": "int",
    "float": "float",
    "uuid": "uuid",
}


def path_params(path: str) -> list[tuple[str, str | None]]:
    """``/a/{id:int}/{name}`` -> ``[("id", "int"), ("name", None)]``."""
    return [(m.group(1), m.group(2)) for m in PATH_PARAM.finditer(path)]


def implied_type(convertor: str | None) -> str:
    """The type a path parameter has when the spec does not declare one: its convertor's."""
    return CONVERTOR_TYPES.get(convertor or "str", "str")


# --- Which URLs a served path matches, and what two of them share -----------------------
#
# Starlette matches a WebSocket URL against each route's path in registration order, as
# the regular expression compile_path() builds: literal text, and each parameter as its
# convertor's regex, the whole path matched in full. Those are regular languages, so which
# URLs a later route loses to an earlier one is decidable exactly; the functions below
# decide it, per segment when no 'path' convertor is involved (the other convertors never
# match '/'), else on the whole path with a small automaton. uuid is taken as the form
# every supported Starlette matches: lowercase hex, 8-4-4-4-12 with hyphens (0.27 matches
# only that; newer releases also take upper case, and the newest drop the hyphens), so
# that a URL found here is one that every version routes the same way.

CONVERTOR_REGEX = {
    "str": "[^/]+",
    "path": ".*",
    "int": "[0-9]+",
    "float": r"[0-9]+(\.[0-9]+)?",
    "uuid": "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
}
# Paths longer than this are not compared (no warning): a spec's paths are far shorter,
# and the automaton's cost grows with the product of the two lengths.
MAX_COMPARED = 1_000
_PART = re.compile(r"(\{[a-z]+\})")
_KNOWN = re.compile(r"\{(?:str|path|int|float|uuid)\}")
_HEX = "0123456789abcdef"


class Overlap(NamedTuple):
    """What a later path shares with an earlier one."""

    example: str  # a URL both match
    later_within: bool  # every URL of the later path is one of the earlier's
    earlier_within: bool  # every URL of the earlier path is one of the later's


def shape(path: str) -> str:
    """``/{venue}/{id:int}`` -> ``/{str}/{int}``: the path without parameter names, as
    Starlette matches it (``{x}`` is ``{x:str}``)."""
    return PATH_PARAM.sub(_unnamed, path) if "{" in path else path


def _unnamed(match: re.Match[str]) -> str:
    return "{" + (match.group(2) or "str") + "}"


def pattern(path: str) -> str | None:
    """``shape(path)`` when it is a path Starlette compiles (known convertors, no stray
    brace, a leading '/'), else None."""
    found = shape(path)
    return found if path.startswith("/") and compiles(found) else None


def compiles(shape: str) -> bool:
    """Whether a ``shape`` has only known convertors and no stray brace."""
    rest = _KNOWN.sub("", shape) if "{" in shape else shape
    return "{" not in rest and "}" not in rest


def overlap(later: str, earlier: str) -> Overlap | None:
    """What the patterns (``pattern``) ``later`` and ``earlier`` share; None when no URL
    matches both, or when they are too long to compare."""
    if len(later) + len(earlier) > MAX_COMPARED:
        return None
    if "{path}" in later or "{path}" in earlier:
        return _compare(later, earlier)
    mine, theirs = later.split("/"), earlier.split("/")
    if len(mine) != len(theirs):
        return None
    parts = []
    for one, other in zip(mine, theirs, strict=True):
        shared = _segment(one, other)
        if shared is None:
            return None
        parts.append(shared)
    return Overlap(
        "/".join(p.example for p in parts),
        all(p.later_within for p in parts),
        all(p.earlier_within for p in parts),
    )


@lru_cache(maxsize=4096)
def _segment(one: str, other: str) -> Overlap | None:
    """``overlap`` of two segments (no '/' in either)."""
    if "{" not in one and "{" not in other:
        return Overlap(one, True, True) if one == other else None
    for text, param, text_is_later in ((one, other, True), (other, one, False)):
        if "{" not in text and _PART.fullmatch(param):
            if not re.fullmatch(CONVERTOR_REGEX[param[1:-1]], text):
                return None
            return Overlap(text, text_is_later, not text_is_later)
    return _compare(one, other)


@lru_cache(maxsize=1024)
def _compare(later: str, earlier: str) -> Overlap | None:
    """``overlap`` decided on the product of the two automata, breadth first: the first
    URL both accept is a shortest one."""
    mine, theirs = _Automaton.of(later), _Automaton.of(earlier)
    letters = _letters(later, earlier)
    start = (mine.start, theirs.start)
    came: dict[tuple[frozenset[int], frozenset[int]], tuple[Any, str]] = {
        start: (None, "")
    }
    queue, example = deque([start]), None
    later_out = earlier_out = False  # a URL only the later (earlier) path matches
    while queue:
        pair = queue.popleft()
        ours, other = mine.final in pair[0], theirs.final in pair[1]
        if ours and other and example is None:
            example = _spell(came, pair)
        later_out |= ours and not other
        earlier_out |= other and not ours
        if example is not None and later_out and earlier_out:
            break
        for letter in letters:
            step = (mine.step(pair[0], letter), theirs.step(pair[1], letter))
            if (step[0] or step[1]) and step not in came:
                came[step] = (pair, letter)
                queue.append(step)
    if example is None:
        return None
    return Overlap(example, not later_out, not earlier_out)


def _spell(came: dict[Any, tuple[Any, str]], pair: Any) -> str:
    letters = []
    while came[pair][0] is not None:
        pair, letter = came[pair]
        letters.append(letter)
    return "".join(reversed(letters))


def _letters(*patterns: str) -> list[str]:
    """One character of each kind that the patterns tell apart: each literal character,
    '/', '.', '-', and a digit, a hex letter and another character that no literal is.
    Deciding over these alone decides over every character."""
    literal = {
        ch
        for p in patterns
        for part in _PART.split(p)
        if "{" not in part
        for ch in part
    }
    spare = [
        next((ch for ch in pool if ch not in literal), None)
        for pool in ("7123456890", "abcdef", "xyzghijklmnopqrstuvw_~XYZ")
    ]
    found = [ch for ch in spare if ch is not None]
    return list(dict.fromkeys([*found, "/", ".", "-", *sorted(literal)]))


# The character classes the automata test, besides single characters ('=c').
_CLASSES: dict[str, Callable[[str], bool]] = {
    "any": lambda ch: True,
    "str": lambda ch: ch != "/",
    "digit": lambda ch: "0" <= ch <= "9",
    "hex": lambda ch: ch in _HEX,
}


class _Automaton:
    """A pattern as a nondeterministic automaton: ``moves[state]`` lists (test, target)
    with a test '=c' (the character c) or a class name; ``free`` lists the moves that read
    nothing. ``step`` works on closed sets of states (a deterministic view)."""

    def __init__(self, text: str) -> None:
        self.moves: list[list[tuple[str, int]]] = [[]]
        self.free: list[list[int]] = [[]]
        end = 0
        for part in _PART.split(text):
            if part.startswith("{"):
                end = self._convertor(end, part[1:-1])
            else:
                for ch in part:
                    end = self._move(end, "=" + ch)
        self.final = end
        self.start = self._close({0})
        self._steps: dict[tuple[frozenset[int], str], frozenset[int]] = {}

    @classmethod
    @lru_cache(maxsize=1024)
    def of(cls, text: str) -> _Automaton:
        return cls(text)

    def _state(self) -> int:
        self.moves.append([])
        self.free.append([])
        return len(self.moves) - 1

    def _move(self, at: int, test: str, to: int | None = None) -> int:
        target = self._state() if to is None else to
        self.moves[at].append((test, target))
        return target

    def _repeat(self, at: int, test: str) -> int:
        """``test`` one or more times."""
        end = self._move(at, test)
        self._move(end, test, end)
        return end

    def _convertor(self, at: int, name: str) -> int:
        if name == "path":
            end = self._state()
            self.free[at].append(end)
            self._move(end, "any", end)
            return end
        if name in ("str", "int"):
            return self._repeat(at, "str" if name == "str" else "digit")
        if name == "float":
            whole = self._repeat(at, "digit")
            end = self._repeat(self._move(whole, "=."), "digit")
            self.free[whole].append(end)
            return end
        for group, size in enumerate((8, 4, 4, 4, 12)):  # uuid
            if group:
                at = self._move(at, "=-")
            for _ in range(size):
                at = self._move(at, "hex")
        return at

    def _close(self, states: set[int]) -> frozenset[int]:
        todo, seen = list(states), set(states)
        while todo:
            for target in self.free[todo.pop()]:
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        return frozenset(seen)

    def _passes(self, test: str, ch: str) -> bool:
        return test[1:] == ch if test[0] == "=" else _CLASSES[test](ch)

    def step(self, states: frozenset[int], ch: str) -> frozenset[int]:
        key = (states, ch)
        if key not in self._steps:
            targets = {
                to
                for at in states
                for test, to in self.moves[at]
                if self._passes(test, ch)
            }
            self._steps[key] = self._close(targets)
        return self._steps[key]


class _Node:
    __slots__ = ("ends", "literal", "spans", "wild")

    def __init__(self) -> None:
        self.literal: dict[str, _Node] = {}  # next segments without parameters
        self.wild: dict[str, _Node] = {}  # next segments with parameters
        self.ends: list[int] = []  # patterns that end here, by number
        self.spans: list[int] = []  # patterns whose next segment has a 'path' convertor


class PathIndex:
    """The patterns (``pattern``) served so far in one tree, in registration order, in a
    tree of their segments, so that the earlier ones a new pattern shares URLs with are
    found without comparing it with every one (a spec may serve 10,000 routes). A pattern
    with a 'path' convertor, which can match any number of segments, sits where the
    segments before it lead."""

    def __init__(self) -> None:
        self._root = _Node()
        self._shapes: list[str] = []

    def add(self, shape: str) -> int:
        """Add the next registered pattern; its number."""
        number = len(self._shapes)
        self._shapes.append(shape)
        node = self._root
        for segment in shape.split("/"):
            if "{path}" in segment:
                node.spans.append(number)
                return number
            table = node.wild if "{" in segment else node.literal
            node = table.get(segment) or table.setdefault(segment, _Node())
        node.ends.append(number)
        return number

    def shared(self, shape: str) -> list[tuple[int, Overlap]]:
        """Each earlier pattern that shares a URL with ``shape``, by number, in order."""
        found = []
        candidates = self._candidates(shape.split("/"))
        for number in sorted(set(candidates)) if candidates else ():
            earlier = self._shapes[number]
            if _may_share(shape, earlier):
                common = _tail_overlap(shape, earlier) or overlap(shape, earlier)
                if common is not None:
                    found.append((number, common))
        return found

    def _candidates(self, segments: list[str]) -> list[int]:
        """Patterns whose segments may match those of ``segments``, decided per segment;
        from a segment with a 'path' convertor on, anything below may."""
        found: list[int] = []
        todo, last = [(self._root, 0)], len(segments)
        while todo:
            node, depth = todo.pop()
            found += node.spans
            if depth == last:
                found += node.ends
                continue
            segment = segments[depth]
            if "{" not in segment:
                child = node.literal.get(segment)
                if child is not None:
                    todo.append((child, depth + 1))
            elif "{path}" in segment:
                found += _below(node)
                continue
            elif node.literal:
                todo += [
                    (child, depth + 1)
                    for text, child in node.literal.items()
                    if _segment(segment, text) is not None
                ]
            if node.wild:
                todo += [
                    (child, depth + 1)
                    for text, child in node.wild.items()
                    if _segment(segment, text) is not None
                ]
        return found


def _below(node: _Node) -> Iterator[int]:
    """Every pattern in the tree from ``node`` down."""
    todo = [node]
    while todo:
        node = todo.pop()
        yield from node.ends
        yield from node.spans
        todo.extend(node.literal.values())
        todo.extend(node.wild.values())


def _start(shape: str) -> str:
    """The literal text every URL of ``shape`` starts with."""
    return shape.split("{", 1)[0]


def _may_share(one: str, other: str) -> bool:
    first, second = _start(one), _start(other)
    return first.startswith(second) or second.startswith(first)


def _tail_overlap(later: str, earlier: str) -> Overlap | None:
    """``overlap`` at once for the usual catch-all, a literal start then one 'path'
    convertor (``/files/{path}``), against a pattern whose every URL has that start;
    None when that is not the case, or not decided here."""
    for catch, other, catch_is_later in (
        (later, earlier, True),
        (earlier, later, False),
    ):
        begin = _catch_all_start(catch)
        if begin is None or not _start(other).startswith(begin):
            continue
        # Every URL of `other` starts with `begin`, so the catch-all has them all; it has
        # more (URLs of any number of segments) unless `other` is that catch-all too.
        if "{path}" not in other:
            both = False
        elif (start := _catch_all_start(other)) is not None:
            both = start == begin
        else:
            return None
        return Overlap(
            _sample(other), both or not catch_is_later, both or catch_is_later
        )
    return None


def _catch_all_start(shape: str) -> str | None:
    begin = shape[: -len("{path}")]
    return begin if shape.endswith("{path}") and "{" not in begin else None


_SAMPLES = {
    "str": "7",
    "int": "7",
    "float": "7",
    "uuid": "00000000-0000-0000-0000-000000000000",
    "path": "",
}


def _sample(shape: str) -> str:
    """A URL that ``shape`` matches."""
    return "".join(
        _SAMPLES[part[1:-1]] if part.startswith("{") else part
        for part in _PART.split(shape)
    )
