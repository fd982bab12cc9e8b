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
check the latest matching time plus a bounded set of intervals found too long
(engine/event_gaps.py, which also says how out-of-order events are placed).

A source that yielded no event at all for the period makes every check
``not_collected``, never pass (``error`` when its collection reported errors).
Per-check state: engine/event_evaluators.py; the ``where`` guard and the
router that sends each event only to the checks that may keep it:
engine/event_guard.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from engine.conditions import EvalContext
from engine.event_evaluators import MAX_FINDINGS, Asserted, Evaluator, NoneExpected
from engine.event_gaps import GapCheck
from engine.event_guard import Router
from engine.model import Check, Control, Event, GapExpectation
from engine.outcome import CheckOutcome

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


def _router(evaluators: list[Evaluator]) -> Router[tuple[Evaluator, _Feed]]:
    return Router([((e, e.feed), e.guard) for e in evaluators if e.broken is None])


def _evaluator(source: str, control: Control, check: Check, params: Mapping[str, Any],
               start: datetime, end: datetime) -> Evaluator:
    try:
        if isinstance(check.expect, GapExpectation):
            return GapCheck(source, control, check, params, start, end)
        if check.expect == "none":
            return NoneExpected(source, control, check, params)
        return Asserted(source, control, check, params)
    except Exception as exc:  # e.g. ControlError from an undeclared parameter
        broken = Evaluator(source, control, check)
        broken.broken = f"check cannot be compiled: {exc}"
        return broken
