"""What a run works on: ``[tool.wsgen]`` in the nearest pyproject.toml, the command line over
it, and how spec paths are named in messages and generated headers.

    [tool.wsgen]
    spec = ["api/wsgen.yaml", "admin/wsgen.yaml"]   # or one string
    output = "api/routes"                           # only with a single spec
    format = "text"                                 # text, json or github
    allow-breaking = ["route-removed:/chat/old"]    # wsgen breaking: accepted findings
    imports = false                                 # validate --imports by default

Paths are relative to the pyproject.toml. Command-line arguments override every key.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, NamedTuple

from .errors import UsageError
from .naming import did_you_mean

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

KEYS = ("spec", "output", "format", "allow-breaking", "imports")
FORMATS = ("text", "json", "github")  # how diagnostics are reported (report.py)


class ConfigError(UsageError):
    """A problem in ``[tool.wsgen]`` (a usage problem, exit 2)."""


class Config(NamedTuple):
    file: Path | None
    specs: tuple[Path, ...] = ()
    output: Path | None = None
    format: str | None = None
    allow_breaking: tuple[str, ...] = ()  # RULE:PATH entries (breaking_run.parse_allow)
    imports: bool = False


def find_pyproject(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def project_root(spec: Path) -> Path | None:
    """What headers name specs from: the folder of the nearest pyproject.toml above
    ``spec``, else the top of the git work tree it is in (a folder holding ``.git``).
    None outside both."""
    start = spec.resolve().parent
    project = find_pyproject(start)
    if project is not None:
        return project.parent
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def source_name(spec: Path) -> str:
    """How generated headers name the spec: its path from the project root (see
    project_root), so that ``a/wsgen.yaml`` and ``b/wsgen.yaml`` stay apart; outside any
    project, its file name. Never absolute, and never the name of a folder the project
    is in, so the output is the same in every checkout on every machine."""
    root = project_root(spec)
    spec = spec.resolve()
    return spec.relative_to(root).as_posix() if root else spec.name


def load(start: Path) -> Config:
    """The configuration that applies in ``start`` (no file, or no table: empty)."""
    file = find_pyproject(start.resolve())
    if file is None:
        return Config(None)
    try:
        document = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read it: {exc}") from None
    tool = document.get("tool", {})
    if not isinstance(tool, dict):
        # `tool = 5` or `[[tool]]`: no [tool.wsgen] can be read from it.
        raise ConfigError(
            f"{file}: 'tool' must be a table ([tool.wsgen]), not {type(tool).__name__}"
        )
    table = tool.get("wsgen")
    if table is None:
        return Config(file)
    return _parse(file, table)


def _parse(file: Path, table: Any) -> Config:
    where = f"{file}: [tool.wsgen]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    for key in table:
        if key not in KEYS:
            hint = did_you_mean(key, KEYS, f"known keys: {', '.join(KEYS)}")
            raise ConfigError(f"{where}: unknown key '{key}'; {hint}")
    root = file.parent
    raw = table.get("spec", [])
    specs = [raw] if isinstance(raw, str) else raw
    if not isinstance(specs, list) or not all(isinstance(s, str) and s for s in specs):
        raise ConfigError(f"{where}: 'spec' must be a path or a list of paths")
    output = table.get("output")
    if output is not None:
        if not isinstance(output, str) or not output:
            raise ConfigError(f"{where}: 'output' must be a path")
        if len(specs) != 1:
            raise ConfigError(
                f"{where}: 'output' needs exactly one 'spec'; with several specs, set "
                "'output:' in each spec"
            )
    fmt = table.get("format")
    if fmt is not None and fmt not in FORMATS:
        raise ConfigError(f"{where}: 'format' must be one of: {', '.join(FORMATS)}")
    allow = table.get("allow-breaking", [])
    if not isinstance(allow, list) or not all(isinstance(a, str) for a in allow):
        raise ConfigError(f"{where}: 'allow-breaking' must be a list of 'RULE:PATH'")
    imports = table.get("imports", False)
    if not isinstance(imports, bool):
        raise ConfigError(f"{where}: 'imports' must be true or false")
    return Config(
        file,
        tuple(root / s for s in specs),
        None if output is None else root / output,
        fmt,
        tuple(allow),
        imports,
    )


class Inputs(NamedTuple):
    """The specs to run on, the output folder for a single one, the diagnostics format."""

    specs: tuple[Path, ...]
    output: Path | None
    format: str
    imports: bool = False  # [tool.wsgen] imports: validate imports by default


def inputs(
    specs: list[Path] | None, fmt: str | None, output: Path | None = None
) -> Inputs:
    """The command line's ``SPEC``s, ``--format`` and ``-o``, else ``[tool.wsgen]``'s."""
    settings = load(Path.cwd())
    fmt = fmt or settings.format or "text"
    if fmt not in FORMATS:
        raise UsageError(f"--format must be one of: {', '.join(FORMATS)}")
    chosen = tuple(specs) if specs else _configured_specs(settings)
    if output is not None and len(chosen) > 1:
        raise UsageError(
            "-o/--output needs exactly one SPEC; set 'output:' in each spec instead"
        )
    output = output or (None if specs else settings.output)
    for path in (*chosen, *([output] if output is not None else [])):
        _check_name_is_text(path)
    return Inputs(chosen, output, fmt, settings.imports)


def _check_name_is_text(path: Path) -> None:
    """Messages and generated headers name files in UTF-8 text: a file name
    that is not (bytes Python could only carry as surrogates) is refused before any work.
    """
    for name in (display(path), source_name(path)):
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            raise UsageError(
                f"the file name {os.fsencode(name)!r} is not valid UTF-8; rename it"
            ) from None


# What a bare command reads without [tool.wsgen]: the file `wsgen init` writes.
DEFAULT_SPEC = Path("wsgen.yaml")


def _configured_specs(settings: Config) -> tuple[Path, ...]:
    if not settings.specs:
        if DEFAULT_SPEC.is_file():
            return (DEFAULT_SPEC,)
        raise UsageError(
            "no spec given: pass SPEC, set 'spec' in [tool.wsgen] of pyproject.toml, "
            f"or run in the folder of a '{DEFAULT_SPEC}'"
        )
    for spec in settings.specs:
        if not spec.is_file():
            raise UsageError(
                f"{settings.file}: [tool.wsgen]: spec '{spec}' does not exist",
                str(settings.file),
            )
    return settings.specs


def display(path: Path) -> str:
    """How a path appears in messages: relative to the working folder when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
