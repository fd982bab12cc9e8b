"""A small CollectContext that records what a collector hands it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass
class StoredArtifact:
    name: str
    data: bytes
    media_type: str
    query: Mapping[str, Any] | str
    item_count: int
    complete: bool


@dataclass
class RecordingContext:
    """Keeps the bytes exactly as received (no redaction of its own), so tests see
    what the collector itself lets through."""

    as_of: datetime = datetime(2026, 11, 25, tzinfo=UTC)
    period_start: datetime = datetime(2026, 8, 1, tzinfo=UTC)
    period_end: datetime = datetime(2026, 11, 25, tzinfo=UTC)
    base_dir: Path = Path(".")
    artifacts: list[StoredArtifact] = field(default_factory=list)
    errors: list[tuple[str, str | None]] = field(default_factory=list)
    gaps: list[tuple[list[str], str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def store_artifact(self, *, name: str, data: bytes, media_type: str,
                       query: Mapping[str, Any] | str, item_count: int, complete: bool) -> str:
        self.artifacts.append(StoredArtifact(name, data, media_type, query, item_count, complete))
        return hashlib.sha256(data).hexdigest()

    def error(self, message: str, location: str | None = None) -> None:
        self.errors.append((message, location))

    def not_collected(self, types: Iterable[str], scope: str, reason: str) -> None:
        self.gaps.append((sorted(types), scope, reason))

    def note(self, message: str) -> None:
        self.notes.append(message)

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def operations(self) -> set[str]:
        return {str(a.query["operation"]) for a in self.artifacts
                if isinstance(a.query, Mapping)}
