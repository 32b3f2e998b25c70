"""A run with a rendering worker (wsgen/parallel.py) gives exactly what a serial run gives.

The runs happen in tests/_parallel_runs.py, a process of its own: the test runner's
process has threads, and wsgen never forks a threaded process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from _apps import REPO

from wsgen import parallel

RUNS = REPO / "tests" / "_parallel_runs.py"


def runs(scenario: str, folder: Path) -> Any:
    result = subprocess.run(
        [sys.executable, str(RUNS), scenario, str(folder)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "100"},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_every_case_and_example_says_the_same_with_a_worker(tmp_path: Path) -> None:
    found = runs("cases", tmp_path)
    assert len(found) > 90
    for name, modes in found.items():
        assert modes["on"] == modes["off"], name
        assert not modes["on"]["left"], f"{name}: a worker was left behind"
    # The golden trees and the examples' committed trees are up to date either way.
    valid = {name for name, modes in found.items() if modes["on"]["code"] == 0}
    golden = {p.parent.name for p in (REPO / "tests" / "cases").glob("*/expected")}
    examples = {p.parent.name for p in (REPO / "examples").glob("*/wsgen.yaml")}
    assert valid == golden | examples


def test_a_large_spec_renders_the_same_bytes_with_a_worker(tmp_path: Path) -> None:
    found = runs("large", tmp_path)
    assert found["serial"]["code"] == found["forked"]["code"] == 0
    assert found["files"] == (parallel.MIN_ROUTES + 100) // 10 + 2
    assert found["same"], "the worker's modules differ from the serial render"
    assert found["check"] == {
        "code": 0,
        "out": "serial: up to date\n",
        "err": "",
        "left": False,
    }
    # An invalid spec: the worker is stopped; the errors are the serial run's.
    invalid = found["invalid"]
    assert invalid["on"] == invalid["off"]
    assert invalid["on"]["code"] == 1
    assert "did you mean 'int'?" in invalid["on"]["err"]
    assert not found["bad written"]


@pytest.mark.parametrize(
    ("how", "says"),
    [
        ("broken", "RuntimeError: rendering failed in the worker"),
        ("dead", "it ended without an answer"),
    ],
)
def test_a_failing_worker_is_a_bug_report_and_writes_nothing(
    how: str, says: str, tmp_path: Path
) -> None:
    found = runs(how, tmp_path)
    assert found["code"] == 3
    assert "the rendering worker failed" in found["err"]
    assert says in found["err"]
    assert "This is a bug in wsgen" in found["err"]
    assert not found["written"]
    assert not found["left"]


def test_small_specs_one_core_and_threaded_processes_get_no_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    routes = {"routers": {"r": {"websockets": [{}] * parallel.MIN_ROUTES}}}
    monkeypatch.setattr(parallel, "_threads", lambda: 1)
    monkeypatch.setenv("WSGEN_PARALLEL", "auto")
    assert parallel.wanted(routes)
    assert not parallel.wanted({"routers": {"r": {"websockets": [{}]}}})
    monkeypatch.setenv("WSGEN_PARALLEL", "on")
    assert parallel.wanted({"routers": {}})
    monkeypatch.setenv("WSGEN_PARALLEL", "off")
    assert not parallel.wanted(routes)
    monkeypatch.setenv("WSGEN_PARALLEL", "auto")
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: {0})
    assert not parallel.wanted(routes)  # one core
    monkeypatch.setenv("WSGEN_PARALLEL", "on")
    monkeypatch.setattr(parallel, "_threads", lambda: 2)
    assert not parallel.wanted(routes)  # never with threads, even when asked


@pytest.mark.parametrize(
    "data",
    [None, [], {"routers": []}, {"routers": {"r": None}}, {"routers": {"r": {}}}],
)
def test_routes_of_data_not_yet_validated_count_nothing(data: Any) -> None:
    assert parallel._route_count(data) == 0


ROUTE = {"path": "/a", "handler": "m:h"}


@pytest.mark.parametrize(
    ("data", "apart"),
    [
        ({"routers": {"r": {"websockets": [ROUTE]}}}, True),
        ({"routers": {"r": {"websockets": [{**ROUTE, "send": ["m"]}]}}}, False),
        ({"routers": {"r": {"websockets": [ROUTE, {**ROUTE, "receive": []}]}}}, False),
        ({"asyncapi": {}, "routers": {"r": {"websockets": [ROUTE]}}}, False),
        # Data not yet validated: no answer fails.
        (None, False),
        ({"routers": []}, True),
        ({"routers": {"r": None, "s": {"websockets": {}}}}, True),
        ({"routers": {"r": {"websockets": [None, "x"]}}}, True),
    ],
)
def test_routers_render_apart_unless_messages_or_asyncapi_join_them(
    data: Any, apart: bool
) -> None:
    """A route with messages names its typed connection among all routers' (messages.py),
    and the AsyncAPI document describes every route: then both processes build the whole
    model; else each builds only the routers it renders."""
    assert parallel.routers_apart(data) is apart


@pytest.mark.parametrize(
    "count", [1, 7, parallel.QUEUE_SLOTS, 3 * parallel.QUEUE_SLOTS + 1]
)
def test_the_queue_gives_every_router_once_in_order(count: int) -> None:
    queue = parallel._Queue(count)
    routers = tuple(range(count))
    try:
        assert tuple(queue.take(routers)) == routers
        assert tuple(queue.take(routers)) == ()
    finally:
        os.close(queue.reader)


@pytest.mark.skipif(sys.platform != "linux", reason="the worker runs on Linux only")
def test_a_worker_counts_only_the_memory_it_does_not_share() -> None:
    """Pages shared with another process (the parent's, after the fork; the C library's
    here) are left out: the count is below this process's resident size, which holds them.
    """
    status = Path("/proc/self/status").read_text(encoding="ascii")
    resident = next(
        int(line.split()[1])
        for line in status.splitlines()
        if line.startswith("VmRSS:")
    )
    assert 0 < parallel._own_memory_kb() < resident
