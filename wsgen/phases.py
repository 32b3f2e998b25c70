"""Seconds spent per phase of a run, printed to stderr when WSGEN_PHASES is set (bench/),
with the run's peak memory: this process's and what its workers (parallel.py) did not share
with it, together."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

_totals: dict[str, float] = {}
_workers_kb: list[int] = []  # the memory each worker did not share with this process


@contextmanager
def phase(name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        _totals[name] = _totals.get(name, 0.0) + time.perf_counter() - start


def worker_peak(kilobytes: int) -> None:
    _workers_kb.append(kilobytes)


def reset() -> None:
    _totals.clear()
    _workers_kb.clear()


def report(stream: TextIO) -> None:
    if os.environ.get("WSGEN_PHASES"):
        import resource

        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        shown = {**_totals, "peak MB": (own + sum(_workers_kb)) / 1024}
        print(f"wsgen-phases {json.dumps(shown)}", file=stream)
