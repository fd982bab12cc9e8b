"""One requirement matrix per framework, and the ISO/IEC 27001 Statement of Applicability."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reportlab.platypus import Flowable, PageBreak

from reports.pdf_style import StatusCell, para, table
from reports.view import iso_framework, soa_rows

if TYPE_CHECKING:
    from reports.pdf import PdfContext


def requirement_matrices(ctx: PdfContext) -> list[Flowable]:
    w = ctx.width
    story: list[Flowable] = [ctx.heading("Requirement matrices")]
    for fw in ctx.results.frameworks:
        story.append(ctx.heading(f"{fw.name} {fw.version}", level=1))
        counts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(fw.summary.items()))
        story.append(para(f"{len(fw.requirements)} requirements: {counts or 'none'}.", "body"))
        rows = [[r.id, r.title, StatusCell(r.status), ", ".join(r.controls) or "-"]
                for r in fw.requirements]
        story.append(table(["Requirement", "Title", "Status", "Controls"], rows,
                           [w * 0.13, w * 0.5, w * 0.15, w * 0.22]))
    story.append(PageBreak())
    return story


def statement_of_applicability(ctx: PdfContext) -> list[Flowable]:
    iso = iso_framework(ctx.results)
    if iso is None:
        return []
    w = ctx.width
    rows = [[r.id, r.title, "yes" if r.applicable else "no", r.justification,
             StatusCell(r.status), ", ".join(r.controls) or "-"] for r in soa_rows(iso)]
    return [
        ctx.heading("ISO/IEC 27001 Statement of Applicability"),
        para(f"{iso.name} {iso.version}, Annex A: every control, whether it applies, why, "
             "and how it is implemented and tested.", "body"),
        table(["Control", "Title", "Applicable", "Justification", "Status", "assay controls"],
              rows, [w * 0.09, w * 0.27, w * 0.09, w * 0.28, w * 0.13, w * 0.14]),
        PageBreak(),
    ]
