"""Evidence locker and history: what a year of nightly runs costs.

A local locker receives 365 nightly runs; each night stores 200 artifacts of
about 4 KB of which 190 are the same as the night before (unchanged evidence is
kept once) and 10 are new. Then history is read twice: cold (no SQLite cache —
a fresh CI runner) and warm (cache in place), and the Type II view of the year
is computed. Run: ``python -m bench.locker``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from engine.history import History
from engine.periods import operating_effectiveness
from evidence.locker import LocalLocker

NIGHTS = 365
ARTIFACTS = 200
CHANGED = 10
CONTROLS = 60


def _artifact(night: int, index: int) -> bytes:
    version = night if index < CHANGED else 0  # the first few change nightly
    body = {"index": index, "version": version, "items": [f"resource-{index}-{i}" for i in range(90)]}
    return json.dumps(body, sort_keys=True).encode()


def _results(night: int, when: datetime) -> bytes:
    controls = [{"id": f"C-{i:03d}", "status": "fail" if (i + night) % 17 == 0 else "pass"}
                for i in range(CONTROLS)]
    frameworks = [{"id": "soc2", "summary": {"satisfied": 50 - night % 5, "not_satisfied": 11}}]
    doc = {"run": {"as_of": when.isoformat(), "started": when.isoformat(), "complete": True},
           "summary": {"pass": 900, "fail": 40}, "frameworks": frameworks, "controls": controls,
           "findings": [{"control_id": c["id"], "check_id": "x", "status": c["status"],
                         "resource": {"type": "t", "id": f"r{j}"}, "message": "m"}
                        for c in controls for j in range(15)]}
    return json.dumps(doc).encode()


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="assay-bench-locker-"))
    try:
        locker = LocalLocker(root / "locker")
        start = datetime(2026, 1, 1, 2, tzinfo=UTC)
        began = time.perf_counter()
        for night in range(NIGHTS):
            when = start + timedelta(days=night)
            manifest = {}
            for index in range(ARTIFACTS):
                data = _artifact(night, index)
                sha = hashlib.sha256(data).hexdigest()
                locker.put_object(sha, data)
                manifest[sha] = {"name": f"a{index}.json", "size": len(data)}
            locker.write_run(when.strftime("%Y%m%dT%H%M%SZ-bench"), _results(night, when),
                             {"artifacts": manifest})
        write_s = time.perf_counter() - began
        objects = sum(1 for _ in (root / "locker" / "objects").rglob("*/*"))
        size = sum(p.stat().st_size for p in (root / "locker").rglob("*") if p.is_file())
        cache = root / "cache.sqlite"
        began = time.perf_counter()
        runs = History(locker, cache).runs()
        cold_s = time.perf_counter() - began
        began = time.perf_counter()
        History(locker, cache).runs()
        warm_s = time.perf_counter() - began
        began = time.perf_counter()
        eff = operating_effectiveness(runs, date(2026, 1, 1), date(2026, 12, 31))
        type2_s = time.perf_counter() - began
        print(f"write   {NIGHTS} runs x {ARTIFACTS} artifacts: {write_s:.2f} s "
              f"({NIGHTS * ARTIFACTS / write_s:,.0f} puts/s); {objects:,} objects kept of "
              f"{NIGHTS * ARTIFACTS:,} put; locker {size / 2**20:.1f} MiB")
        print(f"history cold (fresh runner, no cache): {cold_s:.2f} s for {len(runs)} runs")
        print(f"history warm (SQLite cache):           {warm_s * 1000:.0f} ms")
        print(f"Type II view of the year ({len(eff.controls)} controls): {type2_s * 1000:.0f} ms")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
