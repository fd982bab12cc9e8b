"""The results document, ``schema_version: 1`` — the contract every renderer reads.

A report must be renderable from this document alone (history sections aside).
Lists are sorted so the same inputs give the same bytes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

from engine.model import Artifact, Finding, Location, Waiver
from engine.status import RequirementStatus, Severity, Status

SCHEMA_VERSION: Literal[1] = 1


class ResultModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Period(ResultModel):
    start: datetime
    end: datetime


class RunError(ResultModel):
    source: str
    message: str
    location: str | None = None


class SourceReport(ResultModel):
    """One configured source: what was asked of it and what it gave."""

    name: str
    scope: dict[str, Any] = Field(default_factory=dict)
    counts: dict[str, int] = Field(default_factory=dict)
    not_collected: list[dict[str, str]] = Field(default_factory=list)  # {types, scope, reason}
    notes: list[str] = Field(default_factory=list)


class RunInfo(ResultModel):
    id: str
    started: datetime
    finished: datetime
    as_of: datetime
    tool_version: str
    library_digest: str
    config_digest: str
    organization: str = ""
    period: Period
    frameworks_in_scope: list[str]
    complete: bool
    errors: list[RunError] = Field(default_factory=list)
    sources: list[SourceReport] = Field(default_factory=list)
    manifest_sha256: str | None = None
    group_id: str | None = None  # shards of one night share it
    shard: dict[str, list[str]] | None = None


class CheckCounts(ResultModel):
    tested: int = 0
    pass_: int = Field(0, alias="pass")
    fail: int = 0
    unknown: int = 0
    waived: int = 0
    error: int = 0
    not_collected: int = 0

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class CheckResult(ResultModel):
    id: str
    source: str
    status: Status
    remediation: str
    message: str = ""  # why, when the check as a whole did not run or pass
    counts: CheckCounts = Field(default_factory=CheckCounts)
    population: dict[str, int] | None = None  # event checks: events read / matching / failing
    truncated: int | None = None  # findings counted but not kept


class ControlResult(ResultModel):
    id: str
    title: str
    objective: str
    severity: Severity
    frameworks: dict[str, list[str]]
    status: Status
    checks: list[CheckResult]


class RequirementResult(ResultModel):
    id: str
    title: str
    status: RequirementStatus
    controls: list[str]
    parent: str | None = None


class FrameworkResult(ResultModel):
    id: str
    name: str
    version: str
    summary: dict[str, int]  # requirement status → count
    requirements: list[RequirementResult]
    not_applicable: dict[str, str] = Field(default_factory=dict)
    not_covered: dict[str, str] = Field(default_factory=dict)


class ArtifactRecord(ResultModel):
    sha256: str
    name: str
    size: int
    media_type: str
    collector: str
    query: dict[str, Any] | str
    item_count: int
    complete: bool

    @classmethod
    def of(cls, artifact: Artifact) -> ArtifactRecord:
        return cls(**artifact.model_dump(exclude={"collector_version", "collected_at"}))


class AttestationFile(ResultModel):
    path: str
    sha256: str
    size: int


class AttestationRecord(ResultModel):
    name: str
    control: str
    owner: str
    date: datetime
    files: list[AttestationFile] = Field(default_factory=list)
    location: Location = Field(default_factory=Location)
    status: Status | None = None  # pass, or fail when expired at as-of
    expires: datetime | None = None


class WaiverRecord(Waiver):
    matched: int = 0  # findings it turned into waived


class WaiverSummary(ResultModel):
    applied: list[WaiverRecord] = Field(default_factory=list)
    expired: list[WaiverRecord] = Field(default_factory=list)
    unused: list[WaiverRecord] = Field(default_factory=list)


class Baseline(ResultModel):
    """``check --baseline``: findings failing before, and those fixed since."""

    file: str
    fixed: list[Finding] = Field(default_factory=list)


class Results(ResultModel):
    schema_version: Literal[1] = SCHEMA_VERSION
    run: RunInfo
    findings: list[Finding]
    controls: list[ControlResult]
    frameworks: list[FrameworkResult]
    artifacts: list[ArtifactRecord] = Field(default_factory=list)
    attestations: list[AttestationRecord] = Field(default_factory=list)
    waivers: WaiverSummary = Field(default_factory=WaiverSummary)
    baseline: Baseline | None = None
    summary: dict[str, int]  # finding status → count

    def to_json(self) -> bytes:
        """Canonical bytes: sorted keys, two-space indent, UTF-8, trailing newline.

        orjson, because the standard encoder falls back to pure Python when indenting,
        which costs seconds on a run with tens of thousands of findings.
        """
        data = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"

    @classmethod
    def from_json(cls, data: bytes | str) -> Results:
        return cls.model_validate_json(data)


def results_json_schema() -> dict[str, Any]:
    return Results.model_json_schema(by_alias=True, mode="serialization")
