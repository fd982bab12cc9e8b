"""AWS collector benchmark: the same estate read with 1 and with 16 workers.

A moto server runs in its own process on 127.0.0.1 and is seeded with 300 S3
buckets, 100 IAM users, 200 security groups and 60 KMS keys over 3 regions.
Real AWS calls are latency-bound, so every HTTP request the collector sends is
delayed by a simulated 50 ms network round trip: a botocore ``before-send``
handler on every client sleeps 50 ms, then lets the request go to moto.
Each configuration runs in a fresh child process so its peak RSS is its own;
artifacts go through the engine's SourceContext (redacted and hashed, as in a
scan, without a locker).

    python -m bench.aws [--latency-ms 50] [--workers 1,16]
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import resource
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
BUCKETS, USERS, GROUPS, KEYS = 300, 100, 200, 60
TYPES = frozenset({"aws.s3.bucket", "aws.iam.user", "aws.ec2.security_group", "aws.kms.key"})
FAKE_ENV = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1",
                             "-p", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1)  # noqa: S310 - local
            return proc, url
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("moto server did not start")


def seed(url: str) -> None:
    import boto3

    def client(service: str, region: str = "us-east-1") -> Any:
        return boto3.client(service, region_name=region, endpoint_url=url)

    jobs: list[Any] = []
    for n in range(BUCKETS):
        region = REGIONS[n % 3]
        jobs.append(lambda n=n, region=region: _bucket(client("s3", region), n, region))
    iam = client("iam")
    for n in range(USERS):
        jobs.append(lambda n=n: _user(iam, n))
    for region in REGIONS:
        ec2 = client("ec2", region)
        vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
        for n in range(GROUPS // 3 + (1 if region == REGIONS[0] else 0) * (GROUPS % 3)):
            jobs.append(lambda ec2=ec2, vpc=vpc, n=n, r=region: _group(ec2, vpc, n, r))
        kms = client("kms", region)
        for n in range(KEYS // 3):
            jobs.append(lambda kms=kms, n=n: _key(kms, n))
    with ThreadPoolExecutor(8) as pool:
        for future in [pool.submit(job) for job in jobs]:
            future.result()


def _bucket(s3: Any, n: int, region: str) -> None:
    location = {} if region == "us-east-1" else {
        "CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=f"bench-{n:04d}", **location)
    if n % 2:
        s3.put_bucket_encryption(Bucket=f"bench-{n:04d}", ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})


def _user(iam: Any, n: int) -> None:
    iam.create_user(UserName=f"bench-user-{n:03d}")
    if n % 3 == 0:
        iam.create_access_key(UserName=f"bench-user-{n:03d}")


def _group(ec2: Any, vpc: str, n: int, region: str) -> None:
    group = ec2.create_security_group(GroupName=f"bench-sg-{n:03d}", Description="bench",
                                      VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 22 if n % 5 == 0 else 443,
        "ToPort": 22 if n % 5 == 0 else 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])


def _key(kms: Any, n: int) -> None:
    key = kms.create_key(Description=f"bench-key-{n}")["KeyMetadata"]["KeyId"]
    if n % 2:
        kms.enable_key_rotation(KeyId=key)


def run_once(url: str, workers: int, latency: float, out: Any) -> None:
    """One collection in this (child) process; sends its figures back through ``out``."""
    os.environ.update(FAKE_ENV)
    from engine.collect import SourceContext
    from evidence.aws.collector import AwsCollector
    from evidence.interface import CollectRequest
    from evidence.redact import redact

    requests = 0
    lock = threading.Lock()

    def network(**_: Any) -> None:
        nonlocal requests
        with lock:
            requests += 1
        time.sleep(latency)

    now = datetime.now(UTC)
    context = SourceContext(source="aws", collector_version="1", as_of=now, period_start=now,
                            period_end=now, base_dir=Path("."), redact=redact)
    collector = AwsCollector({"endpoint_url": url, "regions": list(REGIONS),
                              "max_workers": workers}, context,
                             hooks=[("before-send", network)])
    started = time.perf_counter()
    resources = list(collector.collect(CollectRequest(types=TYPES)))
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out.send({"workers": workers, "wall": wall, "requests": requests,
              "cpu": usage.ru_utime + usage.ru_stime,
              "operations": len(context.artifacts), "resources": len(resources),
              "errors": len(context.errors), "gaps": len(context.gaps),
              "rss_mb": usage.ru_maxrss / 1024})
    out.close()


def measure(url: str, workers: int, latency: float) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=run_once, args=(url, workers, latency, send))
    child.start()
    figures: dict[str, Any] = receive.recv()
    child.join()
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.aws")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--workers", default="1,16")
    args = parser.parse_args(argv if argv is not None else [])
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    os.environ.update(FAKE_ENV)
    latency = args.latency_ms / 1000
    proc, url = start_moto()
    try:
        started = time.perf_counter()
        seed(url)
        print(f"moto server (own process) seeded in {time.perf_counter() - started:.1f}s: "
              f"{BUCKETS} buckets, {USERS} users, {GROUPS} security groups, {KEYS} keys "
              f"over {len(REGIONS)} regions")
        print(f"network: {args.latency_ms:.0f} ms round trip simulated per HTTP request "
              "(botocore before-send handler sleeping on every client)")
        print(f"load average before the runs: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
              "(moto shares them; at 16 workers its CPU per request is the limit)")
        print("requests = HTTP requests sent (retries and pages included); "
              "calls = recorded operations")
        print(f"{'workers':>7} {'wall s':>8} {'requests':>8} {'calls':>6} {'req/s':>7} "
              f"{'resources':>9} {'CPU s':>6} {'peak RSS MB':>11}")
        results = [measure(url, int(w), latency) for w in args.workers.split(",")]
        for r in results:
            print(f"{r['workers']:>7} {r['wall']:>8.2f} {r['requests']:>8} {r['operations']:>6} "
                  f"{r['requests'] / r['wall']:>7.1f} {r['resources']:>9} {r['cpu']:>6.1f} "
                  f"{r['rss_mb']:>11.1f}"
                  + (f"  errors={r['errors']} gaps={r['gaps']}" if r["errors"] or r["gaps"]
                     else ""))
        if len(results) >= 2:
            ratio = results[0]["wall"] / results[-1]["wall"]
            print(f"speed-up {results[-1]['workers']} vs {results[0]['workers']} workers: "
                  f"{ratio:.1f}x (target >= 8x)")
            # For comparison: how fast the endpoint answers at all, with no latency added.
            top = results[-1]
            bare = measure(url, top["workers"], 0.0)
            print(f"for comparison, the endpoint alone ({top['workers']} workers, no simulated "
                  f"latency): {bare['wall']:.2f} s, {bare['requests'] / bare['wall']:.1f} req/s")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main(sys.argv[1:])
