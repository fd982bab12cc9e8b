"""Each operator: what holds, what does not, and how values are converted."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import TypeAdapter

from engine.coerce import NOPE, to_bool, to_datetime, to_network, to_number, to_str
from engine.conditions import EvalContext, Truth, compile_condition, compile_test
from engine.errors import ControlError
from engine.model import Condition
from engine.operators import OPERATORS, compile_operator
from engine.values import Unknown

AS_OF = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
CTX = EvalContext(as_of=AS_OF)
T, F, U = Truth.TRUE, Truth.FALSE, Truth.UNKNOWN
_ADAPTER: TypeAdapter[Any] = TypeAdapter(Condition)


def truth(op: str, operand: Any, value: Any) -> Truth:
    """Truth of ``{path: v, op: operand}`` on ``{v: value}``; both compilations must agree."""
    condition = _ADAPTER.validate_python({"path": "v", op: operand})
    attrs = {} if value is _MISSING else {"v": value}
    verdict = compile_condition(condition)(attrs, CTX)
    assert compile_test(condition)(attrs, CTX) is verdict.truth
    return verdict.truth


_MISSING = object()


def test_every_model_operator_is_in_the_table() -> None:
    from engine.model import OPERATORS as MODEL_OPERATORS

    assert set(MODEL_OPERATORS) == set(OPERATORS)


@pytest.mark.parametrize(
    ("operand", "value", "expected"),
    [
        (True, True, T), (True, False, F), (True, "true", T), (True, "FALSE", F), (True, 1, F),
        (5, 5, T), (5, 5.0, T), (5, "5", T), (5, " 5 ", T), (5, "five", F), (5, True, F),
        (1, True, F), (2.5, "2.5", T),
        ("AES256", "AES256", T), ("AES256", "aes256", F), ("5", 5, T), ("true", True, T),
        ("x", {"x": 1}, F), ("1.5", 1.5, T),
        ({"k": 1}, {"k": 1}, T), ({"k": 1}, {"k": 2}, F),
        ("x", _MISSING, F), ("x", None, F),
        ("x", ["x", "x"], T), ("x", ["x", "y"], F), ("x", [], F),
        ("x", Unknown("u"), U), ("x", ["x", Unknown("u")], U), ("x", ["y", Unknown("u")], F),
    ],
)
def test_eq(operand: Any, value: Any, expected: Truth) -> None:
    assert truth("eq", operand, value) is expected


def test_eq_with_a_date_operand_compares_instants() -> None:
    assert truth("eq", date(2026, 1, 1), "2026-01-01T00:00:00Z") is T
    assert truth("eq", "2026-01-01", "2026-01-01") is T


@pytest.mark.parametrize(
    ("operand", "value", "expected"),
    [
        ("x", "y", T), ("x", "x", F), ("x", _MISSING, F), ("x", ["y", "z"], T),
        ("x", ["y", "x"], F), (True, "false", T), ("x", Unknown("u"), U),
    ],
)
def test_ne_negates_each_value(operand: Any, value: Any, expected: Truth) -> None:
    assert truth("ne", operand, value) is expected


@pytest.mark.parametrize(
    ("operand", "value", "expected"),
    [
        (["AES256", "aws:kms"], "aws:kms", T), (["AES256", "aws:kms"], "none", F),
        (["AES256", "aws:kms"], ["AES256", "aws:kms"], T), (["a"], ["a", "b"], F),
        (["a"], _MISSING, F), ([], "a", F), ([1, 2], "2", T), ([1, "a"], "a", T),
        ([1, "a"], 1, T), ([1, "a"], True, F), ([True], "true", T), (["5"], 5, T),
        (["a"], Unknown("u"), U),
    ],
)
def test_in(operand: Any, value: Any, expected: Truth) -> None:
    assert truth("in", operand, value) is expected


@pytest.mark.parametrize(
    ("operand", "value", "expected"),
    [(["a"], "b", T), (["a"], "a", F), (["a"], _MISSING, F), ([1, "b"], "1", F)],
)
def test_not_in(operand: Any, value: Any, expected: Truth) -> None:
    assert truth("not_in", operand, value) is expected


@pytest.mark.parametrize(
    ("operand", "value", "expected"),
    [
        ("^arn:aws:kms:", "arn:aws:kms:us-east-1:1:key/x", T), ("^arn:aws:kms:", "x-arn:aws:kms:", F),
        ("kms", "arn:aws:kms:x", T), ("^[0-9]+$", 443, T), ("^true$", True, T),
        ("x", {"y": 1}, F), ("x", _MISSING, F),
        ('"Action":"\\*"', {"Statement": [{"Effect": "Allow", "Action": "*"}]}, T),
        ('"Action":"\\*"', {"Statement": [{"Effect": "Allow", "Action": "s3:Get"}]}, F),
        ("^a", {1: 2, "b": 3}, F),
    ],
)
def test_matches_searches_the_text(operand: str, value: Any, expected: Truth) -> None:
    assert truth("matches", operand, value) is expected


@pytest.mark.parametrize(
    ("op", "operand", "value", "expected"),
    [
        ("gt", 5, 6, T), ("gt", 5, 5, F), ("gte", 5, 5, T), ("lt", 5, 4, T), ("lt", 5, 5, F),
        ("lte", 5, 5, T), ("lte", 5, 6, F), ("gt", 5, "10", T), ("gt", 5, "abc", F),
        ("gt", 5, True, F), ("gte", 7, [7, 8, 9], T), ("gte", 7, [7, 6], F),
        ("gt", "5", 10, T), ("lt", 5, _MISSING, F),
        ("gt", "2026-01-01", "2026-03-01T10:00:00Z", T), ("gt", "2026-01-01", "2025-12-31", F),
        ("lt", "2026-01-01", 1700000000, T), ("lt", "2026-01-01", "not a date", F),
        ("gt", "b", "c", T), ("gt", "b", "a", F), ("gt", "b", 1, F),
        ("gt", 5, Unknown("u"), U), ("gt", 5, [4, Unknown("u")], F),
    ],
)
def test_ordering(op: str, operand: Any, value: Any, expected: Truth) -> None:
    assert truth(op, operand, value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-06-01T00:00:00Z", T), ("2026-03-01T00:00:00+00:00", F), ("2026-04-02", T),
        ("2026-04-01", F), (datetime(2026, 6, 1), T), (date(2026, 6, 1), T),
        (AS_OF.timestamp(), T), (AS_OF.timestamp() * 1000, T), (str(int(AS_OF.timestamp())), T),
        (0, F), ("2027-01-01T00:00:00Z", T), ("soon", F), ({"t": 1}, F), (_MISSING, F),
        (Unknown("u"), U),
    ],
)
def test_age_lte_is_measured_at_as_of(value: Any, expected: Truth) -> None:
    assert truth("age_lte", "90d", value) is expected


def test_age_lte_uses_the_context_clock_not_now() -> None:
    condition = _ADAPTER.validate_python({"path": "t", "age_lte": "1d"})
    predicate = compile_condition(condition)
    attrs = {"t": "2020-01-01T12:00:00Z"}
    assert predicate(attrs, EvalContext(as_of=datetime(2020, 1, 2))).truth is T
    assert predicate(attrs, EvalContext(as_of=datetime(2020, 1, 3))).truth is F


@pytest.mark.parametrize(
    ("operand", "value", "expected"),
    [
        (True, "x", T), (True, _MISSING, F), (True, None, F), (True, [], F), (True, False, T),
        (True, Unknown("u"), U), (True, ["x", Unknown("u")], T),
        (False, _MISSING, T), (False, "x", F), (False, Unknown("u"), U),
    ],
)
def test_exists(operand: bool, value: Any, expected: Truth) -> None:
    assert truth("exists", operand, value) is expected


@pytest.mark.parametrize(
    ("op", "operand", "value", "expected"),
    [
        ("contains", "s3:*", ["s3:Get", "s3:*"], T), ("contains", "s3:*", ["s3:Get"], F),
        ("contains", "s3:*", "s3:*", T), ("contains", "s3:*", _MISSING, F),
        ("contains", 443, ["443", "80"], T),
        ("contains", "a", ["b", Unknown("u")], U), ("contains", "a", ["a", Unknown("u")], T),
        ("not_contains", "s3:*", ["s3:Get"], T), ("not_contains", "s3:*", ["s3:*"], F),
        ("not_contains", "s3:*", _MISSING, T), ("not_contains", "a", ["b", Unknown("u")], U),
        ("not_contains", "a", ["a", Unknown("u")], F),
    ],
)
def test_contains(op: str, operand: Any, value: Any, expected: Truth) -> None:
    assert truth(op, operand, value) is expected


@pytest.mark.parametrize(
    ("operand", "value", "expected"),
    [
        (True, ["10.0.0.0/8", "0.0.0.0/0"], T), (True, "::/0", T), (True, ["10.0.0.0/8"], F),
        (True, "0.0.0.0", F), (True, "not-a-cidr", F), (True, 0, F), (True, _MISSING, F),
        (True, "10.1.2.3/0", T), (True, [Unknown("u")], U), (True, ["0.0.0.0/0", Unknown("u")], T),
        (False, ["10.0.0.0/8"], T), (False, _MISSING, T), (False, "0.0.0.0/0", F),
        (False, ["10.0.0.0/8", Unknown("u")], U),
    ],
)
def test_cidr_open(operand: bool, value: Any, expected: Truth) -> None:
    assert truth("cidr_open", operand, value) is expected


# --------------------------------------------------------------------------- bad operands


@pytest.mark.parametrize(
    ("op", "operand", "message"),
    [
        ("eq", None, "null never matches"),
        ("in", "abc", "expected a list"),
        ("matches", "(", "invalid regular expression"),
        ("matches", 5, "expected a regular expression"),
        ("gt", True, "expected a number, a date or a string"),
        ("gt", None, "expected a number"),
        ("age_lte", "90 days", "invalid duration"),
        ("exists", "yes", "expected true or false"),
        ("nope", 1, "unknown operator"),
    ],
)
def test_bad_operands_raise_value_error(op: str, operand: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compile_operator(op, operand)


def test_eq_null_in_a_control_is_a_control_error() -> None:
    condition = _ADAPTER.validate_python({"path": "a", "eq": None})
    with pytest.raises(ControlError, match="a: eq: null never matches"):
        compile_condition(condition)


# --------------------------------------------------------------------------- converters


def test_converters() -> None:
    assert to_bool(" True ") is True and to_bool("yes") is NOPE and to_bool(0) is NOPE
    assert to_number("1e3") == 1000.0 and to_number("nan") is NOPE and to_number("inf") is NOPE
    assert to_number(None) is NOPE
    assert to_str(2.0) == "2" and to_str(2.5) == "2.5" and to_str(None) is NOPE
    assert to_datetime("2026-01-01") == datetime(2026, 1, 1, tzinfo=UTC)
    assert to_datetime(10**30) is NOPE and to_datetime(None) is NOPE
    assert to_datetime(1_700_000_000_000) == datetime.fromtimestamp(1_700_000_000, tz=UTC)
    assert to_network(" 10.0.0.0/8 ").prefixlen == 8 and to_network(5) is NOPE
    assert repr(NOPE) == "NOPE"
