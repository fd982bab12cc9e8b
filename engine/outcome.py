"""What evaluating one check produces, before roll-up into the results document.

Posture, event and manual evaluation all return ``CheckOutcome``s, so roll-up,
waivers and baselines treat every source alike.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from engine.model import Check, Control, Finding, Resource, ResourceRef
from engine.results import CheckCounts
from engine.status import Status, worst


@dataclass
class CheckOutcome:
    control: Control
    check: Check
    status: Status
    findings: list[Finding] = field(default_factory=list)
    counts: CheckCounts = field(default_factory=CheckCounts)
    message: str = ""  # why, when the check as a whole is not pass/fail (not_collected, error…)
    population: dict[str, int] | None = None  # event checks: read / matching / failing
    truncated: int | None = None  # failing findings counted but not kept


def counts_of(findings: Iterable[Finding]) -> CheckCounts:
    by_status = Counter(f.status for f in findings)
    by_status.pop(Status.NOT_APPLICABLE, None)
    untested = by_status[Status.NOT_COLLECTED] + by_status[Status.MANUAL_PENDING]
    counted = {("pass_" if status is Status.PASS else status.value): n
               for status, n in by_status.items() if status is not Status.MANUAL_PENDING}
    return CheckCounts(tested=sum(by_status.values()) - untested, **counted)


def settle(outcome: CheckOutcome) -> CheckOutcome:
    """Set status and counts from the findings; with none, the status and its message stay.

    The message explains a check as a whole (nothing in scope, source not configured);
    once there are findings, they say why, so the message goes.
    """
    outcome.counts = counts_of(outcome.findings)
    if outcome.findings:
        outcome.status = worst(f.status for f in outcome.findings)
        outcome.message = ""
    return outcome


def finding(control: Control, check: Check, resource: ResourceRef, status: Status,
            message: str, artifacts: Sequence[str] = ()) -> Finding:
    return Finding(control_id=control.id, check_id=check.id, status=status,
                   severity=control.severity, source=check.source, resource=resource,
                   message=message, artifacts=sorted(set(artifacts)))


def ref_of(resource: Resource) -> ResourceRef:
    return ResourceRef(type=resource.type, id=resource.id, location=resource.location)


def finding_order(found: Finding) -> tuple[str, str, str, str, str]:
    """The order of findings in every results document (a Status is its own string)."""
    return (found.control_id, found.check_id, found.resource.id, found.status, found.message)
