"""Audit-log benchmark: CloudTrail-shaped gzip ``Records`` files, five event checks, one pass.

Generates 0.5 M and 2 M events (about 1 KB per record, 1,000 records per
delivery file, as CloudTrail writes them) in a temporary folder, then reads
each set with the cloudtrail collector and evaluates five event checks in one
streaming pass, in a fresh process per size so its peak RSS is its own.
Prints events per second and peak RSS for both sizes, and the RSS difference.

Targets (issue 5): at least 100,000 events/s on one core; peak RSS of the two
sizes within 20 MB of each other. The pass is single-threaded.

    python -m bench.logs [--sizes 500000,2000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import orjson

PER_FILE = 1000
START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2026, 6, 30, 23, 59, 59, tzinfo=UTC)
SIZES = (500_000, 2_000_000)

CHECKS: list[Mapping[str, Any]] = [
    {"id": "root-login", "source": "cloudtrail", "expect": "none", "events": {"where": {
        "all": [{"path": "eventName", "eq": "ConsoleLogin"},
                {"path": "userIdentity.type", "eq": "Root"}]}}},
    {"id": "mfa", "source": "cloudtrail",
     "events": {"where": {"path": "eventName", "eq": "ConsoleLogin"}},
     "assert": {"path": "additionalEventData.MFAUsed", "eq": "Yes"}},
    {"id": "trail-off", "source": "cloudtrail", "expect": "none", "events": {
        "where": {"path": "eventName", "in": ["StopLogging", "DeleteTrail", "UpdateTrail"]}}},
    {"id": "iam-changes", "source": "cloudtrail", "expect": "none", "events": {"where": {
        "all": [{"path": "eventSource", "eq": "iam.amazonaws.com"},
                {"path": "eventName", "matches": "^(Attach|Put|Delete)(User|Role)Policy$"}]}}},
    {"id": "continuity", "source": "cloudtrail", "events": {}, "expect": {"max_gap": "1h"}},
]

NAMES = ["DescribeInstances", "GetObject", "PutObject", "AssumeRole", "ListBuckets",
         "GetCallerIdentity", "DescribeSecurityGroups", "CreateTags", "Decrypt",
         "GenerateDataKey"]


# --------------------------------------------------------------------------- generation


def _record(rng: random.Random, when: datetime) -> dict[str, Any]:
    account = "123456789012"
    roll = rng.random()
    name = rng.choice(NAMES)
    source = "ec2.amazonaws.com"
    extra: dict[str, Any] = {}
    identity = "AssumedRole"
    if roll < 0.001:
        name, source = "ConsoleLogin", "signin.amazonaws.com"
        identity = "Root" if roll < 0.0001 else "IAMUser"
        extra["additionalEventData"] = {"MFAUsed": "Yes" if roll < 0.0008 else "No",
                                        "LoginTo": "https://console.aws.amazon.com/"}
    elif roll < 0.0012:
        name, source = rng.choice(["AttachRolePolicy", "PutUserPolicy"]), "iam.amazonaws.com"
    session = f"session-{rng.getrandbits(32):08x}"
    return {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": identity, "principalId": f"AROA{rng.getrandbits(64):016X}:{session}",
            "arn": f"arn:aws:sts::{account}:assumed-role/app-role/{session}",
            "accountId": account, "accessKeyId": f"ASIA{rng.getrandbits(64):016X}",
            "sessionContext": {
                "sessionIssuer": {"type": "Role", "principalId": f"AROA{rng.getrandbits(40):X}",
                                  "arn": f"arn:aws:iam::{account}:role/app-role",
                                  "accountId": account, "userName": "app-role"},
                "attributes": {"creationDate": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                               "mfaAuthenticated": "false"}}},
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": source,
        "eventName": name,
        "awsRegion": "eu-west-1",
        "sourceIPAddress": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}",
        "userAgent": "aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21.5",
        "requestParameters": {"instancesSet": {"items": [
            {"instanceId": f"i-{rng.getrandbits(64):016x}"}]}},
        "responseElements": None,
        "requestID": str(uuid.UUID(int=rng.getrandbits(128))),
        "eventID": str(uuid.UUID(int=rng.getrandbits(128))),
        "readOnly": True,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
        **extra,
    }


def generate(folder: Path, count: int, seed: int = 1) -> tuple[int, int]:
    """Write ``count`` events as gzip Records files; return (files, uncompressed bytes).

    Records are drawn from a pool of 20,000 generated ones (so about two root
    logins, twenty console logins and a few IAM policy changes per pool), each
    with its own eventTime, eventID and requestID.
    """
    rng = random.Random(seed)
    pool = [_record(rng, START) for _ in range(20_000)]
    step = (END - START).total_seconds() / count
    files = raw = 0
    for first in range(0, count, PER_FILE):
        records = []
        for i in range(first, min(first + PER_FILE, count)):
            record = dict(pool[rng.randrange(len(pool))])
            record["eventTime"] = (START + timedelta(seconds=i * step)).strftime(
                "%Y-%m-%dT%H:%M:%SZ")
            record["eventID"] = str(uuid.UUID(int=rng.getrandbits(128)))
            record["requestID"] = str(uuid.UUID(int=rng.getrandbits(128)))
            records.append(record)
        data = orjson.dumps({"Records": records})
        raw += len(data)
        when = START + timedelta(seconds=first * step)
        path = folder / when.strftime("%Y/%m/%d") / f"123456789012_CloudTrail_eu-west-1_" \
                                                    f"{when:%Y%m%dT%H%M%S}_{files:06d}.json.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(data, compresslevel=6, mtime=0))
        files += 1
    return files, raw


# --------------------------------------------------------------------------- measurement


@dataclass
class _Context:
    base_dir: Path
    as_of: datetime = END + timedelta(seconds=1)
    period_start: datetime = START
    period_end: datetime = END
    errors: int = 0

    def store_artifact(self, **kwargs: Any) -> str:
        return ""

    def error(self, message: str, location: str | None = None) -> None:
        self.errors += 1
        print(f"error: {location}: {message}", file=sys.stderr)

    def not_collected(self, *args: Any) -> None:
        self.errors += 1

    def note(self, message: str) -> None:
        pass

    def count(self, key: str, n: int = 1) -> None:
        pass


def measure(folder: Path) -> dict[str, Any]:
    """One pass over ``folder``: five checks; events/s and peak RSS of this process."""
    from engine.event_checks import run_event_checks
    from engine.model import Control, Event
    from evidence.auditlog.collectors import CloudTrailCollector
    from evidence.interface import CollectRequest

    controls = [Control.model_validate({
        "id": f"BENCH-LOG-{i:02d}", "title": "bench", "objective": "bench", "severity": "high",
        "frameworks": {"soc2": ["CC7.2"]}, "checks": [{"remediation": "r", **check}]})
        for i, check in enumerate(CHECKS)]
    context = _Context(base_dir=folder)
    collector = CloudTrailCollector({"paths": [str(folder)]}, context)
    events = cast(Iterator[Event], collector.collect(CollectRequest()))
    began = time.perf_counter()
    cpu = time.process_time()
    outcomes = run_event_checks("cloudtrail", events, [(c, c.checks[0], {}) for c in controls],
                                START, END, context.as_of)
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    read = outcomes[0].population["events_read"] if outcomes[0].population else 0
    return {
        "events": read, "seconds": round(elapsed, 2), "cpu_seconds": round(cpu, 2),
        "events_per_s": round(read / elapsed), "events_per_cpu_s": round(read / cpu),
        "peak_rss_mb": _peak_rss_mb(), "load_average": round(os.getloadavg()[0], 1),
        "errors": context.errors,
        "checks": {o.check.id: (o.status.value, (o.population or {}).get("events_matching"))
                   for o in outcomes},
    }


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return round(peak / 1024, 1)


def _run_child(folder: Path) -> dict[str, Any]:
    # Import (and byte-compile, if needed) everything once first, so no size's peak
    # RSS includes compiling modules.
    subprocess.run([sys.executable, "-c", "import bench.logs, engine.event_checks, "
                    "evidence.auditlog.collectors"], check=True,
                   cwd=Path(__file__).resolve().parent.parent)
    done = subprocess.run([sys.executable, "-m", "bench.logs", "--measure", str(folder)],
                          check=True, capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.logs", description=__doc__)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--keep", type=Path, help="generate into (and reuse) this folder")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv if argv is not None else [])
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"cloudtrail: {len(CHECKS)} event checks in one pass; {os.cpu_count()} cores "
          f"(the pass runs on one)")
    with tempfile.TemporaryDirectory(prefix="assay-bench-logs-") as tmp:
        root = args.keep or Path(tmp)
        results = []
        for size in sizes:
            folder = root / f"events-{size}"
            if not folder.exists():
                began = time.perf_counter()
                files, raw = generate(folder, size)
                print(f"  generated {size:,} events in {files:,} files "
                      f"({raw / size:,.0f} bytes/record) in {time.perf_counter() - began:.0f}s",
                      flush=True)
                # Flush the freshly written gigabytes first: disk write-back running
                # during the pass would be measured as the pass's cost.
                os.sync()
            result = _run_child(folder)
            results.append(result)
            print(f"  {result['events']:>9,} events: {result['events_per_cpu_s']:>9,} events per "
                  f"CPU-second, {result['events_per_s']:>9,} events/s wall "
                  f"({result['cpu_seconds']}s cpu, {result['seconds']}s wall, load average "
                  f"{result['load_average']}), peak RSS {result['peak_rss_mb']} MB, "
                  f"errors {result['errors']}", flush=True)
            print(f"    checks: {result['checks']}")
    if len(results) > 1:
        spread = max(r["peak_rss_mb"] for r in results) - min(r["peak_rss_mb"] for r in results)
        slowest = min(r["events_per_cpu_s"] for r in results)
        print(f"  peak RSS spread {spread:.1f} MB (target <= 20); slowest "
              f"{slowest:,} events per CPU-second on one core (target >= 100,000); "
              "wall-clock rates fall below CPU rates when other work shares the cores")


if __name__ == "__main__":
    main(sys.argv[1:])
