"""The validated spec as frozen data: what the renderer reads, nothing it has to check.

Named tuples rather than frozen dataclasses: as immutable, and built four times faster
(a large spec builds tens of thousands of them on every run)."""

from __future__ import annotations

import uuid
from typing import Literal, NamedTuple

ParamSource = Literal["path", "query", "header", "cookie", "depends"]
Scalar = str | int | float | bool | uuid.UUID
Default = Scalar | tuple[Scalar, ...] | None


class ImportRef(NamedTuple):
    module: str
    attribute: str

    @classmethod
    def parse(cls, text: str) -> ImportRef:
        module, _, attribute = text.partition(":")
        return cls(module, attribute)


class Dependency(NamedTuple):
    name: str
    ref: ImportRef


class Param(NamedTuple):
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
    deprecated: bool = False  # kept for old clients: removing it later is not a break

    @property
    def default_factory(self) -> bool:
        """A list default is built per request (``default_factory``), never shared."""
        return not self.required and isinstance(self.default, tuple)

    @property
    def signature_default(self) -> bool:
        """Whether the parameter gets ``= value`` in the endpoint's signature."""
        return not self.required and not self.default_factory


class MessageField(NamedTuple):
    name: str
    item_type: str  # "str", "int", "float", "bool", "uuid", "datetime" or "any"
    is_list: bool
    required: bool
    default: Default = None
    description: str | None = None
    constraints: tuple[tuple[str, Scalar], ...] = ()  # as Param.constraints
    choices: tuple[Scalar, ...] = ()  # enum: the only values allowed (typing.Literal)
    deprecated: bool = False


class Message(NamedTuple):
    name: str  # also the value of the wire field ``type``
    description: str | None
    fields: tuple[MessageField, ...]
    deprecated: bool = False


class Contract(NamedTuple):
    """What a route's client may send and the server may send, by message name."""

    receive: tuple[str, ...]
    send: tuple[str, ...]
    close_on_invalid: bool  # on_invalid: close (1008) rather than an error frame
    max_bytes: int | None  # max_message_bytes: longer text closes with 1009


class Route(NamedTuple):
    name: str
    path: str
    kind: Literal["fastapi", "starlette"]
    handler: ImportRef
    description: str | None
    dependencies: tuple[str, ...]
    params: tuple[Param, ...]
    contract: Contract | None = None  # None: the handler gets the bare WebSocket
    deprecated: bool = False
    room: str | None = None  # the room template over the path parameters, "{room_id}"


class Include(NamedTuple):
    router: str
    prefix: str
    dependencies: tuple[str, ...]


class Router(NamedTuple):
    name: str
    prefix: str
    dependencies: tuple[str, ...]
    routes: tuple[Route, ...]
    includes: tuple[Include, ...]


class App(NamedTuple):
    title: str | None
    description: str | None
    version: str | None
    dependencies: tuple[str, ...]
    includes: tuple[Include, ...]


class AsyncApi(NamedTuple):
    """The AsyncAPI document the spec asks for (``asyncapi:``)."""

    output: str  # the document's path, relative to the spec file
    title: str | None
    version: str | None
    # The servers as the spec gives them, passed through untouched: canonical JSON text,
    # so that the model stays frozen and the document byte-deterministic.
    servers: str | None = None


class Broadcast(NamedTuple):
    """How a publish reaches the rooms of every worker."""

    backend: Literal["memory", "redis"]
    url_env: str | None  # redis: the environment variable that holds the URL
    # redis: the pub/sub channel the workers of the app share; None: one named after the
    # generated module, so two apps on one Redis keep apart.
    channel: str | None
    queue_size: int  # messages a socket may have waiting before it is closed (1013)


class Spec(NamedTuple):
    source_name: str  # the spec's path from the project root, for the generated header
    output: str | None
    dependencies: tuple[Dependency, ...]
    routers: tuple[Router, ...]
    app: App | None
    messages: tuple[Message, ...] = ()
    close_codes: tuple[tuple[str, int], ...] = ()  # name -> code, in spec order
    asyncapi: AsyncApi | None = None
    broadcast: Broadcast | None = None  # set when a route has a room

    @property
    def has_rooms(self) -> bool:
        """Whether the package gets a broadcast.py."""
        return self.broadcast is not None

    @property
    def has_messages(self) -> bool:
        """Whether the package gets a messages.py."""
        return bool(self.messages or self.close_codes)

    def dependency(self, name: str) -> Dependency:
        return next(d for d in self.dependencies if d.name == name)
