"""One self-contained HTML report: the PDF's sections, sortable failing-items tables.

jinja2 with autoescape on for every value, inline CSS and a few lines of inline
script, and a Content-Security-Policy that forbids loading anything — the file
makes no external request, so it can be opened offline or mailed to an auditor.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from engine.periods import HistoryView
from engine.results import Results
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
from reports.interface import Renderer
from reports.view import (
    BASELINE_NOTE,
    REQUIREMENT_MEANING,
    STATUS_MEANING,
    SUMMARY_COLUMNS,
    control_items,
    counts_text,
    findings_by_check,
    fmt_date,
    fmt_time,
    iso_framework,
    location_text,
    query_text,
    scope_text,
    soa_rows,
    top_failing_controls,
    waiver_scope,
)


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("reports", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(time=fmt_time, date=fmt_date, location=location_text, query=query_text,
                       scope=scope_text, counts=counts_text)
    return env


def _control_views(results: Results) -> list[dict[str, Any]]:
    by_check = findings_by_check(results)
    artifacts = {a.sha256: a for a in results.artifacts}
    views = []
    for control in results.controls:
        checks = []
        for items in control_items(control, by_check):
            used = sorted({sha for f in items.findings for sha in f.artifacts})
            checks.append({"check": items.check, "failing": items.shown, "more": items.more,
                           "evidence": [(sha, artifacts.get(sha)) for sha in used]})
        views.append({"control": control, "checks": checks})
    return views


def _chart(results: Results) -> list[dict[str, Any]]:
    rows = []
    for fw in results.frameworks:
        total = max(1, len(fw.requirements))
        rows.append({"framework": fw, "parts": [
            (str(s), fw.summary.get(str(s), 0), round(100 * fw.summary.get(str(s), 0) / total, 2))
            for s in SUMMARY_COLUMNS]})
    return rows


CHART_WIDTH, CHART_HEIGHT, CHART_LEFT, CHART_TOP = 720.0, 200.0, 44.0, 10.0


def _history(view: HistoryView | None) -> dict[str, Any] | None:
    """The trend chart (SVG coordinates), its table and the Type II rows, or None."""
    if view is None:
        return None
    nights = trend_nights(view)
    step = CHART_WIDTH / max(1, len(nights) - 1)
    x_of = {night: CHART_LEFT + i * step for i, night in enumerate(nights)}
    series = []
    for i, (framework, points) in enumerate(sorted(view.trend.items())):
        coords = " ".join(
            f"{x_of[night]:.1f},{CHART_TOP + CHART_HEIGHT * (1 - (sat / total if total else 0)):.1f}"
            for night, sat, total in points)
        series.append({"framework": framework, "color": LINE_COLORS[i % len(LINE_COLORS)],
                       "points": coords})
    eff = view.effectiveness
    return {
        "note": trend_note(view), "nights": nights, "series": series,
        "trend_header": TREND_HEADER, "trend_rows": trend_rows(view),
        "chart": {"left": CHART_LEFT, "top": CHART_TOP, "width": CHART_WIDTH,
                  "height": CHART_HEIGHT},
        "effectiveness": None if eff is None else {
            "note": EFFECTIVENESS_NOTE, "facts": effectiveness_facts(eff),
            "header": EFFECTIVENESS_HEADER, "rows": effectiveness_rows(view)},
    }


class HtmlRenderer(Renderer):
    """``history`` (``engine.periods.HistoryView``, from the evidence locker) adds the
    compliance trend and, with an audit period, the operating-effectiveness view."""

    format = "html"
    file_name = "report.html"
    media_type = "text/html"

    def __init__(self, history: HistoryView | None = None) -> None:
        self.history = history

    def render(self, results: Results) -> bytes:
        template = _environment().get_template("report.html.j2")
        iso = iso_framework(results)
        waivers = results.waivers
        html = template.render(
            r=results, run=results.run,
            summary_columns=[str(s) for s in SUMMARY_COLUMNS],
            chart=_chart(results), top=top_failing_controls(results),
            baseline_note=BASELINE_NOTE, status_meaning=STATUS_MEANING, requirement_meaning=REQUIREMENT_MEANING,
            soa=soa_rows(iso) if iso else None, iso=iso,
            controls=_control_views(results),
            waivers=[("applied", w) for w in waivers.applied]
            + [("EXPIRED", w) for w in waivers.expired] + [("unused", w) for w in waivers.unused],
            waiver_scope=waiver_scope,
            missing=[(s.name, nc) for s in results.run.sources for nc in s.not_collected],
            history=_history(self.history),
        )
        return html.encode("utf-8")
