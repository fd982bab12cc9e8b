"""The terraform collector on real .tf folders: values, addresses, locations, unknowns."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from engine.values import Unknown
from evidence.terraform.collector import TerraformCollector

HERE = Path(__file__).parent


def run(collect, name: str, **config):
    config.setdefault("paths", [name])
    return collect(TerraformCollector, config, HERE / "fixtures")


def test_kms_example_pass_fail_unknown(collect):
    found, context = run(collect, "kms")
    assert found["aws_kms_key.a"].attributes == {"enable_key_rotation": True}
    assert found["aws_kms_key.b"].attributes == {}
    assert found["aws_kms_key.c"].attributes["enable_key_rotation"] == Unknown("var.rot is not set")
    assert found["aws_kms_key.c"].location.file == "kms/main.tf"
    assert found["aws_kms_key.c"].location.line == 7
    assert context.errors == []
    assert context.counts["files"] == 1 and context.counts["resources"] == 3


def test_s3_inline_and_separate_encryption(collect):
    found, _ = run(collect, "s3")
    inline = found["aws_s3_bucket.inline"].attributes
    rule = inline["server_side_encryption_configuration"][0]["rule"][0]
    assert rule["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "aws:kms"
    assert inline["bucket"] == "finai-prod-inline"  # local → variable default → interpolation
    separate = found["aws_s3_bucket_server_side_encryption_configuration.separate"]
    assert separate.refs["bucket"] == ["aws_s3_bucket.separate"]
    assert separate.attributes["bucket"] == Unknown(
        "aws_s3_bucket.separate.id is known only at apply", present=True)
    versioning = found["aws_s3_bucket_versioning.plain"]
    assert versioning.refs["bucket"] == ["aws_s3_bucket.plain"]  # through .bucket
    assert versioning.attributes["bucket"] == "finai-prod-plain"  # configured, so known


def test_inline_suppressions_kept_with_reason_and_date(collect):
    found, _ = run(collect, "s3")
    first, second = found["aws_s3_bucket.plain"].suppressions
    assert (first.control, first.check, first.reason) == (
        "ENC-S3-01", None, "public website assets, no personal data")
    assert first.until == datetime(2027, 1, 31, 23, 59, 59, tzinfo=UTC)
    assert (first.file, first.line) == ("s3/main.tf", 29)
    assert (second.control, second.reason, second.until) == ("LOG-S3-01", None, None)
    on_line, = found["aws_s3_bucket_versioning.plain"].suppressions
    assert (on_line.control, on_line.check, on_line.line) == ("VER-S3-01", "tf", 35)
    assert found["aws_s3_bucket.separate"].suppressions == []


def test_module_called_twice_with_different_inputs(collect):
    found, context = run(collect, "modules_twice")
    assert found["module.logs.aws_s3_bucket.this"].attributes["bucket"] == "finai-logs"
    assert found["module.scratch.aws_s3_bucket.this"].attributes["bucket"] == "finai-scratch"
    enc = found["module.logs.aws_s3_bucket_server_side_encryption_configuration.this[0]"]
    assert enc.refs["bucket"] == ["module.logs.aws_s3_bucket.this"]
    # the key reaches the module through an input: the relation crosses the module boundary
    key_refs = enc.refs["rule.apply_server_side_encryption_by_default.kms_master_key_id"]
    assert key_refs == ["aws_kms_key.data"]
    assert not any(i.startswith("module.scratch.aws_s3_bucket_server_side") for i in found)
    assert enc.location.file == "modules_twice/modules/bucket/main.tf"
    assert enc.location.line == 14
    assert len(context.notes) == 1 and "module.external" in context.notes[0]
    assert "not fetched" in context.notes[0]


def test_tfvars_override_defaults_and_var_files_and_vars(collect):
    found, _ = run(collect, "tfvars")
    assert found["aws_kms_key.main"].attributes["enable_key_rotation"] is True  # terraform.tfvars
    assert found["aws_cloudwatch_log_group.app"].attributes["retention_in_days"] == 180  # auto wins
    found, _ = run(collect, "tfvars", var_files=["tfvars/prod.tfvars"],
                   vars={"retention_days": "365", "rotation": "false"})
    assert found["aws_kms_key.main"].attributes["description"] == "key in eu-central-1"
    assert found["aws_kms_key.main"].attributes["enable_key_rotation"] is False
    assert found["aws_cloudwatch_log_group.app"].attributes["retention_in_days"] == 730


def test_count_and_for_each_addresses(collect):
    found, _ = run(collect, "countfe")
    assert found['aws_s3_bucket.by_name["logs"]'].attributes["tags"] == {"versioned": True}
    assert found['aws_s3_bucket.by_name["reports"]'].attributes["bucket"] == "finai-reports"
    assert found["aws_kms_key.numbered[0]"].attributes["enable_key_rotation"] is True
    assert found["aws_kms_key.numbered[1]"].attributes["description"] == "key 1"
    assert not any(i.startswith("aws_kms_key.none") for i in found)  # count = 0
    assert found['aws_sqs_queue.set["a"]'].attributes["name"] == "a"
    star = found["aws_kms_key.replica[*]"]
    value = star.attributes.get("enable_key_rotation")
    assert isinstance(value, Unknown) and "var.replicas is not set" in value.reason
    assert isinstance(star.attributes.get("anything.at.all"), Unknown)


def test_dynamic_block_over_unknown_collection_is_unknown(collect):
    found, _ = run(collect, "dynamic")
    ingress = found["aws_security_group.unknown"].attributes["ingress"]
    assert ingress == Unknown("dynamic block ingress: var.ingress_rules is not set")
    known = found["aws_security_group.known"].attributes
    assert [r["cidr_blocks"] for r in known["ingress"]] == [["10.0.0.0/8"], ["0.0.0.0/0"]]
    assert known["egress"][0]["cidr_blocks"] == ["0.0.0.0/0"]


def test_broken_file_beside_good_ones(collect):
    found, context = run(collect, "broken")
    assert set(found) == {"aws_kms_key.good", "aws_s3_bucket.fine"}
    (message, location), = context.errors
    assert location == "broken/bad.tf:3"
    assert "broken/bad.tf" in message and "line 3" in message


def test_types_filter_and_artifact(collect):
    found, context = collect(TerraformCollector, {"paths": ["s3"]}, HERE / "fixtures",
                             types=["aws_s3_bucket"])
    assert set(found) == {"aws_s3_bucket.inline", "aws_s3_bucket.separate", "aws_s3_bucket.plain"}
    artifact, = context.artifacts
    assert artifact.media_type == "application/json"
    assert artifact.item_count == 3 and artifact.query["types"] == ["aws_s3_bucket"]


def test_knows_type():
    assert TerraformCollector.knows_type("aws_s3_bucket")
    assert not TerraformCollector.knows_type("S3Bucket")
