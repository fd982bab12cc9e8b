"""A recording CollectContext and helpers to run the Terraform collectors on fixture folders."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from engine.model import Resource
from evidence.interface import CollectRequest

FIXTURES = Path(__file__).parent / "fixtures"


class RecordingContext:
    def __init__(self, base_dir: Path) -> None:
        self.as_of = datetime(2026, 6, 30, tzinfo=UTC)
        self.period_start = datetime(2026, 1, 1, tzinfo=UTC)
        self.period_end = self.as_of
        self.base_dir = base_dir
        self.artifacts: list[dict[str, Any]] = []
        self.errors: list[tuple[str, str | None]] = []
        self.notes: list[str] = []
        self.counts: Counter[str] = Counter()

    def store_artifact(self, *, name: str, data: bytes, media_type: str,
                       query: Mapping[str, Any] | str, item_count: int, complete: bool) -> str:
        sha = hashlib.sha256(data).hexdigest()
        self.artifacts.append({"name": name, "data": data, "media_type": media_type,
                               "query": query, "item_count": item_count, "complete": complete})
        return sha

    def error(self, message: str, location: str | None = None) -> None:
        self.errors.append((message, location))

    def not_collected(self, types: Iterable[str], scope: str, reason: str) -> None:
        raise AssertionError("terraform never reports not_collected")

    def note(self, message: str) -> None:
        self.notes.append(message)

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] += n


def _collect(collector_cls: type, config: dict[str, Any], base_dir: Path,
             types: Iterable[str] = ()) -> tuple[dict[str, Resource], RecordingContext]:
    context = RecordingContext(base_dir)
    collector = collector_cls(config, context)
    found = list(collector.collect(CollectRequest(types=frozenset(types))))
    by_id = {r.id: r for r in found}
    assert len(by_id) == len(found), "resource ids must be unique"
    return by_id, context  # type: ignore[return-value]


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


@pytest.fixture
def collect() -> Any:
    """``collect(CollectorClass, config, base_dir, types=())`` → (resources by id, context)."""
    return _collect
