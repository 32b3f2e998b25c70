"""Black leaves the generated code unchanged on the oldest and the newest black allowed.

pyproject allows ``black>=24.1,<27`` for projects that run black over the generated code
(pre-commit, CI): wsgen lays its code out itself (wsgen/layout.py) and promises that every
black in that range keeps it as it is. The oldest runs in its own virtual environment; the
newest is the black installed next to wsgen (the newest the range resolves to). Both check
the same corpus: every golden case, every example and generated specs
(tests/test_black_form.py's strategy).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from _apps import clean_env, make_venv, write_files
from hypothesis import given, settings
from test_black_form import SPECS, specs

from wsgen.errors import SpecError
from wsgen.pipeline import generate_files, load_model

pytestmark = pytest.mark.slow

PYPROJECT = Path(__file__).parents[1] / "pyproject.toml"
OLDEST = "black==24.1.0"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    for number, spec in enumerate(SPECS):
        model, _ = load_model(spec)
        write_files(root / f"case{number}", generate_files(model))
    made = [0]

    @settings(max_examples=60)
    @given(spec=specs())
    def generated(spec: dict[str, object]) -> None:
        path = root / f"spec{made[0]}.yaml"
        path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
        try:
            model, _ = load_model(path)
        except SpecError:
            return
        write_files(root / f"generated{made[0]}", generate_files(model))
        made[0] += 1

    generated()
    assert made[0] > 30
    return root


@pytest.fixture(scope="module")
def oldest_black(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_venv(tmp_path_factory.mktemp("black-oldest") / "venv", OLDEST)


def black_check(python: Path, corpus: Path) -> str:
    version = subprocess.run(
        [str(python), "-m", "black", "--version"],
        capture_output=True,
        text=True,
        check=True,
        env=clean_env(),
    ).stdout
    result = subprocess.run(
        [str(python), "-m", "black", "--check", "--diff", "-q"]
        + ["--target-version", "py310", "--include", r"\.py$", str(corpus)],
        capture_output=True,
        text=True,
        check=False,
        env={**clean_env(), "BLACK_CACHE_DIR": str(corpus.parent / "black-cache")},
    )
    assert result.returncode == 0, version + result.stdout + result.stderr
    return version


def test_the_oldest_allowed_black_changes_nothing(
    oldest_black: Path, corpus: Path
) -> None:
    assert black_check(oldest_black, corpus).startswith("python -m black, 24.1.0")


def test_the_newest_installed_black_changes_nothing(corpus: Path) -> None:
    import black

    version = black_check(Path(sys.executable), corpus)
    assert f", {black.__version__}" in version.splitlines()[0]


def test_pyproject_states_the_tested_range() -> None:
    found = re.search(r'"black>=([0-9.]+),<([0-9]+)"', PYPROJECT.read_text())
    assert found is not None
    assert OLDEST == f"black=={found.group(1)}.0"
