"""The five framework catalogs: every reference ID present, totals, well-formed IDs.

The reference ID lists live in ``shared/reference/requirement-ids`` beside the
repository (``../shared`` from the root of a clone).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
import yaml

from engine.model import Framework

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "controls" / "frameworks"

TOTALS = {"soc2": 61, "iso27001": 123, "gdpr": 119, "pci-dss": 280, "hipaa": 65}

REFERENCE_FILES = {
    "soc2": "soc2-tsc-2017.txt",
    "iso27001": "iso27001-2022.txt",
    "gdpr": "gdpr.txt",
    "pci-dss": "pci-dss-4.0.1.txt",
    "hipaa": "hipaa-security-rule.txt",
}

# Requirement IDs (not headings), one pattern per framework.
REQUIREMENT_ID = {
    "soc2": r"CC[1-9]\.[1-9]|A1\.[1-3]|C1\.[12]|PI1\.[1-5]|P[1-8]\.[1-7]",
    "iso27001": r"(?:[4-9]|10)\.[1-5](?:\.[1-3])?|A\.5\.(?:[1-9]|[12]\d|3[0-7])"
                r"|A\.6\.[1-8]|A\.7\.(?:[1-9]|1[0-4])|A\.8\.(?:[1-9]|[12]\d|3[0-4])",
    "gdpr": r"(?:[1-9]|[1-9]\d)(?:\(\d\))?(?:\([a-f]\))?",
    "pci-dss": r"(?:[1-9]|1[0-2])\.\d{1,2}\.\d{1,2}(?:\.\d){0,2}|A[1-3]\.\d\.\d(?:\.\d){0,2}",
    "hipaa": r"164\.3(?:08|10|12|14|16)\([a-e]\)(?:\([1-8]\))?(?:\((?:i|ii|iii|iv)\))?(?:\([A-E]\))?",
}

# Pure grouping headings (DESIGN: Requirements).
HEADING_ID = {
    "soc2": r"CC[1-9]|A1|C1|PI1|P[1-8]",
    "iso27001": r"[4-9]|10|6\.1|7\.5|9\.2|9\.3|A\.[5-8]",
    "gdpr": r"(?!)",
    "pci-dss": r"[1-9]|1[0-2]|(?:[1-9]|1[0-2])\.\d{1,2}|A[1-3](?:\.\d)?",
    "hipaa": r"164\.3(?:08|10|12|14|16)",
}

HIPAA_LETTER = {"S": "standard", "R": "required", "A": "addressable"}


@cache
def shared_dir() -> Path:
    for base in ROOT.parents:
        candidate = base / "shared" / "reference" / "requirement-ids"
        if candidate.is_dir():
            return candidate
    raise AssertionError("shared/reference/requirement-ids not found beside the repository")


def reference_lines(framework: str) -> list[list[str]]:
    text = (shared_dir() / REFERENCE_FILES[framework]).read_text(encoding="utf-8")
    return [line.split() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def catalog(framework: str) -> Framework:
    data = yaml.safe_load((CATALOGS / f"{framework}.yaml").read_text(encoding="utf-8"))
    return Framework.model_validate(data)


def test_exactly_the_five_catalogs_ship() -> None:
    assert sorted(p.stem for p in CATALOGS.glob("*.yaml")) == sorted(TOTALS)


@pytest.mark.parametrize("framework", sorted(TOTALS))
def test_catalog_id_matches_file_name(framework: str) -> None:
    assert catalog(framework).id == framework


@pytest.mark.parametrize("framework", sorted(TOTALS))
def test_requirement_totals(framework: str) -> None:
    assert len(catalog(framework).requirement_ids) == TOTALS[framework]


@pytest.mark.parametrize("framework", sorted(TOTALS))
def test_ids_unique(framework: str) -> None:
    ids = [r.id for r in catalog(framework).requirements]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert duplicates == []


@pytest.mark.parametrize("framework", sorted(TOTALS))
def test_ids_well_formed(framework: str) -> None:
    requirement = re.compile(rf"(?:{REQUIREMENT_ID[framework]})")
    heading = re.compile(rf"(?:{HEADING_ID[framework]})")
    for req in catalog(framework).requirements:
        pattern = heading if req.heading else requirement
        assert pattern.fullmatch(req.id), f"{framework}: malformed {'heading' if req.heading else 'requirement'} {req.id!r}"


@pytest.mark.parametrize("framework", sorted(TOTALS))
def test_every_reference_id_present(framework: str) -> None:
    ids = {r.id for r in catalog(framework).requirements}
    missing = [line[0] for line in reference_lines(framework) if line[0] not in ids]
    assert missing == []


@pytest.mark.parametrize("framework", sorted(TOTALS))
def test_requirements_come_from_the_reference(framework: str) -> None:
    reference = {line[0] for line in reference_lines(framework)}
    invented = [r.id for r in catalog(framework).requirements if not r.heading and r.id not in reference]
    assert invented == []


@pytest.mark.parametrize("framework", sorted(TOTALS))
def test_parents_are_earlier_entries(framework: str) -> None:
    seen: set[str] = set()
    for req in catalog(framework).requirements:
        assert req.parent is None or req.parent in seen, f"{req.id}: parent {req.parent!r} not defined before it"
        seen.add(req.id)


@pytest.mark.parametrize("framework", sorted(TOTALS))
def test_titles_are_short(framework: str) -> None:
    for req in catalog(framework).requirements:
        words = len(req.title.split())
        assert 1 <= words <= 9, f"{framework} {req.id}: title of {words} words"


def test_hipaa_implementation_follows_the_regulation() -> None:
    implementation = {r.id: r.implementation for r in catalog("hipaa").requirements if not r.heading}
    expected = {line[0]: HIPAA_LETTER[line[1]] for line in reference_lines("hipaa")}
    assert implementation == expected


def test_hipaa_specifications_sit_under_their_standard() -> None:
    by_id = {r.id: r for r in catalog("hipaa").requirements}
    for req in by_id.values():
        if req.implementation in ("required", "addressable"):
            assert req.parent is not None and by_id[req.parent].implementation == "standard"


@pytest.mark.parametrize("framework", sorted(TOTALS))
def test_exclusions_name_real_requirements_with_reasons(framework: str) -> None:
    fw = catalog(framework)
    ids = set(fw.requirement_ids)
    for listing in (fw.not_covered, fw.not_applicable):
        for rid, reason in listing.items():
            assert rid in ids, f"{framework}: {rid!r} is not a requirement"
            assert reason.strip(), f"{framework}: {rid} has no reason"
    assert not set(fw.not_covered) & set(fw.not_applicable)
