"""Generated audit-log fixtures (fixed seeds): CloudTrail, Kubernetes audit, application logs."""

from __future__ import annotations

import gzip
import random
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from engine.model import Control
from evidence.testing import RecordingContext

PERIOD_START = datetime(2026, 1, 1, tzinfo=UTC)
PERIOD_END = datetime(2026, 6, 30, 23, 59, 59, tzinfo=UTC)
AS_OF = datetime(2026, 7, 1, tzinfo=UTC)

NOISE = ["DescribeInstances", "GetObject", "PutObject", "ListBuckets", "AssumeRole",
         "GetCallerIdentity", "DescribeTrails", "CreateTags"]


@dataclass
class FakeContext(RecordingContext):
    """The recording context with this suite's dates; log collectors never report a
    scope as not collected (an unreadable input is an error)."""

    as_of: datetime = AS_OF
    period_start: datetime = PERIOD_START
    period_end: datetime = PERIOD_END

    def not_collected(self, types: Iterable[str], scope: str, reason: str) -> None:
        raise AssertionError("log collectors report unreadable inputs as errors")

    def manifest(self, source: str) -> dict[str, Any]:
        result: dict[str, Any] = orjson.loads(self.artifact(f"{source}-manifest.json").data)
        return result


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def event_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128)))


def cloudtrail(rng: random.Random, when: datetime, name: str | None = None, *,
               identity: str = "IAMUser", user: str = "alice", **extra: Any) -> dict[str, Any]:
    """A CloudTrail record shaped like the real ones."""
    account = "123456789012"
    record: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": {"type": identity, "principalId": f"AIDA{rng.getrandbits(40):X}",
                         "arn": f"arn:aws:iam::{account}:user/{user}" if identity != "Root"
                         else f"arn:aws:iam::{account}:root", "accountId": account},
        "eventTime": iso(when),
        "eventSource": "signin.amazonaws.com" if name == "ConsoleLogin" else "ec2.amazonaws.com",
        "eventName": name or rng.choice(NOISE),
        "awsRegion": "eu-west-1",
        "sourceIPAddress": f"203.0.113.{rng.randrange(1, 255)}",
        "userAgent": "Mozilla/5.0",
        "requestParameters": None,
        "responseElements": None,
        "eventID": event_id(rng),
        "readOnly": True,
        "eventType": "AwsConsoleSignIn" if name == "ConsoleLogin" else "AwsApiCall",
        "recipientAccountId": account,
    }
    record.update(extra)
    return record


def noise(rng: random.Random, count: int, start: datetime = PERIOD_START,
          days: int = 180) -> list[dict[str, Any]]:
    span = days * 86400
    return [cloudtrail(rng, start + timedelta(seconds=rng.randrange(span))) for _ in range(count)]


def write_records(path: Path, records: list[dict[str, Any]], *, gz: bool = True) -> Path:
    """A CloudTrail delivery file: ``{"Records": [...]}``, gzip-compressed by default."""
    data = orjson.dumps({"Records": records})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    return path


def write_jsonl(path: Path, records: Iterable[Mapping[str, Any] | str], *,
                gz: bool = False) -> Path:
    lines = [r if isinstance(r, str) else orjson.dumps(r).decode() for r in records]
    data = ("\n".join(lines) + "\n").encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    return path


def k8s_event(rng: random.Random, when: datetime, *, verb: str = "get",
              resource: str = "pods", subresource: str | None = None,
              user: str = "system:serviceaccount:kube-system:controller",
              groups: list[str] | None = None, stage: str = "ResponseComplete",
              namespace: str = "default", name: str = "web-0") -> dict[str, Any]:
    ref: dict[str, Any] = {"resource": resource, "namespace": namespace, "name": name,
                           "apiVersion": "v1"}
    if subresource:
        ref["subresource"] = subresource
    stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
        "auditID": event_id(rng), "stage": stage,
        "requestURI": f"/api/v1/namespaces/{namespace}/{resource}/{name}"
                      + (f"/{subresource}" if subresource else ""),
        "verb": verb,
        "user": {"username": user, "groups": groups or ["system:serviceaccounts"]},
        "sourceIPs": ["10.0.0.7"], "objectRef": ref,
        "responseStatus": {"metadata": {}, "code": 101 if subresource == "exec" else 200},
        "requestReceivedTimestamp": stamp, "stageTimestamp": stamp,
    }


def control(control_id: str, check: Mapping[str, Any], *, severity: str = "high",
            params: Mapping[str, Any] | None = None) -> Control:
    return Control.model_validate({
        "id": control_id, "title": f"{control_id} title", "objective": "Tested activity.",
        "severity": severity, "frameworks": {"soc2": ["CC7.2"]}, "params": dict(params or {}),
        "checks": [{"remediation": "Investigate.", **check}],
    })
