"""The signed evidence bundle: export, verify and key generation.

A bundle is a zip of ``report.pdf``, ``results.json``, ``results.csv``,
``waivers.yaml``, ``attestations/``, ``evidence/<sha256>`` (the run's raw
artifacts), ``manifest.json`` (path, size and SHA-256 of every other member) and
``manifest.sig`` (Ed25519 over the exact bytes of manifest.json). The signer's
public key is carried inside manifest.json, so the signature covers it too;
checking against it proves the bundle is intact, and only ``--pubkey`` (a key
obtained some other way) proves who signed it.

Export is deterministic: members sorted, timestamps from the run, Ed25519
signatures are deterministic — the same run and key give the same bytes.

Reading never trusts the archive: names must be plain relative paths (no zip-slip),
members are streamed with a byte budget taken from the manifest and absolute caps
(no zip-bomb), and nothing is written to disk.
"""

from __future__ import annotations

import base64
import hashlib
import json
import posixpath
import re
import stat
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from engine.errors import AssayError, Location
from engine.results import Results, WaiverRecord

BUNDLE_FORMAT = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
MAX_MEMBERS = 200_000
MAX_MANIFEST_BYTES = 64 << 20
MAX_MEMBER_BYTES = 4 << 30
MAX_TOTAL_BYTES = 16 << 30
_CHUNK = 1 << 20
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
# What reading a damaged member raises: bad CRC, corrupt deflate data, truncation.
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, ValueError)

ObjectReader = Callable[[str], bytes]


class BundleError(AssayError):
    """A bundle cannot be written or read at all (exit 2)."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- keys


def generate_key() -> tuple[bytes, bytes]:
    """A new Ed25519 key pair as (private PKCS#8 PEM, public SubjectPublicKeyInfo PEM)."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        raise BundleError(f"cannot read signing key: {exc.strerror}", Location(str(path))) from None
    except (ValueError, TypeError) as exc:
        raise BundleError(f"not an unencrypted PEM private key: {exc}", Location(str(path))) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise BundleError("the signing key must be Ed25519 (assay keygen)", Location(str(path)))
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except OSError as exc:
        raise BundleError(f"cannot read public key: {exc.strerror}", Location(str(path))) from None
    except ValueError as exc:
        raise BundleError(f"not a PEM public key: {exc}", Location(str(path))) from None
    if not isinstance(key, Ed25519PublicKey):
        raise BundleError("the public key must be Ed25519", Location(str(path)))
    return key


def _raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, hex — what a user compares out of band."""
    return sha256_hex(_raw(key))


# --------------------------------------------------------------------------- names


def safe_member(name: str) -> bool:
    """A plain relative POSIX path: no absolute path, drive, backslash, ``..`` or empty part."""
    if not name or name.startswith("/") or "\\" in name or "\x00" in name:
        return False
    if re.match(r"^[A-Za-z]:", name):
        return False
    parts = name.split("/")
    return all(p not in ("", ".", "..") for p in parts) and posixpath.normpath(name) == name


def _slug(text: str) -> str:
    return _SAFE_NAME.sub("-", text).strip("-.")[:80] or "item"


# --------------------------------------------------------------------------- export


@dataclass
class ExportSummary:
    files: int
    included: list[str] = field(default_factory=list)  # artifact sha256s in evidence/
    not_included: list[dict[str, str]] = field(default_factory=list)
    signed_by: str | None = None  # key fingerprint


def _waivers_yaml(results: Results) -> bytes:
    """The run's waivers, loadable as an assay waiver file, each with its state."""
    groups: list[tuple[str, list[WaiverRecord]]] = [
        ("applied", results.waivers.applied), ("expired", results.waivers.expired),
        ("unused", results.waivers.unused)]
    lines = [f"# Waivers of run {results.run.id}: state at {results.run.as_of.isoformat()}", "waivers:"]
    for state, waivers in groups:
        for waiver in sorted(waivers, key=lambda w: w.id):
            data = waiver.model_dump(mode="json", exclude_none=True, exclude={"matched"})
            lines.append(f"  # {state}; findings waived: {waiver.matched}")
            dumped = yaml.safe_dump([data], sort_keys=True, allow_unicode=True, width=100)
            lines += ["  " + line for line in dumped.splitlines()]
    if len(lines) == 2:
        lines[-1] = "waivers: []"
    return ("\n".join(lines) + "\n").encode()


def _attestation_members(results: Results) -> dict[str, bytes]:
    members = {}
    for i, record in enumerate(results.attestations, start=1):
        data = record.model_dump(mode="json", exclude_none=True)
        name = f"attestations/{i:03d}-{_slug(record.control)}-{_slug(record.name)}.yaml"
        members[name] = yaml.safe_dump(data, sort_keys=True, allow_unicode=True).encode()
    return members


def _evidence(results: Results, get_object: ObjectReader | None,
              summary: ExportSummary) -> dict[str, bytes]:
    wanted = {a.sha256: a.name for a in results.artifacts}
    for record in results.attestations:
        for f in record.files:
            wanted.setdefault(f.sha256, f"attestation file {f.path}")
    members = {}
    for sha, name in sorted(wanted.items()):
        reason = "no evidence locker available" if get_object is None else ""
        if get_object is not None:
            try:
                data = get_object(sha)
            except (AssayError, OSError, KeyError, ValueError) as exc:
                reason = f"not readable from the locker: {exc}"
            else:
                if sha256_hex(data) == sha:
                    members[f"evidence/{sha}"] = data
                    summary.included.append(sha)
                    continue
                reason = "the locker returned bytes that do not match the hash"
        summary.not_included.append({"sha256": sha, "name": name, "reason": reason})
    return members


def _zip_bytes(members: dict[str, bytes], date_time: tuple[int, int, int, int, int, int]) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(members):
            if not safe_member(name):
                raise BundleError(f"refusing unsafe member name {name!r}")
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.create_system = 3  # unix: same bytes on every platform
            zf.writestr(info, members[name])
    return buffer.getvalue()


def build_bundle(results: Results, *, results_json: bytes | None = None, pdf: bytes | None = None,
                 get_object: ObjectReader | None = None,
                 sign_key: Ed25519PrivateKey | None = None) -> tuple[bytes, ExportSummary]:
    """The bundle's bytes. ``results_json`` keeps the locker's exact bytes when given;
    ``pdf`` lets a caller pass a report rendered with extra (history) sections."""
    from reports.csv_renderer import CsvRenderer
    from reports.pdf import PdfRenderer

    summary = ExportSummary(files=0)
    members: dict[str, bytes] = {
        "report.pdf": pdf if pdf is not None else PdfRenderer().render(results),
        "results.json": results_json if results_json is not None else results.to_json(),
        "results.csv": CsvRenderer().render(results),
        "waivers.yaml": _waivers_yaml(results),
        **_attestation_members(results),
        **_evidence(results, get_object, summary),
    }
    run = results.run
    manifest: dict[str, Any] = {
        "bundle_format": BUNDLE_FORMAT,
        "run_id": run.id,
        "tool_version": run.tool_version,
        "created_at": run.finished.isoformat(),
        "run_manifest_sha256": run.manifest_sha256,
        "files": [{"path": name, "size": len(data), "sha256": sha256_hex(data)}
                  for name, data in sorted(members.items())],
        "evidence_not_included": summary.not_included,
    }
    if sign_key is not None:
        public = sign_key.public_key()
        manifest["signature"] = {"algorithm": "Ed25519",
                                 "public_key": base64.b64encode(_raw(public)).decode(),
                                 "fingerprint": fingerprint(public)}
        summary.signed_by = fingerprint(public)
    manifest_json = (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    members[MANIFEST] = manifest_json
    if sign_key is not None:
        members[SIGNATURE] = base64.b64encode(sign_key.sign(manifest_json)) + b"\n"
    summary.files = len(members)
    stamp = run.finished
    date_time = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute,
                 stamp.second - stamp.second % 2)
    return _zip_bytes(members, date_time), summary


# --------------------------------------------------------------------------- verify


@dataclass
class VerifyResult:
    problems: list[str] = field(default_factory=list)
    files: int = 0
    signed: bool = False
    key_source: str | None = None  # "--pubkey" or "bundle"
    fingerprint: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


class _Budget:
    def __init__(self) -> None:
        self.left = MAX_TOTAL_BYTES


def _read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, budget: _Budget) -> bytes | None:
    """The member's bytes, or None when it holds more than ``limit`` bytes (never read past it)."""
    if info.file_size > limit:
        return None
    chunks: list[bytes] = []
    total = 0
    with zf.open(info) as member:
        while True:
            chunk = member.read(min(_CHUNK, limit - total + 1))
            if not chunk:
                break
            total += len(chunk)
            budget.left -= len(chunk)
            if total > limit or budget.left < 0:
                return None
            chunks.append(chunk)
    return b"".join(chunks)


def _hash_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, size: int,
                 budget: _Budget) -> tuple[int, str] | None:
    """(bytes read, sha256) streaming at most ``size`` + 1 bytes; None past the budget."""
    if info.file_size != size:
        return info.file_size, ""
    digest = hashlib.sha256()
    total = 0
    with zf.open(info) as member:
        while True:
            chunk = member.read(min(_CHUNK, size - total + 1))
            if not chunk:
                break
            total += len(chunk)
            budget.left -= len(chunk)
            if total > size or budget.left < 0:
                return total, ""
            digest.update(chunk)
    return total, digest.hexdigest()


def _members(zf: zipfile.ZipFile, result: VerifyResult) -> dict[str, zipfile.ZipInfo]:
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        result.problems.append(f"too many members ({len(infos):,}); refusing to read")
        return {}
    members: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename
        if not safe_member(name):
            result.problems.append(f"unsafe member name (path traversal): {name!r}")
        elif stat.S_ISLNK(info.external_attr >> 16):
            result.problems.append(f"symbolic link member: {name}")
        elif name in members:
            result.problems.append(f"duplicate member: {name}")
        else:
            members[name] = info
    return members


def _check_signature(zf: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], manifest: dict[str, Any],
                     manifest_json: bytes, pubkey: Ed25519PublicKey | None, result: VerifyResult,
                     budget: _Budget) -> None:
    declared = manifest.get("signature") if isinstance(manifest.get("signature"), dict) else None
    key = pubkey
    result.key_source = "--pubkey" if pubkey is not None else None
    if key is None and declared is not None:
        try:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(declared["public_key"]))
            result.key_source = "bundle"
        except (KeyError, TypeError, ValueError):
            result.problems.append("signature: the public key in manifest.json is malformed")
            return
    if SIGNATURE not in members:
        if declared is not None:
            result.problems.append(f"removed: {SIGNATURE}")
        elif pubkey is not None:
            result.problems.append(f"{SIGNATURE}: missing — the bundle is not signed")
        return
    try:
        raw = _read_capped(zf, members[SIGNATURE], 4096, budget)
    except _READ_ERRORS:
        raw = None
    if key is None:
        result.problems.append(f"{SIGNATURE}: present but manifest.json names no signing key")
        return
    result.fingerprint = fingerprint(key)
    try:
        signature = base64.b64decode((raw or b"").strip(), validate=True)
        key.verify(signature, manifest_json)
    except (InvalidSignature, ValueError):
        result.problems.append("signature: does not match manifest.json (the manifest or the "
                               "signature was changed, or another key signed it)")
        return
    result.signed = True


def _check_files(zf: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], manifest: dict[str, Any],
                 result: VerifyResult, budget: _Budget) -> None:
    listed: set[str] = set()
    files = manifest.get("files")
    if not isinstance(files, list):
        result.problems.append("changed: manifest.json (no file list)")
        files = []
    for entry in files:
        path, size, digest = (entry.get(k) for k in ("path", "size", "sha256")) \
            if isinstance(entry, dict) else (None, None, None)
        if not isinstance(path, str) or not isinstance(size, int) or not isinstance(digest, str) \
                or not safe_member(path) or size < 0 or size > MAX_MEMBER_BYTES:
            result.problems.append(f"changed: manifest.json (bad file entry {entry!r:.80})")
            continue
        listed.add(path)
        if path not in members:
            result.problems.append(f"removed: {path}")
            continue
        try:
            seen = _hash_capped(zf, members[path], size, budget)
        except _READ_ERRORS as exc:
            result.problems.append(f"changed: {path} (damaged: {exc})")
            continue
        if seen is None or seen != (size, digest):
            result.problems.append(f"changed: {path}")
    result.files = len(listed)
    for name in sorted(set(members) - listed - {MANIFEST, SIGNATURE}):
        result.problems.append(f"added: {name}")


def verify_bundle(path: Path, pubkey: Ed25519PublicKey | None = None) -> VerifyResult:
    """Check every member against manifest.json and manifest.json against its signature."""
    result = VerifyResult()
    if not path.is_file():
        raise BundleError("no such bundle", Location(str(path)))
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        result.problems.append(f"not a readable zip archive: {exc}")
        return result
    with zf:
        budget = _Budget()
        members = _members(zf, result)
        if MANIFEST not in members:
            result.problems.append(f"removed: {MANIFEST}")
            result.problems += [f"added: {n}" for n in sorted(members) if n != SIGNATURE]
            return result
        try:
            manifest_json = _read_capped(zf, members[MANIFEST], MAX_MANIFEST_BYTES, budget)
            manifest = json.loads(manifest_json or b"")
            if not isinstance(manifest, dict):
                raise ValueError("not an object")
        except _READ_ERRORS as exc:
            result.problems.append(f"changed: {MANIFEST} (unreadable: {exc})")
            return result
        _check_signature(zf, members, manifest, manifest_json or b"", pubkey, result, budget)
        _check_files(zf, members, manifest, result, budget)
    return result
