"""Control details: objective, mapped requirements, each check's population, failing
items and the evidence behind it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Paragraph

from engine.model import Finding
from engine.results import ArtifactRecord, ControlResult
from reports.pdf_style import STYLES, StatusCell, esc, facts, para, status_para, table
from reports.view import BASELINE_NOTE, CheckItems, control_items, location_text, query_text

if TYPE_CHECKING:
    from reports.pdf import PdfContext


def _status_cell(finding: Finding) -> StatusCell:
    """The status, and with ``check --baseline`` whether the failure is new."""
    marker = f" ({finding.baseline})" if finding.baseline else ""
    return StatusCell(f"{finding.status}{marker}")


def control_details(ctx: PdfContext) -> list[Flowable]:
    story: list[Flowable] = [ctx.heading("Control details")]
    artifacts = {a.sha256: a for a in ctx.results.artifacts}
    for control in ctx.results.controls:
        story += _control(ctx, control, artifacts)
    story.append(PageBreak())
    return story


def _control(ctx: PdfContext, control: ControlResult,
             artifacts: dict[str, ArtifactRecord]) -> list[Flowable]:
    mapped = "; ".join(f"{fid}: {', '.join(ids)}" for fid, ids in sorted(control.frameworks.items()))
    story: list[Flowable] = [
        ctx.heading(f"{control.id} — {control.title}", level=1),
        facts([("Objective", control.objective), ("Severity", str(control.severity)),
               ("Status", status_para(control.status)), ("Requirements", mapped or "-")],
              ctx.width, 28 * mm),
    ]
    for items in control_items(control, ctx.by_check):
        story += _check(ctx, items, artifacts)
    return story


def _check(ctx: PdfContext, items: CheckItems,
           artifacts: dict[str, ArtifactRecord]) -> list[Flowable]:
    w = ctx.width
    check, findings, shown, more = items.check, items.findings, items.shown, items.more
    title = f"Check {esc(check.id)} ({esc(check.source)}): "
    story: list[Flowable] = [Paragraph(title + f"<font color='#555555'>{esc(check.status)}</font>",
                                       STYLES["h3"])]
    if check.message:
        story.append(para(check.message, "body"))
    c = check.counts
    population: list[list[Any]] = [["tested", "passed", "failed", "unknown", "waived", "error", "not collected"],
                  [c.tested, c.pass_, c.fail, c.unknown, c.waived, c.error, c.not_collected]]
    if check.population:
        population[0] += [f"events {k}" for k in sorted(check.population)]
        population[1] += [check.population[k] for k in sorted(check.population)]
    n = len(population[0])
    story.append(table(population[0], [population[1]], [w / n] * n, zebra=False))
    story.append(para(f"Remediation: {check.remediation}", "small"))
    story = [KeepTogether(story)]  # a check's header block never splits from its counts
    if shown:
        story.append(table(["Status", "Resource", "Location", "Message"],
                           [[_status_cell(f), f.resource.id, location_text(f.resource.location),
                             f.message] for f in shown],
                           [w * 0.11, w * 0.3, w * 0.24, w * 0.35]))
        if any(f.baseline for f in shown):
            story.append(para(BASELINE_NOTE, "small"))
    if more:
        story.append(para(f"and {more:,} more — see results.csv", "body"))
    used = sorted({sha for f in findings for sha in f.artifacts})
    if used:
        rows = [[Paragraph(esc(sha), STYLES["mono"]),
                 artifacts[sha].name if sha in artifacts else "(not in the manifest)",
                 query_text(artifacts[sha].query) if sha in artifacts else "-"] for sha in used]
        story.append(table(["Evidence SHA-256", "Artifact", "Query"], rows,
                           [w * 0.42, w * 0.25, w * 0.33]))
    return story
