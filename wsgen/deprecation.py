"""What generated docstrings say about ``deprecated: true``: the spec's description, then
one paragraph naming what is deprecated, so that a reader of the code (and of its help)
knows what is going away. ``wsgen breaking`` reads the same flags from the model."""

from __future__ import annotations

from .model import Message, Route

NOTE = "Deprecated: kept for clients already deployed, to be removed."


def route_doc(route: Route) -> str | None:
    """The endpoint's docstring text, or None for none (a blank description gets none)."""
    names = [p.name for p in route.params if p.deprecated]
    notes = [NOTE] if route.deprecated else []
    if names:
        notes.append(f"Deprecated parameters: {', '.join(names)}.")
    return _joined(route.description, notes)


def message_doc(message: Message) -> str | None:
    """The message model's docstring text, or None for none."""
    names = [f.name for f in message.fields if f.deprecated]
    notes = [NOTE] if message.deprecated else []
    if names:
        notes.append(f"Deprecated fields: {', '.join(names)}.")
    return _joined(message.description, notes)


def _joined(description: str | None, notes: list[str]) -> str | None:
    parts = [(description or "").strip(), *notes]
    return "\n\n".join(part for part in parts if part) or None
