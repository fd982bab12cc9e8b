"""A cheap guard in front of an event check's ``where``.

Most event filters start with ``eventName eq/in literal text``. Over millions
of events the full compiled condition costs a chain of closure calls per
event; a direct dict lookup rejects most events for a fraction of that. The
guard is only ever a necessary condition: whenever it cannot decide, the full
condition does, so verdicts are exactly those of ``engine.conditions``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.conditions import EvalContext, Truth, TruthTest, compile_test
from engine.model import All, Condition, Leaf, Param, ParamRef
from engine.paths import Key, parse_path

FALSE = Truth.FALSE

__all__ = ["where_test"]


def where_test(where: Condition, params: Mapping[str, Any]) -> TruthTest:
    """The compiled ``where``, behind a cheap guard when one can be derived (see _guard)."""
    full = compile_test(where, params)
    guard = _guard(where, params)
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
        value: Any = attrs
        for step in keys:
            if value.__class__ is not dict:
                return full(attrs, ctx)
            value = value.get(step)
            if value is None:
                return FALSE
        if value.__class__ is str and value not in allowed:
            return FALSE
        return full(attrs, ctx)

    return guarded_path


def _guard(where: Condition, params: Mapping[str, Any]
           ) -> tuple[tuple[str, ...], frozenset[str]] | None:
    """A necessary condition of ``where`` that costs a few dict lookups.

    Most event filters start with ``eventName eq/in literal text``; for a leaf
    of that form at the top level (or a child of a top-level ``all``), over a
    path of plain keys, the guard reads the value directly: a missing value or
    a text outside the set decides the leaf, hence the whole condition, false.
    Anything else (a list, a number, an Unknown on the way) defers to the full
    condition, so the guard never changes a verdict, it only skips work.
    """
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
