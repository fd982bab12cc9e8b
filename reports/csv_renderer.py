"""One row per finding, safe to open in a spreadsheet.

A cell that begins with ``= + - @``, a tab or a carriage return would be read as a
formula by Excel, LibreOffice or Google Sheets (CSV injection); such cells are
prefixed with a single quote, the OWASP-recommended neutralization, so the text
shows as written and never executes.
"""

from __future__ import annotations

import csv
import io

from engine.model import Finding
from engine.results import Results
from reports.interface import Renderer
from reports.view import location_text

COLUMNS = [
    "run_id", "control_id", "control_title", "check_id", "status", "severity", "source",
    "resource_type", "resource_id", "location", "message", "waiver", "baseline",
    "window_start", "window_end", "artifacts",
]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _row(run_id: str, title: str, f: Finding) -> list[str]:
    return [
        run_id, f.control_id, title, f.check_id, str(f.status), str(f.severity), f.source,
        f.resource.type, f.resource.id, location_text(f.resource.location), f.message,
        f.waiver or "", f.baseline or "",
        f.window.start.isoformat() if f.window else "",
        f.window.end.isoformat() if f.window else "",
        " ".join(f.artifacts),
    ]


class CsvRenderer(Renderer):
    format = "csv"
    file_name = "results.csv"
    media_type = "text/csv"

    def render(self, results: Results) -> bytes:
        titles = {c.id: c.title for c in results.controls}
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for finding in results.findings:
            row = _row(results.run.id, titles.get(finding.control_id, ""), finding)
            writer.writerow([neutralize(cell) for cell in row])
        return out.getvalue().encode("utf-8")
