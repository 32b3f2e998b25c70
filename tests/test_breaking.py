"""``wsgen breaking``: each rule on a pair of specs, through the CLI, with its level and
the place it points at (the new spec, or the old one for what was removed).

Each case edits one spec (``OLD``) into the other by exact text replacements, so the pair
differs by what the case is about and nothing else. A location is given as the line that
holds it (a piece of its text) and the token the column points at.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import NamedTuple

import pytest
from _apps import run_wsgen

from wsgen.breaking_rules import RULES

OLD = """\
version: 1
dependencies:
  auth: app.deps:auth
  audit: app.deps:audit
messages:
  say:
    description: What a client says.
    fields:
      text: {type: str, max_length: 100}
      n: {type: int, required: false}
  said:
    fields:
      text: {type: str}
      at: {type: str, required: false}
  old_msg:
    deprecated: true
close_codes:
  going_away: 4000
app:
  include:
    - router: chat
      prefix: /v1
routers:
  chat:
    prefix: /chat
    websockets:
      - path: /room/{room_id}
        name: room
        handler: app.h:room
        params:
          limit: {in: query, type: int, required: false, default: 10, ge: 1, le: 100}
          token: {in: header}
          mode: {in: query, enum: [a, b], required: false, default: a}
          session: {in: cookie, required: false}
        receive: [say]
        send: [said]
      - path: /feed
        handler: app.h:feed
        receive: [say, old_msg]
        send: [said]
      - path: /legacy
        handler: app.h:legacy
        deprecated: true
"""

ROOM = "/v1/chat/room/{room_id}"
FEED = "/v1/chat/feed"


class Case(NamedTuple):
    rule: str
    edits: tuple[tuple[str, str], ...]  # (text in OLD, its replacement in the new spec)
    level: str
    side: str  # "old" or "new": which file the finding points into
    line: str  # a piece of the line it points at
    token: str  # what the column points at, in that line
    subject: str = ROOM
    first: tuple[tuple[str, str], ...] = ()  # edits that make OLD the old spec


def case(rule: str, old: str, new: str, level: str, side: str, line: str, token: str,
         subject: str = ROOM, first: tuple[str, str] | None = None) -> Case:  # fmt: skip
    return Case(rule, ((old, new),), level, side, line, token, subject,
                (first,) if first else ())  # fmt: skip


FEED_ROUTE = """\
      - path: /feed
        handler: app.h:feed
        receive: [say, old_msg]
        send: [said]
"""
LEGACY_ROUTE = """\
      - path: /legacy
        handler: app.h:legacy
        deprecated: true
"""
SESSION = "session: {in: cookie, required: false}"
SESSION_DEPRECATED = "session: {in: cookie, required: false, deprecated: true}"

CASES = [
    case("route-removed", FEED_ROUTE, "", "error", "old", "- path: /feed", "path",
         FEED),
    case("route-removed", LEGACY_ROUTE, "", "info", "old", "- path: /legacy", "path",
         "/v1/chat/legacy"),
    case("route-added", LEGACY_ROUTE, LEGACY_ROUTE + "      - path: /new\n"
         "        handler: app.h:new\n", "info", "new", "- path: /new", "path",
         "/v1/chat/new"),
    case("route-name-changed", "name: room", "name: lobby", "warning", "new",
         "name: lobby", "name"),
    case("route-kind-changed", "handler: app.h:legacy\n",
         "handler: app.h:legacy\n        kind: starlette\n", "error", "new",
         "kind: starlette", "kind", "/v1/chat/legacy"),
    case("path-convertor-narrowed", "/room/{room_id}", "/room/{room_id:int}", "error",
         "new", "- path: /room", "path", "/v1/chat/room/{room_id:int}"),
    case("param-added-required", SESSION, SESSION + "\n          extra: {in: query}",
         "error", "new", "extra:", "extra"),
    case("param-added-optional", SESSION,
         SESSION + "\n          extra: {in: query, required: false}", "info", "new",
         "extra:", "extra"),
    case("param-removed", SESSION, "", "warning", "old", "session:", "session"),
    case("param-removed", SESSION_DEPRECATED, "", "info", "old", "session:", "session",
         first=(SESSION, SESSION_DEPRECATED)),
    case("param-became-required", SESSION, "session: {in: cookie}", "error", "new",
         "session:", "session"),
    case("param-became-optional", "token: {in: header}",
         "token: {in: header, required: false}", "info", "new", "token:", "token"),
    case("param-renamed", "token: {in: header}", "token: {in: header, alias: x-tok}",
         "error", "new", "token:", "token"),
    case("optional-param-renamed", SESSION,
         "session: {in: cookie, required: false, alias: sid}", "warning", "new",
         "session:", "session"),
    case("param-type-narrowed", SESSION, "session: {in: cookie, required: false, "
         "type: int}", "error", "new", "session:", "session"),
    case("param-type-narrowed", "token: {in: header}",
         "token: {in: header, type: float}", "error", "new", "token:", "token"),
    case("param-type-widened", "type: int, required: false, default: 10",
         "type: float, required: false, default: 10", "info", "new", "limit:",
         "limit"),
    case("param-constraint-tightened", "le: 100}", "le: 50}", "error", "new",
         "limit:", "limit"),
    case("param-constraint-tightened", "ge: 1,", "ge: 2,", "error", "new", "limit:",
         "limit"),
    case("param-constraint-tightened", "enum: [a, b]", "enum: [a]", "error", "new",
         "mode:", "mode"),
    case("param-constraint-tightened", "token: {in: header}",
         "token: {in: header, pattern: '^t'}", "error", "new", "token:", "token"),
    case("param-constraint-tightened", "token: {in: header}",
         "token: {in: header, max_length: 9}", "error", "new", "token:", "token"),
    case("param-constraint-loosened", "le: 100}", "le: 200}", "info", "new", "limit:",
         "limit"),
    case("param-constraint-loosened", "enum: [a, b]", "enum: [a, b, c]", "info", "new",
         "mode:", "mode"),
    case("param-default-changed", "default: 10", "default: 20", "warning", "new",
         "limit:", "limit"),
    case("dependency-added", "app:\n", "app:\n  dependencies: [auth]\n", "warning",
         "new", "dependencies: [auth]", "dependencies"),
    case("dependency-added", "      prefix: /v1\n",
         "      prefix: /v1\n      dependencies: [auth]\n", "warning", "new",
         "dependencies: [auth]", "dependencies"),
    case("dependency-added", "    prefix: /chat\n",
         "    prefix: /chat\n    dependencies: [auth]\n", "warning", "new",
         "dependencies: [auth]", "dependencies"),
    case("dependency-added", "        name: room\n",
         "        name: room\n        dependencies: [audit]\n", "warning", "new",
         "dependencies: [audit]", "dependencies"),
    case("receive-message-removed", "        receive: [say]\n", "", "error", "old",
         "receive: [say]", "receive"),
    case("receive-message-removed", "receive: [say, old_msg]", "receive: [say]",
         "info", "old", "receive: [say, old_msg]", "receive", FEED),
    case("receive-message-added", "receive: [say]\n", "receive: [say, old_msg]\n",
         "info", "new", "receive: [say, old_msg]", "receive"),
    case("receive-field-added-required", "n: {type: int, required: false}",
         "n: {type: int, required: false}\n      m: {type: int}", "error", "new",
         "m: {type: int}", "m"),
    case("receive-field-added-optional", "n: {type: int, required: false}",
         "n: {type: int, required: false}\n      m: {type: int, required: false}",
         "info", "new", "m: {type: int, required: false}", "m"),
    case("receive-field-tightened", "max_length: 100", "max_length: 50", "error",
         "new", "text: {type: str, max_length", "text"),
    case("receive-field-tightened", "n: {type: int, required: false}",
         "n: {type: int}", "error", "new", "n: {type: int}", "n"),
    case("receive-field-tightened", "n: {type: int, required: false}",
         "n: {type: bool, required: false}", "error", "new", "n: {type: bool", "n"),
    case("receive-field-loosened", "max_length: 100", "max_length: 200", "info", "new",
         "text: {type: str, max_length", "text"),
    case("receive-field-loosened", "n: {type: int, required: false}",
         "n: {type: float, required: false}", "info", "new", "n: {type: float", "n"),
    case("send-message-added", "receive: [say]\n        send: [said]",
         "receive: [say]\n        send: [said, say]", "warning", "new",
         "send: [said, say]", "send"),
    case("send-message-removed", "receive: [say, old_msg]\n        send: [said]\n",
         "receive: [say, old_msg]\n", "info", "old", "/feed ... send: [said]", "send",
         FEED),
    case("send-field-removed", "      text: {type: str}\n", "", "error", "old",
         "text: {type: str}", "text"),
    case("send-field-removed", "      text: {type: str, deprecated: true}\n", "", "info",
         "old", "text: {type: str, deprecated: true}", "text",
         first=("text: {type: str}", "text: {type: str, deprecated: true}")),
    case("send-field-type-changed", "at: {type: str,", "at: {type: int,", "error",
         "new", "at: {type: int", "at"),
    case("on-invalid-changed", "        name: room\n",
         "        name: room\n        on_invalid: close\n", "warning", "new",
         "on_invalid: close", "on_invalid"),
    case("close-code-removed", "close_codes:\n  going_away: 4000\n", "", "warning",
         "old", "going_away: 4000", "going_away", "going_away"),
    case("close-code-renumbered", "going_away: 4000", "going_away: 4001", "warning",
         "new", "going_away: 4001", "going_away", "going_away"),
]  # fmt: skip


def _edited(text: str, edits: tuple[tuple[str, str], ...]) -> str:
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def _findings(
    tmp_path: Path, old: str, new: str, *args: str
) -> list[dict[str, object]]:
    (tmp_path / "old.yaml").write_text(old, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(new, encoding="utf-8")
    done = run_wsgen(
        "breaking", "new.yaml", "--against", "old.yaml", "--format", "json", *args,
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    found: list[dict[str, object]] = json.loads(done.stdout)
    errors = any(f["severity"] == "error" for f in found)
    assert done.returncode == (1 if errors else 0)
    return found


def _position(text: str, line: str, token: str) -> tuple[int, int]:
    """The line holding ``line`` (``A ... B``: the first holding B after one holding A),
    and the column of ``token`` in it."""
    *after, line = line.split(" ... ")
    lines = list(enumerate(text.splitlines(), 1))
    if after:
        start = next(n for n, t in lines if after[0] in t)
        lines = lines[start:]
    number, holder = next((n, t) for n, t in lines if line in t)
    return number, holder.index(token) + 1


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{c.rule}-{c.level}-{i}" for i, c in enumerate(CASES)]
)
def test_rule(tmp_path: Path, case: Case) -> None:
    old = _edited(OLD, case.first)
    new = _edited(old, case.edits)
    found = _findings(tmp_path, old, new)
    mine = [f for f in found if f["rule"] == case.rule]
    assert mine, found
    first = mine[0]
    assert first["severity"] == case.level
    text, file = (old, "old.yaml") if case.side == "old" else (new, "new.yaml")
    assert first["file"] == file
    assert (first["line"], first["column"]) == _position(text, case.line, case.token)
    assert case.subject in str(first["message"]).split(": ")[0], first["message"]
    assert RULES[case.rule].level == case.level or case.level == "info"


def test_every_rule_has_a_case() -> None:
    tested = {c.rule for c in CASES} | {"spec-added", "path-convertor-widened"}
    assert tested == set(RULES)


def test_path_convertor_widened(tmp_path: Path) -> None:
    old = OLD.replace("/room/{room_id}", "/room/{room_id:int}")
    found = _findings(tmp_path, old, OLD)
    assert [(f["rule"], f["severity"], f["line"]) for f in found] == [
        ("path-convertor-widened", "info", 27)
    ]


def test_no_change_no_finding(tmp_path: Path) -> None:
    assert _findings(tmp_path, OLD, OLD) == []


COSMETIC = """\
version: 1
# comments, descriptions, key order and flow or block style change nothing on the wire
routers:
  chat:
    websockets:
      - handler: app.h:room
        name: room
        description: A room, described now.
        path: /room/{room_id}
        send: [said]
        receive: [say]
        params:
          session: {required: false, in: cookie}
          mode: {in: query, enum: [a, b], required: false, default: a}
          token:
            description: Who you are.
            in: header
          limit: {le: 100, ge: 1, in: query, type: int, required: false, default: 10}
      - path: /feed
        handler: app.h:feed
        receive: [say, old_msg]
        send: [said]
      - {path: /legacy, handler: 'app.h:legacy', deprecated: true}
    prefix: /chat
app:
  include:
    - prefix: /v1
      router: chat
close_codes:
  going_away: 4000
messages:
  old_msg: {deprecated: true}
  said:
    fields:
      at: {type: str, required: false}
      text: {type: str}
  say:
    fields:
      n: {required: false, type: int}
      text: {max_length: 100, type: str, description: The words.}
dependencies:
  audit: app.deps:audit
  auth: app.deps:auth
"""


def test_cosmetic_changes_no_finding(tmp_path: Path) -> None:
    assert _findings(tmp_path, OLD, COSMETIC) == []


def test_moved_between_routers_is_judged_by_served_path(tmp_path: Path) -> None:
    """The feed route moves to a router of its own, included so that it is served at
    the same path: nothing changed for a client."""
    include = "      prefix: /v1\n    - router: feeds\n      prefix: /v1/chat\n"
    router = "routers:\n  feeds:\n    websockets:\n" + FEED_ROUTE
    new = _edited(
        OLD,
        ((FEED_ROUTE, ""), ("      prefix: /v1\n", include), ("routers:\n", router)),
    )
    assert _findings(tmp_path, OLD, new) == []


def test_include_prefix_change_removes_and_adds(tmp_path: Path) -> None:
    new = _edited(OLD, (("prefix: /v1", "prefix: /v2"),))
    found = _findings(tmp_path, OLD, new)
    removed = {
        (f["message"], f["severity"]) for f in found if f["rule"] == "route-removed"
    }
    assert removed == {
        (f"{ROOM}: route removed", "error"),
        (f"{FEED}: route removed", "error"),
        ("/v1/chat/legacy: route removed", "info"),  # deprecated before
    }
    added = {f["message"] for f in found if f["rule"] == "route-added"}
    assert f"{ROOM.replace('v1', 'v2')}: route added" in added
    assert len(found) == 6


def test_allow_turns_a_listed_break_into_info(tmp_path: Path) -> None:
    new = _edited(OLD, ((FEED_ROUTE, ""),))
    found = _findings(tmp_path, OLD, new, "--allow", f"route-removed:{FEED}")
    assert [(f["rule"], f["severity"]) for f in found] == [("route-removed", "info")]
    assert "accepted by the allow list" in str(found[0]["hint"])


def test_allow_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.wsgen]\nallow-breaking = ["route-removed:{FEED}"]\n', encoding="utf-8"
    )
    found = _findings(tmp_path, OLD, _edited(OLD, ((FEED_ROUTE, ""),)))
    assert [f["severity"] for f in found] == ["info"]


def test_unknown_allowed_rule_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "new.yaml").write_text(OLD, encoding="utf-8")
    done = run_wsgen(
        "breaking", "new.yaml", "--against", "new.yaml", "--allow", "route-remove:/x",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2
    assert "unknown rule 'route-remove'; did you mean 'route-removed'?" in done.stderr


@pytest.mark.parametrize(("fail_on", "code"), [("error", 0), ("warning", 1)])
def test_fail_on(tmp_path: Path, fail_on: str, code: int) -> None:
    (tmp_path / "old.yaml").write_text(OLD, encoding="utf-8")
    new = _edited(OLD, (("name: room", "name: lobby"),))
    (tmp_path / "new.yaml").write_text(new, encoding="utf-8")
    done = run_wsgen(
        "breaking", "new.yaml", "--against", "old.yaml", "--fail-on", fail_on,
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == code, done.stderr
    assert "warning: /v1/chat/room/{room_id}: route name changed" in done.stderr


def test_invalid_old_spec_stops_with_2(tmp_path: Path) -> None:
    (tmp_path / "old.yaml").write_text(OLD.replace("prefix: /chat", "prefix: /chat/"))
    (tmp_path / "new.yaml").write_text(OLD, encoding="utf-8")
    done = run_wsgen("breaking", "new.yaml", "--against", "old.yaml", cwd=tmp_path)
    assert done.returncode == 2
    assert re.search(
        r"^old\.yaml:25:13: routers\.chat\.prefix: ", done.stderr, re.MULTILINE
    )
    assert "the old spec old.yaml is invalid" in done.stderr


def test_github_format_names_levels(tmp_path: Path) -> None:
    (tmp_path / "old.yaml").write_text(OLD, encoding="utf-8")
    new = _edited(OLD, ((FEED_ROUTE, ""), ("name: room", "name: lobby")))
    (tmp_path / "new.yaml").write_text(new + "", encoding="utf-8")
    (tmp_path / "new.yaml").write_text(
        _edited(new, ((LEGACY_ROUTE, ""),)), encoding="utf-8"
    )
    done = run_wsgen(
        "breaking", "new.yaml", "--against", "old.yaml", "--format", "github",
        cwd=tmp_path,
    )  # fmt: skip
    kinds = sorted(line.split(" ", 1)[0] for line in done.stdout.splitlines())
    assert kinds == ["::error", "::notice", "::warning"], done.stdout


def test_readme_table_lists_every_rule_with_its_level() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    rows = re.findall(
        r"^\| `([a-z-]+)` \| ([a-z]+)[^|]*\| [^|]+\|$", readme, re.MULTILINE
    )
    table = {rule: level for rule, level in rows if rule in RULES}
    assert table == {rule: r.level for rule, r in RULES.items()}


def test_json_findings_follow_the_diagnostics_schema(tmp_path: Path) -> None:
    import jsonschema

    root = Path(__file__).resolve().parents[1]
    schema = json.loads((root / "schemas" / "diagnostics.schema.json").read_text())
    new = _edited(OLD, ((FEED_ROUTE, ""), ("name: room", "name: lobby")))
    found = _findings(tmp_path, OLD, new)
    assert {f["severity"] for f in found} == {"error", "warning"}
    jsonschema.validate(found, schema)
