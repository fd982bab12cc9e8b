"""The FinAI Nexus estate end to end: one scan, the same night as shards + merge, history.

The estate is copied twice with identical assay.yaml bytes (same config digest)
but without the AWS source, which needs the demo's seeded server; logs are
generated once with the estate's fixed seed.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from engine.cli import main

pytest.importorskip("evidence.redact", reason="scan redacts evidence with evidence.redact")

REPO = Path(__file__).resolve().parents[2]
ESTATE = REPO / "examples" / "finai-nexus"


def _estate(root: Path, logs: Path) -> Path:
    for name in ("infra", "controls", "attestations", "waivers.yaml"):
        src = ESTATE / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, root / name)
    shutil.copytree(logs, root / "logs")
    text = (ESTATE / "assay.yaml").read_text()
    head, _, rest = text.partition("  aws:\n")
    rest = rest[rest.index("  cloudtrail:"):]
    (root / "assay.yaml").write_text(head + rest)
    return root / "assay.yaml"


@pytest.fixture(scope="module")
def estates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    spec = importlib.util.spec_from_file_location("generate_logs", ESTATE / "generate_logs.py")
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    logs = tmp_path_factory.mktemp("logs")
    generator.write(logs)
    single = _estate(tmp_path_factory.mktemp("single"), logs)
    sharded = _estate(tmp_path_factory.mktemp("sharded"), logs)
    assert single.read_bytes() == sharded.read_bytes()
    return {"single": single, "sharded": sharded}


def _results(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


@pytest.fixture(scope="module")
def single_run(estates: dict[str, Any]) -> dict[str, Any]:
    config = estates["single"]
    out = config.parent / "out"
    assert main(["scan", "-c", str(config), "--out-dir", str(out)]) == 1
    return _results(out / "results.json")


def _control(results: dict[str, Any], control_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in results["controls"] if c["id"] == control_id)
    return found


def _failing(results: dict[str, Any], control_id: str) -> list[dict[str, Any]]:
    return [f for f in results["findings"]
            if f["control_id"] == control_id and f["status"] == "fail"]


def test_the_estate_shows_its_planted_gaps(single_run: dict[str, Any]) -> None:
    run = single_run["run"]
    assert run["as_of"] == "2026-06-30T23:00:00Z" and run["complete"] is True
    [training] = _failing(single_run, "PPL-TRN-01")
    assert "expired on 2026-05-15" in training["message"]
    for control_id in ("BCP-DR-01", "ACC-REV-01", "GOV-RISK-01", "PRIV-DPO-01"):
        assert _control(single_run, control_id)["status"] == "pass", control_id
    [review_gap] = _failing(single_run, "APP-AUD-02")  # the Q2 access review never happened
    assert review_gap["resource"]["type"] == "gap"
    assert review_gap["resource"]["id"].startswith("2026-01-12")
    tags = {f["resource"]["id"]: f["status"] for f in single_run["findings"]
            if f["control_id"] == "FN-TAG-01"}
    assert tags == {"aws_s3_bucket.documents": "pass", "aws_s3_bucket.logs": "pass",
                    "aws_s3_bucket.course_media": "waived", "aws_s3_bucket.ml_exports": "fail"}
    waivers = single_run["waivers"]
    assert [w["id"] for w in waivers["applied"]] == ["W-2026-004"]
    assert [w["id"] for w in waivers["expired"]] == ["W-2026-001"]
    gaps = [f["resource"]["id"] for f in _failing(single_run, "LOG-CT-07")]
    assert len(gaps) == 1 and gaps[0].startswith("2026-03-14")
    assert _failing(single_run, "IAM-ROOT-03")  # the root sign-in of 2026-02-14
    [no_mfa] = _failing(single_run, "IAM-USER-02")
    assert "2026-04-22" in json.dumps(no_mfa)
    attested = {(a["control"], a["name"]): a for a in single_run["attestations"]}
    assert attested[("PPL-TRN-01", "awareness-training-completion")]["status"] == "fail"
    assert len(attested[("ACC-REV-01", "privileged-access-review")]["files"]) == 2
    assert [a["status"] for a in attested.values()].count("pass") == len(attested) - 1


def test_shards_merged_equal_a_single_scan(estates: dict[str, Any],
                                           single_run: dict[str, Any]) -> None:
    config = estates["sharded"]
    out = config.parent / "out"
    ids = []
    for i, shard in enumerate(["sources=terraform", "sources=cloudtrail,auditlog,manual"]):
        code = main(["scan", "-c", str(config), "--shard", shard, "--out-dir", str(out / str(i))])
        assert code in (1, 3)
        part = _results(out / str(i) / "results.json")
        assert part["run"]["group_id"] == single_run["run"]["id"]
        assert part["run"]["shard"]["sources"] == sorted(shard.split("=")[1].split(","))
        ids.append(part["run"]["id"])
    assert len(set(ids)) == 2
    assert main(["merge", *ids, "-c", str(config), "--out-dir", str(out / "merged")]) == 1
    merged = _results(out / "merged" / "results.json")
    for key in ("findings", "controls", "frameworks", "summary", "attestations", "artifacts",
                "waivers"):
        assert merged[key] == single_run[key], key
    assert merged["run"]["id"] == single_run["run"]["id"]
    assert merged["run"]["complete"] == single_run["run"]["complete"]
    assert "shard" not in merged["run"]
    # the night's shards found by their as-of give the same run
    assert main(["merge", "--as-of", "2026-06-30T23:00:00Z", "-c", str(config),
                 "--out-dir", str(out / "by-night")]) == 1
    assert (out / "by-night" / "results.json").read_bytes() == \
        (out / "merged" / "results.json").read_bytes()


def test_bad_shards(estates: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    config = str(estates["sharded"])
    assert main(["scan", "-c", config, "--shard", "zones=a"]) == 2
    assert "KEY one of sources, regions, accounts" in capsys.readouterr().err
    assert main(["scan", "-c", config, "--shard", "sources=aws"]) == 2
    assert "aws not configured" in capsys.readouterr().err
    assert main(["scan", "-c", config, "--shard", "regions=eu-west-1"]) == 2
    assert "aws not configured" in capsys.readouterr().err


def test_merge_refuses_overlapping_or_whole_runs(estates: dict[str, Any], tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    config = estates["sharded"]
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["scan", "-c", str(config), "--shard", "sources=terraform,manual",
                 "--out-dir", str(a)]) in (1, 3)
    assert main(["scan", "-c", str(config), "--shard", "sources=terraform",
                 "--out-dir", str(b)]) in (1, 3)
    capsys.readouterr()
    assert main(["merge", str(a / "results.json"), str(b / "results.json"),
                 "--locker", str(tmp_path / "lk"), "--out-dir", str(tmp_path / "m")]) == 2
    assert "overlap: both ran terraform" in capsys.readouterr().err
    whole = config.parent / "out" / "merged" / "results.json"
    assert main(["merge", str(a / "results.json"), str(whole),
                 "--locker", str(tmp_path / "lk"), "--out-dir", str(tmp_path / "m")]) == 2
    assert "is not a shard" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()
