"""The three log collectors on generated files: formats, period, locations, bad input, manifest."""

from __future__ import annotations

import gzip
import hashlib
import os
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from logfixtures import (
    PERIOD_START,
    FakeContext,
    cloudtrail,
    k8s_event,
    noise,
    write_jsonl,
    write_records,
)

from engine.model import Event
from evidence import registry
from evidence.auditlog.collectors import (
    AppAuditLogCollector,
    CloudTrailCollector,
    K8sAuditCollector,
)
from evidence.interface import CollectRequest


def collect(cls: type[Any], config: dict[str, Any], base: Path,
            **context: Any) -> tuple[list[Event], FakeContext]:
    ctx = FakeContext(base_dir=base, **context)
    events = [e for e in cls(config, ctx).collect(CollectRequest()) if isinstance(e, Event)]
    return events, ctx


def test_the_registry_names_the_three_collectors() -> None:
    assert registry.get("cloudtrail") is CloudTrailCollector
    assert registry.get("k8s_audit") is K8sAuditCollector
    assert registry.get("auditlog") is AppAuditLogCollector
    assert CloudTrailCollector.kind == "events"


def test_cloudtrail_folders_are_read_recursively_in_sorted_order(tmp_path: Path) -> None:
    rng = random.Random(5)
    root = tmp_path / "AWSLogs" / "123456789012" / "CloudTrail" / "eu-west-1"
    write_records(root / "2026" / "02" / "b.json.gz", noise(rng, 3))
    write_records(root / "2026" / "01" / "a.json.gz", noise(rng, 2))
    write_jsonl(root / "2026" / "03" / "lines.jsonl", noise(rng, 2))
    write_records(root / "2026" / "01" / ".hidden.json.gz", noise(rng, 9))
    digest = tmp_path / "AWSLogs" / "123456789012" / "CloudTrail-Digest" / "d.json.gz"
    digest.parent.mkdir(parents=True)
    digest.write_bytes(gzip.compress(b'{"digestStartTime": "x"}'))
    events, ctx = collect(CloudTrailCollector, {"paths": ["AWSLogs"]}, tmp_path)
    prefix = "AWSLogs/123456789012/CloudTrail/eu-west-1/2026"
    assert [e.location for e in events] == [
        f"{prefix}/01/a.json.gz:1", f"{prefix}/01/a.json.gz:2",
        f"{prefix}/02/b.json.gz:1", f"{prefix}/02/b.json.gz:2", f"{prefix}/02/b.json.gz:3",
        f"{prefix}/03/lines.jsonl:1", f"{prefix}/03/lines.jsonl:2"]
    assert all(e.id == e.attributes["eventID"] and e.source == "cloudtrail" for e in events)
    assert all(e.timestamp.tzinfo is not None for e in events)
    assert ctx.errors == []
    assert ctx.counts["files"] == 3 and ctx.counts["events"] == 7
    assert any("CloudTrail-Digest" in n for n in ctx.notes)


def test_attributes_are_the_record_as_delivered(tmp_path: Path) -> None:
    rng = random.Random(1)
    record = cloudtrail(rng, PERIOD_START + timedelta(days=3), "ConsoleLogin",
                        additionalEventData={"MFAUsed": "No"})
    write_records(tmp_path / "ct.json", [record], gz=False)
    (event,), _ = collect(CloudTrailCollector, {"paths": ["ct.json"]}, tmp_path)
    assert event.attributes == record
    assert event.timestamp == PERIOD_START + timedelta(days=3)


def test_events_outside_the_period_or_after_as_of_are_skipped(tmp_path: Path) -> None:
    rng = random.Random(2)
    times = [datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC), PERIOD_START,
             datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 20, tzinfo=UTC)]
    write_jsonl(tmp_path / "ct.jsonl", [cloudtrail(rng, t) for t in times])
    events, ctx = collect(CloudTrailCollector, {"paths": [str(tmp_path / "ct.jsonl")]},
                          Path("/nonexistent"), as_of=datetime(2026, 3, 10, tzinfo=UTC))
    assert [e.timestamp for e in events] == times[1:3]
    assert ctx.counts["outside_period"] == 2
    manifest = ctx.manifest("cloudtrail")
    assert manifest["period"] == {"start": "2026-01-01T00:00:00Z", "end": "2026-03-10T00:00:00Z"}


def test_the_manifest_hashes_every_input_as_stored(tmp_path: Path) -> None:
    rng = random.Random(3)
    one = write_records(tmp_path / "logs" / "a.json.gz", noise(rng, 4))
    two = write_jsonl(tmp_path / "logs" / "b.jsonl.gz", noise(rng, 3), gz=True)
    events, ctx = collect(CloudTrailCollector, {"paths": ["logs/"]}, tmp_path)
    manifest = ctx.manifest("cloudtrail")
    assert [(i["name"], i["sha256"], i["size"], i["format"], i["records"], i["events"],
             i["complete"]) for i in manifest["inputs"]] == [
        ("logs/a.json.gz", hashlib.sha256(one.read_bytes()).hexdigest(), one.stat().st_size,
         "document", 4, 4, True),
        ("logs/b.jsonl.gz", hashlib.sha256(two.read_bytes()).hexdigest(), two.stat().st_size,
         "jsonl", 3, 3, True)]
    meta = ctx.artifact("cloudtrail-manifest.json")
    assert meta.item_count == len(events) == 7 and meta.complete is True
    assert meta.query["paths"] == ["logs/"]


def test_k8s_audit_lines_and_event_lists(tmp_path: Path) -> None:
    rng = random.Random(4)
    when = PERIOD_START + timedelta(hours=5)
    lines = [k8s_event(rng, when), k8s_event(rng, when, stage="RequestReceived")]
    write_jsonl(tmp_path / "audit.log", lines)
    (tmp_path / "list.json").write_text(
        '{"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "items": ['
        '{"auditID": "x1", "stageTimestamp": "2026-01-02T00:00:00.5+01:00"}]}')
    events, ctx = collect(K8sAuditCollector, {"paths": ["audit.log", "list.json"]}, tmp_path)
    assert [(e.id, e.location) for e in events] == [
        (lines[0]["auditID"], "audit.log:1"), (lines[1]["auditID"], "audit.log:2"),
        ("x1", "list.json:1")]
    assert events[2].timestamp == datetime(2026, 1, 1, 23, 0, 0, 500000, tzinfo=UTC)
    assert ctx.errors == []


def test_application_jsonl_gets_the_standard_names_mapped(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "app.jsonl", [
        {"ts": "2026-02-01T10:00:00+02:00", "user": {"name": "ana"}, "event": "login",
         "resource": "console", "result": "success"},
        {"ts": 1769940000, "user": {"name": "ben"}, "event": "export"},
    ])
    config = {"paths": ["app.jsonl"], "format": "jsonl",
              "fields": {"timestamp": "ts", "actor": "user.name", "action": "event",
                         "target": "resource", "outcome": "result"}}
    first, second = collect(AppAuditLogCollector, config, tmp_path)[0]
    assert first.attributes["actor"] == "ana" and first.attributes["action"] == "login"
    assert first.attributes["target"] == "console" and first.attributes["outcome"] == "success"
    assert first.attributes["timestamp"] == "2026-02-01T08:00:00Z"
    assert first.attributes["user"] == {"name": "ana"}  # the raw record is kept
    assert second.attributes["timestamp"] == "2026-02-01T10:00:00Z"
    assert "outcome" not in second.attributes
    assert first.id is None and first.location == "app.jsonl:1"


def test_application_csv_with_a_field_mapping(tmp_path: Path) -> None:
    (tmp_path / "app.csv").write_text(
        "when,who,what\n2026-02-01T10:00:00Z,ana,login\n2026-02-01T11:00:00-05:00,ben,logout\n")
    config = {"paths": ["app.csv"], "format": "csv",
              "fields": {"timestamp": "when", "actor": "who", "action": "what"}}
    events, ctx = collect(AppAuditLogCollector, config, tmp_path)
    assert [(e.attributes["actor"], e.attributes["timestamp"], e.location) for e in events] == [
        ("ana", "2026-02-01T10:00:00Z", "app.csv:2"), ("ben", "2026-02-01T16:00:00Z", "app.csv:3")]


def test_a_record_without_its_timestamp_is_malformed(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "app.jsonl", [{"ts": "2026-02-01T10:00:00Z"}, {"other": 1},
                                         {"ts": "soon"}])
    config = {"paths": ["app.jsonl"], "fields": {"timestamp": "ts"}}
    events, ctx = collect(AppAuditLogCollector, config, tmp_path)
    assert len(events) == 1
    assert ctx.errors[:2] == [("malformed record: no timestamp at 'ts'", "app.jsonl:2"),
                              (ctx.errors[1][0], "app.jsonl:3")]
    assert "not ISO 8601" in ctx.errors[1][0]


def test_bad_configuration_is_refused() -> None:
    ctx = FakeContext(base_dir=Path("."))
    with pytest.raises(ValueError, match="paths"):
        CloudTrailCollector({}, ctx)
    with pytest.raises(ValueError, match="format"):
        AppAuditLogCollector({"paths": ["x"], "format": "xml"}, ctx)
    with pytest.raises(ValueError, match="unknown field"):
        AppAuditLogCollector({"paths": ["x"], "fields": {"timestamp": "t", "who": "u"}}, ctx)


def test_missing_unreadable_and_unknown_inputs_are_errors_naming_them(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "archive.zip").write_bytes(b"PK\x03\x04\x00\x00binary")
    (tmp_path / "logs" / "digest.json").write_text('{"digestStartTime": "x"}')
    if os.geteuid() != 0:  # root reads anything
        unreadable = tmp_path / "logs" / "secret.jsonl"
        unreadable.write_text("{}\n")
        unreadable.chmod(0)
    (tmp_path / "logs" / "loop").symlink_to(tmp_path / "logs")
    (tmp_path / "logs" / "dangling").symlink_to(tmp_path / "nowhere")
    config = {"paths": ["logs", "missing/"]}
    events, ctx = collect(CloudTrailCollector, config, tmp_path)
    messages = sorted(m for m, _ in ctx.errors)
    assert events == []
    expected = ["logs/archive.zip: unknown format", "logs/dangling: broken symbolic link",
                "logs/loop: symbolic link loop", "missing/: no such file or folder",
                "malformed record: no eventTime",  # a one-line JSON object is JSON Lines
                "1 malformed line(s) or record(s)"]
    if os.geteuid() != 0:
        expected.append("logs/secret.jsonl: cannot read: Permission denied")
    assert len(messages) == len(expected)
    for message, start in zip(messages, sorted(expected), strict=True):
        assert message.startswith(start), (message, start)
    located = dict((m.split(":")[0], loc) for m, loc in ctx.errors)
    assert located["logs/archive.zip"] == "logs/archive.zip"
    assert ("malformed record: no eventTime", "logs/digest.json:1") in ctx.errors
    assert ctx.artifact("cloudtrail-manifest.json").complete is False


def test_gzip_csv_and_an_unknown_aws_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    (tmp_path / "app.csv.gz").write_bytes(gzip.compress(
        b"\xef\xbb\xbfwhen,who\n2026-02-01T10:00:00Z,ana\n", mtime=0))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    config = {"paths": ["s3://bucket/logs/", "app.csv.gz"], "format": "csv",
              "fields": {"timestamp": "when", "actor": "who"},
              "aws": {"profile": "no-such-profile"}}
    events, ctx = collect(AppAuditLogCollector, config, tmp_path)
    assert [(e.attributes["actor"], e.location) for e in events] == [("ana", "app.csv.gz:2")]
    ((message, location),) = ctx.errors
    assert location == "s3://bucket/logs/" and "cannot reach S3" in message
    assert "no-such-profile" in message


def test_many_inputs_make_a_manifest_in_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                              ) -> None:
    import evidence.auditlog.reading as reading

    monkeypatch.setattr(reading, "MANIFEST_PART_INPUTS", 2)
    rng = random.Random(8)
    for i in range(5):
        write_records(tmp_path / "logs" / f"{i}.json.gz", noise(rng, i + 1))
    (tmp_path / "logs" / "5.json.gz").write_bytes(b"\x1f\x8b\x08\x00broken")
    events, ctx = collect(CloudTrailCollector, {"paths": ["logs"]}, tmp_path)
    assert sorted(a.name for a in ctx.artifacts) == [
        f"cloudtrail-manifest-000{n}.json" for n in (1, 2, 3)]
    parts = [orjson.loads(ctx.artifact(f"cloudtrail-manifest-000{n}.json").data)
             for n in (1, 2, 3)]
    assert [[i["name"] for i in p["inputs"]] for p in parts] == [
        ["logs/0.json.gz", "logs/1.json.gz"], ["logs/2.json.gz", "logs/3.json.gz"],
        ["logs/4.json.gz", "logs/5.json.gz"]]
    assert [p["part"] for p in parts] == [1, 2, 3] and "totals" not in parts[0]
    assert parts[2]["totals"] == {"inputs": 6, "records": 15, "events": 15,
                                  "outside_period": 0, "bad_records": 0, "parts": 3}
    meta = [ctx.artifact(f"cloudtrail-manifest-000{n}.json") for n in (1, 2, 3)]
    assert [(m.item_count, m.complete) for m in meta] == [(3, True), (7, True), (5, False)]
    assert len(events) == 15


def test_a_one_line_json_lines_file_with_a_byte_order_mark(tmp_path: Path) -> None:
    rng = random.Random(6)
    record = cloudtrail(rng, PERIOD_START + timedelta(days=1))
    (tmp_path / "one.jsonl").write_bytes(b"\xef\xbb\xbf" + orjson.dumps(record))
    events, ctx = collect(CloudTrailCollector, {"paths": ["one.jsonl"]}, tmp_path)
    assert [e.id for e in events] == [record["eventID"]] and ctx.errors == []
