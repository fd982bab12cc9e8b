"""The run's as-of time: every time-relative judgement is measured at it (DESIGN: Clock)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

from engine.errors import ControlError


def parse_time(text: str, what: str = "time") -> datetime:
    """ISO 8601 date or datetime; a date is midnight UTC, a naive time is UTC."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            value = datetime.combine(date.fromisoformat(text), datetime.min.time())
        except ValueError:
            raise ControlError(f"{what}: {text!r} is not an ISO 8601 date or time") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def resolve_as_of(option: str | None, pinned: datetime | None) -> tuple[datetime, bool]:
    """``--as-of``, else ``SOURCE_DATE_EPOCH``, else the configuration's ``as_of``, else now.

    Returns the time and whether it was pinned (a pinned clock makes the run's
    started/finished equal as-of, so the same inputs give the same bytes).
    """
    if option:
        return parse_time(option, "--as-of"), True
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC), True
        except ValueError:
            raise ControlError(f"SOURCE_DATE_EPOCH: {epoch!r} is not a number of seconds") from None
    if pinned is not None:
        return (pinned.replace(tzinfo=UTC) if pinned.tzinfo is None
                else pinned.astimezone(UTC)), True
    return datetime.now(UTC).replace(microsecond=0), False
