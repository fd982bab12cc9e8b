"""The PDF's history sections, read from the locker's run index (``engine.periods.HistoryView``).

- "Compliance trend" (after the executive summary): satisfied requirements per
  framework over the last 30 nightly runs, as a line chart and a table.
- "Operating effectiveness" (after the Statement of Applicability, only with
  ``--period``): the Type II view. The rows are ``reports.history_rows``'s, which
  the HTML report shows too.
"""

from __future__ import annotations

from typing import Any

from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph

from engine.periods import HistoryView
from reports.history_rows import (
    EFFECTIVENESS_HEADER,
    EFFECTIVENESS_NOTE,
    LINE_COLORS,
    TREND_HEADER,
    effectiveness_facts,
    effectiveness_rows,
    trend_nights,
    trend_note,
    trend_rows,
)
from reports.pdf import PdfContext, Section
from reports.pdf_style import STYLES, StatusCell, esc, facts, gap, table


def sections(history: HistoryView) -> list[tuple[str, Section]]:
    extras = [("summary", Section("trend", "Compliance trend", _trend))]
    if history.effectiveness is not None:
        extras.append(("soa", Section("effectiveness", "Operating effectiveness", _effectiveness)))
    return extras


def _view(ctx: PdfContext) -> HistoryView:
    view = ctx.history
    assert isinstance(view, HistoryView)
    return view


# --------------------------------------------------------------------------- trend


def _chart(view: HistoryView, width: float) -> Drawing:
    series = sorted(view.trend.items())
    nights = sorted({night for _, points in series for night, _, _ in points})
    index = {night: i for i, night in enumerate(nights)}
    height = 62 * mm
    drawing = Drawing(width, height + 24)
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 36, 30, width - 140, height - 10
    plot.data = [[(index[n], 100.0 * sat / total if total else 0.0) for n, sat, total in points]
                 for _, points in series]
    plot.xValueAxis.valueMin = 0
    plot.xValueAxis.valueMax = max(1, len(nights) - 1)
    plot.xValueAxis.valueSteps = list(range(len(nights))) if len(nights) <= 10 else None
    plot.xValueAxis.labelTextFormat = lambda v: nights[int(v)][5:] if 0 <= int(v) < len(nights) \
        else ""
    plot.xValueAxis.labels.fontSize = 6.5
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax = 0, 100
    plot.yValueAxis.labelTextFormat = "%d%%"
    plot.yValueAxis.labels.fontSize = 7
    legend = Legend()
    legend.x, legend.y = width - 95, height
    legend.fontSize = 7.5
    pairs: list[tuple[Any, str]] = []
    for i, (framework, _) in enumerate(series):
        color = colors.HexColor(LINE_COLORS[i % len(LINE_COLORS)])
        plot.lines[i].strokeColor = color
        plot.lines[i].strokeWidth = 1.4
        pairs.append((color, framework))
    legend.colorNamePairs = pairs
    drawing.add(plot)
    drawing.add(legend)
    return drawing


def _trend(ctx: PdfContext) -> list[Flowable]:
    view = _view(ctx)
    story: list[Flowable] = [ctx.heading("Compliance trend"),
                             Paragraph(esc(trend_note(view)), STYLES["body"])]
    if len(trend_nights(view)) < 2:
        return [*story, PageBreak()]
    widths = [ctx.width * f for f in (0.16, 0.26, 0.26, 0.2, 0.12)]
    return [*story, _chart(view, ctx.width), gap(),
            table(TREND_HEADER, trend_rows(view), widths), PageBreak()]


# --------------------------------------------------------------------------- Type II


def _effectiveness(ctx: PdfContext) -> list[Flowable]:
    view = _view(ctx)
    eff = view.effectiveness
    assert eff is not None
    rows = [[*row[:3], StatusCell(row[3]) if row[3] != "-" else "-", *row[4:]]
            for row in effectiveness_rows(view)]
    widths = [ctx.width * f for f in (0.11, 0.2, 0.05, 0.08, 0.07, 0.07, 0.28, 0.14)]
    return [ctx.heading("Operating effectiveness"),
            Paragraph(esc(EFFECTIVENESS_NOTE), STYLES["body"]),
            facts(effectiveness_facts(eff), ctx.width), gap(),
            table(EFFECTIVENESS_HEADER, rows, widths), PageBreak()]
