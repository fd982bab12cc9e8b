"""AWS split by region into shards and merged, against the session's moto server.

The estate lives in an account of its own (assumed through STS), so other tests'
resources in the moto server are not in it. Two regions each hold a compliant and
a non-compliant security group, KMS key and bucket; the merged run of the two
region shards must equal the single scan of both regions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from engine.cli import main

ACCOUNT = "246813579024"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/assay-audit"
REGIONS = ["eu-west-1", "us-east-1"]
LOCKER_BUCKET = "assay-shard-test-locker"

CONTROLS = {
    "T-SG-01": """
id: T-SG-01
title: No SSH from the internet
objective: Administrators come through a bastion.
severity: high
frameworks: {soc2: [CC6.6]}
checks:
  - id: aws
    source: aws
    resource: aws.ec2.security_group
    where: {path: GroupName, ne: default}
    assert:
      no_item:
        path: IpPermissions
        where:
          all:
            - {path: IpRanges.CidrIp, cidr_open: true}
            - {path: FromPort, lte: 22}
            - {path: ToPort, gte: 22}
    remediation: Close port 22 to 0.0.0.0/0.
""",
    "T-KMS-01": """
id: T-KMS-01
title: Keys rotate
objective: Key material is replaced yearly.
severity: medium
frameworks: {soc2: [CC6.1]}
checks:
  - id: aws
    source: aws
    resource: aws.kms.key
    assert: {path: KeyRotationEnabled, eq: true}
    remediation: Enable rotation.
""",
    "T-S3-01": """
id: T-S3-01
title: Buckets are versioned
objective: Objects can be recovered.
severity: low
frameworks: {soc2: [A1.2]}
checks:
  - id: aws
    source: aws
    resource: aws.s3.bucket
    assert: {path: Versioning.Status, eq: Enabled}
    remediation: Enable versioning.
""",
}


def _session(endpoint: str) -> boto3.session.Session:
    sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1")
    creds = sts.assume_role(RoleArn=ROLE, RoleSessionName="seed")["Credentials"]
    return boto3.session.Session(aws_access_key_id=creds["AccessKeyId"],
                                 aws_secret_access_key=creds["SecretAccessKey"],
                                 aws_session_token=creds["SessionToken"])


def _seed(endpoint: str) -> None:
    session = _session(endpoint)
    for region in REGIONS:
        ec2 = session.client("ec2", endpoint_url=endpoint, region_name=region)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        for name, cidr in (("open-ssh", "0.0.0.0/0"), ("office-ssh", "198.51.100.0/24")):
            group = ec2.create_security_group(GroupName=f"{name}-{region}", Description=name,
                                              VpcId=vpc)["GroupId"]
            ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[{
                "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                "IpRanges": [{"CidrIp": cidr}]}])
        kms = session.client("kms", endpoint_url=endpoint, region_name=region)
        rotated = kms.create_key(Description="rotated")["KeyMetadata"]["KeyId"]
        kms.enable_key_rotation(KeyId=rotated)
        kms.create_key(Description="never rotated")
        s3 = session.client("s3", endpoint_url=endpoint, region_name=region)
        extra: dict[str, Any] = {} if region == "us-east-1" else {
            "CreateBucketConfiguration": {"LocationConstraint": region}}
        for name, versioned in (("kept", True), ("loose", False)):
            bucket = f"shard-test-{name}-{region}"
            s3.create_bucket(Bucket=bucket, **extra)
            if versioned:
                s3.put_bucket_versioning(Bucket=bucket,
                                         VersioningConfiguration={"Status": "Enabled"})


@pytest.fixture(scope="module")
def estate(moto_server: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    _seed(moto_server)
    boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1").create_bucket(
        Bucket=LOCKER_BUCKET)
    root = tmp_path_factory.mktemp("aws-estate")
    (root / "controls").mkdir()
    for control_id, text in CONTROLS.items():
        (root / "controls" / f"{control_id}.yaml").write_text(text)
    (root / "assay.yaml").write_text(json.dumps({
        "organization": "Shard Test", "frameworks": ["soc2"],
        "period": {"start": "2026-01-01", "end": "2026-06-30"},
        "as_of": "2026-06-30T02:00:00Z", "controls": ["./controls"],
        "locker": f"s3://{LOCKER_BUCKET}/nightly",
        "sources": {"aws": {"regions": REGIONS, "endpoint_url": moto_server, "max_workers": 4,
                            "accounts": [{"id": ACCOUNT, "role_arn": ROLE}]}},
    }))
    return root / "assay.yaml"


def _scan(config: Path, out: Path, *shard: str) -> dict[str, Any]:
    argv = ["scan", "-c", str(config), "--out-dir", str(out)]
    for spec in shard:
        argv += ["--shard", spec]
    assert main(argv) == 1  # each half holds a failing resource
    loaded: dict[str, Any] = json.loads((out / "results.json").read_text())
    return loaded


def test_region_shards_merge_to_the_single_scan(estate: Path, tmp_path: Path, moto_server: str,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    endpoint = moto_server
    single = _scan(estate, tmp_path / "single")
    assert single["run"]["complete"], single["run"]["errors"]
    failing = sorted(f["resource"]["id"] for f in single["findings"]
                     if f["status"] == "fail" and f["control_id"] == "T-S3-01")
    assert failing == ["arn:aws:s3:::shard-test-loose-eu-west-1",
                       "arn:aws:s3:::shard-test-loose-us-east-1"]
    # The single scan's run holds the group id the merged run will have: take it out.
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    for name in ("manifest.json", "results.json"):
        s3.delete_object(Bucket=LOCKER_BUCKET, Key=f"nightly/runs/{single['run']['id']}/{name}")
    parts = [_scan(estate, tmp_path / region, f"regions={region}") for region in REGIONS]
    for region, part in zip(REGIONS, parts, strict=True):  # for the overlap test
        (estate.parent / f"shard-{region}.json").write_text(json.dumps(part))
    assert [p["run"]["shard"]["regions"] for p in parts] == [[r] for r in REGIONS]
    assert {p["run"]["group_id"] for p in parts} == {single["run"]["id"]}
    assert main(["merge", "--as-of", "2026-06-30T02:00:00Z", "-c", str(estate),
                 "--out-dir", str(tmp_path / "merged")]) == 1
    merged = json.loads((tmp_path / "merged" / "results.json").read_text())
    for key in ("findings", "frameworks", "summary"):
        assert merged[key] == single[key], key
    strip = [{**c, "checks": [{k: v for k, v in ch.items() if k != "message"}
                              for ch in c["checks"]]} for c in merged["controls"]]
    assert strip == [{**c, "checks": [{k: v for k, v in ch.items() if k != "message"}
                                      for ch in c["checks"]]} for c in single["controls"]]
    assert merged["run"]["id"] == single["run"]["id"]
    scope = next(s for s in merged["run"]["sources"] if s["name"] == "aws")["scope"]
    assert sorted(scope["regions"]) == REGIONS
    # A fresh runner (no history cache) reads the night from the bucket alone.
    monkeypatch.setenv("ASSAY_CACHE_DIR", str(tmp_path / "fresh-cache"))
    capsys.readouterr()
    assert main(["history", "-c", str(estate), "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert sorted(r["run_id"] for r in runs) == sorted(
        [merged["run"]["id"], *(p["run"]["id"] for p in parts)])
    assert [r["shard"] for r in runs if r["run_id"] == merged["run"]["id"]] == [None]


def test_overlapping_region_shards_are_refused(estate: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    # A shard over both regions (as the scan would record it) beside the us-east-1 one.
    us = json.loads((estate.parent / "shard-us-east-1.json").read_text())
    both = json.loads(json.dumps(us))
    both["run"]["id"] = "20260630T020000Z-both"
    both["run"]["shard"]["regions"] = REGIONS
    for name, doc in (("us.json", us), ("both.json", both)):
        (tmp_path / name).write_text(json.dumps(doc))
    capsys.readouterr()
    assert main(["merge", str(tmp_path / "both.json"), str(tmp_path / "us.json"),
                 "--locker", str(tmp_path / "lk"), "--out-dir", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err
    assert f"shards 20260630T020000Z-both and {us['run']['id']} overlap" in err
    assert "both read aws (accounts: all configured; regions: us-east-1)" in err
    assert not (tmp_path / "m").exists()
