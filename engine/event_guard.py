"""A cheap guard in front of an event check's ``where``.

Most event filters start with ``eventName eq/in literal text``. Over millions
of events the full compiled condition costs a chain of closure calls per
event; a direct dict lookup rejects most events for a fraction of that. The
guard is only ever a necessary condition: whenever it cannot decide, the full
condition does, so verdicts are exactly those of ``engine.conditions``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from engine.conditions import EvalContext, Truth, TruthTest, compile_test
from engine.model import All, Condition, Leaf, Param, ParamRef
from engine.paths import Key, parse_path

FALSE = Truth.FALSE
UNDECIDED = object()  # a path that the guard cannot walk (a list or an Unknown on the way)

Guard = tuple[tuple[str, ...], frozenset[str]]  # (plain keys of the path, texts that may match)
T = TypeVar("T")

__all__ = ["UNDECIDED", "Guard", "Router", "guard_of", "value_at", "where_test"]


def where_test(where: Condition, params: Mapping[str, Any]) -> TruthTest:
    """The compiled ``where``, behind a cheap guard when one can be derived (see guard_of)."""
    full = compile_test(where, params)
    guard = guard_of(where, params)
    if guard is None:
        return full
    keys, allowed = guard
    if len(keys) == 1:
        key = keys[0]

        def guarded_key(attrs: Mapping[str, Any], ctx: EvalContext) -> Truth:
            value = attrs.get(key)
            if value is None or (value.__class__ is str and value not in allowed):
                return FALSE
            return full(attrs, ctx)

        return guarded_key

    def guarded_path(attrs: Mapping[str, Any], ctx: EvalContext) -> Truth:
        value = value_at(attrs, keys)
        if value is None or (value.__class__ is str and value not in allowed):
            return FALSE
        return full(attrs, ctx)

    return guarded_path


def guard_of(where: Condition | None, params: Mapping[str, Any]) -> Guard | None:
    """A necessary condition of ``where`` that costs a few dict lookups.

    Most event filters start with ``eventName eq/in literal text``; for a leaf
    of that form at the top level (or a child of a top-level ``all``), over a
    path of plain keys, the guard reads the value directly: a missing value or
    a text outside the set decides the leaf, hence the whole condition, false.
    Anything else (a list, a number, an Unknown on the way) defers to the full
    condition, so the guard never changes a verdict, it only skips work.
    """
    if where is None:
        return None
    leaves = [where] if isinstance(where, Leaf) else \
        [c for c in where.all if isinstance(c, Leaf)] if isinstance(where, All) else []
    for leaf in leaves:
        allowed = _text_operands(leaf, params)
        if allowed is None:
            continue
        try:
            steps = parse_path(leaf.path)
        except ValueError:
            continue
        if all(isinstance(step, Key) for step in steps):
            return tuple(step.name for step in steps if isinstance(step, Key)), allowed
    return None


def _text_operands(leaf: Leaf, params: Mapping[str, Any]) -> frozenset[str] | None:
    operand = leaf.operand
    if isinstance(operand, ParamRef):  # resolved as the condition compiler does
        operand = params.get(operand.param)
        operand = operand.default if isinstance(operand, Param) else operand
    if leaf.operator == "eq" and isinstance(operand, str):
        return frozenset((operand,))
    if leaf.operator == "in" and isinstance(operand, list) and operand \
            and all(isinstance(o, str) for o in operand):
        return frozenset(operand)
    return None


def value_at(attrs: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    """The value at a path of plain keys, None when absent, UNDECIDED past a non-dict."""
    value: Any = attrs
    for key in keys:
        if value.__class__ is not dict:
            return UNDECIDED
        value = value.get(key)
        if value is None:
            return None
    return value


class Router(Generic[T]):
    """Sends each event only to the checks whose guard may let it through.

    Checks guarded on the same path share one lookup: a text value picks the
    checks that accept it from a table, a missing value none, anything else
    (a number, a list, an Unknown) all of them, whose full condition decides.
    Skipping a check here is exactly what its guard would have done.
    """

    def __init__(self, members: list[tuple[T, Guard | None]]) -> None:
        self.always: list[T] = [m for m, guard in members if guard is None]
        groups: dict[tuple[str, ...], tuple[dict[str, list[T]], list[T]]] = {}
        for member, guard in members:
            if guard is None:
                continue
            keys, allowed = guard
            table, everyone = groups.setdefault(keys, ({}, []))
            everyone.append(member)
            for text in sorted(allowed):
                table.setdefault(text, []).append(member)
        self.groups = [(keys[0] if len(keys) == 1 else None, keys, table, everyone)
                       for keys, (table, everyone) in groups.items()]
        self.guarded = [everyone for _, _, _, everyone in self.groups]

    def targets(self, attrs: Mapping[str, Any]) -> list[list[T]]:
        """The guarded checks this event must reach, as lists to feed in turn."""
        found: list[list[T]] = []
        for key, keys, table, everyone in self.groups:
            value = attrs.get(key) if key is not None else value_at(attrs, keys)
            if value is None:
                continue
            if value.__class__ is str:
                chosen = table.get(value)
                if chosen:
                    found.append(chosen)
            else:
                found.append(everyone)
        return found
