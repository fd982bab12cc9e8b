"""The recording context of AWS collector tests, with the operations it saw."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from evidence.testing import RecordingContext as Recording


@dataclass
class RecordingContext(Recording):
    as_of: datetime = datetime(2026, 11, 25, tzinfo=UTC)
    period_start: datetime = datetime(2026, 8, 1, tzinfo=UTC)
    period_end: datetime = datetime(2026, 11, 25, tzinfo=UTC)

    def operations(self) -> set[str]:
        return {str(a.query["operation"]) for a in self.artifacts
                if isinstance(a.query, Mapping)}
