"""Bad evidence files each give one clear error; the rest of the folder is still read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from evidence.terraform import cache as parse_cache
from evidence.terraform.collector import TerraformCollector

GOOD = 'resource "aws_kms_key" "ok" {\n  enable_key_rotation = true\n}\n'


def scan(collect, folder: Path, **config):
    return collect(TerraformCollector, {"paths": ["infra"], **config}, folder.parent)


@pytest.fixture
def infra(tmp_path: Path) -> Path:
    folder = tmp_path / "infra"
    folder.mkdir()
    (folder / "main.tf").write_text(GOOD)
    return folder


def errors_by_file(context) -> dict[str, str]:
    return {(location or "").split(":")[0]: message for message, location in context.errors}


def test_binary_huge_and_non_utf8_files(collect, infra):
    (infra / "blob.tf").write_bytes(b"\x00\x01\x02binary")
    (infra / "latin1.tf").write_bytes('description = "café"\n'.encode("latin-1"))
    with (infra / "huge.tf").open("wb") as handle:
        handle.truncate(21 * 1024 * 1024)
    found, context = scan(collect, infra)
    assert set(found) == {"aws_kms_key.ok"}
    errors = errors_by_file(context)
    assert "binary" in errors["infra/blob.tf"]
    assert "not UTF-8" in errors["infra/latin1.tf"] and "line 1" in errors["infra/latin1.tf"]
    assert "20 MB" in errors["infra/huge.tf"]


def test_utf16_and_bom_sources_are_read(collect, infra):
    (infra / "sixteen.tf").write_text('resource "aws_sqs_queue" "q" {\n  name = "é"\n}\n',
                                      encoding="utf-16")
    (infra / "bom.tf").write_text('resource "aws_sns_topic" "t" {}\n', encoding="utf-8-sig")
    found, context = scan(collect, infra)
    assert found["aws_sqs_queue.q"].attributes["name"] == "é"
    assert "aws_sns_topic.t" in found and context.errors == []


def test_symlink_loops(collect, infra):
    (infra / "loop").symlink_to(infra, target_is_directory=True)
    (infra / "self.tf").symlink_to(infra / "self.tf")
    found, context = scan(collect, infra)
    assert set(found) == {"aws_kms_key.ok"}
    errors = errors_by_file(context)
    assert "symlink loop" in errors["infra/loop"]
    assert "symlink loop" in errors["infra/self.tf"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file(collect, infra):
    secret = infra / "secret.tf"
    secret.write_text(GOOD.replace("ok", "hidden"))
    secret.chmod(0)
    try:
        found, context = scan(collect, infra)
    finally:
        secret.chmod(0o600)
    assert "cannot read" in errors_by_file(context)["infra/secret.tf"]
    assert set(found) == {"aws_kms_key.ok"}


def test_json_configuration_is_noted_not_silently_skipped(collect, infra):
    (infra / "extra.tf.json").write_text('{"resource": {}}')
    _, context = scan(collect, infra)
    assert context.notes == ["infra/extra.tf.json: Terraform JSON configuration (.tf.json) "
                             "is not evaluated"]


def test_hidden_and_dot_terraform_folders_are_skipped(collect, infra):
    for hidden in (".terraform/modules/x", ".git"):
        (infra / hidden).mkdir(parents=True)
        (infra / hidden / "main.tf").write_text(GOOD.replace("ok", "hidden"))
    found, context = scan(collect, infra)
    assert set(found) == {"aws_kms_key.ok"} and context.errors == []


def test_module_cycle_is_reported(collect, tmp_path):
    infra = tmp_path / "infra"
    (infra / "a").mkdir(parents=True)
    (infra / "main.tf").write_text('module "a" {\n  source = "./a"\n}\n')
    (infra / "a" / "main.tf").write_text('module "back" {\n  source = "../"\n}\n'
                                        'resource "aws_sqs_queue" "q" {}\n')
    found, context = scan(collect, infra)
    assert "module.a.aws_sqs_queue.q" in found
    assert any("module cycle" in m for m, _ in context.errors)


def test_missing_path_and_bad_var_file(collect, infra):
    (infra.parent / "bad.tfvars").write_text("x = \n")
    found, context = collect(TerraformCollector,
                             {"paths": ["infra", "nope"], "var_files": ["bad.tfvars"]},
                             infra.parent)
    errors = {location: message for message, location in context.errors}
    assert errors["nope"] == "nope: no such file or directory"
    assert "variables file bad.tfvars: cannot parse" in errors["bad.tfvars:1"]
    assert "aws_kms_key.ok" in found


def test_warm_scan_reads_the_cache_without_parsing(collect, infra, monkeypatch):
    first, _ = scan(collect, infra)
    monkeypatch.setattr(parse_cache, "parse_to_record", _refuse)
    second, context = scan(collect, infra)
    assert first.keys() == second.keys()
    assert second["aws_kms_key.ok"].attributes == first["aws_kms_key.ok"].attributes
    assert context.errors == []


def test_cache_is_keyed_by_content(collect, infra):
    scan(collect, infra)
    (infra / "main.tf").write_text(GOOD.replace("true", "false"))
    found, _ = scan(collect, infra)
    assert found["aws_kms_key.ok"].attributes["enable_key_rotation"] is False


def test_process_pool_gives_the_same_resources(collect, tmp_path, monkeypatch):
    infra = tmp_path / "infra"
    infra.mkdir()
    for i in range(24):
        (infra / f"f{i:02d}.tf").write_text(GOOD.replace('"ok"', f'"k{i:02d}"'))
    (infra / "broken.tf").write_text('resource "x" {\n')
    monkeypatch.setattr(parse_cache, "POOL_THRESHOLD", 4)
    pooled, context = collect(TerraformCollector, {"paths": ["infra"], "cache": False}, tmp_path)
    monkeypatch.setattr(parse_cache, "POOL_THRESHOLD", 10_000)
    serial, _ = collect(TerraformCollector, {"paths": ["infra"], "cache": False}, tmp_path)
    assert len(pooled) == 24
    assert {k: r.attributes for k, r in pooled.items()} == {
        k: r.attributes for k, r in serial.items()}
    assert [loc for _, loc in context.errors] == ["infra/broken.tf:2"]


def _refuse(text: str) -> tuple:
    raise AssertionError("a warm scan must not parse")


def test_json_var_files_and_crlf_sources(collect, tmp_path):
    infra = tmp_path / "infra"
    infra.mkdir()
    (infra / "main.tf").write_bytes(
        b'variable "rotate" {\r\n  type = bool\r\n}\r\n'
        b'resource "aws_kms_key" "k" {\r\n  enable_key_rotation = var.rotate\r\n}\r\n')
    (infra / "terraform.tfvars.json").write_text('{"rotate": "true"}')
    found, context = scan(collect, infra)
    assert found["aws_kms_key.k"].attributes == {"enable_key_rotation": True}
    assert found["aws_kms_key.k"].location.line == 4
    assert context.errors == []
