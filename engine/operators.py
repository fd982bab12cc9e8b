"""Operators of the condition language: a table of small pure functions.

Every operator is extract → coerce → compare: the path yields values (engine.paths),
a converter chosen once from the operand turns each value into the operand's kind
(engine.coerce), and a comparison decides. An operator has a quantifier:

- ``every``: value operators hold when every yielded value passes and there is one;
- ``some``: collection operators hold when some yielded value passes.

Negations are derived, never written twice: ``ne``/``not_in`` negate the value
test of ``eq``/``in``; ``not_contains`` negates the collection verdict of
``contains``; ``exists: false`` and ``cidr_open: false`` negate their ``true`` form.
"""

from __future__ import annotations

import operator as _op
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Final, Literal

from engine.coerce import (
    CONVERTERS,
    NOPE,
    kind_of,
    ordered_kind,
    to_datetime,
    to_json_text,
    to_network,
    to_str,
)
from engine.model import parse_duration
from engine.reasons import render

ValueTest = Callable[[Any, datetime], bool]  # (found value, as-of time) -> holds
Quantifier = Literal["every", "some"]


@dataclass(frozen=True, slots=True)
class OperatorDef:
    quantifier: Quantifier
    prepare: Callable[[Any], Any]  # operand -> prepared operand; ValueError on a bad one
    build: Callable[[Any], ValueTest]  # prepared operand -> test of one value
    phrase: Callable[[Any, bool], str]  # (operand, negated) -> what was expected
    inverted: bool = False  # a derived negation of the operator it was made from
    bool_operand: bool = False  # ``op: false`` is the negation of ``op: true``
    clock: bool = False  # the test depends on the as-of time
    note: Callable[[Any], str] | None = None  # why a value cannot be compared at all


@dataclass(frozen=True, slots=True)
class CompiledOperator:
    quantifier: Quantifier
    test: ValueTest
    negate: bool  # flip the quantified truth
    expected: str
    clock: bool  # the test reads the as-of time
    note: Callable[[Any], str] | None = None


# --------------------------------------------------------------------------- operands


def _any_operand(operand: Any) -> Any:
    if operand is None:
        raise ValueError("null never matches (JSON null is absent); use exists: false")
    return operand


def _list_operand(operand: Any) -> list[Any]:
    if not isinstance(operand, list | tuple | set | frozenset):
        raise ValueError(f"expected a list of values, got {render(operand)}")
    return list(operand)


def _regex_operand(operand: Any) -> re.Pattern[str]:
    if not isinstance(operand, str):
        raise ValueError(f"expected a regular expression, got {render(operand)}")
    try:
        return re.compile(operand)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {operand!r}: {exc}") from None


def _ordered_operand(operand: Any) -> tuple[str, Any]:
    if operand is None or isinstance(operand, bool) or not isinstance(operand, int | float | str | date):
        raise ValueError(f"expected a number, a date or a string, got {render(operand)}")
    kind = ordered_kind(operand)
    return kind, CONVERTERS[kind](operand)


def _duration_operand(operand: Any) -> timedelta:
    return parse_duration(operand)


def _bool_operand(operand: Any) -> bool:
    if not isinstance(operand, bool):
        raise ValueError(f"expected true or false, got {render(operand)}")
    return operand


# --------------------------------------------------------------------------- value tests


def _equals(operand: Any) -> ValueTest:
    kind = kind_of(operand)
    target = to_datetime(operand) if kind == "datetime" else operand
    if kind == "string":
        def equals_text(value: Any, _: datetime) -> bool:
            return bool((value if value.__class__ is str else to_str(value)) == target)
        return equals_text
    convert = CONVERTERS[kind]

    def equals(value: Any, _: datetime) -> bool:
        converted = convert(value)
        return converted is not NOPE and bool(converted == target)

    return equals


def _member(operands: list[Any]) -> ValueTest:
    tests = tuple(_equals(o) for o in operands if o is not None)
    if tests and all(isinstance(o, str) for o in operands):
        members = frozenset(operands)

        def member_text(value: Any, _: datetime) -> bool:
            return (value if value.__class__ is str else to_str(value)) in members
        return member_text

    def member(value: Any, as_of: datetime) -> bool:
        return any(test(value, as_of) for test in tests)

    return member


def _matches(pattern: re.Pattern[str]) -> ValueTest:
    search = pattern.search

    def matches(value: Any, _: datetime) -> bool:
        text = value if value.__class__ is str else to_str(value)
        if text is NOPE and isinstance(value, Mapping):
            text = to_json_text(value)  # a policy document read as data, not as text
        return text is not NOPE and search(text) is not None

    return matches


def _ordered(compare: Callable[[Any, Any], bool]) -> Callable[[tuple[str, Any]], ValueTest]:
    def build(prepared: tuple[str, Any]) -> ValueTest:
        kind, target = prepared
        convert = CONVERTERS[kind]

        def ordered(value: Any, _: datetime) -> bool:
            converted = convert(value)
            return converted is not NOPE and compare(converted, target)

        return ordered

    return build


def _age_at_most(limit: timedelta) -> ValueTest:
    def young_enough(value: Any, as_of: datetime) -> bool:
        moment = to_datetime(value)
        return moment is not NOPE and as_of - moment <= limit

    return young_enough


def _not_a_moment(value: Any) -> str:
    return " (not a date or time)" if to_datetime(value) is NOPE else ""


def _present(_: Any) -> ValueTest:
    def present(value: Any, as_of: datetime) -> bool:
        return True

    return present


def _open_cidr(_: Any) -> ValueTest:
    def open_cidr(value: Any, as_of: datetime) -> bool:
        network = to_network(value)
        return network is not NOPE and network.prefixlen == 0

    return open_cidr


# --------------------------------------------------------------------------- phrases


def _phrase(positive: Callable[[Any], str], negative: Callable[[Any], str]
            ) -> Callable[[Any, bool], str]:
    return lambda operand, negated: negative(operand) if negated else positive(operand)


def _not(text: Callable[[Any], str]) -> Callable[[Any], str]:
    return lambda operand: "not " + text(operand)


def _values(operand: Iterable[Any]) -> str:
    return render(list(operand))


_OPEN = "0.0.0.0/0 or ::/0"

BASE_OPERATORS: Final[dict[str, OperatorDef]] = {
    "eq": OperatorDef("every", _any_operand, _equals, _phrase(render, _not(render))),
    "in": OperatorDef("every", _list_operand, _member,
                      _phrase(lambda o: "one of " + _values(o), lambda o: "none of " + _values(o))),
    "matches": OperatorDef("every", _regex_operand, _matches,
                           _phrase(lambda o: "a match for " + render(o),
                                   lambda o: "no match for " + render(o))),
    "gt": OperatorDef("every", _ordered_operand, _ordered(_op.gt),
                      _phrase(lambda o: "> " + render(o), lambda o: "<= " + render(o))),
    "gte": OperatorDef("every", _ordered_operand, _ordered(_op.ge),
                       _phrase(lambda o: ">= " + render(o), lambda o: "< " + render(o))),
    "lt": OperatorDef("every", _ordered_operand, _ordered(_op.lt),
                      _phrase(lambda o: "< " + render(o), lambda o: ">= " + render(o))),
    "lte": OperatorDef("every", _ordered_operand, _ordered(_op.le),
                       _phrase(lambda o: "<= " + render(o), lambda o: "> " + render(o))),
    "age_lte": OperatorDef("every", _duration_operand, _age_at_most,
                           _phrase(lambda o: f"at most {o} old", lambda o: f"older than {o}"),
                           clock=True, note=_not_a_moment),
    "exists": OperatorDef("some", _bool_operand, _present,
                          _phrase(lambda o: "a value", lambda o: "no value"), bool_operand=True),
    "contains": OperatorDef("some", _any_operand, _equals,
                            _phrase(lambda o: "to contain " + render(o),
                                    lambda o: "not to contain " + render(o))),
    "cidr_open": OperatorDef("some", _bool_operand, _open_cidr,
                             _phrase(lambda o: f"an open CIDR ({_OPEN})",
                                     lambda o: f"no open CIDR ({_OPEN})"), bool_operand=True),
}

NEGATIONS: Final[dict[str, str]] = {"ne": "eq", "not_in": "in", "not_contains": "contains"}

OPERATORS: Final[dict[str, OperatorDef]] = {
    **BASE_OPERATORS,
    **{name: replace(BASE_OPERATORS[base], inverted=True) for name, base in NEGATIONS.items()},
}


def compile_operator(name: str, operand: Any, negated: bool = False) -> CompiledOperator:
    """Build the value test of ``name: operand``; ``negated`` when under a ``not``.

    Raises ``ValueError`` on an unknown operator or a bad operand.
    """
    definition = OPERATORS.get(name)
    if definition is None:
        raise ValueError(f"unknown operator {name!r}; operators: {', '.join(OPERATORS)}")
    test = definition.build(definition.prepare(operand))
    flip = definition.inverted or (definition.bool_operand and operand is False)
    if definition.quantifier == "every" and definition.inverted:
        test = _inverse(test)
        negate = negated
    else:
        negate = negated != flip
    return CompiledOperator(definition.quantifier, test, negate,
                            definition.phrase(operand, negated != flip), definition.clock,
                            definition.note)


def _inverse(test: ValueTest) -> ValueTest:
    def inverse(value: Any, as_of: datetime) -> bool:
        return not test(value, as_of)

    return inverse
