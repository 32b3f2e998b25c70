"""``wsgen breaking``: each spec against its older version, findings as diagnostics.

    the old spec's bytes (a file, or ``git show REV:path``) and the new one's
    -> both checked and built as ``generate`` does (an invalid old spec stops the run)
    -> compared (breaking.py) -> the allowed findings lowered to info
    -> each finding located in the spec it is about, only now

A spec that did not exist at the revision is compared with an empty one: everything is
added (info), and one finding says so. A renamed spec is read from its new path, so it
did not exist either: ``--against REV:old/path.yaml`` names the old file explicitly.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from . import config
from .breaking import Finding, compare
from .breaking_rules import RULES, Level
from .errors import Diagnostic, SpecError, UsageError
from .loader import LoadedSpec, read_spec
from .model import Spec
from .naming import did_you_mean
from .pipeline import Outcome, Run, checked
from .source import SourceMap, format_path


class Version(NamedTuple):
    """One side of a comparison: the built spec and where its parts stand."""

    spec: Spec
    source: SourceMap


def parse_allow(entries: Sequence[str]) -> frozenset[tuple[str, str]]:
    """``RULE:PATH`` entries as (rule, served path or close code name)."""
    allowed = set()
    for entry in entries:
        rule, colon, subject = entry.partition(":")
        if rule not in RULES:
            hint = did_you_mean(rule, RULES, "see the rule ids in wsgen's README")
            raise UsageError(f"--allow {entry!r}: unknown rule {rule!r}; {hint}")
        if not colon or not subject:
            raise UsageError(
                f"--allow {entry!r}: give the finding as RULE:PATH, e.g. "
                f"'{rule}:/chat/room'"
            )
        allowed.add((rule, subject))
    return frozenset(allowed)


def breaking_specs(
    paths: Sequence[Path],
    against: str,
    allowed: frozenset[tuple[str, str]],
    fail_on: Level,
) -> Run:
    if len(paths) > 1 and Path(against).is_file():
        error = UsageError(
            f"--against {against} is a file: compare one SPEC with it, not {len(paths)}"
        )
        return Run("breaking", None, stopped=error, fail_on=fail_on)
    outcomes = []
    for path in paths:
        outcome = _breaking(path, against, allowed)
        outcomes.append(outcome)
        if outcome.stopped is not None:
            break
    stopped = outcomes[-1].stopped if outcomes else None
    return Run("breaking", None, tuple(outcomes), stopped, fail_on)


def _breaking(path: Path, against: str, allowed: frozenset[tuple[str, str]]) -> Outcome:
    name = config.display(path)
    try:
        new = _version(name, read_spec(path, name), path)
    except SpecError as error:
        return Outcome(name, tuple(error.diagnostics))
    try:
        old_name, raw = old_bytes(path, against)
    except UsageError as error:
        return Outcome(name, stopped=error)
    if raw is None:
        empty = Spec(new.spec.source_name, None, (), (), None)
        old = Version(empty, SourceMap(old_name))
        note = _not_there(new, old_name, against)
    else:
        try:
            old = _version(old_name, raw, path)
        except SpecError as error:
            stop = UsageError(
                f"the old spec {old_name} is invalid; wsgen breaking compares two valid "
                "specs",
                old_name,
            )
            return Outcome(name, tuple(error.diagnostics), stopped=stop)
        note = ()
    findings = compare(old.spec, new.spec)
    located = tuple(_diagnostic(f, old, new, allowed) for f in findings)
    return Outcome(name, (*note, *located))


def _version(name: str, raw: bytes, path: Path) -> Version:
    from . import build

    loaded: LoadedSpec = checked(name, raw)[0]
    return Version(
        build.spec_model(loaded.data, config.source_name(path)), loaded.source
    )


def _not_there(new: Version, old_name: str, against: str) -> tuple[Diagnostic, ...]:
    message = f"{old_name} does not exist: every route is new"
    hint = f"if the spec was renamed, pass --against {against}:<its old path>"
    return (new.source.diagnostic((), "spec-added", message, hint, severity="info"),)


def _diagnostic(
    finding: Finding, old: Version, new: Version, allowed: frozenset[tuple[str, str]]
) -> Diagnostic:
    source = old.source if finding.side == "old" else new.source
    level, hint = finding.level, ""
    accepted = f"{finding.rule}:{finding.subject}"
    if (finding.rule, finding.subject) in allowed and level != "info":
        level, hint = "info", f"accepted by the allow list ({accepted}); was {level}"
    elif level != "info":
        hint = f"if the change is intended, accept it with --allow {accepted}"
    line, column = source.key(finding.at)
    return Diagnostic(
        source.file,
        line,
        column,
        format_path(finding.at),
        finding.rule,
        finding.message,
        hint,
        level,
    )


# -- the old spec's bytes -----------------------------------------------------------------


def old_bytes(path: Path, against: str) -> tuple[str, bytes | None]:
    """The old spec's name in messages and its bytes; None when the revision has no file
    at the spec's path. A file named ``against`` wins over a revision of that name."""
    candidate = Path(against)
    if candidate.is_file():
        name = config.display(candidate)
        return name, read_spec(candidate, name)
    folder = path.resolve().parent
    if ":" in against:  # REV:path, the path from the repository's top, as git reads it
        _commit(folder, against.partition(":")[0], against)
        return against, _blob(folder, against)
    _commit(folder, against, against)
    prefix = _git(folder, "rev-parse", "--show-prefix").decode().strip()
    name = f"{against}:{prefix}{path.name}"
    return name, _blob(folder, name)


def _commit(folder: Path, revision: str, against: str) -> None:
    try:
        _git(folder, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except UsageError:
        raise UsageError(
            f"--against {against}: neither a file nor a git revision of the repository "
            f"that holds the spec"
        ) from None


def _blob(folder: Path, name: str) -> bytes | None:
    try:
        _git(folder, "cat-file", "-e", name)
    except UsageError:
        return None
    return _git(folder, "cat-file", "blob", name)


def _git(folder: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise UsageError(f"cannot run git: {exc}") from None
    if done.returncode != 0:
        raise UsageError(done.stderr.decode(errors="replace").strip() or "git failed")
    return done.stdout
