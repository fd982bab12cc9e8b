"""The values the condition language produces: a three-valued truth with its reason.

``engine.conditions`` re-exports everything here; import from there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from engine.model import Resource


class Truth(Enum):
    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"


TRUE, FALSE, UNKNOWN = Truth.TRUE, Truth.FALSE, Truth.UNKNOWN


@dataclass(frozen=True, slots=True)
class Verdict:
    truth: Truth
    reason: str  # why, in words a reviewer understands


Lookup = Callable[[str, str, str], Sequence[Resource]]


@dataclass(frozen=True)
class EvalContext:
    as_of: datetime  # age_lte measures against it, never now(); naive means UTC
    subject_id: str | None = None  # the resource the condition is about
    lookup: Lookup | None = None
    # lookup(subject_id, related_type, by) -> resources of related_type whose `by`
    # attribute references the subject
    missing: Callable[[str], str | None] | None = None
    # missing(related_type) -> why some resources of that type may not have been read
    # (a scope the collector could not read), or None when all were read

    def __post_init__(self) -> None:
        if self.as_of.tzinfo is None:
            object.__setattr__(self, "as_of", self.as_of.replace(tzinfo=UTC))


Predicate = Callable[[Mapping[str, Any], EvalContext], Verdict]
TruthTest = Callable[[Mapping[str, Any], EvalContext], Truth]


@dataclass(frozen=True, slots=True)
class Compiled:
    """One condition compiled twice over: truth only, and truth with its reason."""

    test: TruthTest
    verdict: Predicate
