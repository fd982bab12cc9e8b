"""Roll-up: check outcomes → controls → requirements → frameworks (DESIGN: Roll-up)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from engine.model import Control, Framework
from engine.outcome import CheckOutcome
from engine.results import CheckResult, ControlResult, FrameworkResult, RequirementResult
from engine.status import RequirementStatus, Status, requirement_status, worst

NO_CONTROL = "no control maps to it"


def control_results(controls: Sequence[Control],
                    outcomes: Sequence[CheckOutcome]) -> list[ControlResult]:
    by_control: dict[str, list[CheckOutcome]] = defaultdict(list)
    for outcome in outcomes:
        by_control[outcome.control.id].append(outcome)
    results = []
    for control in sorted(controls, key=lambda c: c.id):
        checks = sorted(by_control.get(control.id, []), key=lambda o: o.check.id)
        results.append(ControlResult(
            id=control.id, title=control.title, objective=control.objective,
            severity=control.severity, frameworks=control.frameworks,
            status=worst(o.status for o in checks),
            checks=[_check_result(o) for o in checks],
        ))
    return results


def _check_result(outcome: CheckOutcome) -> CheckResult:
    return CheckResult(
        id=outcome.check.id, source=outcome.check.source, status=outcome.status,
        remediation=outcome.check.remediation, message=outcome.message,
        counts=outcome.counts, population=outcome.population, truncated=outcome.truncated,
    )


def framework_results(frameworks: Sequence[Framework],
                      controls: Sequence[ControlResult]) -> list[FrameworkResult]:
    results = []
    for framework in frameworks:
        mapped: dict[str, list[ControlResult]] = defaultdict(list)
        for control in controls:
            for requirement_id in control.frameworks.get(framework.id, []):
                mapped[requirement_id].append(control)
        results.append(_framework_result(framework, mapped))
    return results


def _framework_result(framework: Framework,
                      mapped: Mapping[str, list[ControlResult]]) -> FrameworkResult:
    requirements = []
    not_covered: dict[str, str] = {}
    for requirement in framework.requirements:
        if requirement.heading:
            continue
        controls = mapped.get(requirement.id, [])
        status = requirement_status(c.status for c in controls)
        if not controls and requirement.id in framework.not_applicable:
            status = RequirementStatus.NOT_APPLICABLE
        elif not controls:
            not_covered[requirement.id] = framework.not_covered.get(requirement.id, NO_CONTROL)
        requirements.append(RequirementResult(
            id=requirement.id, title=requirement.title, status=status,
            controls=sorted(c.id for c in controls), parent=requirement.parent,
        ))
    summary = Counter(r.status.value for r in requirements)
    return FrameworkResult(
        id=framework.id, name=framework.name, version=framework.version,
        summary={status.value: summary.get(status.value, 0) for status in RequirementStatus},
        requirements=requirements,
        not_applicable=dict(framework.not_applicable), not_covered=not_covered,
    )


def finding_summary(outcomes: Sequence[CheckOutcome]) -> dict[str, int]:
    counts = Counter(f.status.value for o in outcomes for f in o.findings)
    for outcome in outcomes:  # findings counted but not kept (event checks) still count
        if outcome.truncated:
            counts[Status.FAIL.value] += outcome.truncated
    return {status.value: counts.get(status.value, 0) for status in Status}
