"""Run wsgen the way the tests need it, and import generated apps one at a time.

``run_wsgen`` runs the CLI in this process, through ``wsgen.cli.run``, the same function
``python -m wsgen`` calls, so a test pays no interpreter start-up; ``run_wsgen_process``
runs the real ``python -m wsgen`` for the smoke tests of each command and for what only a
process shows (imports, signals, kills).

Generated apps are imported without being left in ``sys.modules``.

Examples and behaviour specs each bring their own top-level packages (``chat_app``,
``wsb_order``, ...). Importing them for real means putting their folders on
``sys.path``; this helper does that only for the duration of the import and then
forgets every module loaded from those folders, so two apps never see each other's
modules and a later import always reads the files again. The imported objects keep
working: functions hold on to their own module globals.
"""

from __future__ import annotations

import importlib
import io
import os
import subprocess
import sys
import venv
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
BEHAVIOUR = Path(__file__).resolve().parent / "behaviour"


def _under(module: ModuleType, roots: tuple[Path, ...]) -> bool:
    location = getattr(module, "__file__", None)
    if location is None:
        paths = list(getattr(module, "__path__", []))
        location = paths[0] if paths else None
    if location is None:
        return False
    resolved = Path(location).resolve()
    return any(resolved.is_relative_to(root) for root in roots)


def import_isolated(names: Iterable[str], *folders: Path) -> list[ModuleType]:
    """Import the modules ``names`` with ``folders`` first on ``sys.path``.

    Any module previously loaded from those folders is dropped first, and every
    module loaded from them is dropped again afterwards, as are the path entries.
    """
    roots = tuple(Path(folder).resolve() for folder in folders)
    entries = [str(root) for root in roots]

    def forget() -> None:
        for key, module in list(sys.modules.items()):
            if module is not None and _under(module, roots):
                del sys.modules[key]

    forget()
    saved_path = list(sys.path)
    saved_bytecode = sys.dont_write_bytecode
    sys.path[:0] = entries
    sys.dont_write_bytecode = True  # keep __pycache__ out of examples/
    importlib.invalidate_caches()
    try:
        return [importlib.import_module(name) for name in names]
    finally:
        sys.path[:] = saved_path
        sys.dont_write_bytecode = saved_bytecode
        forget()


def run_wsgen(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``wsgen ARGS`` in this process, in the folder ``cwd``, with its output captured."""
    from wsgen.cli import run

    out, err = io.StringIO(), io.StringIO()
    previous, columns = os.getcwd(), os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"
    try:
        if cwd is not None:
            os.chdir(cwd)
        code = run(args, out, err)
    finally:
        os.chdir(previous)
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns
    return subprocess.CompletedProcess(
        ["wsgen", *args], code, out.getvalue(), err.getvalue()
    )


def run_wsgen_process(
    *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real entry point, ``python -m wsgen ARGS``, from this checkout."""
    return subprocess.run(
        [sys.executable, "-m", "wsgen", *args],
        check=False,
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env={**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "100"},
    )


def generate(spec: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """Run the real CLI: ``python -m wsgen generate SPEC -o OUT``; fail loudly."""
    result = run_wsgen("generate", str(spec), "-o", str(out))
    assert result.returncode == 0, result.stderr
    return result


def write_files(folder: Path, files: dict[str, str]) -> None:
    """Put generated ``files`` (name -> text) into ``folder``, over whatever is there."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def clean_env() -> dict[str, str]:
    """The environment without PYTHONPATH/PYTHONHOME, so nothing of the checkout leaks in."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def make_venv(folder: Path, *requirements: str) -> Path:
    """A fresh virtual environment in ``folder`` with ``requirements``; its python."""
    venv.create(folder, with_pip=True)
    python = folder / "bin" / "python"
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            *requirements,
        ],
        check=True,
        env=clean_env(),
    )
    return python
