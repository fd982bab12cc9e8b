from __future__ import annotations

import copy
import json
from typing import Any

from engine.results import Results
from engine.status import RequirementStatus
from reports.oscal import OscalRenderer, token
from reports.testing import HOSTILE_NAME


def _doc(results: Results) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(OscalRenderer().render(results))
    return loaded


def test_validates_against_the_oscal_schema(results: Results, complete_results: Results,
                                            oscal_validator: Any) -> None:
    for r in (results, complete_results):
        errors = sorted(oscal_validator.iter_errors(_doc(r)), key=lambda e: list(e.path))
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_validator_enforces_unicode_token_patterns(results: Results, oscal_validator: Any) -> None:
    doc = _doc(results)
    broken = copy.deepcopy(doc)
    broken["assessment-results"]["results"][0]["findings"][0]["target"]["target-id"] = "3.5.1"
    assert not oscal_validator.is_valid(broken)
    accented = copy.deepcopy(doc)
    accented["assessment-results"]["results"][0]["findings"][0]["target"]["target-id"] = "é-1"
    assert oscal_validator.is_valid(accented)


def test_findings_per_assessed_requirement(results: Results) -> None:
    result = _doc(results)["assessment-results"]["results"][0]
    findings = {}
    for f in result["findings"]:
        props = {p["name"]: p["value"] for p in f["props"]}
        findings[(props["framework"], props["requirement-id"])] = f
    for fw in results.frameworks:
        for req in fw.requirements:
            key = (fw.id, req.id)
            if req.status in (RequirementStatus.NOT_COVERED, RequirementStatus.NOT_APPLICABLE):
                assert key not in findings  # not assessed: no claim either way
                continue
            state = findings[key]["target"]["status"]["state"]
            assert (state == "satisfied") == (req.status is RequirementStatus.SATISFIED), key
    assert token("gdpr", "32(1)(a)") == "gdpr-32_1__a_"


def test_observations_evidence_and_risks(results: Results) -> None:
    result = _doc(results)["assessment-results"]["results"][0]
    assert len(result["observations"]) == sum(len(c.checks) for c in results.controls)
    hrefs = {e["href"] for o in result["observations"] for e in o.get("relevant-evidence", [])}
    assert hrefs == {f"evidence/{a.sha256}" for a in results.artifacts}
    failing = [(c.id, k.id) for c in results.controls for k in c.checks if k.status == "fail"]
    assert len(result["risks"]) == len(failing) and failing
    observation_ids = {o["uuid"] for o in result["observations"]}
    for risk in result["risks"]:
        assert risk["status"] == "open"
        assert {r["observation-uuid"] for r in risk["related-observations"]} <= observation_ids


def test_deterministic_and_escaped(results: Results) -> None:
    data = OscalRenderer().render(results)
    assert data == OscalRenderer().render(Results.from_json(results.to_json()))
    controls = [c.model_copy(update={"title": HOSTILE_NAME}) if c.status == "fail" else c
                for c in results.controls]
    doc = _doc(results.model_copy(update={"controls": controls}))
    risks = doc["assessment-results"]["results"][0]["risks"]
    assert risks and all(r["description"].startswith(r"\<b\>x\</b\> & \<font size=72\>")
                         for r in risks)


def test_an_empty_run_still_validates(results: Results, oscal_validator: Any) -> None:
    from reports.html import HtmlRenderer
    from reports.pdf import PdfRenderer
    from reports.testing import pdf_text

    empty = Results(run=results.run.model_copy(update={"sources": [], "errors": [],
                                                       "manifest_sha256": None}),
                    findings=[], controls=[], frameworks=[], summary={})
    assert oscal_validator.is_valid(_doc(empty))
    assert "No control failed." in pdf_text(PdfRenderer().render(empty))
    assert b"No waivers." in HtmlRenderer().render(empty)
