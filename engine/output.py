"""Writing outputs: atomically (temp name then rename), so a failure leaves nothing half-written."""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

from engine.errors import AssayError
from engine.results import Results
from engine.status import Severity, Status


@functools.cache
def _umask() -> int:
    """The process umask, read once: reading it means setting it, which is not thread-safe."""
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomic(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise AssayError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are ordinary files
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise AssayError(f"cannot write {path}: {exc.strerror or exc}") from None


def exit_code(results: Results, fail_on: Severity) -> int:
    """DESIGN: 1 if a failing finding is at or above ``fail_on`` (new ones only with a
    baseline); else 3 if the run is incomplete; else 0."""
    for finding in results.findings:
        if (finding.status is Status.FAIL and finding.severity.rank >= fail_on.rank
                and finding.baseline != "existing"):
            return 1
    for control in results.controls:  # failing findings counted but not kept
        if control.severity.rank >= fail_on.rank and any(c.truncated for c in control.checks):
            return 1
    return 0 if results.run.complete else 3
