"""Messages per second through a generated typed route, next to the same handler by hand.

    python bench/messages.py                     # 10,000 messages, 15 repetitions
    python bench/messages.py --messages 20000 --repeat 31 --write bench/RESULTS.md

It writes a small spec (a route that receives a two-message discriminated union and sends
one model, a route that receives a single message, and a route that only sends) into a
temporary folder and runs the real `wsgen generate` on it. The same handlers are then
written by hand two ways, with their own models (the same fields and constraints):

- common: `receive_json()`, then `Model.model_validate(data)`; for the union the model is
  picked from a dict on `data["type"]`. Sending: `send_json(model.model_dump(mode="json"))`.
- fast: `receive_text()`, then a module-level
  `TypeAdapter(Annotated[Union, Field(discriminator="type")]).validate_json(text)`, or
  `Model.model_validate_json(text)` for the single message. Sending:
  `send_text(model.model_dump_json())`.

Every variant is one FastAPI app called directly as ASGI: a scope, a `receive` that hands
out N pre-encoded text messages and then a disconnect, a `send` that keeps what it is
given. No server and no client, so what is measured is the route's cost per message
(Starlette's WebSocket, the validation, the handler's loop). The clock runs from the accept
to the end of the call, in CPU seconds of this process by default (`--clock wall` for
elapsed time): on a shared machine the other processes' load then moves the figures less.
After a warm-up (which also checks that the three variants read and write the same things)
the variants run interleaved, generated, common, fast, generated, ..., and each row is the
median of the repetitions. `--profile` adds a cProfile of each generated route and of its
fast idiom.
"""

import argparse
import asyncio
import gc
import importlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, MutableMapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

REPO = Path(__file__).resolve().parent.parent
SECTION = "## Message contracts"
PACKAGE = "wsgen_bench_messages"  # the generated package, in a temporary folder
VARIANTS = ("generated", "common", "fast")
SCENARIOS = ("receive, union of 2", "receive, single", "send")
TARGETS = {"common": 1.0, "fast": 0.95}  # generated / idiom, at least
CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}

SPEC = f"""\
version: 1
output: {PACKAGE}/routes
messages:
  chat_message:
    description: A line typed by a user.
    fields:
      text: {{type: str, min_length: 1, max_length: 2000}}
      reply_to: {{type: int, required: false, ge: 1}}
  ping:
    fields:
      n: {{type: int, ge: 0}}
  chat_event:
    fields:
      id: {{type: int, ge: 1}}
      user: {{type: str}}
      text: {{type: str}}
      reply_to: {{type: int, required: false}}
      sent_at: {{type: datetime}}
routers:
  bench:
    prefix: /generated
    websockets:
      - path: /union
        name: union
        handler: {PACKAGE}.handlers:union
        receive: [chat_message, ping]
        send: [chat_event]
      - path: /single
        name: single
        handler: {PACKAGE}.handlers:single
        receive: [chat_message]
        send: [chat_event]
      - path: /send
        name: send_events
        handler: {PACKAGE}.handlers:send_events
        receive: [chat_message, ping]
        send: [chat_event]
"""

# The handlers of the generated routes: the typed connection, as the README shows it.
HANDLERS = f"""\
from {PACKAGE}.routes.messages import (
    ChatEvent,
    Ping,
    SendEventsConnection,
    SingleConnection,
    UnionConnection,
)

TALLY: dict[str, tuple[int, int, int]] = {{}}
EVENTS: list[ChatEvent] = []


async def union(conn: UnionConnection) -> None:
    await conn.accept()
    lines = replies = pings = 0
    async for message in conn:
        if isinstance(message, Ping):
            pings += message.n
        else:
            lines += 1
            replies += message.reply_to or 0
    TALLY["union"] = (lines, replies, pings)


async def single(conn: SingleConnection) -> None:
    await conn.accept()
    lines = replies = pings = 0
    async for message in conn:
        lines += 1
        replies += message.reply_to or 0
    TALLY["single"] = (lines, replies, pings)


async def send_events(conn: SendEventsConnection) -> None:
    await conn.accept()
    for event in EVENTS:
        await conn.send(event)
    await conn.close()
"""


# The same contract by hand.
class ChatMessage(BaseModel):
    type: Literal["chat_message"] = "chat_message"
    text: str = Field(min_length=1, max_length=2000)
    reply_to: int | None = Field(default=None, ge=1)


class Ping(BaseModel):
    type: Literal["ping"] = "ping"
    n: int = Field(ge=0)


class ChatEvent(BaseModel):
    type: Literal["chat_event"] = "chat_event"
    id: int = Field(ge=1)
    user: str
    text: str
    reply_to: int | None = None
    sent_at: datetime


INCOMING = TypeAdapter(Annotated[ChatMessage | Ping, Field(discriminator="type")])
MODELS: dict[str, type[ChatMessage] | type[Ping]] = {
    "chat_message": ChatMessage,
    "ping": Ping,
}
TALLY: dict[str, tuple[int, int, int]] = {}
EVENTS: list[ChatEvent] = []


def error_frame(errors: list[Any]) -> dict[str, Any]:
    return {"type": "error", "errors": errors}


def pydantic_errors(error: ValidationError) -> list[Any]:
    return error.errors(include_url=False, include_context=False, include_input=False)


UNKNOWN_TYPE = [{"loc": ["type"], "msg": "unknown message type", "type": "union_tag"}]
NOT_JSON = [{"loc": [], "msg": "not a JSON object", "type": "json_invalid"}]


async def common_union(websocket: WebSocket) -> None:
    await websocket.accept()
    lines = replies = pings = 0
    while True:
        try:
            data = await websocket.receive_json()
        except WebSocketDisconnect:
            break
        except ValueError:
            await websocket.send_json(error_frame(NOT_JSON))
            continue
        try:
            message = MODELS[data["type"]].model_validate(data)
        except (KeyError, TypeError):
            await websocket.send_json(error_frame(UNKNOWN_TYPE))
            continue
        except ValidationError as error:
            await websocket.send_json(error_frame(pydantic_errors(error)))
            continue
        if isinstance(message, Ping):
            pings += message.n
        else:
            lines += 1
            replies += message.reply_to or 0
    TALLY["union"] = (lines, replies, pings)


async def fast_union(websocket: WebSocket) -> None:
    await websocket.accept()
    lines = replies = pings = 0
    while True:
        try:
            text = await websocket.receive_text()
        except WebSocketDisconnect:
            break
        try:
            message = INCOMING.validate_json(text)
        except ValidationError as error:
            await websocket.send_json(error_frame(pydantic_errors(error)))
            continue
        if isinstance(message, Ping):
            pings += message.n
        else:
            lines += 1
            replies += message.reply_to or 0
    TALLY["union"] = (lines, replies, pings)


async def common_single(websocket: WebSocket) -> None:
    await websocket.accept()
    lines = replies = pings = 0
    while True:
        try:
            data = await websocket.receive_json()
        except WebSocketDisconnect:
            break
        except ValueError:
            await websocket.send_json(error_frame(NOT_JSON))
            continue
        try:
            message = ChatMessage.model_validate(data)
        except ValidationError as error:
            await websocket.send_json(error_frame(pydantic_errors(error)))
            continue
        lines += 1
        replies += message.reply_to or 0
    TALLY["single"] = (lines, replies, pings)


async def fast_single(websocket: WebSocket) -> None:
    await websocket.accept()
    lines = replies = pings = 0
    while True:
        try:
            text = await websocket.receive_text()
        except WebSocketDisconnect:
            break
        try:
            message = ChatMessage.model_validate_json(text)
        except ValidationError as error:
            await websocket.send_json(error_frame(pydantic_errors(error)))
            continue
        lines += 1
        replies += message.reply_to or 0
    TALLY["single"] = (lines, replies, pings)


async def common_send(websocket: WebSocket) -> None:
    await websocket.accept()
    for event in EVENTS:
        await websocket.send_json(event.model_dump(mode="json"))
    await websocket.close()


async def fast_send(websocket: WebSocket) -> None:
    await websocket.accept()
    for event in EVENTS:
        await websocket.send_text(event.model_dump_json())
    await websocket.close()


def incoming(count: int, single: bool) -> list[str]:
    """Pre-encoded messages: chat lines, and for the union a ping after every three."""
    texts = []
    for i in range(count):
        if not single and i % 4 == 3:
            texts.append(json.dumps({"type": "ping", "n": i}))
        elif i % 2:
            line = {"type": "chat_message", "text": f"line {i} of the benchmark"}
            texts.append(json.dumps({**line, "reply_to": i}))
        else:
            texts.append(json.dumps({"type": "chat_message", "text": f"hello {i}"}))
    return texts


def outgoing(model: Any, count: int) -> list[Any]:
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    return [
        model(
            id=i + 1,
            user=f"user{i % 50}",
            text=f"line {i} of the benchmark",
            reply_to=i if i % 2 else None,
            sent_at=start + timedelta(seconds=i, microseconds=i),
        )
        for i in range(count)
    ]


def generate(folder: Path) -> Any:
    """Run the real `wsgen generate` on the spec; import what it wrote."""
    return generate_package(folder, PACKAGE, SPEC, HANDLERS, "bench")


def generate_package(
    folder: Path, name: str, spec: str, handlers: str, router: str
) -> Any:
    """Write the package ``name`` with its ``handlers`` and ``spec`` into ``folder``, run
    the real `wsgen generate` on it, and import the module of ``router``."""
    package = folder / name
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "handlers.py").write_text(handlers, encoding="utf-8")
    (folder / "wsgen.yaml").write_text(spec, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-m", "wsgen", "generate", "wsgen.yaml"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        sys.exit(f"wsgen generate failed:\n{result.stdout}{result.stderr}")
    sys.path.insert(0, str(folder))
    return importlib.import_module(f"{name}.routes.{router}")


def build_app(generated: Any) -> FastAPI:
    """One app for every variant, so that routing and middleware are the same."""
    app = FastAPI()
    app.include_router(generated.router)
    for path, endpoint in {
        "/common/union": common_union,
        "/fast/union": fast_union,
        "/common/single": common_single,
        "/fast/single": fast_single,
        "/common/send": common_send,
        "/fast/send": fast_send,
    }.items():
        app.add_api_websocket_route(path, endpoint)
    return app


PATHS = {
    scenario: {variant: f"/{variant}/{kind}" for variant in VARIANTS}
    for scenario, kind in zip(SCENARIOS, ("union", "single", "send"))
}


def scope(path: str) -> dict[str, Any]:
    return {
        "type": "websocket",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "scheme": "ws",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "root_path": "",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1:8000")],
        "subprotocols": [],
        "state": {},
    }


async def drive(
    app: FastAPI,
    path: str,
    texts: list[str],
    clock: Callable[[], float] = time.perf_counter,
) -> tuple[float, list[Any]]:
    """Call the app once with `texts` (then a disconnect); seconds from the accept, sent."""
    events: list[dict[str, Any]] = [{"type": "websocket.connect"}]
    events += [{"type": "websocket.receive", "text": text} for text in texts]
    events.append({"type": "websocket.disconnect", "code": 1000, "reason": ""})
    next_event: Callable[[], dict[str, Any]] = iter(events).__next__
    sent: list[Any] = []
    keep = sent.append
    accepted: list[float] = []

    async def receive() -> dict[str, Any]:
        return next_event()

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "websocket.send":
            keep(message["text"])
        elif message["type"] == "websocket.accept":
            accepted.append(clock())
        elif message["type"] != "websocket.close":
            raise RuntimeError(f"unexpected {message['type']} from {path}")

    gc.collect()
    await app(scope(path), receive, send)
    end = clock()
    if not accepted:
        raise RuntimeError(f"{path} did not accept the connection")
    return end - accepted[0], sent


def check(app: FastAPI, handlers: Any, count: int) -> None:
    """The three variants read the same messages and write the same JSON."""

    async def run() -> None:
        for scenario, paths in PATHS.items():
            single = scenario == "receive, single"
            texts = [] if scenario == "send" else incoming(count, single)
            outputs = {}
            for variant, path in paths.items():
                handlers.TALLY.clear()
                TALLY.clear()
                _, sent = await drive(app, path, texts)
                tally = {**handlers.TALLY, **TALLY}
                outputs[variant] = (tally, [json.loads(text) for text in sent])
            first = outputs["generated"]
            wrong = [v for v, out in outputs.items() if out != first]
            if wrong or (scenario == "send" and len(first[1]) != len(EVENTS)):
                sys.exit(f"{scenario}: {wrong} differ from the generated route")
            if scenario != "send" and (not first[0] or first[1]):
                sys.exit(f"{scenario}: nothing counted, or error frames sent")

    asyncio.run(run())


def measure(
    app: FastAPI, count: int, repeat: int, clock: Callable[[], float]
) -> dict[str, dict[str, list[float]]]:
    """Messages per second of every scenario and variant, one entry per repetition."""
    inputs = {
        "receive, union of 2": incoming(count, False),
        "receive, single": incoming(count, True),
        "send": [],
    }
    rates: dict[str, dict[str, list[float]]] = {
        s: {v: [] for v in VARIANTS} for s in SCENARIOS
    }

    async def run() -> None:
        for _ in range(repeat):
            for scenario, paths in PATHS.items():
                for variant, path in paths.items():
                    seconds, _ = await drive(app, path, inputs[scenario], clock)
                    rates[scenario][variant].append(count / seconds)

    asyncio.run(run())
    return rates


def profile(app: FastAPI, count: int, times: int = 3) -> str:
    """cProfile of each scenario's generated route and its fast idiom, per call.

    Only the functions of the routes and of Starlette's WebSocket are listed, with their
    own time per call, the least of `times` profiled runs; the profiler's overhead
    inflates them all, so compare rows, not totals.
    """
    import cProfile
    import pstats

    wanted = (
        "/routes/messages.py",
        "/handlers.py",
        "/starlette/websockets.py",
        __file__,
    )
    native = ("<method 'validate_json'", "<method 'to_json'")
    out = []
    for scenario, paths in PATHS.items():
        texts = (
            [] if scenario == "send" else incoming(count, scenario.endswith("single"))
        )
        for variant in ("generated", "fast"):
            best: dict[str, float] = {}
            for _ in range(times):
                profiler = cProfile.Profile()
                profiler.enable()
                asyncio.run(drive(app, paths[variant], texts))
                profiler.disable()
                stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
                for (file, line, name), (_, calls, own, _, _) in stats.items():
                    if calls < count:
                        continue
                    if file.endswith(wanted) or name.startswith(native):
                        where = Path(file)
                        label = f"{where.parent.name}/{where.name}:{line} {name}"
                        label = name if name.startswith(native) else label
                        cost = own / calls * 1e6
                        best[label] = min(best.get(label, cost), cost)
            out.append(f"\n{scenario}, {variant}: own time per call, µs")
            for label, cost in sorted(best.items(), key=lambda item: -item[1]):
                out.append(f"  {cost:7.2f}  {label}")
    return "\n".join(out) + "\n"


def spread(values: list[float]) -> str:
    """The middle half of the values (their quartiles), or the one value."""
    if len(values) < 2:
        return f"{values[0]:.2f}"
    low, _, high = statistics.quantiles(values, n=4, method="inclusive")
    return f"{low:.2f}–{high:.2f}"


def report(
    rates: dict[str, dict[str, list[float]]],
    count: int,
    repeat: int,
    clock: str,
    load: tuple[float, float],
) -> str:
    head = (
        "| scenario | generated msg/s | common msg/s | fast msg/s | generated / common"
    )
    lines = [f"{head} | generated / fast |", "|---|---|---|---|---|---|"]
    verdicts = ["| target | measured | bound | result |", "|---|---|---|---|"]
    for scenario, by_variant in rates.items():
        mid = {v: statistics.median(r) for v, r in by_variant.items()}
        cells = [scenario, *(f"{mid[v]:,.0f}" for v in VARIANTS)]
        for idiom, bound in TARGETS.items():
            measured = mid["generated"] / mid[idiom]
            paired = [g / i for g, i in zip(by_variant["generated"], by_variant[idiom])]
            cells.append(f"{measured:.3f} ({spread(paired)})")
            verdict = "PASS" if measured >= bound else "MISS"
            verdicts.append(
                f"| {scenario}: generated / {idiom} | {measured:.3f} | ≥ {bound:.2f} "
                f"| {verdict} |"
            )
        lines.append("| " + " | ".join(cells) + " |")
    seconds = "CPU seconds of this process" if clock == "cpu" else "wall-clock seconds"
    command = " ".join(["python bench/messages.py", *sys.argv[1:]])
    prose = [
        (
            f"Produced by `{command}`. Machine: {machine()}; load average {load[0]:.1f} "
            f"before the runs and {load[1]:.1f} after."
        ),
        (
            "Each variant is a route of one FastAPI app, called directly as ASGI with "
            "pre-encoded text messages (no server, no client), so the figures are the "
            "route's own cost per message:"
        ),
        (
            "- generated: the route `wsgen generate` writes for the spec in "
            "`bench/messages.py`; the handler loops `async for message in conn` and sends "
            "with `await conn.send(event)`."
        ),
        (
            '- common: `receive_json()`, then `MODELS[data["type"]].model_validate(data)` '
            "(a dict lookup on the `type` field; `ChatMessage.model_validate(data)` for the "
            'single message); sending `send_json(event.model_dump(mode="json"))`.'
        ),
        (
            "- fast: `receive_text()`, then a module-level `TypeAdapter(Annotated[ChatMessage"
            ' | Ping, Field(discriminator="type")]).validate_json(text)` '
            "(`ChatMessage.model_validate_json(text)` for the single message); sending "
            "`send_text(event.model_dump_json())`."
        ),
        (
            "The union's traffic is three `chat_message` (text, optional reply_to) to one "
            "`ping` (n); what is sent is `chat_event` (id, user, text, optional reply_to, a "
            "datetime). The models are the same on both sides. "
            f"{count:,} messages per run, timed in {seconds} from the accept to the end of "
            f"the call; median of {repeat} interleaved repetitions after a warm-up. Each "
            "ratio is of the medians; beside it, the middle half of the ratios of the "
            "repetitions (each generated run against the idiom's run that followed it)."
        ),
    ]
    paragraphs: list[str] = []
    for text in prose:
        bullet = text.startswith("- ")
        wrapped = textwrap.fill(
            text,
            width=92,
            subsequent_indent="  " if bullet else "",
            break_on_hyphens=False,
        )
        if bullet and paragraphs and paragraphs[-1].startswith("- "):
            paragraphs[-1] += "\n" + wrapped
        else:
            paragraphs.append(wrapped)
    return "\n\n".join([*paragraphs, "\n".join(lines), "\n".join(verdicts)]) + "\n"


def machine() -> str:
    import fastapi
    import pydantic
    import pydantic_core
    import starlette

    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, pydantic {pydantic.VERSION} (core "
        f"{pydantic_core.__version__}), FastAPI {fastapi.__version__}, Starlette "
        f"{starlette.__version__}, {platform.system()}; wsgen at {revision()}"
    )


def revision() -> str:
    def git(*args: str) -> str:
        result = subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=False
        )
        return result.stdout.strip() if result.returncode == 0 else ""

    head = git("rev-parse", "--short", "HEAD") or "unknown revision"
    dirty = git("status", "--porcelain", "--", "wsgen", "templates")
    return f"{head} (with uncommitted changes to wsgen/templates)" if dirty else head


def write_section(path: Path, body: str) -> None:
    """Put the section in `path`: in place of an earlier one, else at the end.

    An earlier section's `###` subsections (notes written by hand under the figures) are
    kept, after the new figures.
    """
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == SECTION), None)
    if start is None:
        section = f"{SECTION}\n\n{body.rstrip()}\n"
        joined = text.rstrip("\n")
        path.write_text(f"{joined}\n\n{section}" if joined else section, "utf-8")
        return
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
        len(lines),
    )
    notes = next((i for i in range(start + 1, end) if lines[i].startswith("### ")), end)
    kept = "".join(lines[notes:end]).rstrip("\n")
    section = f"{SECTION}\n\n{body.rstrip()}\n" + (f"\n{kept}\n" if kept else "")
    after = "".join(lines[end:])
    new = "".join(lines[:start]) + section + ("\n" + after if after else "")
    path.write_text(new, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--messages", type=int, default=10_000, metavar="N", help="per run (10,000)"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=15,
        metavar="K",
        help="interleaved repetitions of every variant (15)",
    )
    parser.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default="cpu",
        help="cpu: this process's CPU time (default); wall: elapsed time",
    )
    parser.add_argument(
        "--write",
        type=Path,
        metavar="FILE",
        help=f"put the report in FILE as its '{SECTION}' section (replaced if there)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="also print cProfile of each route"
    )
    options = parser.parse_args()
    if options.messages < 1 or options.repeat < 1:
        parser.error("--messages and --repeat must be at least 1")
    with tempfile.TemporaryDirectory(prefix="wsgen-bench-messages-") as tmp:
        generated = generate(Path(tmp))
        handlers = importlib.import_module(f"{PACKAGE}.handlers")
        messages = importlib.import_module(f"{PACKAGE}.routes.messages")
        handlers.EVENTS[:] = outgoing(messages.ChatEvent, options.messages)
        EVENTS[:] = outgoing(ChatEvent, options.messages)
        app = build_app(generated)
        gc.freeze()  # what is set up stays out of the collections between runs
        check(app, handlers, min(options.messages, 2_000))  # and a warm-up
        clock = CLOCKS[options.clock]
        measure(app, options.messages, 1, clock)  # the warm-up proper
        before = os.getloadavg()[0]
        rates = measure(app, options.messages, options.repeat, clock)
        load = (before, os.getloadavg()[0])
        body = report(rates, options.messages, options.repeat, options.clock, load)
        print(f"{SECTION}\n\n{body}")
        if options.profile:
            print(profile(app, options.messages))
    if options.write:
        write_section(options.write, body)
        print(f"wrote the section to {options.write}", file=sys.stderr)


if __name__ == "__main__":
    main()
