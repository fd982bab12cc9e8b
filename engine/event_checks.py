"""Event checks: every check over one log source evaluated in one streaming pass.

Three forms (DESIGN: Condition language, Events):

- ``events: {where: C}`` + ``expect: none`` — each matching event fails;
- ``events: {where: C}`` + ``assert: C2`` — each matching event must satisfy C2
  (unknown when C2 is unknown); those that do are counted, not listed;
- ``events: {where: C}`` + ``expect: {max_gap: D}`` — with the period's start
  and end as bounds, every interval between consecutive matching events longer
  than D is a failing finding naming its start and end.

An event whose ``where`` is unknown is kept and its finding is unknown; in a
gap check it neither closes nor opens an interval, but an interval it falls in
is reported unknown rather than fail.

Memory does not grow with the log: each check keeps counters, at most
``MAX_FINDINGS`` findings (the rest are counted in ``truncated``), and a gap
check keeps the latest matching time plus the intervals found too long. Those
intervals cannot overlap and each is longer than D, so there are at most
``period / D`` of them whatever the log size. Out-of-order events need no
sorting window: an event older than the latest one lies in an interval already
judged; if that interval was a gap it is split at the event and each part is
judged again, otherwise it stays short. The result equals sorting first.

A source that yielded no event at all for the period makes every check
``not_collected``, never pass (``error`` when its collection reported errors).
The ``where`` guard in front of each condition lives in engine/event_guard.py.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from engine.conditions import (
    EvalContext,
    Predicate,
    Truth,
    TruthTest,
    compile_condition,
    compile_test,
)
from engine.event_guard import Guard, Router, guard_of, where_test
from engine.model import (
    Check,
    Control,
    Event,
    Finding,
    GapExpectation,
    Location,
    ResourceRef,
    Window,
    parse_duration,
)
from engine.outcome import CheckOutcome
from engine.results import CheckCounts
from engine.status import Status

MAX_FINDINGS = 1000
TRUE, FALSE, UNKNOWN = Truth.TRUE, Truth.FALSE, Truth.UNKNOWN

__all__ = ["MAX_FINDINGS", "run_event_checks"]


def run_event_checks(
    source: str,
    events: Iterable[Event],
    bound: Sequence[tuple[Control, Check, Mapping[str, Any]]],
    period_start: datetime,
    period_end: datetime,
    as_of: datetime,
    *,
    incomplete: Callable[[], str | None] | None = None,
    artifacts: Callable[[], Sequence[str]] | None = None,
) -> list[CheckOutcome]:
    """Evaluate every (control, check, params) of ``source`` over ``events`` in one pass.

    Events outside ``[period_start, min(period_end, as_of)]`` are ignored (the
    collectors already skip them). ``incomplete``, called after the pass, may
    return why the collection was partial; a check that would then pass is
    ``error`` instead, since a partial log cannot prove an absence.
    ``artifacts``, also called after the pass (the collector stores its
    manifest once it has read everything), gives the sha256s that every
    finding should cite as its evidence.
    """
    end = min(period_end, as_of)
    evaluators = [_evaluator(source, control, check, params, period_start, end)
                  for control, check, params in bound]
    ctx = EvalContext(as_of=as_of)
    router = _router(evaluators)
    always, route = router.always, router.targets
    read, broken = 0, False
    for event in events:
        moment = event.timestamp
        if moment < period_start or moment > end:
            continue
        read += 1
        attrs = event.attributes
        for evaluator, feed in always:
            try:
                feed(event, attrs, ctx)
            except Exception as exc:  # a broken condition is an error result, never a pass
                broken = evaluator.fail(event, exc)
        try:
            routed = route(attrs)  # usually empty: most events match no guarded check
        except Exception:  # an odd Mapping: let every guarded check judge (and fail) alone
            routed = router.guarded
        for targets in routed:
            for evaluator, feed in targets:
                try:
                    feed(event, attrs, ctx)
                except Exception as exc:
                    broken = evaluator.fail(event, exc)
        if broken:
            router, broken = _router(evaluators), False
            always, route = router.always, router.targets
    reason = incomplete() if incomplete is not None else None
    outcomes = [e.finish(read, reason) for e in evaluators]
    cited = sorted(artifacts()) if artifacts is not None else []
    if cited:
        for outcome in outcomes:
            outcome.findings = [f.model_copy(update={"artifacts": cited})
                                for f in outcome.findings]
    return outcomes


_Feed = Callable[[Event, Mapping[str, Any], EvalContext], None]


def _router(evaluators: list[_Evaluator]) -> Router[tuple[_Evaluator, _Feed]]:
    return Router([((e, e.feed), e.guard) for e in evaluators if e.broken is None])


# --------------------------------------------------------------------------- evaluators


class _Evaluator:
    """Counters and kept findings of one check during the pass."""

    def __init__(self, source: str, control: Control, check: Check,
                 params: Mapping[str, Any] | None = None) -> None:
        self.source, self.control, self.check = source, control, check
        self.broken: str | None = None
        self.matching = self.failing = self.unknown = self.passed = 0
        self.findings: list[Finding] = []
        self.truncated = 0
        self.where_test: TruthTest | None = None
        self.where_verdict: Predicate | None = None
        self.guard: Guard | None = None
        where = check.events.where if check.events is not None else None
        if where is not None and params is not None:
            self.where_test = where_test(where, params)
            self.guard = guard_of(where, params)
            self.where_verdict = compile_condition(where, params)

    def feed(self, event: Event, attrs: Mapping[str, Any], ctx: EvalContext) -> None:
        raise NotImplementedError

    def fail(self, event: Event, exc: Exception) -> bool:
        """Mark this check broken by ``exc`` at ``event``; it is fed no more."""
        self.broken = f"evaluation failed at {event.location}: {type(exc).__name__}: {exc}"
        return True

    def where_reason(self, attrs: Mapping[str, Any], ctx: EvalContext) -> str:
        assert self.where_verdict is not None
        return self.where_verdict(attrs, ctx).reason

    def keep(self, finding: Finding) -> None:
        if len(self.findings) < MAX_FINDINGS:
            self.findings.append(finding)
        else:
            self.truncated += 1

    def event_finding(self, event: Event, status: Status, message: str) -> Finding:
        file, _, line = event.location.rpartition(":")
        location = Location(file=file, line=int(line)) if file and line.isdigit() \
            else Location(file=event.location)
        return Finding(
            control_id=self.control.id, check_id=self.check.id, status=status,
            severity=self.control.severity, source=self.check.source,
            resource=ResourceRef(type="event", id=event.id or event.location, location=location),
            message=f"event at {_iso(event.timestamp)} ({event.location}) {message}",
        )

    def counts(self, read: int) -> CheckCounts:
        tested = self.matching
        return CheckCounts(tested=tested, pass_=self.passed, fail=self.failing,
                           unknown=self.unknown)

    def population(self, read: int) -> dict[str, int]:
        population = {"events_read": read, "events_matching": self.matching,
                      "events_failing": self.failing}
        if self.unknown:
            population["events_unknown"] = self.unknown
        return population

    def finish(self, read: int, incomplete: str | None) -> CheckOutcome:
        outcome = CheckOutcome(self.control, self.check, Status.PASS)
        if self.broken is not None:
            outcome.status, outcome.message = Status.ERROR, self.broken
            return outcome
        if read == 0:
            outcome.status = Status.ERROR if incomplete else Status.NOT_COLLECTED
            outcome.message = f"the {self.source} source yielded no events in the period" + (
                f": {incomplete}" if incomplete else "")
            outcome.findings = [self.not_collected_finding(outcome.message)] \
                if not incomplete else []
            outcome.population = self.population(read)
            return outcome
        self.conclude()
        outcome.population = self.population(read)
        outcome.findings = self.findings
        outcome.counts = self.counts(read)
        outcome.truncated = self.truncated or None
        outcome.status = Status.FAIL if self.failing else \
            Status.UNKNOWN if self.unknown else Status.PASS
        outcome.message = self.summary(read)
        if self.truncated:
            outcome.message += f"; {self.truncated} more finding(s) counted but not listed"
        if outcome.status is Status.PASS and incomplete:
            outcome.status = Status.ERROR
            outcome.message = f"{outcome.message}, but the collection was incomplete: {incomplete}"
        return outcome

    def conclude(self) -> None:
        """Settle what the pass left open (gap checks close their last interval)."""

    def summary(self, read: int) -> str:
        return (f"{read} event(s) read, {self.matching} matching, {self.failing} failing"
                + (f", {self.unknown} unknown" if self.unknown else ""))

    def not_collected_finding(self, message: str) -> Finding:
        return Finding(control_id=self.control.id, check_id=self.check.id,
                       status=Status.NOT_COLLECTED, severity=self.control.severity,
                       source=self.check.source,
                       resource=ResourceRef(type=self.source, id=self.source), message=message)


class _NoneExpected(_Evaluator):
    """``expect: none``: every matching event is a failing finding."""

    def feed(self, event: Event, attrs: Mapping[str, Any], ctx: EvalContext) -> None:
        test = self.where_test
        truth = TRUE if test is None else test(attrs, ctx)
        if truth is FALSE:
            return
        self.matching += 1
        reason = self.where_reason(attrs, ctx)
        if truth is TRUE:
            self.failing += 1
            self.keep(self.event_finding(event, Status.FAIL,
                                         f"matches and none is expected: {reason}"))
        else:
            self.unknown += 1
            self.keep(self.event_finding(event, Status.UNKNOWN,
                                         f"may match (where is unknown): {reason}"))

    def counts(self, read: int) -> CheckCounts:
        return CheckCounts(tested=read, pass_=read - self.matching, fail=self.failing,
                           unknown=self.unknown)


class _Asserted(_Evaluator):
    """``assert: C2``: every matching event must satisfy C2."""

    def __init__(self, source: str, control: Control, check: Check,
                 params: Mapping[str, Any]) -> None:
        super().__init__(source, control, check, params)
        assert check.assert_ is not None
        self.assert_test = compile_test(check.assert_, params)
        self.assert_verdict = compile_condition(check.assert_, params)

    def feed(self, event: Event, attrs: Mapping[str, Any], ctx: EvalContext) -> None:
        test = self.where_test
        truth = TRUE if test is None else test(attrs, ctx)
        if truth is FALSE:
            return
        self.matching += 1
        if truth is UNKNOWN:
            self.unknown += 1
            self.keep(self.event_finding(
                event, Status.UNKNOWN, f"may be in scope (where is unknown): "
                                       f"{self.where_reason(attrs, ctx)}"))
            return
        held = self.assert_test(attrs, ctx)
        if held is TRUE:
            self.passed += 1
            return
        reason = self.assert_verdict(attrs, ctx).reason
        if held is FALSE:
            self.failing += 1
            self.keep(self.event_finding(event, Status.FAIL, f"fails the assertion: {reason}"))
        else:
            self.unknown += 1
            self.keep(self.event_finding(event, Status.UNKNOWN,
                                         f"cannot be judged: {reason}"))


class _GapCheck(_Evaluator):
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

    def _split(self, moment: float) -> None:
        index = bisect.bisect_right(self.gaps, moment, key=lambda gap: gap[0]) - 1
        if index < 0 or not self.gaps[index][0] < moment < self.gaps[index][1]:
            return
        begin, end, unknown = self.gaps.pop(index)
        parts = [[a, b, unknown] for a, b in ((begin, moment), (moment, end))
                 if b - a > self.max_gap]
        self.gaps[index:index] = parts

    def _unknown_at(self, moment: float) -> None:
        if moment > self.last:
            low, high = self.open_unknown or (moment, moment)
            self.open_unknown = (min(low, moment), max(high, moment))
            return
        index = bisect.bisect_right(self.gaps, moment, key=lambda gap: gap[0]) - 1
        if index >= 0 and self.gaps[index][0] < moment < self.gaps[index][1]:
            self.gaps[index][2] = 1.0

    def conclude(self) -> None:
        self._close(self.last, max(self.end, self.last))
        for begin, end, unknown in self.gaps:
            status = Status.UNKNOWN if unknown else Status.FAIL
            if unknown:
                self.unknown += 1
            else:
                self.failing += 1
            self.keep(self._gap_finding(begin, end, status))

    def _gap_finding(self, begin: float, end: float, status: Status) -> Finding:
        start, stop = _from_ts(begin), _from_ts(end)
        span = _span(end - begin)
        message = (f"no matching event for {span} between {_iso(start)} and {_iso(stop)}"
                   f" (max_gap {self.max_gap_text})")
        if status is Status.UNKNOWN:
            message += "; events whose where could not be evaluated fall inside it"
        return Finding(
            control_id=self.control.id, check_id=self.check.id, status=status,
            severity=self.control.severity, source=self.check.source,
            resource=ResourceRef(type="gap", id=f"{_iso(start)}..{_iso(stop)}"),
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
        return text + (f", {self.unknown} unknown" if self.unknown else "")


def _evaluator(source: str, control: Control, check: Check, params: Mapping[str, Any],
               start: datetime, end: datetime) -> _Evaluator:
    try:
        if isinstance(check.expect, GapExpectation):
            return _GapCheck(source, control, check, params, start, end)
        if check.expect == "none":
            return _NoneExpected(source, control, check, params)
        return _Asserted(source, control, check, params)
    except Exception as exc:  # e.g. ControlError from an undeclared parameter
        broken = _Evaluator(source, control, check)
        broken.broken = f"check cannot be compiled: {exc}"
        return broken


# --------------------------------------------------------------------------- text


def _from_ts(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _span(seconds: float) -> str:
    delta = timedelta(seconds=round(seconds))
    days, rest = delta.days, delta.seconds
    hours, minutes = rest // 3600, rest % 3600 // 60
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "",
             f"{minutes}m" if minutes else ""]
    return "".join(parts) or f"{round(seconds)}s"
