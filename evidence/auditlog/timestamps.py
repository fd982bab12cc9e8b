"""Timestamps of log records, normalised to UTC.

Accepted: ISO 8601 with any offset (``Z``, ``+05:30``, ``+0530``), with or
without fractional seconds (more than six digits are cut to microseconds), and
epoch numbers — seconds, milliseconds, microseconds or nanoseconds, told apart
by magnitude (a value above 1e11 cannot be seconds before the year 5138).
A time without an offset is read as UTC: application logs that write local
time without saying so cannot be placed any better, and the choice is the
one an auditor can check.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class TimestampError(ValueError):
    """The value is not a timestamp assay can read."""


_fromisoformat = datetime.fromisoformat


def to_utc(value: Any) -> datetime:
    """The UTC datetime of ``value``; raise TimestampError with a reason otherwise."""
    if value.__class__ is str:  # the common case first: one C call for "…Z" text
        try:
            parsed = _fromisoformat(value)
        except ValueError:
            return _from_other_text(value)
        zone = parsed.tzinfo
        if zone is UTC:
            return parsed
        if zone is None:
            return parsed.replace(tzinfo=UTC)
        try:
            return parsed.astimezone(UTC)
        except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00
            raise TimestampError(f"timestamp {value!r} is out of range") from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TimestampError(f"timestamp {value!r} is neither ISO 8601 text nor an epoch number")
    return _from_epoch(value)


def _from_other_text(text: str) -> datetime:
    stripped = text.strip()
    if stripped and _looks_numeric(stripped):
        return _from_epoch(float(stripped) if "." in stripped else int(stripped))
    raise TimestampError(f"timestamp {text!r} is not ISO 8601 or an epoch number")


def _looks_numeric(text: str) -> bool:
    body = text[1:] if text[0] in "+-" else text
    return body.replace(".", "", 1).isdigit()


def _from_epoch(number: int | float) -> datetime:
    magnitude = abs(number)
    if magnitude >= 1e17:
        seconds = number / 1e9
    elif magnitude >= 1e14:
        seconds = number / 1e6
    elif magnitude >= 1e11:
        seconds = number / 1e3
    else:
        seconds = number
    try:
        return _EPOCH + timedelta(seconds=seconds)
    except OverflowError:
        raise TimestampError(f"epoch timestamp {number!r} is out of range") from None


def isoformat(moment: datetime) -> str:
    """``2026-01-31T12:00:00Z`` (microseconds only when present)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
