"""SARIF output validates against the 2.1.0 schema and points at code."""

from __future__ import annotations

import json

import jsonschema

from engine.baseline import apply_baseline
from engine.status import Status
from reports.sarif import SarifRenderer
from tests.reports.premerge import finding, make_results, sample, schema_path


def render(results):
    return json.loads(SarifRenderer().render(results))


def test_validates_against_the_schema():
    schema = json.loads(schema_path("sarif-schema-2.1.0.json").read_text())
    document = render(sample())
    jsonschema.Draft7Validator(schema).validate(document)
    baseline = apply_baseline(sample(), make_results([
        finding("ENC-S3-01", "tf", Status.FAIL, "aws_s3_bucket.logs"),
        finding("ENC-S3-01", "tf", Status.FAIL, "aws_s3_bucket.gone")]))
    jsonschema.Draft7Validator(schema).validate(render(baseline))


def test_rules_results_regions_and_fingerprints():
    run = render(sample())["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert set(rules) == {"ENC-S3-01.tf", "KMS-ROT-01.tf", "KMS-ROT-01.plan"}
    assert "pci-dss:3.5.1" in rules["ENC-S3-01.tf"]["properties"]["tags"]
    assert "Fix ENC-S3-01 tf." in rules["ENC-S3-01.tf"]["help"]["text"]
    results = run["results"]
    ids = [r["properties"]["resourceId"] for r in results]
    assert "aws_s3_bucket.data" not in ids  # passing findings are not alerts
    logs = next(r for r in results if r["properties"]["resourceId"] == "aws_s3_bucket.logs")
    assert logs["kind"] == "fail" and logs["level"] == "error"
    region = logs["locations"][0]["physicalLocation"]
    assert region == {"artifactLocation": {"uri": "main.tf"}, "region": {"startLine": 12}}
    unknown = next(r for r in results if r["properties"]["status"] == "unknown")
    assert unknown["kind"] == "review" and "var.n is not set" in unknown["message"]["text"]
    waived = next(r for r in results if r["properties"]["status"] == "waived")
    assert waived["suppressions"][0]["kind"] == "inSource"
    assert "aws_kms_key.z" not in ids  # no file: not a code-scanning alert, but counted
    assert run["properties"]["findingsWithoutFile"] == 1
    assert run["invocations"][0]["executionSuccessful"] is False


def test_fingerprints_ignore_line_moves():
    base = sample()
    moved = base.model_copy(update={"findings": [
        f.model_copy(update={"resource": f.resource.model_copy(update={
            "location": f.resource.location.model_copy(update={"line": 99})})})
        for f in base.findings]})
    prints = [r["partialFingerprints"] for r in render(base)["runs"][0]["results"]]
    moved_prints = [r["partialFingerprints"] for r in render(moved)["runs"][0]["results"]]
    assert prints == moved_prints
    assert len({p["assayFinding/v1"] for p in prints}) == len(prints)


def test_deterministic_bytes():
    assert SarifRenderer().render(sample()) == SarifRenderer().render(sample())
