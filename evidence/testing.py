"""A collector that replays recorded resources or events — for tests and control fixtures.

``RecordedCollector`` reads ``{resources: [...]}`` (or ``{file: recorded.yaml}``) from its
config; ``{"$unknown": reason}`` anywhere in attributes becomes ``engine.values.Unknown``.
``recorded_source("aws")`` registers it under a real source name for the duration of a test.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, Literal

import yaml

from engine.model import Event, Location, Resource
from engine.values import Unknown
from evidence import registry
from evidence.interface import Collector, CollectRequest


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
