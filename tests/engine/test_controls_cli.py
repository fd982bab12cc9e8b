"""``assay controls …`` and ``assay frameworks …`` through ``engine.cli.main``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from engine.cli import main

CATALOGS = str(Path(__file__).parent / "data" / "catalogs")

KMS = """\
id: EX-KMS-01
title: Customer-managed keys rotate yearly
objective: Key material is replaced on schedule.
severity: medium
frameworks: {acme: ["1.1"], demo-fw: [A.1]}
checks:
  - id: tf
    source: terraform
    resource: aws_kms_key
    assert: {path: enable_key_rotation, eq: true}
    remediation: Set enable_key_rotation = true.
"""

POLICY = """\
id: EX-POL-01
title: Security policy | approved yearly
objective: Management approves the policy.
severity: low
frameworks: {acme: ["1.3", "1.1"]}
params:
  reviewer: {default: ciso, description: who approves}
checks:
  - id: attest
    source: manual
    attestation: {name: security policy approval, max_age: 365d}
    remediation: Approve the policy.
"""


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "controls"
    (folder / "crypto").mkdir(parents=True)
    (folder / "crypto" / "EX-KMS-01.yaml").write_text(KMS)
    (folder / "EX-POL-01.yaml").write_text(POLICY)
    return folder


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def opts(library: Path) -> list[str]:
    return ["--controls", str(library), "--no-builtin", "--catalogs", CATALOGS]


def test_validate_ok(library: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "controls", "validate", str(library), "--no-builtin",
                         "--catalogs", CATALOGS)
    assert (code, err) == (0, "")
    assert out.startswith("ok: 2 controls, 2 checks, ")
    assert "catalogs" in out


def test_validate_prints_every_located_line(library: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    bad = library / "EX-BAD-01.yaml"
    bad.write_text(KMS.replace("EX-KMS-01", "EX-BAD-01").replace("medium", "urgent")
                   .replace("source: terraform", "source: terraform\n    colour: red"))
    (library / "EX-BAD-02.yaml").write_text("id: [\n")
    code, out, err = run(capsys, "controls", "validate", str(library), "--no-builtin",
                         "--catalogs", CATALOGS)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{bad}:4:11: severity: expected 'info', 'low', 'medium', 'high' or 'critical', "
        "got 'urgent'",
        f"{bad}:9:5: unknown key 'colour'; expected one of assert, attestation, description, "
        "events, expect, id, remediation, resource, source, where",
        f"{library / 'EX-BAD-02.yaml'}:2:1: invalid YAML: did not find expected node content",
    ]


def test_validate_with_waivers(library: Path, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers:\n  - {id: W-1, control: EX-KMS-01, check: tf, "
                       "justification: j, approver: a, expires: 2026-09-30}\n")
    argv = ["controls", "validate", str(library), "--no-builtin", "--catalogs", CATALOGS,
            "--waivers", str(waivers)]
    code, out, _ = run(capsys, *argv)
    assert code == 0 and out.startswith("ok: 2 controls, 2 checks, ")
    assert out.endswith(", 1 waivers\n")
    waivers.write_text(waivers.read_text().replace("check: tf", "check: aws"))
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err == f"{waivers}:2:42: control EX-KMS-01 has no check 'aws'; its checks: tf\n"


def test_validate_missing_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "controls", "validate", str(tmp_path / "none"), "--no-builtin")
    assert (code, err) == (2, f"{tmp_path / 'none'}: no such file or folder\n")


def test_list_formats(library: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "controls", "list", "--format", "json", *opts(library))
    assert code == 0
    assert json.loads(out) == [
        {"id": "EX-KMS-01", "title": "Customer-managed keys rotate yearly", "severity": "medium",
         "sources": ["terraform"], "frameworks": {"acme": ["1.1"], "demo-fw": ["A.1"]}},
        {"id": "EX-POL-01", "title": "Security policy | approved yearly", "severity": "low",
         "sources": ["manual"], "frameworks": {"acme": ["1.3", "1.1"]}},
    ]
    code, out, _ = run(capsys, "controls", "list", "--format", "markdown", *opts(library))
    assert out.splitlines()[-3:] == [
        "|---|---|---|---|---|",
        "| EX-KMS-01 | Customer-managed keys rotate yearly | medium | terraform | "
        "acme 1.1; demo-fw A.1 |",
        "| EX-POL-01 | Security policy \\| approved yearly | low | manual | acme 1.3, 1.1 |",
    ]
    code, out, _ = run(capsys, "controls", "list", *opts(library))
    assert out.splitlines() == [
        "ID         SEVERITY  SOURCES    FRAMEWORKS    TITLE",
        "EX-KMS-01  medium    terraform  acme,demo-fw  Customer-managed keys rotate yearly",
        "EX-POL-01  low       manual     acme          Security policy | approved yearly",
    ]


def test_list_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tmp_path.joinpath("empty").mkdir()
    code, out, _ = run(capsys, "controls", "list", "--controls", str(tmp_path / "empty"),
                       "--no-builtin")
    assert (code, out) == (0, "no controls\n")


def test_show(library: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "controls", "show", "EX-POL-01", *opts(library))
    assert code == 0
    assert out.splitlines() == [
        "EX-POL-01: Security policy | approved yearly",
        f"  file:       {library / 'EX-POL-01.yaml'}",
        "  severity:   low",
        "  objective:  Management approves the policy.",
        "  frameworks: acme 1.3, 1.1",
        '  param reviewer = "ciso"  (who approves)',
        "  checks:",
        "    attest: manual attestation security policy approval",
        '      attestation: {"name": "security policy approval", "max_age": "365d"}',
        "      remediation: Approve the policy.",
    ]
    code, out, _ = run(capsys, "controls", "show", "EX-KMS-01", *opts(library))
    assert '      assert: {"path": "enable_key_rotation", "eq": true}' in out.splitlines()
    code, out, _ = run(capsys, "controls", "show", "EX-KMS-01", "--format", "json",
                       *opts(library))
    shown = json.loads(out)
    assert shown["checks"][0]["assert"] == {"path": "enable_key_rotation", "eq": True}
    assert shown["file"] == str(library / "crypto" / "EX-KMS-01.yaml")
    code, out, err = run(capsys, "controls", "show", "EX-NOPE-01", *opts(library))
    assert (code, out, err) == (2, "", "unknown control 'EX-NOPE-01'\n")


def test_frameworks_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "frameworks", "list", "--catalogs", CATALOGS, "--format", "json")
    rows = {r["id"]: r for r in json.loads(out)}
    assert rows["acme"] == {"id": "acme", "name": "ACME Security Baseline", "version": "1.0",
                            "requirements": 5}
    code, out, _ = run(capsys, "frameworks", "list", "--catalogs", CATALOGS)
    rows_text = [re.split(r"\s{2,}", line) for line in out.splitlines()]
    assert rows_text[0] == ["ID", "NAME", "VERSION", "REQUIREMENTS"]
    assert ["acme", "ACME Security Baseline", "1.0", "5"] in rows_text


def test_coverage(library: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "frameworks", "coverage", "--framework", "acme",
                       "--format", "json", *opts(library))
    assert code == 0
    assert json.loads(out) == [{
        "framework": "acme", "name": "ACME Security Baseline", "total": 5,
        "automated": 1, "manual": 1, "not_covered": 3,
        "not_covered_ids": ["1.2", "2.1", "2.2"],
        "not_covered_reasons": {"1.2": "no control maps to it",
                                "2.1": "inherited from the cloud provider",
                                "2.2": "no control maps to it"},
    }]
    code, out, _ = run(capsys, "frameworks", "coverage", "--framework", "acme",
                       "--framework", "demo-fw", *opts(library))
    assert out.splitlines() == [
        "acme (ACME Security Baseline): 5 requirements — 1 automated, 1 manual only, "
        "3 not covered",
        "  1.2  no control maps to it",
        "  2.1  inherited from the cloud provider",
        "  2.2  no control maps to it",
        "",
        "demo-fw (Demo Framework): 2 requirements — 1 automated, 0 manual only, 1 not covered",
        "  A.2  no control maps to it",
    ]
    code, _, err = run(capsys, "frameworks", "coverage", "--framework", "nope", *opts(library))
    assert code == 2
    assert err.startswith("unknown framework 'nope'; expected one of ")


def test_builtin_catalog_totals(capsys: pytest.CaptureFixture[str]) -> None:
    """DESIGN's totals, whatever the shipped library covers: nothing is silently absent."""
    code, out, _ = run(capsys, "frameworks", "coverage", "--format", "json")
    assert code == 0
    rows = {r["framework"]: r for r in json.loads(out)}
    assert {k: r["total"] for k, r in rows.items()} == {
        "gdpr": 119, "hipaa": 65, "iso27001": 123, "pci-dss": 280, "soc2": 61}
    for row in rows.values():
        assert row["automated"] + row["manual"] + row["not_covered"] == row["total"]
        assert len(row["not_covered_ids"]) == row["not_covered"]
