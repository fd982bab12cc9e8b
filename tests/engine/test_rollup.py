from engine.model import ResourceRef
from engine.outcome import CheckOutcome, finding, settle
from engine.rollup import NO_CONTROL, control_results, finding_summary, framework_results
from engine.status import RequirementStatus, Status
from tests.engine.factories import catalog, control


def outcome_for(ctl_id: str, status: Status, frameworks: dict[str, list[str]]) -> CheckOutcome:
    ctl = control(ctl_id, frameworks=frameworks)
    result = CheckOutcome(ctl, ctl.checks[0], Status.NOT_APPLICABLE)
    result.findings.append(finding(ctl, ctl.checks[0], ResourceRef(type="t", id="x"), status, "m"))
    return settle(result)


def test_requirements_roll_up_from_controls() -> None:
    outcomes = [outcome_for("EX-A-01", Status.PASS, {"demo": ["R1"]}),
                outcome_for("EX-B-01", Status.FAIL, {"demo": ["R2"]}),
                outcome_for("EX-C-01", Status.PASS, {"demo": ["R2"]})]
    controls = control_results([o.control for o in outcomes], outcomes)
    assert [c.status for c in controls] == [Status.PASS, Status.FAIL, Status.PASS]
    framework = framework_results([catalog()], controls)[0]
    statuses = {r.id: r.status for r in framework.requirements}
    assert statuses == {"R1": RequirementStatus.SATISFIED, "R2": RequirementStatus.NOT_SATISFIED,
                        "R3": RequirementStatus.NOT_COVERED}
    assert "G" not in statuses  # headings are not requirements
    assert framework.not_covered == {"R3": "inherited from the cloud provider"}
    assert framework.summary["not_satisfied"] == 1 and framework.summary["satisfied"] == 1
    assert {r.id: r.controls for r in framework.requirements}["R2"] == ["EX-B-01", "EX-C-01"]


def test_uncovered_requirement_without_reason_says_so() -> None:
    framework = framework_results([catalog(ids=("R1", "R4"))], [])[0]
    assert framework.not_covered["R4"] == NO_CONTROL


def test_control_without_outcomes_is_not_applicable() -> None:
    assert control_results([control()], [])[0].status is Status.NOT_APPLICABLE


def test_summary_counts_truncated_failures() -> None:
    result = outcome_for("EX-A-01", Status.FAIL, {"demo": ["R1"]})
    result.truncated = 5
    assert finding_summary([result])["fail"] == 6
