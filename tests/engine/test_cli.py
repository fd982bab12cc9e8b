"""The CLI through main(argv), and once through a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import main

DATA = Path(__file__).parent / "data" / "kms"
AS_OF = "2026-06-30T00:00:00Z"


def check(*extra: str) -> list[str]:
    return ["check", str(DATA / "infra"), "--controls", str(DATA / "controls"), "--no-builtin",
            "--as-of", AS_OF, *extra]


def test_issue_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(check("--format", "json")) == 1
    results = json.loads(capsys.readouterr().out)
    findings = {f["resource"]["id"]: (f["status"], f["message"]) for f in results["findings"]}
    assert findings["aws_kms_key.a"][0] == "pass"
    assert findings["aws_kms_key.b"] == ("fail", "enable_key_rotation: no value; expected true")
    assert findings["aws_kms_key.c"] == ("unknown", "var.rot is not set")
    pci = next(f for f in results["frameworks"] if f["id"] == "pci-dss")
    assert next(r for r in pci["requirements"] if r["id"] == "3.6.1")["status"] == "not_satisfied"


def test_waived_failure_leaves_exit_zero_and_out_file(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    code = main(check("--waivers", str(DATA / "waivers.yaml"), "--out", str(out)))
    results = json.loads(out.read_text())
    assert code == 0
    waived = [f for f in results["findings"] if f["status"] == "waived"]
    assert [f["waiver"] for f in waived] == ["W-KMS-B"]
    assert results["waivers"]["applied"][0]["id"] == "W-KMS-B"


def test_fail_on_above_the_failure_gives_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(check("--fail-on", "high")) == 0


def test_same_inputs_same_bytes(tmp_path: Path) -> None:
    main(check("--out", str(tmp_path / "a.json")))
    main(check("--out", str(tmp_path / "b.json")))
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


@pytest.mark.parametrize("argv, message", [
    (["check", "/no/such/folder", "--no-builtin"], "/no/such/folder: no such file or directory"),
    (["check", str(DATA / "infra"), "--controls", "/nope"], "/nope: no such file or directory"),
    (["check", str(DATA / "infra"), "--var", "novalue"], "--var 'novalue': expected NAME=VALUE"),
    (["check", str(DATA / "infra"), "--as-of", "soon"], "--as-of: 'soon' is not an ISO 8601"),
    (["check", str(DATA / "infra"), "--framework", "sox"], "unknown framework 'sox'"),
    (["check", str(DATA / "infra"), "--format", "pdf"], "Invalid value for '--format'"),
    (["scan", "-c", "/no/assay.yaml"], "/no/assay.yaml: no such file or directory"),
    (["check", str(DATA / "infra"), "--out", ""], "--out '.': expected a file path"),
    (["check", str(DATA / "infra"), "--out", str(DATA)], "is a directory"),
])
def test_bad_input_exits_2_with_one_line(argv: list[str], message: str,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_bad_config_is_located_and_writes_nothing(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "assay.yaml"
    config.write_text("organization: X\nsources:\n  terraform: {paths: [infra/], colour: red}\n")
    out = tmp_path / "out"
    assert main(["scan", "-c", str(config), "--out-dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{config}:3:" in err and "colour" in err
    assert not out.exists()


def test_scan_writes_results_and_keeps_the_run(tmp_path: Path) -> None:
    (tmp_path / "controls").mkdir()
    (tmp_path / "controls" / "EX-KMS-01.yaml").write_bytes(
        (DATA / "controls" / "EX-KMS-01.yaml").read_bytes())
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_bytes((DATA / "infra" / "main.tf").read_bytes())
    config = tmp_path / "assay.yaml"
    config.write_text("organization: FinAI Nexus\nframeworks: [pci-dss]\n"
                      "controls: [./controls]\nlocker: .assay\nas_of: 2026-06-30T00:00:00Z\n"
                      "sources:\n  terraform: {paths: [infra/]}\n")
    out = tmp_path / "out"
    assert main(["scan", "-c", str(config), "--out-dir", str(out)]) == 1
    results = json.loads((out / "results.json").read_text())
    assert results["run"]["organization"] == "FinAI Nexus"
    assert results["run"]["frameworks_in_scope"] == ["pci-dss"]
    assert len(results["run"]["manifest_sha256"]) == 64
    runs = list((tmp_path / ".assay" / "runs").iterdir())
    assert [r.name for r in runs] == [results["run"]["id"]]
    # the same pinned scan again stores nothing new and gives the same bytes
    first = (out / "results.json").read_bytes()
    assert main(["scan", "-c", str(config), "--out-dir", str(out)]) == 1
    assert (out / "results.json").read_bytes() == first
    # a report of the stored run names the same manifest hash
    again = tmp_path / "again.json"
    assert main(["report", results["run"]["id"], "-c", str(config), "--format", "json",
                 "--out", str(again)]) == 0
    assert json.loads(again.read_text())["run"]["manifest_sha256"] == \
        results["run"]["manifest_sha256"]


def test_schema_and_init(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "results"]) == 0
    committed = Path(__file__).parents[2] / "engine" / "schemas" / "results.schema.json"
    assert capsys.readouterr().out == committed.read_text()
    target = tmp_path / "assay.yaml"
    assert main(["init", "--path", str(target)]) == 0
    assert "sources:" in target.read_text()
    assert main(["init", "--path", str(target)]) == 2


def test_waivers_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["waivers", "list", str(DATA / "waivers.yaml"), "--controls",
                 str(DATA / "controls"), "--no-builtin", "--as-of", "2026-12-01"]) == 0
    assert "W-KMS-B\tEX-KMS-01.tf\t2026-12-31\t30d left" in capsys.readouterr().out
    assert main(["waivers", "list", str(DATA / "waivers.yaml"), "--controls",
                 str(DATA / "controls"), "--no-builtin", "--as-of", "2026-06-01",
                 "--expiring", "30d"]) == 0
    assert "W-KMS-B" not in capsys.readouterr().out


def test_real_subprocess_exit_code_and_stdout() -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1782777600"}
    argv = ["check", str(DATA / "infra"), "--controls", str(DATA / "controls"), "--no-builtin"]
    done = subprocess.run([sys.executable, "-m", "engine", *argv],
                          capture_output=True, env=env, timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["run"]["as_of"].startswith("2026-06-30")


def test_unknown_param_overrides_are_located(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "controls").mkdir()
    (tmp_path / "controls" / "EX-KMS-01.yaml").write_bytes(
        (DATA / "controls" / "EX-KMS-01.yaml").read_bytes())
    config = tmp_path / "assay.yaml"
    config.write_text("controls: [./controls]\nlocker: null\nparams:\n  EX-KMS-01:\n"
                      "    days: 3\n  NOPE-01: {x: 1}\n")
    assert main(["scan", "-c", str(config), "--out-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [f"{config}:5:5: params: control EX-KMS-01 has no parameter 'days' (it has: none)",
                   f"{config}:6:3: params: no control with id 'NOPE-01'"]
    assert not (tmp_path / "out").exists()


def test_config_names_are_checked_and_located_together(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "assay.yaml"
    config.write_text("controls: [builtin, ./missing]\nwaivers: ./nowaivers.yaml\nlocker: null\n")
    assert main(["scan", "-c", str(config), "--out-dir", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{config}:1:21: controls: ./missing: no such file or folder",
        f"{config}:2:10: waivers: ./nowaivers.yaml: no such file"]
    config.write_text("frameworks: [pci-dss, nope]\nlocker: null\ncontrols: []\n")
    assert main(["scan", "-c", str(config), "--framework", "soc2"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{config}:1:23: frameworks: unknown framework 'nope'")
    assert err[1] == (f"{config}: --framework soc2: not among the frameworks in scope "
                      "(pci-dss, nope)")
    assert not (tmp_path / "out").exists()


def test_source_paths_that_do_not_exist_are_configuration_errors(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "infra").mkdir()
    config = tmp_path / "assay.yaml"
    config.write_text(
        "controls: []\nlocker: .assay\nattestations: ./attest\n"
        "sources:\n"
        "  terraform: {paths: [./infra, ./infra-typo], var_files: [prod.tfvars]}\n"
        "  cloudtrail: {paths: [s3://trail-bucket/AWSLogs/, ./trail]}\n")
    assert main(["scan", "-c", str(config), "--out-dir", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{config}:3:15: attestations: ./attest: no such file or folder",
        f"{config}:5:32: sources.terraform.paths: ./infra-typo: no such file or folder",
        f"{config}:5:59: sources.terraform.var_files: prod.tfvars: no such file or folder",
        f"{config}:6:52: sources.cloudtrail.paths: ./trail: no such file or folder"]
    assert not (tmp_path / ".assay").exists() and not (tmp_path / "out").exists()


def test_out_dir_that_is_a_file_is_refused_before_any_work(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "assay.yaml"
    config.write_text("controls: []\nlocker: .assay\n")
    blocker = tmp_path / "out"
    blocker.write_text("x")
    assert main(["scan", "-c", str(config), "--out-dir", str(blocker)]) == 2
    assert "exists and is not a folder" in capsys.readouterr().err
    assert not (tmp_path / ".assay").exists()


def test_waivers_list_reads_the_configuration(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "controls").mkdir()
    (tmp_path / "controls" / "EX-KMS-01.yaml").write_bytes(
        (DATA / "controls" / "EX-KMS-01.yaml").read_bytes())
    (tmp_path / "waivers.yaml").write_bytes((DATA / "waivers.yaml").read_bytes())
    config = tmp_path / "assay.yaml"
    config.write_text("controls: [./controls]\nwaivers: ./waivers.yaml\n"
                      "as_of: 2026-12-01T00:00:00Z\n")
    assert main(["waivers", "list", "-c", str(config)]) == 0
    assert "W-KMS-B\tEX-KMS-01.tf\t2026-12-31\t30d left" in capsys.readouterr().out
    config.write_text("controls: [./controls]\n")
    assert main(["waivers", "list", "-c", str(config)]) == 2
    assert "names no waivers file" in capsys.readouterr().err


def test_every_command_is_listed_and_defined(capsys: pytest.CaptureFixture[str]) -> None:
    from engine.cli import _COMMAND_MODULES

    assert main(["--help"]) == 0
    listed = capsys.readouterr().out
    for name in _COMMAND_MODULES:
        assert f"  {name} " in listed
    assert main(["nosuchcommand"]) == 2
