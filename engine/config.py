"""``assay.yaml``: what to scan, against which frameworks, and where evidence goes.

Relative paths resolve against the folder of the configuration file; collectors
receive their section as a plain mapping plus that folder as ``base_dir``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from engine.model import Duration, StrictModel


class TerraformSource(StrictModel):
    paths: list[str] = Field(default_factory=list)
    var_files: list[str] = Field(default_factory=list)
    vars: dict[str, Any] = Field(default_factory=dict)


class TerraformPlanSource(StrictModel):
    files: list[str] = Field(default_factory=list)
    tf_dir: str | None = None


class AwsAccount(StrictModel):
    id: str = Field(pattern=r"^\d{12}$")
    role_arn: str | None = None
    external_id: str | None = None


class AwsSource(StrictModel):
    regions: list[str] | Literal["all"] = Field(default_factory=lambda: ["us-east-1"])
    profile: str | None = None
    endpoint_url: str | None = None
    accounts: list[AwsAccount] = Field(default_factory=list)
    max_workers: int = Field(16, ge=1, le=256)
    max_attempts: int = Field(8, ge=1, le=20)
    connect_timeout: float = Field(10.0, gt=0)
    read_timeout: float = Field(30.0, gt=0)
    role_session_name: str = Field("assay", min_length=2, max_length=64)
    # AssumeRole's DurationSeconds (None: the role's default); the role is assumed again
    # before the credentials expire either way
    role_duration_seconds: int | None = Field(None, ge=900, le=43200)


class LogSource(StrictModel):
    paths: list[str] = Field(min_length=1)
    max_bad_lines: int = Field(0, ge=0)


class AppLogFields(StrictModel):
    timestamp: str
    actor: str | None = None
    action: str | None = None
    target: str | None = None
    outcome: str | None = None


class AppLogSource(LogSource):
    format: Literal["jsonl", "csv"] = "jsonl"
    fields: AppLogFields


class Sources(StrictModel):
    terraform: TerraformSource | None = None
    terraform_plan: TerraformPlanSource | None = None
    aws: AwsSource | None = None
    cloudtrail: LogSource | None = None
    k8s_audit: LogSource | None = None
    auditlog: AppLogSource | None = None

    def configured(self) -> dict[str, dict[str, Any]]:
        """Each configured source's section as a plain mapping, by source name."""
        sections = {
            name: getattr(self, name).model_dump(mode="json")
            for name in type(self).model_fields
            if getattr(self, name) is not None
        }
        # Log sources read s3:// paths with the AWS settings (endpoint, profile).
        if self.aws is not None:
            for name in ("cloudtrail", "k8s_audit", "auditlog"):
                if name in sections:
                    sections[name]["aws"] = {"endpoint_url": self.aws.endpoint_url,
                                             "profile": self.aws.profile}
        return sections


class PeriodSpec(StrictModel):
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> PeriodSpec:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")
        return self

    def bounds(self) -> tuple[datetime, datetime]:
        """UTC bounds; ``end`` is inclusive, so it runs to the last microsecond of that day."""
        return (datetime.combine(self.start, time(0, 0), UTC),
                datetime.combine(self.end, time.max, UTC))


class Config(StrictModel):
    organization: str = ""
    frameworks: list[str] | None = None  # None: every catalog
    period: PeriodSpec | None = None  # None: the 365 days before as-of
    as_of: datetime | None = None  # pins the run's clock (demo, tests)
    controls: list[str] = Field(default_factory=lambda: ["builtin"])
    waivers: str | None = None
    attestations: str | None = None
    locker: str | None = ".assay"
    # S3 Object Lock retention for what the scan writes, when the bucket has Object Lock
    # (COMPLIANCE mode); without it the bucket's default retention rule applies.
    locker_retention: Duration | None = None
    sources: Sources = Field(default_factory=Sources)
    params: dict[str, dict[str, Any]] = Field(default_factory=dict)

    def period_bounds(self, as_of: datetime) -> tuple[datetime, datetime]:
        if self.period is None:
            return as_of - timedelta(days=365), as_of
        return self.period.bounds()


def resolve(base_dir: Path, path: str) -> Path:
    """A configured path: ``s3://`` and absolute paths as they are, others against base_dir."""
    candidate = Path(path)
    return candidate if candidate.is_absolute() else base_dir / candidate
