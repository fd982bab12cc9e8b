"""OSCAL assessment-results (1.x JSON) for GRC tools.

- one **observation** per check: what was tested, how many items passed and failed,
  and the evidence (bundle path ``evidence/<sha256>``, the query that produced it);
- one **finding** per assessed requirement, ``satisfied`` or ``not-satisfied``
  (incomplete and manual-pending are ``not-satisfied`` with reason ``other`` and the
  exact assay status in a property — never reported as satisfied); requirements no
  control covers are not assessed and get no finding;
- one **risk** per failing check, open, with the remediation as its statement.

UUIDs are version 5, derived from the run id and the names, so the same results
give the same document. Requirement IDs such as ``32(1)(a)`` are not OSCAL tokens:
the target id is a token made from framework and requirement, and the exact ID
is kept in a ``requirement-id`` property.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from engine.results import CheckResult, ControlResult, FrameworkResult, RequirementResult, Results
from engine.status import RequirementStatus, Status
from reports.interface import Renderer
from reports.view import query_text

OSCAL_VERSION = "1.1.2"
NS = "urn:assay:oscal"
_NAMESPACE = uuid.UUID("6f1c6f4e-6d2a-5b0e-9a57-9b1d6c7f0a11")
_NOT_TOKEN = re.compile(r"[^A-Za-z0-9._-]")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(parts)))


def _time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _line(text: object) -> str:
    """A single-line, trimmed, non-empty string (OSCAL StringDatatype)."""
    return " ".join(str(text).split()) or "-"


def _md(text: object) -> str:
    """Evidence text as Markdown that renders literally (OSCAL markup fields)."""
    return _MARKDOWN.sub(r"\\\1", _line(text))


def token(*parts: str) -> str:
    """An OSCAL token (XML NCName) for framework and requirement IDs."""
    text = _NOT_TOKEN.sub("_", "-".join(parts))
    return text if re.match(r"[A-Za-z_]", text) else f"_{text}"


def _prop(name: str, value: object) -> dict[str, str]:
    return {"name": name, "ns": NS, "value": _line(value)}


def _tool_origin() -> list[dict[str, Any]]:
    return [{"actors": [{"type": "tool", "actor-uuid": _uuid("assay")}]}]


def _observation(results: Results, control: ControlResult, check: CheckResult,
                 evidence: list[str]) -> dict[str, Any]:
    c = check.counts
    artifacts = {a.sha256: a for a in results.artifacts}
    summary = (f"{check.source} check {check.id} of control {control.id}: status {check.status}; "
               f"tested {c.tested}, passed {c.pass_}, failed {c.fail}, unknown {c.unknown}, "
               f"waived {c.waived}, error {c.error}, not collected {c.not_collected}.")
    if check.message:
        summary += f" {check.message}"
    obs: dict[str, Any] = {
        "uuid": _uuid(results.run.id, "observation", control.id, check.id),
        "title": _md(f"{control.id} {check.id}"),
        "description": _md(summary),
        "props": [_prop("status", check.status), _prop("source", check.source),
                  _prop("tested", c.tested), _prop("failed", c.fail)],
        "methods": ["EXAMINE" if check.source == "manual" else "TEST"],
        "origins": _tool_origin(),
        "collected": _time(results.run.as_of),
    }
    if evidence:
        obs["relevant-evidence"] = [
            {"href": f"evidence/{sha}",
             "description": _md(f"{artifacts[sha].name}: {query_text(artifacts[sha].query)}"
                                if sha in artifacts else f"artifact {sha}"),
             "props": [_prop("sha256", sha)]}
            for sha in evidence]
    return obs


def _risk(results: Results, control: ControlResult, check: CheckResult) -> dict[str, Any]:
    return {
        "uuid": _uuid(results.run.id, "risk", control.id, check.id),
        "title": _md(f"{control.id} {check.id}: {check.counts.fail} failing item(s)"),
        "description": _md(f"{control.title}. {control.objective}"),
        "statement": _md(f"Remediation: {check.remediation}"),
        "props": [_prop("severity", control.severity), _prop("failed", check.counts.fail)],
        "status": "open",
        "origins": _tool_origin(),
        "related-observations": [{"observation-uuid": _uuid(results.run.id, "observation",
                                                            control.id, check.id)}],
    }


def _finding(results: Results, fw: FrameworkResult, req: RequirementResult,
             controls: dict[str, ControlResult]) -> dict[str, Any]:
    satisfied = req.status is RequirementStatus.SATISFIED
    reason = "pass" if satisfied else ("fail" if req.status is RequirementStatus.NOT_SATISFIED
                                       else "other")
    mapped = [controls[c] for c in req.controls if c in controls]
    finding: dict[str, Any] = {
        "uuid": _uuid(results.run.id, "finding", fw.id, req.id),
        "title": _md(f"{fw.name} {req.id}: {req.title}"),
        "description": _md(f"Requirement {req.id} is {req.status} "
                           f"(controls: {', '.join(req.controls) or 'none'})."),
        "props": [_prop("requirement-id", req.id), _prop("framework", fw.id),
                  _prop("assay-status", req.status)],
        "target": {"type": "objective-id", "target-id": token(fw.id, req.id),
                   "status": {"state": "satisfied" if satisfied else "not-satisfied",
                              "reason": reason}},
        "related-observations": [
            {"observation-uuid": _uuid(results.run.id, "observation", c.id, k.id)}
            for c in mapped for k in c.checks],
    }
    risks = [{"risk-uuid": _uuid(results.run.id, "risk", c.id, k.id)}
             for c in mapped for k in c.checks if k.status is Status.FAIL]
    if risks:
        finding["related-risks"] = risks
    if not finding["related-observations"]:
        del finding["related-observations"]
    return finding


def _evidence_by_check(results: Results) -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], set[str]] = {}
    for f in results.findings:
        found.setdefault((f.control_id, f.check_id), set()).update(f.artifacts)
    return {k: sorted(v) for k, v in found.items()}


def assessment_results(results: Results) -> dict[str, Any]:
    run = results.run
    controls = {c.id: c for c in results.controls}
    evidence = _evidence_by_check(results)
    observations = [_observation(results, c, k, evidence.get((c.id, k.id), []))
                    for c in results.controls for k in c.checks]
    risks = [_risk(results, c, k) for c in results.controls for k in c.checks
             if k.status is Status.FAIL]
    findings = [_finding(results, fw, req, controls) for fw in results.frameworks
                for req in fw.requirements
                if req.status not in (RequirementStatus.NOT_COVERED, RequirementStatus.NOT_APPLICABLE)]
    result: dict[str, Any] = {
        "uuid": _uuid(run.id, "result"),
        "title": _md(f"assay run {run.id}"),
        "description": _md(
            f"Automated assessment of {', '.join(f'{f.name} {f.version}' for f in results.frameworks)} "
            f"over {run.period.start:%Y-%m-%d} to {run.period.end:%Y-%m-%d}; run "
            + ("complete." if run.complete else f"INCOMPLETE ({len(run.errors)} error(s)).")),
        "start": _time(run.started),
        "end": _time(run.finished),
        "props": [_prop("run-complete", str(run.complete).lower()),
                  _prop("library-digest", run.library_digest),
                  _prop("config-digest", run.config_digest),
                  *([_prop("manifest-sha256", run.manifest_sha256)] if run.manifest_sha256 else [])],
        "reviewed-controls": {"control-selections": [{"include-all": {}}]},
    }
    for key, items in (("observations", observations), ("risks", risks), ("findings", findings)):
        if items:
            result[key] = items
    return {"assessment-results": {
        "uuid": _uuid(run.id, "assessment-results"),
        "metadata": {
            "title": _md(f"Assessment results — {run.organization or run.id}"),
            "last-modified": _time(run.finished),
            "version": _line(run.id),
            "oscal-version": OSCAL_VERSION,
            "props": [_prop("tool", f"assay {run.tool_version}")],
        },
        "import-ap": {"href": "assay.yaml",
                      "remarks": "The assessment plan is the assay configuration and control "
                                 "library; their digests are in the result's properties."},
        "results": [result],
    }}


class OscalRenderer(Renderer):
    format = "oscal"
    file_name = "oscal.json"
    media_type = "application/json"

    def render(self, results: Results) -> bytes:
        document = assessment_results(results)
        return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
