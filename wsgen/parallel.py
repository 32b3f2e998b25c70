"""Render the router modules of a large spec in two processes at once.

A large spec spends most of a run in four steps: validate, build, render, compare. Only
the first decides anything; the others are the same work whichever process does them.
So once a large spec is loaded, wsgen forks a worker that builds its own model from the
loaded data and starts rendering router modules, while this process validates and builds.
Then both render, each taking the next router from one shared queue until none is left,
so they finish together however long validation took. The worker's modules come back
through a pipe. Where routers render apart (``routers_apart``: no messages, no AsyncAPI
document), each process builds only the routers it takes, as it takes them; else both
build the whole model.

The worker starts before the spec is known to be valid, so nothing it does may count
until this process says so:

- It only computes: it writes no file and prints nothing, and exits without running any
  exit handler or flushing buffers it inherited.
- When validation fails, it is killed and its work is never read: the errors are this
  process's own.
- When the spec is valid, its model is the same as this process's (the same data, the
  same build), so its modules are the bytes a serial run renders; tests compare both
  ways on the same specs. A worker that fails on a valid spec is a bug, raised here with
  the worker's traceback; one that dies leaves routers untaken by this process, and that
  is raised too.

Only on Linux (fork is copy-on-write and nothing is imported twice), only while this
process runs one thread (a fork copies no other thread, nor the locks it holds), and
only with two cores or more and a spec large enough to pay for it.
``WSGEN_PARALLEL=off`` turns it off; ``on`` uses it for every spec (tests).
"""

from __future__ import annotations

import os
import pickle
import resource
import signal
import sys
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from . import phases
from .phases import phase

if TYPE_CHECKING:
    from .loader import LoadedSpec
    from .model import Router, Spec

# Below this many routes a run takes a few tenths of a second, mostly start-up, and the
# fork, the second model and the pipe cost more than they save.
MIN_ROUTES = 400
# The queue holds 4-byte router numbers; a pipe holds 64 KiB, so they are all written before
# the fork without blocking. Past that many routers a number stands for a run of
# consecutive routers.
QUEUE_SLOTS = 8 * 1024
SLOT = 4


class WorkerFailed(Exception):
    """The worker failed on a spec this process found valid: a bug in wsgen."""


def wanted(data: Any) -> bool:
    """Whether a spec with this loaded data is worth a worker."""
    setting = os.environ.get("WSGEN_PARALLEL", "auto")
    if setting == "off" or sys.platform != "linux" or _threads() != 1:
        return False
    if setting == "on":
        return True
    # On one core the worker's second model would only add to the run.
    return len(os.sched_getaffinity(0)) > 1 and _route_count(data) >= MIN_ROUTES


def _threads() -> int:
    """Threads of this process, Python's and native ones (a watcher's, say)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 0  # cannot tell: do not fork


def routers_apart(data: Any) -> bool:
    """Whether each router's module renders from that router's model alone, so that each
    process builds only the routers it renders: no route has messages (the typed
    connections of every router are named together, in messages.py) and no AsyncAPI
    document is asked for (it describes every route). ``data`` is not validated yet; for a
    valid spec the answer is exact."""
    if not isinstance(data, dict) or "asyncapi" in data:
        return False
    return not any(
        isinstance(route, dict) and ("receive" in route or "send" in route)
        for routes in _route_lists(data)
        for route in routes
    )


def _route_count(data: Any) -> int:
    """Routes in data not yet validated: anything that is not a list counts nothing."""
    return sum(len(routes) for routes in _route_lists(data))


def _route_lists(data: Any) -> Iterator[list[Any]]:
    """Each router's list of routes, in data not yet validated (anything else is skipped)."""
    routers = data.get("routers") if isinstance(data, dict) else None
    for router in routers.values() if isinstance(routers, dict) else ():
        routes = router.get("websockets") if isinstance(router, dict) else None
        if isinstance(routes, list):
            yield routes


class _Queue:
    """Router numbers in a pipe both processes read: a read of 4 bytes takes one slot
    whole (a pipe read holds the pipe's lock), and an empty pipe means all are taken."""

    def __init__(self, routers: int) -> None:
        self.per_slot = -(-routers // QUEUE_SLOTS) or 1
        self.reader, writer = os.pipe()
        slots = -(-routers // self.per_slot)
        os.write(writer, b"".join(n.to_bytes(SLOT, "little") for n in range(slots)))
        os.close(writer)
        os.set_blocking(self.reader, False)

    def take(self, routers: Sequence[_T]) -> Iterator[_T]:
        """The routers this process takes, one slot at a time, until none is left."""
        while True:
            try:
                slot = os.read(self.reader, SLOT)
            except BlockingIOError:
                return
            if not slot:
                return
            first = int.from_bytes(slot, "little") * self.per_slot
            yield from routers[first : first + self.per_slot]


_T = TypeVar("_T")


def _taken(queue: _Queue, data: Any, spec: Spec, apart: bool) -> Iterator[Router]:
    """The routers this process takes from the queue: each built as it is taken when they
    render apart (``spec`` has none then), else those of the whole model ``spec``."""
    if not apart:
        return queue.take(spec.routers)
    from . import build

    names = tuple(data["routers"])
    return (build.router_model(data, name) for name in queue.take(names))


class Worker:
    """The forked process; ``routers()`` takes this process's share from the queue, then
    ``modules()`` waits for the worker's. ``apart``: see ``routers_apart``; then the
    model of this process needs no routers, and gets none."""

    def __init__(
        self, pid: int, reader: int, queue: _Queue, data: Any, apart: bool
    ) -> None:
        self.pid = pid
        self.pipe = os.fdopen(reader, "rb")
        self.queue = queue
        self.data = data
        self.apart = apart
        self.reaped = False

    def routers(self, spec: Spec) -> Iterator[Router]:
        return _taken(self.queue, self.data, spec, self.apart)

    def modules(self, spec: Spec, mine: set[str]) -> dict[str, str]:
        """The worker's modules by file name; ``mine``: the file names rendered here."""
        with phase("worker"):
            try:
                kind, value, peak = pickle.load(self.pipe)
            except EOFError:
                kind, value, peak = "error", "it ended without an answer", 0
            self._reap()
        phases.worker_peak(peak)
        if kind == "error":
            raise WorkerFailed(f"the rendering worker failed: {value}")
        files: dict[str, str] = value
        missing = {f"{name}.py" for name in self.data["routers"]} - mine - set(files)
        if missing or mine & set(files):
            raise WorkerFailed(f"routers rendered twice or never: {sorted(missing)}")
        return files

    def stop(self) -> None:
        """Kill the worker unless its answer was read; reap it either way."""
        if not self.reaped:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._reap()
        os.close(self.queue.reader)

    def _reap(self) -> None:
        self.pipe.close()
        os.waitpid(self.pid, 0)
        self.reaped = True


@contextmanager
def worker(loaded: LoadedSpec, source_name: str) -> Iterator[Worker | None]:
    """A worker for ``loaded`` when it is worth one (else None), stopped on the way out."""
    routers = loaded.data.get("routers") if isinstance(loaded.data, dict) else None
    if not isinstance(routers, dict) or not wanted(loaded.data):
        yield None
        return
    from . import render

    render.prepare()
    queue = _Queue(len(routers))
    apart = routers_apart(loaded.data)
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: never returns
        os.close(reader)
        _work(writer, queue, loaded, source_name, apart)
    os.close(writer)
    started = Worker(pid, reader, queue, loaded.data, apart)
    try:
        yield started
    finally:
        started.stop()


def _work(
    writer: int, queue: _Queue, loaded: LoadedSpec, source_name: str, apart: bool
) -> None:
    """Build, render routers from the queue and send their modules; then exit without
    cleaning up anything the parent owns (no exit handlers, no inherited buffers)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C: the parent reports it
    from . import build, render

    try:
        spec = build.spec_model(loaded.data, source_name, routers=not apart)
        taken = _taken(queue, loaded.data, spec, apart)
        message: tuple[str, Any] = ("files", render.render_routers(spec, taken))
    except BaseException:  # noqa: BLE001 - whatever it was, the parent reports it
        message = ("error", traceback.format_exc())
    peak = _own_memory_kb()  # for WSGEN_PHASES
    try:
        with os.fdopen(writer, "wb") as pipe:
            pickle.dump((*message, peak), pipe, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        os._exit(0)


def _own_memory_kb() -> int:
    """The memory this worker does not share with the parent: its private pages now, at
    its end, when its model and modules are all held (its resident high-water mark also
    counts every page the fork shares, which the parent's peak counts already)."""
    try:
        with open("/proc/self/smaps_rollup", encoding="ascii") as rollup:
            fields = dict(line.split(":", 1) for line in rollup if ":" in line)
        return sum(int(fields[key].split()[0]) for key in _PRIVATE)
    except (OSError, KeyError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


_PRIVATE = ("Private_Clean", "Private_Dirty")
