"""Every YAML example in docs/auditlog.md loads: configuration blocks and controls."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from engine.config import Config
from engine.model import Control

DOC = Path(__file__).resolve().parents[3] / "docs" / "auditlog.md"


def blocks() -> list[Any]:
    text = DOC.read_text(encoding="utf-8")
    return [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.S)]


def test_every_yaml_example_is_a_valid_config_or_control() -> None:
    found = blocks()
    assert len(found) == 2
    config, control = found
    loaded = Config.model_validate(config)
    assert loaded.sources.auditlog is not None and loaded.sources.auditlog.format == "jsonl"
    assert [c.kind for c in Control.model_validate(control).checks] == ["events"] * 3
