"""Posture and manual evaluation: one finding per (check, resource), each saying why.

The evaluator reads resources that collectors already produced; it never calls a
cloud API or parses a file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from engine.collect import NotCollected
from engine.conditions import EvalContext, Predicate, Truth, compile_condition
from engine.model import (
    Check,
    Control,
    Finding,
    Location,
    Resource,
    ResourceRef,
    Suppression,
    parse_duration,
)
from engine.outcome import CheckOutcome, finding, ref_of, settle
from engine.status import Status

_TRUTH_STATUS = {Truth.TRUE: Status.PASS, Truth.FALSE: Status.FAIL, Truth.UNKNOWN: Status.UNKNOWN}


@dataclass
class ResourceIndex:
    """The resources of one source by type, with the reverse reference index that
    answers ``related: TYPE, by: ATTR``."""

    by_type: dict[str, list[Resource]] = field(default_factory=lambda: defaultdict(list))
    referrers: dict[tuple[str, str, str], list[Resource]] = field(
        default_factory=lambda: defaultdict(list))
    gaps: list[NotCollected] = field(default_factory=list)

    @classmethod
    def of(cls, resources: Iterable[Resource],
           gaps: Iterable[NotCollected] = ()) -> ResourceIndex:
        """``gaps``: the scopes the collector could not read, so relations to resources of
        those types are not judged on what happened to be read."""
        index = cls(gaps=list(gaps))
        for resource in resources:
            index.by_type[resource.type].append(resource)
            for attr, targets in resource.refs.items():
                for target in targets:
                    index.referrers[(resource.type, attr, target)].append(resource)
        return index

    def lookup(self, subject_id: str, type_name: str, by: str) -> Sequence[Resource]:
        return self.referrers.get((type_name, by, subject_id), [])

    def missing(self, type_name: str) -> str | None:
        """Why resources of ``type_name`` may be missing, or None when all were read."""
        for gap in self.gaps:
            if not gap.types or type_name in gap.types:
                return f"the {type_name} resources of {gap.scope} could not be read ({gap.reason})"
        return None


@dataclass(frozen=True)
class PostureCheck:
    """A posture check compiled once with its control's effective parameters."""

    control: Control
    check: Check
    where: Predicate | None
    assertion: Predicate
    params: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def compile(cls, control: Control, check: Check, params: Mapping[str, Any]) -> PostureCheck:
        assert check.assert_ is not None and check.resource is not None
        where = compile_condition(check.where, params) if check.where is not None else None
        return cls(control, check, where, compile_condition(check.assert_, params), params)

    def evaluate(self, index: ResourceIndex, as_of: datetime) -> CheckOutcome:
        resource_type = self.check.resource
        assert resource_type is not None
        outcome = CheckOutcome(self.control, self.check, Status.NOT_APPLICABLE,
                               message=f"no {resource_type} in scope")
        for result, resource in self.findings(index, as_of):
            if result.status is Status.FAIL and resource.suppressions:
                result = suppress(result, resource.suppressions, as_of)
            outcome.findings.append(result)
        return settle(outcome)

    def findings(self, index: ResourceIndex,
                 as_of: datetime) -> list[tuple[Finding, Resource]]:
        """Each finding with its resource, before inline suppressions apply."""
        out = []
        for resource in index.by_type.get(self.check.resource or "", []):
            result = self._evaluate_one(resource, index, as_of)
            if result is not None:
                out.append((result, resource))
        return out

    def _evaluate_one(self, resource: Resource, index: ResourceIndex,
                      as_of: datetime) -> Finding | None:
        context = EvalContext(as_of=as_of, subject_id=resource.id, lookup=index.lookup,
                              missing=index.missing if index.gaps else None)
        if self.where is not None:
            scoped = self.where(resource.attributes, context)
            if scoped.truth is Truth.FALSE:
                return None
            if scoped.truth is Truth.UNKNOWN:
                return finding(self.control, self.check, ref_of(resource), Status.UNKNOWN,
                               f"cannot tell whether it is in scope: {scoped.reason}",
                               resource.artifacts)
        verdict = self.assertion(resource.attributes, context)
        return finding(self.control, self.check, ref_of(resource), _TRUTH_STATUS[verdict.truth],
                       verdict.reason, resource.artifacts)


def suppress(result: Finding, suppressions: Iterable[Suppression], as_of: datetime) -> Finding:
    """Apply an inline ``# assay:ignore`` comment of the resource, or say why it did not apply."""
    for s in suppressions:
        if s.control != result.control_id or s.check not in (None, result.check_id):
            continue
        where = f"{s.file}:{s.line}"
        if not s.reason:
            return result.model_copy(update={
                "message": f"{result.message} (inline suppression at {where} not applied: "
                           "it gives no reason)"})
        if s.until is not None and s.until < as_of:
            return result.model_copy(update={
                "message": f"{result.message} (inline suppression at {where} not applied: "
                           f"expired on {s.until.date().isoformat()})"})
        return result.model_copy(update={"status": Status.WAIVED, "waiver": f"inline:{where}",
                                         "message": f"{result.message} (suppressed: {s.reason})"})
    return result


def not_collected_findings(control: Control, check: Check,
                           gaps: Iterable[NotCollected]) -> list[Finding]:
    """One not_collected finding per scope the collector could not read."""
    return [finding(control, check,
                    ResourceRef(type=check.resource or check.source, id=gap.scope),
                    Status.NOT_COLLECTED, gap.reason)
            for gap in gaps]


def evaluate_attestation(control: Control, check: Check, records: Sequence[Resource],
                         as_of: datetime) -> CheckOutcome:
    """The newest attestation for (control, name) decides; older than max_age fails."""
    spec = check.attestation
    assert spec is not None
    ref = ResourceRef(type="attestation", id=f"{control.id}/{spec.name}")
    matching = [r for r in records
                if r.attributes.get("control") == control.id and r.attributes.get("name") == spec.name]
    outcome = CheckOutcome(control, check, Status.MANUAL_PENDING)
    if not matching:
        outcome.message = f"no attestation '{spec.name}' recorded"
        outcome.findings.append(finding(control, check, ref, Status.MANUAL_PENDING,
                                        outcome.message))
        return outcome
    newest = max(matching, key=lambda r: (str(r.attributes.get("date")), r.id))
    dated = datetime.fromisoformat(str(newest.attributes["date"]))
    if dated.tzinfo is None:
        dated = dated.replace(tzinfo=UTC)
    expires = dated + parse_duration(spec.max_age)
    ref = ResourceRef(type="attestation", id=newest.id, location=newest.location or Location())
    owner = newest.attributes.get("owner", "unknown owner")
    if expires < as_of:
        status, message = Status.FAIL, f"attestation expired on {expires.date().isoformat()}"
    else:
        status, message = Status.PASS, f"attested by {owner} on {dated.date().isoformat()}"
    outcome.findings.append(finding(control, check, ref, status, message, newest.artifacts))
    return settle(outcome)
