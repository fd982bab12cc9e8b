"""JUnit XML: one test suite per control, one test case per finding.

``fail`` is a failure, ``error`` an error, and ``unknown``, ``not_collected``
and ``waived`` are skipped with the reason — CI shows them without turning
them into passes or failures.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from engine.model import Finding
from engine.results import Results
from engine.status import Status
from reports.findings import Catalog, location_text
from reports.interface import Renderer

_SKIPPED = (Status.UNKNOWN, Status.NOT_COLLECTED, Status.WAIVED, Status.MANUAL_PENDING,
            Status.NOT_APPLICABLE)


class JunitRenderer(Renderer):
    format = "junit"
    file_name = "results.junit.xml"
    media_type = "application/xml"

    def render(self, results: Results) -> bytes:
        catalog = Catalog(results)
        by_control: dict[str, list[Finding]] = defaultdict(list)
        for finding in results.findings:
            by_control[finding.control_id].append(finding)
        root = ET.Element("testsuites", name="assay")
        totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for control_id in sorted(by_control):
            suite = _suite(control_id, by_control[control_id], catalog)
            root.append(suite)
            for key in totals:
                totals[key] += int(suite.get(key, "0"))
        if results.run.errors:
            root.append(_run_errors(results))
            totals["tests"] += len(results.run.errors)
            totals["errors"] += len(results.run.errors)
        for key, value in totals.items():
            root.set(key, str(value))
        ET.indent(root)
        data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
        return data + b"\n"


def _suite(control_id: str, findings: list[Finding], catalog: Catalog) -> ET.Element:
    suite = ET.Element("testsuite", name=f"{control_id} {catalog.title(control_id)}")
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    ordered = sorted(findings, key=lambda f: (f.check_id, f.resource.id))
    for finding in ordered:
        case = ET.SubElement(suite, "testcase", classname=f"{control_id}.{finding.check_id}",
                             name=finding.resource.id)
        where = location_text(finding)
        if where:
            case.set("file", finding.resource.location.file or where)
            if finding.resource.location.line:
                case.set("line", str(finding.resource.location.line))
        counts["tests"] += 1
        text = f"{finding.message}\nresource: {finding.resource.id}"
        text += f"\nlocation: {where}" if where else ""
        remediation = catalog.remediation(finding)
        text += f"\nremediation: {remediation}" if remediation else ""
        if finding.status == Status.FAIL:
            counts["failures"] += 1
            failure = ET.SubElement(case, "failure", message=finding.message,
                                    type=finding.severity.value)
            failure.text = text
        elif finding.status == Status.ERROR:
            counts["errors"] += 1
            error = ET.SubElement(case, "error", message=finding.message, type="error")
            error.text = text
        elif finding.status in _SKIPPED:
            counts["skipped"] += 1
            reason = f"waived by {finding.waiver}" if finding.status == Status.WAIVED and \
                finding.waiver else finding.message
            ET.SubElement(case, "skipped", message=f"{finding.status.value}: {reason}")
    for key, value in counts.items():
        suite.set(key, str(value))
    return suite


def _run_errors(results: Results) -> ET.Element:
    suite = ET.Element("testsuite", name="assay run", tests=str(len(results.run.errors)),
                       failures="0", errors=str(len(results.run.errors)), skipped="0")
    for number, err in enumerate(results.run.errors, 1):
        case = ET.SubElement(suite, "testcase", classname=f"collection.{err.source}",
                             name=err.location or f"error {number}")
        node = ET.SubElement(case, "error", message=err.message, type="collection")
        node.text = f"{err.location}: {err.message}" if err.location else err.message
    return suite
