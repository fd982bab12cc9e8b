"""SARIF 2.1.0 for code-scanning tools: one rule per check, results with file and line.

Failing findings are results of kind ``fail``; unknown and error findings are
``review`` (someone must look: the value could not be resolved or the check
broke); waived findings carry a suppression with the waiver. With a baseline,
``baselineState`` says new or unchanged, and fixed findings appear as absent.
Passing findings are left out: code scanning shows problems, not inventory.
So are findings without a file (live AWS, logs): code scanning places every
alert in a file; the run's properties count what was left out.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import orjson

from engine.model import Finding
from engine.results import Results
from engine.status import Severity, Status
from reports.findings import Catalog, fingerprint, rule_id, sort_key
from reports.interface import Renderer

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/assay-compliance/assay"

_LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
          Severity.LOW: "note", Severity.INFO: "note"}
# GitHub code scanning ranks alerts by this number (0.1–10).
_SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5",
                      Severity.LOW: "3.0", Severity.INFO: "1.0"}
_SHOWN = (Status.FAIL, Status.UNKNOWN, Status.ERROR, Status.WAIVED)


class SarifRenderer(Renderer):
    format = "sarif"
    file_name = "results.sarif"
    media_type = "application/sarif+json"

    def render(self, results: Results) -> bytes:
        catalog = Catalog(results)
        rules = _rules(results, catalog)
        index = {rule["id"]: i for i, rule in enumerate(rules)}
        problems = [f for f in results.findings if f.status in _SHOWN]
        shown = sorted((f for f in problems if f.resource.location.file), key=sort_key)
        out = [_result(f, catalog, index) for f in shown]
        if results.baseline is not None:
            out += [_result(f, catalog, index, absent=True)
                    for f in sorted(results.baseline.fixed, key=sort_key)
                    if f.resource.location.file]
        run: dict[str, Any] = {
            "tool": {"driver": {
                "name": "assay",
                "version": results.run.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }},
            "automationDetails": {"id": f"assay/{results.run.id}"},
            "invocations": [_invocation(results)],
            "results": out,
            "columnKind": "unicodeCodePoints",
            "properties": {"complete": results.run.complete,
                           "findingsWithoutFile": len(problems) - len(shown)},
        }
        document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
        # orjson: the standard encoder falls back to pure Python when indenting
        data: bytes = orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
        return data + b"\n"


def _rules(results: Results, catalog: Catalog) -> list[dict[str, Any]]:
    rules = []
    for control in sorted(results.controls, key=lambda c: c.id):
        for check in sorted(control.checks, key=lambda k: k.id):
            tags = catalog.tags(control.id)
            rules.append({
                "id": rule_id(control.id, check.id),
                "name": rule_id(control.id, check.id).replace("-", "").replace(".", ""),
                "shortDescription": {"text": control.title},
                "fullDescription": {"text": control.objective},
                "help": {
                    "text": f"{control.objective}\n\nRemediation: {check.remediation}",
                    "markdown": f"{control.objective}\n\n**Remediation:** {check.remediation}"
                                + (f"\n\nFrameworks: {', '.join(tags)}" if tags else ""),
                },
                "defaultConfiguration": {"level": _LEVEL[control.severity]},
                "properties": {
                    "tags": ["compliance", *tags],
                    "security-severity": _SECURITY_SEVERITY[control.severity],
                    "severity": control.severity.value,
                    "source": check.source,
                },
            })
    return rules


def _result(finding: Finding, catalog: Catalog, index: dict[str, int],
            absent: bool = False) -> dict[str, Any]:
    rid = rule_id(finding.control_id, finding.check_id)
    status = finding.status
    result: dict[str, Any] = {
        "ruleId": rid,
        "kind": "fail" if status in (Status.FAIL, Status.WAIVED) else "review",
        "level": _LEVEL[finding.severity] if status in (Status.FAIL, Status.WAIVED) else "note",
        "message": {"text": _message(finding, catalog)},
        "locations": [_location(finding)],
        "partialFingerprints": {"assayFinding/v1": fingerprint(finding)},
        "properties": {"status": status.value, "resourceId": finding.resource.id,
                       "resourceType": finding.resource.type},
    }
    if rid in index:
        result["ruleIndex"] = index[rid]
    if absent:
        result["baselineState"] = "absent"
    elif finding.baseline is not None:
        result["baselineState"] = "new" if finding.baseline == "new" else "unchanged"
    if status == Status.WAIVED and finding.waiver:
        inline = finding.waiver.startswith("inline:")
        result["suppressions"] = [{
            "kind": "inSource" if inline else "external",
            "status": "accepted",
            "justification": f"waiver {finding.waiver}",
        }]
    return result


def _message(finding: Finding, catalog: Catalog) -> str:
    prefix = {Status.UNKNOWN: "Could not be decided: ", Status.ERROR: "Check failed to run: "}
    text = f"{prefix.get(finding.status, '')}{finding.resource.id}: {finding.message}"
    remediation = catalog.remediation(finding)
    return f"{text} Remediation: {remediation}" if remediation else text


def _location(finding: Finding) -> dict[str, Any]:
    loc = finding.resource.location
    logical = [{"fullyQualifiedName": finding.resource.id, "kind": "resource"}]
    physical: dict[str, Any] = {"artifactLocation": {"uri": quote(loc.file or "")}}
    if loc.line and loc.line >= 1:
        physical["region"] = {"startLine": loc.line}
    return {"physicalLocation": physical, "logicalLocations": logical}


def _invocation(results: Results) -> dict[str, Any]:
    notifications = [{
        "level": "error",
        "message": {"text": f"{e.source}: {e.message}"},
        **({"locations": [_error_location(e.location)]} if e.location else {}),
    } for e in results.run.errors]
    return {
        "executionSuccessful": results.run.complete,
        "toolExecutionNotifications": notifications,
    }


def _error_location(text: str) -> dict[str, Any]:
    file, _, line = text.rpartition(":")
    if file and line.isdigit() and int(line) >= 1:
        return {"physicalLocation": {"artifactLocation": {"uri": quote(file)},
                                     "region": {"startLine": int(line)}}}
    return {"physicalLocation": {"artifactLocation": {"uri": quote(text)}}}
