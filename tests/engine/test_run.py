"""The run orchestration end to end, with recorded resources standing in for a source."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from engine.errors import ControlError
from engine.model import Event, Resource
from engine.results import results_json_schema
from engine.run import RunPlan, execute
from engine.status import RequirementStatus, Status
from evidence import registry
from evidence.interface import Collector, CollectRequest, Part
from evidence.testing import recorded_source
from tests.engine.factories import AS_OF, catalog, control

KEYS = [
    {"type": "aws_kms_key", "id": "aws_kms_key.a", "attributes": {"enable_key_rotation": True},
     "location": {"file": "main.tf", "line": 1}},
    {"type": "aws_kms_key", "id": "aws_kms_key.b", "attributes": {},
     "location": {"file": "main.tf", "line": 2}},
    {"type": "aws_kms_key", "id": "aws_kms_key.c",
     "attributes": {"enable_key_rotation": {"$unknown": "var.rot is not set"}},
     "location": {"file": "main.tf", "line": 3}},
]


def plan(sources: dict[str, dict[str, Any]], **changes: Any) -> RunPlan:
    values: dict[str, Any] = dict(
        controls=[control()], catalogs={"demo": catalog()}, frameworks=["demo"], sources=sources,
        base_dir=Path("."), as_of=AS_OF, period=(AS_OF, AS_OF), redact=lambda b: b)
    values.update(changes)
    return RunPlan(**values)


@pytest.fixture
def terraform() -> Iterator[None]:
    with recorded_source("terraform"):
        yield


def test_issue_example_end_to_end(terraform: None) -> None:
    results = execute(plan({"terraform": {"resources": KEYS}}))
    statuses = {f.resource.id: f.status for f in results.findings}
    assert statuses == {"aws_kms_key.a": Status.PASS, "aws_kms_key.b": Status.FAIL,
                        "aws_kms_key.c": Status.UNKNOWN}
    assert results.controls[0].status is Status.FAIL
    assert results.controls[0].checks[0].counts.model_dump(by_alias=True) == {
        "tested": 3, "pass": 1, "fail": 1, "unknown": 1, "waived": 0, "error": 0,
        "not_collected": 0}
    requirement = results.frameworks[0].requirements[0]
    assert (requirement.id, requirement.status) == ("R1", RequirementStatus.NOT_SATISFIED)
    assert results.run.complete and results.summary["fail"] == 1
    assert results.controls[0].checks[0].message == ""  # the findings say why
    assert results.findings[1].resource.location.file == "main.tf"


def test_results_validate_against_the_committed_schema(terraform: None) -> None:
    document = json.loads(execute(plan({"terraform": {"resources": KEYS}})).to_json())
    jsonschema.validate(document, results_json_schema())
    committed = Path(__file__).parents[2] / "engine" / "schemas" / "results.schema.json"
    assert json.loads(committed.read_text()) == results_json_schema(), \
        "engine/schemas/results.schema.json is stale: run `assay schema results`"


def test_same_inputs_give_the_same_bytes(terraform: None) -> None:
    first = execute(plan({"terraform": {"resources": KEYS}}))
    assert first.to_json() == execute(plan({"terraform": {"resources": KEYS}})).to_json()
    reordered = execute(plan({"terraform": {"resources": list(reversed(KEYS))}}))
    assert reordered.findings == first.findings and reordered.controls == first.controls


def test_unconfigured_source_is_not_collected_never_pass() -> None:
    results = execute(plan({}))
    assert results.controls[0].status is Status.NOT_COLLECTED
    assert results.findings[0].message == "source terraform is not configured"
    assert results.controls[0].checks[0].counts.not_collected == 1
    assert results.summary["not_collected"] == 1
    assert results.frameworks[0].requirements[0].status is RequirementStatus.INCOMPLETE


class Exploding(Collector):
    source = "terraform"
    kind = "posture"

    def collect(self, request: CollectRequest) -> Iterator[Resource | Event]:
        raise OSError("disk on fire")


class Partial(Collector):
    source = "terraform"
    kind = "posture"

    def collect(self, request: CollectRequest) -> Iterator[Resource | Event]:
        self.context.error("broken.tf:3: unexpected token", "broken.tf:3")
        self.context.not_collected(["aws_kms_key"], "111111111111/eu-west-1", "AccessDenied")
        yield Resource(source="terraform", type="aws_kms_key", id="k",
                       attributes={"enable_key_rotation": True})


class Empty(Collector):
    source = "terraform"
    kind = "posture"

    def collect(self, request: CollectRequest) -> Iterator[Resource | Event]:
        assert request.types == frozenset({"aws_kms_key"})
        self.context.error("only.tf: not UTF-8 text", "only.tf")
        return iter(())


@pytest.fixture
def collector_class() -> Iterator[Any]:
    def use(cls: type[Collector]) -> None:
        registry.register(cls)
    yield use
    registry._extra.pop("terraform", None)


def test_broken_collector_is_error_and_incomplete(collector_class: Any) -> None:
    collector_class(Exploding)
    results = execute(plan({"terraform": {}}))
    assert results.controls[0].status is Status.ERROR
    assert not results.run.complete
    assert "disk on fire" in results.run.errors[0].message
    (error,) = results.findings
    assert (error.status, error.resource.id) == (Status.ERROR, "terraform")
    assert results.summary["error"] == 1 and results.controls[0].checks[0].counts.error == 1


def test_denied_scope_is_not_collected_beside_real_findings(collector_class: Any) -> None:
    collector_class(Partial)
    results = execute(plan({"terraform": {}}))
    statuses = sorted((f.resource.id, f.status.value) for f in results.findings)
    assert statuses == [("111111111111/eu-west-1", "not_collected"), ("k", "pass")]
    assert results.controls[0].status is Status.NOT_COLLECTED
    assert not results.run.complete
    assert results.run.sources[0].not_collected[0]["reason"] == "AccessDenied"


def test_errors_with_nothing_evaluated_is_error_not_not_applicable(collector_class: Any) -> None:
    collector_class(Empty)
    results = execute(plan({"terraform": {}}))
    assert results.controls[0].status is Status.ERROR
    assert "reported 1 error" in results.controls[0].checks[0].message


PARAM_CHECK = [{"id": "tf", "source": "terraform", "resource": "aws_kms_key",
                "assert": {"path": "deletion_window_in_days", "gte": {"param": "min_days"}},
                "remediation": "r"}]


def test_params_defaults_and_overrides(terraform: None) -> None:
    ctl = control(checks=PARAM_CHECK, params={"min_days": {"default": 7}})
    keys = [{"type": "aws_kms_key", "id": "k", "attributes": {"deletion_window_in_days": 10}}]
    assert execute(plan({"terraform": {"resources": keys}}, controls=[ctl])).findings[0].status \
        is Status.PASS
    overridden = execute(plan({"terraform": {"resources": keys}}, controls=[ctl],
                              params={"EX-KMS-01": {"min_days": 30}}))
    assert overridden.findings[0].status is Status.FAIL
    with pytest.raises(ControlError, match="has no parameter 'days'"):
        execute(plan({}, controls=[ctl], params={"EX-KMS-01": {"days": 3}}))
    with pytest.raises(ControlError, match="no control with id 'NOPE-01'"):
        execute(plan({}, controls=[ctl], params={"NOPE-01": {}}))


def test_plan_file_reuses_terraform_checks() -> None:
    with recorded_source("terraform_plan"):
        results = execute(plan({"terraform_plan": {"resources": KEYS}},
                               only_sources=frozenset({"terraform_plan"})))
    assert {f.source for f in results.findings} == {"terraform_plan"}
    assert {f.resource.id: f.status for f in results.findings}["aws_kms_key.b"] is Status.FAIL


def test_check_mode_leaves_out_controls_without_terraform_checks(terraform: None) -> None:
    manual = control("EX-POL-01", checks=[{"id": "m", "source": "manual", "remediation": "r",
                                            "attestation": {"name": "p", "max_age": "365d"}}])
    results = execute(plan({"terraform": {"resources": KEYS}}, controls=[control(), manual],
                           only_sources=frozenset({"terraform"})))
    assert [c.id for c in results.controls] == ["EX-KMS-01"]


def test_controls_outside_the_frameworks_in_scope_are_left_out(terraform: None) -> None:
    other = control("EX-OTHER-01", frameworks={"elsewhere": ["X"]})
    results = execute(plan({"terraform": {"resources": KEYS}}, controls=[control(), other]))
    assert [c.id for c in results.controls] == ["EX-KMS-01"]


def test_artifacts_are_redacted_hashed_and_stored(collector_class: Any) -> None:
    class Storing(Collector):
        source = "terraform"
        kind = "posture"

        def collect(self, request: CollectRequest) -> Iterator[Resource | Event]:
            sha = self.context.store_artifact(name="main.tf", data=b"password=hunter2",
                                              media_type="text/plain", query={"paths": ["."]},
                                              item_count=1, complete=True)
            yield Resource(source="terraform", type="aws_kms_key", id="k",
                           attributes={"enable_key_rotation": True}, artifacts=[sha])

    class Store:
        objects: dict[str, bytes] = {}

        def put_object(self, sha256: str, data: bytes) -> None:
            self.objects[sha256] = data

    collector_class(Storing)
    store = Store()
    results = execute(plan({"terraform": {}}, store=store,
                           redact=lambda b: b.replace(b"hunter2", b"[REDACTED]")))
    (artifact,) = results.artifacts
    assert store.objects[artifact.sha256] == b"password=[REDACTED]"
    assert results.findings[0].artifacts == [artifact.sha256]


class BrokenLog(Collector):
    source = "cloudtrail"
    kind = "events"

    def collect(self, request: CollectRequest) -> Iterator[Resource | Event]:
        self.context.error("trail.json.gz: truncated gzip", "trail.json.gz")
        yield Event(source="cloudtrail", timestamp=AS_OF, location="a.json:1",
                    attributes={"eventName": "ConsoleLogin", "userIdentity": {"type": "IAMUser"}})


def test_partial_log_cannot_prove_an_absence() -> None:
    root_login = control("EX-ROOT-01", checks=[{
        "id": "ct", "source": "cloudtrail", "remediation": "r", "expect": "none",
        "events": {"where": {"path": "userIdentity.type", "eq": "Root"}}}])
    registry.register(BrokenLog)
    try:
        results = execute(plan({"cloudtrail": {}}, controls=[root_login]))
    finally:
        registry._extra.pop("cloudtrail", None)
    assert results.controls[0].status is Status.ERROR
    assert not results.run.complete


class RootLog(Collector):
    source = "cloudtrail"
    kind = "events"

    def collect(self, request: CollectRequest) -> Iterator[Resource | Event]:
        yield Event(source="cloudtrail", timestamp=AS_OF, location="a.json:1", id="e-1",
                    attributes={"eventName": "ConsoleLogin", "userIdentity": {"type": "Root"}})
        self.context.store_artifact(name="cloudtrail-manifest.json", data=b"{}",
                                    media_type="application/json", query={"paths": ["a.json"]},
                                    item_count=1, complete=True)


def test_event_findings_cite_the_source_evidence() -> None:
    root_login = control("EX-ROOT-01", checks=[{
        "id": "ct", "source": "cloudtrail", "remediation": "r", "expect": "none",
        "events": {"where": {"path": "userIdentity.type", "eq": "Root"}}}])
    registry.register(RootLog)
    try:
        results = execute(plan({"cloudtrail": {}}, controls=[root_login]))
    finally:
        registry._extra.pop("cloudtrail", None)
    (failing,) = results.findings
    assert failing.status is Status.FAIL and failing.resource.id == "e-1"
    assert failing.artifacts == [results.artifacts[0].sha256]


class DeniedRelated(Collector):
    source = "terraform"
    kind = "posture"

    def collect(self, request: CollectRequest) -> Iterator[Resource | Event]:
        assert "aws_s3_bucket_versioning" in request.types
        self.context.not_collected(["aws_s3_bucket_versioning"], "111111111111/eu-west-1",
                                   "AccessDenied")
        yield Resource(source="terraform", type="aws_s3_bucket", id="b", attributes={})


def test_a_related_type_not_collected_shows_beside_the_finding(collector_class: Any) -> None:
    versioned = control("EX-S3-01", checks=[{
        "id": "tf", "source": "terraform", "resource": "aws_s3_bucket", "remediation": "r",
        "assert": {"related": "aws_s3_bucket_versioning", "by": "bucket"}}])
    collector_class(DeniedRelated)
    results = execute(plan({"terraform": {}}, controls=[versioned]))
    statuses = sorted((f.resource.id, f.status.value) for f in results.findings)
    # b has no versioning among what was read, but the denied region may hold it
    assert statuses == [("111111111111/eu-west-1", "not_collected"), ("b", "unknown")]
    bucket = next(f for f in results.findings if f.resource.id == "b")
    assert bucket.message == ("no aws_s3_bucket_versioning references this resource through "
                              "bucket, but the aws_s3_bucket_versioning resources of "
                              "111111111111/eu-west-1 could not be read (AccessDenied)")
    assert results.controls[0].status not in (Status.PASS, Status.FAIL)


class Parted(Collector):
    """A posture source in one part, counting how often the engine asks for parts."""

    source = "terraform"
    kind = "posture"
    asked: list[str] = []

    def parts(self, request: CollectRequest) -> list[Part] | None:
        Parted.asked.append("parts")
        def collect() -> list[Resource]:
            Parted.asked.append("part collected")
            return list(self._keys())

        return [Part("only", key=lambda: "inputs-v1", collect=collect)]

    def collect(self, request: CollectRequest) -> Iterator[Resource | Event]:
        Parted.asked.append("collect")
        yield from self._keys()

    def _keys(self) -> Iterator[Resource]:
        self.context.store_artifact(name="keys.json", data=b"[]", media_type="application/json",
                                    query="keys", item_count=3, complete=True)
        for record in KEYS:
            yield Resource(source="terraform", type=record["type"], id=record["id"],
                           attributes={k: v for k, v in record["attributes"].items()
                                       if not isinstance(v, dict)})


class Store:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def put_object(self, sha256: str, data: bytes) -> None:
        self.objects[sha256] = data


def test_parts_are_kept_only_for_a_run_that_stores_no_evidence(collector_class: Any,
                                                                tmp_path: Path) -> None:
    collector_class(Parted)
    Parted.asked.clear()
    cached = plan({"terraform": {}}, cache_dir=tmp_path)
    first, second = execute(cached), execute(cached)
    # the second run reads the part's findings back instead of collecting it
    assert Parted.asked == ["parts", "part collected", "parts"]
    assert first.to_json() == second.to_json()
    assert [a.name for a in second.artifacts] == ["keys.json"]  # told again from the cache
    Parted.asked.clear()
    store = Store()
    stored = execute(plan({"terraform": {}}, cache_dir=tmp_path, store=store))
    assert Parted.asked == ["collect"]  # evidence kept in a locker is collected afresh
    assert [a.sha256 for a in stored.artifacts] == list(store.objects)
    assert stored.findings == first.findings
