"""Test doubles of the collector interface, for tests and control fixtures.

``RecordingContext`` is the CollectContext a collector's tests hand it: it keeps what
the collector reports, the artifact bytes exactly as received (no redaction of its
own, so a test sees what the collector itself lets through).

``RecordedCollector`` reads ``{resources: [...]}`` (or ``{file: recorded.yaml}``) from its
config; ``{"$unknown": reason}`` anywhere in attributes becomes ``engine.values.Unknown``.
``recorded_source("aws")`` registers it under a real source name for the duration of a test.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Literal

import yaml

from engine.model import Event, Location, Resource
from engine.values import Unknown
from evidence import registry
from evidence.interface import Collector, CollectRequest


@dataclass(frozen=True)
class StoredArtifact:
    name: str
    data: bytes
    media_type: str
    query: Mapping[str, Any] | str
    item_count: int
    complete: bool

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class RecordingContext:
    """Implements ``evidence.interface.CollectContext`` by keeping everything."""

    base_dir: Path = Path(".")
    as_of: datetime = datetime(2026, 6, 30, tzinfo=UTC)
    period_start: datetime = datetime(2026, 1, 1, tzinfo=UTC)
    period_end: datetime = datetime(2026, 6, 30, tzinfo=UTC)
    artifacts: list[StoredArtifact] = field(default_factory=list)
    errors: list[tuple[str, str | None]] = field(default_factory=list)
    gaps: list[tuple[list[str], str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def store_artifact(self, *, name: str, data: bytes, media_type: str,
                       query: Mapping[str, Any] | str, item_count: int, complete: bool) -> str:
        stored = StoredArtifact(name, data, media_type, query, item_count, complete)
        self.artifacts.append(stored)
        return stored.sha256

    def error(self, message: str, location: str | None = None) -> None:
        self.errors.append((message, location))

    def not_collected(self, types: Iterable[str], scope: str, reason: str) -> None:
        self.gaps.append((sorted(types), scope, reason))

    def note(self, message: str) -> None:
        self.notes.append(message)

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def artifact(self, name: str) -> StoredArtifact:
        """The last artifact stored under ``name``."""
        return next(a for a in reversed(self.artifacts) if a.name == name)


def from_jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$unknown"}:
            return Unknown(str(value["$unknown"]))
        return {k: from_jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_jsonable(v) for v in value]
    return value


class RecordedCollector(Collector):
    source: ClassVar[str] = "recorded"
    kind: ClassVar[Literal["posture", "events", "manual"]] = "posture"

    def _records(self) -> list[Mapping[str, Any]]:
        if "file" in self.config:
            path = Path(self.config["file"])
            if not path.is_absolute():
                path = self.context.base_dir / path
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            return list(data.get("resources", []))
        return list(self.config.get("resources", []))

    def collect(self, request: CollectRequest) -> Iterator[Resource | Event]:
        for record in self._records():
            if request.types and record["type"] not in request.types:
                continue
            self.context.count("resources")
            yield Resource(
                source=self.source, type=record["type"], id=record["id"],
                attributes=from_jsonable(record.get("attributes", {})),
                location=Location(**record.get("location", {})),
                refs=record.get("refs", {}),
            )


@contextmanager
def recorded_source(source: str) -> Iterator[type[RecordedCollector]]:
    """Register a RecordedCollector under ``source`` while the block runs."""
    cls = type(f"Recorded_{source}", (RecordedCollector,), {"source": source})
    previous = registry._extra.get(source)
    registry.register(cls)
    try:
        yield cls
    finally:
        if previous is None:
            registry._extra.pop(source, None)
        else:
            registry._extra[source] = previous
