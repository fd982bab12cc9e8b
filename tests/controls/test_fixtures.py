"""Every shipped control against its fixtures: one parametrized test runs them all.

Layout (Checkov's ``<Check>/main.tf + expected.yaml`` convention)::

    tests/controls/<CONTROL-ID>/<source>/<case>/
        expected.yaml      {check-id: {status: S, findings: {resource-or-event-id: S}}}
        run.yaml           optional: {as_of, period: [start, end], params: {...}, config: {...}}
        *.tf               terraform: real HCL through the Terraform collector
        plan.json          terraform_plan: `terraform show -json` output through the plan collector
        resources.yaml     aws: recorded resources, a list of {type, id, attributes}
        events.jsonl       cloudtrail / k8s_audit / auditlog: raw records through the log collector
        attestations/      manual: attestation records through the attestation collector

``expected.yaml`` names every check of the control for that source, with the
check's status and the exact findings it must produce. The run goes through the
real engine (``engine.run.execute``); only the live AWS API is replaced by
recorded resources, since the AWS collector itself is tested against moto.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.library_files import Library
from engine.loader import load_library
from engine.model import Control
from engine.run import RunPlan, execute
from evidence.testing import recorded_source

FIXTURES = Path(__file__).resolve().parent
AS_OF = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
PERIOD = (datetime(2026, 4, 1, tzinfo=UTC), datetime(2026, 6, 30, 12, 0, tzinfo=UTC))
LOG_SOURCES = ("cloudtrail", "k8s_audit", "auditlog")


@cache
def library() -> Library:
    return load_library()


def cases() -> list[Path]:
    return sorted(p.parent for p in FIXTURES.glob("*/*/*/expected.yaml"))


def _case_id(case: Path) -> str:
    return "/".join(case.relative_to(FIXTURES).parts)


def _read_yaml(path: Path, default: Any = None) -> Any:
    if not path.exists():
        return default
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _moment(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def source_config(source: str, case: Path, extra: dict[str, Any]) -> dict[str, Any]:
    if source == "terraform":
        return {"paths": [str(case)], "cache": False, **extra}
    if source == "terraform_plan":
        return {"files": [str(case / "plan.json")], **extra}
    if source == "aws":
        return {"resources": _read_yaml(case / "resources.yaml", [])}
    if source in LOG_SOURCES:
        logs = sorted(p for p in case.iterdir() if p.suffix in (".jsonl", ".json", ".gz", ".csv"))
        return {"paths": [p.name for p in logs], **extra}
    if source == "manual":
        return {"path": str(case / "attestations")}
    raise AssertionError(f"no fixture convention for source {source}")


def run_case(control: Control, source: str, case: Path) -> dict[str, Any]:
    """The checks of ``source`` run over the case's evidence: {check: {status, findings}}."""
    settings = _read_yaml(case / "run.yaml", {}) or {}
    period = tuple(_moment(v) for v in settings.get("period", PERIOD))
    plan = RunPlan(
        controls=[control], catalogs=library().catalogs, frameworks=sorted(control.frameworks),
        sources={source: source_config(source, case, settings.get("config", {}))},
        base_dir=case, as_of=_moment(settings.get("as_of", AS_OF)),
        period=(period[0], period[1]), redact=lambda data: data,
        params={control.id: settings.get("params", {})}, only_sources=frozenset({source}))
    with ExitStack() as stack:
        if source == "aws":
            stack.enter_context(recorded_source("aws"))
        results = execute(plan)
    assert results.run.complete, f"incomplete run: {results.run}"
    actual: dict[str, Any] = {}
    for control_result in results.controls:
        for check in control_result.checks:
            if check.source == source:
                actual[check.id] = {"status": str(check.status), "findings": {}}
    for finding in results.findings:
        if finding.source == source and finding.check_id in actual:
            actual[finding.check_id]["findings"][finding.resource.id] = str(finding.status)
    return actual


@pytest.mark.parametrize("case", cases(), ids=_case_id)
def test_fixture(case: Path) -> None:
    control_id, source = case.parent.parent.name, case.parent.name
    control = library().control(control_id)
    assert control is not None, f"{control_id}: no such control in the shipped library"
    expected = _read_yaml(case / "expected.yaml")
    assert run_case(control, source, case) == expected


def _expected_statuses() -> Iterator[tuple[str, str, str, set[str]]]:
    """(control, source, check, statuses of the check across its cases)."""
    seen: dict[tuple[str, str, str], set[str]] = {}
    for case in cases():
        control_id, source = case.parent.parent.name, case.parent.name
        for check_id, outcome in (_read_yaml(case / "expected.yaml") or {}).items():
            statuses = seen.setdefault((control_id, source, check_id), set())
            statuses.add(outcome["status"])
            statuses.update(f"finding:{s}" for s in outcome.get("findings", {}).values())
    for (control_id, source, check_id), statuses in sorted(seen.items()):
        yield control_id, source, check_id, statuses


def test_every_check_has_a_passing_and_a_failing_case() -> None:
    covered = {(c, s, k): st for c, s, k, st in _expected_statuses()}
    missing = []
    for control in library().controls:
        for check in control.checks:
            statuses = covered.get((control.id, check.source, check.id), set())
            if check.kind == "posture":
                needed = {"pass", "fail", "finding:pass", "finding:fail"}
            elif check.kind == "events":
                needed = {"pass", "fail", "finding:fail"}
            else:
                needed = {"pass", "fail", "finding:pass", "finding:fail"}
            if not needed <= statuses:
                missing.append(f"{control.id}.{check.id} ({check.source}): "
                               f"lacks {sorted(needed - statuses)}")
    assert missing == []


def test_fixture_folders_name_real_controls_and_sources() -> None:
    ids = {c.id for c in library().controls}
    for case in cases():
        control_id, source = case.parent.parent.name, case.parent.name
        assert control_id in ids, case
        control = library().control(control_id)
        assert control is not None, case
        # a plan is read with the control's terraform checks unless it has its own
        assert source in control.sources or (
            source == "terraform_plan" and "terraform" in control.sources), case
