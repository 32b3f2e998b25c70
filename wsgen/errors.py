"""Diagnostics: every problem wsgen reports about a spec, with its place in the file."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Characters that must not reach a terminal or a CI log as they are: controls (a newline
# would fake an extra line, ESC starts terminal commands), line and paragraph separators,
# and the bidirectional overrides and isolates that make text read differently than it is.
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]"
)


def printable(text: str) -> str:
    """``text`` with each character that could act on a terminal shown as its escape."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode(), text)


# Messages quote values from the spec; a value of 100,000 characters would make a line of
# 200 KB. Any run of more than LONG characters without a space keeps its two ends.
LONG = 120
_LONG_RUN = re.compile(rf"\S{{{LONG + 1},}}")


def clip(text: str) -> str:
    """``text`` with each very long unbroken run shortened to its start and end."""
    return _LONG_RUN.sub(
        lambda m: f"{m[0][:80]}...({len(m[0]) - 100} more characters)...{m[0][-20:]}",
        text,
    )


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem in a spec.

    ``line`` and ``column`` are 1-based and come from the YAML source. ``path`` is where the
    problem sits in the spec's structure (``routers.chat.prefix``); ``rule`` is a stable id
    that tests and machine-readable output can rely on; ``hint`` says how to fix it.
    """

    file: str
    line: int
    column: int
    path: str
    rule: str
    message: str
    hint: str = ""
    severity: str = "error"  # or "warning": reported, but generation goes on

    def __post_init__(self) -> None:
        # Frozen: set through object.__setattr__, once, before anyone reads the fields.
        for field in ("path", "message", "hint"):
            object.__setattr__(self, field, clip(getattr(self, field)))

    def format(self) -> str:
        text = self.message if not self.hint else f"{self.message}; {self.hint}"
        if self.severity != "error":
            text = f"{self.severity}: {text}"
        where = self.path or "<root>"
        line = f"{self.file}:{self.line}:{self.column}: {where}: {text}"
        # One problem is one line, and no control character from a spec (a newline, an
        # ANSI escape) reaches the terminal as is: show it as its Python escape.
        return printable(line)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.column, self.path, self.message)


class SpecError(Exception):
    """A spec that cannot be generated from. The CLI catches only this type."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = sorted(set(diagnostics), key=Diagnostic.sort_key)
        super().__init__("\n".join(d.format() for d in self.diagnostics))


class UsageError(Exception):
    """A problem with how wsgen was asked to run, not with a spec: a bad ``[tool.wsgen]``, a
    missing spec, an unusable output folder (exit 2). ``file`` is what it concerns, if one.
    """

    def __init__(self, message: str, file: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
