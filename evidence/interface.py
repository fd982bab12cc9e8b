"""The interface between the engine and every collector.

A collector reads one source and yields Resources (posture sources) or Events
(log sources). Everything else it has to say goes through its CollectContext:
raw evidence to keep (artifacts), errors, what it could not collect and why.
The engine implements the context; collectors never touch results directly.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol

from engine.model import Event, Resource


@dataclass(frozen=True)
class CollectRequest:
    """What the selected checks need from a source."""

    types: frozenset[str] = frozenset()  # resource types (posture sources)
    shard: Mapping[str, list[str]] = field(default_factory=dict)  # e.g. {"regions": [...]}


@dataclass(frozen=True)
class Part:
    """A piece of a posture source that stands alone: its resources are decided by inputs
    the collector can name, and no resource outside the piece refers to one inside it
    (a Terraform root module). The engine may keep the findings of a part between runs.

    ``key()`` is a digest of every input of the part, or None while the collector does
    not know them all; it is asked before ``collect()`` (to look the part up) and after
    (to store it), when resolving the part may have taught the collector its inputs.
    """

    label: str
    key: Callable[[], str | None]
    collect: Callable[[], list[Resource]]


class CollectContext(Protocol):
    """Services the engine gives a collector for one run."""

    as_of: datetime
    period_start: datetime
    period_end: datetime
    base_dir: Path  # relative paths in the source's config resolve against it

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
        """Redact secrets, hash, keep in the locker (when there is one); return the sha256."""
        ...

    def error(self, message: str, location: str | None = None) -> None:
        """Record a collection error: the run becomes incomplete."""
        ...

    def not_collected(self, types: Iterable[str], scope: str, reason: str) -> None:
        """Record that these resource types could not be read in this scope (access denied…)."""
        ...

    def note(self, message: str) -> None:
        """Record something the reader of the results should know (a skipped module…)."""
        ...

    def count(self, key: str, n: int = 1) -> None:
        """Add to a named counter shown in the source's report (files, resources, events…)."""
        ...


class Collector(ABC):
    """Base class of every collector; subclasses register under ``source``."""

    source: ClassVar[str]
    kind: ClassVar[Literal["posture", "events", "manual"]]
    version: ClassVar[str] = "1"

    def __init__(self, config: Mapping[str, Any], context: CollectContext) -> None:
        self.config = config
        self.context = context

    @abstractmethod
    def collect(self, request: CollectRequest) -> Iterator[Resource | Event]:
        """Yield what the source holds; report problems through the context."""

    def parts(self, request: CollectRequest) -> list[Part] | None:
        """The source split into parts whose findings the engine may keep between runs;
        None (the default) when the source cannot be split that way — then ``collect()``."""
        return None

    @classmethod
    def knows_type(cls, type_name: str) -> bool:
        """Whether ``type_name`` is a resource type this source can yield (load-time check)."""
        return True

    def scope(self) -> dict[str, Any]:
        """What this collector was pointed at, for the results' sources list."""
        return dict(self.config)


class ArtifactStore(Protocol):
    """Where artifact bytes go (the evidence locker); content-addressed by sha256."""

    def put_object(self, sha256: str, data: bytes) -> None: ...
