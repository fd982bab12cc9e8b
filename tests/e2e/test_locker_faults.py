"""assay scan against a locker that cannot take the run: one clear line, the locker as it was."""

from __future__ import annotations

import errno
import json
import os
from datetime import date
from pathlib import Path

import pytest

from engine.cli import main

CONTROL = """
id: T-KMS-01
title: Keys rotate
objective: Key material is replaced yearly.
severity: medium
frameworks: {soc2: [CC6.1]}
checks:
  - id: tf
    source: terraform
    resource: aws_kms_key
    assert: {path: enable_key_rotation, eq: true}
    remediation: Set enable_key_rotation = true.
"""


def _estate(root: Path, locker: str, endpoint: str | None = None) -> Path:
    (root / "infra").mkdir()
    (root / "infra" / "main.tf").write_text(
        'resource "aws_kms_key" "a" {\n  enable_key_rotation = true\n}\n')
    (root / "controls").mkdir()
    (root / "controls" / "T-KMS-01.yaml").write_text(CONTROL)
    config = {"frameworks": ["soc2"], "as_of": "2026-06-30T02:00:00Z",
              "controls": ["./controls"], "locker": locker,
              "sources": {"terraform": {"paths": ["infra/"]}}}
    if endpoint:
        config["sources"]["aws"] = {"endpoint_url": endpoint, "regions": ["us-east-1"]}
    (root / "assay.yaml").write_text(json.dumps(config))
    return root / "assay.yaml"


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_missing_s3_bucket_stops_the_scan_before_any_work(
        tmp_path: Path, moto_server: str, capsys: pytest.CaptureFixture[str]) -> None:
    config = _estate(tmp_path, "s3://no-such-assay-locker/nightly", moto_server)
    out = tmp_path / "out"
    # the aws source is configured for its endpoint only; the shard runs terraform alone
    assert main(["scan", "-c", str(config), "--out-dir", str(out),
                 "--shard", "sources=terraform"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["evidence locker s3://no-such-assay-locker/nightly: "
                   "bucket no-such-assay-locker does not exist"]
    assert not out.exists()


def test_full_disk_during_the_run_leaves_the_locker_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = _estate(tmp_path, ".assay")
    assert main(["scan", "-c", str(config), "--out-dir", str(tmp_path / "first"),
                 "--as-of", "2026-06-29T02:00:00Z"]) == 0
    locker = tmp_path / ".assay"
    before = _files(locker)
    capsys.readouterr()

    real_fsync, calls = os.fsync, []

    def full(fd: int) -> None:  # the disk fills after the up-front writability probe
        calls.append(fd)
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full)
    (tmp_path / "infra" / "main.tf").write_text(  # new evidence, so the locker must write
        'resource "aws_kms_key" "a" {\n  enable_key_rotation = false\n}\n')
    code = main(["scan", "-c", str(config), "--out-dir", str(tmp_path / "second")])
    assert code == 3
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1].startswith("evidence locker .assay: cannot write run ")
    assert "no space left on device; nothing of this run was kept" in err
    assert "Traceback" not in err
    assert _files(locker) == before
    assert not (tmp_path / "second" / "results.json").exists()


def test_unwritable_locker_folder_is_bad_input(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "taken").write_text("a file where the locker folder should be")
    config = _estate(tmp_path, "taken")
    assert main(["scan", "-c", str(config), "--out-dir", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.strip() == "evidence locker taken is not a folder"
    assert not (tmp_path / "out").exists()


def test_scan_writes_with_the_configured_object_lock_retention(tmp_path: Path,
                                                                moto_server: str) -> None:
    import boto3

    s3 = boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1")
    s3.create_bucket(Bucket="assay-locked-locker", ObjectLockEnabledForBucket=True)
    config = _estate(tmp_path, "s3://assay-locked-locker/nightly", moto_server)
    data = json.loads(config.read_text())
    data["locker_retention"] = "400d"
    config.write_text(json.dumps(data))
    assert main(["scan", "-c", str(config), "--out-dir", str(tmp_path / "out"),
                 "--shard", "sources=terraform"]) == 0
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="assay-locked-locker")["Contents"]]
    assert any(k.endswith("/manifest.json") for k in keys)
    assert any("/objects/" in k for k in keys)
    for key in keys:
        head = s3.head_object(Bucket="assay-locked-locker", Key=key)
        assert head["ObjectLockMode"] == "COMPLIANCE", key
        assert (head["ObjectLockRetainUntilDate"].date() - date.today()).days in (399, 400)


@pytest.mark.parametrize("after", [0.8, 1.6])
def test_a_scan_killed_at_any_point_leaves_no_half_run(tmp_path: Path, after: float) -> None:
    import signal
    import subprocess
    import sys
    import time

    from evidence.locker import LocalLocker

    config = _estate(tmp_path, ".assay")
    assay = Path(sys.executable).parent / "assay"  # the console script beside this python
    proc = subprocess.Popen([str(assay), "scan", "-c", str(config),
                             "--out-dir", str(tmp_path / "killed")],
                            cwd=Path(__file__).resolve().parents[2],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(after)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    locker = LocalLocker(tmp_path / ".assay")
    for run_id in locker.list_runs():  # whatever is visible is whole
        json.loads(locker.read_run(run_id))
    assert main(["scan", "-c", str(config), "--out-dir", str(tmp_path / "next")]) == 0
    assert len(locker.list_runs()) == 1
