"""Generate the demo estate's CloudTrail and application audit logs (fixed seed).

    python examples/finai-nexus/generate_logs.py [OUT_DIR]

The same bytes every time: a seeded random generator, gzip without timestamps.
Planted in the first half of 2026, for the controls to find:

- a root console sign-in (2026-02-14),
- a console sign-in without MFA (2026-04-22, j.okafor),
- CloudTrail stopped for two days (2026-03-14 18:05 → 2026-03-16 19:40), with the
  StopLogging and StartLogging calls that bracket the hole,
- the Q2 access review missing from the platform's audit log (Q1 done 2026-01-12).
"""

from __future__ import annotations

import gzip
import json
import random
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SEED = 2026
ACCOUNT = "123456789012"
START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2026, 6, 30, 23, 0, tzinfo=UTC)
HOLE = (datetime(2026, 3, 14, 18, 5, tzinfo=UTC), datetime(2026, 3, 16, 19, 40, tzinfo=UTC))
ROOT_LOGIN = datetime(2026, 2, 14, 3, 12, 45, tzinfo=UTC)
NO_MFA_LOGIN = datetime(2026, 4, 22, 21, 47, 3, tzinfo=UTC)
ACCESS_REVIEWS = [datetime(2026, 1, 12, 15, 30, tzinfo=UTC)]  # Q2 review never happened

USERS = ["a.mensah", "b.kowalski", "d.osei", "e.lindqvist", "j.okafor"]
ROLES = ["finai-deploy", "finai-app", "finai-analytics-etl"]
CALLS = [
    ("s3.amazonaws.com", "GetObject", {"bucketName": "finai-learner-documents"}),
    ("s3.amazonaws.com", "PutObject", {"bucketName": "finai-learner-documents"}),
    ("kms.amazonaws.com", "Decrypt", {"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}),
    ("ec2.amazonaws.com", "DescribeInstances", {}),
    ("rds.amazonaws.com", "DescribeDBInstances", {}),
    ("sts.amazonaws.com", "AssumeRole", {"roleSessionName": "deploy"}),
    ("cloudtrail.amazonaws.com", "LookupEvents", {}),
    ("iam.amazonaws.com", "ListUsers", {}),
]
APP_ACTIONS = ["login", "course.view", "course.publish", "grade.update", "learner.export",
               "payment.refund", "role.assign"]


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _event_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _identity(rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.7:
        role = rng.choice(ROLES)
        return {"type": "AssumedRole", "principalId": f"AROA{role.upper()[:12]}:session",
                "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/session",
                "accountId": ACCOUNT}
    user = rng.choice(USERS)
    return {"type": "IAMUser", "principalId": f"AIDA{user.upper().replace('.', '')}",
            "arn": f"arn:aws:iam::{ACCOUNT}:user/{user}", "accountId": ACCOUNT,
            "userName": user}


def _record(rng: random.Random, when: datetime, source: str, name: str,
            params: dict[str, Any], identity: dict[str, Any] | None = None,
            **extra: Any) -> dict[str, Any]:
    record = {
        "eventVersion": "1.09", "userIdentity": identity or _identity(rng),
        "eventTime": _ts(when), "eventSource": source, "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": f"203.0.113.{rng.randint(2, 250)}",
        "userAgent": rng.choice(["aws-cli/2.15.30", "Boto3/1.34.69", "console.amazonaws.com"]),
        "requestParameters": params or None, "responseElements": None,
        "requestID": _event_id(rng), "eventID": _event_id(rng),
        "readOnly": name.startswith(("Get", "Describe", "List", "Lookup")),
        "eventType": "AwsApiCall", "managementEvent": source != "s3.amazonaws.com",
        "recipientAccountId": ACCOUNT, "eventCategory": "Management",
    }
    record.update(extra)
    return record


def _console_login(rng: random.Random, when: datetime, identity: dict[str, Any],
                   mfa: str) -> dict[str, Any]:
    return _record(rng, when, "signin.amazonaws.com", "ConsoleLogin", {}, identity,
                   eventType="AwsConsoleSignIn", responseElements={"ConsoleLogin": "Success"},
                   additionalEventData={"MFAUsed": mfa, "LoginTo": "https://console.aws.amazon.com/"})


def _user(name: str) -> dict[str, Any]:
    return {"type": "IAMUser", "principalId": f"AIDA{name.upper().replace('.', '')}",
            "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}", "accountId": ACCOUNT, "userName": name}


def cloudtrail_records(rng: random.Random) -> list[dict[str, Any]]:
    records = []
    hour = START
    while hour < END:
        for _ in range(rng.randint(1, 4)):
            when = hour + timedelta(seconds=rng.randint(0, 3599))
            if HOLE[0] <= when <= HOLE[1] or when > END:
                continue
            source, name, params = rng.choice(CALLS)
            records.append(_record(rng, when, source, name, params))
        if hour.hour == 8 and hour.weekday() < 5:  # morning console sign-ins, with MFA
            when = hour + timedelta(minutes=rng.randint(0, 59))
            records.append(_console_login(rng, when, _user(rng.choice(USERS)), "Yes"))
        hour += timedelta(hours=1)
    root = {"type": "Root", "principalId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:root",
            "accountId": ACCOUNT}
    trail = {"name": "finai-trail"}
    ops = _user("ops-automation")
    records += [
        _console_login(rng, ROOT_LOGIN, root, "Yes"),
        _console_login(rng, NO_MFA_LOGIN, _user("j.okafor"), "No"),
        _record(rng, HOLE[0], "cloudtrail.amazonaws.com", "StopLogging", trail, ops),
        _record(rng, HOLE[1], "cloudtrail.amazonaws.com", "StartLogging", trail, ops),
    ]
    records.sort(key=lambda r: (r["eventTime"], r["eventID"]))
    return records


def app_records(rng: random.Random) -> list[dict[str, Any]]:
    records = []
    moment = START + timedelta(minutes=rng.randint(1, 30))
    while moment < END:
        action = rng.choice(APP_ACTIONS)
        records.append({"ts": _ts(moment), "user": rng.choice(USERS), "event": action,
                        "resource": f"course/{rng.randint(100, 999)}",
                        "result": "success" if rng.random() < 0.97 else "denied",
                        "ip": f"198.51.100.{rng.randint(2, 250)}"})
        moment += timedelta(minutes=rng.randint(20, 160))
    for when in ACCESS_REVIEWS:
        records.append({"ts": _ts(when), "user": "p.raman", "event": "access_review.completed",
                        "resource": "review/2026-q1", "result": "success",
                        "ip": "198.51.100.7"})
    records.sort(key=lambda r: r["ts"])
    return records


def write(out_dir: Path) -> tuple[int, int]:
    rng = random.Random(SEED)
    trail = cloudtrail_records(rng)
    app = app_records(rng)
    ct_dir = out_dir / "cloudtrail"
    app_dir = out_dir / "app"
    for folder in (ct_dir, app_dir):
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.rglob("*"):
            if old.is_file():
                old.unlink()
    by_day: dict[str, list[dict[str, Any]]] = {}
    for record in trail:
        by_day.setdefault(record["eventTime"][:10], []).append(record)
    for day, records in sorted(by_day.items()):
        name = f"{ACCOUNT}_CloudTrail_us-east-1_{day.replace('-', '')}.json.gz"
        body = json.dumps({"Records": records}, separators=(",", ":")).encode()
        (ct_dir / name).write_bytes(gzip.compress(body, mtime=0))
    by_month: dict[str, list[str]] = {}
    for record in app:
        by_month.setdefault(record["ts"][:7], []).append(json.dumps(record, sort_keys=True))
    for month, lines in sorted(by_month.items()):
        (app_dir / f"platform-audit-{month}.jsonl").write_text("\n".join(lines) + "\n")
    return len(trail), len(app)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "logs"
    n_trail, n_app = write(target)
    print(f"wrote {n_trail} CloudTrail events and {n_app} application audit records to {target}")
