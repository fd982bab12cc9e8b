"""The ``manual`` source: attestation records and the files attached to them.

Config: ``{path: <attestations folder>}``. Every ``*.yaml``/``*.yml`` under the
folder that is not itself attached to a record is a record file. Each record
becomes one ``attestation`` resource; the record file and every attached file
are stored in the locker and named by their sha256 in the resource, so the
report can prove what the owner attested to. A record with a problem (bad
YAML, a missing field, a missing or out-of-folder file) is a located error and
is not yielded: the check stays ``manual_pending`` and the run incomplete.
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from engine.model import Event, Location, Resource
from evidence.interface import Collector, CollectRequest
from evidence.manual.records import Record, parse_records

MAX_FILE_BYTES = 100 * 1024 * 1024
_RECORD_SUFFIXES = (".yaml", ".yml")


class AttestationCollector(Collector):
    source = "manual"
    kind = "manual"
    version = "1"

    @classmethod
    def knows_type(cls, type_name: str) -> bool:
        return type_name == "attestation"

    def collect(self, request: CollectRequest) -> Iterator[Resource | Event]:
        root = self._root()
        if root is None:
            return
        paths = _walk(root)
        attached = self._attached(root, paths)
        for path in paths:
            if path.suffix.lower() in _RECORD_SUFFIXES and path.resolve() not in attached:
                yield from self._read_record_file(root, path)

    def _root(self) -> Path | None:
        configured = self.config.get("path")
        if not configured:  # no attestations: every manual check stays manual_pending
            self.context.note("no attestations folder configured (attestations: PATH)")
            return None
        root = Path(str(configured))
        root = root if root.is_absolute() else self.context.base_dir / root
        if not root.is_dir():
            self.context.error(f"attestations folder {self._show(root)} does not exist",
                               self._show(root))
            return None
        return root

    def _show(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.context.base_dir))
        except ValueError:
            return str(path)

    def _attached(self, root: Path, paths: list[Path]) -> set[Path]:
        """Files some record attaches (a YAML attachment is evidence, not a record)."""
        found: set[Path] = set()
        for path in paths:
            if path.suffix.lower() not in _RECORD_SUFFIXES:
                continue
            try:
                records, _ = parse_records(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                continue
            for record in records:
                found.update((path.parent / f).resolve() for f in record.files)
        return found

    def _read_record_file(self, root: Path, path: Path) -> Iterator[Resource]:
        shown = self._show(path)
        try:
            raw = path.read_bytes()
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.context.error(f"cannot read attestation file: {exc}", shown)
            return
        records, errors = parse_records(text)
        for error in errors:
            self.context.error(f"attestation: {error.message}", f"{shown}:{error.line}")
        self.context.count("record files")
        if not records:
            return
        self.context.store_artifact(
            name=shown, data=raw, media_type="application/yaml",
            query={"attestations": shown}, item_count=len(records), complete=not errors)
        for record in records:
            resource = self._resource(root, path, shown, record)
            if resource is not None:
                self.context.count("attestations")
                yield resource

    def _resource(self, root: Path, path: Path, shown: str, record: Record) -> Resource | None:
        files: list[dict[str, Any]] = []
        where = f"{shown}:{record.line}"
        for name in record.files:
            stored = self._store_file(root, path.parent / name, name, record, where)
            if stored is None:
                return None
            files.append(stored)
        return Resource(
            source="manual", type="attestation", id=f"{record.control}/{record.name}",
            attributes={
                "name": record.name, "control": record.control, "owner": record.owner,
                "date": record.date.isoformat(), "files": files,
                **({"description": record.description} if record.description else {}),
            },
            location=Location(file=shown, line=record.line),
        )

    def _store_file(self, root: Path, target: Path, name: str, record: Record,
                    where: str) -> dict[str, Any] | None:
        label = f"attestation {record.control}/{record.name}"
        resolved = target.resolve()
        if Path(name).is_absolute() or not resolved.is_relative_to(root.resolve()):
            self.context.error(f"{label}: file {name!r} is outside the attestations folder", where)
            return None
        try:
            size = resolved.stat().st_size
            if not resolved.is_file():
                raise IsADirectoryError(name)
            if size > MAX_FILE_BYTES:
                self.context.error(f"{label}: file {name!r} is larger than "
                                   f"{MAX_FILE_BYTES // 2**20} MiB", where)
                return None
            data = resolved.read_bytes()
        except FileNotFoundError:
            self.context.error(f"{label}: attached file {name!r} does not exist", where)
            return None
        except OSError as exc:
            self.context.error(f"{label}: cannot read attached file {name!r}: "
                               f"{exc.strerror or exc}", where)
            return None
        rel = self._show(target)
        media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        sha = self.context.store_artifact(
            name=rel, data=data, media_type=media_type,
            query={"attestation": f"{record.control}/{record.name}", "file": name},
            item_count=1, complete=True)
        self.context.count("files")
        return {"path": rel, "sha256": sha, "size": len(data)}

    def scope(self) -> dict[str, Any]:
        return {"path": str(self.config.get("path", ""))}


def _walk(root: Path) -> list[Path]:
    """Every file under ``root``, sorted; symlinked folders are not followed (no loops)."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        found.extend(Path(folder) / f for f in sorted(files))
    return sorted(found)
