"""Baselines match findings by control, check and resource id — never by line."""

from __future__ import annotations

from engine.baseline import apply_baseline, new_failures
from engine.results import Results
from engine.status import Status
from tests.reports.premerge import finding, make_results


def test_moved_resource_is_existing_and_renamed_one_is_new_and_fixed():
    baseline = make_results([
        finding("ENC-S3-01", "tf", Status.FAIL, "aws_s3_bucket.logs", file="main.tf", line=3),
        finding("ENC-S3-01", "tf", Status.FAIL, "aws_s3_bucket.old", file="main.tf", line=9),
        finding("KMS-ROT-01", "tf", Status.FAIL, "aws_kms_key.k", file="kms.tf", line=1),
    ])
    current = make_results([
        # moved to another file and line: still the same finding
        finding("ENC-S3-01", "tf", Status.FAIL, "aws_s3_bucket.logs", file="s3.tf", line=40),
        # renamed: a new finding, and the old one is gone
        finding("ENC-S3-01", "tf", Status.FAIL, "aws_s3_bucket.new", file="main.tf", line=9),
        finding("KMS-ROT-01", "tf", Status.PASS, "aws_kms_key.k", file="kms.tf", line=1),
    ])
    marked = apply_baseline(current, baseline, "baseline.json")
    states = {f.resource.id: f.baseline for f in marked.findings}
    assert states == {"aws_s3_bucket.logs": "existing", "aws_s3_bucket.new": "new",
                      "aws_kms_key.k": None}
    assert [f.resource.id for f in new_failures(marked)] == ["aws_s3_bucket.new"]
    assert marked.baseline is not None and marked.baseline.file == "baseline.json"
    assert sorted(f.resource.id for f in marked.baseline.fixed) == [
        "aws_kms_key.k", "aws_s3_bucket.old"]
    assert Results.from_json(marked.to_json()) == marked  # survives the JSON contract


def test_same_resource_other_check_is_new():
    baseline = make_results([finding("KMS-ROT-01", "tf", Status.FAIL, "aws_kms_key.k")])
    current = make_results([finding("KMS-ROT-01", "plan", Status.FAIL, "aws_kms_key.k")])
    marked = apply_baseline(current, baseline)
    assert [f.baseline for f in marked.findings] == ["new"]


def test_unknown_findings_are_never_marked_and_never_count():
    baseline = make_results([])
    current = make_results([finding("ENC-S3-01", "tf", Status.UNKNOWN, "aws_s3_bucket.b")])
    marked = apply_baseline(current, baseline)
    assert marked.findings[0].baseline is None and new_failures(marked) == []
