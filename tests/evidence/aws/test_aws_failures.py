"""Denied calls, failed calls and redaction, through the collector and moto."""

from __future__ import annotations

from typing import Any

from botocore.awsrequest import AWSResponse

from evidence.aws.calls import Record
from evidence.aws.config import Account, parse
from evidence.aws.session import Clients, assume, base_session, caller_identity
from tests.evidence.aws.aws_estate import ACCOUNT, PLANTED_PASSWORD, REGIONS, ROLE_ARN, Estate
from tests.evidence.aws.test_aws_collector import collect


def deny(service_id: str, operation: str, code: str = "AccessDenied") -> tuple[str, Any]:
    """A botocore hook answering ``operation`` with a 403 before it is sent."""

    def handler(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        body = {"Error": {"Code": code, "Message": "injected by the test"},
                "ResponseMetadata": {"HTTPStatusCode": 403}}
        return AWSResponse("https://denied.invalid", 403, {}, None), body

    return f"before-call.{service_id}.{operation}", handler


def fail_network(service_id: str, operation: str) -> tuple[str, Any]:
    def handler(**_: Any) -> None:
        from botocore.exceptions import EndpointConnectionError

        raise EndpointConnectionError(endpoint_url="https://unreachable.invalid")

    return f"before-call.{service_id}.{operation}", handler


def test_denied_service_is_not_collected_and_others_go_on(estate: Estate) -> None:
    resources, ctx = collect(estate, "aws.kms.key", "aws.ec2.security_group",
                             hooks=[deny("ec2", "DescribeSecurityGroups",
                                         "UnauthorizedOperation")])
    gaps = {(tuple(types), scope) for types, scope, _ in ctx.gaps}
    assert gaps == {(("aws.ec2.security_group",), f"{ACCOUNT}/{region}") for region in REGIONS}
    assert all("UnauthorizedOperation" in reason for _, _, reason in ctx.gaps)
    assert not [r for r in resources.values() if r.type == "aws.ec2.security_group"]
    assert {r.location.region for r in resources.values() if r.type == "aws.kms.key"} \
        == set(REGIONS)
    assert not ctx.errors  # a denial is a gap, not a broken run
    denied = [a for a in ctx.artifacts if a.query["operation"] == "DescribeSecurityGroups"]
    assert denied and all(a.complete is False for a in denied)
    assert b"UnauthorizedOperation" in denied[0].data  # the answer itself is kept


def test_denied_detail_call_makes_the_attribute_unknown(estate: Estate) -> None:
    from engine.values import Unknown

    resources, ctx = collect(estate, "aws.s3.bucket", hooks=[deny("s3", "GetBucketPolicy")])
    bucket = resources[f"arn:aws:s3:::assay-good-{REGIONS[0]}"]
    assert isinstance(bucket.attributes["Policy"], Unknown)
    assert "GetBucketPolicy: access denied" in bucket.attributes["Policy"].reason
    assert bucket.attributes["Versioning"] == {"Status": "Enabled"}  # the rest is read
    assert ctx.counts["aws.denied_detail_calls"] >= 4


def test_network_failure_is_an_error_and_others_go_on(estate: Estate) -> None:
    resources, ctx = collect(estate, "aws.kms.key", "aws.iam.password_policy",
                             hooks=[fail_network("kms", "ListKeys")])
    assert len(ctx.errors) == len(REGIONS)
    message, location = ctx.errors[0]
    assert "ListKeys failed" in message and location.startswith(f"aws:{ACCOUNT}/")
    assert not [r for r in resources.values() if r.type == "aws.kms.key"]
    assert [r.type for r in resources.values()] == ["aws.iam.password_policy"]


def test_denied_assume_role_leaves_the_account_not_collected(estate: Estate) -> None:
    resources, ctx = collect(estate, "aws.kms.key", hooks=[deny("sts", "AssumeRole")])
    assert not resources
    assert ctx.gaps == [(["aws.kms.key"], f"{ACCOUNT}/*", ctx.gaps[0][2])]
    assert "AssumeRole: access denied" in ctx.gaps[0][2]


def test_planted_secrets_never_reach_the_stored_bytes(estate: Estate) -> None:
    """AssumeRole returns a secret access key and a session token; a bucket carries a
    password and a private key in its tags. None of them may be stored."""
    issued: list[dict[str, str]] = []

    def capture(parsed: dict[str, Any], **_: Any) -> None:
        issued.append(parsed["Credentials"])

    resources, ctx = collect(estate, "aws.s3.bucket",
                             hooks=[("after-call.sts.AssumeRole", capture)])
    stored = b"".join(a.data for a in ctx.artifacts)
    assume = [a for a in ctx.artifacts if a.query["operation"] == "AssumeRole"]
    assert assume and b'"SecretAccessKey":"[REDACTED]"' in assume[0].data
    assert b'"SessionToken":"[REDACTED]"' in assume[0].data
    assert b"AccessKeyId" in assume[0].data  # the key id is not a secret; auditors need it
    [creds] = issued
    assert creds["SecretAccessKey"].encode() not in stored
    assert creds["SessionToken"].encode() not in stored
    assert PLANTED_PASSWORD.encode() not in stored
    assert b"MIIEplantedPRIVATEkeyMATERIAL" not in stored
    assert b"PRIVATE KEY-----[REDACTED]" in stored


def test_throttling_after_retries_is_an_error(estate: Estate) -> None:
    """The 400 answer is given at the HTTP layer (before-send), so botocore's own
    retry handling sees it, exactly as it would see AWS throttling."""
    attempts: list[int] = []

    class Raw:
        def stream(self, **_: Any) -> Any:
            yield b'{"__type": "ThrottlingException", "message": "Rate exceeded"}'

    def throttle(request: Any, **_: Any) -> AWSResponse | None:
        if "TrentService.ListKeys" not in str(request.headers.get("X-Amz-Target", b"")):
            return None
        attempts.append(1)
        return AWSResponse(request.url, 400, {"Content-Type": "application/x-amz-json-1.1"},
                           Raw())

    resources, ctx = collect(estate, "aws.kms.key", regions=["eu-west-1"], max_attempts=2,
                             hooks=[("before-send.kms", throttle)])
    assert len(attempts) == 2  # retried up to max_attempts, then given up
    [(message, location)] = ctx.errors
    assert "ListKeys failed: ThrottlingException" in message
    assert location == f"aws:{ACCOUNT}/eu-west-1/kms"
    assert not resources and not ctx.gaps


def test_disabled_region_is_not_collected(estate: Estate) -> None:
    resources, ctx = collect(estate, "aws.ec2.vpc",
                             hooks=[deny("ec2", "DescribeVpcs", "OptInRequired")])
    assert {scope for _, scope, _ in ctx.gaps} == {f"{ACCOUNT}/{r}" for r in REGIONS}
    assert all("region not enabled" in reason for _, _, reason in ctx.gaps)


def test_regions_all_reads_every_enabled_region(estate: Estate) -> None:
    resources, ctx = collect(estate, "aws.ec2.ebs_encryption_by_default", regions="all",
                             shard={"regions": ["eu-west-1", "ap-northeast-1", "mars-1"]})
    assert sorted(r.location.region for r in resources.values()) == [
        "ap-northeast-1", "eu-west-1"]
    assert "DescribeRegions" in ctx.operations()


def test_a_broken_lister_is_an_error_not_a_pass(estate: Estate, monkeypatch: Any) -> None:
    import dataclasses

    from evidence.aws.services import kms

    def broken(task: Any) -> None:
        raise KeyError("KeyMetadata")

    monkeypatch.setattr(kms, "LISTERS", [dataclasses.replace(kms.LISTERS[0], fn=broken)])
    resources, ctx = collect(estate, "aws.kms.key", "aws.iam.password_policy")
    assert [r.type for r in resources.values()] == ["aws.iam.password_policy"]
    assert ctx.errors and all("internal error" in m for m, _ in ctx.errors)


def test_key_policy_refusing_describe_key_keeps_the_key_unknown(estate: Estate) -> None:
    from engine.values import Unknown

    resources, ctx = collect(estate, "aws.kms.key", regions=["eu-west-1"],
                             hooks=[deny("kms", "DescribeKey", "AccessDeniedException")])
    key = resources[estate.ids["key_bad_eu-west-1"]].attributes
    assert isinstance(key["KeyRotationEnabled"], Unknown)
    assert "DescribeKey: access denied" in key["KeyState"].reason
    assert not ctx.gaps and not ctx.errors


def test_assumed_role_credentials_are_renewed_before_they_expire(estate: Estate) -> None:
    """A scan longer than the role's session keeps its access: botocore asks for new
    credentials inside the last 15 minutes, and assay assumes the role again (recorded)."""
    cfg = parse(estate.config(role_duration_seconds=900))  # 15 minutes: always renewing
    records: list[Record] = []
    base = Clients(base_session(cfg), cfg, [])
    caller = caller_identity(base, "us-east-1", records.append, ACCOUNT)
    session = assume(base, caller, Account(ACCOUNT, ROLE_ARN), cfg, records.append)

    def assumed() -> int:
        return sum(1 for r in records if r.query["operation"] == "AssumeRole")

    assert assumed() == 1
    sts = Clients(session, cfg, []).get("sts", "us-east-1")
    for _ in range(2):
        identity = sts.get_caller_identity()
        assert identity["Arn"].startswith(f"arn:aws:sts::{ACCOUNT}:assumed-role/assay-audit/")
    assert assumed() == 3
    assert all(r.query["parameters"]["DurationSeconds"] == 900
               for r in records if r.query["operation"] == "AssumeRole")


def test_assumed_role_credentials_are_not_renewed_while_fresh(estate: Estate) -> None:
    cfg = parse(estate.config())
    records: list[Record] = []
    base = Clients(base_session(cfg), cfg, [])
    caller = caller_identity(base, "us-east-1", records.append, ACCOUNT)
    session = assume(base, caller, Account(ACCOUNT, ROLE_ARN), cfg, records.append)
    sts = Clients(session, cfg, []).get("sts", "us-east-1")
    sts.get_caller_identity()
    sts.get_caller_identity()
    assert sum(1 for r in records if r.query["operation"] == "AssumeRole") == 1


def test_denied_bucket_location_falls_back_to_head_bucket(estate: Estate) -> None:
    resources, ctx = collect(estate, "aws.s3.bucket", hooks=[deny("s3", "GetBucketLocation")])
    assert not ctx.gaps and not ctx.errors
    for region in REGIONS:
        bucket = resources[f"arn:aws:s3:::assay-good-{region}"]
        assert bucket.attributes["Region"] == region and bucket.location.region == region
    heads = [a for a in ctx.artifacts if a.query["operation"] == "HeadBucket"]
    assert len(heads) == len(resources)


def test_a_bucket_without_a_known_region_is_not_collected_alone(estate: Estate) -> None:
    resources, ctx = collect(estate, "aws.s3.bucket", "aws.kms.key",
                             hooks=[deny("s3", "GetBucketLocation"), deny("s3", "HeadBucket")])
    assert not [r for r in resources.values() if r.type == "aws.s3.bucket"]
    assert [r for r in resources.values() if r.type == "aws.kms.key"]  # the rest is read
    scopes = sorted(scope for _, scope, _ in ctx.gaps)
    assert scopes == sorted(f"{ACCOUNT}/arn:aws:s3:::assay-{kind}-{region}"
                            for kind in ("good", "bad") for region in REGIONS)
    assert all("GetBucketLocation: access denied" in reason and "region is unknown" in reason
               for _, _, reason in ctx.gaps)
