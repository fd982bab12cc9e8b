"""One render of the benchmark's run (60 controls, 10,000 findings): it completes and
stays navigable. Speed is measured in bench/reports.py, not here."""

from __future__ import annotations

import io

from pypdf import PdfReader

from engine.results import Results
from reports.html import HtmlRenderer
from reports.pdf import PdfRenderer
from reports.testing import synthetic_results
from reports.view import FAILING_LIMIT, FAILING_ORDER


def _more(results: Results, control_id: str) -> int:
    failing = [f for f in results.findings if f.control_id == control_id and f.status in FAILING_ORDER]
    return len(failing) - FAILING_LIMIT


def test_ten_thousand_findings_render() -> None:
    results = synthetic_results(controls=60, findings=10_000)
    assert len(results.findings) == 10_000
    reader = PdfReader(io.BytesIO(PdfRenderer().render(results)))
    total = len(reader.pages)
    assert total > 60
    assert f"page {total} of {total}" in reader.pages[-1].extract_text()
    outline = reader.outline
    details = outline.index(next(o for o in outline if not isinstance(o, list)
                                 and o.title == "Control details"))
    controls = outline[details + 1]
    assert [c.title.split(" — ")[0] for c in controls] == [c.id for c in results.controls]
    first, second = (reader.get_destination_page_number(c) for c in controls[:2])
    text = "".join(reader.pages[p].extract_text() for p in range(first, second + 1))
    assert f"and {_more(results, 'SYN-000'):,} more — see results.csv" in text

    html = HtmlRenderer().render(results).decode()
    for control in results.controls:
        assert f"and {_more(results, control.id):,} more — see results.csv" in html
