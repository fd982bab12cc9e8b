"""Condition language throughput: events per second through five event-check filters.

Target (issue 5): the log engine filters >= 100k events/s with five checks. This
measures the conditions alone, on events already parsed into dicts, with
``compile_test`` (truth only, what a filter needs) and ``compile_condition``
(truth and reason, what a finding needs).

    python -m bench.conditions [--events N]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import yaml
from pydantic import TypeAdapter

from engine.conditions import EvalContext, Truth, Verdict, compile_condition, compile_test
from engine.model import Condition

CHECKS = """
root_login:
  all:
    - {path: userIdentity.type, eq: Root}
    - {path: eventName, eq: ConsoleLogin}
failed_console_login:
  all:
    - {path: eventName, eq: ConsoleLogin}
    - {path: responseElements.ConsoleLogin, eq: Failure}
iam_policy_change:
  path: eventName
  in: [PutUserPolicy, PutRolePolicy, AttachRolePolicy, AttachUserPolicy, DeleteRolePolicy,
       CreatePolicyVersion, SetDefaultPolicyVersion]
open_ingress:
  all:
    - {path: eventName, eq: AuthorizeSecurityGroupIngress}
    - any_item:
        path: requestParameters.ipPermissions.items
        where: {path: ipRanges.items.cidrIp, cidr_open: true}
trail_tampering:
  all:
    - {path: eventSource, eq: cloudtrail.amazonaws.com}
    - {path: eventName, in: [StopLogging, DeleteTrail, UpdateTrail]}
    - {not: {path: userIdentity.arn, matches: ":role/break-glass$"}}
"""

TRUE = Truth.TRUE
POSTURE = """
no_open_admin_ports:
  no_item:
    path: ingress
    where:
      all:
        - {path: cidr_blocks, cidr_open: true}
        - {path: from_port, lte: 22}
        - {path: to_port, gte: 22}
encrypted:
  any:
    - {path: server_side_encryption_configuration.rule.apply_server_side_encryption_by_default.sse_algorithm,
       in: [AES256, "aws:kms", "aws:kms:dsse"]}
    - related: aws_s3_bucket_server_side_encryption_configuration
      by: bucket
      assert: {path: rule.apply_server_side_encryption_by_default.sse_algorithm, in: [AES256, "aws:kms"]}
tagged:
  all:
    - {path: tags.Owner, exists: true}
    - {path: tags.DataClassification, in: [public, internal, confidential]}
"""

_NAMES = ["GetObject", "PutObject", "DescribeInstances", "AssumeRole", "ConsoleLogin",
          "PutRolePolicy", "AuthorizeSecurityGroupIngress", "StopLogging", "ListBuckets"]


def make_events(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    events = []
    for i in range(count):
        name = rng.choice(_NAMES)
        event: dict[str, Any] = {
            "eventTime": (start + timedelta(seconds=i)).isoformat(),
            "eventSource": "cloudtrail.amazonaws.com" if name == "StopLogging" else "s3.amazonaws.com",
            "eventName": name,
            "userIdentity": {"type": rng.choice(["IAMUser", "AssumedRole", "Root"]),
                             "arn": f"arn:aws:iam::123456789012:user/u{i % 50}"},
            "sourceIPAddress": f"10.0.{i % 256}.{i % 7}",
        }
        if name == "ConsoleLogin":
            event["responseElements"] = {"ConsoleLogin": rng.choice(["Success", "Failure"])}
        if name == "AuthorizeSecurityGroupIngress":
            cidr = rng.choice(["10.0.0.0/8", "0.0.0.0/0"])
            event["requestParameters"] = {"ipPermissions": {"items": [
                {"fromPort": 22, "ipRanges": {"items": [{"cidrIp": cidr}]}}]}}
        events.append(event)
    return events


def _rate(function: Callable[[Mapping[str, Any], EvalContext], Any], checks: list[Any],
          events: list[dict[str, Any]], ctx: EvalContext) -> tuple[float, int]:
    compiled = [function(c) for c in checks]
    best = float("inf")
    for _ in range(3):  # best of three: the machine may be shared
        matched = 0
        began = time.process_time()
        for event in events:
            for predicate in compiled:
                result = predicate(event, ctx)
                if result is TRUE or result.__class__ is Verdict and result.truth is TRUE:
                    matched += 1
        best = min(best, time.process_time() - began)
    return len(events) / best, matched


def make_resources(count: int, seed: int = 11) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    resources = []
    for _ in range(count):
        ingress = [{"from_port": rng.choice([22, 443, 0]), "to_port": rng.choice([22, 443, 65535]),
                    "cidr_blocks": [rng.choice(["10.0.0.0/8", "0.0.0.0/0"])]} for _ in range(3)]
        sse = [{"rule": [{"apply_server_side_encryption_by_default": [
            {"sse_algorithm": rng.choice(["AES256", "aws:kms", "none"])}]}]}]
        resources.append({"ingress": ingress, "server_side_encryption_configuration": sse,
                          "tags": {"Owner": "team", "DataClassification": rng.choice(["internal", "x"])}})
    return resources


def posture_rate(resources: list[dict[str, Any]], ctx: EvalContext) -> float:
    adapter: TypeAdapter[Any] = TypeAdapter(Condition)
    predicates = [compile_condition(adapter.validate_python(c))
                  for c in yaml.safe_load(POSTURE).values()]
    began = time.process_time()
    for attrs in resources:
        for predicate in predicates:
            predicate(attrs, ctx)
    return len(resources) * len(predicates) / (time.process_time() - began)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.conditions")
    parser.add_argument("--events", type=int, default=200_000)
    args = parser.parse_args(argv if argv is not None else [])  # `make bench` passes none
    adapter: TypeAdapter[Any] = TypeAdapter(Condition)
    checks = [adapter.validate_python(c) for c in yaml.safe_load(CHECKS).values()]
    events = make_events(args.events)
    ctx = EvalContext(as_of=datetime(2026, 7, 1, tzinfo=UTC))
    for label, function in (("compile_test (truth only)", compile_test),
                            ("compile_condition (with reasons)", compile_condition)):
        rate, matched = _rate(function, checks, events, ctx)  # type: ignore[arg-type]
        print(f"conditions  {label:34s} {rate:>12,.0f} events/s  "
              f"({len(checks)} checks, {len(events):,} events, {matched:,} matches)")
    resources = make_resources(args.events // 10)
    rate = posture_rate(resources, EvalContext(as_of=ctx.as_of, subject_id="x", lookup=lambda *a: []))
    print(f"conditions  {'posture verdicts (items, related, any)':34s} {rate:>12,.0f} verdicts/s  "
          f"({len(resources):,} resources x 3 checks)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
