"""Report rendering at scale: 60 controls, 10,000 findings spread evenly.

Targets (issue 6): PDF ≤ 10 s, HTML ≤ 2 s. Prints wall and CPU seconds (rendering is
single-threaded, so CPU time is the figure a busy machine does not distort) and
pages (PDF) or size, with the core count; run with ``python -m bench.reports``.
"""

from __future__ import annotations

import io
import os
import time

from reports.interface import renderer
from reports.testing import synthetic_results

CONTROLS = 60
FINDINGS = 10_000
TARGETS = {"pdf": 10.0, "html": 2.0}


def _pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def main() -> None:
    results = synthetic_results(controls=CONTROLS, findings=FINDINGS)
    print(f"{CONTROLS} controls, {len(results.findings):,} findings, {os.cpu_count()} cores")
    for fmt in ("pdf", "html", "csv", "oscal"):
        try:
            render = renderer(fmt)
        except ImportError:
            print(f"{fmt:5s}  not available")
            continue
        start, cpu = time.perf_counter(), time.process_time()
        data = render.render(results)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        size = f"{_pages(data)} pages" if fmt == "pdf" else f"{len(data) / 1e6:.1f} MB"
        target = TARGETS.get(fmt)
        verdict = "" if target is None else (" ok" if seconds <= target else " OVER TARGET")
        limit = f" (target ≤ {target:.0f} s){verdict}" if target else ""
        print(f"{fmt:5s}  {seconds:6.2f} s wall  {cpu:6.2f} s cpu  {size}{limit}")


if __name__ == "__main__":
    main()
