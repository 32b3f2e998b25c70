"""``wsgen generate --watch``, driven by real edits of real files.

The loop runs as the real ``python -m wsgen`` process; the test edits the files the way
editors save them (in place, by writing a new file and renaming it over the old one, by
moving the old one away first), waits for each result on the process's output (never a
sleep), and stops it with SIGINT or SIGTERM. Every wait is bounded, and the process is
killed in ``finally`` whatever happens.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from _apps import EXAMPLES, REPO, run_wsgen

WAIT = 60.0  # seconds for any one step: generous, the machine may be busy
SPEC = (EXAMPLES / "echo" / "wsgen.yaml").read_text(encoding="utf-8")
GENERATED = Path("echo_app") / "routes" / "echo.py"


class Watch:
    """A running ``wsgen generate --watch``: its output, line by line, as it comes."""

    def __init__(self, cwd: Path, *args: str) -> None:
        self.lines: queue.Queue[tuple[str, str]] = queue.Queue()
        self.seen: list[tuple[str, str]] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "wsgen", "generate", "--watch", *args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env={**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"},
        )
        for name, stream in (
            ("out", self.process.stdout),
            ("err", self.process.stderr),
        ):
            threading.Thread(
                target=self._read, args=(name, stream), daemon=True
            ).start()

    def _read(self, name: str, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            self.lines.put((name, line.rstrip("\n")))

    def wait_for(
        self, stream: str, text: str, *, whole: bool = False
    ) -> list[tuple[str, str]]:
        """Every line up to the first on ``stream`` that contains ``text`` (that is
        ``text``, when ``whole``)."""
        got: list[tuple[str, str]] = []
        while True:
            try:
                line = self.lines.get(timeout=WAIT)
            except queue.Empty:
                raise AssertionError(
                    f"no {text!r} on std{stream} in {WAIT}s; saw {self.seen}"
                ) from None
            got.append(line)
            self.seen.append(line)
            if line[0] == stream and (line[1] == text if whole else text in line[1]):
                return got

    def expect(self, stream: str, text: str) -> None:
        """Return once a line on ``stream`` has contained ``text``, seen or to come."""
        if not any(s == stream and text in line for s, line in self.seen):
            self.wait_for(stream, text)

    def documents(self, count: int) -> list[object]:
        """The first ``count`` JSON documents on stdout (each ends with a line "]"),
        waiting for them as needed: stdout and stderr come through two pipes, so a
        line on one says nothing of how far the other has come."""
        while [line for _, line in self.out()].count("]") < count:
            self.wait_for("out", "]", whole=True)
        text = "\n".join(line for _, line in self.out())
        decoder, found, at = json.JSONDecoder(), [], 0
        while len(found) < count:
            document, at = decoder.raw_decode(text, at)
            found.append(document)
            at += 1  # the newline after it
        return found

    def out(self) -> list[tuple[str, str]]:
        return [line for line in self.seen if line[0] == "out"]

    def stop(self, sig: int) -> int:
        self.process.send_signal(sig)
        code = self.process.wait(timeout=WAIT)
        while True:  # the rest of the output, once the readers have it
            try:
                self.seen.append(self.lines.get(timeout=5))
            except queue.Empty:
                return code

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=WAIT)


@pytest.fixture
def watching() -> Iterator[list[Watch]]:
    started: list[Watch] = []
    try:
        yield started
    finally:
        for watch in started:
            watch.kill()


def start(watching: list[Watch], cwd: Path, *args: str) -> Watch:
    watch = Watch(cwd, *args)
    watching.append(watch)
    watch.wait_for("err", "for changes; Ctrl-C to stop")
    return watch


def replace(path: Path, text: str) -> None:
    """Save as most editors do: a new file, renamed over the old one."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def move_away_then_write(path: Path, text: str) -> None:
    """Save as vim does with 'nobackupcopy': the old file renamed, a new one written."""
    os.replace(path, path.with_name(path.name + "~"))
    path.write_text(text, encoding="utf-8")


def test_edit_error_fix_stop(tmp_path: Path, watching: list[Watch]) -> None:
    spec = tmp_path / "wsgen.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    watch = start(watching, tmp_path, "wsgen.yaml")
    watch.expect("out", "echo_app/routes: 3 files, 3 changed")
    generated = tmp_path / GENERATED
    assert '@router.websocket("/ws"' in generated.read_text(encoding="utf-8")

    spec.write_text(SPEC.replace("path: /ws", "path: /edited"), encoding="utf-8")
    watch.wait_for("out", "echo_app/routes: 3 files, 1 changed")
    assert '@router.websocket("/edited"' in generated.read_text(encoding="utf-8")

    before = generated.read_bytes()
    replace(spec, SPEC.replace("path: /ws", "path: broken"))
    got = watch.wait_for("err", "1 error found")
    assert any(
        "wsgen.yaml:10:15: routers.echo.websockets[0].path: route path 'broken' must "
        "start with '/'" in line
        for stream, line in got
        if stream == "err"
    ), got
    assert generated.read_bytes() == before  # an invalid spec changes nothing

    move_away_then_write(spec, SPEC.replace("path: /ws", "path: /fixed"))
    watch.wait_for("out", "wrote echo_app/routes/echo.py")  # no earlier one is left
    assert '@router.websocket("/fixed"' in generated.read_text(encoding="utf-8")

    assert watch.stop(signal.SIGINT) == 0
    assert ("err", "stopped watching") in watch.seen
    assert not any("Traceback" in line for _, line in watch.seen), watch.seen


def test_pyproject_changes_what_is_watched(
    tmp_path: Path, watching: list[Watch]
) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.wsgen]\nspec = "a/wsgen.yaml"\n', encoding="utf-8")
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "wsgen.yaml").write_text(SPEC, encoding="utf-8")
    watch = start(watching, tmp_path)
    assert (tmp_path / "a" / GENERATED).is_file()
    assert not (tmp_path / "b").joinpath(GENERATED).exists()

    replace(pyproject, "[tool.wsgen]\nspek = 1\n")
    got = watch.wait_for("err", "unknown key 'spek'")
    assert ("err", "changed: pyproject.toml") in got

    replace(pyproject, '[tool.wsgen]\nspec = "b/wsgen.yaml"\n')
    watch.wait_for("err", "watching b/wsgen.yaml, pyproject.toml for changes")
    assert (tmp_path / "b" / GENERATED).is_file()

    replace(tmp_path / "a" / "wsgen.yaml", SPEC.replace("/ws", "/not-watched"))
    replace(tmp_path / "b" / "wsgen.yaml", SPEC.replace("/ws", "/watched"))
    watch.wait_for("out", "b/echo_app/routes: 3 files, 1 changed")
    assert "/watched" in (tmp_path / "b" / GENERATED).read_text(encoding="utf-8")
    assert "/not-watched" not in (tmp_path / "a" / GENERATED).read_text("utf-8")

    assert watch.stop(signal.SIGTERM) == 0
    assert ("err", "changed: a/wsgen.yaml") not in watch.seen
    assert not any("Traceback" in line for _, line in watch.seen), watch.seen


def test_json_prints_one_document_per_run(
    tmp_path: Path, watching: list[Watch]
) -> None:
    spec = tmp_path / "wsgen.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    watch = start(watching, tmp_path, "--format", "json", "wsgen.yaml")
    first = watch.documents(1)[0]
    assert {entry["rule"] for entry in first} == {"written"}
    replace(spec, SPEC.replace("path: /ws", "path: nope"))
    document = watch.documents(2)[1]
    assert [entry["rule"] for entry in document] == ["route-path"]
    assert watch.stop(signal.SIGINT) == 0


# -- what is refused, in process -------------------------------------------------------


@pytest.mark.parametrize("flag", ["--check", "--diff", "--dry-run"])
def test_watch_with_a_way_of_not_writing_is_refused(tmp_path: Path, flag: str) -> None:
    spec = tmp_path / "wsgen.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    result = run_wsgen("generate", "--watch", flag, str(spec), cwd=tmp_path)
    assert result.returncode == 2
    assert f"error: --watch and {flag} exclude each other" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wsgen.yaml"]


def test_without_watchfiles_it_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "watchfiles", None)  # import watchfiles fails
    spec = tmp_path / "wsgen.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    result = run_wsgen("generate", "--watch", str(spec), cwd=tmp_path)
    assert result.returncode == 2
    assert "watchfiles package, which is not installed" in result.stderr
    assert "pip install 'wsgen[watch]'" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wsgen.yaml"]


def test_nothing_to_watch_is_a_usage_error(tmp_path: Path) -> None:
    result = run_wsgen("generate", "--watch", "--format", "json", cwd=tmp_path)
    assert result.returncode == 2
    (entry,) = json.loads(result.stdout)
    assert entry["rule"] == "usage" and "no spec given" in entry["message"]
