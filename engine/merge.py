"""``assay merge``: the partial runs of one night's shards → the night's run.

Each source is taken from the shard(s) that ran it; a shard's placeholder
results for sources it did not run are dropped. Checks, controls and
frameworks are rolled up again with the engine's own roll-up, so the merged
document is what a single scan over everything would have produced.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import combinations

from engine.errors import AssayError
from engine.model import Finding, Framework, Requirement
from engine.outcome import finding_order
from engine.results import (
    ArtifactRecord,
    CheckCounts,
    CheckResult,
    ControlResult,
    FrameworkResult,
    Results,
    RunInfo,
    SourceReport,
    WaiverRecord,
    WaiverSummary,
)
from engine.rollup import NO_CONTROL, framework_results
from engine.status import Status, worst

_SAME = ("group_id", "as_of", "library_digest", "config_digest", "frameworks_in_scope",
         "period", "organization", "tool_version")


def _check_compatible(parts: Sequence[Results]) -> None:
    if len(parts) < 2:
        raise AssayError("assay merge needs at least two partial runs")
    for part in parts:
        if not part.run.shard or not part.run.group_id:
            raise AssayError(f"run {part.run.id} is not a shard (scan --shard); nothing to merge")
    first = parts[0].run
    for part in parts[1:]:
        for name in _SAME:
            if getattr(part.run, name) != getattr(first, name):
                raise AssayError(f"runs {first.id} and {part.run.id} differ in {name}: "
                                 "shards of one night share the config, library and as-of")
    for a, b in combinations(parts, 2):
        overlap = _overlap(a.run, b.run)
        if overlap:
            raise AssayError(f"shards {a.run.id} and {b.run.id} overlap: {overlap}")


def _overlap(a: RunInfo, b: RunInfo) -> str | None:
    sa, sb = a.shard or {}, b.shard or {}
    shared = set(sa.get("sources", [])) & set(sb.get("sources", []))
    for source in sorted(shared - {"aws"}):
        return f"both ran {source}"
    if "aws" in shared:
        regions = _meets(sa.get("regions"), sb.get("regions"))
        accounts = _meets(sa.get("accounts"), sb.get("accounts"))
        if regions and accounts:
            return f"both read aws (accounts: {accounts}; regions: {regions})"
    return None


def _meets(a: list[str] | None, b: list[str] | None) -> str | None:
    """What two shard selections share; None (absent) means everything."""
    if a is None or b is None:
        return ", ".join(a or b or ["all configured"])
    common = sorted(set(a) & set(b))
    return ", ".join(common) if common else None


def _owners(parts: Sequence[Results], source: str) -> list[Results]:
    return [p for p in parts if source in (p.run.shard or {}).get("sources", [])]


def _merge_check(pieces: Sequence[CheckResult]) -> CheckResult:
    if len(pieces) == 1:
        return pieces[0]
    counts: Counter[str] = Counter()
    population: Counter[str] = Counter()
    for piece in pieces:
        counts.update(piece.counts.model_dump(by_alias=True))
        population.update(piece.population or {})
    truncated = sum(p.truncated or 0 for p in pieces)
    messages = sorted({p.message for p in pieces if p.message})
    return CheckResult(
        id=pieces[0].id, source=pieces[0].source, status=worst(p.status for p in pieces),
        remediation=pieces[0].remediation, message="; ".join(messages),
        counts=CheckCounts.model_validate(dict(counts)),
        population=dict(population) if any(p.population is not None for p in pieces) else None,
        truncated=truncated or None,
    )


def _checks_from(parts: Sequence[Results], control_id: str) -> list[CheckResult]:
    by_key: dict[tuple[str, str], list[CheckResult]] = {}
    fallback: dict[tuple[str, str], CheckResult] = {}
    for part in parts:
        owns = set((part.run.shard or {}).get("sources", []))
        for control in part.controls:
            if control.id != control_id:
                continue
            for check in control.checks:
                key = (check.id, check.source)
                fallback.setdefault(key, check)
                if check.source in owns:
                    by_key.setdefault(key, []).append(check)
    return [_merge_check(by_key[key]) if key in by_key else fallback[key]
            for key in sorted(fallback)]


def _controls(parts: Sequence[Results]) -> list[ControlResult]:
    merged = []
    for control in parts[0].controls:
        checks = sorted(_checks_from(parts, control.id), key=lambda c: (c.id, c.source))
        merged.append(control.model_copy(update={
            "checks": checks, "status": worst(c.status for c in checks)}))
    return merged


def _catalog(result: FrameworkResult) -> Framework:
    return Framework(
        id=result.id, name=result.name, version=result.version,
        requirements=[Requirement(id=r.id, title=r.title, parent=r.parent)
                      for r in result.requirements],
        not_applicable=dict(result.not_applicable),
        not_covered={k: v for k, v in result.not_covered.items() if v != NO_CONTROL},
    )


def _waivers(parts: Sequence[Results]) -> WaiverSummary:
    applied: dict[str, WaiverRecord] = {}
    for part in parts:
        for waiver in part.waivers.applied:
            if waiver.id in applied:
                total = applied[waiver.id].matched + waiver.matched
                applied[waiver.id] = applied[waiver.id].model_copy(update={"matched": total})
            else:
                applied[waiver.id] = waiver
    expired = {w.id: w for p in parts for w in p.waivers.expired}
    unused = {w.id: w for p in parts for w in p.waivers.unused if w.id not in applied}
    return WaiverSummary(applied=[applied[k] for k in sorted(applied)],
                         expired=[expired[k] for k in sorted(expired)],
                         unused=[unused[k] for k in sorted(unused)])


def _sources(parts: Sequence[Results]) -> list[SourceReport]:
    merged: dict[str, SourceReport] = {}
    for part in parts:
        owns = set((part.run.shard or {}).get("sources", []))
        for report in part.run.sources:
            if report.name not in owns:
                continue
            if report.name not in merged:
                merged[report.name] = report.model_copy(deep=True)
                continue
            into = merged[report.name]
            for key, n in report.counts.items():
                into.counts[key] = into.counts.get(key, 0) + n
            into.not_collected += report.not_collected
            into.notes += report.notes
            for key in ("regions", "accounts"):
                if isinstance(into.scope.get(key), list) and isinstance(report.scope.get(key), list):
                    into.scope[key] = _union(into.scope[key], report.scope[key])
    return [merged[k] for k in sorted(merged)]


def _union(a: list[object], b: list[object]) -> list[object]:
    seen = {repr(x): x for x in [*a, *b]}
    return [seen[k] for k in sorted(seen)]


def _findings(parts: Sequence[Results]) -> list[Finding]:
    """Each source's findings from the shard(s) that ran it (from the first shard when none did)."""
    kept = []
    for index, part in enumerate(parts):
        owns = set((part.run.shard or {}).get("sources", []))
        kept += [f for f in part.findings
                 if f.source in owns or (index == 0 and not _owners(parts, f.source))]
    return kept


def merge(parts: Sequence[Results]) -> Results:
    """One night's run from its shards; AssayError when they do not belong together."""
    _check_compatible(parts)
    first = parts[0]
    findings = sorted(_findings(parts),
                      key=finding_order)
    controls = _controls(parts)
    frameworks = framework_results([_catalog(f) for f in first.frameworks], controls)
    artifacts: dict[tuple[str, str, str], ArtifactRecord] = {
        (a.collector, a.name, a.sha256): a for p in parts for a in p.artifacts}
    manual = _owners(parts, "manual")
    attestations = list((manual[0] if manual else first).attestations)
    errors = sorted({e.model_dump_json(): e for p in parts for e in p.run.errors}.values(),
                    key=lambda e: (e.source, e.location or "", e.message))
    summary = Counter(f.status.value for f in findings)
    summary[Status.FAIL.value] += sum(c.truncated or 0 for ctl in controls for c in ctl.checks)
    broken = any(c.status is Status.ERROR for ctl in controls for c in ctl.checks)
    run = first.run.model_copy(update={
        "id": first.run.group_id, "started": min(p.run.started for p in parts),
        "finished": max(p.run.finished for p in parts),
        "complete": not errors and not broken, "errors": errors,
        "sources": _sources(parts), "manifest_sha256": None, "shard": None,
    })
    return Results(
        run=run, findings=findings, controls=controls, frameworks=frameworks,
        artifacts=[artifacts[k] for k in sorted(artifacts)],
        attestations=attestations,
        waivers=_waivers(parts), summary={s.value: summary.get(s.value, 0) for s in Status},
    )
