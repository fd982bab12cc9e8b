"""Where the library's files are, and which files a set of paths names.

Kept apart from the loader (which reads, validates and cross-checks them) so that a run
served by the library cache (``engine.library_cache``) lists and hashes the files
without importing the YAML reader and the cross-checks.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from engine.errors import ErrorList, Location, display_name
from engine.model import Control, Framework

PathLike = str | os.PathLike[str]

YAML_SUFFIXES = (".yaml", ".yml")


def _package_dir(name: str) -> Path:
    """``controls/<name>`` of the installed package (a source checkout as fallback)."""
    try:
        return Path(str(importlib.resources.files("controls").joinpath(name)))
    except ModuleNotFoundError:  # controls not installed as a package: run from a checkout
        return Path(__file__).resolve().parent.parent / "controls" / name


def builtin_catalog_dir() -> Path:
    return _package_dir("frameworks")


def builtin_library_dir() -> Path:
    return _package_dir("library")


def yaml_files(paths: Iterable[PathLike], errors: ErrorList) -> list[Path]:
    """Expand files and folders (recursively, sorted) into YAML files, without repeats."""
    found: list[Path] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            # Not is_file(): a dangling link or unreadable entry must be reported when read,
            # not silently leave its control out of the run.
            candidates = sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES
                                and not p.is_dir() and not _hidden(p.relative_to(path)))
        elif path.is_file():
            candidates = [path]
        else:
            errors.add("no such file or folder", Location(display_name(path)))
            continue
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found


def _hidden(relative: Path) -> bool:
    """Editor back-ups and dot-folders (``.#x.yaml``, ``.git/``) are not controls."""
    return any(part.startswith(".") for part in relative.parts)


def catalog_files(dirs: Iterable[PathLike] | None = None) -> list[Path]:
    folders = [builtin_catalog_dir()] if dirs is None else [Path(d) for d in dirs]
    files: list[Path] = []
    for folder in folders:
        if folder.is_dir():
            files.extend(sorted(p for p in folder.iterdir() if p.suffix in YAML_SUFFIXES))
    return files


def control_paths(paths: Iterable[PathLike], *, builtin: bool) -> list[Path]:
    roots = [Path(p) for p in paths]
    if builtin and builtin_library_dir().is_dir():
        roots.append(builtin_library_dir())
    return roots


@dataclass(frozen=True)
class Library:
    """The catalogs and controls of one run, with the files they came from."""

    catalogs: dict[str, Framework]
    controls: list[Control]
    files: dict[str, Path] = field(default_factory=dict)  # control id → file
    catalog_paths: list[Path] = field(default_factory=list)

    @property
    def digest(self) -> str:
        return library_digest([*self.catalog_paths, *self.files.values()])

    def control(self, control_id: str) -> Control | None:
        return next((c for c in self.controls if c.id == control_id), None)


def library_digest(paths: Iterable[PathLike]) -> str:
    """sha256 over the control and catalog files (content and file name), order-free."""
    errors = ErrorList()
    files = yaml_files(paths, errors)
    errors.raise_if_any()
    lines = sorted(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in files)
    return hashlib.sha256("".join(lines).encode()).hexdigest()

