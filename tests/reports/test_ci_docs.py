"""The CI snippet and the pre-commit hook are valid YAML that runs the real command."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def yaml_blocks(text: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", text, re.S)


def test_workflow_snippet_uploads_sarif_from_assay_check():
    workflow, pre_commit = (yaml.safe_load(b) for b in yaml_blocks((REPO / "docs/ci.md").read_text()))
    steps = workflow["jobs"]["assay"]["steps"]
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert upload["with"]["sarif_file"] == "assay.sarif" and upload["if"] == "always()"
    check = next(s for s in steps if s.get("id") == "check")
    assert "assay check infra --baseline" in check["run"] and "--format sarif" in check["run"]
    assert workflow["permissions"]["security-events"] == "write"
    assert pre_commit["repos"][0]["hooks"][0]["id"] == "assay-check"


def test_pre_commit_hook():
    hook, = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "assay-check" and hook["entry"] == "assay check"
    assert hook["pass_filenames"] is False
    assert re.search(hook["files"], "infra/main.tf") and not re.search(hook["files"], "README.md")
