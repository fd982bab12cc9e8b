from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from engine.cli import main
from engine.results import Results
from evidence.locker import LocalLocker
from reports.bundle import MANIFEST, SIGNATURE, build_bundle, safe_member, verify_bundle
from reports.testing import pdf_text

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
# The sample's artifact hashes are sha256 of these strings (reports.testing.sha).
OBJECTS = [b"tf-snapshot", b"aws-s3", b"cloudtrail", b"access-review.pdf"]


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _rezip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _verify(tmp_path: Path, data: bytes, **kw: object) -> list[str]:
    path = tmp_path / "b.zip"
    path.write_bytes(data)
    return verify_bundle(path, **kw).problems  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def locker(tmp_path_factory: pytest.TempPathFactory, results: Results) -> LocalLocker:
    import hashlib

    locker = LocalLocker(tmp_path_factory.mktemp("locker"))
    for data in OBJECTS:
        locker.put_object(hashlib.sha256(data).hexdigest(), data)
    locker.write_run(results.run.id, results.to_json(), {"run_id": results.run.id})
    return locker


@pytest.fixture(scope="module")
def signed(results: Results, locker: LocalLocker) -> bytes:
    data, summary = build_bundle(results, get_object=locker.get_object, sign_key=KEY)
    assert not summary.not_included
    return data


def test_bundle_holds_reports_evidence_waivers_attestations(signed: bytes, results: Results) -> None:
    members = _members(signed)
    assert {"report.pdf", "results.json", "results.csv", "waivers.yaml", MANIFEST, SIGNATURE} <= set(members)
    assert Results.from_json(members["results.json"]) == results
    assert results.run.id in pdf_text(members["report.pdf"])
    for artifact in results.artifacts:
        assert f"evidence/{artifact.sha256}" in members
    assert len([m for m in members if m.startswith("attestations/")]) == len(results.attestations)
    manifest = json.loads(members[MANIFEST])
    assert manifest["run_id"] == results.run.id
    assert manifest["created_at"].startswith("2026-11-20T02:07:12")
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(members) - {MANIFEST, SIGNATURE}
    assert listed["results.csv"]["size"] == len(members["results.csv"])
    import yaml

    waivers = yaml.safe_load(members["waivers.yaml"])["waivers"]
    assert {w["id"] for w in waivers} == {"W-2026-004", "W-2026-001", "W-2026-007"}


def test_same_run_same_key_same_bytes(signed: bytes, results: Results, locker: LocalLocker) -> None:
    again, _ = build_bundle(results, get_object=locker.get_object, sign_key=KEY)
    assert again == signed


def test_without_a_locker_artifacts_are_listed_as_not_included(results: Results, tmp_path: Path) -> None:
    data, summary = build_bundle(results)
    manifest = json.loads(_members(data)[MANIFEST])
    assert {m["sha256"] for m in manifest["evidence_not_included"]} == {a.sha256 for a in results.artifacts}
    assert not any(n.startswith("evidence/") for n in _members(data))
    assert _verify(tmp_path, data) == []  # unsigned but consistent


def test_altered_locker_bytes_are_never_bundled(results: Results) -> None:
    data, summary = build_bundle(results, get_object=lambda sha: b"forged")
    assert not summary.included
    assert all("do not match" in m["reason"] for m in summary.not_included)


def test_intact_bundle_verifies(signed: bytes, tmp_path: Path) -> None:
    assert _verify(tmp_path, signed) == []
    assert _verify(tmp_path, signed, pubkey=KEY.public_key()) == []


def test_changing_one_byte_of_any_member_is_caught(signed: bytes, tmp_path: Path) -> None:
    members = _members(signed)
    for name, data in members.items():
        flipped = bytearray(data)
        flipped[len(data) // 2] ^= 0x01
        problems = _verify(tmp_path, _rezip({**members, name: bytes(flipped)}))
        assert problems, name
        if name == MANIFEST or name == SIGNATURE:
            assert any("signature" in p or MANIFEST in p for p in problems), name
        else:
            assert problems == [f"changed: {name}"], name


def test_flipping_raw_archive_bytes_is_caught(signed: bytes, tmp_path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(signed)) as zf:
        infos = zf.infolist()
    for info in infos:
        raw = bytearray(signed)
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        raw[start + info.compress_size // 2] ^= 0xFF
        assert _verify(tmp_path, bytes(raw)), info.filename


def test_added_and_removed_members_are_listed(signed: bytes, tmp_path: Path) -> None:
    members = _members(signed)
    assert _verify(tmp_path, _rezip({**members, "evidence/extra.txt": b"x"})) == ["added: evidence/extra.txt"]
    for name in members:
        problems = _verify(tmp_path, _rezip({k: v for k, v in members.items() if k != name}))
        assert f"removed: {name}" in problems, name


def test_edited_or_foreign_signature_is_caught(signed: bytes, tmp_path: Path) -> None:
    import base64

    members = _members(signed)
    forged = base64.b64encode(Ed25519PrivateKey.generate().sign(members[MANIFEST]))
    problems = _verify(tmp_path, _rezip({**members, SIGNATURE: forged}))
    assert any(p.startswith("signature:") for p in problems)


def test_resigned_bundle_passes_integrity_but_not_authorship(results: Results, tmp_path: Path) -> None:
    other, _ = build_bundle(results, sign_key=Ed25519PrivateKey.generate())
    assert _verify(tmp_path, other) == []
    assert any(p.startswith("signature:") for p in _verify(tmp_path, other, pubkey=KEY.public_key()))


def test_path_traversal_and_bombs_are_refused(signed: bytes, tmp_path: Path) -> None:
    for bad in ("../evil", "/etc/passwd", "a/../../b", "C:/x", "a\\b", "./a", "a//b", ""):
        assert not safe_member(bad), bad
    assert safe_member("evidence/abc")
    members = _members(signed)
    problems = _verify(tmp_path, _rezip({**members, "../../escape": b"x"}))
    assert any("unsafe member name" in p for p in problems)
    bomb = _rezip({**members, "results.csv": b"\0" * (50 << 20)})  # 50 MB of zeros, ~50 KB zipped
    assert _verify(tmp_path, bomb) == ["changed: results.csv"]


def test_commands_export_verify_keygen(results: Results, locker: LocalLocker, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "key.pem"
    assert main(["keygen", "--out", str(key)]) == 0
    assert (key.stat().st_mode & 0o777) == 0o600 and key.with_suffix(".pub").is_file()
    assert main(["keygen", "--out", str(key)]) == 2  # never overwrites a key silently
    out = tmp_path / "bundle.zip"
    assert main(["export", results.run.id, "--locker", str(locker.root), "--out", str(out),
                 "--sign-key", str(key)]) == 0
    assert all(f"evidence/{a.sha256}" in _members(out.read_bytes()) for a in results.artifacts)
    capsys.readouterr()
    assert main(["verify", str(out)]) == 0
    assert "integrity, not authorship" in capsys.readouterr().out
    assert main(["verify", str(out), "--pubkey", str(key.with_suffix(".pub"))]) == 0
    members = _members(out.read_bytes())
    members["results.json"] = members["results.json"].replace(b'"fail"', b'"pass"', 1)
    out.write_bytes(_rezip(members))
    assert main(["verify", str(out)]) == 1
    assert "changed: results.json" in capsys.readouterr().out
    assert main(["verify", str(tmp_path / "missing.zip")]) == 2


def test_report_from_a_run_id_in_the_locker(results: Results, locker: LocalLocker, tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    assert main(["report", results.run.id, "--locker", str(locker.root), "--format", "csv",
                 "--out", str(out)]) == 0
    assert out.read_text().count("\n") == len(results.findings) + 1
    assert main(["report", "no-such-run", "--locker", str(locker.root), "--format", "csv"]) == 2


def test_unsigned_bundle_fails_when_a_key_is_expected(results: Results, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    unsigned, _ = build_bundle(results)
    assert _verify(tmp_path, unsigned) == []
    problems = _verify(tmp_path, unsigned, pubkey=KEY.public_key())
    assert problems == [f"{SIGNATURE}: missing — the bundle is not signed"]
    signed_members = _members(build_bundle(results, sign_key=KEY)[0])
    stripped = {k: v for k, v in signed_members.items() if k != SIGNATURE}
    assert _verify(tmp_path, _rezip(stripped)) == [f"removed: {SIGNATURE}"]


def test_bad_signing_key_is_bad_input(results: Results, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    saved = tmp_path / "results.json"
    saved.write_bytes(results.to_json())
    key = tmp_path / "key.pem"
    key.write_text("not a key")
    out = tmp_path / "b.zip"
    assert main(["export", str(saved), "--out", str(out), "--sign-key", str(key)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(str(key)) and "\n" not in err
    assert not out.exists()


def test_run_ids_use_the_default_locker_folder(results: Results, locker: LocalLocker, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    work = tmp_path / "work"
    shutil.copytree(locker.root, work / ".assay")
    monkeypatch.chdir(work)
    assert main(["report", results.run.id, "--format", "csv"]) == 0
    assert capsys.readouterr().out.count("\n") == len(results.findings) + 1
    assert main(["export", results.run.id, "--out", "b.zip"]) == 0  # evidence from .assay
    assert all(f"evidence/{a.sha256}" in _members((work / "b.zip").read_bytes())
               for a in results.artifacts)
    monkeypatch.chdir(tmp_path)
    assert main(["report", results.run.id, "--format", "csv"]) == 2
    assert results.run.id in capsys.readouterr().err


def test_a_run_read_from_the_locker_carries_its_manifest_hash(results: Results, tmp_path: Path) -> None:
    """A scan stores results.json before the manifest that hashes it, so the stored results
    cannot name the manifest's hash: report and export read it from the locker."""
    import hashlib

    stored = results.model_copy(deep=True)
    stored.run.manifest_sha256 = None
    locker = LocalLocker(tmp_path / "locker")
    sha = locker.write_run(stored.run.id, stored.to_json(), {"run_id": stored.run.id})
    assert sha == hashlib.sha256((locker.root / "runs" / stored.run.id / MANIFEST)
                                 .read_bytes()).hexdigest()
    pdf = tmp_path / "r.pdf"
    assert main(["report", stored.run.id, "--locker", str(locker.root), "--out", str(pdf)]) == 0
    assert sha in pdf_text(pdf.read_bytes()).replace("\n", "")
    out = tmp_path / "b.zip"
    assert main(["export", stored.run.id, "--locker", str(locker.root), "--out", str(out)]) == 0
    members = _members(out.read_bytes())
    assert json.loads(members[MANIFEST])["run_manifest_sha256"] == sha
    assert members["results.json"] == stored.to_json()  # the stored bytes, unchanged
