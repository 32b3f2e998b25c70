"""The command line: arguments in, exit code out. A doorway, not a room.

Each command parses its options, hands them to ``pipeline``, gives the result to the
reporter of the chosen format (``report``) and exits with the result's code: 0 success or
up to date, 1 an invalid spec or a stale tree, 2 bad usage; anything else is a bug in wsgen
(``INTERNAL_ERROR``, with a report on how to tell us).

``run(argv, stdout, stderr)`` is the whole program in process: ``main`` and the tests call it.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NamedTuple, TextIO

import typer

from . import __version__, phases
from .errors import UsageError

if TYPE_CHECKING:
    from .pipeline import Mode, Run

INTERNAL_ERROR = 3

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,  # help texts are plain: "[tool.wsgen]" is not markup
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


class Streams(NamedTuple):
    """Where a run writes: the reporters and the commands get them from the context."""

    out: TextIO
    err: TextIO


def _streams(ctx: typer.Context) -> Streams:
    return ctx.obj if isinstance(ctx.obj, Streams) else Streams(sys.stdout, sys.stderr)


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


def _finish(ctx: typer.Context, fmt: str | None, run: Run) -> None:
    """Report ``run`` in the format ``fmt`` (text when it is not a known one) and exit."""
    from .config import FORMATS
    from .report import REPORTERS

    streams = _streams(ctx)
    reporter = REPORTERS[fmt if fmt in FORMATS else "text"]
    with _unless_unread(streams):
        reporter(streams.out, streams.err).report(run)
    raise typer.Exit(run.exit_code)


def _configured_format() -> str | None:
    """The format [tool.wsgen] asks for, when it can be read: a problem with the other keys
    is then reported in it."""
    from . import config

    try:
        return config.load(Path.cwd()).format
    except UsageError:
        return None


@contextmanager
def _unless_unread(streams: Streams) -> Iterator[None]:
    """Stop writing, quietly, once nobody reads (``wsgen generate --check | head -1``): the
    run's answer, and so its exit code, does not depend on who reads what it says."""
    try:
        yield
        streams.out.flush()  # a pipe's buffer: its end would surface only at exit
        streams.err.flush()
    except BrokenPipeError:
        for stream in (streams.out, streams.err):
            try:  # the interpreter flushes both at exit; let that go nowhere
                os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
            except (OSError, ValueError, io.UnsupportedOperation):
                pass


@app.command()
def generate(
    ctx: typer.Context,
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
    from . import config, pipeline

    try:
        mode = _mode(check=check, diff=diff, dry_run=dry_run)
        inputs = config.inputs(specs, fmt, output)
    except UsageError as error:
        _finish(ctx, fmt or _configured_format(), pipeline.stopped("generate", error))
    options = pipeline.Options(mode, inputs.output, force)
    _finish(ctx, inputs.format, pipeline.generate_specs(inputs.specs, options))


def _mode(**flags: bool) -> Mode:
    """The one way of not writing that was asked for, else "write"."""
    chosen = [name for name, given in flags.items() if given]
    if len(chosen) > 1:
        names = " and ".join(f"--{name.replace('_', '-')}" for name in chosen)
        raise UsageError(f"{names} exclude each other; pass one of them")
    modes: dict[str, Mode] = {"check": "check", "diff": "diff", "dry_run": "dry-run"}
    return modes[chosen[0]] if chosen else "write"


@app.command()
def validate(ctx: typer.Context, specs: SpecsArg = None, fmt: FormatOpt = None) -> None:
    """Check each SPEC against the schema and wsgen's rules; print every problem."""
    from . import config, pipeline

    try:
        inputs = config.inputs(specs, fmt)
    except UsageError as error:
        _finish(ctx, fmt or _configured_format(), pipeline.stopped("validate", error))
    _finish(ctx, inputs.format, pipeline.validate_specs(inputs.specs))


@app.command("asyncapi")
def asyncapi_command(
    ctx: typer.Context,
    spec: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, readable=True, help="A wsgen spec (YAML)."
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            dir_okay=False,
            help="Write the document to FILE instead of printing it.",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOpt = None,
) -> None:
    """Print the AsyncAPI 3.0.0 document (YAML) of SPEC's routes and messages."""
    from . import documents, pipeline

    run, text = pipeline.asyncapi_document(spec)
    if text is None:
        _finish(ctx, fmt, run)
        return
    streams = _streams(ctx)
    with _unless_unread(streams):
        code = documents.emit(text, output, run, streams.out, streams.err)
    raise typer.Exit(code)


@app.command()
def schema(ctx: typer.Context) -> None:
    """Print the JSON Schema of the spec (for editors and schema stores)."""
    from .resources import schema_path

    streams = _streams(ctx)
    with _unless_unread(streams):
        streams.out.write(schema_path().read_text(encoding="utf-8"))


@app.command()
def init(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            dir_okay=False, help="Where to write the starter spec.", metavar="[PATH]"
        ),
    ] = Path("wsgen.yaml"),
) -> None:
    """Write a commented starter spec (and its JSON Schema beside it, for editors)."""
    from .resources import resource_dir, schema_path

    streams = _streams(ctx)
    beside = path.parent / "wsgen.schema.json"
    problem = _init_problem(path, beside)
    if problem:
        print(f"error: {problem}", file=streams.err)
        raise typer.Exit(2)
    starter = (resource_dir("templates") / "starter.wsgen.yaml").read_text(
        encoding="utf-8"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(starter, encoding="utf-8")
    print(f"wrote {path}", file=streams.out)
    if not beside.exists():
        beside.write_text(schema_path().read_text(encoding="utf-8"), encoding="utf-8")
        print(f"wrote {beside}", file=streams.out)


def _init_problem(path: Path, beside: Path) -> str | None:
    """Why ``wsgen init`` must not write ``path`` (and the schema ``beside`` it), if it must
    not: it never overwrites, and never writes through a link, dangling or not."""
    for target in (path, beside):
        if target.is_symlink():
            return (
                f"{target} is a symbolic link; wsgen init does not write through links "
                "(it could land outside the project), so remove it"
            )
    if path.exists():
        return f"{path} already exists; wsgen init does not overwrite it"
    return None


def run(
    argv: Sequence[str], stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run wsgen with the arguments ``argv``, writing to ``stdout`` and ``stderr`` (the
    process's own by default); the exit code. A bug is reported, never raised."""
    # A stream the process was started without (`>&-`) is None: what goes there is lost.
    out = stdout or sys.stdout or _nowhere()
    err = stderr or sys.stderr or _nowhere()
    phases.reset()
    try:
        # Typer's own output (help, usage errors) goes where the run's output goes.
        with redirect_stdout(out), redirect_stderr(err):
            app(args=list(argv), prog_name="wsgen", obj=Streams(out, err))
    except SystemExit as done:  # how Typer ends every run, success included
        code = done.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except Exception:  # noqa: BLE001 - anything left is a bug, reported as one
        _bug_report(err)
        return INTERNAL_ERROR
    finally:
        phases.report(err)
    return 0


def _nowhere() -> TextIO:
    """A stream to the null device, open until the process ends."""
    return open(os.devnull, "w", encoding="utf-8")


def _bug_report(err: TextIO) -> None:
    import platform
    import traceback

    try:
        from importlib.metadata import version

        fastapi = version("fastapi")
    except Exception:  # noqa: BLE001 - the report must not fail in turn
        fastapi = "not installed"
    traceback.print_exc(file=err)
    print(
        f"\nThis is a bug in wsgen, not a problem with your spec. Please report it to the "
        f"wsgen maintainers with the output above and the spec that caused it "
        f"(wsgen {__version__}, Python {platform.python_version()}, FastAPI {fastapi}, "
        f"{platform.system()}).",
        file=err,
    )


def main() -> None:
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
