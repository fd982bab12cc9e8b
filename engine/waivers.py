"""Waivers: approved exceptions that turn matching ``fail`` findings into ``waived``.

Only failures are waived — unknown, error and not_collected stay what they are.
An expired waiver is not applied and is listed as expired; one that matched
nothing is listed as unused, so stale exceptions surface in every report.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from fnmatch import fnmatchcase

from engine.model import Finding, Waiver
from engine.outcome import CheckOutcome
from engine.results import WaiverRecord, WaiverSummary
from engine.status import Status, worst


def _covers(waiver: Waiver, finding: Finding) -> bool:
    if finding.status is not Status.FAIL or waiver.control != finding.control_id:
        return False
    if waiver.check is not None and waiver.check != finding.check_id:
        return False
    if waiver.resources is None:
        return True
    return any(fnmatchcase(finding.resource.id, pattern) for pattern in waiver.resources)


def apply_waivers(outcomes: Sequence[CheckOutcome], waivers: Sequence[Waiver],
                  as_of: datetime) -> WaiverSummary:
    """Waive the failing findings each active waiver covers; the first waiver listed wins."""
    summary = WaiverSummary()
    active = [w for w in waivers if w.expires >= as_of]
    matched = {w.id: 0 for w in active}
    for outcome in outcomes:
        changed = False
        for position, found in enumerate(outcome.findings):
            waiver = next((w for w in active if _covers(w, found)), None)
            if waiver is None:
                continue
            outcome.findings[position] = found.model_copy(update={
                "status": Status.WAIVED, "waiver": waiver.id,
                "message": f"{found.message} (waived by {waiver.id}, approved by {waiver.approver} "
                           f"until {waiver.expires.date().isoformat()})"})
            matched[waiver.id] += 1
            changed = True
        if changed:
            _recount(outcome)
    for waiver in waivers:
        if waiver.expires < as_of:
            summary.expired.append(WaiverRecord(**waiver.model_dump()))
        elif matched[waiver.id]:
            summary.applied.append(WaiverRecord(**waiver.model_dump(), matched=matched[waiver.id]))
        else:
            summary.unused.append(WaiverRecord(**waiver.model_dump()))
    return summary


def _recount(outcome: CheckOutcome) -> None:
    """Move waived findings from fail to waived, keeping counts of findings not kept."""
    kept_waived = sum(1 for f in outcome.findings if f.status is Status.WAIVED)
    newly = kept_waived - outcome.counts.waived
    outcome.counts.fail -= newly
    outcome.counts.waived = kept_waived
    by_count = {
        Status.FAIL: outcome.counts.fail, Status.ERROR: outcome.counts.error,
        Status.UNKNOWN: outcome.counts.unknown, Status.NOT_COLLECTED: outcome.counts.not_collected,
        Status.WAIVED: outcome.counts.waived, Status.PASS: outcome.counts.pass_,
    }
    outcome.status = worst(status for status, n in by_count.items() if n > 0)
