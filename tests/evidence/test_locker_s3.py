"""The S3 evidence locker against a moto server on 127.0.0.1 (real botocore, real HTTP)."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from evidence.locker import LockerError, open_locker
from evidence.locker_s3 import S3Locker

_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    saved = {k: os.environ.get(k) for k in (*_CREDENTIALS, "AWS_PROFILE")}
    os.environ.update(_CREDENTIALS)
    os.environ.pop("AWS_PROFILE", None)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _client(endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")


@pytest.fixture
def bucket(s3_endpoint: str) -> str:
    name = f"locker-{uuid.uuid4().hex[:12]}"
    _client(s3_endpoint).create_bucket(Bucket=name)
    return name


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_s3_locker_layout_and_round_trip(s3_endpoint: str, bucket: str) -> None:
    locker = open_locker(f"s3://{bucket}/nightly/", Path("."),
                         {"endpoint_url": s3_endpoint})
    assert isinstance(locker, S3Locker)
    assert locker.spec == f"s3://{bucket}/nightly"
    locker.ensure_writable()
    data = b'{"Buckets": [{"Name": "docs"}]}'
    sha = _sha(data)
    locker.put_object(sha, data)
    client = _client(s3_endpoint)
    stored = client.get_object(Bucket=bucket, Key=f"nightly/objects/{sha[:2]}/{sha}")["Body"].read()
    assert gzip.decompress(stored) == data
    assert locker.get_object(sha) == data and locker.has_object(sha)

    digest = locker.write_run("2026-06-30T020000Z-a1", b'{"run": 1}', {"artifacts": [sha]})
    manifest = client.get_object(Bucket=bucket,
                                 Key="nightly/runs/2026-06-30T020000Z-a1/manifest.json")["Body"].read()
    assert digest == _sha(manifest)
    assert json.loads(manifest)["results_sha256"] == _sha(b'{"run": 1}')
    assert locker.list_runs() == ["2026-06-30T020000Z-a1"]
    assert locker.read_run("2026-06-30T020000Z-a1") == b'{"run": 1}'
    with pytest.raises(LockerError, match="already exists"):
        locker.write_run("2026-06-30T020000Z-a1", b"{}", {})


def test_identical_objects_are_put_once(s3_endpoint: str) -> None:
    name = f"locker-{uuid.uuid4().hex[:12]}"
    client = _client(s3_endpoint)
    client.create_bucket(Bucket=name)
    client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    locker = open_locker(f"s3://{name}", Path("."), {"endpoint_url": s3_endpoint})
    for _ in range(3):
        locker.put_object(_sha(b"same"), b"same")
    versions = client.list_object_versions(Bucket=name)["Versions"]
    assert len(versions) == 1


def test_run_without_manifest_does_not_exist(s3_endpoint: str, bucket: str) -> None:
    client = _client(s3_endpoint)
    # What a scan killed between its two PUTs leaves behind.
    client.put_object(Bucket=bucket, Key="runs/half/results.json", Body=b"{}")
    locker = open_locker(f"s3://{bucket}", Path("."), {"endpoint_url": s3_endpoint})
    locker.write_run("whole", b"{}", {})
    assert locker.list_runs() == ["whole"]
    with pytest.raises(LockerError, match="has no run half"):
        locker.read_run("half")


def test_object_lock_retention_is_applied_when_the_bucket_has_it(s3_endpoint: str) -> None:
    name = f"locked-{uuid.uuid4().hex[:12]}"
    client = _client(s3_endpoint)
    client.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    locker = open_locker(f"s3://{name}/p", Path("."),
                         {"endpoint_url": s3_endpoint}, retention=timedelta(days=30))
    locker.put_object(_sha(b"evidence"), b"evidence")
    locker.write_run("r1", b"{}", {})
    for key in (f"p/objects/{_sha(b'evidence')[:2]}/{_sha(b'evidence')}", "p/runs/r1/manifest.json"):
        head = client.head_object(Bucket=name, Key=key)
        assert head["ObjectLockMode"] == "COMPLIANCE"
        until = head["ObjectLockRetainUntilDate"]
        assert timedelta(days=29) < until - datetime.now(UTC) <= timedelta(days=30)


def test_bucket_default_retention_accepts_locker_writes(s3_endpoint: str) -> None:
    name = f"locked-{uuid.uuid4().hex[:12]}"
    client = _client(s3_endpoint)
    client.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    client.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled",
        "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 7}}})
    locker = open_locker(f"s3://{name}", Path("."), {"endpoint_url": s3_endpoint})
    locker.write_run("r1", b"{}", {})  # S3 requires Content-MD5 here; the locker sends it
    assert locker.list_runs() == ["r1"]


def test_missing_bucket_is_one_clear_error(s3_endpoint: str) -> None:
    locker = open_locker("s3://no-such-bucket-here/x", Path("."),
                         {"endpoint_url": s3_endpoint})
    for action in (locker.ensure_writable, locker.list_runs,
                   lambda: locker.put_object(_sha(b"x"), b"x"),
                   lambda: locker.write_run("r1", b"{}", {})):
        with pytest.raises(LockerError) as info:
            action()
        assert str(info.value) == ("evidence locker s3://no-such-bucket-here/x: "
                                   "bucket no-such-bucket-here does not exist")
        assert info.value.exit_code == 2


def test_unreachable_endpoint_is_an_error_not_a_traceback() -> None:
    locker = open_locker("s3://b", Path("."),
                         {"endpoint_url": "http://127.0.0.1:9"})
    with pytest.raises(LockerError, match="cannot reach the bucket") as info:
        locker.ensure_writable()
    assert info.value.exit_code == 3


def test_object_lock_setting_not_readable(s3_endpoint: str) -> None:
    """A nightly role may lack s3:GetBucketObjectLockConfiguration (moto cannot deny one
    call, so botocore's Stubber answers it): without a configured retention the locker
    still writes; with one it cannot honour, it says so."""
    from botocore.stub import Stubber

    for retention, expect_error in ((None, False), (timedelta(days=30), True)):
        client = _client(s3_endpoint)
        locker = S3Locker(client, "any-bucket", "p", retention=retention)
        with Stubber(client) as stub:
            stub.add_client_error("get_object_lock_configuration", "AccessDenied", http_status_code=403)
            if expect_error:
                with pytest.raises(LockerError, match="Object Lock configuration: access denied"):
                    locker.object_lock()
            else:
                assert locker.object_lock() == {}
