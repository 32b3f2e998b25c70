"""Where each part of a spec stands in its file, and the collector every rule reports to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import Diagnostic

JsonPath = tuple[str | int, ...]


def format_path(path: JsonPath) -> str:
    """``("routers", "chat", "websockets", 0, "path")`` -> ``routers.chat.websockets[0].path``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


@dataclass(slots=True)
class SourceMap:
    """Where each value and each mapping key of a spec stands in its file (1-based).

    ``locate``, when given, fills ``values`` and ``keys`` the first time a position is
    asked for: a spec with nothing to report never pays for its positions."""

    file: str
    values: dict[JsonPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[JsonPath, tuple[int, int]] = field(default_factory=dict)
    locate: Callable[[SourceMap], None] | None = field(default=None, compare=False)

    def _located(self) -> None:
        if self.locate is not None:
            locate, self.locate = self.locate, None
            locate(self)

    def value(self, path: JsonPath) -> tuple[int, int]:
        """Position of the value at ``path``, or of its nearest ancestor that exists."""
        self._located()
        while path not in self.values and path:
            path = path[:-1]
        return self.values.get(path, (1, 1))

    def key(self, path: JsonPath) -> tuple[int, int]:
        """Position of the key that names ``path``; the value's position for list items."""
        self._located()
        return self.keys.get(path) or self.value(path)

    def diagnostic(
        self,
        path: JsonPath,
        rule: str,
        message: str,
        hint: str = "",
        *,
        at_key: bool = False,
        severity: str = "error",
    ) -> Diagnostic:
        line, column = self.key(path) if at_key else self.value(path)
        return Diagnostic(
            self.file, line, column, format_path(path), rule, message, hint, severity
        )


class Collector:
    """The diagnostics of one spec, each located through the spec's source map."""

    def __init__(self, source: SourceMap) -> None:
        self.source = source
        self.found: list[Diagnostic] = []

    def error(
        self,
        path: JsonPath,
        rule: str,
        message: str,
        hint: str = "",
        *,
        at_key: bool = False,
        severity: str = "error",
    ) -> None:
        self.found.append(
            self.source.diagnostic(
                path, rule, message, hint, at_key=at_key, severity=severity
            )
        )

    def warning(self, path: JsonPath, rule: str, message: str, hint: str = "") -> None:
        self.error(path, rule, message, hint, severity="warning")
