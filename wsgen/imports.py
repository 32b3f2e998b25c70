"""The import lines of a generated module, collected per module and laid out the way isort
(and ruff's import sorting) lays them out: one owner for every generated file's imports.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ImportLine:
    module: str
    names: tuple[str, ...]  # "name" or "name as alias", sorted
    plain: bool = False  # ``import module`` rather than ``from module import ...``


class Imports:
    """Collects imported names per module and lays them out the way isort would."""

    def __init__(self) -> None:
        self.stdlib: dict[str, set[str]] = {}
        self.fastapi: set[str] = set()
        self.third_party: dict[str, set[str]] = {}  # beside fastapi: pydantic
        self.user: dict[str, set[str]] = {}
        self.package: dict[str, set[str]] = {}
        self.plain: set[str] = set()

    def add(
        self, table: dict[str, set[str]], module: str, name: str, alias: str
    ) -> None:
        table.setdefault(module, set()).add(
            name if name == alias else f"{name} as {alias}"
        )

    def sections(self) -> tuple[tuple[ImportLine, ...], ...]:
        def lines(table: dict[str, set[str]]) -> list[ImportLine]:
            # Like isort's default: plain names share a line, each "as" import has its own,
            # and a module's lines are in the order of their first names.
            out = []
            for module in sorted(table):
                names = sorted(table[module], key=_isort_key)
                plain = tuple(n for n in names if " as " not in n)
                group = [ImportLine(module, (n,)) for n in names if " as " in n]
                if plain:
                    group.append(ImportLine(module, plain))
                out.extend(sorted(group, key=lambda line: _isort_key(line.names[0])))
            return out

        stdlib = [ImportLine(m, (), plain=True) for m in sorted(self.plain)] + lines(
            self.stdlib
        )
        third_party = dict(self.third_party)
        if self.fastapi:
            third_party["fastapi"] = self.fastapi
        fastapi = lines(third_party)
        sections = (stdlib, fastapi, lines(self.user), lines(self.package))
        return tuple(tuple(s) for s in sections if s)


def _isort_key(name: str) -> tuple[int, str, str]:
    base = name.split(" ")[0]
    kind = 0 if base.isupper() else 1 if base[0].isupper() else 2
    # The full text breaks ties ("chat as a", "chat as b"): set order is not stable.
    return kind, base.lower(), name.lower()
