"""``wsgen validate --imports``: import every handler, dependency and dependency type a spec
names, in a child process, and report what would fail when the app is imported or called.

The user's code never runs in wsgen's process: one child (``probe.py``) imports the
modules one after another, with the spec's roots first on ``sys.path``; its stdout and
stderr go to a temporary file that wsgen never prints. Before each module it says which
one it starts, so a module that hangs (past the time limit) or ends the process (a
crash, ``os._exit``) is reported as such, and a new child goes on with the modules after
it: one bad module does not hide the others' results.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import config
from .errors import Diagnostic
from .loader import LoadedSpec
from .model import Spec
from .naming import did_you_mean
from .source import JsonPath

DEFAULT_TIMEOUT = 10.0  # seconds per module


@dataclass(frozen=True, slots=True)
class Reference:
    """One ``module:attribute`` the spec names, and what the generated code does with it."""

    kind: str  # "handler", "dependency" or "class"
    module: str
    attribute: str
    path: JsonPath  # where the spec names it
    first: str = ""  # a handler's first positional argument: websocket or conn
    keywords: tuple[str, ...] = ()
    types: dict[str, dict[str, Any]] = field(default_factory=dict)  # param -> spec type
    params: JsonPath = ()  # where the route's params are, for annotation warnings

    def check(self, number: int) -> dict[str, Any]:
        return {
            "id": number,
            "kind": self.kind,
            "attribute": self.attribute,
            "first": self.first,
            "keywords": list(self.keywords),
            "types": self.types,
        }


def references(model: Spec, data: dict[str, Any]) -> list[Reference]:
    """Every reference of a built spec, located by its path in the spec's data."""
    out = [
        Reference("dependency", d.ref.module, d.ref.attribute, ("dependencies", d.name))
        for d in model.dependencies
    ]
    for router in model.routers:
        for i, route in enumerate(router.routes):
            here: JsonPath = ("routers", router.name, "websockets", i)
            declared = data["routers"][router.name]["websockets"][i].get("params", {})
            for param in route.params:
                if param.result_type is not None:
                    ref = param.result_type
                    where = (*here, "params", param.name, "type")
                    out.append(Reference("class", ref.module, ref.attribute, where))
            types = {
                p.name: {"item": p.item_type, "list": p.is_list}
                for p in route.params
                if p.item_type not in ("any", "class") and p.name in declared
            }
            out.append(
                Reference(
                    "handler",
                    route.handler.module,
                    route.handler.attribute,
                    (*here, "handler"),
                    "conn" if route.contract is not None else "websocket",
                    tuple(p.name for p in route.params),
                    types,
                    (*here, "params"),
                )
            )
    return out


def roots(spec: Path) -> tuple[Path, ...]:
    """Where the spec's modules are imported from: the project root, then the spec's
    folder (the examples keep their packages beside their spec)."""
    found = [config.project_root(spec), spec.resolve().parent]
    return tuple(dict.fromkeys(r for r in found if r is not None))


@dataclass(slots=True)
class Subject:
    """One spec to check: its loaded data (for positions) and its references."""

    loaded: LoadedSpec
    refs: list[Reference]
    roots: tuple[Path, ...]
    found: list[Diagnostic] = field(default_factory=list)


def check(subjects: Sequence[Subject], timeout: float = DEFAULT_TIMEOUT) -> None:
    """Fill each subject's ``found`` with the problems of its references; one child per
    set of roots (usually one for the whole run)."""
    by_roots: dict[tuple[Path, ...], list[Subject]] = {}
    for subject in subjects:
        by_roots.setdefault(subject.roots, []).append(subject)
    for root_set, group in by_roots.items():
        numbered = [(s, ref) for s in group for ref in s.refs]
        results = _run(root_set, [ref for _, ref in numbered], timeout)
        for number, (subject, ref) in enumerate(numbered):
            subject.found.extend(_diagnostics(subject, ref, number, results))


def _run(
    root_set: tuple[Path, ...], numbered: list[Reference], timeout: float
) -> dict[str, Any]:
    """module -> its result line from the child: the checks' results by number, or why
    the module could not be imported."""
    modules = sorted({ref.module for ref in numbered})
    checks: dict[str, list[dict[str, Any]]] = {m: [] for m in modules}
    for number, ref in enumerate(numbered):
        checks[ref.module].append(ref.check(number))
    results: dict[str, Any] = {}
    pending = list(modules)
    while pending:
        request = {
            "roots": [str(r) for r in root_set],
            "modules": [{"module": m, "checks": checks[m]} for m in pending],
        }
        for line in _child(request, root_set[0], timeout):
            results[line["module"]] = line
        pending = [m for m in pending if m not in results]
    for line in results.values():
        if "results" in line:
            line["results"] = {r["id"]: r for r in line["results"]}
    return results


def _child(request: dict[str, Any], cwd: Path, timeout: float) -> Iterator[Any]:
    """The result lines of one child; for a module that hangs or ends the process, a
    line saying so, after which the caller starts a new child for the rest."""
    read, write = os.pipe()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    code = "from wsgen.probe import main; main()"
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            [sys.executable, "-c", code, str(write)],
            stdin=subprocess.PIPE,
            stdout=output,
            stderr=output,
            cwd=cwd,
            env={**env, "PYTHONPATH": _wsgen_path(env)},
            pass_fds=(write,),
        )
        os.close(write)
        try:
            yield from _lines(process, read, request, timeout, output)
        finally:
            os.close(read)
            if process.poll() is None:
                process.kill()
            process.wait()


def _wsgen_path(env: dict[str, str]) -> str:
    """The child imports this wsgen's probe, whatever the user's environment says."""
    here = str(Path(__file__).resolve().parent.parent)
    return os.pathsep.join([here, *filter(None, [env.get("PYTHONPATH")])])


def _lines(
    process: subprocess.Popen[bytes],
    read: int,
    request: dict[str, Any],
    timeout: float,
    output: Any,
) -> Iterator[Any]:
    assert process.stdin is not None
    process.stdin.write(json.dumps(request).encode())
    process.stdin.close()
    selector = selectors.DefaultSelector()
    selector.register(read, selectors.EVENT_READ)
    buffer, current = b"", None
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not selector.select(left):
            if current is not None:
                yield {"module": current, "timeout": timeout}
            return
        chunk = os.read(read, 65536)
        if not chunk:  # the child ended: the module it was importing ended it
            if current is not None:
                process.wait()
                yield {
                    "module": current,
                    "died": process.returncode,
                    "tail": _tail(output),
                }
            return
        buffer += chunk
        while b"\n" in buffer:
            raw, buffer = buffer.split(b"\n", 1)
            line = json.loads(raw)
            if "start" in line:
                current, deadline = line["start"], time.monotonic() + timeout
            else:
                current = None
                yield line


def _tail(output: Any) -> list[str]:
    output.seek(0)
    text: str = output.read().decode("utf-8", errors="replace")
    return text.rstrip().splitlines()[-3:]


def _diagnostics(
    subject: Subject, ref: Reference, number: int, results: dict[str, Any]
) -> Iterator[Diagnostic]:
    source = subject.loaded.source
    target = f"{ref.module}:{ref.attribute}"
    line = results[ref.module]
    failure = _module_failure(ref.module, line)
    if failure is not None:
        message, hint = failure
        yield source.diagnostic(ref.path, "import-module", message, hint)
        return
    result = line["results"][number]
    if result["missing"]:
        hint = did_you_mean(ref.attribute, result["names"], "")
        hint = (
            hint or f"define '{ref.attribute}' in {ref.module}, or run `wsgen scaffold`"
        )
        yield source.diagnostic(
            ref.path,
            "import-attribute",
            f"module '{ref.module}' has no attribute '{ref.attribute}'",
            hint,
        )
        return
    for kind, text in result["problems"]:
        yield _problem(subject, ref, target, kind, text)


def _module_failure(module: str, line: dict[str, Any]) -> tuple[str, str] | None:
    if "timeout" in line:
        return (
            f"importing '{module}' did not finish within {line['timeout']:g} s",
            "something at its top level waits or loops; move it into a function, "
            + "or pass a larger --import-timeout",
        )
    if "died" in line:
        tail = " | ".join(line["tail"])
        return (
            f"importing '{module}' ended the process (exit code {line['died']})",
            f"its last output: {tail}" if tail else "it exits or crashes at import",
        )
    if "error" in line:
        where = " | ".join(line["frames"])
        return (
            f"cannot import '{module}': {line['error']}",
            (
                f"raised at {where}"
                if where
                else "check the module path and the roots "
                "it is imported from (the project root, then the spec's folder)"
            ),
        )
    return None


def _problem(
    subject: Subject, ref: Reference, target: str, kind: str, text: str
) -> Diagnostic:
    source = subject.loaded.source
    if kind == "not-coroutine":
        return source.diagnostic(
            ref.path,
            "handler-not-coroutine",
            f"handler '{target}' is not a coroutine function (it is a {text})",
            "define it with 'async def': the generated endpoint awaits it",
        )
    if kind == "signature":
        call = ", ".join([ref.first, *(f"{k}={k}" for k in ref.keywords)])
        return source.diagnostic(
            ref.path,
            "handler-signature",
            f"handler '{target}' cannot take the call the generated code makes, "
            f"await {ref.attribute}({call}): {text}",
            f"accept '{ref.first}' first, then each parameter by its name",
        )
    if kind == "annotation":
        name, _, annotation = text.partition("|")
        spec_type = ref.types[name]
        spelled = (
            f"list[{spec_type['item']}]" if spec_type["list"] else spec_type["item"]
        )
        return source.diagnostic(
            (*ref.params, name),
            "handler-annotation",
            f"handler '{target}' annotates '{name}' as {annotation}, but the spec "
            f"makes it {spelled}",
            f"annotate it as {spelled}, or change the parameter's 'type:'",
            severity="warning",
        )
    what = "callable" if kind == "not-callable" else "a class"
    rule = "dependency-not-callable" if kind == "not-callable" else "dependency-type"
    return source.diagnostic(
        ref.path,
        rule,
        f"'{target}' is not {what} (it is a {text})",
        (
            "FastAPI calls a dependency: point at a function"
            if kind == "not-callable"
            else "point at the class the dependency returns"
        ),
    )
