"""Reporters: the only code that writes a run's results to stdout and stderr, one per format.

- ``text``: diagnostics and notes on stderr (``FILE:LINE:COL: path: message; hint``, coloured
  only on a terminal and never when ``NO_COLOR`` is set), results and diffs on stdout.
- ``github``: as text, but diagnostics and stale files are ``::error file=...::...``
  workflow commands on stdout, so Actions shows them on the pull request.
- ``json``: stdout is exactly one JSON list, as ``schemas/diagnostics.schema.json`` says:
  every problem, and every file that differs from its spec (with its diff under
  ``--check`` and ``--diff``); stderr has the same human-readable lines as text.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .errors import Diagnostic, UsageError, printable

if TYPE_CHECKING:
    from .pipeline import Outcome, Run
    from .plan import Change

_STALE = "out of date with its spec"
_UPDATE = "run `wsgen generate` to update it"
_ORPHAN_HINT = "delete it if nothing imports it (git rm), or restore the spec"


def _stale_words(change: Change) -> tuple[str, str]:
    """What is wrong with a stale file, and how to fix it, by why it differs."""
    if change.by_hand == "written":
        return (
            f"{change.kind}: not written by wsgen (it has no generated header)",
            "move it away, or run `wsgen generate --force` to replace it",
        )
    return f"{change.kind}: {_STALE}", _UPDATE


def _orphan_message(spec: str) -> str:
    return f"generated from {spec!r}, which no longer exists, so nothing updates it"


def _breaking_summary(outcome: Outcome) -> str:
    counts = [
        f"{n} {level}{'s' if n != 1 else ''}"
        for level in ("warning", "info")
        if (n := sum(d.severity == level for d in outcome.diagnostics))
    ]
    return "no breaking change" + (f" ({', '.join(counts)})" if counts else "")


def use_colour(stream: TextIO) -> bool:
    return "NO_COLOR" not in os.environ and stream.isatty()


def text_line(diagnostic: Diagnostic, colour: bool) -> str:
    if not colour:
        return diagnostic.format()
    location = f"{diagnostic.file}:{diagnostic.line}:{diagnostic.column}:"
    plain = diagnostic.format()[len(location) :]
    tint = {"warning": "33", "info": "36"}.get(diagnostic.severity, "31")
    return f"\x1b[1m{location}\x1b[0m\x1b[{tint}m{plain}\x1b[0m"


class TextReporter:
    """Walks a run in order; the formats differ only in the primitives at the bottom."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self.out, self.err = out, err

    def report(self, run: Run) -> None:
        for outcome in run.outcomes:
            self.diagnostics(outcome.diagnostics)
            if outcome.done:
                self.outcome(run, outcome)
        if run.stopped is not None:
            self.usage(run.stopped)
        self.finish()
        if run.errors and run.stopped is None:  # a stopped run says why instead
            self.say(f"{run.errors} error{'s' if run.errors != 1 else ''} found")

    def outcome(self, run: Run, outcome: Outcome) -> None:
        if run.command == "validate":
            self.result(f"{outcome.spec}: valid")
        elif run.command == "docs":  # without a file, stdout is the page itself
            if outcome.output is not None:
                self.result(f"wrote {outcome.output}")
        elif run.command == "breaking":
            self.result(f"{outcome.spec}: {_breaking_summary(outcome)}")
        elif run.command == "scaffold" and not outcome.changes:
            self.result(f"{outcome.spec}: nothing to scaffold")
        elif run.mode == "write":
            self.written(outcome)
        elif not outcome.changes and not (run.mode == "check" and outcome.orphans):
            self.result(f"{outcome.output}: up to date")
        elif run.mode == "check":
            self.stale(outcome)
        elif run.mode == "diff":
            self.diff(outcome)
        else:
            self.would(outcome)
        if run.command == "generate" and run.mode != "check":
            for path, spec in outcome.orphans:  # --check reports them as it fails
                self.orphan(path, spec, "warning")

    def written(self, outcome: Outcome) -> None:
        for change in outcome.changes:
            self.result(
                f"{'removed' if change.kind == 'extra' else 'wrote'} {change.path}"
            )
        self.result(
            f"{outcome.output}: {outcome.files} files, {len(outcome.changes)} changed"
        )

    def stale(self, outcome: Outcome) -> None:
        self.show_diff(outcome)
        for change in outcome.changes:
            self.say(f"{change.kind}: {change.path}")
            if change.by_hand:
                message, hint = _stale_words(change)
                self.say(f"  {message.partition(': ')[2]}; {hint}")
            self.annotate_stale(change)
        for path, spec in outcome.orphans:
            self.orphan(path, spec, "error")
        if any(c.by_hand == "written" for c in outcome.changes):
            self.say(
                f"{outcome.output} is out of date with its spec; move the hand-written "
                "files away (or pass --force), then run `wsgen generate`"
            )
        elif outcome.changes:
            self.say(
                f"{outcome.output} is out of date with its spec; run `wsgen generate` to "
                "update it"
            )

    def orphan(self, path: Path, spec: str, severity: str) -> None:
        """A module of a spec that no longer exists: an error under --check."""
        lead = "orphan" if severity == "error" else "warning: orphan"
        self.say(f"{lead}: {path}: {_orphan_message(spec)}; {_ORPHAN_HINT}")

    def would(self, outcome: Outcome) -> None:
        for change in outcome.changes:
            verb = "would remove" if change.kind == "extra" else "would write"
            self.result(f"{verb} {change.path}")

    # -- the primitives -------------------------------------------------------------------

    def diagnostics(self, diagnostics: tuple[Diagnostic, ...]) -> None:
        colour = use_colour(self.err)
        for diagnostic in diagnostics:
            print(text_line(diagnostic, colour), file=self.err)  # escaped by format()

    def diff(self, outcome: Outcome) -> None:
        self.show_diff(outcome)

    def show_diff(self, outcome: Outcome) -> None:
        self.out.write("".join(change.diff() for change in outcome.changes))

    def annotate_stale(self, change: Change) -> None:
        """Only github puts stale files on the pull request."""

    def usage(self, error: UsageError) -> None:
        self.say(f"error: {error.message}")

    def result(self, line: str) -> None:
        print(printable(line), file=self.out)

    def say(self, line: str) -> None:
        """A line for people on stderr; paths and values in it may come from the spec."""
        print(printable(line), file=self.err)

    def finish(self) -> None:
        """The end of the run, before the error count: json prints its document here."""


def _escape_data(text: str) -> str:
    text = printable(
        text
    )  # no terminal escape reaches the log; then the workflow syntax
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(diagnostic: Diagnostic) -> str:
    level = {"warning": "warning", "info": "notice"}.get(diagnostic.severity, "error")
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


class GithubReporter(TextReporter):
    """Annotations name files from the repository's root (``GITHUB_WORKSPACE``, else the
    git top level), which is what GitHub matches to a pull request's lines, whatever
    folder wsgen runs in."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        super().__init__(out, err)
        self.root = _repository_root()

    def diagnostics(self, diagnostics: tuple[Diagnostic, ...]) -> None:
        for diagnostic in diagnostics:
            located = replace(diagnostic, file=self.from_root(diagnostic.file))
            print(github_line(located), file=self.out)

    def annotate_stale(self, change: Change) -> None:
        where = f"file={_escape_property(self.from_root(str(change.path)))}"
        title = _escape_property("wsgen stale")
        message = _escape_data("; ".join(_stale_words(change)))
        print(f"::error {where},title={title}::{message}", file=self.out)

    def orphan(self, path: Path, spec: str, severity: str) -> None:
        super().orphan(path, spec, severity)
        where = f"file={_escape_property(self.from_root(str(path)))}"
        title = _escape_property("wsgen orphan")
        message = _escape_data(f"{_orphan_message(spec)}; {_ORPHAN_HINT}")
        print(f"::{severity} {where},title={title}::{message}", file=self.out)

    def usage(self, error: UsageError) -> None:
        super().usage(error)
        title = _escape_property("wsgen usage")
        print(f"::error title={title}::{_escape_data(error.message)}", file=self.out)

    def from_root(self, file: str) -> str:
        if self.root is None:
            return file
        try:
            return Path(file).resolve().relative_to(self.root).as_posix()
        except (ValueError, OSError):
            return file


def _repository_root() -> Path | None:
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if workspace:
        return Path(workspace).resolve()
    try:
        found = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):  # no git: names stay as they are
        return None
    top = found.stdout.strip()
    return Path(top).resolve() if found.returncode == 0 and top else None


class JsonReporter(TextReporter):
    """Collects entries and prints them as one document at the end; everything meant for
    people goes to stderr, so stdout parses as JSON whatever happened."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        super().__init__(out, err)
        self.entries: list[dict[str, Any]] = []

    def diagnostics(self, diagnostics: tuple[Diagnostic, ...]) -> None:
        self.entries.extend(asdict(d) for d in diagnostics)

    def written(self, outcome: Outcome) -> None:
        for change in outcome.changes:
            removed = change.kind == "extra"
            message = f"{change.kind}: {'removed' if removed else 'written'}"
            self.add(change, "removed" if removed else "written", message, "")
        super().written(outcome)

    def stale(self, outcome: Outcome) -> None:
        for change in outcome.changes:
            message, hint = _stale_words(change)
            self.add(change, "stale", message, hint, "error", diff=True)
        super().stale(outcome)

    def diff(self, outcome: Outcome) -> None:
        for change in outcome.changes:
            self.add(change, "stale", self._would(change), _UPDATE, diff=True)

    def orphan(self, path: Path, spec: str, severity: str) -> None:
        super().orphan(path, spec, severity)
        found = Diagnostic(
            str(path), 1, 1, "", "orphan", _orphan_message(spec), _ORPHAN_HINT, severity
        )
        self.entries.append(asdict(found))

    def would(self, outcome: Outcome) -> None:
        for change in outcome.changes:
            self.add(change, "stale", self._would(change), _UPDATE)
        super().would(outcome)

    def usage(self, error: UsageError) -> None:
        super().usage(error)
        self.entries.append(
            asdict(Diagnostic(error.file or "", 1, 1, "", "usage", error.message))
        )

    def show_diff(self, outcome: Outcome) -> None:
        """The diff is in each file's entry."""

    def result(self, line: str) -> None:
        self.say(line)

    def finish(self) -> None:
        print(json_text(self.entries), file=self.out)

    @staticmethod
    def _would(change: Change) -> str:
        verb = "removed" if change.kind == "extra" else "written"
        return f"{change.kind}: would be {verb}"

    def add(
        self,
        change: Change,
        rule: str,
        message: str,
        hint: str,
        severity: str = "info",
        *,
        diff: bool = False,
    ) -> None:
        """An entry for a generated file: ``change`` says how it differs from the spec."""
        entry = asdict(
            Diagnostic(str(change.path), 1, 1, "", rule, message, hint, severity)
        )
        entry["change"] = change.kind
        if diff:
            entry["diff"] = change.diff()
        self.entries.append(entry)


_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_text(document: Any) -> str:
    """``document`` as indented JSON that is safe to show on a terminal: JSON escapes C0
    controls itself; the others (C1, bidirectional overrides) it keeps raw, but may escape
    too."""
    text = json.dumps(document, indent=2, ensure_ascii=False)
    return _UNSAFE_IN_JSON.sub(_json_escape, text)


REPORTERS: dict[str, type[TextReporter]] = {
    "text": TextReporter,
    "json": JsonReporter,
    "github": GithubReporter,
}
