"""Logs read from a moto-served S3 bucket (real botocore over HTTP on 127.0.0.1)."""

from __future__ import annotations

import gzip
import hashlib
import random
import uuid
from datetime import timedelta
from pathlib import Path

import boto3
import orjson
from logfixtures import PERIOD_START, FakeContext, cloudtrail, control, noise

from engine.event_checks import run_event_checks
from engine.model import Event
from engine.status import Status
from evidence.auditlog.collectors import CloudTrailCollector
from evidence.interface import CollectRequest

PREFIX = "AWSLogs/123456789012/CloudTrail/eu-west-1/2026/"


def upload(endpoint: str) -> tuple[str, dict[str, bytes], dict[str, object]]:
    rng = random.Random(31)
    bucket = f"trail-{uuid.uuid4().hex[:10]}"
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket=bucket)
    root = cloudtrail(rng, PERIOD_START + timedelta(days=33), "ConsoleLogin", identity="Root")
    bodies = {
        f"{PREFIX}02/01/b.json.gz": gzip.compress(orjson.dumps({"Records": noise(rng, 4)
                                                                + [root]}), mtime=0),
        f"{PREFIX}01/31/a.json.gz": gzip.compress(orjson.dumps({"Records": noise(rng, 3)}),
                                                  mtime=0),
        "AWSLogs/123456789012/CloudTrail-Digest/eu-west-1/2026/02/01/d.json.gz":
            gzip.compress(b'{"digestStartTime": "2026-02-01T00:00:00Z"}', mtime=0),
        f"{PREFIX}02/02/cut.json.gz": gzip.compress(orjson.dumps({"Records": noise(rng, 9)}),
                                                    mtime=0)[:40],
    }
    for key, body in bodies.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    return bucket, bodies, root


def test_cloudtrail_from_an_s3_prefix(moto_server: str, tmp_path: Path) -> None:
    bucket, bodies, root = upload(moto_server)
    config = {"paths": [f"s3://{bucket}/AWSLogs/"],
              "aws": {"endpoint_url": moto_server, "profile": None}}
    ctx = FakeContext(base_dir=tmp_path)
    events = [e for e in CloudTrailCollector(config, ctx).collect(CollectRequest())
              if isinstance(e, Event)]
    a, b = f"s3://{bucket}/{PREFIX}01/31/a.json.gz", f"s3://{bucket}/{PREFIX}02/01/b.json.gz"
    assert [e.location for e in events] == [f"{a}:{i}" for i in (1, 2, 3)] + [
        f"{b}:{i}" for i in (1, 2, 3, 4, 5)]
    cut = f"s3://{bucket}/{PREFIX}02/02/cut.json.gz"
    assert [(loc, m.split(": ", 1)[1][:15]) for m, loc in ctx.errors] == [
        (cut, "truncated gzip ")]
    manifest = ctx.manifest("cloudtrail")
    assert [(i["name"], i["sha256"]) for i in manifest["inputs"]] == [
        (f"s3://{bucket}/{key}", hashlib.sha256(bodies[key]).hexdigest())
        for key in sorted(bodies) if "Digest" not in key]

    ctl = control("LOG-ROOT-01", {"id": "root", "source": "cloudtrail", "expect": "none",
                                  "events": {"where": {"path": "userIdentity.type",
                                                       "eq": "Root"}}})
    (outcome,) = run_event_checks("cloudtrail", events, [(ctl, ctl.checks[0], {})],
                                  ctx.period_start, ctx.period_end, ctx.as_of)
    assert outcome.status is Status.FAIL
    assert outcome.findings[0].resource.id == root["eventID"]
    assert outcome.findings[0].resource.location.file == b


def test_an_unreachable_bucket_is_an_error_naming_it(moto_server: str, tmp_path: Path
                                                     ) -> None:
    config = {"paths": ["s3://no-such-bucket-here/logs/"],
              "aws": {"endpoint_url": moto_server}}
    ctx = FakeContext(base_dir=tmp_path)
    assert list(CloudTrailCollector(config, ctx).collect(CollectRequest())) == []
    ((message, location),) = ctx.errors
    assert location == "s3://no-such-bucket-here/logs/"
    assert message.startswith("s3://no-such-bucket-here/logs/: cannot list objects")
    assert "NoSuchBucket" in message
