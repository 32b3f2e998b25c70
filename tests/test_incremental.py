"""What a run costs: only the modules a change touches change, and no run imports black,
or anything heavy that the command does not need."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from _apps import REPO, run_wsgen

from wsgen.pipeline import generate_files, load_model

SPEC = REPO / "examples" / "chat_service" / "wsgen.yaml"


def many_routers(count: int) -> str:
    lines = ["version: 1", "routers:"]
    for i in range(count):
        lines += [
            f"  r{i}:",
            f"    prefix: /r{i}",
            "    websockets:",
            "      - path: /items/{item_id:int}",
            f"        handler: app.handlers:h{i}",
            "        params:",
            "          q: {in: query, type: int, ge: 1, default: 3}",
        ]
    return "\n".join(lines) + "\n"


def test_a_changed_route_changes_only_its_module(tmp_path: Path) -> None:
    path = tmp_path / "wsgen.yaml"
    path.write_text(many_routers(5))
    before = generate_files(load_model(path)[0])
    changed = many_routers(5).replace(
        "/items/{item_id:int}\n        handler: app.handlers:h2",
        "/things/{item_id:int}\n        handler: app.handlers:h2",
    )
    assert changed != many_routers(5)
    path.write_text(changed)
    after = generate_files(load_model(path)[0])
    assert [n for n in after if after[n] != before[n]] == ["r2.py"]


def test_a_hand_edit_is_caught_and_undone(tmp_path: Path) -> None:
    (tmp_path / "wsgen.yaml").write_text(many_routers(2))
    args = ("generate", "wsgen.yaml", "-o", "out")
    assert run_wsgen(*args, cwd=tmp_path).returncode == 0
    module = tmp_path / "out" / "r1.py"
    text = module.read_text()
    module.write_text(text.replace("ge=1", "ge=0"))
    result = run_wsgen(*args, "--check", cwd=tmp_path)
    assert result.returncode == 1
    assert "-    q: Annotated[int, Query(ge=0)] = 3," in result.stdout
    assert "changed: out/r1.py" in result.stderr
    assert run_wsgen(*args, cwd=tmp_path).returncode == 0
    assert module.read_text() == text


WITHOUT_BLACK = (
    "import sys\n"
    "sys.modules['black'] = None  # any attempt to format now fails with ImportError\n"
    "sys.argv = ['wsgen', *sys.argv[1:]]\n"
    "from wsgen.cli import main\n"
    "main()\n"
)


def test_no_run_imports_black(tmp_path: Path) -> None:
    """The render is already in black's layout: generating, writing and checking do
    without black."""
    (tmp_path / "wsgen.yaml").write_text(many_routers(3))
    for extra in ([], [], ["--check"], ["--diff"]):
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                WITHOUT_BLACK,
                "generate",
                "wsgen.yaml",
                "-o",
                "out",
                *extra,
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


HEAVY_PROBE = (
    "import sys\n"
    "sys.argv = ['wsgen', *sys.argv[1:]]\n"
    "from wsgen.cli import main\n"
    "try:\n"
    "    main()\n"
    "except SystemExit:\n"
    "    pass\n"
    "heavy = ('fastapi', 'starlette', 'black', 'jinja2', 'jsonschema')\n"
    "print('HEAVY', [m for m in heavy if m in sys.modules], file=sys.stderr)\n"
)


@pytest.mark.parametrize(
    "args",
    [
        ["validate", str(SPEC)],
        ["--help"],
        ["validate", "--help"],
        ["generate", "--help"],
    ],
    ids=["validate", "help", "validate-help", "generate-help"],
)
def test_validate_and_help_import_nothing_heavy(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-c", HEAVY_PROBE, *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "HEAVY []" in result.stderr.splitlines()[-1], result.stderr
    if "--help" not in args:
        # The spec conforms, so jsonschema (needed only to word errors) is not imported.
        assert result.stdout.endswith(": valid\n"), result.stdout
