"""The attestation collector on real record folders."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

from engine.model import Resource
from evidence import registry
from evidence.interface import CollectRequest
from evidence.manual.collector import AttestationCollector
from evidence.testing import RecordingContext


def _collect(base: Path, path: str = "attestations") -> tuple[list[Resource], RecordingContext]:
    ctx = RecordingContext(base_dir=base)
    collector = AttestationCollector({"path": path}, ctx)
    found = list(collector.collect(CollectRequest(types=frozenset({"attestation"}))))
    assert all(isinstance(r, Resource) for r in found)
    assert not ctx.gaps  # an attestation folder is read whole or reported as an error
    return found, ctx  # type: ignore[return-value]


def test_registered_as_the_manual_source() -> None:
    assert registry.get("manual") is AttestationCollector
    assert AttestationCollector.kind == "manual"
    assert AttestationCollector.knows_type("attestation")
    assert not AttestationCollector.knows_type("aws_s3_bucket")


def test_records_become_resources_with_hashed_files(tmp_path: Path) -> None:
    folder = tmp_path / "attestations" / "iam"
    folder.mkdir(parents=True)
    (folder / "review-q2.pdf").write_bytes(b"%PDF-1.4 access review")
    (folder / "signoff.txt").write_text("approved by CISO\n")
    (folder / "access-review.yaml").write_text(
        "# quarterly review\n"
        "name: access-review-q2\n"
        "control: IAM-REVIEW-01\n"
        "owner: Dana Whitfield\n"
        "date: 2026-04-03\n"
        "files: [review-q2.pdf, signoff.txt]\n")
    found, ctx = _collect(tmp_path)
    assert ctx.errors == []
    [res] = found
    assert res.source == "manual" and res.type == "attestation"
    assert res.id == "IAM-REVIEW-01/access-review-q2"
    assert res.location.file == "attestations/iam/access-review.yaml"
    assert res.location.line == 2
    attrs = res.attributes
    assert attrs["owner"] == "Dana Whitfield"
    assert datetime.fromisoformat(attrs["date"]) == datetime(2026, 4, 3, tzinfo=UTC)
    pdf_sha = hashlib.sha256(b"%PDF-1.4 access review").hexdigest()
    assert attrs["files"] == [
        {"path": "attestations/iam/review-q2.pdf", "sha256": pdf_sha, "size": 22},
        {"path": "attestations/iam/signoff.txt",
         "sha256": hashlib.sha256(b"approved by CISO\n").hexdigest(), "size": 17},
    ]
    pdf = next(a for a in ctx.artifacts if a.sha256 == pdf_sha)
    assert (pdf.name, pdf.data) == ("attestations/iam/review-q2.pdf", b"%PDF-1.4 access review")
    # the record file itself is evidence too
    assert any(a.name == "attestations/iam/access-review.yaml" for a in ctx.artifacts)
    assert ctx.counts == {"record files": 1, "files": 2, "attestations": 1}


def test_a_list_of_records_each_located(tmp_path: Path) -> None:
    folder = tmp_path / "attestations"
    folder.mkdir()
    (folder / "many.yml").write_text(
        "- name: dr-test\n  control: BCP-DR-01\n  owner: Ops\n  date: 2025-11-02T10:00:00+02:00\n"
        "- name: dr-test\n  control: BCP-DR-01\n  owner: Ops\n  date: 2026-05-02\n")
    found, ctx = _collect(tmp_path)
    assert ctx.errors == []
    assert [(r.id, r.location.line, r.attributes["date"]) for r in found] == [
        ("BCP-DR-01/dr-test", 1, "2025-11-02T08:00:00+00:00"),
        ("BCP-DR-01/dr-test", 5, "2026-05-02T00:00:00+00:00"),
    ]


def test_malformed_records_are_located_errors_and_not_yielded(tmp_path: Path) -> None:
    folder = tmp_path / "attestations"
    folder.mkdir()
    (folder / "a.yaml").write_text("name: x\ncontrol: IAM-01\nowner: o\ndate: last tuesday\n")
    (folder / "b.yaml").write_text("name: x\ncontrol: IAM-01\ndate: 2026-01-01\n")
    (folder / "c.yaml").write_text("name: [unclosed\n")
    (folder / "d.yaml").write_text(
        "name: x\ncontrol: IAM-01\nowner: o\ndate: 2026-01-01\nfiles: [missing.pdf]\n")
    (folder / "e.yaml").write_text(
        "name: x\ncontrol: IAM-01\nowner: o\ndate: 2026-01-01\nfiles: [../../secret]\n")
    (folder / "f.yaml").write_text(
        "- name: ok\n  control: IAM-01\n  owner: o\n  date: 2026-01-01\n"
        "- name: y\n  control: IAM-01\n  owner: o\n  date: 2026-01-01\n  signed: yes\n")
    (tmp_path / "secret").write_text("x")
    found, ctx = _collect(tmp_path)
    assert [r.id for r in found] == ["IAM-01/ok"]
    assert sorted(ctx.errors) == [
        ("attestation IAM-01/x: attached file 'missing.pdf' does not exist", "attestations/d.yaml:1"),
        ("attestation IAM-01/x: file '../../secret' is outside the attestations folder",
         "attestations/e.yaml:1"),
        ("attestation: invalid YAML: expected ',' or ']', but got '<stream end>'", "attestations/c.yaml:2"),
        ("attestation: invalid date 'last tuesday'; expected YYYY-MM-DD or ISO 8601",
         "attestations/a.yaml:4"),
        ("attestation: missing owner", "attestations/b.yaml:1"),
        ("attestation: unknown key 'signed'; expected control, date, description, files, name, owner",
         "attestations/f.yaml:9"),
    ]


def test_attached_yaml_is_evidence_not_a_record(tmp_path: Path) -> None:
    folder = tmp_path / "attestations"
    folder.mkdir()
    (folder / "policy.yaml").write_text("retention_days: 365\n")
    (folder / "record.yaml").write_text(
        "name: retention\ncontrol: DATA-RET-01\nowner: DPO\ndate: 2026-02-01\nfiles: [policy.yaml]\n")
    found, ctx = _collect(tmp_path)
    assert ctx.errors == []
    assert [f["path"] for f in found[0].attributes["files"]] == ["attestations/policy.yaml"]


def test_missing_folder_and_symlink_loop(tmp_path: Path) -> None:
    found, ctx = _collect(tmp_path, "nowhere")
    assert found == [] and ctx.errors == [("attestations folder nowhere does not exist", "nowhere")]
    folder = tmp_path / "attestations"
    folder.mkdir()
    os.symlink(folder, folder / "loop")
    found, ctx = _collect(tmp_path)
    assert found == [] and ctx.errors == []


def test_an_impossible_date_is_one_located_error_not_a_broken_collector(tmp_path: Path) -> None:
    folder = tmp_path / "attestations"
    folder.mkdir()
    (folder / "a.yaml").write_text("name: x\ncontrol: IAM-01\nowner: o\ndate: 2026-02-30\n")
    (folder / "b.yaml").write_text("name: ok\ncontrol: IAM-01\nowner: o\ndate: 2026-02-28\n")
    found, ctx = _collect(tmp_path)
    assert [r.id for r in found] == ["IAM-01/ok"]
    assert ctx.errors == [("attestation: invalid date '2026-02-30'; expected YYYY-MM-DD or "
                           "ISO 8601", "attestations/a.yaml:4")]
