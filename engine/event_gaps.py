"""Gap checks, ``expect: {max_gap: D}``: no interval between matching events longer than D.

The period's start and end are the outer bounds. The check keeps the latest
matching time and the intervals found too long; those cannot overlap and each
is longer than D, so there are at most ``period / D`` of them whatever the log
size. Out-of-order events need no sorting window: an event older than the
latest one lies in an interval already judged; if that interval was a gap it
is split at the event and each part judged again, otherwise it stays short.
The result equals sorting first.

Memory stays bounded even for a tiny D over a sparse log: at most
``MAX_OPEN_GAPS`` intervals are kept open to late events. Beyond that the
oldest half is settled (reported as found); a matching event that later
arrives before the settled horizon cannot be placed, is counted, and the
check's message says its gaps before that time may be overstated.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from engine.conditions import EvalContext
from engine.event_evaluators import FALSE, UNKNOWN, Evaluator, iso
from engine.model import (
    Check,
    Control,
    Event,
    Finding,
    GapExpectation,
    ResourceRef,
    Window,
    parse_duration,
)
from engine.results import CheckCounts
from engine.status import Status

MAX_OPEN_GAPS = 100_000


class GapCheck(Evaluator):
    """``expect: {max_gap: D}``: no interval between matching events longer than D."""

    def __init__(self, source: str, control: Control, check: Check,
                 params: Mapping[str, Any], start: datetime, end: datetime) -> None:
        super().__init__(source, control, check, params)
        assert isinstance(check.expect, GapExpectation)
        self.max_gap_text = check.expect.max_gap
        self.max_gap = parse_duration(check.expect.max_gap).total_seconds()
        self.start, self.end = start.timestamp(), end.timestamp()
        self.last = self.start  # latest matching time seen (the period start before any)
        # Intervals longer than max_gap, sorted by start: [start, end, unknown events inside].
        self.gaps: list[list[float]] = []
        self.open_unknown: tuple[float, float] | None = None  # unknown events after `last`
        self.unknown_events = 0
        self.horizon = self.start  # intervals ending before it are settled
        self.unplaced = 0  # late events before the horizon
        self.unplaced_before = self.start  # the horizon when the last of them arrived

    def feed(self, event: Event, attrs: Mapping[str, Any], ctx: EvalContext) -> None:
        test = self.where_test
        if test is not None:
            truth = test(attrs, ctx)
            if truth is FALSE:
                return
            if truth is UNKNOWN:
                self.unknown_events += 1
                self._unknown_at(event.timestamp.timestamp())
                return
        moment = event.timestamp.timestamp()
        self.matching += 1
        last = self.last
        if moment >= last:
            if moment - last > self.max_gap or self.open_unknown is not None:
                self._close(last, moment)
            self.last = moment
        else:
            self._split(moment)

    def _close(self, begin: float, end: float) -> None:
        unknown = 0.0
        if self.open_unknown is not None:
            low, high = self.open_unknown
            unknown = 1.0 if low < end else 0.0
            self.open_unknown = (end, high) if high > end else None
        if end - begin > self.max_gap:
            self.gaps.append([begin, end, unknown])
            if len(self.gaps) > MAX_OPEN_GAPS:
                self._settle(len(self.gaps) // 2)

    def _settle(self, count: int) -> None:
        """Report the oldest ``count`` intervals; later events before them cannot be placed."""
        for begin, end, unknown in self.gaps[:count]:
            if unknown:
                self.unknown += 1
                self.keep(self._gap_finding(begin, end, Status.UNKNOWN))
            else:
                self.failing += 1
                self.keep(self._gap_finding(begin, end, Status.FAIL))
        if count:
            self.horizon = max(self.horizon, self.gaps[count - 1][1])
        del self.gaps[:count]

    def _split(self, moment: float) -> None:
        if moment < self.horizon:
            self.unplaced, self.unplaced_before = self.unplaced + 1, self.horizon
            return
        index = bisect.bisect_right(self.gaps, moment, key=lambda gap: gap[0]) - 1
        if index < 0 or not self.gaps[index][0] < moment < self.gaps[index][1]:
            return
        begin, end, unknown = self.gaps.pop(index)
        parts = [[a, b, unknown] for a, b in ((begin, moment), (moment, end))
                 if b - a > self.max_gap]
        self.gaps[index:index] = parts

    def _unknown_at(self, moment: float) -> None:
        if moment < self.horizon:
            self.unplaced, self.unplaced_before = self.unplaced + 1, self.horizon
            return
        if moment > self.last:
            low, high = self.open_unknown or (moment, moment)
            self.open_unknown = (min(low, moment), max(high, moment))
            return
        index = bisect.bisect_right(self.gaps, moment, key=lambda gap: gap[0]) - 1
        if index >= 0 and self.gaps[index][0] < moment < self.gaps[index][1]:
            self.gaps[index][2] = 1.0

    def conclude(self) -> None:
        self._close(self.last, max(self.end, self.last))
        self._settle(len(self.gaps))

    def _gap_finding(self, begin: float, end: float, status: Status) -> Finding:
        start, stop = _from_ts(begin), _from_ts(end)
        span = _span(end - begin)
        message = (f"no matching event for {span} between {iso(start)} and {iso(stop)}"
                   f" (max_gap {self.max_gap_text})")
        if status is Status.UNKNOWN:
            message += "; events whose where could not be evaluated fall inside it"
        return Finding(
            control_id=self.control.id, check_id=self.check.id, status=status,
            severity=self.control.severity, source=self.check.source,
            resource=ResourceRef(type="gap", id=f"{iso(start)}..{iso(stop)}"),
            message=message, window=Window(start=start, end=stop),
        )

    def counts(self, read: int) -> CheckCounts:
        intervals = self.matching + 1
        return CheckCounts(tested=intervals, pass_=intervals - self.failing - self.unknown,
                           fail=self.failing, unknown=self.unknown)

    def population(self, read: int) -> dict[str, int]:
        population = {"events_read": read, "events_matching": self.matching,
                      "events_failing": 0, "gaps_failing": self.failing}
        if self.unknown_events:
            population["events_unknown"] = self.unknown_events
        return population

    def summary(self, read: int) -> str:
        text = (f"{read} event(s) read, {self.matching} matching; "
                f"{self.failing} interval(s) longer than {self.max_gap_text}")
        text += f", {self.unknown} unknown" if self.unknown else ""
        if self.unplaced:
            text += (f"; {self.unplaced} event(s) arrived out of order before "
                     f"{iso(_from_ts(self.unplaced_before))}, after the intervals there were settled, "
                     "so intervals before it may be overstated")
        return text


def _from_ts(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def _span(seconds: float) -> str:
    delta = timedelta(seconds=round(seconds))
    days, rest = delta.days, delta.seconds
    hours, minutes = rest // 3600, rest % 3600 // 60
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "",
             f"{minutes}m" if minutes else ""]
    return "".join(parts) or f"{round(seconds)}s"
