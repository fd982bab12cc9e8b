from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from reportlab.platypus import Flowable, Paragraph

from engine.results import Results
from engine.status import Status
from reports.pdf import PdfContext, PdfRenderer, Section
from reports.testing import HOSTILE_NAME, pdf_text, squash, synthetic_results
from reports.view import FAILING_LIMIT, FAILING_ORDER

SECTIONS = [
    "Cover", "Contents", "Executive summary", "Scope and method", "Requirement matrices",
    "ISO/IEC 27001 Statement of Applicability", "Control details", "Exceptions register",
    "Attestations", "Evidence manifest", "Sign-off",
]


@pytest.fixture(scope="module")
def pdf(results: Results) -> bytes:
    return PdfRenderer().render(results)


def _outline(data: bytes) -> list[tuple[str, int]]:
    reader = PdfReader(io.BytesIO(data))
    return [(item.title, reader.get_destination_page_number(item))
            for item in reader.outline if not isinstance(item, list)]


def test_sections_in_order_each_bookmarked_and_in_contents(pdf: bytes) -> None:
    outline = _outline(pdf)
    assert [title for title, _ in outline] == SECTIONS
    pages = [page for _, page in outline]
    assert pages == sorted(pages)
    contents = PdfReader(io.BytesIO(pdf)).pages[1].extract_text()
    for title in SECTIONS:
        assert title in contents


def test_content_carries_ids_statuses_and_hashes(pdf: bytes, results: Results) -> None:
    text = pdf_text(pdf)
    flat = squash(text)
    for control in results.controls:
        assert control.id in text
    for framework in results.frameworks:
        for req in framework.requirements:
            assert req.id in text
    for status in ("not_satisfied", "satisfied", "manual_pending", "not_covered", "incomplete"):
        assert status in text
    assert results.run.manifest_sha256 and results.run.manifest_sha256 in flat
    assert results.run.library_digest in flat
    for artifact in results.artifacts:
        assert artifact.sha256 in flat
    assert "INCOMPLETE RUN" in text
    assert "AccessDenied" in text  # not collected, and why
    assert "EXPIRED" in text and "W-2026-001" in text  # expired waiver marked
    assert "Prepared by" in text and "Approved by" in text


def test_every_footer_has_page_x_of_y_and_run_id(pdf: bytes, results: Results) -> None:
    reader = PdfReader(io.BytesIO(pdf))
    total = len(reader.pages)
    assert total > 5
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"page {number} of {total}" in text
        assert results.run.id in text


def test_same_results_same_bytes_whatever_the_environment(
        pdf: bytes, results: Results, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1234567890")
    again = PdfRenderer().render(Results.from_json(results.to_json()))
    assert again == pdf
    assert b"D:20261120020712" in pdf  # creation date is the run's


def test_evidence_text_prints_literally(pdf: bytes) -> None:
    flat = squash(pdf_text(pdf))
    assert squash(HOSTILE_NAME) in flat
    assert "<script>alert(1)</script>" in flat  # from a waiver's justification


def test_failing_items_capped_per_check_with_pointer_to_csv() -> None:
    results = synthetic_results(controls=2, findings=200)
    text = pdf_text(PdfRenderer().render(results))
    flat = squash(text)
    for control in results.controls:
        failing = sorted((f for f in results.findings
                          if f.control_id == control.id and f.status in FAILING_ORDER),
                         key=lambda f: FAILING_ORDER.index(f.status))
        assert len(failing) > FAILING_LIMIT
        more = len(failing) - FAILING_LIMIT
        assert f"and {more:,} more — see results.csv" in text
        listed = {f.resource.id for f in failing[:FAILING_LIMIT]}
        hidden = {f.resource.id for f in failing if f.status is Status.FAIL} - listed
        assert hidden and all(r in flat for r in listed)
        assert not any(r in flat for r in hidden)


def test_iso_soa_only_when_iso_in_scope(results: Results) -> None:
    without = results.model_copy(update={
        "frameworks": [f for f in results.frameworks if f.id != "iso27001"]})
    titles = [t for t, _ in _outline(PdfRenderer().render(without))]
    assert "ISO/IEC 27001 Statement of Applicability" not in titles
    text = pdf_text(PdfRenderer().render(results))
    soa = text[text.index("Statement of Applicability", text.index("Requirement matrices")):]
    assert re.search(r"A\.7\.4 Physical security monitoring no No physical premises", " ".join(soa.split()))
    assert re.search(r"A\.8\.24 Use of cryptography yes", " ".join(soa.split()))


def test_extra_sections_slot_in_after_their_anchor(results: Results) -> None:
    def trend(ctx: PdfContext) -> list[Flowable]:
        return [ctx.heading("Trend"), Paragraph(f"{len(ctx.history)} earlier runs")]

    extra = [("summary", Section("trend", "Trend", trend))]
    data = PdfRenderer(history=["r1", "r2"], extra_sections=extra).render(results)
    titles = [t for t, _ in _outline(data)]
    assert titles[titles.index("Executive summary") + 1] == "Trend"
    assert "2 earlier runs" in pdf_text(data)


def test_complete_run_says_so(complete_results: Results) -> None:
    text = pdf_text(PdfRenderer().render(complete_results))
    assert "The run was complete" in text
    assert "INCOMPLETE" not in text


def test_failing_items_capped_per_control_across_checks() -> None:
    from reports.testing import _check

    base = synthetic_results(controls=1, findings=140)  # 84 fail, 14 unknown, 42 pass
    half = len(base.findings) // 2
    findings = [f if i < half else f.model_copy(update={"check_id": "aws", "source": "aws"})
                for i, f in enumerate(base.findings)]
    control = base.controls[0].model_copy(update={"checks": [
        _check("terraform", "terraform", findings[:half], "Fix."),
        _check("aws", "aws", findings[half:], "Fix.")]})
    results = base.model_copy(update={"findings": findings, "controls": [control]})
    text = pdf_text(PdfRenderer().render(results))
    failing = [sum(1 for f in part if f.status in FAILING_ORDER)
               for part in (findings[:half], findings[half:])]
    assert failing[0] < FAILING_LIMIT < sum(failing)
    assert f"and {sum(failing) - FAILING_LIMIT:,} more — see results.csv" in text
    assert text.count("more — see results.csv") == 1  # the first check is listed whole


def test_giant_and_foreign_evidence_text_still_renders(results: Results) -> None:
    findings = list(results.findings)
    findings[0] = findings[0].model_copy(update={"message": "x" * 200_000})
    findings[1] = findings[1].model_copy(update={"message": "word " * 50_000,
                                                 "resource": findings[1].resource.model_copy(
                                                     update={"id": "日本語 Ω ünïcödé \u202e"})})
    artifacts = list(results.artifacts)
    artifacts[0] = artifacts[0].model_copy(update={"query": {"types": ["t" * 12] * 2_000}})
    text = pdf_text(PdfRenderer().render(results.model_copy(
        update={"findings": findings, "artifacts": artifacts})))
    # results.json holds every cell in full (results.csv has no queries or scopes)
    assert text.count("cut short; full text in results.json") >= 3
    assert "results.csv)" not in text
    assert "ünïcödé" in text


def test_failing_items_carry_their_baseline_marker(pdf: bytes) -> None:
    flat = squash(pdf_text(pdf))
    assert squash("fail (new) aws_s3_bucket.raw_uploads") in flat
    assert squash("fail (existing)") in flat
    assert squash("new: not failing in the baseline") in flat


def test_summary_chart_and_legend_stay_inside_the_text_width(results: Results) -> None:
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Rect, String
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from reports.pdf_front import _chart

    width = 170 * 2.834645669  # A4 less 20 mm margins, in points
    drawing = _chart(PdfContext(results, width))
    legend = next(c for c in drawing.contents if isinstance(c, Legend))
    x0, _, x1, _ = legend.getBounds()
    assert 0 <= x0 and x1 <= width
    assert all("_" not in name for _, name in legend.colorNamePairs)
    shapes = legend.draw().contents
    swatches = sorted(s.x for s in shapes if isinstance(s, Rect))
    labels = sorted((s.x, stringWidth(s.text, s.fontName, s.fontSize))
                    for s in shapes if isinstance(s, String))
    assert len(labels) == len(swatches) == len(legend.colorNamePairs)
    for (x, text_width), next_swatch in zip(labels, [*swatches[1:], width], strict=True):
        assert x + text_width < next_swatch  # no label runs into the next entry
