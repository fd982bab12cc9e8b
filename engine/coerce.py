"""Converters: turn a found value into the kind an operand compares with.

A converter returns the converted value or ``NOPE`` when the value is not of
that kind (``"abc"`` as a number). The converter for an operator is chosen once
at compile time from its operand (:func:`kind_of`), so evaluation is a single
call per value. Conversions follow Terraform's own: ``"true"`` is a bool,
``"5"`` is a number, a number compared with a string is its decimal text.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, Final


class _Nope:
    """The value cannot be converted to the wanted kind."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NOPE"


NOPE: Final = _Nope()

Converter = Callable[[Any], Any]

# Epoch numbers at or above this are milliseconds (10**11 s is the year 5138).
_EPOCH_MS_THRESHOLD = 10**11


def to_bool(value: Any) -> Any:
    if value is True or value is False:
        return value
    if value.__class__ is str:
        lowered = value.strip().lower()
        if lowered == "true":
            return True
        if lowered == "false":
            return False
    return NOPE


def to_number(value: Any) -> Any:
    cls = value.__class__
    if cls is int or cls is float:
        return value
    if cls is str:
        return _parse_number(value)
    return NOPE


@lru_cache(maxsize=4096)
def _parse_number(text: str) -> Any:
    stripped = text.strip()
    try:
        return int(stripped)
    except ValueError:
        pass
    try:
        number = float(stripped)
    except ValueError:
        return NOPE
    return number if number == number and abs(number) != float("inf") else NOPE


def to_str(value: Any) -> Any:
    cls = value.__class__
    if cls is str:
        return value
    if cls is bool:
        return "true" if value else "false"
    if cls is int:
        return str(value)
    if cls is float:
        return str(int(value)) if value.is_integer() else repr(value)
    return NOPE


def to_json_text(value: Any) -> Any:
    """A mapping or list as compact JSON with sorted keys — what Terraform's
    ``jsonencode`` gives — so ``matches`` reads a parsed policy like its text."""
    try:
        return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)
    except (TypeError, ValueError):
        return NOPE


def to_datetime(value: Any) -> Any:
    """ISO 8601 text, epoch seconds (or milliseconds), date or datetime → aware UTC datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    cls = value.__class__
    if cls is int or cls is float:
        return _from_epoch(value)
    if cls is str:
        return _parse_datetime(value)
    return NOPE


def _from_epoch(number: float) -> Any:
    seconds = number / 1000 if abs(number) >= _EPOCH_MS_THRESHOLD else number
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return NOPE


@lru_cache(maxsize=4096)
def _parse_datetime(text: str) -> Any:
    stripped = text.strip()
    number = _parse_number(stripped)
    if number is not NOPE:
        return _from_epoch(number)
    try:
        parsed = datetime.fromisoformat(stripped)
    except ValueError:
        return NOPE
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def to_network(value: Any) -> Any:
    if value.__class__ is str:
        return _parse_network(value)
    return NOPE


@lru_cache(maxsize=4096)
def _parse_network(text: str) -> Any:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return NOPE


def identity(value: Any) -> Any:
    return value


CONVERTERS: Final[dict[str, Converter]] = {
    "bool": to_bool,
    "number": to_number,
    "string": to_str,
    "datetime": to_datetime,
    "cidr": to_network,
    "any": identity,
}


def kind_of(operand: Any) -> str:
    """The converter kind an operand of equality (eq, in, contains) asks for."""
    if operand is True or operand is False:
        return "bool"
    if isinstance(operand, int | float):
        return "number"
    if isinstance(operand, date):  # datetime is a date
        return "datetime"
    if isinstance(operand, str):
        return "string"
    return "any"


def ordered_kind(operand: Any) -> str:
    """The kind an ordering operand (gt, gte, lt, lte) asks for: number, date or text."""
    if isinstance(operand, str):
        if _parse_number(operand) is not NOPE:
            return "number"
        if _parse_datetime(operand) is not NOPE:
            return "datetime"
        return "string"
    return kind_of(operand)
