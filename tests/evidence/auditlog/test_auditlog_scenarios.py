"""The issue's scenarios end to end: generated logs → collector → one-pass event checks."""

from __future__ import annotations

import gzip
import random
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from logfixtures import (
    AS_OF,
    PERIOD_END,
    PERIOD_START,
    FakeContext,
    cloudtrail,
    control,
    k8s_event,
    noise,
    write_jsonl,
    write_records,
)

from engine.event_checks import run_event_checks
from engine.model import Event
from engine.outcome import CheckOutcome
from engine.status import Status
from evidence.auditlog.collectors import (
    AppAuditLogCollector,
    CloudTrailCollector,
    K8sAuditCollector,
)
from evidence.interface import CollectRequest

ROOT_LOGIN = {"id": "root-login", "source": "cloudtrail", "expect": "none", "events": {
    "where": {"all": [{"path": "eventName", "eq": "ConsoleLogin"},
                      {"path": "userIdentity.type", "eq": "Root"}]}}}
MFA_LOGIN = {"id": "mfa", "source": "cloudtrail",
             "events": {"where": {"path": "eventName", "eq": "ConsoleLogin"}},
             "assert": {"path": "additionalEventData.MFAUsed", "eq": "Yes"}}
TRAIL_OFF = {"id": "trail-off", "source": "cloudtrail", "expect": "none", "events": {
    "where": {"path": "eventName", "in": ["StopLogging", "DeleteTrail"]}}}
CONTINUITY = {"id": "continuity", "source": "cloudtrail", "events": {},
              "expect": {"max_gap": "24h"}}


def evaluate(collector_class: type[Any], config: Mapping[str, Any], base: Path,
             checks: list[Mapping[str, Any]], **context: Any
             ) -> tuple[list[CheckOutcome], FakeContext]:
    ctx = FakeContext(base_dir=base, **context)
    collector = collector_class(config, ctx)
    controls = [control(f"LOG-{i:02d}", check) for i, check in enumerate(checks)]
    events = (e for e in collector.collect(CollectRequest()) if isinstance(e, Event))
    outcomes = run_event_checks(
        collector_class.source, events, [(c, c.checks[0], {}) for c in controls],
        ctx.period_start, min(ctx.period_end, ctx.as_of), ctx.as_of,
        incomplete=lambda: ctx.errors[0][0] if ctx.errors else None)
    return outcomes, ctx


def cloudtrail_estate(base: Path, seed: int = 7) -> dict[str, Any]:
    """Six months of CloudTrail delivery files, one per day, with the scenario events planted."""
    rng = random.Random(seed)
    planted: dict[str, Any] = {}
    days: dict[int, list[dict[str, Any]]] = {d: [] for d in range(181)}
    for day in days:
        when = PERIOD_START + timedelta(days=day)
        days[day] = noise(rng, 6, when, days=1)
    planted["root"] = cloudtrail(rng, PERIOD_START + timedelta(days=40, hours=9), "ConsoleLogin",
                                 identity="Root", additionalEventData={"MFAUsed": "Yes"})
    days[40].append(planted["root"])
    planted["no_mfa"] = []
    for day in (10, 50, 90, 130):
        mfa = "No" if day in (50, 130) else "Yes"
        record = cloudtrail(rng, PERIOD_START + timedelta(days=day, hours=8), "ConsoleLogin",
                            user="bob", additionalEventData={"MFAUsed": mfa})
        days[day].append(record)
        if mfa == "No":
            planted["no_mfa"].append(record)
    planted["stop"] = cloudtrail(rng, PERIOD_START + timedelta(days=70, hours=3), "StopLogging")
    planted["delete"] = cloudtrail(rng, PERIOD_START + timedelta(days=71, hours=3), "DeleteTrail")
    days[70].append(planted["stop"])
    days[71].append(planted["delete"])
    # before the period: a root login that must not count
    days[0].append(cloudtrail(rng, PERIOD_START - timedelta(hours=2), "ConsoleLogin",
                              identity="Root"))
    for day, records in days.items():
        rng.shuffle(records)
        when = PERIOD_START + timedelta(days=day)
        folder = base / "AWSLogs" / "123456789012" / "CloudTrail" / "eu-west-1" / when.strftime(
            "%Y/%m/%d")
        write_records(folder / f"123456789012_CloudTrail_eu-west-1_{when:%Y%m%dT0000Z}.json.gz",
                      records)
    planted["total_in_period"] = sum(len(r) for r in days.values()) - 1
    return planted


def test_cloudtrail_root_login_mfa_and_trail_tampering(tmp_path: Path) -> None:
    planted = cloudtrail_estate(tmp_path)
    outcomes, ctx = evaluate(CloudTrailCollector, {"paths": ["AWSLogs/"]}, tmp_path,
                             [ROOT_LOGIN, MFA_LOGIN, TRAIL_OFF, CONTINUITY])
    root, mfa, trail, continuity = outcomes
    assert ctx.errors == []
    read = planted["total_in_period"]

    assert root.status is Status.FAIL
    assert [f.resource.id for f in root.findings] == [planted["root"]["eventID"]]
    location = root.findings[0].resource.location
    assert location.file is not None and location.file.endswith("20260210T0000Z.json.gz")
    assert location.line is not None and location.line >= 1
    assert root.population == {"events_read": read, "events_matching": 1, "events_failing": 1}

    assert mfa.status is Status.FAIL
    assert [f.resource.id for f in mfa.findings] == [r["eventID"] for r in planted["no_mfa"]]
    assert mfa.counts.pass_ == 3 and mfa.counts.fail == 2  # the root login used MFA
    assert mfa.population == {"events_read": read, "events_matching": 5, "events_failing": 2}

    assert trail.status is Status.FAIL
    assert [f.resource.id for f in trail.findings] == [planted["stop"]["eventID"],
                                                      planted["delete"]["eventID"]]
    assert continuity.status is Status.PASS, continuity.findings[:2]


def test_a_period_without_root_logins_passes_and_says_what_was_read(tmp_path: Path) -> None:
    rng = random.Random(11)
    write_records(tmp_path / "ct.json.gz", noise(rng, 50))
    (root,), _ = evaluate(CloudTrailCollector, {"paths": ["ct.json.gz"]}, tmp_path, [ROOT_LOGIN])
    assert root.status is Status.PASS and root.findings == []
    assert root.population == {"events_read": 50, "events_matching": 0, "events_failing": 0}


def test_an_empty_source_is_not_collected(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    outcomes, _ = evaluate(CloudTrailCollector, {"paths": ["logs"]}, tmp_path,
                           [ROOT_LOGIN, CONTINUITY])
    assert [o.status for o in outcomes] == [Status.NOT_COLLECTED, Status.NOT_COLLECTED]


def app_log(base: Path, rng: random.Random, hole: tuple[datetime, datetime]) -> None:
    """Application log lines every 1–5 hours for the period, none inside ``hole``."""
    lines, when = [], PERIOD_START + timedelta(minutes=5)
    while when < PERIOD_END:
        if not hole[0] < when < hole[1]:
            lines.append({"ts": when.isoformat(), "user": {"name": rng.choice(["ana", "ben"])},
                          "op": rng.choice(["read", "write"]), "status": "ok"})
        when += timedelta(minutes=rng.randrange(60, 300))
    half = len(lines) // 2
    write_jsonl(base / "app" / "2026-h1a.jsonl.gz", lines[:half], gz=True)
    write_jsonl(base / "app" / "2026-h1b.jsonl", lines[half:])


def test_a_two_day_hole_in_an_application_log(tmp_path: Path) -> None:
    rng = random.Random(3)
    hole = (datetime(2026, 3, 10, 0, 0, tzinfo=UTC), datetime(2026, 3, 12, 0, 0, tzinfo=UTC))
    app_log(tmp_path, rng, hole)
    check = {"id": "continuity", "source": "auditlog", "events": {},
             "expect": {"max_gap": "24h"}}
    config = {"paths": ["app"], "format": "jsonl",
              "fields": {"timestamp": "ts", "actor": "user.name", "action": "op"}}
    (outcome,), ctx = evaluate(AppAuditLogCollector, config, tmp_path, [check])
    assert ctx.errors == []
    assert outcome.status is Status.FAIL
    (gap,) = outcome.findings
    assert gap.window is not None
    assert gap.window.start <= hole[0] and gap.window.end >= hole[1]
    assert gap.window.end - gap.window.start < timedelta(days=2, hours=10)
    assert gap.resource.id == f"{gap.window.start:%Y-%m-%dT%H:%M:%SZ}.." \
                              f"{gap.window.end:%Y-%m-%dT%H:%M:%SZ}"


def test_quarterly_access_reviews_with_one_quarter_missed(tmp_path: Path) -> None:
    rng = random.Random(9)
    reviews = [datetime(2025, 1, 20, tzinfo=UTC), datetime(2025, 4, 14, tzinfo=UTC),
               datetime(2025, 10, 6, tzinfo=UTC)]  # Q3 missed
    rows = ["when,who,action,outcome"]
    for day in range(0, 365, 3):
        when = datetime(2025, 1, 1, 9, tzinfo=UTC) + timedelta(days=day)
        rows.append(f"{when:%Y-%m-%dT%H:%M:%S}+00:00,{rng.choice(['ana', 'ben'])},login,ok")
    rows += [f"{r:%Y-%m-%dT%H:%M:%SZ},ciso,access_review.completed,ok" for r in reviews]
    (tmp_path / "audit.csv").write_text("\n".join(rows) + "\n")
    check = {"id": "reviews", "source": "auditlog", "expect": {"max_gap": "92d"},
             "events": {"where": {"path": "action", "eq": "access_review.completed"}}}
    config = {"paths": ["audit.csv"], "format": "csv",
              "fields": {"timestamp": "when", "actor": "who", "action": "action",
                         "outcome": "outcome"}}
    (outcome,), ctx = evaluate(
        AppAuditLogCollector, config, tmp_path, [check],
        period_start=datetime(2025, 1, 1, tzinfo=UTC),
        period_end=datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC), as_of=AS_OF)
    assert ctx.errors == []
    assert outcome.status is Status.FAIL
    assert [f.resource.id for f in outcome.findings] == [
        "2025-04-14T00:00:00Z..2025-10-06T00:00:00Z"]
    assert outcome.population is not None and outcome.population["events_matching"] == 3


def test_kubernetes_exec_into_a_pod_by_a_human(tmp_path: Path) -> None:
    rng = random.Random(12)
    lines = []
    for hour in range(0, 24 * 30, 5):
        when = PERIOD_START + timedelta(hours=hour)
        lines.append(k8s_event(rng, when, verb=rng.choice(["get", "list", "watch"])))
        lines.append(k8s_event(rng, when, verb="create", subresource="exec",
                               user="system:serviceaccount:ci:runner"))
    human = k8s_event(rng, PERIOD_START + timedelta(days=12, hours=3), verb="create",
                      subresource="exec", user="maria@example.com",
                      groups=["system:authenticated", "sre"])
    received = dict(human, stage="RequestReceived")
    lines[100:100] = [received, human]
    write_jsonl(tmp_path / "k8s" / "audit.log", lines)
    check = {"id": "human-exec", "source": "k8s_audit", "expect": "none", "events": {"where": {
        "all": [{"path": "objectRef.subresource", "eq": "exec"},
                {"path": "stage", "eq": "ResponseComplete"},
                {"not": {"path": "user.username", "matches": "^system:"}}]}}}
    (outcome,), ctx = evaluate(K8sAuditCollector, {"paths": ["k8s/"]}, tmp_path, [check])
    assert ctx.errors == []
    assert outcome.status is Status.FAIL
    (finding,) = outcome.findings
    assert finding.resource.id == human["auditID"]
    assert finding.resource.location.file == "k8s/audit.log"
    assert finding.resource.location.line == 102
    assert "2026-01-13T03:00:00" in finding.message


def test_mixed_offset_timestamps_are_placed_in_utc(tmp_path: Path) -> None:
    lines = [
        {"t": "2026-01-01T04:00:00+05:30", "a": "before"},  # 2025-12-31T22:30Z: outside
        {"t": "2025-12-31T19:30:00-05:00", "a": "first"},  # 2026-01-01T00:30Z
        {"t": 1767232800, "a": "epoch-s"},  # 2026-01-01T02:00Z
        {"t": 1767240000000, "a": "epoch-ms"},  # 2026-01-01T04:00Z
        {"t": "2026-01-01T12:00:00.250+01:00", "a": "frac"},  # 11:00:00.25Z
        {"t": "2026-06-30T23:59:59Z", "a": "last"},
        {"t": "2026-07-01T01:00:00+02:00", "a": "after-end"},  # 2026-06-30T23:00Z: inside
        {"t": "2026-07-01T00:30:00Z", "a": "outside"},
    ]
    write_jsonl(tmp_path / "app.jsonl", lines)
    config = {"paths": ["app.jsonl"], "fields": {"timestamp": "t", "action": "a"}}
    ctx = FakeContext(base_dir=tmp_path)
    events = [e for e in AppAuditLogCollector(config, ctx).collect(CollectRequest())
              if isinstance(e, Event)]
    assert [(e.attributes["action"], e.attributes["timestamp"]) for e in events] == [
        ("first", "2026-01-01T00:30:00Z"), ("epoch-s", "2026-01-01T02:00:00Z"),
        ("epoch-ms", "2026-01-01T04:00:00Z"), ("frac", "2026-01-01T11:00:00.250000Z"),
        ("last", "2026-06-30T23:59:59Z"), ("after-end", "2026-06-30T23:00:00Z")]
    assert all(e.timestamp.utcoffset() == timedelta(0) for e in events)
    # out of order in the file, yet the gap check sees the right intervals
    check = {"id": "gaps", "source": "auditlog", "events": {}, "expect": {"max_gap": "90d"}}
    (outcome,), _ = evaluate(AppAuditLogCollector, config, tmp_path, [check])
    assert [f.resource.id for f in outcome.findings] == [
        "2026-01-01T11:00:00.250000Z..2026-06-30T23:00:00Z"]


def test_a_truncated_gzip_is_an_error_and_no_pass(tmp_path: Path) -> None:
    rng = random.Random(21)
    write_records(tmp_path / "logs" / "a.json.gz", noise(rng, 20))
    lines = noise(rng, 400)
    whole = gzip.compress("\n".join(__import__("json").dumps(r) for r in lines).encode(),
                          mtime=0)
    (tmp_path / "logs" / "b.jsonl.gz").write_bytes(whole[: len(whole) * 2 // 3])
    write_records(tmp_path / "logs" / "c.json.gz", noise(rng, 5))
    outcomes, ctx = evaluate(CloudTrailCollector, {"paths": ["logs"]}, tmp_path,
                             [ROOT_LOGIN, TRAIL_OFF])
    assert [(m.split(":")[0], loc) for m, loc in ctx.errors] == [("logs/b.jsonl.gz",
                                                                  "logs/b.jsonl.gz")]
    assert "truncated gzip" in ctx.errors[0][0]
    assert all(o.status is Status.ERROR for o in outcomes)
    inputs = {i["name"]: i for i in ctx.manifest("cloudtrail")["inputs"]}
    assert inputs["logs/b.jsonl.gz"]["complete"] is False
    assert 0 < inputs["logs/b.jsonl.gz"]["events"] < 400  # lines before the cut were read
    assert inputs["logs/c.json.gz"]["events"] == 5  # and the files after it


def garbage_file(path: Path, rng: random.Random, count: int) -> list[int]:
    """Every other line garbage; returns the bad line numbers."""
    lines: list[Any] = []
    bad = []
    for i in range(count):
        if i % 2:
            lines.append(rng.choice(["{not json", "\x00\x01", "[]", '{"eventTime": "never"}',
                                     "GARBAGE " * rng.randrange(1, 9)]))
            bad.append(i + 1)
        else:
            lines.append(cloudtrail(rng, PERIOD_START + timedelta(hours=i)))
    write_jsonl(path, lines)
    return bad


def test_a_file_of_half_garbage_lines(tmp_path: Path) -> None:
    bad = garbage_file(tmp_path / "half.jsonl", random.Random(4), 100)
    outcomes, ctx = evaluate(CloudTrailCollector, {"paths": ["half.jsonl"]}, tmp_path,
                             [ROOT_LOGIN])
    located = [loc for _, loc in ctx.errors if loc]
    assert located == [f"half.jsonl:{n}" for n in bad[:20]]
    assert ctx.errors[-1][0].startswith("50 malformed line(s) or record(s) in cloudtrail")
    assert "first 20" in ctx.errors[-1][0]
    assert ctx.counts["bad_records"] == 50 and ctx.counts["events"] == 50
    assert outcomes[0].status is Status.ERROR  # nothing failed, but the log was not whole
    assert outcomes[0].population is not None and outcomes[0].population["events_read"] == 50


def test_max_bad_lines_turns_malformed_lines_into_notes(tmp_path: Path) -> None:
    garbage_file(tmp_path / "half.jsonl", random.Random(4), 100)
    outcomes, ctx = evaluate(CloudTrailCollector, {"paths": ["half.jsonl"], "max_bad_lines": 50},
                             tmp_path, [ROOT_LOGIN])
    assert ctx.errors == []
    assert len(ctx.notes) == 21 and ctx.notes[0].startswith("half.jsonl:2: malformed record")
    assert outcomes[0].status is Status.PASS
    assert ctx.artifact("cloudtrail-manifest.json").complete is True


def test_every_source_with_every_check_form(tmp_path: Path) -> None:
    """k8s_audit and auditlog with assert and max_gap too (cloudtrail has all three above)."""
    rng = random.Random(17)
    lines = [k8s_event(rng, PERIOD_START + timedelta(hours=h), verb="delete",
                       user=rng.choice(["ana@example.com", "system:serviceaccount:ci:deploy"]))
             for h in range(0, 24 * 10, 3) if not 100 < h < 160]
    write_jsonl(tmp_path / "k8s.log", lines)
    k8s_checks = [
        {"id": "deletes-by-ci", "source": "k8s_audit",
         "events": {"where": {"path": "verb", "eq": "delete"}},
         "assert": {"path": "user.username", "matches": "^system:serviceaccount:ci:"}},
        {"id": "continuity", "source": "k8s_audit", "events": {}, "expect": {"max_gap": "1d"}},
    ]
    end = PERIOD_START + timedelta(days=10)
    (deletes, gaps), ctx = evaluate(K8sAuditCollector, {"paths": ["k8s.log"]}, tmp_path,
                                    k8s_checks, period_end=end)
    human = [e["auditID"] for e in lines if e["user"]["username"] == "ana@example.com"]
    assert deletes.status is Status.FAIL and [f.resource.id for f in deletes.findings] == human
    assert deletes.counts.pass_ == len(lines) - len(human)
    assert [f.resource.id for f in gaps.findings] == [
        "2026-01-05T03:00:00Z..2026-01-07T18:00:00Z"]

    rows = [{"time": (PERIOD_START + timedelta(days=d)).isoformat(), "who": "ana",
             "what": rng.choice(["role.grant", "login"]), "mfa": d % 7 != 3}
            for d in range(30)]
    write_jsonl(tmp_path / "app.jsonl", rows)
    app_checks = [
        {"id": "mfa", "source": "auditlog",
         "events": {"where": {"path": "action", "eq": "role.grant"}},
         "assert": {"path": "mfa", "eq": True}},
        {"id": "grants", "source": "auditlog", "expect": {"max_gap": "3d"},
         "events": {"where": {"path": "action", "eq": "role.grant"}}},
    ]
    config = {"paths": ["app.jsonl"], "fields": {"timestamp": "time", "actor": "who",
                                                 "action": "what"}}
    (mfa, grants), _ = evaluate(AppAuditLogCollector, config, tmp_path, app_checks,
                                period_end=PERIOD_START + timedelta(days=29, hours=12))
    grant_rows = [i + 1 for i, r in enumerate(rows) if r["what"] == "role.grant"]
    no_mfa = [f"app.jsonl:{n}" for n in grant_rows if not rows[n - 1]["mfa"]]
    assert no_mfa and [f.resource.id for f in mfa.findings] == no_mfa
    assert mfa.status is Status.FAIL
    assert grants.population is not None
    assert grants.population["events_matching"] == len(grant_rows)
    bounds = [0.0] + [float(n - 1) for n in grant_rows] + [29.5]
    expected = [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b - a > 3]
    assert expected and [(f.window.start, f.window.end) for f in grants.findings if f.window] == [
        (PERIOD_START + timedelta(days=a), PERIOD_START + timedelta(days=b))
        for a, b in expected]
