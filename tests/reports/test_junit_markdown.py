"""JUnit and Markdown outputs for the pre-merge check."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from engine.status import Severity, Status
from reports.junit import JunitRenderer
from reports.markdown import LIMIT, MarkdownRenderer
from tests.reports.premerge import finding, make_results, sample


def test_junit_one_testcase_per_finding_grouped_by_control():
    root = ET.fromstring(JunitRenderer().render(sample()))
    assert root.tag == "testsuites"
    suites = {s.get("name").split()[0]: s for s in root.findall("testsuite")}
    assert set(suites) == {"ENC-S3-01", "KMS-ROT-01", "assay"}
    enc = suites["ENC-S3-01"]
    assert (enc.get("tests"), enc.get("failures"), enc.get("skipped")) == ("4", "1", "2")
    case = next(c for c in enc.findall("testcase") if c.get("name") == "aws_s3_bucket.logs")
    assert case.find("failure").get("type") == "high"
    assert "Fix ENC-S3-01 tf." in case.find("failure").text
    kms = suites["KMS-ROT-01"]
    assert kms.get("errors") == "1"
    unknown = next(c for c in enc.findall("testcase") if c.get("name") == "aws_s3_bucket.b[*]")
    assert unknown.find("skipped").get("message") == "unknown: var.n is not set"
    assert root.get("tests") == "7" and root.get("failures") == "2" and root.get("errors") == "2"


def test_markdown_new_failures_first_then_unknown_and_errors():
    text = MarkdownRenderer().render(sample()).decode()
    assert text.index("### Failures") < text.index("### Could not be decided")
    assert text.index("ENC-S3-01") < text.index("KMS-ROT-01")  # high before medium
    assert "`aws_s3_bucket.logs` at `main.tf:12`" in text
    assert "var.n is not set" in text
    assert "### Collection errors (1)" in text and "`bad.tf:3`" in text
    # the collection errors explain the broken checks, so they come before them
    assert text.index("### Collection errors") < text.index("### Checks that broke")
    assert "The run is incomplete" in text
    assert "Fix ENC-S3-01 tf." in text


def test_markdown_escapes_untrusted_text():
    hostile = finding("ENC-S3-01", "tf", Status.FAIL, "aws_s3_bucket.x`](http://evil)",
                      message="<img src=x onerror=alert(1)> **bold** @team [link](http://e)")
    text = MarkdownRenderer().render(make_results([hostile])).decode()
    assert "<img" not in text and "&lt;img" in text
    assert "**bold**" not in text and "[link](http://e)" not in text
    assert "\\[link\\](http://e)" in text  # shown literally, not as a link
    assert "`](http://evil)" not in text
    assert "@team" not in text


def test_markdown_truncates_with_a_count():
    many = [finding("ENC-S3-01", "tf", Status.FAIL, f"aws_s3_bucket.b{i:05d}",
                    message="x" * 150, severity=Severity.HIGH) for i in range(2000)]
    text = MarkdownRenderer().render(make_results(many)).decode()
    assert len(text) < LIMIT
    shown = text.count("- `aws_s3_bucket.b")
    assert 0 < shown < 2000
    assert f"{2000 - shown} more item(s) not shown" in text


def test_junit_reads_back_with_a_junit_reader(tmp_path):
    from junitparser import Error, Failure, JUnitXml, Skipped

    path = tmp_path / "results.junit.xml"
    path.write_bytes(JunitRenderer().render(sample()))
    xml = JUnitXml.fromfile(str(path))
    cases = {(suite.name.split()[0], case.name): case for suite in xml for case in suite}
    logs = cases[("ENC-S3-01", "aws_s3_bucket.logs")]
    assert isinstance(logs.result[0], Failure) and logs.classname == "ENC-S3-01.tf"
    assert isinstance(cases[("ENC-S3-01", "aws_s3_bucket.b[*]")].result[0], Skipped)
    assert isinstance(cases[("KMS-ROT-01", "aws_kms_key.z")].result[0], Error)
    assert cases[("ENC-S3-01", "aws_s3_bucket.data")].is_passed
    assert xml.tests == 7 and xml.failures == 2 and xml.errors == 2 and xml.skipped == 2
