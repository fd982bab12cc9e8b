"""Parsing with a content-addressed cache and, for cold scans, a process pool.

A parsed file is stored under the sha256 of its bytes and the parser version,
marshalled (the intermediate form is plain tuples, lists and dicts, so this is
the fastest round trip Python offers). A cache miss is parsed in a pool of
processes when there are enough of them to pay for the pool.
"""

from __future__ import annotations

import hashlib
import marshal
import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path
from typing import Any

from engine import cache
from evidence.terraform import suppressions
from evidence.terraform.hcl import HclSyntaxError, parse_text

IR_VERSION = "2"
POOL_THRESHOLD = 16  # fewer misses than this parse faster in-process


def parser_version() -> str:
    return f"hcl2-{version('python-hcl2')}-ir{IR_VERSION}"


def parse_to_record(text: str) -> tuple[Any, ...]:
    """("ok", body, suppressions) or ("error", message, line, column) — plain data."""
    try:
        body = parse_text(text)
    except HclSyntaxError as exc:
        return ("error", str(exc), exc.line, exc.column)
    except RecursionError:
        return ("error", "nested too deeply to parse", 0, 0)
    except Exception as exc:  # bad evidence is an error finding, never a crash of the scan
        return ("error", f"cannot parse: {type(exc).__name__}: {exc}", 0, 0)
    block_lines = [block[2] for block in body[1]]
    return ("ok", body, suppressions.find(text, block_lines))


def _parse_to_bytes(text: str) -> bytes:
    return marshal.dumps(parse_to_record(text))


def default_cache_dir(root: Path) -> Path:
    """assay's cache folder when the environment names one (``$ASSAY_CACHE_DIR`` or
    ``$XDG_CACHE_HOME``), else ``.assay/cache`` beside the scanned folder."""
    if os.environ.get("ASSAY_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME"):
        return cache.user_cache_dir() / "terraform"
    return root / ".assay" / "cache" / "terraform"


class ParseCache:
    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.salt = parser_version().encode()
        self.hits = 0
        self.misses = 0

    def key(self, raw: bytes) -> str:
        return hashlib.sha256(self.salt + b"\0" + raw).hexdigest()

    def get(self, key: str) -> tuple[Any, ...] | None:
        if self.directory is None:
            return None
        record = cache.read(self.directory, key)
        return record if isinstance(record, tuple) else None

    def put(self, key: str, data: bytes) -> None:
        if self.directory is None:
            return
        cache.write_bytes(self.directory, key, data)

    def parse_one(self, raw: bytes, text: str) -> tuple[Any, ...]:
        return self.parse_all([(self.key(raw), text)])[self.key(raw)]

    def parse_all(self, items: Iterable[tuple[str, str]]) -> dict[str, tuple[Any, ...]]:
        """Parse (key, text) pairs, from the cache where possible; key → record."""
        out: dict[str, tuple[Any, ...]] = {}
        missing: dict[str, str] = {}
        for key, text in items:
            if key in out or key in missing:
                continue
            cached = self.get(key)
            if cached is not None:
                out[key] = cached
                self.hits += 1
            else:
                missing[key] = text
        self.misses += len(missing)
        keys = list(missing)
        for key, data in zip(keys, _parse_many([missing[k] for k in keys]), strict=True):
            self.put(key, data)
            out[key] = marshal.loads(data)
        return out


def _parse_many(texts: list[str]) -> list[bytes]:
    workers = os.cpu_count() or 1
    if len(texts) < POOL_THRESHOLD or workers < 2:
        return [_parse_to_bytes(t) for t in texts]
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods:
        # Build the parser once here: forked workers inherit it instead of each
        # importing python-hcl2 and loading the grammar (most of a second each).
        from evidence.terraform.parser import grammar

        grammar()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    chunk = max(1, len(texts) // (workers * 8))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(_parse_to_bytes, texts, chunksize=chunk))
