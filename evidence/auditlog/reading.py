"""The shared reading loop of the log collectors.

A log collector walks its configured paths (files, folders, ``s3://``
prefixes), turns each input into records (formats.py), each record into an
``Event`` (the subclass's ``to_event``), and yields only the events inside the
run's period ``[period_start, min(period_end, as_of)]``, both ends inclusive.

Evidence kept: raw logs can be far larger than the locker should hold, so
instead of copying them the collector stores a manifest artifact
(``<source>-manifest.json``; numbered parts of 10,000 inputs each when there
are more, so memory stays bounded): every input with its size and the sha256 of its
bytes exactly as stored (hashed while streaming), its format, how many records
it held, how many fell in the period, how many were malformed and whether it
was read to the end. An auditor re-hashes the retained log files against it.

Bad evidence: a malformed line or record is counted and the rest of the input
is read; the first 20 are reported as ``file:line: reason`` — as errors (the
run is incomplete) unless their total is within ``max_bad_lines``, then as
notes. A truncated gzip, an unreadable input or an unknown format is an error
naming the input.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import orjson

from engine.model import Event, Resource
from evidence.auditlog import formats, sources
from evidence.auditlog.timestamps import TimestampError, isoformat
from evidence.interface import CollectContext, Collector, CollectRequest

BAD_LINES_REPORTED = 20
MANIFEST_PART_INPUTS = 10_000  # inputs per manifest artifact, so memory stays bounded


class BadRecord(ValueError):
    """A record that parsed but cannot be an event (no timestamp…)."""


@dataclass
class InputReport:
    """One manifest entry."""

    name: str
    format: str = ""
    size: int = 0
    sha256: str = ""
    records: int = 0
    events: int = 0
    bad: int = 0
    complete: bool = False
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class _Tally:
    bad_total: int = 0
    bad_kept: list[tuple[str, str]] = field(default_factory=list)
    inputs: list[InputReport] = field(default_factory=list)  # of the manifest part being filled
    parts: int = 0
    input_count: int = 0
    events: int = 0
    records: int = 0
    outside: int = 0
    errors: int = 0


class LogCollector(Collector):
    """Base of the cloudtrail, k8s_audit and auditlog collectors."""

    kind = "events"
    version = "1"
    document_key: ClassVar[str] = "Records"
    skip_dirs: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, config: Mapping[str, Any], context: CollectContext) -> None:
        super().__init__(config, context)
        paths = config.get("paths")
        if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
            raise ValueError(f"sources.{self.source}.paths: expected a list of files, "
                             "folders or s3:// prefixes")
        self.paths: list[str] = paths
        self.max_bad_lines = int(config.get("max_bad_lines") or 0)
        self.aws: Mapping[str, Any] = config.get("aws") or {}
        self.max_document_bytes = int(config.get("max_document_bytes")
                                      or formats.MAX_DOCUMENT_BYTES)
        self.start = context.period_start
        self.end = min(context.period_end, context.as_of)

    # ------------------------------------------------------------------ to override

    def to_event(self, record: dict[str, Any], name: str, number: int) -> Event | None:
        """The event for record ``number`` of input ``name``; None outside the period.

        Raises BadRecord or TimestampError when the record cannot be an event.
        """
        raise NotImplementedError

    def record_format(self, head: bytes) -> str:
        """``document`` or ``jsonl`` for this input; FormatError when neither."""
        if formats.is_document(head, self.document_key):
            return "document"
        if head.removeprefix(formats.BOM).lstrip().startswith(b"{") \
                or formats.looks_like_jsonl(head):
            return "jsonl"
        raise formats.FormatError("unknown format: neither JSON Lines nor a JSON document")

    # ------------------------------------------------------------------ reading

    def collect(self, request: CollectRequest) -> Iterator[Resource | Event]:
        tally = _Tally()
        try:
            for item in self._inputs():
                if isinstance(item, tuple):
                    self._error(tally, item[1], item[0])
                    continue
                yield from self._read(item, tally)
        finally:
            self._finish(tally)

    def _inputs(self) -> Iterator[sources.Input | tuple[str, str]]:
        """Inputs in configured order; a tuple is a problem met while listing (input, message)."""
        listing = sources.Listing(skip_dirs=self.skip_dirs)
        client: Any = None
        for configured in self.paths:
            if configured.startswith("s3://"):
                if client is None:
                    try:
                        client = sources.s3_client(self.aws)
                    except Exception as exc:  # botocore: unknown profile, bad endpoint URL…
                        yield configured, f"{configured}: cannot reach S3: {exc}"
                        continue
                found = sources.s3_inputs(client, configured, listing)
            else:
                path = Path(configured)
                if not path.is_absolute():
                    path = self.context.base_dir / path
                found = sources.local_inputs(path, configured, listing)
            for item in found:
                yield from self._drain(listing)
                yield item
            yield from self._drain(listing)
        if listing.skipped:
            self.context.note(f"{listing.skipped} folder(s) named "
                              f"{', '.join(sorted(self.skip_dirs))} skipped")

    @staticmethod
    def _drain(listing: sources.Listing) -> Iterator[tuple[str, str]]:
        while listing.problems:
            yield listing.problems.pop(0)

    def _read(self, item: sources.Input, tally: _Tally) -> Iterator[Event]:
        if len(tally.inputs) >= MANIFEST_PART_INPUTS:
            self._store_manifest(tally, final=False)
        report = InputReport(item.name)
        tally.inputs.append(report)
        tally.input_count += 1
        digest = sources.Digest()
        try:
            head, chunks = formats.peek(formats.decompressed(item.chunks(digest)))
            report.format = self.record_format(head) if head else "empty"
            yield from self._events(item.name, report, chunks, tally)
            report.complete = True
        except (formats.FormatError, sources.InputError) as exc:
            message = str(exc)
            if not message.startswith(item.name):
                message = f"{item.name}: {message}"
            report.error = message
            self._error(tally, message, item.name)
        finally:
            report.size, report.sha256 = digest.size, digest.hexdigest()
            tally.events += report.events
            self.context.count("files")

    def _events(self, name: str, report: InputReport, chunks: Iterator[bytes],
                tally: _Tally) -> Iterator[Event]:
        if report.format == "document":
            records = formats.json_document(chunks, self.document_key, self.max_document_bytes)
            return self._document_events(name, report, records, tally)
        rows = formats.csv_rows(chunks) if report.format == "csv" else formats.json_lines(chunks)
        return self._stream_events(name, report, rows, tally)

    # The two hot loops of every log source: a type test, one call, one yield per record.

    def _document_events(self, name: str, report: InputReport, records: list[Any],
                         tally: _Tally) -> Iterator[Event]:
        to_event = self.to_event
        outside = 0
        try:
            for number, record in enumerate(records, 1):
                if record.__class__ is not dict:
                    self._bad(tally, report, f"{name}:{number}", "record is not a JSON object")
                    continue
                try:
                    event = to_event(record, name, number)
                except (BadRecord, TimestampError) as exc:
                    self._bad(tally, report, f"{name}:{number}", str(exc))
                    continue
                if event is None:
                    outside += 1
                    continue
                report.events += 1
                yield event
        finally:
            report.records += len(records)
            tally.records += len(records)
            tally.outside += outside

    def _stream_events(self, name: str, report: InputReport,
                       rows: Iterator[formats.Record | formats.Bad],
                       tally: _Tally) -> Iterator[Event]:
        to_event, bad_type = self.to_event, formats.Bad
        records = outside = 0
        try:
            for item in rows:
                records += 1
                if item.__class__ is bad_type:
                    self._bad(tally, report, f"{name}:{item.number}", item.reason)
                    continue
                number, record = item  # type: ignore[misc]
                try:
                    event = to_event(record, name, number)
                except (BadRecord, TimestampError) as exc:
                    self._bad(tally, report, f"{name}:{number}", str(exc))
                    continue
                if event is None:
                    outside += 1
                    continue
                report.events += 1
                yield event
        finally:
            report.records += records
            tally.records += records
            tally.outside += outside

    # ------------------------------------------------------------------ bookkeeping

    def _bad(self, tally: _Tally, report: InputReport, location: str, reason: str) -> None:
        report.bad += 1
        tally.bad_total += 1
        if len(tally.bad_kept) < BAD_LINES_REPORTED:
            tally.bad_kept.append((location, reason))

    def _error(self, tally: _Tally, message: str, location: str | None) -> None:
        tally.errors += 1
        self.context.error(message, location)

    def _finish(self, tally: _Tally) -> None:
        for key, value in (("events", tally.events), ("records", tally.records),
                           ("outside_period", tally.outside), ("bad_records", tally.bad_total)):
            self.context.count(key, value)
        self._report_bad(tally)
        self._store_manifest(tally, final=True)

    def _store_manifest(self, tally: _Tally, *, final: bool) -> None:
        """Store the inputs read so far as one manifest artifact (the last one has the totals).

        A run over up to MANIFEST_PART_INPUTS inputs has one ``<source>-manifest.json``;
        a longer one has numbered parts, ``<source>-manifest-0001.json`` and on.
        """
        if not final and not tally.inputs:
            return
        tally.parts += 1
        single = final and tally.parts == 1
        name = f"{self.source}-manifest.json" if single \
            else f"{self.source}-manifest-{tally.parts:04d}.json"
        period = {"start": isoformat(self.start), "end": isoformat(self.end)}
        manifest: dict[str, Any] = {"source": self.source, "period": period,
                                    "inputs": [r.as_json() for r in tally.inputs]}
        complete = tally.bad_total <= self.max_bad_lines and all(r.complete for r in tally.inputs)
        if not single:
            manifest["part"] = tally.parts
        if final:
            manifest["totals"] = {"inputs": tally.input_count, "records": tally.records,
                                  "events": tally.events, "outside_period": tally.outside,
                                  "bad_records": tally.bad_total, "parts": tally.parts}
            complete = complete and tally.errors == 0
        self.context.store_artifact(
            name=name,
            data=orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS),
            media_type="application/json",
            query={"paths": list(self.paths), "period": period},
            item_count=sum(r.events for r in tally.inputs),
            complete=complete,
        )
        tally.inputs = []

    def _report_bad(self, tally: _Tally) -> None:
        if not tally.bad_total:
            return
        within = tally.bad_total <= self.max_bad_lines
        for location, reason in tally.bad_kept:
            if within:
                self.context.note(f"{location}: malformed record skipped: {reason}")
            else:
                self.context.error(f"malformed record: {reason}", location)
        shown = (f"; the first {BAD_LINES_REPORTED} are listed"
                 if tally.bad_total > BAD_LINES_REPORTED else "")
        summary = (f"{tally.bad_total} malformed line(s) or record(s) in {self.source} "
                   f"(max_bad_lines: {self.max_bad_lines}){shown}")
        if within:
            self.context.note(summary)
        else:
            self.context.error(summary)

