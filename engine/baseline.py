"""``assay check --baseline``: fail only on problems a change introduces.

Findings are matched by (control, check, resource id) — never by line, so a
resource that moved within or between files is still the same finding. A
failing finding of the current run is ``existing`` when the baseline had it
failing (or waived: a waiver that lapses should not turn into a new failure
of the pull request that happens to run next), else ``new``. Findings that
failed in the baseline and no longer fail are listed as fixed.
"""

from __future__ import annotations

from engine.model import Finding
from engine.results import Baseline, Results
from engine.status import Status

Key = tuple[str, str, str]
_PROBLEMS = frozenset({Status.FAIL, Status.WAIVED})


def finding_key(finding: Finding) -> Key:
    return (finding.control_id, finding.check_id, finding.resource.id)


def apply_baseline(results: Results, baseline: Results, file: str = "") -> Results:
    """A copy of ``results`` whose failing findings say new or existing, plus fixed ones."""
    before = {finding_key(f): f for f in baseline.findings if f.status in _PROBLEMS}
    failing_now: set[Key] = set()
    marked: list[Finding] = []
    for finding in results.findings:
        if finding.status == Status.FAIL:
            key = finding_key(finding)
            failing_now.add(key)
            state = "existing" if key in before else "new"
            marked.append(finding.model_copy(update={"baseline": state}))
        else:
            marked.append(finding)
    present = {finding_key(f) for f in results.findings}
    fixed = [f for key, f in sorted(before.items())
             if key not in failing_now and (key in present or _scope_covers(results, f))
             and f.status == Status.FAIL]
    return results.model_copy(update={
        "findings": marked,
        "baseline": Baseline(file=file, fixed=fixed),
    })


def _scope_covers(results: Results, finding: Finding) -> bool:
    """A finding whose resource is gone is fixed only if its check still ran."""
    return any(c.id == finding.control_id and any(k.id == finding.check_id for k in c.checks)
               for c in results.controls)


def new_failures(results: Results) -> list[Finding]:
    """Failing findings that count toward the exit code under a baseline."""
    return [f for f in results.findings if f.status == Status.FAIL and f.baseline != "existing"]
