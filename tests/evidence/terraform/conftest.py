"""Helpers to run the Terraform collectors on fixture folders."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from engine.model import Resource
from evidence.interface import CollectRequest
from evidence.testing import RecordingContext

FIXTURES = Path(__file__).parent / "fixtures"


def _collect(collector_cls: type, config: dict[str, Any], base_dir: Path,
             types: Iterable[str] = ()) -> tuple[dict[str, Resource], RecordingContext]:
    context = RecordingContext(base_dir=base_dir)
    collector = collector_cls(config, context)
    found = list(collector.collect(CollectRequest(types=frozenset(types))))
    assert not context.gaps, "terraform never reports not_collected"
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
