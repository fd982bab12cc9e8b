"""Realistic results documents for tests, benchmarks and report previews.

Shipped with the package (as structlog ships ``testing``) so the renderer tests and
``bench/reports.py`` build the same documents. Every roll-up here is computed with
the engine's own rules (``worst``, ``requirement_status``) rather than typed in, so
a document is internally consistent: control status follows its findings and
requirement status follows its controls.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from engine.model import Finding, Location, ResourceRef, Window
from engine.results import (
    ArtifactRecord,
    AttestationFile,
    AttestationRecord,
    CheckCounts,
    CheckResult,
    ControlResult,
    FrameworkResult,
    Period,
    RequirementResult,
    Results,
    RunError,
    RunInfo,
    SourceReport,
    WaiverRecord,
    WaiverSummary,
)
from engine.status import RequirementStatus, Severity, Status, requirement_status, worst

AS_OF = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
HOSTILE_NAME = "<b>x</b> & <font size=72>"
FORMULA_MESSAGE = "=cmd|' /C calc'!A0 tag on a bucket without default encryption"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --------------------------------------------------------------------------- catalogs

_CATALOGS: dict[str, tuple[str, str, list[tuple[str, str]]]] = {
    "soc2": ("SOC 2 Trust Services Criteria", "2017 (rev. 2022)", [
        ("CC6.1", "Logical access security over protected information assets"),
        ("CC6.2", "User registration and authorization before access is granted"),
        ("CC6.3", "Role-based access is authorized, modified and removed"),
        ("CC6.6", "Protection against threats from outside system boundaries"),
        ("CC6.7", "Transmission of information is restricted and protected"),
        ("CC7.2", "System components are monitored for anomalies"),
        ("CC7.3", "Security events are evaluated"),
        ("A1.2", "Backup and recovery infrastructure is in place"),
        ("C1.1", "Confidential information is identified and protected"),
    ]),
    "iso27001": ("ISO/IEC 27001", "2022", [
        ("A.5.15", "Access control rules are established"),
        ("A.5.18", "Access rights are provisioned, reviewed and removed"),
        ("A.5.23", "Information security for use of cloud services"),
        ("A.7.4", "Physical security monitoring"),
        ("A.8.5", "Secure authentication"),
        ("A.8.13", "Information backup"),
        ("A.8.15", "Logging"),
        ("A.8.20", "Networks security"),
        ("A.8.24", "Use of cryptography"),
    ]),
    "pci-dss": ("PCI DSS", "4.0.1", [
        ("1.3.1", "Inbound traffic to the cardholder data environment is restricted"),
        ("3.5.1", "Stored account data is rendered unreadable"),
        ("8.4.2", "MFA for all access into the cardholder data environment"),
        ("10.2.1", "Audit logs are enabled and active for all system components"),
        ("10.5.1", "Audit log history is retained for at least 12 months"),
        ("12.8.1", "A list of third-party service providers is maintained"),
    ]),
}
_NOT_APPLICABLE = {"iso27001": {"A.7.4": "No physical premises; cloud provider is responsible (see CSP SOC 2)."}}
_NOT_COVERED = {"pci-dss": {"12.8.1": "Tracked in the vendor management process, outside assay."}}


# --------------------------------------------------------------------------- builders


def _finding(control: str, check: str, status: Status, severity: Severity, source: str,
             rtype: str, rid: str, message: str, location: Location | None = None,
             **extra: Any) -> Finding:
    return Finding(control_id=control, check_id=check, status=status, severity=severity,
                   source=source, resource=ResourceRef(type=rtype, id=rid,
                                                       location=location or Location()),
                   message=message, **extra)


def _counts(findings: list[Finding]) -> CheckCounts:
    c = Counter(f.status for f in findings)
    return CheckCounts(tested=len(findings), pass_=c[Status.PASS], fail=c[Status.FAIL],
                       unknown=c[Status.UNKNOWN], waived=c[Status.WAIVED],
                       error=c[Status.ERROR], not_collected=c[Status.NOT_COLLECTED])


def _check(cid: str, source: str, findings: list[Finding], remediation: str,
           status: Status | None = None, message: str = "", **extra: Any) -> CheckResult:
    return CheckResult(id=cid, source=source, remediation=remediation, message=message,
                       status=status or worst(f.status for f in findings),
                       counts=_counts(findings), **extra)


def _frameworks(controls: list[ControlResult], catalogs: dict[str, tuple[str, str, list[tuple[str, str]]]],
                not_applicable: dict[str, dict[str, str]],
                not_covered: dict[str, dict[str, str]]) -> list[FrameworkResult]:
    out = []
    for fid, (name, version, reqs) in sorted(catalogs.items()):
        requirements = []
        for rid, title in reqs:
            mapped = [c for c in controls if rid in c.frameworks.get(fid, [])]
            status = requirement_status(c.status for c in mapped)
            if rid in not_applicable.get(fid, {}):
                status = RequirementStatus.NOT_APPLICABLE
            requirements.append(RequirementResult(id=rid, title=title, status=status,
                                                  controls=[c.id for c in mapped]))
        summary = Counter(str(r.status) for r in requirements)
        out.append(FrameworkResult(id=fid, name=name, version=version, summary=dict(sorted(summary.items())),
                                   requirements=requirements,
                                   not_applicable=not_applicable.get(fid, {}),
                                   not_covered=not_covered.get(fid, {})))
    return out


def _run(complete: bool, frameworks: list[str], sources: list[SourceReport],
         errors: list[RunError], run_id: str = "run-20261120T020000Z-7f3a") -> RunInfo:
    return RunInfo(
        id=run_id, started=AS_OF, finished=AS_OF + timedelta(minutes=7, seconds=12),
        as_of=AS_OF, tool_version="0.1.0", library_digest=sha("library"),
        config_digest=sha("config"), organization="FinAI Nexus Ltd",
        period=Period(start=datetime(2026, 8, 1, tzinfo=UTC),
                      end=datetime(2026, 10, 31, 23, 59, 59, tzinfo=UTC)),
        frameworks_in_scope=frameworks, complete=complete, errors=errors, sources=sources,
        manifest_sha256=sha("manifest"),
    )


def _summary(findings: list[Finding]) -> dict[str, int]:
    return dict(sorted(Counter(str(f.status) for f in findings).items()))


# --------------------------------------------------------------------------- the sample run

_ART_TF = ArtifactRecord(sha256=sha("tf-snapshot"), name="terraform/infra.tar", size=48213,
                         media_type="application/x-tar", collector="terraform",
                         query={"paths": ["infra/"], "vars": ["prod.tfvars"]}, item_count=42,
                         complete=True)
_ART_S3 = ArtifactRecord(sha256=sha("aws-s3"), name="aws/123456789012/eu-west-1/s3.json", size=9120,
                         media_type="application/json", collector="aws",
                         query={"operation": "s3:ListBuckets", "pages": 1}, item_count=12,
                         complete=True)
_ART_CT = ArtifactRecord(sha256=sha("cloudtrail"), name="cloudtrail/2026-08..2026-10.jsonl.gz",
                         size=7340032, media_type="application/gzip", collector="cloudtrail",
                         query="s3://finai-trail/AWSLogs/123456789012/ (2026-08-01..2026-10-31)",
                         item_count=118_422, complete=False)
_ART_ATT = ArtifactRecord(sha256=sha("access-review.pdf"), name="attestations/access-review-q3.pdf",
                          size=220311, media_type="application/pdf", collector="manual",
                          query={"attestation": "quarterly-access-review"}, item_count=1, complete=True)


def _tf_loc(line: int) -> Location:
    return Location(file="infra/storage.tf", line=line)


def _aws_loc(arn: str) -> Location:
    return Location(account="123456789012", region="eu-west-1", arn=arn)


def _sample_controls(complete: bool) -> tuple[list[ControlResult], list[Finding]]:
    tf, s3 = _ART_TF.sha256, _ART_S3.sha256
    enc = [
        _finding("ENC-S3-01", "terraform", Status.FAIL, Severity.HIGH, "terraform", "aws_s3_bucket",
                 "aws_s3_bucket.raw_uploads", "server_side_encryption_configuration is absent",
                 _tf_loc(12), artifacts=[tf], baseline="new"),
        _finding("ENC-S3-01", "terraform", Status.FAIL, Severity.HIGH, "terraform", "aws_s3_bucket",
                 HOSTILE_NAME, f"bucket {HOSTILE_NAME} has no encryption", _tf_loc(40),
                 artifacts=[tf], baseline="existing"),
        _finding("ENC-S3-01", "terraform", Status.WAIVED, Severity.HIGH, "terraform", "aws_s3_bucket",
                 "aws_s3_bucket.public_site", "server_side_encryption_configuration is absent",
                 _tf_loc(71), waiver="W-2026-004", artifacts=[tf]),
        _finding("ENC-S3-01", "terraform", Status.PASS, Severity.HIGH, "terraform", "aws_s3_bucket",
                 "aws_s3_bucket.ledger", "encrypted with aws:kms", _tf_loc(90), artifacts=[tf]),
        _finding("ENC-S3-01", "terraform", Status.UNKNOWN, Severity.HIGH, "terraform", "aws_s3_bucket",
                 "module.data.aws_s3_bucket.this[*]", "var.kms_key_arn is not set", Location(
                     file="modules/data/main.tf", line=3), artifacts=[tf]),
        _finding("ENC-S3-01", "aws", Status.PASS, Severity.HIGH, "aws", "aws.s3_bucket",
                 "arn:aws:s3:::finai-ledger", "default encryption aws:kms",
                 _aws_loc("arn:aws:s3:::finai-ledger"), artifacts=[s3]),
        _finding("ENC-S3-01", "aws", Status.FAIL, Severity.HIGH, "aws", "aws.s3_bucket",
                 "arn:aws:s3:::finai-exports", FORMULA_MESSAGE,
                 _aws_loc("arn:aws:s3:::finai-exports"), artifacts=[s3]),
    ]
    mfa = [_finding("IAM-MFA-01", "aws", Status.PASS, Severity.CRITICAL, "aws", "aws.iam_user",
                    f"arn:aws:iam::123456789012:user/{u}", "MFA device attached",
                    _aws_loc(f"arn:aws:iam::123456789012:user/{u}"), artifacts=[s3])
           for u in ("alice", "bob", "carol")]
    gap = Window(start=datetime(2026, 9, 2, 4, tzinfo=UTC), end=datetime(2026, 9, 4, 11, tzinfo=UTC))
    log = [
        _finding("LOG-CT-01", "continuity", Status.FAIL, Severity.MEDIUM, "cloudtrail", "gap",
                 "2026-09-02T04:00:00Z..2026-09-04T11:00:00Z", "no events for 55h (max 24h)",
                 window=gap, artifacts=[_ART_CT.sha256]),
        _finding("LOG-CT-01", "root-usage", Status.FAIL, Severity.MEDIUM, "cloudtrail", "event",
                 "3f1c9a0e-1111-4a2b-9c1e-5d2e8f00aa01", "root user signed in from 203.0.113.9",
                 Location(file="cloudtrail/2026/09/14/part-0003.json.gz", line=118),
                 artifacts=[_ART_CT.sha256]),
    ]
    review = [_finding("ACC-REVIEW-01", "quarterly-review", Status.PASS, Severity.MEDIUM, "manual",
                       "attestation", "quarterly-access-review",
                       "attested by j.doe@finai.example on 2026-10-02",
                       artifacts=[_ART_ATT.sha256])]
    bck = [_finding("BCK-VAULT-01", "vault-lock", Status.MANUAL_PENDING, Severity.LOW, "manual",
                    "attestation", "backup-restore-test", "no attestation named backup-restore-test")]
    net = [_finding("NET-SG-01", "aws", Status.NOT_COLLECTED, Severity.HIGH, "aws",
                    "aws.security_group", "123456789012/us-east-1",
                    "AccessDenied: ec2:DescribeSecurityGroups in us-east-1"),
           _finding("NET-SG-01", "terraform", Status.ERROR, Severity.HIGH, "terraform",
                    "aws_security_group", "aws_security_group.bastion",
                    "could not parse infra/network.tf:14:3: unexpected token",
                    Location(file="infra/network.tf", line=14))]
    if complete:
        net = [f.model_copy(update={"status": Status.PASS, "message": "ingress limited to 443"})
               for f in net]
    controls = [
        ControlResult(id="ACC-REVIEW-01", title="Quarterly user access review",
                      objective="Access rights are reviewed every quarter by the system owner.",
                      severity=Severity.MEDIUM, frameworks={"soc2": ["CC6.2", "CC6.3"],
                                                            "iso27001": ["A.5.18"]},
                      status=worst(f.status for f in review),
                      checks=[_check("quarterly-review", "manual", review,
                                     "Record the quarterly review as an attestation.")]),
        ControlResult(id="BCK-VAULT-01", title="Backups are restorable",
                      objective="A restore test is performed at least yearly.", severity=Severity.LOW,
                      frameworks={"soc2": ["A1.2"], "iso27001": ["A.8.13"]},
                      status=worst(f.status for f in bck),
                      checks=[_check("vault-lock", "manual", bck, "Attest a restore test.",
                                     message="no attestation named backup-restore-test")]),
        ControlResult(id="ENC-S3-01", title="S3 buckets are encrypted at rest",
                      objective="Every S3 bucket encrypts objects at rest with AES-256 or KMS.",
                      severity=Severity.HIGH,
                      frameworks={"soc2": ["CC6.1", "C1.1"], "iso27001": ["A.8.24"],
                                  "pci-dss": ["3.5.1"]},
                      status=worst(f.status for f in enc),
                      checks=[_check("terraform", "terraform", enc[:5],
                                     "Add an aws_s3_bucket_server_side_encryption_configuration."),
                              _check("aws", "aws", enc[5:], "Enable default bucket encryption.")]),
        ControlResult(id="IAM-MFA-01", title="MFA for every human IAM user",
                      objective="Interactive users authenticate with a second factor.",
                      severity=Severity.CRITICAL,
                      frameworks={"soc2": ["CC6.1"], "iso27001": ["A.8.5"], "pci-dss": ["8.4.2"]},
                      status=worst(f.status for f in mfa),
                      checks=[_check("aws", "aws", mfa, "Enforce MFA with an IAM policy.")]),
        ControlResult(id="LOG-CT-01", title="Audit logging is continuous",
                      objective="CloudTrail delivers events without gaps over the audit period.",
                      severity=Severity.MEDIUM,
                      frameworks={"soc2": ["CC7.2"], "iso27001": ["A.8.15"],
                                  "pci-dss": ["10.2.1", "10.5.1"]},
                      status=worst(f.status for f in log),
                      checks=[_check("continuity", "cloudtrail", log[:1], "Investigate delivery gaps.",
                                     population={"read": 118_422, "matching": 118_422, "failing": 1}),
                              _check("root-usage", "cloudtrail", log[1:], "Stop using the root user.",
                                     population={"read": 118_422, "matching": 1, "failing": 1})]),
        ControlResult(id="NET-SG-01", title="No security group open to the internet",
                      objective="Ingress from 0.0.0.0/0 is limited to load balancers on 443.",
                      severity=Severity.HIGH,
                      frameworks={"soc2": ["CC6.6"], "iso27001": ["A.8.20"], "pci-dss": ["1.3.1"]},
                      status=worst(f.status for f in net),
                      checks=[_check("aws", "aws", net[:1], "Restrict ingress.",
                                     message="" if complete else net[0].message),
                              _check("terraform", "terraform", net[1:], "Restrict ingress.")]),
    ]
    return controls, enc + mfa + log + review + bck + net


def _sample_sources(complete: bool) -> list[SourceReport]:
    sources = [
        SourceReport(name="terraform", scope={"paths": ["infra/", "modules/data/"],
                                              "plan_files": ["plan.json"]},
                     counts={"files": 14, "resources": 42}),
        SourceReport(name="aws", scope={"accounts": ["123456789012"],
                                        "regions": ["eu-west-1", "us-east-1"]},
                     counts={"api_calls": 57, "resources": 118}),
        SourceReport(name="cloudtrail", scope={"paths": ["s3://finai-trail/AWSLogs/"]},
                     counts={"events": 118_422, "files": 2_208}),
        SourceReport(name="manual", scope={"paths": ["attestations/"]}, counts={"attestations": 2}),
    ]
    if not complete:
        sources[1].not_collected.append({"types": "aws.security_group", "scope": "123456789012/us-east-1",
                                         "reason": "AccessDenied: ec2:DescribeSecurityGroups"})
        sources[2].notes.append("1 truncated gzip member skipped")
        sources.append(SourceReport(name="k8s_audit", not_collected=[
            {"types": "*", "scope": "-", "reason": "source not configured"}]))
    return sources


def _sample_waivers() -> WaiverSummary:
    base: dict[str, Any] = {"control": "ENC-S3-01", "approver": "ciso@finai.example"}
    return WaiverSummary(
        applied=[WaiverRecord(id="W-2026-004", check="terraform", resources=["aws_s3_bucket.public_site"],
                              justification="Public static website; holds no customer data.",
                              ticket="SEC-1412", expires=datetime(2027, 3, 31, tzinfo=UTC),
                              compensating_controls=["NET-CDN-01"], matched=1, **base)],
        expired=[WaiverRecord(id="W-2026-001", resources=["aws_s3_bucket.tmp_*"],
                              justification="Migration <script>alert(1)</script> window.",
                              ticket="SEC-1200", expires=datetime(2026, 9, 30, tzinfo=UTC), **base)],
        unused=[WaiverRecord(id="W-2026-007", control="NET-SG-01", approver="cto@finai.example",
                             justification="Legacy bastion until decommissioning.",
                             expires=datetime(2027, 1, 15, tzinfo=UTC))],
    )


def _sample_attestations() -> list[AttestationRecord]:
    return [
        AttestationRecord(name="quarterly-access-review", control="ACC-REVIEW-01",
                          owner="j.doe@finai.example", date=datetime(2026, 10, 2, tzinfo=UTC),
                          files=[AttestationFile(path="access-review-q3.pdf",
                                                 sha256=_ART_ATT.sha256, size=_ART_ATT.size)],
                          location=Location(file="attestations/access-review.yaml", line=1),
                          status=Status.PASS, expires=datetime(2027, 10, 2, tzinfo=UTC)),
        AttestationRecord(name="backup-restore-test", control="BCK-VAULT-01",
                          owner="ops@finai.example", date=datetime(2025, 6, 1, tzinfo=UTC),
                          location=Location(file="attestations/backup.yaml", line=1),
                          status=Status.FAIL, expires=datetime(2026, 6, 1, tzinfo=UTC)),
    ]


def sample_results(complete: bool = True) -> Results:
    """A small run over three frameworks with every finding status, waivers applied,
    expired and unused, attestations and artifacts; ``complete=False`` adds run errors
    and sources that were not collected."""
    controls, findings = _sample_controls(complete)
    errors = [] if complete else [
        RunError(source="terraform", message="unexpected token", location="infra/network.tf:14:3"),
        RunError(source="cloudtrail", message="truncated gzip stream",
                 location="cloudtrail/2026/09/02/part-0001.json.gz"),
    ]
    return Results(
        run=_run(complete, sorted(_CATALOGS), _sample_sources(complete), errors),
        findings=findings, controls=controls,
        frameworks=_frameworks(controls, _CATALOGS, _NOT_APPLICABLE, _NOT_COVERED),
        artifacts=sorted([_ART_TF, _ART_S3, _ART_CT, _ART_ATT], key=lambda a: a.sha256),
        attestations=_sample_attestations(), waivers=_sample_waivers(),
        summary=_summary(findings),
    )


# --------------------------------------------------------------------------- the scale run

_SCALE_STATUSES = [Status.FAIL] * 6 + [Status.PASS] * 3 + [Status.UNKNOWN]


def synthetic_results(controls: int = 60, findings: int = 10_000) -> Results:
    """``controls`` controls sharing ``findings`` findings evenly, mapped into three
    catalogs the size of SOC 2, ISO 27001 and PCI DSS — the benchmark's run."""
    catalogs = {
        "soc2": ("SOC 2 (synthetic)", "2017", [(f"CC{i // 10 + 1}.{i % 10 + 1}", f"Criterion {i}")
                                                for i in range(61)]),
        "iso27001": ("ISO/IEC 27001 (synthetic)", "2022", [(f"A.{i // 40 + 5}.{i % 40 + 1}",
                                                             f"Annex A control {i}")
                                                            for i in range(123)]),
        "pci-dss": ("PCI DSS (synthetic)", "4.0.1", [(f"{i // 25 + 1}.{i % 25 // 5 + 1}.{i % 5 + 1}",
                                                      f"Requirement {i}") for i in range(280)]),
    }
    all_findings: list[Finding] = []
    results: list[ControlResult] = []
    art = ArtifactRecord(sha256=sha("scale"), name="terraform/scale.tar", size=1 << 20,
                         media_type="application/x-tar", collector="terraform",
                         query={"paths": ["infra/"]}, item_count=findings, complete=True)
    severities = list(Severity)
    for c in range(controls):
        cid = f"SYN-{c:03d}"
        severity = severities[c % len(severities)]
        share = findings // controls + (1 if c < findings % controls else 0)
        mine = [
            _finding(cid, "terraform", _SCALE_STATUSES[i % len(_SCALE_STATUSES)], severity,
                     "terraform", "aws_s3_bucket", f"module.m{c}.aws_s3_bucket.b{i:05d}",
                     f"attribute {i} does not satisfy the assertion for control {cid}",
                     Location(file=f"infra/m{c}/main.tf", line=i + 1), artifacts=[art.sha256])
            for i in range(share)
        ]
        all_findings += mine
        frameworks = {fid: [reqs[(c * 7 + k) % len(reqs)][0] for k in range(3)]
                      for fid, (_, _, reqs) in catalogs.items()}
        results.append(ControlResult(
            id=cid, title=f"Synthetic control {c}", objective="Synthetic objective for scale.",
            severity=severity, frameworks={k: sorted(set(v)) for k, v in frameworks.items()},
            status=worst(f.status for f in mine) if mine else Status.NOT_APPLICABLE,
            checks=[_check("terraform", "terraform", mine, "Fix the attribute.")]))
    return Results(
        run=_run(True, sorted(catalogs), _sample_sources(True), [], run_id="run-scale"),
        findings=all_findings, controls=results,
        frameworks=_frameworks(results, catalogs, {}, {}), artifacts=[art],
        summary=_summary(all_findings))


# --------------------------------------------------------------------------- reading reports back


def pdf_text(data: bytes) -> str:
    """Every page's text, read back with pypdf (a dev dependency)."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def squash(text: str) -> str:
    """Text without whitespace: table cells wrap long values over several lines."""
    return "".join(text.split())
