"""Where assay keeps what it can compute again, and how an entry is trusted.

A cache entry is named by a sha256 over everything that decides its content: the
input files' bytes, the settings, and ``code_fingerprint()`` — so an upgrade, or an
edit of assay's own code in a checkout, never serves an entry the new code would not
have written. Entries hold plain data (marshal) that is validated again on the way
in; a missing, unreadable or corrupt entry is a miss, and a cache that cannot be
written only costs speed. ``ASSAY_NO_CACHE=1`` turns every cache off.

Entries no run has read or written for ``UNUSED_DAYS`` days are removed, at most once
a day per folder, when something is written there: a cache kept between CI runs
does not grow without end.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from engine import __version__

FORMAT = "1"  # bump when the layout of any cached entry changes
UNUSED_DAYS = 30
DAY = 24 * 3600
PRUNED_STAMP = ".pruned"


_turned_off = False  # set for one command by ``turned_off()`` (``check --no-cache``)


def enabled() -> bool:
    return not os.environ.get("ASSAY_NO_CACHE") and not _turned_off


@contextmanager
def turned_off(off: bool = True) -> Iterator[None]:
    """No cache is read or written while the block runs (when ``off``)."""
    global _turned_off
    previous = _turned_off
    _turned_off = previous or off
    try:
        yield
    finally:
        _turned_off = previous


def user_cache_dir() -> Path:
    """``$ASSAY_CACHE_DIR``, else ``$XDG_CACHE_HOME/assay``, else ``~/.cache/assay`` — or
    ``.assay/cache`` in the working folder where there is no home (some CI containers)."""
    explicit = os.environ.get("ASSAY_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "assay"
    try:
        return Path.home() / ".cache" / "assay"
    except (RuntimeError, KeyError):
        return Path.cwd() / ".assay" / "cache"


@functools.cache
def code_fingerprint() -> str:
    """assay's version, the Python version and the size and modification time of every
    module of the engine and the collectors: a cheap stand-in for hashing the code."""
    root = Path(__file__).resolve().parent.parent
    stamps = [__version__, FORMAT, sys.version]
    for package in ("engine", "evidence"):
        for path in sorted((root / package).rglob("*.py")):
            stat = path.stat()
            stamps.append(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(stamps).encode()).hexdigest()


def key_of(*parts: str | bytes) -> str:
    digest = hashlib.sha256(code_fingerprint().encode())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def read(folder: Path, key: str) -> Any | None:
    """The entry stored under ``key``, or None."""
    path = folder / key[:2] / key
    try:
        value = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    mark_used(path)
    return value


def mark_used(path: Path) -> None:
    """Keep an entry that is still read from being pruned (its mtime is its last use)."""
    try:
        if path.stat().st_mtime < time.time() - DAY:
            os.utime(path)
    except OSError:
        pass


def prune(folder: Path, now: float | None = None) -> int:
    """Remove the entries under ``folder`` unused for ``UNUSED_DAYS`` days, at most once a
    day (a stamp file says when it last ran); return how many were removed."""
    now = time.time() if now is None else now
    stamp = folder / PRUNED_STAMP
    try:
        if stamp.stat().st_mtime > now - DAY:
            return 0
    except OSError:
        pass
    removed = 0
    try:
        folder.mkdir(parents=True, exist_ok=True)
        stamp.touch()
        for entry in folder.rglob("*"):
            if entry.name == PRUNED_STAMP or not entry.is_file():
                continue
            if entry.stat().st_mtime < now - UNUSED_DAYS * DAY:
                entry.unlink(missing_ok=True)
                removed += 1
    except OSError:
        pass  # a cache that cannot be pruned only costs space
    return removed


def write(folder: Path, key: str, value: Any) -> None:
    """Store plain data (dicts, lists, str, numbers…) atomically under ``key``."""
    try:
        data = marshal.dumps(value)
    except ValueError:
        return
    write_bytes(folder, key, data)


def write_bytes(folder: Path, key: str, data: bytes) -> None:
    """Store ``data`` (marshalled plain data) atomically under ``key``."""
    path = folder / key[:2] / key
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except OSError:
        Path(temp).unlink(missing_ok=True)
        return
    prune(folder)
