"""What the pre-merge renderers (SARIF, JUnit, Markdown) share: ordering and lookups."""

from __future__ import annotations

import hashlib

from engine.model import Finding
from engine.results import CheckResult, ControlResult, Results
from engine.status import Severity, Status

# Statuses a pre-merge reviewer acts on, worst first.
ATTENTION = (Status.FAIL, Status.ERROR, Status.UNKNOWN)


def rule_id(control_id: str, check_id: str) -> str:
    return f"{control_id}.{check_id}"


def fingerprint(finding: Finding) -> str:
    """Stable across runs and line moves: control, check and resource id only."""
    key = "\0".join((finding.control_id, finding.check_id, finding.resource.id))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def location_text(finding: Finding) -> str:
    loc = finding.resource.location
    if loc.file:
        return f"{loc.file}:{loc.line}" if loc.line else loc.file
    return loc.arn or loc.account or ""


def sort_key(finding: Finding) -> tuple[int, str, str, str]:
    return (-finding.severity.rank, finding.control_id, finding.check_id, finding.resource.id)


class Catalog:
    """Controls and checks of a results document by id."""

    def __init__(self, results: Results) -> None:
        self.controls: dict[str, ControlResult] = {c.id: c for c in results.controls}
        self.checks: dict[tuple[str, str], CheckResult] = {
            (c.id, k.id): k for c in results.controls for k in c.checks}

    def remediation(self, finding: Finding) -> str:
        check = self.checks.get((finding.control_id, finding.check_id))
        return check.remediation if check else ""

    def title(self, control_id: str) -> str:
        control = self.controls.get(control_id)
        return control.title if control else control_id

    def severity(self, control_id: str) -> Severity:
        control = self.controls.get(control_id)
        return control.severity if control else Severity.MEDIUM

    def tags(self, control_id: str) -> list[str]:
        control = self.controls.get(control_id)
        if control is None:
            return []
        return sorted(f"{fw}:{req}" for fw, reqs in control.frameworks.items() for req in reqs)
