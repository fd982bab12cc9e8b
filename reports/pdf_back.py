"""Exceptions register, attestations, evidence manifest and sign-off."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, Table, TableStyle

from engine.results import WaiverRecord
from reports.pdf_style import GRID, STYLES, StatusCell, esc, para, table
from reports.view import fmt_date, fmt_time, location_text, waiver_scope

if TYPE_CHECKING:
    from reports.pdf import PdfContext


def _waiver_rows(waivers: list[WaiverRecord], state: str) -> list[list[object]]:
    return [[w.id, state, waiver_scope(w.control, w.check, w.resources), w.approver,
             w.ticket or "-", fmt_date(w.expires), w.matched,
             w.justification + (f" Compensating: {', '.join(w.compensating_controls)}."
                                if w.compensating_controls else "")]
            for w in waivers]


def exceptions_register(ctx: PdfContext) -> list[Flowable]:
    waivers = ctx.results.waivers
    w = ctx.width
    rows = (_waiver_rows(waivers.applied, "applied") + _waiver_rows(waivers.expired, "EXPIRED")
            + _waiver_rows(waivers.unused, "unused"))
    story: list[Flowable] = [
        ctx.heading("Exceptions register"),
        para("Waivers turn failing findings into waived ones until they expire. Expired "
             "waivers no longer apply: the findings they covered count as failing.", "body"),
    ]
    if rows:
        story.append(table(["Waiver", "State", "Covers", "Approver", "Ticket", "Expires",
                            "Findings", "Justification"], rows,
                           [w * 0.1, w * 0.09, w * 0.19, w * 0.14, w * 0.08, w * 0.1, w * 0.09,
                            w * 0.21]))
    else:
        story.append(para("No waivers.", "body"))
    story.append(PageBreak())
    return story


def attestations(ctx: PdfContext) -> list[Flowable]:
    w = ctx.width
    story: list[Flowable] = [ctx.heading("Attestations")]
    if not ctx.results.attestations:
        return [*story, para("No manual evidence in this run.", "body"), PageBreak()]
    rows = []
    for a in ctx.results.attestations:
        files = "\n".join(f"{f.path} ({f.size:,} bytes) sha256 {f.sha256}" for f in a.files)
        rows.append([a.name, a.control, a.owner, fmt_date(a.date),
                     StatusCell(a.status or "-"), fmt_date(a.expires), files or "no files",
                     location_text(a.location) or "-"])
    story.append(table(["Attestation", "Control", "Owner", "Date", "Status", "Expires",
                        "Files and SHA-256", "Record"], rows,
                       [w * 0.13, w * 0.11, w * 0.14, w * 0.09, w * 0.07, w * 0.09, w * 0.25,
                        w * 0.12]))
    story.append(PageBreak())
    return story


def evidence_manifest(ctx: PdfContext) -> list[Flowable]:
    w = ctx.width
    run = ctx.results.run
    rows = [[a.name, f"{a.size:,}", Paragraph(esc(a.sha256), STYLES["mono_small"]), a.collector,
             f"{a.item_count:,}" + ("" if a.complete else " (partial)")]
            for a in ctx.results.artifacts]
    story: list[Flowable] = [
        ctx.heading("Evidence manifest"),
        para(f"Manifest SHA-256: {run.manifest_sha256 or 'not recorded'}. Each artifact is "
             "stored by the SHA-256 of its bytes; a changed byte changes the hash.", "body"),
    ]
    if rows:
        story.append(table(["Artifact", "Size (bytes)", "SHA-256", "Collector", "Items"], rows,
                           [w * 0.24, w * 0.08, w * 0.5, w * 0.09, w * 0.09]))
    else:
        story.append(para("No artifacts were recorded for this run.", "body"))
    story.append(PageBreak())
    return story


def sign_off(ctx: PdfContext) -> list[Flowable]:
    w = ctx.width
    line = "_" * 28
    body = [[para(role, "cell_bold"), para(f"Name: {line}"), para(f"Signature: {line}"),
             para("Date: ____________")]
            for role in ("Prepared by", "Reviewed by", "Approved by")]
    t = Table(body, colWidths=[w * 0.16, w * 0.32, w * 0.32, w * 0.2], rowHeights=[16 * mm] * 3)
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                           ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID)]))
    return [
        ctx.heading("Sign-off"),
        para(f"This report covers run {ctx.results.run.id}, generated {fmt_time(ctx.results.run.finished)}. "
             "By signing, the parties confirm they reviewed the results and the exceptions above.",
             "body"),
        t,
    ]
