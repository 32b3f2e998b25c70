"""Headless Chromium (Debian's ``chromium``), driven over the DevTools protocol with a real
WebSocket client, for tests that open pages as a reader would.

``open_page(path)`` starts a fresh browser (a new empty profile, no network services),
opens ``path`` from a ``file://`` URL and yields a :class:`Page`: every console message,
exception and log entry it produced, every request it tried that was not for a file (each
one refused), ``evaluate`` for the DOM, and ``screenshot``. Every wait is bounded, and the
browser is killed when the block ends, whatever happened.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websockets

TIMEOUT = 20.0  # seconds for any single wait: a start, a command, a page load
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
)


def chromium() -> str:
    """The browser's executable; a missing one fails the test (tests/system-packages.txt
    lists it, and CI installs it)."""
    found = shutil.which("chromium")
    assert found, "chromium is not installed: run `sh tests/system-packages.sh`"
    return found


@dataclass
class Page:
    connection: Any
    session: str
    console: list[dict[str, Any]] = field(default_factory=list)
    exceptions: list[dict[str, Any]] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # what was refused: not file://
    loaded: asyncio.Event = field(default_factory=asyncio.Event)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _waiting: dict[int, asyncio.Future[Any]] = field(default_factory=dict)

    async def send(self, method: str, session: bool = True, **params: Any) -> Any:
        number = next(self._ids)
        message: dict[str, Any] = {"id": number, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[number] = future
        await self.connection.send(json.dumps(message))
        return await asyncio.wait_for(future, TIMEOUT)

    async def evaluate(self, expression: str) -> Any:
        answer = await self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True
        )
        assert "exceptionDetails" not in answer, answer["exceptionDetails"]
        return answer["result"].get("value")

    async def screenshot(self, path: Path, width: int, height: int) -> None:
        """A PNG of the top ``width`` x ``height`` CSS pixels of the page."""
        shot = await self.send(
            "Page.captureScreenshot",
            format="png",
            clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
            captureBeyondViewport=True,
        )
        path.write_bytes(base64.b64decode(shot["data"]))

    def dispatch(self, message: dict[str, Any]) -> None:
        if "id" in message:
            future = self._waiting.pop(message["id"], None)
            if future is not None and not future.done():
                if "error" in message:
                    future.set_exception(RuntimeError(message["error"]))
                else:
                    future.set_result(message.get("result", {}))
            return
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.consoleAPICalled":
            self.console.append(params)
        elif method == "Runtime.exceptionThrown":
            self.exceptions.append(params)
        elif method == "Log.entryAdded":
            self.log.append(params["entry"])
        elif method == "Page.loadEventFired":
            self.loaded.set()
        elif method == "Fetch.requestPaused":
            asyncio.ensure_future(self._decide(params))

    async def _decide(self, paused: dict[str, Any]) -> None:
        url = paused["request"]["url"]
        if url.startswith("file://"):
            await self.send("Fetch.continueRequest", requestId=paused["requestId"])
        else:
            self.requests.append(url)
            await self.send(
                "Fetch.failRequest",
                requestId=paused["requestId"],
                errorReason="BlockedByClient",
            )


def _start(profile: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A browser on a port of its own choosing, and its DevTools WebSocket URL."""
    process = subprocess.Popen(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"chromium exited with {process.returncode}")
        lines = port_file.read_text().split() if port_file.exists() else []
        if len(lines) >= 2:
            return process, f"ws://127.0.0.1:{lines[0]}{lines[1]}"
        time.sleep(0.05)  # polling a file the browser writes once; bounded above
    process.kill()
    raise AssertionError("chromium did not open its DevTools port in time")


@asynccontextmanager
async def open_page(
    path: Path, dark: bool = False, width: int = 1280, height: int = 900
) -> AsyncIterator[Page]:
    profile = Path(tempfile.mkdtemp(prefix="wsgen-chromium-"))
    process = None
    try:
        process, url = _start(profile)
        async with websockets.connect(url, max_size=None, open_timeout=TIMEOUT) as ws:
            page = Page(ws, "")
            reader = asyncio.ensure_future(_read(ws, page))
            try:
                await _prepare(page, dark, width, height)
                await page.send("Page.navigate", url=path.resolve().as_uri())
                await asyncio.wait_for(page.loaded.wait(), TIMEOUT)
                yield page
            finally:
                reader.cancel()
    finally:
        if process is not None:
            process.kill()
            process.wait(timeout=TIMEOUT)
        shutil.rmtree(profile, ignore_errors=True)


async def _read(ws: Any, page: Page) -> None:
    async for raw in ws:
        page.dispatch(json.loads(raw))


async def _prepare(page: Page, dark: bool, width: int, height: int) -> None:
    target = await page.send("Target.createTarget", session=False, url="about:blank")
    attached = await page.send(
        "Target.attachToTarget",
        session=False,
        targetId=target["targetId"],
        flatten=True,
    )
    page.session = attached["sessionId"]
    for domain in ("Runtime", "Log", "Page"):
        await page.send(f"{domain}.enable")
    await page.send("Fetch.enable", patterns=[{"urlPattern": "*"}])
    await page.send(
        "Emulation.setDeviceMetricsOverride",
        width=width,
        height=height,
        deviceScaleFactor=1,
        mobile=False,
    )
    scheme = "dark" if dark else "light"
    await page.send(
        "Emulation.setEmulatedMedia",
        features=[{"name": "prefers-color-scheme", "value": scheme}],
    )
