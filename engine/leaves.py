"""Leaves of the condition language: ``{path: P, <operator>: operand}`` compiled.

A leaf extracts the values at its path (engine.paths), tests each with its
operator (engine.operators) and quantifies: ``every`` (value operators: all
values pass and there is one) or ``some`` (collection operators). An ``Unknown``
value makes the leaf unknown unless a definite value decides (Kleene).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from engine.errors import ControlError
from engine.model import Leaf, Param, ParamRef
from engine.operators import CompiledOperator, compile_operator
from engine.paths import ABSENT, COMPOUND, SCALAR_TYPES, compile_path, compile_probe, plain_keys
from engine.reasons import render, render_found, unknown_reason
from engine.values import Unknown
from engine.verdicts import FALSE, TRUE, UNKNOWN, Compiled, EvalContext, Truth, Verdict

ValueTest = Callable[[Any, datetime], bool]
_VERDICT_CACHE_SIZE = 1024  # per leaf: verdicts for the scalars seen first


def resolve_operand(operand: Any, params: Mapping[str, Any], where: str) -> Any:
    """``{param: name}`` → the parameter's value; any other operand as it is. In a list
    operand (``in: [AES256, {param: extra}]``) each reference is resolved, and one whose
    value is a list contributes its elements."""
    if isinstance(operand, list):
        resolved: list[Any] = []
        for item in operand:
            value = resolve_operand(item, params, where)
            if value is not item and isinstance(value, list):
                resolved.extend(value)
            else:
                resolved.append(value)
        return resolved
    if isinstance(operand, ParamRef):
        name = operand.param
    elif isinstance(operand, dict) and list(operand) == ["param"] and isinstance(operand["param"], str):
        name = operand["param"]
    else:
        return operand
    if name not in params:
        declared = ", ".join(sorted(params)) or "none"
        raise ControlError(f"{where}: parameter {name!r} is not declared (declared: {declared})")
    value = params[name]
    return value.default if isinstance(value, Param) else value


def compile_leaf(leaf: Leaf, params: Mapping[str, Any], negated: bool) -> Compiled:
    try:
        compile_path(leaf.path)  # validates
    except ValueError as exc:
        raise ControlError(str(exc)) from None
    name = leaf.operator
    where = f"{leaf.path}: {name}"
    try:
        op = compile_operator(name, resolve_operand(leaf.operand, params, where), negated)
    except ValueError as exc:
        raise ControlError(f"{where}: {exc}") from None
    # `exists` is the one operator an unknown-but-present value (an id known after apply)
    # decides: it will have a value.
    present_counts = name == "exists"
    return Compiled(_leaf_truth(leaf.path, op, present_counts),
                    _leaf_verdict(leaf.path, op, present_counts))


def _outcomes(op: CompiledOperator) -> tuple[Truth, Truth]:
    """(truth when the operator holds, truth when it does not) — swapped under ``not``."""
    return (FALSE, TRUE) if op.negate else (TRUE, FALSE)


def _leaf_truth(path: str, op: CompiledOperator, present_counts: bool = False
                ) -> Callable[[Mapping[str, Any], EvalContext], Truth]:
    extract, probe, keys = compile_path(path), compile_probe(path), plain_keys(path)
    test, every = op.test, op.quantifier == "every"
    yes, no = _outcomes(op)

    # On a single scalar `every` and `some` agree, so the probe decides alone.
    def truth(attrs: Mapping[str, Any], ctx: EvalContext) -> Truth:
        value = probe(attrs)
        if value is COMPOUND:
            return _quantified_truth(extract(attrs), test, ctx.as_of, every, yes, no,
                                     present_counts)
        if value is ABSENT:
            return no
        return yes if test(value, ctx.as_of) else no

    if keys is None or len(keys) != 1:
        return truth
    (key,) = keys

    def truth_one_key(attrs: Mapping[str, Any], ctx: EvalContext) -> Truth:
        # `truth` with the probe of a one-key path inlined: the hottest case.
        if attrs.__class__ is dict:
            value = attrs.get(key)
            if value is None:
                return no
            if value.__class__ in SCALAR_TYPES:
                return yes if test(value, ctx.as_of) else no
        return truth(attrs, ctx)

    return truth_one_key


def _leaf_verdict(path: str, op: CompiledOperator, present_counts: bool = False
                  ) -> Callable[[Mapping[str, Any], EvalContext], Verdict]:
    extract, probe = compile_path(path), compile_probe(path)
    test, every, note = op.test, op.quantifier == "every", op.note
    yes, no = _outcomes(op)
    prefix, suffix = f"{path}: ", f"; expected {op.expected}"
    nothing = Verdict(no, f"{prefix}no value{suffix}")
    # Verdicts on a scalar are cached, unless the operator reads the clock.
    cache: dict[tuple[type, Any], Verdict] | None = None if op.clock else {}

    def verdict(attrs: Mapping[str, Any], ctx: EvalContext) -> Verdict:
        value = probe(attrs)
        if value is ABSENT:
            return nothing
        if value is not COMPOUND:
            key = (value.__class__, value)
            known = cache.get(key) if cache is not None else None
            if known is None:
                holds = test(value, ctx.as_of)
                known = Verdict(yes if holds else no, prefix + render(value)
                                + (note(value) if note and not holds else "") + suffix)
                if cache is not None and len(cache) < _VERDICT_CACHE_SIZE:
                    cache[key] = known
            return known
        values = extract(attrs)
        if not values:
            return nothing
        hits, misses, unknowns = _partition(values, test, ctx.as_of, present_counts)
        if every and misses:
            holds, shown = False, misses
        elif (every or not hits) and unknowns:
            return Verdict(UNKNOWN, unknown_reason(unknowns))
        else:
            holds, shown = (True, hits) if hits else (False, misses)
        found = render_found(shown, None if holds else note)
        return Verdict(yes if holds else no, prefix + found + suffix)

    return verdict


def _quantified_truth(values: Sequence[Any], test: ValueTest, as_of: datetime, every: bool,
                      yes: Truth, no: Truth, present_counts: bool = False) -> Truth:
    """every: all values pass and there is one; some: one value passes (Kleene)."""
    unknown = False
    if every:
        if not values:
            return no
        for value in values:
            if value.__class__ is Unknown and not (present_counts and value.present):
                unknown = True
            elif not test(value, as_of):
                return no
        return UNKNOWN if unknown else yes
    for value in values:
        if value.__class__ is Unknown and not (present_counts and value.present):
            unknown = True
        elif test(value, as_of):
            return yes
    return UNKNOWN if unknown else no


def _partition(values: Iterable[Any], test: ValueTest, as_of: datetime,
               present_counts: bool = False) -> tuple[list[Any], list[Any], list[Unknown]]:
    hits: list[Any] = []
    misses: list[Any] = []
    unknowns: list[Unknown] = []
    for value in values:
        if value.__class__ is Unknown and not (present_counts and value.present):
            unknowns.append(value)
        elif test(value, as_of):
            hits.append(value)
        else:
            misses.append(value)
    return hits, misses, unknowns
