"""Timestamp normalisation: any ISO 8601 offset and epoch numbers become UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from evidence.auditlog.timestamps import TimestampError, isoformat, to_utc

NOON = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("value", [
    "2026-03-01T12:00:00Z",
    "2026-03-01T12:00:00+00:00",
    "2026-03-01T17:30:00+05:30",
    "2026-03-01T17:30:00+0530",
    "2026-03-01T04:00:00-08:00",
    "2026-03-01 12:00:00",  # no offset: read as UTC
    "20260301T120000Z",
    1772366400,
    1772366400.0,
    1772366400000,  # milliseconds
    "1772366400",
    "1772366400000",
    1772366400000000,  # microseconds
    1772366400000000000,  # nanoseconds
])
def test_every_accepted_form_is_the_same_utc_moment(value: object) -> None:
    moment = to_utc(value)
    assert moment == NOON
    assert moment.utcoffset() is not None and moment.utcoffset().total_seconds() == 0


def test_fractions_beyond_microseconds_are_cut() -> None:
    assert to_utc("2026-03-01T12:00:00.123456789Z") == NOON.replace(microsecond=123456)


@pytest.mark.parametrize("value", ["yesterday", "", None, True, [1], "2026-13-01T00:00:00Z"])
def test_anything_else_is_a_timestamp_error(value: object) -> None:
    with pytest.raises(TimestampError):
        to_utc(value)


def test_isoformat_is_z_suffixed_utc() -> None:
    assert isoformat(to_utc("2026-03-01T17:30:00+05:30")) == "2026-03-01T12:00:00Z"


def test_a_time_that_cannot_be_placed_in_utc_is_a_timestamp_error() -> None:
    with pytest.raises(TimestampError, match="out of range"):
        to_utc("0001-01-01T00:00:00+01:00")
    with pytest.raises(TimestampError, match="out of range"):
        to_utc(10**300)
