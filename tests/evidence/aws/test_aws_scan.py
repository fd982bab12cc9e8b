"""End to end: `assay scan` with the shipped library over the seeded moto estate,
and the engine's own collect context (engine.collect.SourceContext)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.cli import main
from engine.collect import SourceContext
from evidence import registry
from evidence.aws.collector import AwsCollector
from evidence.interface import CollectRequest
from evidence.redact import redact
from tests.evidence.aws.aws_estate import ACCOUNT, PLANTED_PASSWORD, REGIONS, ROLE_ARN, Estate
from tests.evidence.aws.aws_fakes import RecordingContext
from tests.evidence.aws.test_aws_failures import deny

AS_OF = datetime.now(UTC) + timedelta(days=100)  # the seeded access keys are 100 days old


LIBRARY = Path(__file__).resolve().parents[3] / "controls" / "library"


def scan(estate: Estate, tmp: Path, *controls: str) -> tuple[int, dict[str, Any]]:
    """``assay scan`` with the shipped library, or only the named shipped controls."""
    config = {"organization": "assay tests", "frameworks": ["soc2", "pci-dss"],
              "sources": {"aws": {"endpoint_url": estate.endpoint_url, "regions": list(REGIONS),
                                  "accounts": [{"id": ACCOUNT, "role_arn": ROLE_ARN}],
                                  "max_workers": 8}}}
    path = tmp / "assay.yaml"
    path.write_text(yaml.safe_dump(config))
    only = [arg for c in controls
            for arg in ("--controls", str(next(LIBRARY.rglob(f"{c}.yaml"))))]
    code = main(["scan", "-c", str(path), "--out-dir", str(tmp / "out"), "--format", "json",
                 "--as-of", AS_OF.strftime("%Y-%m-%dT%H:%M:%SZ"),
                 *(["--no-builtin", *only] if controls else [])])
    return code, json.loads((tmp / "out" / "results.json").read_text())


def aws_findings(results: dict[str, Any], control: str) -> dict[str, str]:
    return {f["resource"]["id"]: f["status"] for f in results["findings"]
            if f["control_id"] == control and f["source"] == "aws"}


@pytest.fixture(scope="module")
def scanned(estate: Estate, tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Any]:
    return scan(estate, tmp_path_factory.mktemp("scan"))


def test_scan_passes_the_good_and_fails_the_bad(estate: Estate, scanned: Any) -> None:
    code, results = scanned
    assert code == 1  # failing findings
    assert results["run"]["complete"] is True and not results["run"]["errors"]
    ids = estate.ids
    for region in REGIONS:
        volume = f"arn:aws:ec2:{region}:{ACCOUNT}:volume/"
        expected = {
            "ENC-EBS-01": (volume + ids[f"vol_good_{region}"], volume + ids[f"vol_bad_{region}"]),
            "ENC-KMS-01": (ids[f"key_good_{region}"], ids[f"key_bad_{region}"]),
            "LOG-CT-02": (ids[f"trail_good_{region}"], ids[f"trail_bad_{region}"]),
            "TLS-ELB-01": (ids[f"listener_good_{region}"], ids[f"listener_bad_{region}"]),
            "NET-S3-02": (f"arn:aws:s3:::assay-good-{region}", f"arn:aws:s3:::assay-bad-{region}"),
            "NET-RDS-01": (f"arn:aws:rds:{region}:{ACCOUNT}:db:assay-good-db",
                           f"arn:aws:rds:{region}:{ACCOUNT}:db:assay-bad-db"),
            "TLS-RDS-01": (f"arn:aws:rds:{region}:{ACCOUNT}:pg:assay-good-pg",
                           f"arn:aws:rds:{region}:{ACCOUNT}:pg:assay-bad-pg"),
        }
        for control, (good, bad) in expected.items():
            found = aws_findings(results, control)
            assert found.get(good) == "pass", (control, good, found)
            assert found.get(bad) == "fail", (control, bad, found)
    sg = aws_findings(results, "NET-SG-01")
    assert [s for i, s in sg.items() if ids["sg_bad_us-east-1"] in i] == ["fail"]
    assert [s for i, s in sg.items() if ids["sg_good_us-east-1"] in i] == ["pass"]
    keys = aws_findings(results, "IAM-KEY-01")  # age measured at the pinned as-of
    assert keys[f"arn:aws:iam::{ACCOUNT}:user/assay-bad-user"] == "fail"
    assert keys[f"arn:aws:iam::{ACCOUNT}:user/assay-good-user"] == "pass"
    guardduty = {i.split(":")[3]: s for i, s in aws_findings(results, "DET-GD-01").items()}
    assert guardduty == {"us-east-1": "pass", "eu-west-1": "fail"}
    # every call is in the results' artifact list, and no planted secret is
    calls = [a for a in results["artifacts"] if a["collector"] == "aws"]
    assert calls and all(a["query"]["caller_arn"] for a in calls)
    # the scanning identity's own account is asked only who it is and to assume the role
    assert {a["query"]["operation"] for a in calls if a["query"]["account"] != ACCOUNT} \
        == {"GetCallerIdentity"}
    assert PLANTED_PASSWORD not in json.dumps(results["artifacts"])


def test_denied_service_is_not_collected_end_to_end(estate: Estate, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    class DeniedEc2Volumes(AwsCollector):
        def __init__(self, config: Any, context: Any) -> None:
            super().__init__(config, context,
                             hooks=[deny("ec2", "DescribeVolumes", "UnauthorizedOperation")])

    monkeypatch.setitem(registry._extra, "aws", DeniedEc2Volumes)
    code, results = scan(estate, tmp_path, "ENC-EBS-01", "ENC-KMS-01")
    volumes = [c for c in results["controls"] if c["id"] == "ENC-EBS-01"][0]
    [check] = [c for c in volumes["checks"] if c["source"] == "aws"]
    assert check["status"] == "not_collected"  # never pass
    assert volumes["status"] != "pass"
    report = [s for s in results["run"]["sources"] if s["name"] == "aws"][0]
    assert {g["scope"] for g in report["not_collected"]} == {f"{ACCOUNT}/{r}" for r in REGIONS}
    kms = aws_findings(results, "ENC-KMS-01")
    assert kms[estate.ids["key_bad_eu-west-1"]] == "fail"  # other services still read


def test_through_the_engine_context(estate: Estate, tmp_path: Path) -> None:
    stored: dict[str, bytes] = {}

    class Store:
        def put_object(self, sha256: str, data: bytes) -> None:
            stored[sha256] = data

    as_of = RecordingContext().as_of
    context = SourceContext(source="aws", collector_version=AwsCollector.version, as_of=as_of,
                            period_start=as_of, period_end=as_of, base_dir=tmp_path,
                            redact=redact, store=Store())
    collector = AwsCollector(estate.config(), context)
    found = list(collector.collect(CollectRequest(types=frozenset({"aws.s3.bucket"}))))
    assert len([r for r in found if "assay-" in r.id]) == 2 * len(REGIONS)
    assert len(context.artifacts) == context.counts["aws.api_calls"]
    assert len(stored) == len({a.sha256 for a in context.artifacts})
    assert all(a.collector == "aws" and a.query["caller_arn"] for a in context.artifacts)
    assert not any(PLANTED_PASSWORD.encode() in data for data in stored.values())
