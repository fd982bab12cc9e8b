"""A collect context that keeps what a collector reports, so a cached step can report
it again on a later run exactly as if it had run."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from evidence.interface import CollectContext

Effect = tuple[Any, ...]  # ("error", message, location) | ("note", message) | ("count", key, n)


class Recording:
    """Passes errors, notes and counts on to ``inner`` (unless ``forward`` is off) and
    keeps them in ``effects``; artifacts and not-collected scopes go straight through."""

    def __init__(self, inner: CollectContext, *, forward: bool = True) -> None:
        self.inner = inner
        self.forward = forward
        self.effects: list[Effect] = []
        self.as_of: datetime = inner.as_of
        self.period_start: datetime = inner.period_start
        self.period_end: datetime = inner.period_end
        self.base_dir: Path = inner.base_dir

    def store_artifact(self, *, name: str, data: bytes, media_type: str,
                       query: Mapping[str, Any] | str, item_count: int, complete: bool) -> str:
        return self.inner.store_artifact(name=name, data=data, media_type=media_type,
                                         query=query, item_count=item_count, complete=complete)

    def not_collected(self, types: Iterable[str], scope: str, reason: str) -> None:
        self.inner.not_collected(types, scope, reason)

    def error(self, message: str, location: str | None = None) -> None:
        self.effects.append(("error", message, location))
        if self.forward:
            self.inner.error(message, location)

    def note(self, message: str) -> None:
        self.effects.append(("note", message))
        if self.forward:
            self.inner.note(message)

    def count(self, key: str, n: int = 1) -> None:
        self.effects.append(("count", key, n))
        if self.forward:
            self.inner.count(key, n)


def replay(effects: Iterable[Effect], context: CollectContext) -> None:
    for effect in effects:
        if effect[0] == "error":
            context.error(effect[1], effect[2])
        elif effect[0] == "note":
            context.note(effect[1])
        elif effect[0] == "count":
            context.count(effect[1], effect[2])
