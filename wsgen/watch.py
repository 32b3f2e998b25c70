"""``wsgen generate --watch``: generate, then again on every save of a spec or of the
pyproject.toml whose ``[tool.wsgen]`` applies, until Ctrl-C.

    start the watcher -> (it is running) generate, report -> wait for a save
    -> read [tool.wsgen] again -> generate, report -> wait ...

Each result is reported as ``wsgen generate`` reports it, in its format, and flushed at
once. A problem in a spec or in ``[tool.wsgen]`` is reported and the loop waits for the
next save. Editors that save by writing a new file and renaming it over the old one
(vim, JetBrains, many others) replace the file the name points to, so the loop watches
the folders the files are in, not the files, and picks out their names.

Ctrl-C (SIGINT), or SIGTERM, stops the loop after the run in progress, if any, has
finished writing, with exit code 0: stopping is how a watch is meant to end, and what it
wrote is already reported. A second Ctrl-C during a run stops at once (exit 130).

``watchfiles`` (the optional extra ``wsgen[watch]``) is imported only here.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType, ModuleType
from typing import NamedTuple, TextIO

from . import config, pipeline
from .errors import UsageError, printable

INSTALL = "pip install 'wsgen[watch]'"
# How long the watcher waits before it says it is running (and the first run starts).
READY_MS = 200
INTERRUPTED = 130  # as a shell reports a process ended by SIGINT


class Request(NamedTuple):
    """What ``generate --watch`` was asked: the command line's arguments."""

    specs: list[Path] | None  # None: from [tool.wsgen], read again on every save
    format: str | None
    output: Path | None
    force: bool


def watchfiles_module() -> ModuleType:
    """The ``watchfiles`` package; a UsageError saying how to install it otherwise."""
    try:
        import watchfiles
    except ImportError:
        raise UsageError(
            "--watch needs the watchfiles package, which is not installed; install it "
            f"with `{INSTALL}`"
        ) from None
    return watchfiles


class Loop:
    """One watch: the inputs of the last good reading of the command line and
    ``[tool.wsgen]``, and the files whose saves start a run."""

    def __init__(self, request: Request, out: TextIO, err: TextIO) -> None:
        self.request, self.out, self.err = request, out, err
        self.inputs = self.read_inputs()  # a problem here is a usage error (exit 2)
        self.targets = targets(self.inputs)

    def read_inputs(self) -> config.Inputs:
        request = self.request
        return config.inputs(request.specs, request.format, request.output)

    def run(self, watchfiles: ModuleType, stop: threading.Event) -> None:
        """Watch until ``stop`` is set; a change to which files to watch (a new
        ``spec`` list) starts a new watcher, and the first run under it."""
        while not stop.is_set():
            self.watch(watchfiles, stop)

    def watch(self, watchfiles: ModuleType, stop: threading.Event) -> None:
        watched = self.targets
        ready = False
        for changes in watchfiles.watch(
            *sorted({os.path.dirname(path) for path in watched}),
            watch_filter=lambda _change, path: os.path.abspath(path) in watched,
            stop_event=stop,
            rust_timeout=READY_MS,
            yield_on_timeout=True,
            recursive=False,
        ):
            if not ready:  # the first yield: the watcher runs, no save can be missed
                ready = True
                self.generate()
                present = [path for path in watched if os.path.exists(path)]
                self.say(f"watching {self.names(present)} for changes; Ctrl-C to stop")
            elif changes:
                changed = sorted({os.path.abspath(path) for _, path in changes})
                self.say(f"changed: {self.names(changed)}")
                if self.reread() != watched:
                    return  # watch the new files; their watcher's first yield runs
                self.generate()

    def reread(self) -> frozenset[str]:
        """The files to watch after ``[tool.wsgen]`` is read again; a problem in it is
        reported and the last good reading kept."""
        try:
            self.inputs = self.read_inputs()
        except UsageError as error:
            self.report(pipeline.stopped("generate", error))
            return self.targets
        self.targets = targets(self.inputs)
        return self.targets

    def generate(self) -> None:
        options = pipeline.Options("write", self.inputs.output, self.request.force)
        self.report(pipeline.generate_specs(self.inputs.specs, options))

    def report(self, run: pipeline.Run) -> None:
        from .report import REPORTERS

        REPORTERS[self.inputs.format](self.out, self.err).report(run)
        self.out.flush()
        self.err.flush()

    def say(self, line: str) -> None:
        print(printable(line), file=self.err, flush=True)

    @staticmethod
    def names(paths: Iterable[str]) -> str:
        return ", ".join(config.display(Path(path)) for path in sorted(paths))


def targets(inputs: config.Inputs) -> frozenset[str]:
    """The absolute paths whose saves start a run: every spec, and the pyproject.toml
    whose [tool.wsgen] applies (or the one that would, created in this folder)."""
    project = config.find_pyproject(Path.cwd().resolve())
    pyproject = project or Path.cwd() / "pyproject.toml"
    return frozenset(os.path.abspath(p) for p in (*inputs.specs, pyproject))


def run(request: Request, out: TextIO, err: TextIO) -> int:
    """The watch loop, until Ctrl-C; its exit code. UsageError before it starts."""
    watchfiles = watchfiles_module()
    loop = Loop(request, out, err)
    stop = threading.Event()
    try:
        with stopping_on_signals(stop):
            loop.run(watchfiles, stop)
    except KeyboardInterrupt:  # the second Ctrl-C, during a run
        loop.say("interrupted")
        return INTERRUPTED
    loop.say("stopped watching")
    return 0


@contextmanager
def stopping_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set ``stop`` (the watcher returns, a run in progress
    finishes); a second one while ``stop`` is set raises KeyboardInterrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach only the main thread; Ctrl-C is KeyboardInterrupt there
        return

    def handler(_signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = {
        sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
