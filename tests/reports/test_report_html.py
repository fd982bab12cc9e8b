from __future__ import annotations

import re
from html.parser import HTMLParser

from engine.results import Results
from reports.html import HtmlRenderer
from reports.testing import HOSTILE_NAME, synthetic_results
from reports.view import FAILING_LIMIT, FAILING_ORDER

SECTIONS = ["Contents", "Executive summary", "Scope and method", "Requirement matrices",
            "ISO/IEC 27001 Statement of Applicability", "Control details", "Exceptions register",
            "Attestations", "Evidence manifest", "Sign-off"]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.h2: list[str] = []
        self.attrs: list[tuple[str, str, str | None]] = []
        self.open = 0
        self._in_h2 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs += [(tag, k, v) for k, v in attrs]
        self._in_h2 = tag == "h2"
        self.open += tag == "table"

    def handle_endtag(self, tag: str) -> None:
        self._in_h2 = False
        self.open -= tag == "table"

    def handle_data(self, data: str) -> None:
        if self._in_h2:
            self.h2.append(data.strip())


def _parse(html: str) -> _Tags:
    tags = _Tags()
    tags.feed(html)
    return tags


def test_sections_in_order(results: Results) -> None:
    tags = _parse(HtmlRenderer().render(results).decode())
    assert tags.h2 == SECTIONS
    assert tags.open == 0


def test_evidence_text_is_escaped(results: Results) -> None:
    html = HtmlRenderer().render(results).decode()
    assert "&lt;b&gt;x&lt;/b&gt; &amp; &lt;font size=72&gt;" in html
    assert HOSTILE_NAME not in html
    assert "<script>alert(1)</script>" not in html
    assert html.count("<script>") == 1  # only the inline sorter


def test_self_contained_no_external_requests(results: Results) -> None:
    html = HtmlRenderer().render(results).decode()
    tags = _parse(html)
    for tag, name, value in tags.attrs:
        if name in ("src", "href", "action", "srcset", "poster", "data"):
            assert value is not None and value.startswith("#"), (tag, name, value)
    assert "<link" not in html and "@import" not in html and "url(" not in html
    assert "default-src 'none'" in html


def test_content_and_statuses(results: Results) -> None:
    html = HtmlRenderer().render(results).decode()
    for control in results.controls:
        assert f'id="c-{control.id}"' in html
    assert results.run.manifest_sha256 and results.run.manifest_sha256 in html
    assert "INCOMPLETE RUN" in html and "EXPIRED" in html
    assert 'class="sortable"' in html


def test_failing_items_capped(results: Results) -> None:
    big = synthetic_results(controls=2, findings=200)
    html = HtmlRenderer().render(big).decode()
    for control in big.controls:
        failing = [f for f in big.findings if f.control_id == control.id and f.status in FAILING_ORDER]
        assert f"and {len(failing) - FAILING_LIMIT:,} more — see results.csv" in html
    details = html[html.index('<section id="controls">'):html.index('<section id="exceptions">')]
    rows = re.findall(r'<tr><td class="st st-(?:fail|unknown)">', details)
    assert len(rows) == 2 * FAILING_LIMIT


def test_same_results_same_bytes(results: Results) -> None:
    assert HtmlRenderer().render(results) == HtmlRenderer().render(Results.from_json(results.to_json()))


def test_failing_items_carry_their_baseline_marker(results: Results) -> None:
    html = HtmlRenderer().render(results).decode()
    assert ('<td class="st st-fail">fail <span class="baseline">(new)</span></td>'
            '<td>aws_s3_bucket.raw_uploads</td>') in html
    assert '<span class="baseline">(existing)</span>' in html
