"""The validated library, kept between runs so a pre-merge check does not read, validate
and cross-check 130 YAML files every time.

The entry is keyed by every catalog and control file's path and bytes (and assay's code,
see ``engine.cache``) and holds the models' own data, validated again when read: the
cache can save the YAML reading and the cross-checks, never let an invalid control in.
Only a library that loaded without error is stored, so every mistake is still reported,
located, on every run. ``assay controls validate`` always reads the files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from engine import cache
from engine.errors import ErrorList
from engine.library_files import (
    Library,
    PathLike,
    builtin_catalog_dir,
    catalog_files,
    control_paths,
    yaml_files,
)
from engine.model import Control, Framework


def load_library_cached(paths: Sequence[PathLike] = (), *, builtin: bool = True) -> Library:
    """``loader.load_library`` through the cache; any doubt reads the files."""
    if not cache.enabled():
        return _read(paths, builtin)
    key = _key(paths, builtin)
    if key is None:  # a path that is missing or unreadable: the loader says which
        return _read(paths, builtin)
    folder = cache.user_cache_dir() / "library"
    entry = cache.read(folder, key)
    if entry is not None:
        library = _from_entry(entry)
        if library is not None:
            return library
    library = _read(paths, builtin)
    cache.write(folder, key, _to_entry(library))
    return library


def _read(paths: Sequence[PathLike], builtin: bool) -> Library:
    from engine import loader  # the YAML reader and the cross-checks, only when needed

    return loader.load_library(paths, builtin=builtin)


def _key(paths: Sequence[PathLike], builtin: bool) -> str | None:
    problems = ErrorList()
    catalogs = catalog_files([builtin_catalog_dir()])
    controls = yaml_files(control_paths(paths, builtin=builtin), problems)
    if problems.items:
        return None
    lines = []
    for kind, files in (("catalog", catalogs), ("control", controls)):
        for path in files:
            try:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                return None
            lines.append(f"{kind} {digest} {path}")
    return cache.key_of("library", "\n".join(lines))


def _to_entry(library: Library) -> dict[str, Any]:
    return {
        "catalogs": [f.model_dump(mode="json", exclude_unset=True) for f in library.catalogs.values()],
        "controls": [c.model_dump(mode="json", by_alias=True, exclude_unset=True) for c in library.controls],
        "files": {control_id: str(path) for control_id, path in library.files.items()},
        "catalog_paths": [str(p) for p in library.catalog_paths],
    }


def _from_entry(entry: Any) -> Library | None:
    try:
        catalogs = [Framework.model_validate(f) for f in entry["catalogs"]]
        controls = [Control.model_validate(c) for c in entry["controls"]]
        files = {str(k): Path(v) for k, v in entry["files"].items()}
        catalog_paths = [Path(p) for p in entry["catalog_paths"]]
    except (KeyError, TypeError, AttributeError, ValidationError):
        return None
    return Library({f.id: f for f in catalogs}, controls, files, catalog_paths)

