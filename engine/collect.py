"""The engine's side of the collector interface: one ``SourceContext`` per source.

It keeps what a collector reports — artifacts, errors, what it could not collect,
notes, counts — and sends redacted artifact bytes to the locker when there is one.
Collectors may call it from several threads (the AWS collector does).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.model import Artifact
from engine.results import RunError, SourceReport
from evidence.interface import ArtifactStore

Redactor = Callable[[bytes], bytes]


@dataclass(frozen=True)
class NotCollected:
    types: tuple[str, ...]
    scope: str
    reason: str


@dataclass
class SourceContext:
    """Implements ``evidence.interface.CollectContext`` for one source of one run."""

    source: str
    collector_version: str
    as_of: datetime
    period_start: datetime
    period_end: datetime
    base_dir: Path
    redact: Redactor
    store: ArtifactStore | None = None
    artifacts: list[Artifact] = field(default_factory=list)
    errors: list[RunError] = field(default_factory=list)
    gaps: list[NotCollected] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def store_artifact(
        self,
        *,
        name: str,
        data: bytes,
        media_type: str,
        query: Mapping[str, Any] | str,
        item_count: int,
        complete: bool,
    ) -> str:
        clean = self.redact(data)
        sha256 = hashlib.sha256(clean).hexdigest()
        if self.store is not None:
            self.store.put_object(sha256, clean)
        artifact = Artifact(
            sha256=sha256, name=name, size=len(clean), media_type=media_type,
            collector=self.source, collector_version=self.collector_version,
            query=dict(query) if isinstance(query, Mapping) else query,
            item_count=item_count, complete=complete, collected_at=self.as_of,
        )
        with self._lock:
            self.artifacts.append(artifact)
        return sha256

    def error(self, message: str, location: str | None = None) -> None:
        with self._lock:
            self.errors.append(RunError(source=self.source, message=message, location=location))

    def not_collected(self, types: Iterable[str], scope: str, reason: str) -> None:
        with self._lock:
            self.gaps.append(NotCollected(tuple(sorted(types)), scope, reason))

    def note(self, message: str) -> None:
        with self._lock:
            self.notes.append(message)

    def count(self, key: str, n: int = 1) -> None:
        with self._lock:
            self.counts[key] = self.counts.get(key, 0) + n

    # A part of a source (``evidence.interface.Part``) kept between runs keeps what its
    # collection reported, so a run served from the cache reports exactly the same.

    def mark(self) -> tuple[int, int, int, int, dict[str, int]]:
        with self._lock:
            return (len(self.artifacts), len(self.errors), len(self.gaps), len(self.notes),
                    dict(self.counts))

    def since(self, mark: tuple[int, int, int, int, dict[str, int]]) -> dict[str, Any]:
        """What was reported after ``mark``, as plain data (see ``replay``)."""
        artifacts, errors, gaps, notes, counts = mark
        with self._lock:
            return {
                "artifacts": [a.model_dump(mode="json", exclude={"collected_at"})
                              for a in self.artifacts[artifacts:]],
                "errors": [(e.message, e.location) for e in self.errors[errors:]],
                "gaps": [(list(g.types), g.scope, g.reason) for g in self.gaps[gaps:]],
                "notes": self.notes[notes:],
                "counts": {k: n - counts.get(k, 0) for k, n in self.counts.items()
                           if n != counts.get(k, 0)},
            }

    def replay(self, effects: Mapping[str, Any]) -> None:
        """Report again what ``since`` kept; artifacts are dated by this run."""
        for fields in effects["artifacts"]:
            with self._lock:
                self.artifacts.append(Artifact(**fields, collected_at=self.as_of))
        for message, location in effects["errors"]:
            self.error(message, location)
        for types, scope, reason in effects["gaps"]:
            self.not_collected(types, scope, reason)
        for message in effects["notes"]:
            self.note(message)
        for key, n in effects["counts"].items():
            self.count(key, n)

    def gaps_for(self, type_name: str) -> list[NotCollected]:
        return [gap for gap in self.gaps if type_name in gap.types or not gap.types]

    def report(self, scope: Mapping[str, Any]) -> SourceReport:
        return SourceReport(
            name=self.source,
            scope=json.loads(json.dumps(scope, default=str)),
            counts=dict(sorted(self.counts.items())),
            not_collected=[
                {"types": ",".join(g.types), "scope": g.scope, "reason": g.reason}
                for g in sorted(self.gaps, key=lambda g: (g.scope, g.types))
            ],
            notes=sorted(set(self.notes)),
        )
