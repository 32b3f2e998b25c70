"""The command line: arguments in, exit code out.

Exit codes: 0 success or up to date, 1 invalid spec or stale output, 2 bad usage; anything
else is a bug in wsgen (``INTERNAL_ERROR``, with a report on how to tell us).
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from . import __version__, phases
from .errors import SpecError
from .phases import phase

if TYPE_CHECKING:
    from . import manifest
    from .emit import Plan
    from .report import Reporter

INTERNAL_ERROR = 3

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Declare FastAPI WebSocket APIs in YAML; generate plain FastAPI routers.",
)

SpecsArg = Annotated[
    list[Path] | None,
    typer.Argument(
        exists=True,
        dir_okay=False,
        readable=True,
        metavar="[SPEC]...",
        help="wsgen specs (YAML). Default: 'spec' in [tool.wsgen] of the nearest pyproject.toml.",
        show_default=False,
    ),
]
FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        help="How to print problems: text (default), json (a list on stdout) or github "
        "(Actions annotations).",
        show_default=False,
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"wsgen {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """Declare FastAPI WebSocket APIs in YAML; generate plain FastAPI routers."""


def _usage(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _inputs(
    specs: list[Path] | None, fmt: str | None
) -> tuple[list[Path], Path | None, str]:
    """The specs to read, the configured output folder, and the diagnostics format."""
    from . import config, report

    try:
        settings = config.load(Path.cwd())
    except config.ConfigError as error:
        _usage(str(error))
    fmt = fmt or settings.format or "text"
    if fmt not in report.FORMATS:
        _usage(f"--format must be one of: {', '.join(report.FORMATS)}")
    if specs:
        return list(specs), None, fmt
    if not settings.specs:
        _usage(
            "no spec given: pass SPEC, or set 'spec' in [tool.wsgen] of pyproject.toml"
        )
    for spec in settings.specs:
        if not spec.is_file():
            _usage(f"{settings.file}: [tool.wsgen]: spec '{spec}' does not exist")
    return list(settings.specs), settings.output, fmt


def _display(path: Path) -> str:
    """How a path appears in messages: relative to the working folder when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _summary(errors: int) -> str:
    return f"{errors} error{'s' if errors != 1 else ''} found"


@app.command()
def generate(
    specs: SpecsArg = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            file_okay=False,
            help="Folder of the generated package; overrides 'output:' in the spec.",
            show_default=False,
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Write nothing; exit 1 and show the difference when the files on disk are "
            "not exactly what the spec gives.",
        ),
    ] = False,
    diff: Annotated[
        bool,
        typer.Option(
            "--diff", help="Write nothing; print what would change as a diff."
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Write nothing; list what would be written or removed."
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Also overwrite files that wsgen did not write."),
    ] = False,
    fmt: FormatOpt = None,
) -> None:
    """Validate each SPEC and write its FastAPI package (routers, app.py, __init__.py)."""
    from . import emit, manifest, report
    from .loader import read_spec

    paths, configured_output, fmt = _inputs(specs, fmt)
    if output is not None and len(paths) > 1:
        _usage("-o/--output needs exactly one SPEC; set 'output:' in each spec instead")
    output = output or configured_output
    writing = not (check or diff or dry_run)
    reporter = report.Reporter(fmt)
    errors = stale = 0
    for spec in paths:
        display = _display(spec)
        try:
            raw = read_spec(spec, display)
            known = _unchanged(spec, raw, output)
            if known is not None:
                folder, known_entry = known
                reporter.diagnostics(known_entry.warnings_for(display))
                reporter.result(
                    f"{folder}: {len(known_entry.files)} files, 0 changed"
                    if writing
                    else f"{folder}: up to date"
                )
                continue
            from .generate import generate as generate_files
            from .generate import load_spec  # the full path: heavier imports

            model, warnings = load_spec(spec, display, raw)
        except SpecError as error:
            reporter.diagnostics(error.diagnostics)
            errors += sum(d.severity == "error" for d in error.diagnostics)
            continue
        reporter.diagnostics(warnings)
        target = output
        if target is None:
            if model.output is None:
                reporter.finish()
                _usage(
                    f"{spec} has no 'output:'; add 'output: <folder>' to it or pass -o DIR"
                )
            target = spec.parent / model.output
        target = Path(_display(target))
        try:
            with phase("read"):
                previous = emit.existing(target)
            files = generate_files(model, previous)
            entry = manifest.Entry.of(raw, model.output, files, warnings)
            with phase("write"):
                steps = emit.plan(target, files, model.source_name)
                if writing:
                    emit.apply(steps, force=force)
                    recorded = _record(target, model.source_name, entry)
                else:
                    stale += _preview(reporter, steps, check=check, diff=diff)
                    if check and steps.up_to_date:
                        _note_slow_check(target, model.source_name, entry)
            if writing:
                for change in steps.changes:
                    verb = "removed" if change.kind == "extra" else "wrote"
                    reporter.result(f"{verb} {change.path}")
                if recorded:
                    reporter.result(f"wrote {target / manifest.NAME}")
                reporter.result(
                    f"{target}: {len(files)} files, {len(steps.changes)} changed"
                )
        except emit.OutputError as error:
            reporter.finish()
            _usage(str(error))
        except (
            OSError
        ) as exc:  # the output folder is unusable: a usage problem, not a bug
            reporter.finish()
            _usage(f"cannot write {exc.filename or target}: {exc.strerror or exc}")
    reporter.finish()
    if errors:
        typer.echo(_summary(errors), err=True)
    if errors or stale:
        raise typer.Exit(1)


def _unchanged(
    spec: Path, raw: bytes, output: Path | None
) -> tuple[Path, manifest.Entry] | None:
    """The output folder and manifest entry of ``spec`` when its tree is known to be up to
    date without reading the spec (see manifest.py), else None."""
    from . import manifest
    from .config import source_name

    with phase("manifest"):
        if output is not None:
            target, expected = output, manifest.ANY_OUTPUT
        else:
            hint = manifest.output_hint(raw)
            if hint is None:
                return None
            target, expected = spec.parent / hint, hint
        target = Path(_display(target))
        entry = manifest.unchanged(target, source_name(spec), raw, expected)
    return None if entry is None else (target, entry)


def _record(target: Path, source: str, entry: manifest.Entry) -> bool:
    """Update the manifest; a folder that takes the files but not it only loses speed."""
    from . import manifest

    try:
        return manifest.record(target, source, entry)
    except OSError as exc:
        typer.echo(
            f"note: cannot write {target / manifest.NAME} ({exc.strerror or exc}); the "
            "next run will read the whole spec again",
            err=True,
        )
        return False


def _note_slow_check(target: Path, source: str, entry: manifest.Entry) -> None:
    """Say why an up-to-date check had to read the whole spec, and how to make it instant."""
    from . import manifest

    if manifest.read(target).get(source) != entry:
        typer.echo(
            f"note: {target / manifest.NAME} is missing or out of date, so the whole spec "
            "was read; run `wsgen generate` and commit the file to make this check instant",
            err=True,
        )


def _preview(reporter: Reporter, steps: Plan, *, check: bool, diff: bool) -> int:
    """Print what ``steps`` would do; 1 when the tree on disk is stale, else 0."""
    if steps.up_to_date:
        reporter.result(f"{steps.output}: up to date")
        return 0
    if check or diff:
        sys.stdout.write(steps.diff())
    labels = {
        "missing": "would write",
        "changed": "would write",
        "extra": "would remove",
    }
    if check:
        for change in steps.changes:
            typer.echo(f"{change.kind}: {change.path}", err=True)
            reporter.stale(str(change.path), change.kind)
        typer.echo(
            f"{steps.output} is out of date with its spec; run `wsgen generate` to update it",
            err=True,
        )
        return 1
    if not diff:
        for change in steps.changes:
            reporter.result(f"{labels[change.kind]} {change.path}")
    return 0


@app.command()
def validate(specs: SpecsArg = None, fmt: FormatOpt = None) -> None:
    """Check each SPEC against the schema and wsgen's rules; print every problem."""
    from .loader import load_file
    from .report import Reporter
    from .validate import validate as validate_spec

    paths, _, fmt = _inputs(specs, fmt)
    reporter = Reporter(fmt)
    errors = 0
    for spec in paths:
        try:
            with phase("load"):
                loaded = load_file(spec, _display(spec))
            with phase("validate"):
                reporter.diagnostics(validate_spec(loaded))
        except SpecError as error:
            reporter.diagnostics(error.diagnostics)
            errors += sum(d.severity == "error" for d in error.diagnostics)
        else:
            reporter.result(f"{_display(spec)}: valid")
    reporter.finish()
    if errors:
        typer.echo(_summary(errors), err=True)
        raise typer.Exit(1)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the spec (for editors and schema stores)."""
    from .resources import schema_path

    sys.stdout.write(schema_path().read_text(encoding="utf-8"))


@app.command()
def init(
    path: Annotated[
        Path,
        typer.Argument(
            dir_okay=False, help="Where to write the starter spec.", metavar="[PATH]"
        ),
    ] = Path("wsgen.yaml"),
) -> None:
    """Write a commented starter spec (and its JSON Schema beside it, for editors)."""
    from .resources import resource_dir, schema_path

    if path.exists():
        _usage(f"{path} already exists; wsgen init does not overwrite it")
    starter = (resource_dir("templates") / "starter.wsgen.yaml").read_text(
        encoding="utf-8"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(starter, encoding="utf-8")
    typer.echo(f"wrote {path}")
    beside = path.parent / "wsgen.schema.json"
    if not beside.exists():
        beside.write_text(schema_path().read_text(encoding="utf-8"), encoding="utf-8")
        typer.echo(f"wrote {beside}")


def _bug_report() -> None:
    import platform

    try:
        from importlib.metadata import version

        fastapi = version("fastapi")
    except Exception:  # noqa: BLE001 - the report must not fail in turn
        fastapi = "not installed"
    traceback.print_exc()
    typer.echo(
        f"\nThis is a bug in wsgen, not a problem with your spec. Please report it to the "
        f"wsgen maintainers with the output above and the spec that caused it "
        f"(wsgen {__version__}, Python {platform.python_version()}, FastAPI {fastapi}, "
        f"{platform.system()}).",
        err=True,
    )


def main() -> None:
    try:
        try:
            app(prog_name="wsgen")
        finally:
            phases.report()
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except Exception:  # noqa: BLE001 - anything left is a bug, reported as one
        _bug_report()
        raise SystemExit(INTERNAL_ERROR) from None


if __name__ == "__main__":
    main()
