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
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple, TextIO

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
SpecArg = Annotated[
    Path,
    typer.Argument(
        exists=True,
        dir_okay=False,
        readable=True,
        metavar="SPEC",
        help="A wsgen spec (YAML).",
    ),
]


def _file_option(help: str) -> Any:
    """The ``-o FILE`` option of a command that prints a document by default."""
    return typer.Option(
        "--output", "-o", dir_okay=False, metavar="FILE", help=help, show_default=False
    )


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
    watch: Annotated[
        bool,
        typer.Option(
            "--watch",
            help="Generate, then again on every save of a SPEC or of pyproject.toml, "
            "until Ctrl-C (needs wsgen[watch]).",
        ),
    ] = False,
) -> None:
    """Validate each SPEC and write its FastAPI package (routers, app.py, __init__.py)."""
    from . import config, pipeline

    try:
        mode = _mode(check=check, diff=diff, dry_run=dry_run)
        if watch:
            _watch(ctx, mode, specs, fmt, output, force)
        inputs = config.inputs(specs, fmt, output)
    except UsageError as error:
        _finish(ctx, fmt or _configured_format(), pipeline.stopped("generate", error))
    options = pipeline.Options(mode, inputs.output, force)
    _finish(ctx, inputs.format, pipeline.generate_specs(inputs.specs, options))


def _watch(
    ctx: typer.Context,
    mode: Mode,
    specs: list[Path] | None,
    fmt: str | None,
    output: Path | None,
    force: bool,
) -> None:
    """``generate --watch``: the loop, then exit with its code (UsageError before it)."""
    from . import watch

    if mode != "write":
        raise UsageError(
            f"--watch and --{mode} exclude each other: --watch writes the package on "
            f"every save; run `wsgen generate --{mode}` on its own"
        )
    streams = _streams(ctx)
    request = watch.Request(specs, fmt, output, force)
    raise typer.Exit(watch.run(request, streams.out, streams.err))


def _mode(**flags: bool) -> Mode:
    """The one way of not writing that was asked for, else "write"."""
    chosen = [name for name, given in flags.items() if given]
    if len(chosen) > 1:
        names = " and ".join(f"--{name.replace('_', '-')}" for name in chosen)
        raise UsageError(f"{names} exclude each other; pass one of them")
    modes: dict[str, Mode] = {"check": "check", "diff": "diff", "dry_run": "dry-run"}
    return modes[chosen[0]] if chosen else "write"


@app.command()
def validate(
    ctx: typer.Context,
    specs: SpecsArg = None,
    fmt: FormatOpt = None,
    imports: Annotated[
        bool | None,
        typer.Option(
            "--imports/--no-imports",
            help="Also import every handler and dependency (in a separate process) and "
            "check what the generated code calls. Default: 'imports' in [tool.wsgen].",
            show_default=False,
        ),
    ] = None,
    import_timeout: Annotated[
        float,
        typer.Option(
            "--import-timeout",
            min=0.1,
            help="Seconds each module may take to import.",
        ),
    ] = 10.0,
) -> None:
    """Check each SPEC against the schema and wsgen's rules; print every problem."""
    from . import config, pipeline

    try:
        inputs = config.inputs(specs, fmt)
    except UsageError as error:
        _finish(ctx, fmt or _configured_format(), pipeline.stopped("validate", error))
    wanted = inputs.imports if imports is None else imports
    run = pipeline.validate_specs(inputs.specs, wanted, import_timeout)
    _finish(ctx, inputs.format, run)


@app.command()
def scaffold(
    ctx: typer.Context,
    specs: SpecsArg = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Write nothing; show what would be written."),
    ] = False,
    fmt: FormatOpt = None,
) -> None:
    """Write the handlers and dependencies each SPEC names that do not exist yet."""
    from . import config, pipeline

    try:
        inputs = config.inputs(specs, fmt)
    except UsageError as error:
        _finish(ctx, fmt or _configured_format(), pipeline.stopped("scaffold", error))
    _finish(ctx, inputs.format, pipeline.scaffold_specs(inputs.specs, dry_run))


@app.command()
def routes(
    ctx: typer.Context,
    specs: SpecsArg = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="text (an aligned table) or json (schemas/routes.schema.json); problems "
            "in a spec are reported as `wsgen validate --format FORMAT` reports them.",
        ),
    ] = "text",
) -> None:
    """Print every route each SPEC serves: full path, kind, name, handler, parameters
    and where they come from, dependencies by level."""
    from . import config, pipeline, route_table

    try:
        if fmt not in route_table.FORMATS:
            raise UsageError(
                f"--format must be one of: {', '.join(route_table.FORMATS)}"
            )
        inputs = config.inputs(specs, fmt)
    except UsageError as error:
        _finish(ctx, fmt, pipeline.stopped("validate", error))
    found, outcomes = route_table.listings(inputs.specs)
    if len(found) < len(outcomes):
        _finish(ctx, fmt, pipeline.Run("validate", None, tuple(outcomes)))
    streams = _streams(ctx)
    with _unless_unread(streams):
        route_table.write(found, fmt, streams.out, streams.err)


@app.command()
def docs(
    ctx: typer.Context,
    spec: SpecArg,
    output: Annotated[
        Path | None,
        _file_option("The HTML file to write. Default: the page on stdout."),
    ] = None,
    fmt: FormatOpt = None,
) -> None:
    """Write SPEC's reference page: one self-contained HTML file, for people to read."""
    from . import pipeline, reference

    if output is None and fmt == "json":
        error = UsageError("--format json prints a JSON list on stdout; pass -o FILE")
        _finish(ctx, fmt, pipeline.stopped("validate", error))
    run = reference.write_page(spec, output, _streams(ctx).out)
    _finish(ctx, fmt, run)


@app.command()
def breaking(
    ctx: typer.Context,
    specs: SpecsArg = None,
    against: Annotated[
        str,
        typer.Option(
            "--against",
            help="The old version: a spec file, or a git revision (the spec is read at "
            "it from the same path, or REV:path names the file). A file wins.",
            show_default=False,
        ),
    ] = "",
    allow: Annotated[
        list[str] | None,
        typer.Option(
            "--allow",
            help="Accept one finding, as RULE:PATH (repeatable); also 'allow-breaking' "
            "in [tool.wsgen].",
            show_default=False,
        ),
    ] = None,
    fail_on: Annotated[
        str,
        typer.Option(
            "--fail-on",
            help="Exit 1 on findings at this level or above: " "error or warning.",
        ),
    ] = "error",
    fmt: FormatOpt = None,
) -> None:
    """Report each change of SPEC since --against that breaks clients already deployed."""
    from . import breaking_run, config, pipeline

    try:
        if not against:
            raise UsageError("--against is required: a spec file or a git revision")
        if fail_on not in ("error", "warning"):
            raise UsageError("--fail-on must be error or warning")
        inputs = config.inputs(specs, fmt)
        entries = (*config.load(Path.cwd()).allow_breaking, *(allow or ()))
        allowed = breaking_run.parse_allow(entries)
    except UsageError as error:
        _finish(ctx, fmt or _configured_format(), pipeline.stopped("breaking", error))
    run = breaking_run.breaking_specs(inputs.specs, against, allowed, fail_on)  # type: ignore[arg-type]
    _finish(ctx, inputs.format, run)


@app.command("asyncapi")
def asyncapi_command(
    ctx: typer.Context,
    spec: SpecArg,
    output: Annotated[
        Path | None, _file_option("Write the document to FILE instead of printing it.")
    ] = None,
    fmt: FormatOpt = None,
) -> None:
    """Print the AsyncAPI 3.0.0 document (YAML) of SPEC's routes and messages."""
    from . import pipeline

    run, text = pipeline.asyncapi_document(spec)
    if text is None:
        _finish(ctx, fmt, run)
        return
    streams = _streams(ctx)
    with _unless_unread(streams):
        code = _emit_document(text, output, run, streams.out, streams.err)
    raise typer.Exit(code)


def _emit_document(
    text: str, output: Path | None, run: Run, out: TextIO, err: TextIO
) -> int:
    """``wsgen asyncapi``'s answer: the spec's warnings on ``err``, the document on
    ``out`` or in the file ``output``; the exit code."""
    from .report import text_line, use_colour

    for outcome in run.outcomes:
        for diagnostic in outcome.diagnostics:
            print(text_line(diagnostic, use_colour(err)), file=err)
    if output is None:
        out.write(text)
        return 0
    from .write import atomic_write

    try:
        atomic_write(output, text.encode("utf-8"))
    except OSError as exc:
        print(f"error: cannot write {output}: {exc.strerror or exc}", file=err)
        return 2
    print(f"wrote {output}", file=err)
    return 0


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
