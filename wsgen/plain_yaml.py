"""The fast reader: the YAML that specs are written in, read line by line in Python.

Specs are block mappings and lists of one-line scalars, with one-line flow collections
such as ``{in: query, type: int}`` or ``[verify_auth]``. Reading those line by line costs
a fraction of what libyaml's events cost once they are Python objects. Anything outside
that subset (a tag, an anchor, a multi-line or escaped scalar, a tab, an odd indentation,
a duplicate or non-string key, and every syntax error) raises ``Unusual``, and the loader
reads the text with libyaml instead, which decides and reports. Whatever this reader does
return is what libyaml's reading gives (tests/test_plain_yaml.py holds it to that, on
every spec in the repository and on mutations of them).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

# Deeper than any spec needs, shallower than any YAML parser's or Python's own limit, so every
# environment reports the same located error.
MAX_DEPTH = 100
# Integers are read up to this many digits (below 10**100 in magnitude): far beyond any bound,
# default or version a spec needs, and far below the 4,300 digits from which Python refuses
# to turn an int into text, as repr() does in messages and generated literals. An integer
# written with more than MAX_INT_TEXT characters is refused before it is converted (any YAML
# form of a smaller one, even in binary, is shorter), so no conversion can be slow.
MAX_INT_DIGITS = 100
MAX_INT_TEXT = 1_000
INT_LIMIT = 10**MAX_INT_DIGITS


class Unusual(Exception):
    """Something only libyaml's reading handles, or reports."""


# -- scalars ----------------------------------------------------------------------------

_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.SafeLoader("")
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("int", "float", "bool", "null")
)
_PLAIN = (True, False)  # a plain scalar's 'implicit' in PyYAML's terms
# The first characters of the plain scalars PyYAML's resolver may read as more than text.
FIRST_CHARS = _RESOLVER.yaml_implicit_resolvers
# The words PyYAML's resolver reads as booleans or null; any other plain scalar that starts
# with a letter is a string (tests/test_loader_paths.py compares with the full reader).
_WORDS = frozenset(
    form
    for word in ("yes", "no", "true", "false", "on", "off", "null")
    for form in (word, word.capitalize(), word.upper())
)


def scalar(value: str) -> Any:
    """A plain scalar as PyYAML's implicit tags read it; ``Unusual`` for merge keys,
    timestamps and integers beyond MAX_INT_DIGITS."""
    if value and value[0] not in FIRST_CHARS:
        return value
    if value[:1].isalpha() and value not in _WORDS:
        return value
    if value.isdigit() and value.isascii() and value[0] != "0":  # 0... is octal
        if len(value) > MAX_INT_DIGITS:
            raise Unusual
        return int(value)
    tag = _RESOLVER.resolve(yaml.ScalarNode, value, _PLAIN)  # type: ignore[no-untyped-call]
    if tag == _STR:
        return value
    if tag not in _SCALAR_TAGS or (tag == _INT and len(value) > MAX_INT_TEXT):
        raise Unusual
    node = yaml.ScalarNode(tag, value)  # a value its resolver matched: it builds
    built = _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, node)
    if type(built) is int and abs(built) >= INT_LIMIT:
        raise Unusual
    return built


# -- the subset -------------------------------------------------------------------------

# Any character outside printable ASCII, newline and the printable non-ASCII planes that
# YAML reads as content (no tab, no carriage return, no NEL, LS, PS or BOM).
_OUTSIDE = re.compile(
    "[^\n -~\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_.-]*) *:(?: +|$)")
_FLOW_PLAIN = re.compile(
    r"""(?!-[\s,\[\]{}]|-$)[^\s,\[\]{}#:'"!&*|>%@`?][^,\[\]{}#:'"]*"""
)
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")


# The lines with content, without their indentation and trailing spaces, and the same
# lines' indentation; lines that are blank or hold only a comment are left out. Two passes
# rather than one of (indentation, content) pairs: a pair per line would double the peak
# memory of reading a large spec.
_CONTENT = re.compile(r"^ *([^ #\n](?:[^\n]*[^ \n])?) *$", re.MULTILINE)
_INDENT = re.compile(r"^( *)[^ #\n]", re.MULTILINE)

# What the rest of a line after ``key:`` holds (mapping entries are read once per text).
_NESTED, _SCALAR, _FLAT, _DEEP = range(4)


def read(text: str) -> dict[str, Any]:
    """The data of a spec in the subset; ``Unusual`` for any other text."""
    if _OUTSIDE.search(text):
        raise Unusual
    contents = _CONTENT.findall(text)
    indents = list(map(len, _INDENT.findall(text)))
    if not contents or indents[0]:
        raise Unusual
    reader = _Reader(indents, contents)
    try:
        data = reader.block(0, contents[0], -1, 1)
    except IndexError:  # a flow collection left open
        raise Unusual from None
    if reader.i != len(contents) or type(data) is not dict:
        raise Unusual
    return data


def _dash(content: str) -> bool:
    return content[0] == "-" and (len(content) == 1 or content[1] == " ")


def _entry(content: str) -> tuple[str, int, Any]:
    """A mapping line: its key, what follows the key, and the value (or its text)."""
    match = _KEY.match(content)
    if match is None:
        raise Unusual
    key = scalar(match[1])
    if type(key) is not str:
        raise Unusual
    rest = content[match.end() :]
    if not rest or rest[0] == "#":
        return key, _NESTED, None
    value = inline(rest)
    if type(value) is dict or type(value) is list:
        flat = all(type(v) is not dict and type(v) is not list for v in _values(value))
        return (key, _FLAT, value) if flat else (key, _DEEP, rest)
    return key, _SCALAR, value


def _values(collection: Any) -> Any:
    return collection.values() if type(collection) is dict else collection


class _Reader:
    def __init__(self, indents: list[int], contents: list[str]) -> None:
        self.indents = indents
        self.contents = contents
        self.end = len(indents)
        self.i = 1  # the next line to read
        self.entries: dict[str, tuple[str, int, Any]] = {}

    def block(self, indent: int, content: str, parent: int, depth: int) -> Any:
        """The node whose first line, at column ``indent``, is ``content`` (read already);
        ``parent`` is the column of the line that owns it."""
        if depth >= MAX_DEPTH:
            raise Unusual
        if _dash(content):
            return self.sequence(indent, content, depth)
        if _KEY.match(content):
            return self.mapping(indent, content, depth)
        value = inline(content)
        self.no_continuation(parent)
        return value

    def sequence(self, indent: int, content: str, depth: int) -> list[Any]:
        items: list[Any] = []
        indents, contents = self.indents, self.contents
        while True:
            rest = content[1:].lstrip(" ")
            if not rest or rest[0] == "#":
                items.append(self.nested(indent, depth, indentless=False))
            else:
                column = indent + len(content) - len(rest)
                items.append(self.block(column, rest, indent, depth + 1))
            if self.i == self.end:
                return items
            at, content = indents[self.i], contents[self.i]
            if at != indent or not _dash(content):
                if at > indent:
                    raise Unusual
                return items
            self.i += 1

    def mapping(self, indent: int, content: str, depth: int) -> dict[str, Any]:
        found: dict[str, Any] = {}
        indents, contents, entries, end = (
            self.indents,
            self.contents,
            self.entries,
            self.end,
        )
        while True:
            entry = entries.get(content)
            if entry is None:
                entry = entries[content] = _entry(content)
            key, kind, value = entry
            if key in found:
                raise Unusual
            if kind == _NESTED:
                found[key] = self.nested(indent, depth, indentless=True)
            else:
                if kind == _SCALAR:
                    found[key] = value
                elif kind == _FLAT:
                    found[key] = value.copy()
                else:
                    found[key] = inline(value)
                if self.i < end and indents[self.i] > indent:
                    raise Unusual  # the scalar goes on over the next line
            if self.i == end:
                return found
            at = indents[self.i]
            if at != indent:
                if at > indent:
                    raise Unusual
                return found
            content = contents[self.i]
            self.i += 1

    def nested(self, owner: int, depth: int, indentless: bool) -> Any:
        """The block under a line at column ``owner`` that ends in ``key:`` or ``-``, or
        None when there is none. A list may stand at the key's own column."""
        if self.i == self.end:
            return None
        at, content = self.indents[self.i], self.contents[self.i]
        if at > owner or (indentless and at == owner and _dash(content)):
            self.i += 1
            return self.block(at, content, owner, depth + 1)
        return None

    def no_continuation(self, owner: int) -> None:
        """A scalar on the line of column ``owner`` goes on if the next line is deeper."""
        if self.i < self.end and self.indents[self.i] > owner:
            raise Unusual


def inline(text: str) -> Any:
    """A value that fills the rest of its line, a comment after it allowed."""
    first = text[0]
    if first == "[" or first == "{":
        value, end = _flow(text, 0)
    elif first == "'" or first == '"':
        value, end = _quoted(text, 0)
    elif first in _INDICATORS and (first != "-" or len(text) == 1 or text[1] == " "):
        raise Unusual  # only '-' may start a plain scalar, and not before a space
    else:
        cut = text.find(" #")
        value = text if cut < 0 else text[:cut].rstrip(" ")
        if ": " in value or value.endswith(":"):
            raise Unusual
        return scalar(value)
    _end_of_line(text, end)
    return value


def _end_of_line(text: str, end: int) -> None:
    if end < len(text) and (text[end] != " " or text[end:].lstrip(" ")[:1] != "#"):
        raise Unusual


def _quoted(text: str, start: int) -> tuple[str, int]:
    quote = text[start]
    if quote == '"':
        end = text.find('"', start + 1)
        if end < 0 or "\\" in text[start:end]:
            raise Unusual
        return text[start + 1 : end], end + 1
    end = start + 1
    while True:
        end = text.find("'", end)
        if end < 0:
            raise Unusual
        if text[end + 1 : end + 2] != "'":
            return text[start + 1 : end].replace("''", "'"), end + 1
        end += 2


def _flow(text: str, start: int, depth: int = 0) -> tuple[Any, int]:
    """The flow collection that starts at ``start``, and where it ends."""
    if depth >= MAX_DEPTH:
        raise Unusual
    closing = "]" if text[start] == "[" else "}"
    found: Any = [] if closing == "]" else {}
    i = _skip(text, start + 1)
    if text[i] == closing:
        return found, i + 1
    while True:
        if closing == "]":
            value, i = _flow_value(text, i, depth)
            found.append(value)
        else:
            match = _KEY.match(text, i)
            key = None if match is None else scalar(match[1])
            if type(key) is not str or key in found:
                raise Unusual
            found[key], i = _flow_value(text, match.end(), depth)  # type: ignore[union-attr]
        i = _skip(text, i)
        if text[i] == closing:
            return found, i + 1
        if text[i] != ",":
            raise Unusual
        i = _skip(text, i + 1)
        if text[i] in ",]}":  # an empty entry, or a comma before the end
            raise Unusual


def _flow_value(text: str, i: int, depth: int) -> tuple[Any, int]:
    first = text[i]
    if first == "[" or first == "{":
        return _flow(text, i, depth + 1)
    if first == "'" or first == '"':
        return _quoted(text, i)
    match = _FLOW_PLAIN.match(text, i)
    if match is None:
        raise Unusual
    return scalar(match[0].rstrip(" ")), match.end()


def _skip(text: str, i: int) -> int:
    while text[i] == " ":
        i += 1
    return i
