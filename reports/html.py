"""One self-contained HTML report: the PDF's sections, sortable failing-items tables.

jinja2 with autoescape on for every value, inline CSS and a few lines of inline
script, and a Content-Security-Policy that forbids loading anything — the file
makes no external request, so it can be opened offline or mailed to an auditor.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from engine.results import Results
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


class HtmlRenderer(Renderer):
    format = "html"
    file_name = "report.html"
    media_type = "text/html"

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
        )
        return html.encode("utf-8")
