"""`assay check` on real Terraform folders and plans: outputs, suppressions, baselines, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from engine.cli import main
from tests.reports.premerge import schema_path

TF = Path(__file__).resolve().parents[1] / "evidence" / "terraform" / "fixtures"
CONTROLS = Path(__file__).parent / "data" / "tf" / "controls"
AS_OF = "2026-06-30T00:00:00Z"


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def check(*args: str) -> list[str]:
    return ["check", *args, "--controls", str(CONTROLS), "--no-builtin", "--as-of", AS_OF]


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code = main(check(*args, "--format", "json"))
    return code, json.loads(capsys.readouterr().out)


def statuses(results: dict) -> dict[str, str]:
    return {f["resource"]["id"]: f["status"] for f in results["findings"]}


def test_inline_and_separate_encryption_and_relations(capsys):
    code, results = run_json(capsys, str(TF / "s3"))
    found = statuses(results)
    assert found["aws_s3_bucket.inline"] == "pass"
    assert found["aws_s3_bucket.separate"] == "pass"  # through the related resource
    assert found["aws_s3_bucket.plain"] == "fail"
    assert code == 1


def test_dynamic_block_over_unknown_rules_never_passes(capsys):
    code, results = run_json(capsys, str(TF / "dynamic"))
    found = {f["resource"]["id"]: f for f in results["findings"]}
    assert found["aws_security_group.unknown"]["status"] == "unknown"
    assert "var.ingress_rules is not set" in found["aws_security_group.unknown"]["message"]
    assert found["aws_security_group.known"]["status"] == "fail"


def test_sarif_points_at_code_and_validates(tmp_path):
    out = tmp_path / "r.sarif"
    assert main(check(str(TF / "s3"), str(TF / "modules_twice"), "--format", "sarif",
                      "--out", str(out))) == 1
    document = json.loads(out.read_text())
    schema = json.loads(schema_path("sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft7Validator(schema).validate(document)
    results = document["runs"][0]["results"]
    plain = next(r for r in results if r["properties"]["resourceId"].endswith("aws_s3_bucket.plain"))
    assert plain["locations"][0]["physicalLocation"]["region"]["startLine"] == 31


def test_broken_file_makes_the_run_incomplete(capsys):
    code, results = run_json(capsys, str(TF / "broken"))
    assert results["run"]["complete"] is False
    error, = results["run"]["errors"]
    assert error["location"] == "bad.tf:3" and "line 3" in error["message"]
    resources = {k: v for k, v in statuses(results).items() if k != "terraform"}
    assert resources == {"aws_kms_key.good": "pass", "aws_s3_bucket.fine": "fail"}
    # checks with nothing to evaluate cannot be not_applicable: the broken file may hold
    # what they look for
    unevaluated = [f for f in results["findings"] if f["resource"]["id"] == "terraform"]
    assert unevaluated and {f["status"] for f in unevaluated} == {"error"}
    assert "source reported 1 error(s)" in unevaluated[0]["message"]
    assert code == 1  # something failed
    code, _ = run_json(capsys, str(TF / "broken"), "--fail-on", "critical")
    assert code == 3  # nothing failing at or above critical, and the run is incomplete


def test_plan_file_uses_terraform_checks_and_maps_to_code(capsys):
    code, results = run_json(capsys, str(TF / "plan" / "plan.json"))
    found = {f["resource"]["id"]: f for f in results["findings"]}
    data = found["aws_s3_bucket.data"]
    assert data["source"] == "terraform_plan" and data["status"] == "pass"  # relation in plan
    assert data["resource"]["location"] == {"file": "main.tf", "line": 5}
    store = found['module.store["a"].aws_s3_bucket.this']
    # the inline block is computed by the provider: unknown until apply, never a pass
    assert store["status"] == "unknown" and "known only after apply" in store["message"]
    assert store["resource"]["location"] == {"file": "modules/store/main.tf", "line": 4}
    assert code == 0


def test_tf_dir_option(capsys, tmp_path):
    plan = tmp_path / "plan.json"
    shutil.copy(TF / "plan_only" / "plan.json", plan)
    _, results = run_json(capsys, str(plan), "--tf-dir", str(TF / "plan"))
    data = next(f for f in results["findings"] if f["resource"]["id"] == "aws_kms_key.data")
    assert data["resource"]["location"]["file"] == "main.tf"


def test_baseline_fails_only_on_new_findings(capsys, tmp_path):
    infra = tmp_path / "infra"
    shutil.copytree(TF / "s3", infra)
    baseline = tmp_path / "baseline.json"
    assert main(check(str(infra), "--format", "json", "--out", str(baseline))) == 1
    # move the failing bucket to another file: same finding, not new
    text = (infra / "main.tf").read_text()
    block = text[text.index("# assay:ignore ENC-S3-01"):text.index('resource "aws_s3_bucket_versioning"')]
    (infra / "main.tf").write_text(text.replace(block, ""))
    (infra / "moved.tf").write_text("\n\n\n" + block)
    code, results = run_json(capsys, str(infra), "--baseline", str(baseline))
    plain = next(f for f in results["findings"] if f["resource"]["id"] == "aws_s3_bucket.plain")
    assert plain["status"] == "fail" and plain["baseline"] == "existing"
    assert plain["resource"]["location"]["file"] == "moved.tf"
    assert code == 0
    # a new unencrypted bucket fails the check; fixing nothing else
    (infra / "new.tf").write_text('resource "aws_s3_bucket" "fresh" {\n  bucket = "x"\n}\n')
    code, results = run_json(capsys, str(infra), "--baseline", str(baseline))
    fresh = next(f for f in results["findings"] if f["resource"]["id"] == "aws_s3_bucket.fresh")
    assert fresh["baseline"] == "new" and code == 1
    assert results["baseline"]["fixed"] == []


def test_bad_baseline_is_bad_input(capsys, tmp_path):
    bad = tmp_path / "baseline.json"
    bad.write_text("{}")
    assert main(check(str(TF / "s3"), "--baseline", str(bad))) == 2
    assert "not an assay results document" in capsys.readouterr().err


def test_inline_suppressions_apply_or_say_why_not(capsys, tmp_path):
    infra = tmp_path / "infra"
    infra.mkdir()
    (infra / "main.tf").write_text(
        '# assay:ignore EX-KMS-01 reason="imported key, rotation by the HSM team" until=2027-01-31\n'
        'resource "aws_kms_key" "waived" {}\n\n'
        'resource "aws_kms_key" "no_reason" { # assay:ignore EX-KMS-01.tf\n}\n\n'
        '# assay:ignore EX-KMS-01 reason="was temporary" until=2026-01-01\n'
        'resource "aws_kms_key" "expired" {}\n\n'
        '# assay:ignore EX-SG-01 reason="another control"\n'
        'resource "aws_kms_key" "other" {}\n')
    out = tmp_path / "r.sarif"
    code = main(check(str(infra), "--format", "sarif", "--out", str(out)))
    _, results = run_json(capsys, str(infra))
    found = {f["resource"]["id"]: f for f in results["findings"]}
    assert found["aws_kms_key.waived"]["status"] == "waived"
    assert found["aws_kms_key.waived"]["waiver"] == "inline:main.tf:1"
    assert found["aws_kms_key.no_reason"]["status"] == "fail"
    assert "it gives no reason" in found["aws_kms_key.no_reason"]["message"]
    assert found["aws_kms_key.expired"]["status"] == "fail"
    assert "expired on 2026-01-01" in found["aws_kms_key.expired"]["message"]
    assert found["aws_kms_key.other"]["status"] == "fail"
    assert code == 1
    sarif = json.loads(out.read_text())["runs"][0]["results"]
    waived = next(r for r in sarif if r["properties"]["resourceId"] == "aws_kms_key.waived")
    assert waived["suppressions"][0]["kind"] == "inSource"


def test_unknown_count_gives_one_unknown_instance(capsys):
    _, results = run_json(capsys, str(TF / "countfe"))
    found = {f["resource"]["id"]: f for f in results["findings"]}
    star = found["aws_kms_key.replica[*]"]
    assert star["status"] == "unknown" and "var.replicas is not set" in star["message"]
    assert found["aws_kms_key.numbered[0]"]["status"] == "pass"
    assert found["aws_kms_key.numbered[1]"]["status"] == "fail"
    assert not any(i.startswith("aws_kms_key.none") for i in found)


def test_reference_to_a_key_arn_exists_before_apply(capsys, tmp_path):
    infra = tmp_path / "infra"
    infra.mkdir()
    (infra / "main.tf").write_text(
        'resource "aws_kms_key" "logs" {\n  enable_key_rotation = true\n}\n'
        'resource "aws_cloudwatch_log_group" "ref" {\n  kms_key_id = aws_kms_key.logs.arn\n}\n'
        'resource "aws_cloudwatch_log_group" "var" {\n  kms_key_id = var.key\n}\n'
        'resource "aws_cloudwatch_log_group" "none" {}\nvariable "key" {}\n')
    controls = tmp_path / "controls"
    controls.mkdir()
    (controls / "EX-LOG-01.yaml").write_text(
        "id: EX-LOG-01\ntitle: Log groups are encrypted\nobjective: Logs need the key.\n"
        "severity: medium\nframeworks: {soc2: [CC6.1]}\nchecks:\n  - id: tf\n"
        "    source: terraform\n    resource: aws_cloudwatch_log_group\n"
        "    assert: {path: kms_key_id, exists: true}\n    remediation: Set kms_key_id.\n")
    main(["check", str(infra), "--controls", str(controls), "--no-builtin", "--as-of", AS_OF,
          "--format", "json"])
    found = statuses(json.loads(capsys.readouterr().out))
    assert found == {"aws_cloudwatch_log_group.ref": "pass",  # the ARN will exist
                     "aws_cloudwatch_log_group.var": "unknown", "aws_cloudwatch_log_group.none": "fail"}
