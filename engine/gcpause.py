"""Pausing Python's cyclic garbage collector around work that builds large acyclic data."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a run builds its large, acyclic data
    (parsed files, resources, findings): its full passes over hundreds of thousands of
    live objects cost more than the work itself. Reference counting still frees
    everything that is not in a cycle."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
