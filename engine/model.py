"""The data model: what controls, catalogs, evidence and findings look like.

Every model that reads user input forbids unknown keys, so a typo in a control
file is a located load error instead of a silently ignored field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from engine.status import Severity, Status


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# --------------------------------------------------------------------------- durations

_DURATION_PART = re.compile(r"(\d+)([smhdw])")
_DURATION_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """Parse ``90d``, ``24h``, ``1d12h``; raise ValueError on anything else."""
    if not isinstance(text, str) or not text or _DURATION_PART.sub("", text) != "":
        raise ValueError(f"invalid duration {text!r}; expected e.g. 90d, 24h, 30m, 1d12h")
    total = timedelta()
    for amount, unit in _DURATION_PART.findall(text):
        total += timedelta(**{_DURATION_UNITS[unit]: int(amount)})
    return total


def _check_duration(text: str) -> str:
    parse_duration(text)
    return text


Duration = Annotated[str, AfterValidator(_check_duration)]


def _check_regex(text: str) -> str:
    try:
        re.compile(text)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {text!r}: {exc}") from None
    return text


Regex = Annotated[str, AfterValidator(_check_regex)]


# --------------------------------------------------------------------------- conditions


class ParamRef(StrictModel):
    """An operand read from a control parameter: ``{param: name}``."""

    param: str


VALUE_OPERATORS = ("eq", "ne", "in", "not_in", "matches", "gt", "gte", "lt", "lte", "age_lte")
COLLECTION_OPERATORS = ("exists", "contains", "not_contains", "cidr_open")
OPERATORS = VALUE_OPERATORS + COLLECTION_OPERATORS
Operator = Literal[
    "eq", "ne", "in", "not_in", "matches", "gt", "gte", "lt", "lte", "age_lte",
    "exists", "contains", "not_contains", "cidr_open",
]


class Leaf(StrictModel):
    """``{path: a.b[0].c, <operator>: operand}`` — exactly one operator."""

    path: str = Field(min_length=1)
    eq: Any = None
    ne: Any = None
    in_: list[Any] | ParamRef | None = Field(None, alias="in")
    not_in: list[Any] | ParamRef | None = None
    matches: Regex | ParamRef | None = None
    gt: float | str | ParamRef | None = None
    gte: float | str | ParamRef | None = None
    lt: float | str | ParamRef | None = None
    lte: float | str | ParamRef | None = None
    age_lte: Duration | ParamRef | None = None
    exists: bool | None = None
    contains: Any = None
    not_contains: Any = None
    cidr_open: bool | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> Leaf:
        given = self.operators_given()
        if len(given) != 1:
            raise ValueError(
                f"a path condition needs exactly one operator, got {len(given)}"
                f" ({', '.join(given) or 'none'}); operators: {', '.join(OPERATORS)}"
            )
        return self

    def operators_given(self) -> list[str]:
        names = {"in_": "in"}
        return [names.get(f, f) for f in self.model_fields_set if f != "path"]

    @property
    def operator(self) -> str:
        return self.operators_given()[0]

    @property
    def operand(self) -> Any:
        op = self.operator
        return getattr(self, "in_" if op == "in" else op)


class All(StrictModel):
    all: list[Condition] = Field(min_length=1)


class AnyOf(StrictModel):
    any: list[Condition] = Field(min_length=1)


class Not(StrictModel):
    not_: Condition = Field(alias="not")


class ItemsSpec(StrictModel):
    path: str = Field(min_length=1)
    where: Condition


class Items(StrictModel):
    """``any_item | all_items | no_item: {path, where}`` — exactly one quantifier."""

    any_item: ItemsSpec | None = None
    all_items: ItemsSpec | None = None
    no_item: ItemsSpec | None = None

    @model_validator(mode="after")
    def _one_quantifier(self) -> Items:
        if len(self._given()) != 1:
            raise ValueError("use exactly one of any_item, all_items, no_item")
        return self

    def _given(self) -> list[str]:
        return [name for name in ("any_item", "all_items", "no_item")
                if getattr(self, name) is not None]

    @property
    def quantifier(self) -> Literal["any_item", "all_items", "no_item"]:
        name = self._given()[0]
        assert name in ("any_item", "all_items", "no_item")
        return name  # type: ignore[return-value]

    @property
    def spec(self) -> ItemsSpec:
        spec = getattr(self, self.quantifier)
        assert isinstance(spec, ItemsSpec)
        return spec


class Related(StrictModel):
    """Holds when a resource of ``related`` type whose ``by`` attribute references
    this one exists (and satisfies ``assert`` when given)."""

    related: str = Field(min_length=1)
    by: str = Field(min_length=1)
    assert_: Condition | None = Field(None, alias="assert")


def _condition_kind(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return {All: "all", AnyOf: "any", Not: "not", Items: "items", Related: "related",
                Leaf: "leaf"}.get(type(value))
    if not isinstance(value, dict):
        return None
    for key, kind in (("all", "all"), ("any", "any"), ("not", "not"), ("related", "related"),
                      ("any_item", "items"), ("all_items", "items"), ("no_item", "items"),
                      ("path", "leaf")):
        if key in value:
            return kind
    return None


Condition = Annotated[
    Annotated[All, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[Not, Tag("not")]
    | Annotated[Items, Tag("items")]
    | Annotated[Related, Tag("related")]
    | Annotated[Leaf, Tag("leaf")],
    Discriminator(
        _condition_kind,
        custom_error_type="invalid_condition",
        custom_error_message=(
            "expected a condition: all, any, not, {path, <operator>}, "
            "any_item, all_items, no_item or related"
        ),
    ),
]

for _model in (All, AnyOf, Not, ItemsSpec, Related):
    _model.model_rebuild()


# --------------------------------------------------------------------------- controls

POSTURE_SOURCES = frozenset({"terraform", "terraform_plan", "aws"})
EVENT_SOURCES = frozenset({"cloudtrail", "k8s_audit", "auditlog"})
MANUAL_SOURCES = frozenset({"manual"})
BUILTIN_SOURCES = POSTURE_SOURCES | EVENT_SOURCES | MANUAL_SOURCES

CONTROL_ID = r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$"
CHECK_ID = r"^[a-z0-9][a-z0-9_-]*$"


class EventsSpec(StrictModel):
    where: Condition | None = None


class GapExpectation(StrictModel):
    max_gap: Duration


class AttestationSpec(StrictModel):
    name: str = Field(min_length=1)
    max_age: Duration


class Check(StrictModel):
    """One way to test a control against one source."""

    id: str = Field(pattern=CHECK_ID)
    source: str = Field(min_length=1)
    description: str = ""
    resource: str | None = None
    events: EventsSpec | None = None
    attestation: AttestationSpec | None = None
    where: Condition | None = None
    assert_: Condition | None = Field(None, alias="assert")
    expect: Literal["none"] | GapExpectation | None = None
    remediation: str = Field(min_length=1)

    @model_validator(mode="after")
    def _shape(self) -> Check:
        if self.source in EVENT_SOURCES:
            self._event_shape()
        elif self.source in MANUAL_SOURCES:
            if self.attestation is None:
                raise ValueError("a manual check needs attestation: {name, max_age}")
            self._forbid("resource", "events", "where", "assert_", "expect")
        elif self.source in POSTURE_SOURCES or self.resource is not None:
            if self.resource is None:
                raise ValueError(f"a {self.source} check needs resource: TYPE")
            if self.assert_ is None:
                raise ValueError("a posture check needs assert: CONDITION")
            self._forbid("events", "attestation", "expect")
        return self

    def _event_shape(self) -> None:
        if self.events is None:
            raise ValueError(f"a {self.source} check needs events: {{where: CONDITION}}")
        self._forbid("resource", "attestation", "where")
        has_assert = self.assert_ is not None
        if (self.expect is None) == (not has_assert) or (self.expect is not None and has_assert):
            raise ValueError("an event check needs exactly one of expect: none, "
                             "expect: {max_gap: D} or assert: CONDITION")
        if self.expect == "none" and self.events.where is None:
            raise ValueError("expect: none needs events: {where: CONDITION}; "
                             "without where every event would fail")

    def _forbid(self, *names: str) -> None:
        for name in names:
            if getattr(self, name) is not None:
                raise ValueError(f"{name.rstrip('_')} is not used by a {self.source} check")

    @property
    def kind(self) -> Literal["posture", "events", "manual"]:
        if self.events is not None:
            return "events"
        if self.attestation is not None:
            return "manual"
        return "posture"


class Param(StrictModel):
    default: Any = None
    description: str = ""


class Control(StrictModel):
    id: str = Field(pattern=CONTROL_ID)
    title: str = Field(min_length=1)
    objective: str = Field(min_length=1)
    severity: Severity
    frameworks: dict[str, list[str]] = Field(min_length=1)
    params: dict[str, Param] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)
    checks: list[Check] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_checks(self) -> Control:
        seen: set[str] = set()
        for check in self.checks:
            if check.id in seen:
                raise ValueError(f"duplicate check id {check.id!r}")
            seen.add(check.id)
        return self

    @property
    def sources(self) -> list[str]:
        return sorted({c.source for c in self.checks})


# --------------------------------------------------------------------------- catalogs


class Requirement(StrictModel):
    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    parent: str | None = None
    heading: bool = False  # pure grouping headings are not requirements (DESIGN: Requirements)
    implementation: Literal["standard", "required", "addressable"] | None = None  # HIPAA


class Framework(StrictModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    version: str
    source: str = ""
    requirements: list[Requirement]
    not_covered: dict[str, str] = Field(default_factory=dict)
    not_applicable: dict[str, str] = Field(default_factory=dict)

    @property
    def requirement_ids(self) -> list[str]:
        return [r.id for r in self.requirements if not r.heading]


# --------------------------------------------------------------------------- evidence


class Location(StrictModel):
    """Where evidence sits: ``file``/``line`` (Terraform, logs) or ``account``/``region``/``arn`` (AWS)."""

    file: str | None = None
    line: int | None = None
    account: str | None = None
    region: str | None = None
    arn: str | None = None


class Suppression(StrictModel):
    """An inline ``# assay:ignore CONTROL[.CHECK] reason="…" until=YYYY-MM-DD`` comment."""

    control: str
    check: str | None = None
    reason: str | None = None
    until: datetime | None = None
    file: str
    line: int


class Resource(BaseModel):
    """What a posture collector yields. ``attributes`` may hold ``engine.values.Unknown``.

    ``refs`` maps an attribute name to the ids of the resources it references, so
    ``related: TYPE, by: ATTR`` can be answered without re-parsing expressions.
    """

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    source: str
    type: str
    id: str
    attributes: dict[str, Any]
    location: Location = Field(default_factory=Location)
    refs: dict[str, list[str]] = Field(default_factory=dict)
    suppressions: list[Suppression] = Field(default_factory=list)
    artifacts: list[str] = Field(default_factory=list)  # sha256s of the evidence it was read from


@dataclass(frozen=True, slots=True)
class Event:
    """What a log collector yields: the raw record, its UTC time and where it was read.

    A slotted dataclass rather than a pydantic model: millions stream through one
    pass and validation would dominate the cost; collectors build them from
    already-parsed JSON.
    """

    source: str
    timestamp: datetime
    attributes: dict[str, Any]
    location: str
    id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Artifact(StrictModel):
    """Raw evidence stored in the locker, with the information an auditor tests."""

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    name: str
    size: int
    media_type: str
    collector: str
    collector_version: str
    query: dict[str, Any] | str
    item_count: int
    complete: bool
    collected_at: datetime


# --------------------------------------------------------------------------- waivers


class Waiver(StrictModel):
    id: str = Field(min_length=1)
    control: str
    check: str | None = None
    resources: list[str] | None = None  # fnmatchcase globs on resource id
    justification: str = Field(min_length=1)
    approver: str = Field(min_length=1)
    ticket: str | None = None
    expires: datetime
    compensating_controls: list[str] = Field(default_factory=list)


class WaiverFile(StrictModel):
    waivers: list[Waiver]


# --------------------------------------------------------------------------- findings


class ResourceRef(StrictModel):
    type: str
    id: str
    location: Location = Field(default_factory=Location)


class Window(StrictModel):
    start: datetime
    end: datetime


class Finding(StrictModel):
    control_id: str
    check_id: str
    status: Status
    severity: Severity
    source: str
    resource: ResourceRef
    message: str
    waiver: str | None = None
    baseline: Literal["new", "existing"] | None = None
    window: Window | None = None
    artifacts: list[str] = Field(default_factory=list)
