"""Cover, executive summary, and scope and method."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph

from engine.results import Results
from reports.pdf_style import (
    STATUS_COLORS,
    STYLES,
    StatusCell,
    esc,
    facts,
    gap,
    para,
    table,
)
from reports.view import (
    REQUIREMENT_MEANING,
    STATUS_MEANING,
    SUMMARY_COLUMNS,
    counts_text,
    fmt_time,
    scope_text,
    top_failing_controls,
)

if TYPE_CHECKING:
    from reports.pdf import PdfContext


def completeness_note(results: Results) -> Paragraph:
    run = results.run
    if run.complete:
        return Paragraph("The run was complete: every configured source was collected.",
                         STYLES["body"])
    return Paragraph(
        f"INCOMPLETE RUN: {len(run.errors)} collection or evaluation error(s). "
        "Requirements that depend on the affected sources are reported as incomplete, "
        "never as satisfied; see Scope and method.", STYLES["warn"])


def cover(ctx: PdfContext) -> list[Flowable]:
    run = ctx.results.run
    frameworks = ", ".join(f"{f.name} {f.version}" for f in ctx.results.frameworks) or "-"
    rows = [
        ("Organization", run.organization or "-"),
        ("Frameworks", frameworks),
        ("Audit period", f"{run.period.start:%Y-%m-%d} to {run.period.end:%Y-%m-%d} (UTC, inclusive)"),
        ("Evaluated as of", fmt_time(run.as_of)),
        ("Generated at", fmt_time(run.finished)),
        ("Tool version", f"assay {run.tool_version}"),
        ("Run id", run.id),
        ("Library digest", Paragraph(esc(run.library_digest), STYLES["mono"])),
        ("Configuration digest", Paragraph(esc(run.config_digest), STYLES["mono"])),
        ("Evidence manifest SHA-256",
         Paragraph(esc(run.manifest_sha256 or "not recorded"), STYLES["mono"])),
        ("Run complete", "yes" if run.complete else f"NO — {len(run.errors)} error(s)"),
    ]
    if run.shard:
        shard = "; ".join(f"{k}={','.join(v)}" for k, v in sorted(run.shard.items()))
        rows.append(("Shard", f"{shard} (group {run.group_id or '-'})"))
    return [
        ctx.bookmark("Cover"),
        gap(35 * mm),
        Paragraph("Compliance assessment report", STYLES["title"]),
        para(run.organization or run.id, "subtitle"),
        gap(12 * mm),
        facts(rows, ctx.width, 52 * mm),
        gap(8 * mm),
        completeness_note(ctx.results),
        PageBreak(),
    ]


def _chart(ctx: PdfContext) -> Drawing:
    frameworks = list(reversed(ctx.results.frameworks))  # bars are drawn bottom-up
    height = 30 + 22 * max(1, len(frameworks))
    drawing = Drawing(ctx.width, height + 30)
    chart = HorizontalBarChart()
    chart.x, chart.y = 95, 30
    chart.width, chart.height = ctx.width - 110, height - 10
    chart.data = [[f.summary.get(str(s), 0) for f in frameworks] or [0] for s in SUMMARY_COLUMNS]
    chart.categoryAxis.categoryNames = [f.id for f in frameworks] or ["-"]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars.strokeWidth = 0
    for i, status in enumerate(SUMMARY_COLUMNS):
        chart.bars[i].fillColor = STATUS_COLORS[str(status)]
    legend = Legend()
    # One row across the full text width, each entry in an equal slot, so the labels
    # neither overlap the next swatch nor run past the margin.
    legend.x, legend.y = 0, 12
    legend.fontSize = 7
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.dx = legend.dy = 7
    legend.deltax = ctx.width / len(SUMMARY_COLUMNS)
    legend.autoXPadding = 0
    legend.colorNamePairs = [(STATUS_COLORS[str(s)], str(s).replace("_", " "))
                             for s in SUMMARY_COLUMNS]
    drawing.add(chart)
    drawing.add(legend)
    return drawing


def executive_summary(ctx: PdfContext) -> list[Flowable]:
    results = ctx.results
    header = ["Framework", *[str(s).replace("_", " ") for s in SUMMARY_COLUMNS], "total"]
    rows = [[f"{f.name} {f.version}", *[f.summary.get(str(s), 0) for s in SUMMARY_COLUMNS],
             len(f.requirements)] for f in results.frameworks]
    w = ctx.width
    story: list[Flowable] = [
        ctx.heading("Executive summary"),
        completeness_note(results),
        Paragraph("Requirements by status", STYLES["h3"]),
        _chart(ctx),
        table(header, rows, [w * 0.24] + [w * 0.11] * 6 + [w * 0.10]),
        Paragraph("Top failing controls by severity", STYLES["h3"]),
    ]
    top = top_failing_controls(results)
    if top:
        story.append(table(["Control", "Title", "Severity", "Failing items"],
                           [[c.id, c.title, str(c.severity), n] for c, n in top],
                           [w * 0.2, w * 0.5, w * 0.14, w * 0.16]))
    else:
        story.append(para("No control failed.", "body"))
    counts = ", ".join(f"{k} {v:,}" for k, v in sorted(results.summary.items())) or "none"
    story += [Paragraph("Findings by status", STYLES["h3"]), para(counts, "body"), PageBreak()]
    return story


def scope_and_method(ctx: PdfContext) -> list[Flowable]:
    run = ctx.results.run
    w = ctx.width
    story: list[Flowable] = [
        ctx.heading("Scope and method"),
        para(f"Audit period {run.period.start:%Y-%m-%d} to {run.period.end:%Y-%m-%d} (UTC). "
             f"Log sources are read over the period; posture sources (Terraform, AWS) are a "
             f"snapshot as of {fmt_time(run.as_of)}. Frameworks in scope: "
             f"{', '.join(run.frameworks_in_scope) or '-'}.", "body"),
        Paragraph("Sources scanned", STYLES["h3"]),
        table(["Source", "Scope", "Counts", "Notes"],
              [[s.name, scope_text(s), counts_text(s), "; ".join(s.notes) or "-"]
               for s in run.sources],
              [w * 0.14, w * 0.42, w * 0.22, w * 0.22]),
    ]
    missing = [(s.name, nc) for s in run.sources for nc in s.not_collected]
    story.append(Paragraph("Not collected", STYLES["h3"]))
    if missing:
        story.append(table(["Source", "Types", "Scope", "Reason"],
                           [[n, nc.get("types", "-"), nc.get("scope", "-"), nc.get("reason", "-")]
                            for n, nc in missing],
                           [w * 0.14, w * 0.22, w * 0.22, w * 0.42]))
    else:
        story.append(para("Every configured source was collected.", "body"))
    story.append(Paragraph("Errors", STYLES["h3"]))
    if run.errors:
        story.append(table(["Source", "Location", "Message"],
                           [[e.source, e.location or "-", e.message] for e in run.errors],
                           [w * 0.14, w * 0.36, w * 0.5]))
    else:
        story.append(para("None.", "body"))
    story += [
        Paragraph("Status vocabulary", STYLES["h3"]),
        table(["Finding, check and control status", "Meaning"],
              [[StatusCell(s), m] for s, m in STATUS_MEANING], [w * 0.3, w * 0.7]),
        gap(),
        table(["Requirement status", "Meaning"],
              [[StatusCell(s), m] for s, m in REQUIREMENT_MEANING], [w * 0.3, w * 0.7]),
        PageBreak(),
    ]
    return story
