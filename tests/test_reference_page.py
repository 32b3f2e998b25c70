"""``wsgen docs``: the reference page, through the CLI and in real headless Chromium.

The page is opened from a ``file://`` URL in Debian's chromium, driven over the DevTools
protocol (tests/_chromium.py): it must log nothing, throw nothing and ask the network for
nothing, and its DOM must show every route that served.py says the app serves, with its
parameters, dependencies and messages, and every message with its fields and an example
equal to what samples.py makes (which tests/test_samples.py holds to the real models).
"""

from __future__ import annotations

import asyncio
import json
import os
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from _apps import EXAMPLES, REPO, generate, import_isolated, run_wsgen
from _chromium import open_page

from wsgen import reference
from wsgen.model import Spec
from wsgen.pipeline import load_model
from wsgen.samples import sample
from wsgen.served import served_routes, wire_name

SPECS = sorted(EXAMPLES.glob("*/wsgen.yaml"))
SCREENSHOT = REPO / "docs" / "reference-page.png"
HOSTILE = '<script>alert("x")</script>&amp;\'"'

HOSTILE_SPEC = f"""\
version: 1
dependencies:
  auth: app.deps:auth
messages:
  note:
    description: {json.dumps(HOSTILE)}
    fields:
      body: {{type: str, description: {json.dumps(HOSTILE)}, default: {json.dumps(HOSTILE)}}}
      kind: {{type: str, enum: [{json.dumps(HOSTILE)}, plain]}}
app:
  title: {json.dumps(HOSTILE)}
  description: {json.dumps(HOSTILE)}
  version: {json.dumps(HOSTILE)}
  include:
    - router: r
      dependencies: [auth]
routers:
  r:
    websockets:
      - path: /ws/{{room}}
        handler: app.handlers:ws
        description: {json.dumps(HOSTILE)}
        params:
          q: {{in: query, description: {json.dumps(HOSTILE)}, default: {json.dumps(HOSTILE)}}}
          x_tag: {{in: header, pattern: '^<b>$', required: false}}
        receive: [note]
        send: [note]
"""


def _docs(spec: Path, out: Path) -> str:
    result = run_wsgen("docs", str(spec), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote {out}\n"
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.parent.name)
def test_the_page_is_deterministic_and_the_same_on_stdout(
    spec: Path, tmp_path: Path
) -> None:
    first = _docs(spec, tmp_path / "a.html")
    assert _docs(spec, tmp_path / "b.html") == first
    printed = run_wsgen("docs", str(spec))
    assert printed.returncode == 0 and printed.stdout == first
    assert str(tmp_path) not in first and str(REPO) not in first


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.parent.name)
def test_the_page_loads_nothing_and_runs_no_script(spec: Path, tmp_path: Path) -> None:
    page = _docs(spec, tmp_path / "page.html").lower()
    for needle in (
        "<script",
        "<link",
        "<img",
        "<iframe",
        "src=",
        "@import",
        "url(",
        "http:",
        "https:",
    ):
        assert needle not in page, needle


class _Elements(HTMLParser):
    """Every start tag of a document, and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_spec_text_is_escaped_once(tmp_path: Path) -> None:
    spec = tmp_path / "wsgen.yaml"
    spec.write_text(HOSTILE_SPEC, encoding="utf-8")
    page = _docs(spec, tmp_path / "page.html")
    parsed = _Elements()
    parsed.feed(page)
    assert "script" not in parsed.tags
    text = "".join(parsed.text)
    # Once, not twice: the reader sees exactly what the spec says.
    assert text.count(HOSTILE) >= 6
    assert (
        "&amp;amp;amp;" not in page and "&lt;script" in page
    )  # twice would be amp;amp;
    assert json.dumps(HOSTILE, ensure_ascii=False) in text  # defaults and enum, as JSON


def test_an_invalid_spec_is_reported_as_validate_does_and_writes_nothing(
    tmp_path: Path,
) -> None:
    spec = tmp_path / "wsgen.yaml"
    spec.write_text(
        "version: 1\nrouters:\n  r:\n    prefix: /r/\n    websockets: []\n",
        encoding="utf-8",
    )
    out = tmp_path / "page.html"
    result = run_wsgen("docs", str(spec), "-o", str(out))
    validated = run_wsgen("validate", str(spec))
    assert result.returncode == validated.returncode == 1
    assert result.stderr == validated.stderr
    assert f"{spec}:4:13: routers.r.prefix:" in result.stderr
    assert result.stdout == "" and not out.exists()
    printed = run_wsgen("docs", str(spec))
    assert printed.returncode == 1 and printed.stdout == ""


def test_an_unwritable_page_is_a_usage_error(tmp_path: Path) -> None:
    out = tmp_path / "missing" / "page.html"
    result = run_wsgen("docs", str(SPECS[0]), "-o", str(out))
    assert result.returncode == 2
    assert "cannot write" in result.stderr and not out.exists()


def test_json_format_needs_a_file(tmp_path: Path) -> None:
    result = run_wsgen("docs", str(SPECS[0]), "--format", "json")
    assert result.returncode == 2
    assert json.loads(result.stdout)[0]["rule"] == "usage"
    out = tmp_path / "page.html"
    written = run_wsgen("docs", str(SPECS[0]), "--format", "json", "-o", str(out))
    assert written.returncode == 0 and json.loads(written.stdout) == []
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_the_documented_no_messages_frame_is_the_generated_one(tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    generate(EXAMPLES / "typed_chat" / "wsgen.yaml", out)
    (module,) = import_isolated(["pkg.messages"], tmp_path)
    frame = json.loads(reference.NO_MESSAGES)
    assert frame["errors"] == [module._NO_MESSAGES]


# -- in the browser ---------------------------------------------------------------------

_ROUTES = """
[...document.querySelectorAll("section.route")].map(s => ({
  id: s.id, path: s.dataset.path, name: s.dataset.name, kind: s.dataset.kind,
  heading: s.querySelector("h2 .path").textContent,
  params: [...s.querySelectorAll("table.fields tr.field")].map(r => [
    r.dataset.name, r.querySelector(".where").textContent,
    r.querySelector(".type").textContent]),
  dependencies: [...s.querySelectorAll("tr.dependency")].map(r => [
    r.dataset.level, r.cells[1].textContent, r.cells[2].textContent]),
  receive: [...s.querySelectorAll("a.receive")].map(a => a.textContent),
  send: [...s.querySelectorAll("a.send")].map(a => a.textContent),
  onInvalid: s.querySelector(".on-invalid")?.textContent ?? null,
  maxBytes: s.querySelector(".max-bytes")?.textContent ?? null,
  visible: s.getBoundingClientRect().height > 0,
}))
"""
_MESSAGES = """
[...document.querySelectorAll("section.message")].map(s => ({
  id: s.id, name: s.dataset.name,
  fields: [...s.querySelectorAll("tr.field")].map(r => r.dataset.name),
  example: s.querySelector("pre.example")?.textContent ?? null,
}))
"""
_TOC = (
    '[...document.querySelectorAll("#toc-routes a")].map(a => a.getAttribute("href"))'
)


def _ref(spec: Spec, name: str) -> str:
    ref = spec.dependency(name).ref
    return f"{ref.module}:{ref.attribute}"


def _expected_routes(spec_path: Path) -> list[dict[str, Any]]:
    spec, _ = load_model(spec_path)
    out = []
    for index, served in enumerate(served_routes(spec), 1):
        route, contract = served.route, served.route.contract
        deps = [
            [level.kind, name, _ref(spec, name)]
            for level in served.levels
            for name in level.dependencies
        ] + [
            ["parameter", p.depends, _ref(spec, p.depends)]
            for p in route.params
            if p.depends is not None
        ]
        out.append(
            {
                "id": f"route-{index}-{route.name}",
                "path": served.path,
                "name": route.name,
                "kind": route.kind,
                "heading": served.address,
                "params": [
                    [
                        wire_name(p),
                        p.source,
                        f"list[{p.item_type}]" if p.is_list else p.item_type,
                    ]
                    for p in route.params
                    if p.source != "depends"
                ],
                "dependencies": deps,
                "receive": list(contract.receive) if contract else [],
                "send": list(contract.send) if contract else [],
                "onInvalid": (
                    None
                    if contract is None
                    else ("close" if contract.close_on_invalid else "error")
                ),
                "maxBytes": (
                    None
                    if contract is None or contract.max_bytes is None
                    else str(contract.max_bytes)
                ),
                "visible": True,
            }
        )
    return out


async def _inspect(page_file: Path) -> dict[str, Any]:
    async with open_page(page_file) as page:
        found = {
            "routes": await page.evaluate(_ROUTES),
            "messages": await page.evaluate(_MESSAGES),
            "toc": await page.evaluate(_TOC),
            "title": await page.evaluate("document.title"),
            "scripts": await page.evaluate("document.scripts.length"),
        }
        await asyncio.sleep(0)  # let events already received be dispatched
        found["problems"] = page.console + page.exceptions + page.log
        found["requests"] = page.requests
        return found


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.parent.name)
def test_chromium_shows_every_served_route_and_message(
    spec: Path, tmp_path: Path
) -> None:
    page_file = tmp_path / "page.html"
    _docs(spec, page_file)
    found = asyncio.run(_inspect(page_file))
    assert found["problems"] == [] and found["requests"] == []
    assert found["scripts"] == 0
    expected = _expected_routes(spec)
    assert found["routes"] == expected
    assert found["toc"] == [f"#{r['id']}" for r in expected]
    model, _ = load_model(spec)
    assert found["title"].startswith(
        model.app.title if model.app else model.source_name
    )
    assert [m["name"] for m in found["messages"]] == [m.name for m in model.messages]
    for shown, message in zip(found["messages"], model.messages):
        assert shown["fields"] == [f.name for f in message.fields]
        assert json.loads(shown["example"]) == sample(message)


def test_the_hostile_page_runs_nothing_in_chromium(tmp_path: Path) -> None:
    spec = tmp_path / "wsgen.yaml"
    spec.write_text(HOSTILE_SPEC, encoding="utf-8")
    page_file = tmp_path / "page.html"
    _docs(spec, page_file)
    found = asyncio.run(_inspect(page_file))
    assert found["problems"] == [] and found["requests"] == [] and found["scripts"] == 0
    assert found["title"] == f"{HOSTILE} · WebSocket reference"
    (route,) = found["routes"]
    assert route["params"][0] == ["room", "path", "str"]
    assert route["params"][2] == ["x-tag", "header", "str"]


async def _looks(page_file: Path, shot: Path | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for dark in (False, True):
        async with open_page(page_file, dark=dark, width=1200) as page:
            out[dark] = await page.evaluate(
                "getComputedStyle(document.body).backgroundColor"
            )
            if shot is not None and not dark:
                await page.screenshot(shot, 1200, 1260)
            await page.send("Emulation.setEmulatedMedia", media="print")
            out[f"print-{dark}"] = await page.evaluate(
                'getComputedStyle(document.querySelector("nav.toc")).position'
            )
    return out


def test_light_dark_and_print_and_the_readme_screenshot(tmp_path: Path) -> None:
    """Set WSGEN_UPDATE_SCREENSHOT=1 to rewrite docs/reference-page.png."""
    page_file = tmp_path / "page.html"
    _docs(EXAMPLES / "typed_chat" / "wsgen.yaml", page_file)
    update = os.environ.get("WSGEN_UPDATE_SCREENSHOT") == "1"
    shot = SCREENSHOT if update else tmp_path / "shot.png"
    looks = asyncio.run(_looks(page_file, shot))
    assert looks[False] == "rgb(251, 251, 250)" and looks[True] == "rgb(17, 20, 24)"
    assert looks["print-False"] == looks["print-True"] == "static"
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(png[16:20], "big") == 1200
    assert int.from_bytes(png[20:24], "big") == 1260
    assert (
        SCREENSHOT.exists()
    ), "the README shows it: run with WSGEN_UPDATE_SCREENSHOT=1"


async def _watch(page_file: Path) -> tuple[list[Any], list[Any], list[str]]:
    async with open_page(page_file) as page:
        await page.evaluate("new Promise(done => setTimeout(done, 200))")
        return page.console, page.exceptions, page.requests


def test_the_browser_harness_sees_what_the_page_must_not_do(tmp_path: Path) -> None:
    """The checks above could fail: a page that logs, throws and fetches is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><img src="http://127.0.0.1:9/x.png">'
        "<script>console.log('hi'); throw new Error('boom')</script>",
        encoding="utf-8",
    )
    console, exceptions, requests = asyncio.run(_watch(bad))
    assert [c["args"][0]["value"] for c in console] == ["hi"]
    assert "boom" in json.dumps(exceptions)
    assert requests == ["http://127.0.0.1:9/x.png"]


DEPRECATED_SPEC = """\
version: 1
output: routes
messages:
  old_hello: {deprecated: true, fields: {name: {type: str}}}
  hello:
    fields:
      name: {type: str}
      nick: {type: str, required: false, deprecated: true}
routers:
  chat:
    websockets:
      - path: /old
        handler: app.handlers:old
        deprecated: true
        params:
          q: {in: query, type: int, required: false, deprecated: true}
        receive: [old_hello, hello]
        send: [hello]
      - path: /new
        handler: app.handlers:new
        receive: [hello]
"""


def test_what_the_spec_deprecates_is_marked(tmp_path: Path) -> None:
    spec = tmp_path / "wsgen.yaml"
    spec.write_text(DEPRECATED_SPEC, encoding="utf-8")
    page = _docs(spec, tmp_path / "page.html")
    badge = '<span class="badge deprecated">deprecated</span>'

    def section(marker: str) -> str:
        start = page.index(marker)
        return page[start : page.index("</section>", start)]

    old, new = section('data-path="/old"'), section('data-path="/new"')
    assert old.count(badge) == 2  # the route and its parameter q
    assert badge not in new
    assert badge in section('class="message" id="message-old_hello"')
    hello = section('class="message" id="message-hello"')
    assert hello.count(badge) == 1  # the field nick, not the message
    assert hello.index(badge) > hello.index('data-name="nick"')
