from datetime import UTC, datetime

from engine.model import ResourceRef, Waiver
from engine.outcome import CheckOutcome, finding, settle
from engine.status import Status
from engine.waivers import apply_waivers
from tests.engine.factories import AS_OF, control


def outcome(*statuses_and_ids: tuple[Status, str]) -> CheckOutcome:
    ctl = control()
    check = ctl.checks[0]
    result = CheckOutcome(ctl, check, Status.NOT_APPLICABLE)
    for status, resource_id in statuses_and_ids:
        result.findings.append(finding(ctl, check, ResourceRef(type="aws_kms_key", id=resource_id),
                                       status, "why"))
    return settle(result)


def waiver(waiver_id: str = "W-1", **changes: object) -> Waiver:
    data: dict[str, object] = {
        "id": waiver_id, "control": "EX-KMS-01", "justification": "legacy key",
        "approver": "ciso@example.com", "expires": datetime(2026, 12, 31, tzinfo=UTC)}
    data.update(changes)
    return Waiver.model_validate(data)


def test_waiver_turns_failures_into_waived_and_names_itself() -> None:
    result = outcome((Status.FAIL, "aws_kms_key.a"), (Status.PASS, "aws_kms_key.b"))
    summary = apply_waivers([result], [waiver()], AS_OF)
    waived = result.findings[0]
    assert waived.status is Status.WAIVED and waived.waiver == "W-1"
    assert "waived by W-1" in waived.message
    assert result.status is Status.WAIVED
    assert (result.counts.fail, result.counts.waived, result.counts.pass_) == (0, 1, 1)
    assert [w.id for w in summary.applied] == ["W-1"] and summary.applied[0].matched == 1


def test_unknown_and_not_collected_are_never_waived() -> None:
    result = outcome((Status.UNKNOWN, "aws_kms_key.c"), (Status.NOT_COLLECTED, "eu-west-1"))
    summary = apply_waivers([result], [waiver()], AS_OF)
    assert [f.status for f in result.findings] == [Status.UNKNOWN, Status.NOT_COLLECTED]
    assert [w.id for w in summary.unused] == ["W-1"]


def test_expired_waiver_is_not_applied() -> None:
    result = outcome((Status.FAIL, "aws_kms_key.a"))
    summary = apply_waivers([result], [waiver(expires=datetime(2026, 1, 1, tzinfo=UTC))], AS_OF)
    assert result.findings[0].status is Status.FAIL
    assert [w.id for w in summary.expired] == ["W-1"] and not summary.applied


def test_resource_globs_and_check_scope() -> None:
    result = outcome((Status.FAIL, "module.legacy.aws_kms_key.a"), (Status.FAIL, "aws_kms_key.b"))
    summary = apply_waivers([result], [waiver(resources=["module.legacy.*"], check="tf"),
                                       waiver("W-2", check="other")], AS_OF)
    assert [f.status for f in result.findings] == [Status.WAIVED, Status.FAIL]
    assert result.status is Status.FAIL
    assert [w.id for w in summary.unused] == ["W-2"]


def test_glob_match_is_case_sensitive() -> None:
    result = outcome((Status.FAIL, "aws_kms_key.A"))
    apply_waivers([result], [waiver(resources=["aws_kms_key.a"])], AS_OF)
    assert result.findings[0].status is Status.FAIL
