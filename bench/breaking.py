"""What ``wsgen breaking`` costs next to loading its two specs: both times in fresh
processes, on the benchmark's spec (bench/run.py) against a copy with one route changed.

    python bench/breaking.py [--routes 10000]

``validate`` of each spec is the floor (read, check): breaking does that twice, builds
both, compares, and locates the findings (which reads one spec's positions again).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import spec_text


def _best(args: list[str], cwd: Path, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "wsgen", *args], cwd=cwd,
                       capture_output=True, check=False)  # fmt: skip
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--routes", type=int, default=10_000)
    routes = parser.parse_args().routes
    with tempfile.TemporaryDirectory() as folder:
        cwd = Path(folder)
        old = spec_text(routes)
        (cwd / "old.yaml").write_text(old, encoding="utf-8")
        # The first router served elsewhere: its 10 routes removed and 10 added.
        new = old.replace("    prefix: /r0\n", "    prefix: /z0\n", 1)
        (cwd / "new.yaml").write_text(new, encoding="utf-8")
        (cwd / "same.yaml").write_text(old, encoding="utf-8")
        both = _best(["validate", "old.yaml", "new.yaml"], cwd)
        changed = _best(["breaking", "new.yaml", "--against", "old.yaml"], cwd)
        same = _best(["breaking", "same.yaml", "--against", "old.yaml"], cwd)
    print(f"{routes} routes: validate both {both:.2f} s, breaking (no finding) "
          f"{same:.2f} s ({same / both:.2f}x), breaking (findings) {changed:.2f} s "
          f"({changed / both:.2f}x)")  # fmt: skip


if __name__ == "__main__":
    main()
