"""The validated spec as frozen data: what the renderer reads, nothing it has to check."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

ParamSource = Literal["path", "query", "header", "cookie", "depends"]
Scalar = str | int | float | bool | uuid.UUID
Default = Scalar | tuple[Scalar, ...] | None


@dataclass(frozen=True, slots=True)
class ImportRef:
    module: str
    attribute: str

    @classmethod
    def parse(cls, text: str) -> ImportRef:
        module, _, attribute = text.partition(":")
        return cls(module, attribute)


@dataclass(frozen=True, slots=True)
class Dependency:
    name: str
    ref: ImportRef


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    source: ParamSource
    # "str", "int", "float", "bool", "uuid"; for a dependency also "any" (untyped) or
    # "class" (the class ``result_type`` that it returns).
    item_type: str
    is_list: bool  # list[item_type]: a query or header parameter given several times
    required: bool
    default: Default = None
    alias: str | None = None
    description: str | None = None
    depends: str | None = None
    # FastAPI's validation options in a fixed order: ge, gt, le, lt, min_length, ...
    constraints: tuple[tuple[str, Scalar], ...] = ()
    choices: tuple[Scalar, ...] = ()  # enum: the only values allowed (typing.Literal)
    result_type: ImportRef | None = None

    @property
    def default_factory(self) -> bool:
        """A list default is built per request (``default_factory``), never shared."""
        return not self.required and isinstance(self.default, tuple)

    @property
    def signature_default(self) -> bool:
        """Whether the parameter gets ``= value`` in the endpoint's signature."""
        return not self.required and not self.default_factory


@dataclass(frozen=True, slots=True)
class Route:
    name: str
    path: str
    kind: Literal["fastapi", "starlette"]
    handler: ImportRef
    description: str | None
    dependencies: tuple[str, ...]
    params: tuple[Param, ...]


@dataclass(frozen=True, slots=True)
class Include:
    router: str
    prefix: str
    dependencies: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Router:
    name: str
    prefix: str
    dependencies: tuple[str, ...]
    routes: tuple[Route, ...]
    includes: tuple[Include, ...]


@dataclass(frozen=True, slots=True)
class App:
    title: str | None
    description: str | None
    version: str | None
    dependencies: tuple[str, ...]
    includes: tuple[Include, ...]


@dataclass(frozen=True, slots=True)
class Spec:
    source_name: str  # the spec's path from the project root, for the generated header
    output: str | None
    dependencies: tuple[Dependency, ...]
    routers: tuple[Router, ...]
    app: App | None

    def dependency(self, name: str) -> Dependency:
        return next(d for d in self.dependencies if d.name == name)
