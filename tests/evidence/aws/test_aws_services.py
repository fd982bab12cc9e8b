"""Logging, detection, data-store, RDS and load-balancer types against the seeded estate."""

from __future__ import annotations

from typing import Any

from engine.model import Resource
from tests.evidence.aws.aws_estate import ACCOUNT, REGIONS, Estate
from tests.evidence.aws.test_aws_collector import collect

TYPES = ("aws.cloudtrail.trail", "aws.logs.log_group", "aws.config.recorder",
         "aws.guardduty.detector", "aws.securityhub.hub", "aws.dynamodb.table",
         "aws.secretsmanager.secret", "aws.efs.file_system", "aws.sns.topic", "aws.sqs.queue",
         "aws.rds.db_instance", "aws.rds.db_parameter_group", "aws.elbv2.load_balancer",
         "aws.elbv2.listener")


def by_region(resources: dict[str, Resource], type_name: str, name_key: Any = None
              ) -> dict[tuple[str, str], Resource]:
    found = {}
    for r in resources.values():
        if r.type == type_name:
            name = name_key(r) if name_key else ""
            found[(str(r.location.region), "good" if "good" in name else "bad")] = r
    return found


def test_all_other_types(estate: Estate) -> None:
    resources, ctx = collect(estate, *TYPES)
    assert not ctx.errors and not ctx.gaps
    assert {r.type for r in resources.values()} == set(TYPES)
    for region in REGIONS:
        trail = resources[estate.ids[f"trail_good_{region}"]].attributes
        assert trail["IsMultiRegionTrail"] is True and trail["LogFileValidationEnabled"] is True
        assert trail["Status"]["IsLogging"] is True
        assert trail["EventSelectors"][0]["IncludeManagementEvents"] is True
        assert resources[estate.ids[f"trail_good_{region}"]].refs["CloudWatchLogsLogGroupArn"] \
            == [f"arn:aws:logs:{region}:{ACCOUNT}:log-group:/assay/good-{region}"]
        bad_trail = resources[estate.ids[f"trail_bad_{region}"]].attributes
        assert bad_trail["Status"]["IsLogging"] is False and "KmsKeyId" not in bad_trail
        groups = {r.attributes["logGroupName"]: r.attributes for r in resources.values()
                  if r.type == "aws.logs.log_group"}
        assert groups[f"/assay/good-{region}"]["retentionInDays"] == 400
        assert "retentionInDays" not in groups[f"/assay/bad-{region}"]
        tables = by_region(resources, "aws.dynamodb.table", lambda r: r.attributes["TableName"])
        pitr = tables[(region, "good")].attributes["ContinuousBackups"][
            "PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"]
        assert pitr == "ENABLED"
        assert tables[(region, "good")].attributes["SSEDescription"]["SSEType"] == "KMS"
        assert tables[(region, "bad")].attributes["ContinuousBackups"][
            "PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"
        secrets = by_region(resources, "aws.secretsmanager.secret", lambda r: r.attributes["Name"])
        assert "KmsKeyId" in secrets[(region, "good")].attributes
        assert "KmsKeyId" not in secrets[(region, "bad")].attributes
        fs = by_region(resources, "aws.efs.file_system", lambda r: r.attributes["CreationToken"])
        assert fs[(region, "good")].attributes["Encrypted"] is True
        assert fs[(region, "bad")].attributes["Encrypted"] is False
        topics = by_region(resources, "aws.sns.topic", lambda r: r.id)
        assert "KmsMasterKeyId" in topics[(region, "good")].attributes["Attributes"]
        assert "KmsMasterKeyId" not in topics[(region, "bad")].attributes["Attributes"]
        queues = by_region(resources, "aws.sqs.queue", lambda r: r.id)
        assert "KmsMasterKeyId" in queues[(region, "good")].attributes["Attributes"]
        assert queues[(region, "bad")].attributes["Attributes"]["SqsManagedSseEnabled"] == "false"
        dbs = by_region(resources, "aws.rds.db_instance", lambda r: r.id)
        assert dbs[(region, "good")].attributes["StorageEncrypted"] is True
        assert dbs[(region, "bad")].attributes["PubliclyAccessible"] is True
        assert dbs[(region, "good")].refs["DBParameterGroups"] == [
            f"arn:aws:rds:{region}:{ACCOUNT}:pg:assay-good-pg"]
        pgs = by_region(resources, "aws.rds.db_parameter_group", lambda r: r.id)
        params = {p["ParameterName"]: p.get("ParameterValue")
                  for p in pgs[(region, "good")].attributes["Parameters"]}
        assert params["rds.force_ssl"] == "1"
        listeners = {r.id: r for r in resources.values() if r.type == "aws.elbv2.listener"}
        good_listener = listeners[estate.ids[f"listener_good_{region}"]]
        assert good_listener.attributes["Protocol"] == "HTTPS"
        assert good_listener.refs["LoadBalancerArn"] == [estate.ids[f"alb_good_{region}"]]
        assert listeners[estate.ids[f"listener_bad_{region}"]].attributes["Protocol"] == "HTTP"
        alb = resources[estate.ids[f"alb_good_{region}"]].attributes
        assert {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"} \
            in alb["Attributes"]


def test_detection_services_one_resource_per_region(estate: Estate) -> None:
    resources, ctx = collect(estate, "aws.config.recorder", "aws.guardduty.detector",
                             "aws.securityhub.hub")
    found = {(r.type, r.location.region): r.attributes for r in resources.values()}
    assert found[("aws.config.recorder", "us-east-1")]["recordingGroup"]["allSupported"] is True
    assert found[("aws.config.recorder", "us-east-1")]["Status"]["recording"] is True
    assert found[("aws.config.recorder", "eu-west-1")] == {}  # no recorder: the check fails
    assert found[("aws.guardduty.detector", "us-east-1")]["Status"] == "ENABLED"
    assert found[("aws.guardduty.detector", "eu-west-1")]["Status"] == "DISABLED"
    assert found[("aws.securityhub.hub", "us-east-1")]["Enabled"] is True
    assert found[("aws.securityhub.hub", "eu-west-1")] == {"Enabled": False}
    assert len(resources) == 6
