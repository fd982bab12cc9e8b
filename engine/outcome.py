"""What evaluating one check produces, before roll-up into the results document.

Posture, event and manual evaluation all return ``CheckOutcome``s, so roll-up,
waivers and baselines treat every source alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.model import Check, Control, Finding
from engine.results import CheckCounts
from engine.status import Status


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
