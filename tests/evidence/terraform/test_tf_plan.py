"""The terraform_plan collector on hand-written `terraform show -json` documents."""

from __future__ import annotations

from pathlib import Path

from engine.values import Unknown
from evidence.terraform.plan import TerraformPlanCollector

FIXTURES = Path(__file__).parent / "fixtures"
ENC = "module.enc.aws_s3_bucket_server_side_encryption_configuration.this"


def run(collect, *files: str, **config):
    return collect(TerraformPlanCollector, {"files": list(files), **config}, FIXTURES)


def test_values_at_every_module_depth_and_after_unknown(collect):
    found, context = run(collect, "plan_only/plan.json")
    assert set(found) == {"aws_kms_key.data", "aws_s3_bucket.data", ENC,
                          'module.store["a"].aws_s3_bucket.this',
                          'module.store["b"].aws_s3_bucket.this'}
    assert found["aws_kms_key.data"].attributes["enable_key_rotation"] is True
    assert found["aws_kms_key.data"].attributes["arn"] == Unknown(
        "aws_kms_key.data.arn is known only after apply", present=True)
    assert found["aws_kms_key.data"].attributes["tags_all"] == Unknown(
        "aws_kms_key.data.tags_all is known only after apply")  # may stay null
    default = found[ENC].attributes["rule"][0]["apply_server_side_encryption_by_default"][0]
    assert default["sse_algorithm"] == "aws:kms"
    assert isinstance(default["kms_master_key_id"], Unknown)  # nested after_unknown
    assert found['module.store["b"].aws_s3_bucket.this'].attributes["bucket"] == "finai-b"
    # no sources beside this plan: located in the plan file
    assert found[ENC].location.file == "plan_only/plan.json"
    assert found[ENC].location.line is None
    assert context.errors == [] and context.artifacts[0].item_count == 5
    assert len(found[ENC].artifacts) == 1 and len(found[ENC].artifacts[0]) == 64


def test_relations_follow_references_through_module_inputs(collect):
    found, _ = run(collect, "plan_only/plan.json")
    refs = found[ENC].refs
    assert refs["bucket"] == ["aws_s3_bucket.data"]
    assert refs["rule.apply_server_side_encryption_by_default.kms_master_key_id"] == [
        "aws_kms_key.data"]


def test_sources_beside_the_plan_give_file_line_and_suppressions(collect):
    found, context = run(collect, "plan/plan.json")
    assert (found[ENC].location.file, found[ENC].location.line) == ("plan/modules/enc/main.tf", 4)
    store = found['module.store["a"].aws_s3_bucket.this']
    assert (store.location.file, store.location.line) == ("plan/modules/store/main.tf", 4)
    assert [s.control for s in store.suppressions] == ["ENC-S3-01"]
    assert context.errors == []


def test_tf_dir_names_the_sources(collect):
    found, _ = run(collect, "plan_only/plan.json", tf_dir="plan")
    assert found["aws_s3_bucket.data"].location.file == "plan/main.tf"
    assert found["aws_s3_bucket.data"].location.line == 5


def test_utf16_and_bom_plans_and_several_files(collect):
    found, context = run(collect, "plan_only/plan-utf16.json", "plan_only/plan-bom.json")
    assert "plan_only/plan-utf16.json/aws_kms_key.data" in found
    assert "plan_only/plan-bom.json/aws_kms_key.data" in found
    assert context.errors == []


def test_bad_plans_are_errors(collect, tmp_path):
    (tmp_path / "broken.json").write_text('{"format_version": "1.2", "planned_values": ')
    (tmp_path / "other.json").write_text('{"hello": 1}')
    found, context = collect(TerraformPlanCollector,
                             {"files": ["broken.json", "other.json", "missing.json"]}, tmp_path)
    assert found == {}
    messages = [m for m, _ in context.errors]
    assert any("broken.json" in m and "invalid JSON at line 1" in m for m in messages)
    assert any("other.json" in m and "format_version" in m for m in messages)
    assert any("missing.json" in m and "cannot read" in m for m in messages)


def test_references_to_counted_instances(collect, tmp_path):
    import json

    def bucket(i):
        return {"address": f"aws_s3_bucket.b[{i}]", "mode": "managed", "type": "aws_s3_bucket",
                "name": "b", "index": i, "values": {"bucket": f"b{i}"}}

    plan = {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [
            bucket(0), bucket(1),
            {"address": "aws_s3_bucket_policy.one", "mode": "managed",
             "type": "aws_s3_bucket_policy", "name": "one", "values": {}},
            {"address": "aws_s3_bucket_policy.all", "mode": "managed",
             "type": "aws_s3_bucket_policy", "name": "all", "values": {}},
        ]}},
        "configuration": {"root_module": {"resources": [
            {"address": "aws_s3_bucket_policy.one", "mode": "managed",
             "type": "aws_s3_bucket_policy", "name": "one",
             "expressions": {"bucket": {"references": [
                 "aws_s3_bucket.b[1].id", "aws_s3_bucket.b[1]", "aws_s3_bucket.b"]}}},
            {"address": "aws_s3_bucket_policy.all", "mode": "managed",
             "type": "aws_s3_bucket_policy", "name": "all",
             "expressions": {"bucket": {"references": ["aws_s3_bucket.b"]},
                             "policy": {"references": ["data.aws_iam_policy_document.p.json",
                                                       "local.x"]}}},
        ]}},
    }
    (tmp_path / "p.json").write_text(json.dumps(plan))
    found, context = collect(TerraformPlanCollector, {"files": ["p.json"]}, tmp_path)
    assert found["aws_s3_bucket_policy.one"].refs == {"bucket": ["aws_s3_bucket.b[1]"]}
    assert found["aws_s3_bucket_policy.all"].refs == {
        "bucket": ["aws_s3_bucket.b[0]", "aws_s3_bucket.b[1]"]}
    assert found["aws_s3_bucket.b[1]"].attributes == {"bucket": "b1"}
    assert context.errors == []
