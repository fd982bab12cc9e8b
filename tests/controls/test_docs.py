"""docs/controls.md is generated from the library and must not go stale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.cli import main

DOC = Path(__file__).resolve().parents[2] / "docs" / "controls.md"


def test_controls_doc_matches_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["controls", "list", "--format", "markdown"]) == 0
    generated = capsys.readouterr().out
    assert DOC.read_text(encoding="utf-8") == generated, (
        "docs/controls.md is stale: run `assay controls list --format markdown > docs/controls.md`")


def test_controls_doc_lists_every_control(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["controls", "list", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    text = DOC.read_text(encoding="utf-8")
    assert len(listed) >= 100
    for control in listed:
        assert f"| {control['id']} |" in text
