"""What generated docstrings say about ``deprecated: true``: the spec's description, then
one paragraph naming what is deprecated, so that a reader of the code (and of its help)
knows what is going away. ``wsgen breaking`` reads the same flags from the model."""

from __future__ import annotations

from .model import Message, Route

NOTE = "Deprecated: kept for clients already deployed, to be removed."


def route_doc(route: Route) -> str | None:
    """The endpoint's docstring text, or None for none (a blank description gets none)."""
    names = [p.name for p in route.params if p.deprecated]
    return _doc(route.description, route.deprecated, "parameters", names)


def message_doc(message: Message) -> str | None:
    """The message model's docstring text, or None for none."""
    names = [f.name for f in message.fields if f.deprecated]
    return _doc(message.description, message.deprecated, "fields", names)


def _doc(
    description: str | None, deprecated: bool, parts: str, names: list[str]
) -> str | None:
    paragraphs = [(description or "").strip(), NOTE if deprecated else ""]
    if names:
        paragraphs.append(f"Deprecated {parts}: {', '.join(names)}.")
    return "\n\n".join(p for p in paragraphs if p) or None
