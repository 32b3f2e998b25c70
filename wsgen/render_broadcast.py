"""The context of ``broadcast.py``: the rooms of one process and, for the redis backend,
the relay that carries publishes between workers.

Most of the module is fixed text in its template; the spec gives only the queue bound,
and for redis the URL's environment variable and the channel, each a laid-out literal.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import header
from .literals import py_literal
from .message_layout import assign_atom
from .model import Broadcast, Spec


@dataclass(frozen=True, slots=True)
class BroadcastContext:
    header: str
    redis: bool
    url_env: str  # the statement ``URL_ENV = "..."``
    channel: str  # the statement ``CHANNEL = "..."``
    queue_size: str  # the statement ``QUEUE_SIZE = N``


def broadcast_context(spec: Spec) -> BroadcastContext:
    settings: Broadcast | None = spec.broadcast
    assert settings is not None
    return BroadcastContext(
        header=header.text(spec.source_name),
        redis=settings.backend == "redis",
        url_env=assign_atom("URL_ENV", py_literal(settings.url_env or ""), 0),
        channel=assign_atom(
            "CHANNEL",
            (
                'f"wsgen:{__name__}"'
                if settings.channel is None
                else py_literal(settings.channel)
            ),
            0,
        ),
        queue_size=assign_atom("QUEUE_SIZE", str(settings.queue_size), 0),
    )
