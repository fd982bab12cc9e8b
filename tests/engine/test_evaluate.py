from datetime import UTC, datetime

from engine.evaluate import PostureCheck, ResourceIndex, evaluate_attestation
from engine.model import Check, Location, Suppression
from engine.status import Status
from engine.values import Unknown
from tests.engine.factories import AS_OF, control, resource


def run(ctl_checks: list[dict[str, object]] | None, *resources: object) -> list[tuple[str, Status, str]]:
    ctl = control(checks=ctl_checks)  # type: ignore[arg-type]
    compiled = PostureCheck.compile(ctl, ctl.checks[0], {})
    outcome = compiled.evaluate(ResourceIndex.of(resources), AS_OF)  # type: ignore[arg-type]
    return [(f.resource.id, f.status, f.message) for f in outcome.findings]


def test_issue_example_pass_fail_unknown() -> None:
    findings = run(None,
                   resource("aws_kms_key.a", {"enable_key_rotation": True}),
                   resource("aws_kms_key.b", {}),
                   resource("aws_kms_key.c", {"enable_key_rotation": Unknown("var.rot is not set")}))
    assert findings[0][:2] == ("aws_kms_key.a", Status.PASS)
    assert findings[1] == ("aws_kms_key.b", Status.FAIL,
                           "enable_key_rotation: no value; expected true")
    assert findings[2] == ("aws_kms_key.c", Status.UNKNOWN, "var.rot is not set")


def test_no_resource_in_scope_is_not_applicable() -> None:
    ctl = control()
    outcome = PostureCheck.compile(ctl, ctl.checks[0], {}).evaluate(ResourceIndex.of([]), AS_OF)
    assert outcome.status is Status.NOT_APPLICABLE and outcome.message == "no aws_kms_key in scope"
    assert outcome.counts.tested == 0


WHERE_CHECK = [{"id": "tf", "source": "terraform", "resource": "aws_kms_key",
                "where": {"path": "tags.env", "eq": "prod"},
                "assert": {"path": "enable_key_rotation", "eq": True}, "remediation": "r"}]


def test_where_scopes_and_unknown_where_keeps_the_resource() -> None:
    findings = run(WHERE_CHECK,
                   resource("k.dev", {"tags": {"env": "dev"}, "enable_key_rotation": False}),
                   resource("k.prod", {"tags": {"env": "prod"}, "enable_key_rotation": True}),
                   resource("k.var", {"tags": {"env": Unknown("var.env is not set")}}))
    assert [(i, s) for i, s, _ in findings] == [("k.prod", Status.PASS), ("k.var", Status.UNKNOWN)]
    assert findings[1][2] == "cannot tell whether it is in scope: var.env is not set"


RELATED_CHECK = [{"id": "tf", "source": "terraform", "resource": "aws_s3_bucket",
                  "assert": {"related": "aws_s3_bucket_versioning", "by": "bucket",
                             "assert": {"path": "status", "eq": "Enabled"}},
                  "remediation": "r"}]


def test_related_resources_are_found_through_refs() -> None:
    findings = run(RELATED_CHECK,
                   resource("aws_s3_bucket.a", {}, type_name="aws_s3_bucket"),
                   resource("aws_s3_bucket.b", {}, type_name="aws_s3_bucket"),
                   resource("aws_s3_bucket_versioning.a", {"status": "Enabled"},
                            type_name="aws_s3_bucket_versioning",
                            refs={"bucket": ["aws_s3_bucket.a"]}))
    assert [(i, s) for i, s, _ in findings] == [("aws_s3_bucket.a", Status.PASS),
                                                ("aws_s3_bucket.b", Status.FAIL)]


def suppressed(**changes: object) -> list[tuple[str, Status, str]]:
    data: dict[str, object] = {"control": "EX-KMS-01", "reason": "test key", "file": "main.tf",
                               "line": 3}
    data.update(changes)
    return run(None, resource("aws_kms_key.b", {}, suppressions=[Suppression.model_validate(data)]))


def test_inline_suppression_waives_with_reason() -> None:
    ((_, status, message),) = suppressed()
    assert status is Status.WAIVED and "suppressed: test key" in message


def test_inline_suppression_waiver_id_names_file_and_line() -> None:
    ctl = control()
    res = resource("aws_kms_key.b", {}, suppressions=[Suppression(
        control="EX-KMS-01", check="tf", reason="r", file="main.tf", line=3)])
    outcome = PostureCheck.compile(ctl, ctl.checks[0], {}).evaluate(ResourceIndex.of([res]), AS_OF)
    assert outcome.findings[0].waiver == "inline:main.tf:3"
    assert outcome.status is Status.WAIVED and outcome.counts.waived == 1


def test_inline_suppression_without_reason_or_expired_does_not_apply() -> None:
    ((_, status, message),) = suppressed(reason=None)
    assert status is Status.FAIL and "not applied: it gives no reason" in message
    ((_, status, message),) = suppressed(until=datetime(2026, 1, 1, tzinfo=UTC))
    assert status is Status.FAIL and "not applied: expired on 2026-01-01" in message
    ((_, status, _),) = suppressed(control="OTHER-01")
    assert status is Status.FAIL
    ((_, status, _),) = suppressed(check="other")
    assert status is Status.FAIL


MANUAL = Check.model_validate({"id": "m", "source": "manual", "remediation": "attest",
                               "attestation": {"name": "policy", "max_age": "365d"}})


def attestation(date: str, owner: str = "ciso") -> object:
    return resource(f"EX-KMS-01/policy@{date}", {"name": "policy", "control": "EX-KMS-01",
                                                  "owner": owner, "date": date},
                    type_name="attestation", source="manual",
                    location=Location(file="attestations/policy.yaml", line=1))


def test_attestation_pending_expired_and_current() -> None:
    ctl = control(checks=[MANUAL.model_dump(by_alias=True, exclude_none=True)])
    pending = evaluate_attestation(ctl, ctl.checks[0], [], AS_OF)
    assert pending.status is Status.MANUAL_PENDING
    assert pending.findings[0].message == "no attestation 'policy' recorded"
    expired = evaluate_attestation(ctl, ctl.checks[0], [attestation("2025-01-10")], AS_OF)  # type: ignore[list-item]
    assert expired.status is Status.FAIL
    assert expired.findings[0].message == "attestation expired on 2026-01-10"
    newest = evaluate_attestation(ctl, ctl.checks[0],
                                  [attestation("2025-01-10"), attestation("2026-02-01", "cto")],  # type: ignore[list-item]
                                  AS_OF)
    assert newest.status is Status.PASS
    assert newest.findings[0].message == "attested by cto on 2026-02-01"
