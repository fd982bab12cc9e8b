"""Where assay keeps what it can compute again, and how an entry is trusted.

A cache entry is named by a sha256 over everything that decides its content: the
input files' bytes, the settings, and ``code_fingerprint()`` — so an upgrade, or an
edit of assay's own code in a checkout, never serves an entry the new code would not
have written. Entries hold plain data (marshal) that is validated again on the way
in; a missing, unreadable or corrupt entry is a miss, and a cache that cannot be
written only costs speed. ``ASSAY_NO_CACHE=1`` turns every cache off.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from engine import __version__

FORMAT = "1"  # bump when the layout of any cached entry changes


def enabled() -> bool:
    return not os.environ.get("ASSAY_NO_CACHE")


def user_cache_dir() -> Path:
    """``$ASSAY_CACHE_DIR``, else ``$XDG_CACHE_HOME/assay``, else ``~/.cache/assay``."""
    explicit = os.environ.get("ASSAY_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "assay"


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
    try:
        return marshal.loads((folder / key[:2] / key).read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None


def write(folder: Path, key: str, value: Any) -> None:
    """Store plain data (dicts, lists, str, numbers…) atomically under ``key``."""
    path = folder / key[:2] / key
    try:
        data = marshal.dumps(value)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except (OSError, ValueError):
        pass
