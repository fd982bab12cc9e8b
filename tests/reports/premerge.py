"""A small results document shaped like an `assay check` run on Terraform (pre-merge renderers)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.model import Finding, Location, ResourceRef
from engine.results import (
    CheckCounts,
    CheckResult,
    ControlResult,
    Period,
    Results,
    RunError,
    RunInfo,
)
from engine.status import Severity, Status

WHEN = datetime(2026, 6, 30, 12, tzinfo=UTC)


def finding(control: str, check: str, status: Status, resource_id: str, *, file: str | None =
            "main.tf", line: int | None = 3, message: str = "no value; expected true",
            severity: Severity = Severity.HIGH, waiver: str | None = None,
            type_: str = "aws_s3_bucket") -> Finding:
    return Finding(control_id=control, check_id=check, status=status, severity=severity,
                   source="terraform",
                   resource=ResourceRef(type=type_, id=resource_id,
                                        location=Location(file=file, line=line)),
                   message=message, waiver=waiver)


def control(cid: str, severity: Severity, status: Status, checks: list[str],
            frameworks: dict[str, list[str]] | None = None) -> ControlResult:
    return ControlResult(
        id=cid, title=f"Title of {cid}", objective=f"Objective of {cid}.", severity=severity,
        frameworks=frameworks or {"pci-dss": ["3.5.1"], "soc2": ["CC6.1"]}, status=status,
        checks=[CheckResult(id=c, source="terraform", status=status,
                            remediation=f"Fix {cid} {c}.", counts=CheckCounts())
                for c in checks])


def make_results(findings: list[Finding], *, complete: bool = True,
                 errors: list[RunError] | None = None) -> Results:
    summary: dict[str, int] = {}
    for f in findings:
        summary[f.status.value] = summary.get(f.status.value, 0) + 1
    return Results(
        run=RunInfo(id="run-1", started=WHEN, finished=WHEN, as_of=WHEN, tool_version="0.1.0",
                    library_digest="l" * 8, config_digest="c" * 8,
                    period=Period(start=WHEN, end=WHEN), frameworks_in_scope=["pci-dss"],
                    complete=complete, errors=errors or []),
        findings=findings,
        controls=[control("ENC-S3-01", Severity.HIGH, Status.FAIL, ["tf"]),
                  control("KMS-ROT-01", Severity.MEDIUM, Status.FAIL, ["tf", "plan"])],
        frameworks=[],
        summary=summary,
    )


def sample() -> Results:
    return make_results([
        finding("ENC-S3-01", "tf", Status.FAIL, "aws_s3_bucket.logs", line=12),
        finding("ENC-S3-01", "tf", Status.PASS, "aws_s3_bucket.data", line=20),
        finding("ENC-S3-01", "tf", Status.UNKNOWN, "aws_s3_bucket.b[*]",
                message="var.n is not set"),
        finding("ENC-S3-01", "tf", Status.WAIVED, "aws_s3_bucket.site",
                waiver="inline:main.tf:40"),
        finding("KMS-ROT-01", "tf", Status.FAIL, "module.x.aws_kms_key.k",
                file="modules/key/main.tf", line=1, severity=Severity.MEDIUM,
                type_="aws_kms_key"),
        finding("KMS-ROT-01", "plan", Status.ERROR, "aws_kms_key.z", file=None, line=None,
                severity=Severity.MEDIUM, message="evaluation broke", type_="aws_kms_key"),
    ], complete=False, errors=[RunError(source="terraform", message="cannot parse bad.tf",
                                        location="bad.tf:3")])


def schema_path(name: str) -> Path:
    """The shared schemas folder beside the repository (CI), else the workplace copy."""
    repo = Path(__file__).resolve().parents[2]
    for candidate in (repo.parent / "shared" / "schemas" / name,
                      Path("/work/shared/schemas") / name):
        if candidate.exists():
            return candidate
    pytest.skip(f"{name} not found beside the repository")
    raise AssertionError


