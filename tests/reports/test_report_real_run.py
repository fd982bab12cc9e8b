"""Reports from a results document the engine really produced (the demo estate's
Terraform through ``assay check``), not only from the factory's: catches drift
between what the engine writes and what the renderers read."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from engine.cli import main
from engine.results import Results
from reports.csv_renderer import CsvRenderer
from reports.html import HtmlRenderer
from reports.oscal import OscalRenderer
from reports.pdf import PdfRenderer

INFRA = Path(__file__).resolve().parents[2] / "examples" / "finai-nexus" / "infra"


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Results:
    if not INFRA.is_dir():
        pytest.skip("demo estate not present")
    out = tmp_path_factory.mktemp("real") / "results.json"
    assert main(["check", str(INFRA), "--format", "json", "--out", str(out)]) in (0, 1)
    return Results.from_json(out.read_bytes())


def test_every_renderer_reads_a_real_run(real: Results, oscal_validator: Any) -> None:
    reader = PdfReader(io.BytesIO(PdfRenderer().render(real)))
    bookmarks = {o.title.split(" — ")[0] for item in reader.outline if isinstance(item, list)
                 for o in item}
    assert {c.id for c in real.controls} <= bookmarks
    first = reader.pages[0].extract_text()
    assert f"page 1 of {len(reader.pages)}" in first and real.run.id in first
    html = HtmlRenderer().render(real).decode()
    assert all(f'id="c-{c.id}"' in html for c in real.controls)
    assert CsvRenderer().render(real).count(b"\r\n") == len(real.findings) + 1
    errors = list(oscal_validator.iter_errors(json.loads(OscalRenderer().render(real))))
    assert not errors, [e.message[:120] for e in errors[:3]]
