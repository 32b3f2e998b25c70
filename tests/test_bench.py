"""The benchmark runs from a checkout with its documented command and reports every row.

Only that it works is tested here; its numbers are read by people (bench/RESULTS.md), never
asserted, because timings on a shared machine are not a pass/fail signal.
"""

from __future__ import annotations

import subprocess
import sys

from _apps import REPO

ROWS = [
    "validate",
    "generate (cold)",
    "generate (warm)",
    "generate --check",
    "generate (one route changed)",
    "check-jsonschema (reference)",
    "black formatting the unformatted render (reference)",
    "black --check of the tree (reference)",
]


def run_bench(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``python bench/SCRIPT ARGS`` from the checkout; it must succeed."""
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / script), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_bench_prints_every_command_and_ratio() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--sizes", "10"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = result.stdout
    assert "Commands that failed" not in report
    rows = [
        line.split(" | ")[1]
        for line in report.splitlines()
        if line.startswith("| 10 |")
    ]
    assert rows == ROWS
    for ratio in (
        "validate / check-jsonschema, 10 routes",
        "--check / black --check (fresh cache), 10 routes",
        "cold generate / black formatting the render, 10 routes",
    ):
        line = next(line for line in report.splitlines() if ratio in line)
        assert float(line.split(" | ")[1].split()[0]) > 0
    # Nothing is cached: the up-to-date check reads the whole spec.
    check = next(line for line in report.splitlines() if "| generate --check |" in line)
    cells = [c.strip() for c in check.strip("|").split("|")]
    assert cells[4]  # its "load" phase


def test_message_bench_prints_every_scenario_and_target() -> None:
    """bench/messages.py: a generated typed route against both hand-written idioms."""
    result = run_bench("messages.py", "--messages", "200", "--repeat", "1")
    lines = result.stdout.splitlines()
    scenarios = [
        line.split(" | ")[0].lstrip("| ")
        for line in lines
        if "msg/s" not in line
        and line.startswith(("| receive", "| send"))
        and line.count("|") == 7
    ]
    assert scenarios == ["receive, union of 2", "receive, single", "send"]
    targets = [line for line in lines if line.endswith(("| PASS |", "| MISS |"))]
    assert len(targets) == 6


def test_rooms_bench_prints_both_variants() -> None:
    """bench/rooms.py: publish fan-out through a generated room and one by hand."""
    args = ("--members", "5", "--messages", "50", "--repeat", "1")
    result = run_bench("rooms.py", *args)
    rows = [
        line.split(" | ")
        for line in result.stdout.splitlines()
        if line.startswith(("| generated |", "| by hand |"))
    ]
    assert [row[0].lstrip("| ") for row in rows] == ["generated", "by hand"]
    for row in rows:
        assert float(row[2].replace(",", "")) > 0  # deliveries per second
    assert "250 deliveries per run" in result.stdout


def test_rooms_load_bench_runs_both_variants_without_loss() -> None:
    """bench/rooms_load.py, small: real redis-server and uvicorn workers, both apps."""
    args = ("--clients", "8", "--rooms", "2", "--messages", "40")
    result = run_bench("rooms_load.py", *args)
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in result.stdout.splitlines()
        if line.startswith(("| generated", "| by hand"))
    ]
    assert [row[0].split(" ")[0] for row in rows] == ["generated", "by"]
    for row in rows:
        assert row[5:] == ["0", "0", "0"], row  # nothing lost, twice, or closed
