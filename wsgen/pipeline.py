"""One run of wsgen, from spec files to a result value. Nothing here prints (report.py does).

    read the spec's bytes -> manifest: known to be up to date? (then done)
    -> load (YAML + positions) -> validate (schema, rules) -> build (frozen model)
    -> render (Jinja) -> format (black) -> plan (compare with the folder)
    -> write and record the manifest | check | diff | dry-run

``validate`` stops after the second step of that line; both commands share it. The stages
after it are imported where the generate path needs them, so that ``wsgen validate`` (the
pre-commit hook) never pays for them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

from . import config
from .errors import Diagnostic, SpecError, UsageError
from .loader import LoadedSpec, load_bytes, read_spec
from .phases import phase

if TYPE_CHECKING:
    from . import manifest
    from .model import Spec
    from .plan import Change

Mode = Literal["write", "check", "diff", "dry-run"]


class Options(NamedTuple):
    mode: Mode = "write"
    output: Path | None = None  # the folder for a single spec (-o, [tool.wsgen] output)
    force: bool = False  # overwrite files that wsgen did not write


class Outcome(NamedTuple):
    """What became of one spec."""

    spec: str  # the spec's name in messages
    diagnostics: tuple[Diagnostic, ...] = ()  # errors, or the warnings of a valid spec
    output: Path | None = None  # the output folder, once known
    files: int = 0  # how many files the spec produces
    # How the folder differed from the spec (and, when written, differs no more).
    changes: tuple[Change, ...] = ()
    manifest: Path | None = None  # the manifest, when this run wrote it
    from_manifest: bool = False  # known to be up to date without reading the spec
    notes: tuple[str, ...] = ()
    stopped: UsageError | None = None  # what ended the run at this spec (exit 2)
    # Modules in the folder from a spec that no longer exists (path, that spec's name).
    orphans: tuple[tuple[Path, str], ...] = ()

    @property
    def errors(self) -> int:
        return sum(d.severity == "error" for d in self.diagnostics)

    @property
    def done(self) -> bool:
        """Whether the spec got through: valid, and (generate) planned or written."""
        return not self.errors and self.stopped is None


class Run(NamedTuple):
    command: Literal["validate", "generate"]
    mode: Mode | None  # None for validate
    outcomes: tuple[Outcome, ...] = ()
    stopped: UsageError | None = None

    @property
    def errors(self) -> int:
        return sum(o.errors for o in self.outcomes)

    @property
    def exit_code(self) -> int:
        """0 success or up to date, 1 an invalid spec or (--check) a stale tree, 2 usage."""
        if self.stopped is not None:
            return 2
        stale = self.mode == "check" and any(
            o.changes or o.orphans for o in self.outcomes
        )
        return 1 if self.errors or stale else 0


def stopped(command: Literal["validate", "generate"], error: UsageError) -> Run:
    """A run that ended before any spec was read."""
    return Run(command, None, stopped=error)


# -- the shared start: bytes -> a checked spec -----------------------------------------


def checked(name: str, raw: bytes) -> tuple[LoadedSpec, list[Diagnostic]]:
    """The loaded spec and its warnings; SpecError lists every problem."""
    from . import validate  # not on the manifest's instant path

    with phase("load"):
        loaded = load_bytes(raw, name)
    with phase("validate"):
        return loaded, validate.validate(loaded)


def load_model(
    path: Path, name: str | None = None, raw: bytes | None = None
) -> tuple[Spec, list[Diagnostic]]:
    """The frozen model of the spec at ``path`` and its warnings; SpecError otherwise.
    ``raw`` is the spec's bytes when they have been read already."""
    from . import build

    name = str(path) if name is None else name
    loaded, warnings = checked(name, read_spec(path, name) if raw is None else raw)
    with phase("build"):
        return build.spec_model(loaded.data, config.source_name(path)), warnings


def generate_files(
    spec: Spec, previous: Mapping[str, str] | None = None, workers: int | None = None
) -> dict[str, str]:
    """Every file of the generated package by name: the pure core of ``generate``.

    Deterministic: the same spec always gives the same bytes, whatever ``previous`` (the
    files now in the output folder, which only save formatting work) and ``workers`` are.
    """
    from . import formatting, render

    with phase("render"):
        rendered = render.render_package(spec)
    with phase("format"):
        return formatting.format_files(rendered, previous, workers)


# -- the commands ----------------------------------------------------------------------


def validate_specs(paths: Sequence[Path]) -> Run:
    outcomes = []
    for path in paths:
        name = config.display(path)
        try:
            _, warnings = checked(name, read_spec(path, name))
        except SpecError as error:
            outcomes.append(Outcome(name, tuple(error.diagnostics)))
        else:
            outcomes.append(Outcome(name, tuple(warnings)))
    return Run("validate", None, tuple(outcomes))


def generate_specs(paths: Sequence[Path], options: Options) -> Run:
    outcomes: list[Outcome] = []
    for path in paths:
        outcomes.append(_generate(path, options))
        if outcomes[-1].stopped is not None:
            return Run("generate", options.mode, tuple(outcomes), outcomes[-1].stopped)
    return Run("generate", options.mode, tuple(outcomes))


def _generate(path: Path, options: Options) -> Outcome:
    name = config.display(path)
    try:
        raw = read_spec(path, name)
        known = _known(path, name, raw, options)
        if known is not None:
            return known
        model, warnings = load_model(path, name, raw)
    except SpecError as error:
        return Outcome(name, tuple(error.diagnostics))
    try:
        target = _target(path, model, options.output)
        root = config.project_root(path)
        return _produce(name, raw, model, warnings, (target, root), options)
    except UsageError as error:
        return Outcome(name, tuple(warnings), stopped=error)


def _known(path: Path, name: str, raw: bytes, options: Options) -> Outcome | None:
    """The outcome when the manifest shows the tree up to date without reading the spec."""
    from . import manifest

    with phase("manifest"):
        if options.output is not None:
            target, expected = options.output, manifest.ANY_OUTPUT
        else:
            hint = manifest.output_hint(raw)
            if hint is None:
                return None
            target, expected = path.parent / hint, hint
        target = Path(config.display(target))
        entry = manifest.unchanged(
            target, config.source_name(path), raw, expected, config.project_root(path)
        )
    if entry is None:
        return None
    warnings = tuple(entry.warnings_for(name))
    return Outcome(name, warnings, target, len(entry.files), from_manifest=True)


def _target(path: Path, model: Spec, output: Path | None) -> Path:
    if output is None:
        if model.output is None:
            raise UsageError(
                f"{path} has no 'output:'; add 'output: <folder>' to it or pass -o DIR",
                config.display(path),
            )
        output = path.parent / model.output
    return Path(config.display(output))


def _produce(
    name: str,
    raw: bytes,
    model: Spec,
    warnings: list[Diagnostic],
    where: tuple[Path, Path | None],
    options: Options,
) -> Outcome:
    """Render the package, compare it with the folder ``where`` names (with the project
    root its specs are named from), and write it when asked to."""
    from . import manifest, plan, write

    target, root = where
    try:
        with phase("read"):
            previous = plan.existing(target)
        files = generate_files(model, previous)
        entry = manifest.Entry.of(raw, model.output, files, warnings)
        with phase("write"):
            steps = plan.plan(target, files, model.source_name, root)
            written: Path | None = None
            notes: tuple[str, ...] = ()
            if options.mode == "write":
                write.apply(steps, force=options.force)
                written, notes = _record(target, model.source_name, entry)
            elif options.mode == "check" and steps.up_to_date:
                notes = _slow_check(target, model.source_name, entry)
    except OSError as exc:  # the output folder is unusable: a usage problem, not a bug
        raise UsageError(
            f"cannot write {exc.filename or target}: {exc.strerror or exc}"
        ) from None
    return Outcome(
        name,
        tuple(warnings),
        target,
        len(files),
        steps.changes,
        written,
        notes=notes,
        orphans=steps.orphans,
    )


def _record(
    target: Path, source: str, entry: manifest.Entry
) -> tuple[Path | None, tuple[str, ...]]:
    """Update the manifest: its path when it changed. A folder that takes the files but
    not the manifest only loses speed, so that is a note, not a failure."""
    from . import manifest

    try:
        changed = manifest.record(target, source, entry)
    except OSError as exc:
        note = (
            f"cannot write {target / manifest.NAME} ({exc.strerror or exc}); the next "
            "run will read the whole spec again"
        )
        return None, (note,)
    return (target / manifest.NAME if changed else None), ()


def _slow_check(target: Path, source: str, entry: manifest.Entry) -> tuple[str, ...]:
    """Why an up-to-date check had to read the whole spec, and how to make it instant."""
    from . import manifest

    if manifest.read(target).get(source) == entry:
        return ()
    note = (
        f"{target / manifest.NAME} is missing or out of date, so the whole spec was "
        "read; run `wsgen generate` and commit the file to make this check instant"
    )
    return (note,)
