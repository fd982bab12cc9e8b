"""Finding and reading Terraform files, turning every bad file into a clear error."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from pathlib import Path

MAX_BYTES = 20 * 1024 * 1024
SKIPPED_DIRS = frozenset({".terraform"})
TF_SUFFIX = ".tf"


@dataclass
class Discovery:
    """Folders holding ``.tf`` files (sorted), and the problems met while walking."""

    folders: dict[Path, list[Path]] = field(default_factory=dict)
    problems: list[tuple[Path, str]] = field(default_factory=list)
    json_configs: list[Path] = field(default_factory=list)  # *.tf.json: noted, not evaluated


def discover(root: Path) -> Discovery:
    """Walk ``root`` for ``.tf`` files; skip hidden folders and ``.terraform``; detect loops."""
    found = Discovery()
    seen: set[str] = set()
    _walk(root, found, seen)
    found.folders = dict(sorted(found.folders.items()))
    return found


def _walk(folder: Path, found: Discovery, seen: set[str]) -> None:
    real = os.path.realpath(folder)
    if real in seen:
        if folder.is_symlink() or any(p.is_symlink() for p in folder.parents):
            found.problems.append((folder, "symlink loop: this folder was already scanned "
                                           f"as {real}"))
        return
    seen.add(real)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        found.problems.append((folder, f"cannot read folder: {exc.strerror or exc}"))
        return
    files: list[Path] = []
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith(".") or entry.name in SKIPPED_DIRS:
            continue
        try:
            is_dir = entry.is_dir()  # follows symlinks
        except OSError as exc:
            found.problems.append((path, _problem(exc)))
            continue
        if is_dir:
            _walk(path, found, seen)
        elif entry.name.endswith(".tf.json"):
            found.json_configs.append(path)
        elif entry.name.endswith(TF_SUFFIX):
            if entry.is_symlink() and not path.exists():
                found.problems.append((path, "broken symbolic link or symlink loop"))
                continue
            files.append(path)
    if files:
        found.folders[folder] = files


def read_text(path: Path) -> tuple[str | None, bytes | None, str | None]:
    """(text, raw bytes, problem): exactly one of text and problem is set."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return None, None, f"file is {size} bytes, over the {MAX_BYTES // (1024 * 1024)} MB limit"
        raw = path.read_bytes()
    except OSError as exc:
        return None, None, _problem(exc)
    text, problem = decode(raw)
    return text, raw, problem


def _problem(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop: the link resolves to itself"
    return f"cannot read: {exc.strerror or exc}"


def decode(raw: bytes) -> tuple[str | None, str | None]:
    """UTF-8 (with or without BOM) or UTF-16 with a BOM; binary is refused."""
    if raw.startswith(b"\xff\xfe") or raw.startswith(b"\xfe\xff"):
        try:
            return raw.decode("utf-16"), None
        except UnicodeDecodeError:
            return None, "not valid UTF-16 text"
    if b"\x00" in raw[:8192]:
        return None, "binary file (contains NUL bytes)"
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, f"not UTF-8 text (invalid byte at line {line})"


def shown_path(path: Path, root: Path, given: str, absolute: bool) -> str:
    """How a file is named in results: relative to where the user pointed assay."""
    text, prefix = str(path), str(root)
    if text.startswith(prefix + os.sep):  # the common case, without relpath's path walk
        rel = text[len(prefix) + 1:]
    else:
        rel = os.path.relpath(path, root)
    if absolute or given in (".", ""):
        return Path(rel).as_posix()
    return Path(os.path.normpath(os.path.join(given, rel))).as_posix()


def tfvars_files(folder: Path) -> list[Path]:
    """``terraform.tfvars(.json)`` then ``*.auto.tfvars(.json)`` in name order, as Terraform."""
    names = sorted(n for n in os.listdir(folder)
                   if n in ("terraform.tfvars", "terraform.tfvars.json")
                   or n.endswith((".auto.tfvars", ".auto.tfvars.json")))
    fixed = [n for n in ("terraform.tfvars", "terraform.tfvars.json") if n in names]
    autos = [n for n in names if n not in fixed]
    return [folder / n for n in fixed + autos if (folder / n).is_file()]
