"""The ``cloudtrail``, ``k8s_audit`` and ``auditlog`` collectors.

Configuration (``sources.<name>`` in assay.yaml):

- ``paths``: files, folders (recursive, sorted) or ``s3://bucket/prefix``;
  ``.gz`` inputs are inflated (recognised by content).
- ``max_bad_lines`` (default 0): malformed lines/records tolerated before the
  run is incomplete.
- ``aws: {endpoint_url, profile, region}``: how ``s3://`` paths are read
  (filled from ``sources.aws`` by the engine).
- ``auditlog`` only: ``format: jsonl | csv`` and ``fields: {timestamp, actor,
  action, target, outcome}`` naming each standard field's place in a record
  (dotted paths into nested JSON; for CSV the column name).

Each event's attributes are the record as read; application log events also
carry the mapped standard names at top level (``timestamp`` as UTC ISO text).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from engine.model import Event
from evidence.auditlog.reading import BadRecord, LogCollector
from evidence.auditlog.timestamps import isoformat, to_utc
from evidence.interface import CollectContext


class CloudTrailCollector(LogCollector):
    """CloudTrail ``Records`` files as delivered to S3, or JSON Lines of single records.

    Digest files (the ``CloudTrail-Digest`` folder) hold no events and are skipped.
    """

    source = "cloudtrail"
    document_key = "Records"
    skip_dirs = frozenset({"CloudTrail-Digest"})

    def to_event(self, record: dict[str, Any], name: str, number: int) -> Event | None:
        raw = record.get("eventTime")
        if raw is None:
            raise BadRecord("no eventTime")
        moment = to_utc(raw)
        if moment < self.start or moment > self.end:
            return None
        event_id = record.get("eventID")
        if event_id is not None and event_id.__class__ is not str:
            event_id = str(event_id)
        return Event("cloudtrail", moment, record, f"{name}:{number}", event_id)


class K8sAuditCollector(LogCollector):
    """Kubernetes ``audit.k8s.io/v1`` ``Event`` lines (or an ``EventList`` document).

    The event's time is ``requestReceivedTimestamp`` (when the request was made),
    else ``stageTimestamp``. Each stage of a request is its own line in the log
    and its own event here, sharing the ``auditID``; a check that wants one per
    request selects a stage (``stage: ResponseComplete``).
    """

    source = "k8s_audit"
    document_key = "items"

    def to_event(self, record: dict[str, Any], name: str, number: int) -> Event | None:
        raw = record.get("requestReceivedTimestamp") or record.get("stageTimestamp")
        if raw is None:
            raise BadRecord("no requestReceivedTimestamp or stageTimestamp")
        moment = to_utc(raw)
        if moment < self.start or moment > self.end:
            return None
        audit_id = record.get("auditID")
        return Event("k8s_audit", moment, record, f"{name}:{number}",
                     None if audit_id is None else str(audit_id))


STANDARD_FIELDS = ("timestamp", "actor", "action", "target", "outcome")


def path_getter(path: str) -> Callable[[Mapping[str, Any]], Any]:
    """Read ``a.b.c`` from nested mappings; a key that itself contains dots wins."""
    parts = path.split(".")

    def get(record: Mapping[str, Any]) -> Any:
        if path in record:
            return record[path]
        value: Any = record
        for part in parts:
            if not isinstance(value, Mapping):
                return None
            value = value.get(part)
        return value

    return get


class AppAuditLogCollector(LogCollector):
    """Application audit logs: JSON Lines or CSV, with a field mapping."""

    source = "auditlog"
    document_key = "records"

    def __init__(self, config: Mapping[str, Any], context: CollectContext) -> None:
        super().__init__(config, context)
        self.format = config.get("format") or "jsonl"
        if self.format not in ("jsonl", "csv"):
            raise ValueError(f"sources.auditlog.format: expected jsonl or csv, got {self.format!r}")
        fields = dict(config.get("fields") or {})
        fields.setdefault("timestamp", "timestamp")
        unknown = sorted(set(fields) - set(STANDARD_FIELDS))
        if unknown:
            raise ValueError(f"sources.auditlog.fields: unknown field(s) {', '.join(unknown)};"
                             f" expected {', '.join(STANDARD_FIELDS)}")
        self.timestamp_path = str(fields["timestamp"])
        self._timestamp = path_getter(self.timestamp_path)
        self._mapped = [(name, path_getter(str(path))) for name, path in fields.items()
                        if name != "timestamp" and path]

    def record_format(self, head: bytes) -> str:
        if self.format == "csv":
            return "csv"
        return super().record_format(head)

    def to_event(self, record: dict[str, Any], name: str, number: int) -> Event | None:
        raw = self._timestamp(record)
        if raw is None or raw == "":
            raise BadRecord(f"no timestamp at {self.timestamp_path!r}")
        moment = to_utc(raw)
        if moment < self.start or moment > self.end:
            return None
        for standard, get in self._mapped:
            value = get(record)
            if value is not None:
                record[standard] = value
        record["timestamp"] = isoformat(moment)
        return Event("auditlog", moment, record, f"{name}:{number}")
