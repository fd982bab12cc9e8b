"""The per-check state of the one-pass event evaluator: counters, kept findings, verdicts.

``Evaluator`` holds what every event check counts; ``NoneExpected`` and
``Asserted`` judge each event; the gap check lives in engine/event_gaps.py.
At most ``MAX_FINDINGS`` findings are kept per check, the rest counted in
``truncated``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from engine.conditions import (
    EvalContext,
    Predicate,
    Truth,
    TruthTest,
    compile_condition,
    compile_test,
)
from engine.event_guard import Guard, guard_of, where_test
from engine.model import Check, Control, Event, Finding, Location, ResourceRef
from engine.outcome import CheckOutcome
from engine.results import CheckCounts
from engine.status import Status

MAX_FINDINGS = 1000
TRUE, FALSE, UNKNOWN = Truth.TRUE, Truth.FALSE, Truth.UNKNOWN


class Evaluator:
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
            message=f"event at {iso(event.timestamp)} ({event.location}) {message}",
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


class NoneExpected(Evaluator):
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


class Asserted(Evaluator):
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


def iso(moment: datetime) -> str:
    """``2026-01-31T12:00:00Z``."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
