"""The evidence locker: content-addressed raw evidence and one folder per run.

Layout (the same on disk and under an S3 prefix)::

    objects/ab/<sha256>          gzip of the artifact; the name is the sha256 of the
                                 *uncompressed* bytes, so identical evidence is kept once
    runs/<run-id>/results.json   the results document of the run
    runs/<run-id>/manifest.json  written last: a run without a manifest does not exist

Every write goes to a temporary name first and is then renamed into place
(on S3 every PUT is atomic and the manifest is written last), so a scan killed
at any point leaves no half run visible and two scans at once never see each
other's partial files. Failures are one clear ``LockerError``; the locker is
left as it was.
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import json
import os
import re
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from engine.errors import AssayError

SHA256 = re.compile(r"^[0-9a-f]{64}$")
RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
RESULTS = "results.json"
MANIFEST = "manifest.json"
_TMP = "tmp"
_STALE_TMP_SECONDS = 24 * 3600


class LockerError(AssayError):
    """The locker cannot be used as configured (exit 2) or a write failed (exit 3)."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def compress(data: bytes) -> bytes:
    """gzip with a fixed header (no name, mtime 0): same bytes in, same bytes out."""
    return gzip.compress(data, compresslevel=6, mtime=0)


def manifest_bytes(manifest: Mapping[str, Any]) -> bytes:
    """The canonical form a manifest is stored (and hashed) in."""
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    return (text + "\n").encode()


def object_key(sha256: str) -> str:
    return f"objects/{sha256[:2]}/{sha256}"


def check_sha(sha256: str) -> None:
    if not SHA256.match(sha256):
        raise LockerError(f"invalid object id {sha256!r}; expected a lowercase sha256")


def check_run_id(run_id: str) -> None:
    if not RUN_ID.match(run_id):
        raise LockerError(f"invalid run id {run_id!r}; letters, digits, '.', '_' and '-' only")


class Locker(ABC):
    """What the engine, history and export read and write. Implements ``ArtifactStore``."""

    #: how the locker was given (a path or ``s3://bucket/prefix``), for messages
    spec: str

    @abstractmethod
    def put_object(self, sha256: str, data: bytes) -> None:
        """Keep ``data`` (uncompressed) under its sha256; a second put of it is a no-op."""

    @abstractmethod
    def get_object(self, sha256: str) -> bytes:
        """The uncompressed bytes; LockerError when absent or altered."""

    @abstractmethod
    def has_object(self, sha256: str) -> bool: ...

    @abstractmethod
    def write_run(self, run_id: str, results_json: bytes, manifest: Mapping[str, Any]) -> str:
        """Store a run (results first, manifest last) and return the manifest's sha256.

        ``results_sha256`` is added to the manifest when absent, binding the results
        to it. Writing a run id that already exists is an error.
        """

    @abstractmethod
    def list_runs(self) -> list[str]:
        """Ids of complete runs (those with a manifest), sorted."""

    @abstractmethod
    def _read_run_file(self, run_id: str, name: str) -> bytes:
        """A file of a complete run; LockerError if there is no such run."""

    def read_manifest(self, run_id: str) -> dict[str, Any]:
        try:
            loaded: dict[str, Any] = json.loads(self._read_run_file(run_id, MANIFEST))
        except ValueError as exc:
            raise LockerError(f"{self.spec}: run {run_id}: manifest is not JSON: {exc}", 3) from None
        return loaded

    def read_run(self, run_id: str) -> bytes:
        """The results.json bytes of a run, checked against its manifest."""
        expected = self.read_manifest(run_id).get("results_sha256")
        data = self._read_run_file(run_id, RESULTS)
        if expected and sha256_hex(data) != expected:
            raise LockerError(f"{self.spec}: run {run_id}: results.json does not match"
                              " the hash in its manifest", 3)
        return data

    @abstractmethod
    def ensure_writable(self) -> None:
        """Fail early (exit 2) when the locker cannot be written, before any work."""

    def _checked(self, sha256: str, stored: bytes) -> bytes:
        try:
            data = gzip.decompress(stored)
        except (OSError, EOFError) as exc:
            raise LockerError(f"{self.spec}: object {sha256} is corrupt: {exc}", 3) from None
        if sha256_hex(data) != sha256:
            raise LockerError(f"{self.spec}: object {sha256} does not match its hash", 3)
        return data

    @staticmethod
    def _with_results_hash(results_json: bytes, manifest: Mapping[str, Any]) -> bytes:
        full = dict(manifest)
        full.setdefault("results_sha256", sha256_hex(results_json))
        return manifest_bytes(full)


# --------------------------------------------------------------------------- local folder


def _os_error(spec: str, action: str, exc: OSError) -> LockerError:
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return LockerError(f"evidence locker {spec}: cannot {action}: permission denied", 2)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return LockerError(f"evidence locker {spec}: cannot {action}: no space left on device;"
                           " nothing of this run was kept", 3)
    reason = exc.strerror or str(exc)
    return LockerError(f"evidence locker {spec}: cannot {action}: {reason}", 3)


class LocalLocker(Locker):
    """A folder on disk (``.assay/`` by default)."""

    def __init__(self, root: Path, spec: str | None = None) -> None:
        self.root = root
        self.spec = spec or str(root)
        if root.exists() and not root.is_dir():
            raise LockerError(f"evidence locker {self.spec} is not a folder")

    # ---- writing primitives

    def _tmp_path(self) -> Path:
        return self.root / _TMP / f"{os.getpid()}-{uuid.uuid4().hex}"

    def _write_tmp(self, data: bytes) -> Path:
        tmp = self._tmp_path()
        tmp.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(tmp, "xb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return tmp

    def _place(self, data: bytes, dest: Path, *, exclusive: bool) -> bool:
        """Write ``data`` to ``dest`` atomically; with ``exclusive`` never replace it.

        Returns False when ``exclusive`` and ``dest`` already existed.
        """
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._write_tmp(data)
        try:
            if not exclusive:
                os.replace(tmp, dest)
                return True
            try:
                os.link(tmp, dest)  # atomic and fails when dest exists
            except FileExistsError:
                return False
            return True
        finally:
            tmp.unlink(missing_ok=True)

    # ---- objects

    def _object_path(self, sha256: str) -> Path:
        check_sha(sha256)
        return self.root / object_key(sha256)

    def put_object(self, sha256: str, data: bytes) -> None:
        path = self._object_path(sha256)
        if sha256_hex(data) != sha256:
            raise LockerError(f"object {sha256}: the data does not match the hash", 3)
        if path.exists():
            return
        try:
            self._place(compress(data), path, exclusive=False)
        except OSError as exc:
            raise _os_error(self.spec, f"store object {sha256[:12]}…", exc) from None

    def has_object(self, sha256: str) -> bool:
        return self._object_path(sha256).is_file()

    def get_object(self, sha256: str) -> bytes:
        path = self._object_path(sha256)
        try:
            stored = path.read_bytes()
        except FileNotFoundError:
            raise LockerError(f"{self.spec}: no object {sha256}", 2) from None
        except OSError as exc:
            raise _os_error(self.spec, f"read object {sha256[:12]}…", exc) from None
        return self._checked(sha256, stored)

    # ---- runs

    def _run_dir(self, run_id: str) -> Path:
        check_run_id(run_id)
        return self.root / "runs" / run_id

    def write_run(self, run_id: str, results_json: bytes, manifest: Mapping[str, Any]) -> str:
        run_dir = self._run_dir(run_id)
        if (run_dir / MANIFEST).exists():
            raise LockerError(f"evidence locker {self.spec}: run {run_id} already exists")
        body = self._with_results_hash(results_json, manifest)
        try:
            self._place(results_json, run_dir / RESULTS, exclusive=False)
            if not self._place(body, run_dir / MANIFEST, exclusive=True):
                raise LockerError(f"evidence locker {self.spec}: run {run_id} already exists")
        except OSError as exc:
            self._discard_partial(run_dir)
            raise _os_error(self.spec, f"write run {run_id}", exc) from None
        self._sweep_tmp()
        return sha256_hex(body)

    def _discard_partial(self, run_dir: Path) -> None:
        if (run_dir / MANIFEST).exists():
            return
        try:
            (run_dir / RESULTS).unlink(missing_ok=True)
            run_dir.rmdir()
        except OSError:
            pass  # invisible anyway: a run without a manifest does not exist

    def _sweep_tmp(self) -> None:
        """Remove temporary files a killed writer left behind long ago."""
        cutoff = time.time() - _STALE_TMP_SECONDS
        try:
            for tmp in (self.root / _TMP).iterdir():
                if tmp.stat().st_mtime < cutoff:
                    tmp.unlink(missing_ok=True)
        except OSError:
            pass

    def list_runs(self) -> list[str]:
        runs = self.root / "runs"
        if not runs.is_dir():
            return []
        try:
            return sorted(d.name for d in runs.iterdir()
                          if RUN_ID.match(d.name) and (d / MANIFEST).is_file())
        except OSError as exc:
            raise _os_error(self.spec, "list runs", exc) from None

    def _read_run_file(self, run_id: str, name: str) -> bytes:
        run_dir = self._run_dir(run_id)
        if not (run_dir / MANIFEST).is_file():
            raise LockerError(f"evidence locker {self.spec} has no run {run_id}")
        try:
            return (run_dir / name).read_bytes()
        except OSError as exc:
            raise _os_error(self.spec, f"read run {run_id}", exc) from None

    def ensure_writable(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self._write_tmp(b"").unlink()
        except OSError as exc:
            raise _os_error(self.spec, "write", exc) from None


# --------------------------------------------------------------------------- opening


def open_locker(spec: str, base_dir: Path, aws: Mapping[str, Any] | None = None, *,
                retention: timedelta | None = None, retention_mode: str = "COMPLIANCE",
                ) -> Locker:
    """The locker named by ``spec``: a folder (relative to ``base_dir``) or ``s3://bucket/prefix``.

    ``aws`` is the ``sources.aws`` configuration (profile, endpoint_url); ``retention``
    is the S3 Object Lock retention for new objects when the bucket has Object Lock
    (without it, the bucket's default retention rule applies).
    """
    if spec.startswith("s3://"):
        from evidence.locker_s3 import S3Locker

        return S3Locker.from_spec(spec, aws or {}, retention=retention,
                                  retention_mode=retention_mode)
    if "://" in spec:
        raise LockerError(f"evidence locker {spec!r}: expected a folder or s3://bucket/prefix")
    path = Path(spec).expanduser()
    return LocalLocker(path if path.is_absolute() else base_dir / path, spec)
