"""The core: spec file -> validated model -> {relative path: file text}. Nothing is written."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from . import build, formatting, render, validate
from .config import source_name
from .errors import Diagnostic
from .loader import load_file
from .model import Spec
from .phases import phase


def load_spec(
    path: Path, display_name: str | None = None, raw: bytes | None = None
) -> tuple[Spec, list[Diagnostic]]:
    """Read, validate and build a spec, with its warnings; SpecError lists every error.
    ``raw`` is the spec's bytes when the caller has read them already."""
    with phase("load"):
        loaded = load_file(path, display_name, raw)
    with phase("validate"):
        warnings = validate.validate(loaded)
    with phase("build"):
        return build.build(loaded.data, source_name(path)), warnings


def render_all(spec: Spec) -> dict[str, str]:
    """Every file of the generated package, rendered but not yet formatted."""
    files = {
        "__init__.py": render.render("__init__.py.jinja", render.package_context(spec))
    }
    for router in spec.routers:
        files[f"{router.name}.py"] = render.render(
            "router.py.jinja", render.router_context(spec, router)
        )
    if spec.app is not None:
        files["app.py"] = render.render("app.py.jinja", render.app_context(spec))
    return files


def generate(
    spec: Spec,
    previous: Mapping[str, str] | None = None,
    workers: int | None = None,
) -> dict[str, str]:
    """Every file of the generated package, by path relative to the output folder.

    Deterministic: the same spec always gives the same bytes (sorted, no timestamps, no
    absolute paths), whatever ``previous`` and ``workers`` are. ``previous`` (the files now in
    the output folder) only saves work: a file whose render has not changed since it was
    formatted is taken as it is. Each file is parsed before formatting, so a rendering bug
    surfaces as an internal error here rather than as broken code on disk.
    """
    with phase("render"):
        rendered = render_all(spec)
    with phase("format"):
        return formatting.format_files(rendered, previous, workers)
