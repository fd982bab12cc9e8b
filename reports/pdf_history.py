"""The PDF's history sections, read from the locker's run index (``engine.periods.HistoryView``).

- "Compliance trend" (after the executive summary): satisfied requirements per
  framework over the last 30 nightly runs, as a line chart and a table.
- "Operating effectiveness" (after the Statement of Applicability, only with
  ``--period``): per control, the share of nightly runs in which it passed, the
  nights it failed, and the nights with no run — the Type II view.
"""

from __future__ import annotations

from typing import Any

from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph

from engine.periods import ControlEffectiveness, Effectiveness, HistoryView
from reports.pdf import PdfContext, Section
from reports.pdf_style import STYLES, StatusCell, esc, facts, gap, table

LINE_COLORS = ["#1565c0", "#2e7d32", "#c62828", "#6a1b9a", "#ef6c00", "#00838f", "#795548"]
MAX_DATES = 12  # failing nights listed per control; the rest are counted


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
    story: list[Flowable] = [ctx.heading("Compliance trend")]
    nights = sorted({n for points in view.trend.values() for n, _, _ in points})
    if len(nights) < 2:
        story += [Paragraph(esc(
            f"The evidence locker holds {len(nights)} nightly run(s) so far; the trend "
            "appears from the second night on."), STYLES["body"]), PageBreak()]
        return story
    story += [Paragraph(esc(
        f"Requirements satisfied per framework over the last {len(nights)} nightly runs "
        f"({nights[0]} to {nights[-1]}), as a share of each framework's requirements "
        "(not applicable ones left out). One run per night: the whole or merged run."),
        STYLES["body"]), _chart(view, ctx.width), gap()]
    rows = []
    for framework, points in sorted(view.trend.items()):
        first, last = points[0], points[-1]
        best = max(points, key=lambda p: (p[1], p[0]))
        rows.append([framework, f"{first[1]} / {first[2]} ({first[0]})",
                     f"{last[1]} / {last[2]} ({last[0]})", f"{best[1]} ({best[0]})",
                     f"{last[1] - first[1]:+d}"])
    widths = [ctx.width * f for f in (0.16, 0.26, 0.26, 0.2, 0.12)]
    story += [table(["framework", "first night", "latest night", "best", "change"], rows, widths),
              PageBreak()]
    return story


# --------------------------------------------------------------------------- Type II


def _share(row: ControlEffectiveness) -> str:
    return "-" if row.share is None else f"{100 * row.share:.1f}%"


def _failed(row: ControlEffectiveness) -> str:
    dates = row.failed_on
    if not dates:
        return ""
    shown = ", ".join(dates[:MAX_DATES])
    return shown + (f" and {len(dates) - MAX_DATES} more" if len(dates) > MAX_DATES else "")


def _verdict(row: ControlEffectiveness) -> str:
    """pass: passed every night it ran; fail: failed on some night; else a dash."""
    if row.failed_on:
        return StatusCell("fail")
    if row.runs and row.passed == row.runs:
        return StatusCell("pass")
    return "-"


def _effectiveness_facts(eff: Effectiveness, width: float) -> Flowable:
    missing = ", ".join(eff.missing[:MAX_DATES * 2])
    if len(eff.missing) > MAX_DATES * 2:
        missing += f" and {len(eff.missing) - MAX_DATES * 2} more"
    return facts([
        ("Audit period", f"{eff.start} to {eff.end}"),
        ("Nights counted", f"{eff.nights} (to {eff.counted_until})"),
        ("Nights with a run", str(len(eff.run_nights))),
        ("Nights with no run", f"{len(eff.missing)}" + (f": {missing}" if missing else "")),
        ("Incomplete runs", ", ".join(eff.incomplete) or "none"),
    ], width)


def _effectiveness(ctx: PdfContext) -> list[Flowable]:
    view = _view(ctx)
    eff = view.effectiveness
    assert eff is not None
    story: list[Flowable] = [
        ctx.heading("Operating effectiveness"),
        Paragraph(esc(
            "How each control operated over the audit period: the share of nightly runs in "
            "which it passed, the nights it failed, and nights the scan did not run. Waived "
            "nights are counted apart and are not passes; other statuses (unknown, error, "
            "not collected, manual pending) are listed by count."), STYLES["body"]),
        _effectiveness_facts(eff, ctx.width), gap(),
    ]
    rows = [[row.control_id, view.titles.get(row.control_id, ""), str(row.runs), _verdict(row),
             _share(row), str(row.waived) if row.waived else "", _failed(row),
             ", ".join(f"{k} {v}" for k, v in row.other.items())] for row in eff.controls]
    widths = [ctx.width * f for f in (0.11, 0.2, 0.05, 0.08, 0.07, 0.07, 0.28, 0.14)]
    story.append(table(["control", "title", "runs", "every night", "passed", "waived",
                        "failed on", "other"], rows, widths))
    story.append(PageBreak())
    return story
