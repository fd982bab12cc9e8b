"""One run: ask the collectors the selected checks need, evaluate, waive, roll up.

The engine only asks a source for the resource types its checks use. Each
source is collected in its own thread; a collector that breaks makes its
checks ``error`` and the run incomplete, and never stops the other sources.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from engine import __version__
from engine.collect import Redactor, SourceContext
from engine.errors import ControlError
from engine.evaluate import (
    PostureCheck,
    ResourceIndex,
    evaluate_attestation,
    not_collected_findings,
)
from engine.model import (
    All,
    AnyOf,
    Check,
    Control,
    Event,
    Framework,
    Items,
    Not,
    Related,
    Resource,
    ResourceRef,
    Waiver,
)
from engine.outcome import CheckOutcome, finding, finding_order, settle
from engine.parts import evaluate_parts
from engine.results import (
    ArtifactRecord,
    AttestationFile,
    AttestationRecord,
    Period,
    Results,
    RunInfo,
    WaiverSummary,
)
from engine.rollup import control_results, finding_summary, framework_results
from engine.status import Status
from engine.waivers import apply_waivers
from evidence import registry
from evidence.interface import ArtifactStore, CollectRequest

Progress = Callable[[str, str], None]


@dataclass
class RunPlan:
    """Everything a run needs, already loaded and validated."""

    controls: list[Control]
    catalogs: dict[str, Framework]
    frameworks: list[str]
    sources: dict[str, dict[str, Any]]  # configured source → its config section
    base_dir: Path
    as_of: datetime
    period: tuple[datetime, datetime]
    redact: Redactor
    waivers: list[Waiver] = field(default_factory=list)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    organization: str = ""
    config_digest: str = ""
    only_sources: frozenset[str] | None = None  # `check`: terraform and terraform_plan only
    store: ArtifactStore | None = None
    started: datetime | None = None  # None: the run's clock is pinned, started = as_of
    shard: dict[str, list[str]] = field(default_factory=dict)
    progress: Progress | None = None
    # where `check` keeps the findings of parts whose inputs did not change (engine.parts);
    # None: every part is collected and evaluated
    cache_dir: Path | None = None


@dataclass
class _Selected:
    control: Control
    check: Check
    params: dict[str, Any]


def effective_params(control: Control, overrides: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    params = {name: p.default for name, p in control.params.items()}
    for name, value in overrides.get(control.id, {}).items():
        if name not in control.params:
            raise ControlError(f"params: control {control.id} has no parameter {name!r}"
                               f" (it has: {', '.join(sorted(control.params)) or 'none'})")
        params[name] = value
    return params


def select_checks(plan: RunPlan) -> tuple[list[Control], list[_Selected]]:
    """Controls in scope and the checks to run; a plan file reuses terraform checks."""
    unknown = sorted(set(plan.params) - {c.id for c in plan.controls})
    if unknown:
        raise ControlError(f"params: no control with id {unknown[0]!r}")
    in_scope = [c for c in plan.controls if set(c.frameworks) & set(plan.frameworks)]
    controls, selected = [], []
    for control in in_scope:
        params = effective_params(control, plan.params)
        checks = list(control.checks)
        if "terraform_plan" in plan.sources and not any(
                c.source == "terraform_plan" for c in checks):
            checks += [c.model_copy(update={"source": "terraform_plan"})
                       for c in checks if c.source == "terraform"]
        if plan.only_sources is not None:
            checks = [c for c in checks if c.source in plan.only_sources]
            if not checks:
                continue
        controls.append(control)
        selected += [_Selected(control, check, params) for check in checks]
    return controls, selected


def execute(plan: RunPlan) -> Results:
    controls, selected = select_checks(plan)
    by_source: dict[str, list[_Selected]] = defaultdict(list)
    for item in selected:
        by_source[item.check.source].append(item)
    contexts: dict[str, SourceContext] = {}
    outcomes: list[CheckOutcome] = []
    manual: list[Resource] = []
    with ThreadPoolExecutor(max_workers=max(1, len(by_source))) as pool:
        futures = {source: pool.submit(_run_source, plan, source, items, contexts)
                   for source, items in sorted(by_source.items())}
        for source, future in futures.items():
            source_outcomes, records = future.result()
            outcomes += source_outcomes
            if source == "manual":
                manual = records
    outcomes.sort(key=lambda o: (o.control.id, o.check.id, o.check.source))
    for outcome in outcomes:
        _give_a_finding(outcome)
    waivers = apply_waivers(outcomes, plan.waivers, plan.as_of)
    return _results(plan, controls, outcomes, contexts, manual, waivers)


def _run_source(plan: RunPlan, source: str, items: Sequence[_Selected],
                contexts: dict[str, SourceContext]) -> tuple[list[CheckOutcome], list[Resource]]:
    if source not in plan.sources and source != "manual":  # _give_a_finding shows it
        return [CheckOutcome(i.control, i.check, Status.NOT_COLLECTED,
                             message=f"source {source} is not configured") for i in items], []
    try:
        collector_class = registry.get(source)
    except (KeyError, ImportError) as exc:
        return _broken(items, f"no collector for source {source}: {exc}"), []
    context = SourceContext(source=source, collector_version=collector_class.version,
                            as_of=plan.as_of, period_start=plan.period[0],
                            period_end=min(plan.period[1], plan.as_of), base_dir=plan.base_dir,
                            redact=plan.redact, store=plan.store)
    contexts[source] = context
    config = plan.sources.get(source, {})
    _report(plan, source, "collecting")
    outcomes: list[CheckOutcome] | None = None  # posture: evaluated below unless in parts
    resources: list[Resource] = []
    try:
        collector = collector_class(config, context)
        types = frozenset(t for i in items for t in check_types(i.check))
        request = CollectRequest(types=types, shard=plan.shard)
        # kept findings carry no artifact bytes: never for a run that stores its evidence
        cached = plan.cache_dir is not None and plan.store is None
        parts = collector.parts(request) if cached and collector_class.kind == "posture" \
            else None
        if collector_class.kind == "events":
            outcomes = _run_events(plan, source, items, collector.collect(request), context)
        elif parts is not None:
            outcomes = evaluate_parts(_compiled(items), parts, context, plan.as_of,
                                      plan.cache_dir)
        else:
            resources = [r for r in collector.collect(request) if isinstance(r, Resource)]
    except Exception as exc:  # a broken collector is an error result, never a pass
        context.error(f"{source} collector failed: {type(exc).__name__}: {exc}")
        _report(plan, source, f"failed: {exc}")
        return _broken(items, f"{source} collector failed: {exc}"), []
    counted = ", ".join(f"{n} {k}" for k, n in sorted(context.counts.items()) if n)
    errors = f", {len(context.errors)} error(s)" if context.errors else ""
    _report(plan, source, f"done ({counted or 'nothing read'}{errors})")
    if collector_class.kind == "events":
        return outcomes or [], []
    if collector_class.kind == "manual":
        return [evaluate_attestation(i.control, i.check, resources, plan.as_of)
                for i in items], resources
    if outcomes is None:
        index = ResourceIndex.of(resources, context.gaps)
        outcomes = [check.evaluate(index, plan.as_of) for check in _compiled(items)]
    return _settle_posture(items, outcomes, context), resources


def check_types(check: Check) -> set[str]:
    """The resource types a posture check reads: its own and those its relations name,
    so ``related: TYPE`` finds resources the collector would otherwise leave out."""
    types = {check.resource} if check.resource else set()
    pending: list[Any] = [check.where, check.assert_]
    while pending:
        node = pending.pop()
        if isinstance(node, Related):
            types.add(node.related)
            pending.append(node.assert_)
        elif isinstance(node, All):
            pending += node.all
        elif isinstance(node, AnyOf):
            pending += node.any
        elif isinstance(node, Not):
            pending.append(node.not_)
        elif isinstance(node, Items):
            pending.append(node.spec.where)
    return types


def _report(plan: RunPlan, source: str, message: str) -> None:
    if plan.progress is not None:
        plan.progress(source, message)


def _compiled(items: Sequence[_Selected]) -> list[PostureCheck]:
    return [PostureCheck.compile(i.control, i.check, i.params) for i in items]


def _settle_posture(items: Sequence[_Selected], outcomes: list[CheckOutcome],
                    context: SourceContext) -> list[CheckOutcome]:
    for item, outcome in zip(items, outcomes, strict=True):
        # a scope not read for a related type leaves the check as undecided as its own type
        gaps = list(dict.fromkeys(gap for type_name in sorted(check_types(item.check))
                                  for gap in context.gaps_for(type_name)))
        if gaps:
            outcome.findings += not_collected_findings(item.control, item.check, gaps)
            settle(outcome)
        elif not outcome.findings and context.errors:
            outcome.status = Status.ERROR
            outcome.message = (f"no {item.check.resource} could be evaluated: the {item.check.source}"
                               f" source reported {len(context.errors)} error(s)")
    return outcomes


def _run_events(plan: RunPlan, source: str, items: Sequence[_Selected],
                events: Iterator[Resource | Event], context: SourceContext) -> list[CheckOutcome]:
    from engine.event_checks import run_event_checks

    outcomes: list[CheckOutcome] = run_event_checks(
        source, cast(Iterator[Event], events),
        [(i.control, i.check, i.params) for i in items],
        plan.period[0], min(plan.period[1], plan.as_of), plan.as_of,
        incomplete=lambda: (f"the {source} source reported {len(context.errors)} error(s)"
                            if context.errors else None),
        artifacts=lambda: sorted(a.sha256 for a in context.artifacts))
    return outcomes


def _give_a_finding(outcome: CheckOutcome) -> None:
    """A check that errored or could not collect as a whole still shows as a finding, so
    every finding list (SARIF, Markdown, CSV) and the summary count it."""
    if outcome.findings or outcome.status not in (Status.ERROR, Status.NOT_COLLECTED):
        return
    check = outcome.check
    ref = ResourceRef(type=check.resource or "source", id=check.source)
    outcome.findings.append(finding(outcome.control, check, ref, outcome.status,
                                    outcome.message or f"{check.source}: {outcome.status.value}"))
    if outcome.status is Status.ERROR:
        outcome.counts.error = max(outcome.counts.error, 1)
    else:
        outcome.counts.not_collected = max(outcome.counts.not_collected, 1)


def _broken(items: Sequence[_Selected], message: str) -> list[CheckOutcome]:
    return [CheckOutcome(i.control, i.check, Status.ERROR, message=message) for i in items]


def _results(plan: RunPlan, controls: list[Control], outcomes: list[CheckOutcome],
             contexts: Mapping[str, SourceContext], manual: list[Resource],
             waivers: WaiverSummary) -> Results:
    errors = sorted((e for c in contexts.values() for e in c.errors),
                    key=lambda e: (e.source, e.location or "", e.message))
    broken = any(o.status is Status.ERROR for o in outcomes)
    control_list = control_results(controls, outcomes)
    frameworks = [plan.catalogs[f] for f in plan.frameworks]
    artifacts = {(a.collector, a.name, a.sha256): ArtifactRecord.of(a)
                 for c in contexts.values() for a in c.artifacts}
    library_digest = digest_of([c.model_dump(mode="json", by_alias=True) for c in plan.controls]
                               + [f.model_dump(mode="json") for f in frameworks])
    finished = plan.as_of if plan.started is None else datetime.now(plan.as_of.tzinfo)
    findings = sorted((f for o in outcomes for f in o.findings),
                      key=finding_order)
    run = RunInfo(
        id=run_id(plan, library_digest),
        started=plan.started or plan.as_of, finished=finished, as_of=plan.as_of,
        tool_version=__version__, library_digest=library_digest,
        config_digest=plan.config_digest, organization=plan.organization,
        period=Period(start=plan.period[0], end=plan.period[1]),
        frameworks_in_scope=sorted(plan.frameworks),
        complete=not errors and not broken, errors=errors,
        sources=[contexts[s].report(plan.sources.get(s, {})) for s in sorted(contexts)],
        shard=plan.shard or None,
    )
    return Results(
        run=run, findings=findings, controls=control_list,
        frameworks=framework_results(frameworks, control_list),
        artifacts=[artifacts[k] for k in sorted(artifacts)],
        attestations=attestation_records(manual, outcomes),
        waivers=waivers, summary=finding_summary(outcomes),
    )


def attestation_records(records: Sequence[Resource],
                        outcomes: Sequence[CheckOutcome]) -> list[AttestationRecord]:
    decided = {f.resource.id: f for o in outcomes if o.check.kind == "manual" for f in o.findings}
    result = []
    for record in sorted(records, key=lambda r: r.id):
        attrs = record.attributes
        verdict = decided.get(record.id)
        result.append(AttestationRecord(
            name=str(attrs.get("name")), control=str(attrs.get("control")),
            owner=str(attrs.get("owner", "")), date=attrs["date"],
            files=[AttestationFile(**f) for f in attrs.get("files", [])],
            location=record.location, status=verdict.status if verdict else None,
        ))
    return result


def digest_of(value: Any) -> str:
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def run_id(plan: RunPlan, library_digest: str) -> str:
    """Stable for the same inputs: the as-of time plus a digest of what was asked, and of
    the tool version, so a pinned scan re-run after an upgrade is a run of its own."""
    scope = digest_of([plan.config_digest, library_digest, sorted(plan.frameworks),
                       sorted(plan.sources), plan.shard, __version__])
    return f"{plan.as_of.strftime('%Y%m%dT%H%M%SZ')}-{scope[:8]}"
