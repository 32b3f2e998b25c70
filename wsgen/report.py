"""Diagnostics for people and for machines: text, JSON and GitHub Actions annotations.

- ``text``: ``FILE:LINE:COL: path: message; hint`` on stderr, coloured only on a terminal and
  never when ``NO_COLOR`` is set.
- ``json``: one JSON list on stdout, each object as ``schemas/diagnostics.schema.json`` says.
- ``github``: ``::error file=...,line=...,col=...::...`` workflow commands on stdout.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from typing import TextIO

from .errors import Diagnostic

FORMATS = ("text", "json", "github")


def use_colour(stream: TextIO) -> bool:
    return "NO_COLOR" not in os.environ and stream.isatty()


def text_line(diagnostic: Diagnostic, colour: bool) -> str:
    if not colour:
        return diagnostic.format()
    location = f"{diagnostic.file}:{diagnostic.line}:{diagnostic.column}:"
    plain = diagnostic.format()[len(location) :]
    tint = "33" if diagnostic.severity == "warning" else "31"
    return f"\x1b[1m{location}\x1b[0m\x1b[{tint}m{plain}\x1b[0m"


def as_json(diagnostics: list[Diagnostic]) -> str:
    return json.dumps([asdict(d) for d in diagnostics], indent=2, ensure_ascii=False)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(diagnostic: Diagnostic) -> str:
    level = "warning" if diagnostic.severity == "warning" else "error"
    text = (
        diagnostic.message
        if not diagnostic.hint
        else f"{diagnostic.message}; {diagnostic.hint}"
    )
    where = f"{diagnostic.path}: " if diagnostic.path else ""
    properties = ",".join(
        [
            f"file={_escape_property(diagnostic.file)}",
            f"line={diagnostic.line}",
            f"col={diagnostic.column}",
            f"title={_escape_property('wsgen ' + diagnostic.rule)}",
        ]
    )
    return f"::{level} {properties}::{_escape_data(where + text)}"


class Reporter:
    """Prints diagnostics as they come (text, github) or all at once at the end (json)."""

    def __init__(self, format: str) -> None:
        self.format = format
        self.collected: list[Diagnostic] = []

    def diagnostics(self, diagnostics: list[Diagnostic]) -> None:
        if self.format == "json":
            self.collected.extend(diagnostics)
        elif self.format == "github":
            for diagnostic in diagnostics:
                print(github_line(diagnostic), file=sys.stdout)
        else:
            colour = use_colour(sys.stderr)
            for diagnostic in diagnostics:
                print(text_line(diagnostic, colour), file=sys.stderr)

    def stale(self, path: str, kind: str) -> None:
        """A generated file that is out of date; annotated on the file in github mode."""
        if self.format == "github":
            message = (
                f"{kind}: out of date with its spec; run `wsgen generate` to update it"
            )
            title = _escape_property("wsgen stale")
            print(
                f"::error file={_escape_property(path)},title={title}::{_escape_data(message)}"
            )

    def result(self, line: str) -> None:
        """A human-readable result: stdout, except in json mode where stdout is the list."""
        print(line, file=sys.stderr if self.format == "json" else sys.stdout)

    def finish(self) -> None:
        if self.format == "json":
            print(as_json(self.collected), file=sys.stdout)
