"""Loading the library: catalogs, controls with positions, cross-checks and compiled conditions.

Every ``assay`` command starts here, so a pre-merge ``assay check`` pays this on
each run. Measures the shipped library as is, then a library of N controls made
by copying the shipped ones under new ids (same shapes, more files). Figures are
the best CPU time of a few runs.

    python -m bench.loader [--controls N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from engine.library_cache import load_library_cached
from engine.library_files import builtin_library_dir
from engine.loader import load_catalogs, load_controls, load_library


def _best_of(runs: int, action: Callable[[], object]) -> float:
    """Best CPU time of this process over ``runs`` (wall time drifts on a busy machine)."""
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        action()
        best = min(best, time.process_time() - start)
    return best


def make_library(folder: Path, count: int) -> int:
    """Copy the shipped controls under fresh ids until there are ``count`` files."""
    sources = sorted(builtin_library_dir().rglob("*.yaml"))
    if not sources:
        return 0
    for i in range(count):
        source = sources[i % len(sources)]
        new_id = f"{source.stem}-B{i:05d}"
        text = source.read_text(encoding="utf-8").replace(f"id: {source.stem}", f"id: {new_id}", 1)
        (folder / f"{new_id}.yaml").write_text(text, encoding="utf-8")
    return count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.loader")
    parser.add_argument("--controls", type=int, default=1000)
    args = parser.parse_args(argv if argv is not None else [])  # `make bench` passes none

    catalogs_s = _best_of(3, lambda: load_catalogs())
    print(f"catalogs (5 frameworks):         {catalogs_s * 1000:7.1f} ms")
    library = load_library()
    shipped_s = _best_of(3, lambda: load_library())
    print(f"shipped library ({len(library.controls)} controls): {shipped_s * 1000:7.1f} ms "
          "(catalogs included)")
    previous = os.environ.get("ASSAY_CACHE_DIR")
    with tempfile.TemporaryDirectory() as cache_dir:
        os.environ["ASSAY_CACHE_DIR"] = cache_dir
        load_library_cached()
        cached_s = _best_of(3, lambda: load_library_cached())
    if previous is None:
        del os.environ["ASSAY_CACHE_DIR"]
    else:
        os.environ["ASSAY_CACHE_DIR"] = previous
    print(f"shipped library, cached:         {cached_s * 1000:7.1f} ms "
          "(what a warm `assay check` pays)")
    catalogs = load_catalogs()
    with tempfile.TemporaryDirectory() as tmp:
        count = make_library(Path(tmp), args.controls)
        if not count:
            print("no shipped controls to copy; skipped the large library")
            return
        big_s = _best_of(2, lambda: load_controls([tmp], catalogs, builtin=False))
        print(f"{count} controls:                  {big_s * 1000:7.1f} ms "
              f"({count / big_s:,.0f} controls/s)")


if __name__ == "__main__":
    main(sys.argv[1:])
