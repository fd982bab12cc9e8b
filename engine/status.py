"""The one status vocabulary used by every finding, check, control and requirement."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Status(StrEnum):
    """Outcome of a finding, a check or a control."""

    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"  # a value could not be resolved; never silently pass or fail
    ERROR = "error"  # collection or evaluation broke
    NOT_COLLECTED = "not_collected"  # source not configured or access denied
    NOT_APPLICABLE = "not_applicable"  # nothing in scope
    WAIVED = "waived"
    MANUAL_PENDING = "manual_pending"


class RequirementStatus(StrEnum):
    """Outcome of a framework requirement after roll-up."""

    SATISFIED = "satisfied"
    NOT_SATISFIED = "not_satisfied"
    INCOMPLETE = "incomplete"
    MANUAL_PENDING = "manual_pending"
    NOT_APPLICABLE = "not_applicable"
    NOT_COVERED = "not_covered"


class Severity(StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_ORDER.index(self)


_SEVERITY_ORDER = [Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL]

# Worst first (DESIGN: Semantics, Roll-up). not_applicable is handled separately.
_STATUS_ORDER = [
    Status.FAIL,
    Status.ERROR,
    Status.UNKNOWN,
    Status.NOT_COLLECTED,
    Status.MANUAL_PENDING,
    Status.WAIVED,
    Status.PASS,
]


def worst(statuses: Iterable[Status]) -> Status:
    """Roll several statuses into one: the worst wins; not_applicable only when all are."""
    present = set(statuses)
    for status in _STATUS_ORDER:
        if status in present:
            return status
    return Status.NOT_APPLICABLE


def requirement_status(control_statuses: Iterable[Status]) -> RequirementStatus:
    """Roll the statuses of the controls mapped to a requirement into its status."""
    present = set(control_statuses)
    if not present:
        return RequirementStatus.NOT_COVERED
    if Status.FAIL in present:
        return RequirementStatus.NOT_SATISFIED
    if present & {Status.ERROR, Status.UNKNOWN, Status.NOT_COLLECTED}:
        return RequirementStatus.INCOMPLETE
    if Status.MANUAL_PENDING in present:
        return RequirementStatus.MANUAL_PENDING
    if present == {Status.NOT_APPLICABLE}:
        return RequirementStatus.NOT_APPLICABLE
    return RequirementStatus.SATISFIED
