"""One thread pool for every call: listings per (account, region, service) and the
per-resource detail calls they lead to.

Jobs never wait on other jobs — a listing *spawns* its detail jobs and returns —
so the pool cannot deadlock even with one worker. Workers never touch the
collect context either: they post messages (resources, call records, errors)
to a queue that the collecting thread drains, so the context need not be
thread-safe.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

Job = Callable[[], None]


@dataclass(frozen=True)
class Crash:
    """A job raised something it did not expect (a bug or a malformed response)."""

    job: Job
    error: BaseException


_DONE = object()


class Runner:
    def __init__(self, max_workers: int) -> None:
        self.max_workers = max_workers
        self._out: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._pending = 0
        self._pool: ThreadPoolExecutor | None = None

    def post(self, message: Any) -> None:
        """Send a message to the collecting thread (thread-safe)."""
        self._out.put(message)

    def spawn(self, job: Job) -> None:
        """Run ``job`` in the pool; callable from any job."""
        assert self._pool is not None, "spawn() outside run()"
        with self._lock:
            self._pending += 1
        self._pool.submit(self._run_one, job)

    def _run_one(self, job: Job) -> None:
        try:
            job()
        except BaseException as exc:  # reported as a collection error, never swallowed
            self._out.put(Crash(job, exc))
        finally:
            self._finish()

    def _finish(self) -> None:
        with self._lock:
            self._pending -= 1
            done = self._pending == 0
        if done:
            self._out.put(_DONE)

    def run(self, jobs: list[Job]) -> Iterator[Any]:
        """Run ``jobs`` and everything they spawn; yield their messages as they arrive."""
        with ThreadPoolExecutor(max_workers=self.max_workers,
                                thread_name_prefix="assay-aws") as pool:
            self._pool = pool
            with self._lock:
                self._pending += 1  # held until every initial job is submitted
            for job in jobs:
                self.spawn(job)
            self._finish()
            while (message := self._out.get()) is not _DONE:
                yield message
        self._pool = None
