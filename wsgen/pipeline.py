"""One run of wsgen, from spec files to a result value. Nothing here prints (report.py does).

    read the spec's bytes -> load (YAML + positions) -> validate (schema, rules)
    -> build (frozen model) -> render (Jinja, in black's layout)
    -> plan (compare every file's bytes with the folder) -> compile what differs
    -> write | check | diff | dry-run

Nothing stored in the output folder is trusted: every run renders the whole package and
compares bytes, so a file is right exactly when it is what the spec gives now.

``validate`` stops after the second step of that line; both commands share it. The stages
after it are imported where the generate path needs them, so that ``wsgen validate`` (the
pre-commit hook) never pays for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

from . import config
from .errors import Diagnostic, SpecError, UsageError
from .loader import LoadedSpec, kept, load_bytes, read_spec
from .phases import phase

if TYPE_CHECKING:
    from .model import Spec
    from .parallel import Worker
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
    command: Literal["validate", "generate", "docs", "breaking", "scaffold"]
    mode: Mode | None  # None for validate, docs, breaking and scaffold
    outcomes: tuple[Outcome, ...] = ()
    stopped: UsageError | None = None
    # breaking: the weakest level of finding that fails the run ("error" or "warning")
    fail_on: str | None = None

    @property
    def errors(self) -> int:
        return sum(o.errors for o in self.outcomes)

    @property
    def warnings(self) -> int:
        return sum(
            d.severity == "warning" for o in self.outcomes for d in o.diagnostics
        )

    @property
    def exit_code(self) -> int:
        """0 success or up to date, 1 an invalid spec or (--check) a stale tree, 2 usage."""
        if self.stopped is not None:
            return 2
        if self.fail_on == "warning":
            return 1 if self.errors or self.warnings else 0
        stale = self.mode == "check" and any(
            o.changes or o.orphans for o in self.outcomes
        )
        return 1 if self.errors or stale else 0


def stopped(
    command: Literal["validate", "generate", "breaking", "scaffold"], error: UsageError
) -> Run:
    """A run that ended before any spec was read."""
    return Run(command, None, stopped=error)


# -- the shared start: bytes -> a checked spec -----------------------------------------


def checked(name: str, raw: bytes) -> tuple[LoadedSpec, list[Diagnostic]]:
    """The loaded spec and its warnings; SpecError lists every problem."""
    from . import validate  # `wsgen validate` is the only caller that needs no more

    with phase("load"):
        loaded = load_bytes(raw, name)
    with phase("validate"), kept():
        return loaded, validate.validate(loaded)


def load_model(
    path: Path, name: str | None = None, raw: bytes | None = None
) -> tuple[Spec, list[Diagnostic]]:
    """The frozen model of the spec at ``path`` and its warnings; SpecError otherwise.
    ``raw`` is the spec's bytes when they have been read already."""
    name = str(path) if name is None else name
    with phase("load"):
        loaded = load_bytes(read_spec(path, name) if raw is None else raw, name)
    return model_of(loaded, path)


def model_of(
    loaded: LoadedSpec, path: Path, routers: bool = True
) -> tuple[Spec, list[Diagnostic]]:
    """Validate the loaded spec at ``path`` and build its model (without its routers if
    not ``routers``: build.spec_model); SpecError otherwise."""
    from . import build, validate

    with phase("validate"):
        warnings = validate.validate(loaded)
    with phase("build"):
        source = config.source_name(path)
        return build.spec_model(loaded.data, source, routers), warnings


def read_model(path: Path) -> tuple[Spec | None, Outcome]:
    """The model of the spec at ``path`` and its outcome so far (its warnings), or None
    and the outcome that lists its problems: the start of every command but validate."""
    name = config.display(path)
    try:
        model, warnings = load_model(path, name)
    except SpecError as error:
        return None, Outcome(name, tuple(error.diagnostics))
    return model, Outcome(name, tuple(warnings))


def generate_files(spec: Spec, worker: Worker | None = None) -> dict[str, str]:
    """Every file of the generated package by name: the pure core of ``generate``.

    Deterministic: the same spec always gives the same bytes, already in black's layout.
    With a ``worker`` (parallel.py), the two processes share the router modules.
    """
    from . import render

    with phase("render"):
        if worker is None:
            return render.render_package(spec)
        files = render.render_package(spec, worker.routers(spec))
    return {**files, **worker.modules(spec, set(files))}


# -- the commands ----------------------------------------------------------------------


def validate_specs(
    paths: Sequence[Path], imports: bool = False, timeout: float | None = None
) -> Run:
    """``imports``: also import what the valid specs reference (import_check), in one
    child process for the run, after every spec has been read."""
    outcomes = []
    valid = []
    for path in paths:
        name = config.display(path)
        try:
            loaded, warnings = checked(name, read_spec(path, name))
        except SpecError as error:
            outcomes.append(Outcome(name, tuple(error.diagnostics)))
        else:
            outcomes.append(Outcome(name, tuple(warnings)))
            valid.append((len(outcomes) - 1, path, loaded))
    if imports and valid:
        outcomes = _with_imports(outcomes, valid, timeout)
    return Run("validate", None, tuple(outcomes))


def _with_imports(
    outcomes: list[Outcome],
    valid: list[tuple[int, Path, LoadedSpec]],
    timeout: float | None,
) -> list[Outcome]:
    from . import build, import_check

    subjects = []
    for _, path, loaded in valid:
        model = build.spec_model(loaded.data, config.source_name(path))
        refs = import_check.references(model, loaded.data)
        subjects.append(import_check.Subject(loaded, refs, import_check.roots(path)))
    with phase("imports"):
        import_check.check(subjects, timeout or import_check.DEFAULT_TIMEOUT)
    for (at, _, _), subject in zip(valid, subjects):
        found = sorted(subject.found, key=Diagnostic.sort_key)
        outcome = outcomes[at]
        outcomes[at] = outcome._replace(diagnostics=(*outcome.diagnostics, *found))
    return outcomes


def asyncapi_document(path: Path) -> tuple[Run, str | None]:
    """The spec's AsyncAPI document (``wsgen asyncapi``), whether or not the spec has
    ``asyncapi:``; the run says why there is none (errors reported as ``validate`` does).
    """
    from . import documents

    model, outcome = read_model(path)
    if model is None:
        return Run("validate", None, (outcome,)), None
    with phase("asyncapi"):
        text = documents.render(model)
    return Run("validate", None, (outcome,)), text


def generate_specs(paths: Sequence[Path], options: Options) -> Run:
    outcomes: list[Outcome] = []
    documents: dict[Path, str] = {}  # document -> the spec that writes it, in this run
    for path in paths:
        outcomes.append(_generate(path, options, documents))
        if outcomes[-1].stopped is not None:
            return Run("generate", options.mode, tuple(outcomes), outcomes[-1].stopped)
    return Run("generate", options.mode, tuple(outcomes))


def _generate(path: Path, options: Options, documents: dict[Path, str]) -> Outcome:
    from . import parallel

    outcome = Outcome(config.display(path))
    try:
        with phase("load"):
            loaded = load_bytes(read_spec(path, outcome.spec), outcome.spec)
        with kept(), parallel.worker(loaded, config.source_name(path)) as worker:
            # With a worker, routers that render apart are built as they are rendered.
            whole = worker is None or not worker.apart
            model, warnings = model_of(loaded, path, routers=whole)
            outcome = outcome._replace(diagnostics=tuple(warnings))
            target = _target(path, model, options.output)
            root = config.project_root(path)
            document = _document(path, model, target, documents)
            return _produce(outcome, model, (target, root, document), options, worker)
    except SpecError as error:
        return outcome._replace(diagnostics=tuple(error.diagnostics))
    except UsageError as error:
        return outcome._replace(stopped=error)


def _target(path: Path, model: Spec, output: Path | None) -> Path:
    if output is None:
        if model.output is None:
            raise UsageError(
                f"{path} has no 'output:'; add 'output: <folder>' to it or pass -o DIR",
                config.display(path),
            )
        output = path.parent / model.output
    return Path(config.display(output))


def _document(
    path: Path, model: Spec, target: Path, documents: dict[Path, str]
) -> Path | None:
    """Where the spec's AsyncAPI document goes, once known to be a place it may go."""
    if model.asyncapi is None:
        return None
    from . import documents as docs

    document = docs.document_path(path, model)
    assert document is not None
    docs.check_place(document, target)
    other = documents.setdefault(document.resolve(), config.display(path))
    if other != config.display(path):
        raise UsageError(
            f"{config.display(path)} and {other} both write the AsyncAPI document "
            f"{document}; give one of them another 'asyncapi: output:'",
            config.display(path),
        )
    return document


def _produce(
    outcome: Outcome,
    model: Spec,
    where: tuple[Path, Path | None, Path | None],
    options: Options,
    worker: Worker | None = None,
) -> Outcome:
    """Render the package (and the document, if the spec asks for one), compare them
    with the folder ``where`` names (with the project root its specs are named from, and
    the document's path), and write them when asked to; ``outcome`` holds the spec's
    warnings."""
    from . import formatting, plan, write

    target, root, document = where
    try:
        files = generate_files(model, worker)
        with phase("compare"):
            steps = plan.plan(target, files, model.source_name, root)
        if document is not None:
            from . import documents

            with phase("asyncapi"):
                text = documents.render(model)
            steps = documents.add(steps, document, text, model.source_name)
        with phase("compile"):
            formatting.check_files(
                {
                    c.path.name: c.new
                    for c in steps.changes
                    if c.new and c.path.suffix == ".py"
                }
            )
        with phase("write"):
            if options.mode == "write":
                write.apply(steps, force=options.force)
    except OSError as exc:  # the output folder is unusable: a usage problem, not a bug
        raise UsageError(
            f"cannot write {exc.filename or target}: {exc.strerror or exc}"
        ) from None
    return outcome._replace(
        output=target,
        files=len(files) + (document is not None),
        changes=steps.changes,
        orphans=steps.orphans,
    )


def scaffold_specs(paths: Sequence[Path], dry_run: bool = False) -> Run:
    """Write (or, ``dry_run``, show as a diff) the handlers and dependencies each valid
    spec names that do not exist yet (scaffold.py)."""
    from . import import_check, scaffold

    mode: Mode = "diff" if dry_run else "write"
    outcomes = []
    for path in paths:
        model, outcome = read_model(path)
        if model is None:
            outcomes.append(outcome)
            continue
        changes = scaffold.plan(path, model)
        if not dry_run:
            try:
                scaffold.write(changes)
            except OSError as exc:
                failed = UsageError(f"cannot write {exc.filename}: {exc.strerror}")
                return Run("scaffold", mode, (*outcomes, Outcome(outcome.spec)), failed)
        shown = tuple(replace(c, path=Path(config.display(c.path))) for c in changes)
        root = Path(config.display(import_check.roots(path)[0]))
        outcomes.append(outcome._replace(output=root, files=len(shown), changes=shown))
    return Run("scaffold", mode, tuple(outcomes))
