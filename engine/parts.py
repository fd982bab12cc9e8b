"""Posture evaluation part by part, with each part's findings kept between runs.

A collector that can split its source into parts that stand alone (Terraform root
modules, see ``evidence.interface.Part``) lets a pre-merge check skip resolving and
evaluating every part whose inputs did not change: the part's findings, and everything
its collection reported (artifacts, errors, notes, counts), are read back instead.

An entry is keyed by the part's input digest and by the checks run over it (their
definitions, parameters and severities); when a check reads the clock (``age_lte``)
the as-of time joins the key. Inline suppressions are stored beside the findings and
applied on every run, since whether one has expired depends on the as-of time.
Findings are rebuilt through the models' validation. A run read from the cache gives
the same results document as a run that evaluated everything.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from engine import cache
from engine.collect import SourceContext
from engine.evaluate import PostureCheck, ResourceIndex, suppress
from engine.model import Finding, Suppression
from engine.outcome import CheckOutcome, settle
from engine.status import Status
from evidence.interface import Part

ENTRY_VERSION = 2


def evaluate_parts(checks: Sequence[PostureCheck], parts: Sequence[Part],
                   context: SourceContext, as_of: datetime,
                   folder: Path | None) -> list[CheckOutcome]:
    """One outcome per check over every part; ``folder`` None evaluates without a cache."""
    outcomes = [CheckOutcome(c.control, c.check, Status.NOT_APPLICABLE,
                             message=f"no {c.check.resource} in scope") for c in checks]
    checks_key = checks_fingerprint(checks, as_of)
    for part in parts:
        found = _lookup(folder, part, checks_key, outcomes, as_of)
        if found is not None:
            effects, findings = found
            context.replay(effects)
        else:
            stored = _evaluate(checks, part, context, as_of)
            key = part.key() if folder is not None else None
            if folder is not None and key is not None:
                cache.write(folder, cache.key_of("part", key, checks_key), stored)
            findings = _decode(outcomes, stored, as_of)
        for outcome, found_here in zip(outcomes, findings, strict=True):
            outcome.findings += found_here
    return [settle(o) for o in outcomes]


def checks_fingerprint(checks: Sequence[PostureCheck], as_of: datetime) -> str:
    described = [[c.control.id, c.control.severity.value,
                  c.check.model_dump(mode="json", by_alias=True, exclude_none=True), c.params]
                 for c in checks]
    text = json.dumps(described, sort_keys=True, default=str)
    if '"age_lte"' in text:  # a check reads the clock: its findings hold for this time only
        text += as_of.isoformat()
    return text


def _lookup(folder: Path | None, part: Part, checks_key: str, outcomes: list[CheckOutcome],
            as_of: datetime) -> tuple[dict[str, Any], list[list[Finding]]] | None:
    """The part's stored effects and findings; None on a miss or an entry that does not
    decode (a corrupt entry costs a re-evaluation, never a wrong result)."""
    key = part.key() if folder is not None else None
    if folder is None or key is None:
        return None
    stored = cache.read(folder, cache.key_of("part", key, checks_key))
    if not isinstance(stored, dict) or stored.get("version") != ENTRY_VERSION:
        return None
    try:
        return stored["effects"], _decode(outcomes, stored, as_of)
    except (KeyError, TypeError, ValueError):  # pydantic's ValidationError is a ValueError
        return None


def _evaluate(checks: Sequence[PostureCheck], part: Part, context: SourceContext,
              as_of: datetime) -> dict[str, Any]:
    mark = context.mark()
    resources = part.collect()
    index = ResourceIndex.of(resources, context.gaps[mark[2]:])  # what this part missed
    suppressed: dict[str, list[dict[str, Any]]] = {}
    results = []
    for check in checks:
        encoded = []
        for result, resource in check.findings(index, as_of):
            encoded.append(_encode(result))
            if resource.suppressions and resource.id not in suppressed:
                suppressed[resource.id] = [s.model_dump(mode="json")
                                           for s in resource.suppressions]
        results.append(encoded)
    return {"version": ENTRY_VERSION, "effects": context.since(mark), "findings": results,
            "suppressions": suppressed}


def _encode(result: Finding) -> dict[str, Any]:
    return result.model_dump(mode="json", exclude_none=True)


def _decode(outcomes: list[CheckOutcome], stored: dict[str, Any],
            as_of: datetime) -> list[list[Finding]]:
    """Findings per check (in ``outcomes``' order), inline suppressions applied."""
    suppressions = {rid: [Suppression.model_validate(s) for s in items]
                    for rid, items in stored["suppressions"].items()}
    validate = Finding.__pydantic_validator__.validate_python
    decoded = []
    for encoded in stored["findings"]:
        findings = [validate(item) for item in encoded]
        if suppressions:
            findings = [suppress(f, suppressions[f.resource.id], as_of)
                        if f.status is Status.FAIL and f.resource.id in suppressions else f
                        for f in findings]
        decoded.append(findings)
    if len(decoded) != len(outcomes):
        raise ValueError("the entry holds findings of other checks")
    return decoded
