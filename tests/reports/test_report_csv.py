from __future__ import annotations

import csv
import io

from engine.results import Results
from reports.csv_renderer import COLUMNS, CsvRenderer, neutralize
from reports.testing import FORMULA_MESSAGE, HOSTILE_NAME


def _rows(results: Results) -> list[dict[str, str]]:
    text = CsvRenderer().render(results).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def test_one_row_per_finding_in_document_order(results: Results) -> None:
    rows = _rows(results)
    assert len(rows) == len(results.findings)
    assert list(rows[0]) == COLUMNS
    for row, finding in zip(rows, results.findings, strict=True):
        assert row["control_id"] == finding.control_id
        assert row["status"] == finding.status
        assert row["run_id"] == results.run.id


def test_every_status_and_waiver_is_carried(results: Results) -> None:
    rows = _rows(results)
    assert {r["status"] for r in rows} == {str(f.status) for f in results.findings}
    waived = [r for r in rows if r["status"] == "waived"]
    assert waived and all(r["waiver"] for r in waived)
    gap = next(r for r in rows if r["resource_type"] == "gap")
    assert gap["window_start"].startswith("2026-09-02T04:00")


def test_formula_cells_are_neutralized(results: Results) -> None:
    rows = _rows(results)
    injected = next(r for r in rows if "calc" in r["message"])
    assert injected["message"] == "'" + FORMULA_MESSAGE
    assert any(r["resource_id"] == HOSTILE_NAME for r in rows)  # markup is data in CSV
    for cell in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralize(cell) == "'" + cell
    assert neutralize("plain = text") == "plain = text"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_same_results_same_bytes(results: Results) -> None:
    assert CsvRenderer().render(results) == CsvRenderer().render(results)
