"""Seconds spent per phase of a run, printed to stderr when WSGEN_PHASES is set (bench/)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

_totals: dict[str, float] = {}


@contextmanager
def phase(name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        _totals[name] = _totals.get(name, 0.0) + time.perf_counter() - start


def reset() -> None:
    _totals.clear()


def report(stream: TextIO) -> None:
    if os.environ.get("WSGEN_PHASES"):
        print(f"wsgen-phases {json.dumps(_totals)}", file=stream)
