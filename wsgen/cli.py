"""The command line: arguments in, exit code out. 0 ok, 1 invalid spec, 2 bad usage."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer

from . import __version__
from .errors import Diagnostic, SpecError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Declare FastAPI WebSocket APIs in YAML; generate plain FastAPI routers.",
)

SpecArg = Annotated[
    Path,
    typer.Argument(
        exists=True,
        dir_okay=False,
        readable=True,
        help="The wsgen spec (YAML).",
        metavar="SPEC",
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


def _report(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        typer.echo(diagnostic.format(), err=True)


def _fail(error: SpecError) -> NoReturn:
    _report(error.diagnostics)
    count = sum(d.severity == "error" for d in error.diagnostics)
    typer.echo(f"{count} error{'s' if count != 1 else ''} found", err=True)
    raise typer.Exit(1)


@app.command()
def generate(
    spec: SpecArg,
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
) -> None:
    """Validate SPEC and write its FastAPI package (routers, app.py, __init__.py)."""
    from .emit import write_tree
    from .generate import generate as generate_files
    from .generate import load_spec

    try:
        model, warnings = load_spec(spec, str(spec))
    except SpecError as error:
        _fail(error)
    _report(warnings)
    if output is None:
        if model.output is None:
            typer.echo(
                f"error: {spec} has no 'output:'; add 'output: <folder>' to it or pass -o DIR",
                err=True,
            )
            raise typer.Exit(2)
        output = spec.parent / model.output
    files = generate_files(model)
    try:
        written = write_tree(output, files)
    except OSError as exc:  # the output folder is unusable: a usage problem, not a bug
        where = exc.filename or output
        typer.echo(f"error: cannot write {where}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None
    for path in written:
        typer.echo(f"wrote {path}")
    typer.echo(f"{output}: {len(files)} files, {len(written)} changed")


@app.command()
def validate(
    specs: Annotated[
        list[Path],
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            metavar="SPEC...",
            help="One or more wsgen specs.",
            show_default=False,
        ),
    ],
) -> None:
    """Check each SPEC against the schema and wsgen's rules; print every problem."""
    from .loader import load_file
    from .validate import validate as validate_spec

    errors = 0
    for spec in specs:
        try:
            _report(validate_spec(load_file(spec, str(spec))))
        except SpecError as error:
            _report(error.diagnostics)
            errors += sum(d.severity == "error" for d in error.diagnostics)
        else:
            typer.echo(f"{spec}: valid")
    if errors:
        typer.echo(f"{errors} error{'s' if errors != 1 else ''} found", err=True)
        raise typer.Exit(1)


def main() -> None:
    app(prog_name="wsgen")


if __name__ == "__main__":
    main()
