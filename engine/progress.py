"""Progress of a scan: rich bars on a terminal, plain timestamped lines elsewhere (CI, pipes)."""

from __future__ import annotations

import os
import sys
import threading
from datetime import UTC, datetime
from types import TracebackType
from typing import IO

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn


class ProgressReporter:
    """Called as ``reporter(source, message)`` by the run; a context manager around it."""

    def __enter__(self) -> ProgressReporter:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        return None

    def __call__(self, source: str, message: str) -> None:
        raise NotImplementedError


class PlainProgress(ProgressReporter):
    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self._lock = threading.Lock()

    def __call__(self, source: str, message: str) -> None:
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self._lock:
            print(f"{stamp} {source}: {message}", file=self.stream, flush=True)


class RichProgress(ProgressReporter):
    """One line per source with a spinner, its latest counts and the time it took."""

    def __init__(self, console: Console) -> None:
        self._bars = Progress(SpinnerColumn(), TextColumn("{task.fields[source]:<15}"),
                              TextColumn("{task.description}"), TimeElapsedColumn(),
                              console=console, transient=False)
        self._tasks: dict[str, TaskID] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> RichProgress:
        self._bars.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._bars.stop()

    def __call__(self, source: str, message: str) -> None:
        with self._lock:
            if source not in self._tasks:
                self._tasks[source] = self._bars.add_task(message, total=1, source=source)
            task = self._tasks[source]
            finished = message.startswith("done")
            self._bars.update(task, description=message, completed=1 if finished else 0)


def reporter_for(stream: IO[str] | None = None) -> ProgressReporter:
    """Rich on an interactive terminal; plain lines when not a TTY or when CI is set."""
    target = stream or sys.stderr
    if target.isatty() and not os.environ.get("CI"):
        return RichProgress(Console(file=target))
    return PlainProgress(target)
