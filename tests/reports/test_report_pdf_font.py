"""ASSAY_PDF_FONT: a TrueType font for names the standard PDF fonts cannot print.

The font is chosen when the PDF module is imported, so each case runs `assay report`
in a process of its own.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import reportlab
from pypdf import PdfReader

from reports.testing import synthetic_results

VERA = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"  # ships with reportlab
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
ORGANIZATION = "Общество «Пример» — Zürich"


@pytest.fixture(scope="module")
def results_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    results = synthetic_results()
    run = results.run.model_copy(update={"organization": ORGANIZATION})
    path = tmp_path_factory.mktemp("font") / "results.json"
    path.write_bytes(results.model_copy(update={"run": run}).to_json())
    return path


def report(results: Path, out: Path, font: Path | str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSAY_PDF_FONT")}
    if font is not None:
        env["ASSAY_PDF_FONT"] = str(font)
    return subprocess.run([sys.executable, "-m", "engine", "report", str(results), "--format",
                           "pdf", "--out", str(out)], env=env, capture_output=True, text=True,
                          check=False)


def fonts_of(data: bytes) -> set[str]:
    page = PdfReader(io.BytesIO(data)).pages[0]
    return {str(f["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}


def test_the_named_font_is_embedded_and_the_bytes_stay_the_same(results_file, tmp_path):
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    assert report(results_file, first, VERA).returncode == 0
    assert report(results_file, second, VERA).returncode == 0
    assert first.read_bytes() == second.read_bytes()
    assert any("Vera" in name for name in fonts_of(first.read_bytes()))
    plain = tmp_path / "plain.pdf"
    assert report(results_file, plain, None).returncode == 0
    assert not any("Vera" in name for name in fonts_of(plain.read_bytes()))
    assert "Helvetica" in " ".join(fonts_of(plain.read_bytes()))


@pytest.mark.skipif(not DEJAVU.is_file(), reason="needs a font with Cyrillic glyphs")
def test_a_font_with_the_script_prints_the_names(results_file, tmp_path):
    out = tmp_path / "dejavu.pdf"
    assert report(results_file, out, DEJAVU).returncode == 0
    assert "Общество" in PdfReader(out).pages[0].extract_text()
    plain = tmp_path / "plain.pdf"
    report(results_file, plain, None)
    assert "Общество" not in PdfReader(plain).pages[0].extract_text()


def test_a_font_that_cannot_be_used_is_one_line_and_exit_2(results_file, tmp_path):
    done = report(results_file, tmp_path / "x.pdf", tmp_path / "missing.ttf")
    assert done.returncode == 2
    assert done.stderr.strip().startswith(f"ASSAY_PDF_FONT: {tmp_path / 'missing.ttf'}: "
                                          "not a usable TrueType font")
    assert "Traceback" not in done.stderr and not (tmp_path / "x.pdf").exists()
