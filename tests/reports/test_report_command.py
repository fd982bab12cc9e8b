from __future__ import annotations

from pathlib import Path

import pytest

from engine.cli import main
from engine.results import Results


@pytest.fixture()
def saved(tmp_path: Path, results: Results) -> Path:
    path = tmp_path / "results.json"
    path.write_bytes(results.to_json())
    return path


def test_report_writes_each_format(saved: Path, tmp_path: Path) -> None:
    for fmt, magic in (("pdf", b"%PDF-"), ("csv", b"run_id,control_id"), ("json", b"{")):
        out = tmp_path / f"out.{fmt}"
        assert main(["report", str(saved), "--format", fmt, "--out", str(out)]) == 0
        assert out.read_bytes().startswith(magic)
    assert not list(tmp_path.glob(".*.tmp"))


def test_report_to_stdout(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(saved), "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("run_id,control_id")


def test_pdf_needs_out(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(saved), "--format", "pdf"]) == 2
    assert "--out" in capsys.readouterr().err


def test_bad_input_is_one_located_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.json"
    assert main(["report", str(missing), "--format", "csv"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(str(missing)) and "\n" not in err
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 2}')
    assert main(["report", str(bad), "--format", "csv"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(str(bad)) and "schema_version" in err and "Traceback" not in err


def test_unwritable_out_is_bad_input(saved: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    out = blocker / "r.csv"
    assert main(["report", str(saved), "--format", "csv", "--out", str(out)]) == 2
    assert str(out) in capsys.readouterr().err
    assert blocker.read_text() == "not a folder"
