"""What changed between two built specs, as a client already deployed sees it.

    both specs' served routes (served.py), matched by served path
    -> each matched pair through the checks below, top to bottom
    -> the routes only one side has, then the close codes

Routes are matched by the path FastAPI serves, parameter names and convertors left out
(``/items/{id}`` and ``/items/{item_id:int}`` are one route: a client cannot tell the
names apart, and the convertor is a rule of its own). A route moved to another router,
or whose include prefix changed, is judged by where it is served, never by where the spec
declares it. Each finding names where it stands in a spec by its spec path, in the new
spec, or in the old one for what was removed: positions are looked up only for the
findings that are reported (breaking_run.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from .breaking_rules import RULES, Level
from .model import Message, MessageField, Param, Route, Spec
from .paths import PATH_PARAM, path_params
from .served import Level as ServedLevel
from .served import ServedRoute, served_routes, wire_name
from .source import JsonPath
from .typenames import CONSTRAINT_KEYS

Side = Literal["old", "new"]


class Finding(NamedTuple):
    rule: str
    subject: str  # the served path it is about (a close code: its name)
    side: Side  # which spec ``at`` is in
    at: JsonPath
    facts: dict[str, Any]  # what the rule's text names
    deprecated: bool = False  # the removed thing was deprecated in the old spec

    @property
    def level(self) -> Level:
        rule = RULES[self.rule]
        return (
            "info" if self.deprecated and rule.softened_by_deprecation else rule.level
        )

    @property
    def message(self) -> str:
        text = RULES[self.rule].text.format(**self.facts)
        return f"{self.subject}: {text}" if self.subject.startswith("/") else text


def compare(old: Spec, new: Spec) -> list[Finding]:
    """Every finding, in the new spec's route order, then removals, then close codes."""
    before, after = _Routes(old, "old"), _Routes(new, "new")
    found: list[Finding] = []
    for key, served in after.served.items():
        was = before.served.get(key)
        if was is None:
            found.append(after.finding("route-added", served, ()))
        else:
            pair = _Pair(before, was, after, served)
            for check in CHECKS:
                found.extend(check(pair))
    for key, served in before.served.items():
        if key not in after.served:
            removed = before.finding("route-removed", served, ())
            found.append(removed._replace(deprecated=served.route.deprecated))
    found.extend(_close_codes(old, new))
    return found


def route_key(path: str) -> str:
    """What matches a served route across versions: its path, parameters unnamed."""
    return PATH_PARAM.sub("{}", path)


class _Routes:
    """One spec's served routes by key, and where each route stands in the spec."""

    def __init__(self, spec: Spec, side: Side) -> None:
        self.spec, self.side = spec, side
        self.served: dict[str, ServedRoute] = {}
        for served in served_routes(spec):
            self.served.setdefault(route_key(served.path), served)  # the first one wins
        self._index = {
            id(route): (router.name, index)
            for router in spec.routers
            for index, route in enumerate(router.routes)
        }
        self.messages = {message.name: message for message in spec.messages}

    def at(self, route: Route) -> JsonPath:
        router, index = self._index[id(route)]
        return ("routers", router, "websockets", index)

    def finding(
        self, rule: str, served: ServedRoute, within: JsonPath, **facts: Any
    ) -> Finding:
        return Finding(
            rule, served.path, self.side, (*self.at(served.route), *within), facts
        )


@dataclass(frozen=True, slots=True)
class _Pair:
    """One route in both specs."""

    before: _Routes
    old: ServedRoute
    after: _Routes
    new: ServedRoute

    def found(self, rule: str, within: JsonPath = (), **facts: Any) -> Finding:
        """A finding located in the new spec, at ``within`` in the route."""
        return self.after.finding(rule, self.new, within, **facts)

    def lost(
        self, rule: str, within: JsonPath, deprecated: bool, **facts: Any
    ) -> Finding:
        """A finding about something removed: located in the old spec, named by the new
        served path."""
        at = (*self.before.at(self.old.route), *within)
        return Finding(rule, self.new.path, "old", at, facts, deprecated)


# -- the route itself --------------------------------------------------------------------


def _name(pair: _Pair) -> Iterator[Finding]:
    old, new = pair.old.route.name, pair.new.route.name
    if old != new:
        yield pair.found("route-name-changed", ("name",), old=old, new=new)


def _kind(pair: _Pair) -> Iterator[Finding]:
    old, new = pair.old.route.kind, pair.new.route.kind
    if old != new:
        yield pair.found("route-kind-changed", ("kind",), old=old, new=new)


# What a value accepts on the wire, as (wider, narrower) pairs: a query string that is an
# int is also a float and a str; a JSON string holding a uuid is also a str.
_PARAM_WIDER = {("str", t) for t in ("int", "float", "bool", "uuid")} | {
    ("float", "int")
}
_FIELD_WIDER = {
    ("any", t) for t in ("str", "int", "float", "bool", "uuid", "datetime")
} | {("str", "uuid"), ("str", "datetime"), ("float", "int")}
_CONVERTOR_WIDER = _PARAM_WIDER | {("path", t) for t in ("str", "int", "float", "uuid")}


def _widens(wider: set[tuple[str, str]], new: str, old: str) -> bool | None:
    """True when ``new`` accepts every value ``old`` does and more, False when it
    refuses some, None when they are the same."""
    if new == old:
        return None
    return (new, old) in wider


def _convertors(pair: _Pair) -> Iterator[Finding]:
    olds, news = path_params(pair.old.path), path_params(pair.new.path)
    for (_, was), (name, now) in zip(olds, news, strict=True):
        widened = _widens(_CONVERTOR_WIDER, now or "str", was or "str")
        if widened is not None:
            rule = "path-convertor-widened" if widened else "path-convertor-narrowed"
            yield pair.found(
                rule, ("path",), name=name, old=was or "str", new=now or "str"
            )


# -- parameters ----------------------------------------------------------------------------


def _client_params(route: Route) -> dict[tuple[str, str], Param]:
    """The parameters a client sends, by where and under which name."""
    return {
        (p.source, wire_name(p)): p
        for p in route.params
        if p.source in ("query", "header", "cookie")
    }


def _params(pair: _Pair) -> Iterator[Finding]:
    olds, news = _client_params(pair.old.route), _client_params(pair.new.route)
    gone = {key: p for key, p in olds.items() if key not in news}
    for key, param in news.items():
        was = olds.get(key)
        if was is None:
            was = _renamed(gone, param)
            if was is not None:
                yield _rename(pair, was, param)
        if was is None:
            level = "required" if param.required else "optional"
            yield pair.found(
                f"param-added-{level}",
                _param_at(param),
                source=param.source,
                name=wire_name(param),
            )
        else:
            yield from _param_changes(pair, was, param)
    for param in gone.values():
        yield pair.lost(
            "param-removed",
            _param_at(param),
            param.deprecated,
            source=param.source,
            name=wire_name(param),
        )
    yield from _path_param_types(pair)


def _renamed(gone: dict[tuple[str, str], Param], param: Param) -> Param | None:
    """The removed parameter ``param`` is, under another wire name: same Python name and
    source (an alias or a header spelling changed). Taken out of ``gone``."""
    for key, was in gone.items():
        if was.name == param.name and was.source == param.source:
            return gone.pop(key)
    return None


def _rename(pair: _Pair, was: Param, param: Param) -> Finding:
    rule = "param-renamed" if was.required else "optional-param-renamed"
    return pair.found(
        rule,
        _param_at(param),
        source=param.source,
        old=wire_name(was),
        new=wire_name(param),
    )


def _param_at(param: Param) -> JsonPath:
    return ("params", param.name)


def _param_changes(pair: _Pair, was: Param, param: Param) -> Iterator[Finding]:
    at, facts = _param_at(param), {"source": param.source, "name": wire_name(param)}
    if was.required != param.required:
        rule = "param-became-required" if param.required else "param-became-optional"
        yield pair.found(rule, at, **facts)
    yield from _param_type(pair, was, param, facts)
    for what, old, new, tighter in _constraint_changes(was, param):
        rule = "param-constraint-tightened" if tighter else "param-constraint-loosened"
        yield pair.found(rule, at, **facts, what=what, old=old, new=new)
    if not was.required and not param.required and was.default != param.default:
        yield pair.found(
            "param-default-changed",
            at,
            **facts,
            old=repr(was.default),
            new=repr(param.default),
        )


def _param_type(
    pair: _Pair, was: Param, param: Param, facts: dict[str, Any]
) -> Iterator[Finding]:
    widened = _widens(_PARAM_WIDER, param.item_type, was.item_type)
    if was.is_list != param.is_list and widened is not False:
        widened = param.is_list  # one value still fits a list; several never a scalar
    if widened is not None:
        rule = "param-type-widened" if widened else "param-type-narrowed"
        yield pair.found(
            rule, _param_at(param), **facts, old=_type(was), new=_type(param)
        )


def _type(value: Param | MessageField) -> str:
    return f"list[{value.item_type}]" if value.is_list else value.item_type


def _path_param_types(pair: _Pair) -> Iterator[Finding]:
    """A path parameter declared with another type than before (its convertor is
    ``_convertors``'s)."""
    olds = {p.name: p for p in pair.old.route.params if p.source == "path"}
    news = {p.name: p for p in pair.new.route.params if p.source == "path"}
    old_names = path_params(pair.old.route.path)
    new_names = path_params(pair.new.route.path)
    for (old_name, was_as), (new_name, now_as) in zip(
        old_names, new_names, strict=True
    ):
        was, param = olds.get(old_name), news.get(new_name)
        # A new convertor is reported as such, with the type it implies.
        if was is not None and param is not None and was_as == now_as:
            facts = {"source": "path", "name": new_name}
            yield from _param_type(pair, was, param, facts)


# -- constraints, for parameters and message fields alike -------------------------------

_LOWER = ("ge", "gt", "min_length")  # raising one refuses values
_UPPER = ("le", "lt", "max_length")  # lowering one refuses values


def _constraint_changes(
    was: Param | MessageField, now: Param | MessageField
) -> Iterator[tuple[str, str, str, bool]]:
    """(what, old, new, tightened) for each constraint that changed."""
    olds, news = dict(was.constraints), dict(now.constraints)
    for key in CONSTRAINT_KEYS:
        old, new = olds.get(key), news.get(key)
        if old == new:
            continue
        if old is None or new is None:
            tighter = old is None  # added: refuses values; removed: accepts more
        elif key in _LOWER:
            tighter = new > old  # type: ignore[operator]
        elif key in _UPPER:
            tighter = new < old  # type: ignore[operator]
        else:  # pattern changed: the values it accepts are not known to be more
            tighter = True
        yield key, _shown(old), _shown(new), tighter
    yield from _choices_change(was.choices, now.choices)


def _choices_change(
    old: tuple[Any, ...], new: tuple[Any, ...]
) -> Iterator[tuple[str, str, str, bool]]:
    if set(old) == set(new):
        return
    # An enum added, or a value taken out of one, refuses values; dropping it refuses none.
    tighter = bool(new) and (not old or not set(old) <= set(new))
    yield "enum", _shown(list(old) or None), _shown(list(new) or None), tighter


def _shown(value: Any) -> str:
    return "none" if value is None else repr(value)


# -- dependencies ----------------------------------------------------------------------


def _dependencies(pair: _Pair) -> Iterator[Finding]:
    had = set(pair.old.dependencies)
    levels = pair.new.levels
    for index, level in enumerate(levels):
        for name in level.dependencies:
            if name not in had:
                at = _level_at(pair, levels, index)
                yield Finding(
                    "dependency-added",
                    pair.new.path,
                    "new",
                    at,
                    {"name": name, "where": level.label},
                )


def _level_at(pair: _Pair, levels: tuple[ServedLevel, ...], index: int) -> JsonPath:
    """Where the new spec gives the dependencies of ``levels[index]``."""
    level = levels[index]
    if level.kind == "route":
        return (*pair.after.at(pair.new.route), "dependencies")
    if level.kind == "router":
        return ("routers", level.owner, "dependencies")
    if level.kind == "app":
        return ("app", "dependencies")
    # An include: the first of its owner's includes of the router the next level is.
    spec = pair.after.spec
    owner: JsonPath = ("app",) if level.owner == "app" else ("routers", level.owner)
    includes = (
        spec.app.includes
        if level.owner == "app" and spec.app is not None
        else next(r.includes for r in spec.routers if r.name == level.owner)
    )
    below = levels[index + 1].owner if index + 1 < len(levels) else pair.new.router
    found = next((i for i, inc in enumerate(includes) if inc.router == below), 0)
    return (*owner, "include", found, "dependencies")


# -- messages, from the client's side --------------------------------------------------


def _contract(route: Route, direction: Literal["receive", "send"]) -> tuple[str, ...]:
    if route.contract is None:
        return ()
    return getattr(route.contract, direction)  # type: ignore[no-any-return]


def _field_finding(
    pair: _Pair, rule: str, message: str, field: str, **facts: Any
) -> Finding:
    at = ("messages", message, "fields", field)
    return Finding(
        rule, pair.new.path, "new", at, {"message": message, "name": field, **facts}
    )


def _received_fields(pair: _Pair, old: Message, new: Message) -> Iterator[Finding]:
    had = {f.name: f for f in old.fields}
    for field in new.fields:
        was = had.get(field.name)
        if was is None:
            level = "required" if field.required else "optional"
            rule = f"receive-field-added-{level}"
            yield _field_finding(pair, rule, new.name, field.name)
            continue
        for what, before, after, tighter in _field_changes(was, field):
            rule = "receive-field-tightened" if tighter else "receive-field-loosened"
            yield _field_finding(
                pair, rule, new.name, field.name, what=what, old=before, new=after
            )


def _field_changes(
    was: MessageField, field: MessageField
) -> Iterator[tuple[str, str, str, bool]]:
    widened = _widens(_FIELD_WIDER, field.item_type, was.item_type)
    if was.is_list != field.is_list:
        widened = False  # a JSON list is never a scalar, nor the other way round
    if widened is not None:
        yield "type", _type(was), _type(field), not widened
    if was.required != field.required:
        yield "required", str(was.required), str(field.required), field.required
    yield from _constraint_changes(was, field)


def _sent_fields(pair: _Pair, old: Message, new: Message) -> Iterator[Finding]:
    now = {f.name: f for f in new.fields}
    for was in old.fields:
        field = now.get(was.name)
        if field is None:
            if was.required:
                at = ("messages", old.name, "fields", was.name)
                facts = {"message": old.name, "name": was.name}
                yield Finding(
                    "send-field-removed",
                    pair.new.path,
                    "old",
                    at,
                    facts,
                    was.deprecated,
                )
        elif _type(was) != _type(field):
            yield _field_finding(
                pair,
                "send-field-type-changed",
                new.name,
                field.name,
                old=_type(was),
                new=_type(field),
            )


# Per direction: the rules of a message added and removed, and how fields compare.
_DIRECTIONS = {
    "receive": ("receive-message-added", "receive-message-removed", _received_fields),
    "send": ("send-message-added", "send-message-removed", _sent_fields),
}


def _messages(pair: _Pair, direction: Literal["receive", "send"]) -> Iterator[Finding]:
    added, removed, fields = _DIRECTIONS[direction]
    olds = _contract(pair.old.route, direction)
    news = _contract(pair.new.route, direction)
    for name in news:
        if name not in olds:
            yield pair.found(added, (direction,), name=name)
        else:
            old, new = pair.before.messages[name], pair.after.messages[name]
            yield from fields(pair, old, new)
    for name in olds:
        if name not in news:
            deprecated = pair.before.messages[name].deprecated
            yield pair.lost(removed, (direction,), deprecated, name=name)


def _receive(pair: _Pair) -> Iterator[Finding]:
    return _messages(pair, "receive")


def _send(pair: _Pair) -> Iterator[Finding]:
    return _messages(pair, "send")


def _on_invalid(pair: _Pair) -> Iterator[Finding]:
    old, new = pair.old.route.contract, pair.new.route.contract
    if (
        old is not None
        and new is not None
        and old.close_on_invalid != new.close_on_invalid
    ):
        words = {False: "error", True: "close"}
        yield pair.found(
            "on-invalid-changed",
            ("on_invalid",),
            old=words[old.close_on_invalid],
            new=words[new.close_on_invalid],
        )


def _close_codes(old: Spec, new: Spec) -> Iterator[Finding]:
    now = dict(new.close_codes)
    for name, code in old.close_codes:
        if name not in now:
            yield Finding(
                "close-code-removed",
                name,
                "old",
                ("close_codes", name),
                {"name": name, "old": code},
            )
        elif now[name] != code:
            yield Finding(
                "close-code-renumbered",
                name,
                "new",
                ("close_codes", name),
                {"name": name, "old": code, "new": now[name]},
            )


# Every check of a route found in both specs, in the order findings are reported.
CHECKS = (
    _name,
    _kind,
    _convertors,
    _params,
    _dependencies,
    _receive,
    _send,
    _on_invalid,
)
