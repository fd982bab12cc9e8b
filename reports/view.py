"""What the auditor reports show, independent of PDF or HTML.

The PDF and HTML renderers lay out the same sections from the same selections, so
the two never disagree about which items are failing or which controls come first.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.model import Finding, Location
from engine.results import CheckResult, ControlResult, FrameworkResult, Results, SourceReport
from engine.status import RequirementStatus, Status

FAILING_LIMIT = 50  # failing items listed per control; the rest are in results.csv

# Failing first, then what could not be decided: the order auditors read exceptions in.
FAILING_ORDER = (Status.FAIL, Status.ERROR, Status.UNKNOWN, Status.NOT_COLLECTED)

STATUS_MEANING: list[tuple[str, str]] = [
    ("pass", "The item was tested and meets the control."),
    ("fail", "The item was tested and does not meet the control."),
    ("unknown", "A value could not be resolved (e.g. an unset variable); neither pass nor fail."),
    ("error", "Collection or evaluation broke; the item was not judged."),
    ("not_collected", "The source was not configured or access was denied."),
    ("not_applicable", "Nothing in scope for the control."),
    ("waived", "A failure covered by an approved, unexpired waiver."),
    ("manual_pending", "Manual evidence (an attestation) is missing."),
]

REQUIREMENT_MEANING: list[tuple[str, str]] = [
    ("satisfied", "Every mapped control passes or is waived."),
    ("not_satisfied", "At least one mapped control fails."),
    ("incomplete", "A mapped control has errors, unknowns or uncollected sources."),
    ("manual_pending", "A mapped control awaits manual evidence."),
    ("not_applicable", "Declared not applicable, or every mapped control is."),
    ("not_covered", "No control maps to the requirement; it is not tested by assay."),
]

BASELINE_NOTE = ("new: not failing in the baseline the run was compared with; "
                 "existing: already failing there.")

SUMMARY_COLUMNS = [
    RequirementStatus.SATISFIED, RequirementStatus.NOT_SATISFIED, RequirementStatus.INCOMPLETE,
    RequirementStatus.MANUAL_PENDING, RequirementStatus.NOT_COVERED,
    RequirementStatus.NOT_APPLICABLE,
]


def fmt_time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "-"


def fmt_date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "-"


def location_text(location: Location) -> str:
    if location.file:
        return f"{location.file}:{location.line}" if location.line else location.file
    parts = [p for p in (location.account, location.region, location.arn) if p]
    return "/".join(parts)


def query_text(query: dict[str, Any] | str) -> str:
    if isinstance(query, str):
        return query
    return json.dumps(query, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))


def scope_text(source: SourceReport) -> str:
    parts = []
    for key, value in sorted(source.scope.items()):
        shown = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        parts.append(f"{key}: {shown}")
    return "; ".join(parts) or "-"


def counts_text(source: SourceReport) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in sorted(source.counts.items())) or "-"


def findings_by_check(results: Results) -> dict[tuple[str, str], list[Finding]]:
    grouped: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in results.findings:
        grouped[(finding.control_id, finding.check_id)].append(finding)
    return grouped


def failing_items(findings: Iterable[Finding], limit: int = FAILING_LIMIT) -> tuple[list[Finding], int]:
    """The first ``limit`` items that did not pass (failures first) and how many more there are."""
    rank = {s: i for i, s in enumerate(FAILING_ORDER)}
    failing = sorted((f for f in findings if f.status in rank), key=lambda f: rank[f.status])
    return failing[:limit], max(0, len(failing) - limit)


@dataclass(frozen=True)
class CheckItems:
    """A check's findings and the failing items a report lists for it."""

    check: CheckResult
    findings: list[Finding]
    shown: list[Finding]
    more: int  # failing items not listed (including those counted but not kept)


def control_items(control: ControlResult, by_check: dict[tuple[str, str], list[Finding]],
                  limit: int = FAILING_LIMIT) -> list[CheckItems]:
    """Each check's failing items, at most ``limit`` for the whole control, in check order."""
    out = []
    left = limit
    for check in control.checks:
        findings = by_check.get((control.id, check.id), [])
        shown, more = failing_items(findings, left)
        left -= len(shown)
        out.append(CheckItems(check, findings, shown, more + (check.truncated or 0)))
    return out


def top_failing_controls(results: Results, limit: int = 10) -> list[tuple[ControlResult, int]]:
    """Failing controls, most severe first, then by number of failing items."""
    failing_count: dict[str, int] = defaultdict(int)
    for finding in results.findings:
        if finding.status is Status.FAIL:
            failing_count[finding.control_id] += 1
    failing = [c for c in results.controls if c.status is Status.FAIL]
    failing.sort(key=lambda c: (-c.severity.rank, -failing_count[c.id], c.id))
    return [(c, failing_count[c.id]) for c in failing[:limit]]


@dataclass(frozen=True)
class SoaRow:
    id: str
    title: str
    applicable: bool
    justification: str
    status: str
    controls: list[str]


def soa_rows(framework: FrameworkResult) -> list[SoaRow]:
    """ISO/IEC 27001 Statement of Applicability: every Annex A control."""
    rows = []
    for req in framework.requirements:
        if not req.id.startswith("A."):
            continue
        applicable = req.id not in framework.not_applicable and req.status is not RequirementStatus.NOT_APPLICABLE
        if not applicable:
            why = framework.not_applicable.get(req.id, "All mapped controls are not applicable.")
        elif req.controls:
            why = "Applicable: addressed by the mapped assay controls."
        else:
            why = framework.not_covered.get(req.id, "Applicable; not tested by assay controls.")
        rows.append(SoaRow(req.id, req.title, applicable, why, str(req.status), req.controls))
    return rows


def iso_framework(results: Results) -> FrameworkResult | None:
    return next((f for f in results.frameworks if f.id == "iso27001"), None)


def waiver_scope(control: str, check: str | None, resources: list[str] | None) -> str:
    target = f"{control}.{check}" if check else control
    return f"{target}: {', '.join(resources)}" if resources else f"{target}: all resources"
