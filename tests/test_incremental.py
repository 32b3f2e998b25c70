"""Work is skipped only where it is provably the same: formatting, imports, processes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from _apps import REPO, run_wsgen

from wsgen import formatting, header
from wsgen.pipeline import generate_files, load_model
from wsgen.render import render_package

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


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files black formats (serially, in this process)."""
    calls: list[str] = []
    real = formatting.format_python

    def spy(source: str, name: str) -> str:
        calls.append(name)
        return real(source, name)

    monkeypatch.setattr(formatting, "format_python", spy)
    return calls


def test_an_unchanged_tree_is_not_formatted_again(counted: list[str]) -> None:
    spec, _ = load_model(SPEC)
    first = generate_files(spec, workers=1)
    assert sorted(counted) == sorted(first)
    counted.clear()
    assert generate_files(spec, previous=first, workers=1) == first
    assert counted == []


def test_a_changed_route_reformats_only_its_module(
    tmp_path: Path, counted: list[str]
) -> None:
    path = tmp_path / "wsgen.yaml"
    path.write_text(many_routers(5))
    before = generate_files(load_model(path)[0], workers=1)
    changed = many_routers(5).replace(
        "/items/{item_id:int}\n        handler: app.handlers:h2",
        "/things/{item_id:int}\n        handler: app.handlers:h2",
    )
    assert changed != many_routers(5)
    path.write_text(changed)
    counted.clear()
    after = generate_files(load_model(path)[0], previous=before, workers=1)
    assert counted == ["r2.py"]
    assert [n for n in after if after[n] != before[n]] == ["r2.py"]
    assert after == generate_files(
        load_model(path)[0], workers=1
    )  # same as from scratch


def test_a_hand_edit_or_a_new_formatter_means_formatting_again(
    monkeypatch: pytest.MonkeyPatch, counted: list[str]
) -> None:
    spec, _ = load_model(SPEC)
    first = generate_files(spec, workers=1)
    edited = dict(first)
    edited["chat.py"] = first["chat.py"].replace("Join a chat room.", "Join any room.")
    counted.clear()
    assert generate_files(spec, previous=edited, workers=1) == first
    assert counted == ["chat.py"]
    formatting.formatter.cache_clear()
    monkeypatch.setattr(
        formatting, "formatter", lambda: "black-99 py310 line-length-88"
    )
    counted.clear()
    regenerated = generate_files(spec, previous=first, workers=1)
    assert sorted(counted) == sorted(first)
    assert {n: t.split("\n", 3)[3] for n, t in regenerated.items()} == {
        n: t.split("\n", 3)[3] for n, t in first.items()
    }


def test_parallel_and_serial_formatting_give_the_same_bytes(tmp_path: Path) -> None:
    path = tmp_path / "wsgen.yaml"
    path.write_text(many_routers(formatting.PARALLEL_FROM + 4))
    rendered = render_package(load_model(path)[0])
    serial = formatting.format_files(rendered, workers=1)
    parallel = formatting.format_files(rendered, workers=2)
    assert parallel == serial
    assert len(serial) == formatting.PARALLEL_FROM + 5


FORKSERVER = (
    "import multiprocessing, sys\n"
    "multiprocessing.set_start_method('forkserver')\n"
    "sys.argv = ['wsgen', *sys.argv[1:]]\n"
    "from wsgen.cli import main\n"
    "main()\n"
)


@pytest.mark.skipif(
    sys.platform != "linux", reason="the fork server is Linux's default"
)
def test_parallel_formatting_works_whatever_the_default_start_method(
    tmp_path: Path,
) -> None:
    # Python 3.14 starts processes through a fork server by default on Linux; the workers
    # must still be wsgen's own children, or they take wsgen for gone and exit.
    (tmp_path / "wsgen.yaml").write_text(many_routers(formatting.PARALLEL_FROM + 2))
    result = subprocess.run(
        [sys.executable, "-c", FORKSERVER, "generate", "wsgen.yaml", "-o", "out"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "out").glob("*.py"))) == formatting.PARALLEL_FROM + 3


def test_check_catches_a_hand_edit_that_keeps_the_fingerprint(tmp_path: Path) -> None:
    (tmp_path / "wsgen.yaml").write_text(many_routers(2))
    assert (
        run_wsgen("generate", "wsgen.yaml", "-o", "out", cwd=tmp_path).returncode == 0
    )
    module = tmp_path / "out" / "r1.py"
    text = module.read_text()
    assert text.splitlines()[2].startswith(header.FINGERPRINT)
    module.write_text(text.replace("ge=1", "ge=0"))
    result = run_wsgen("generate", "wsgen.yaml", "-o", "out", "--check", cwd=tmp_path)
    assert result.returncode == 1
    assert "-    q: Annotated[int, Query(ge=0)] = 3," in result.stdout
    assert "changed: out/r1.py" in result.stderr


WITHOUT_BLACK = (
    "import sys\n"
    "sys.modules['black'] = None  # any attempt to format now fails with ImportError\n"
    "sys.argv = ['wsgen', *sys.argv[1:]]\n"
    "from wsgen.cli import main\n"
    "main()\n"
)


def test_warm_runs_never_import_black(tmp_path: Path) -> None:
    (tmp_path / "wsgen.yaml").write_text(many_routers(3))
    assert (
        run_wsgen("generate", "wsgen.yaml", "-o", "out", cwd=tmp_path).returncode == 0
    )
    for extra in ([], ["--check"]):
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
        assert "0 changed" in result.stdout or "up to date" in result.stdout


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
