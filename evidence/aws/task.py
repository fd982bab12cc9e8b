"""What a lister works with: one account and region, the types wanted, and ways to
call AWS (recorded), emit resources, and spawn per-resource detail jobs."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from engine.model import Location, Resource
from engine.values import Unknown
from evidence.aws.calls import CallFailed, Denied, Recorder
from evidence.aws.runner import Runner
from evidence.aws.session import AccountSession

T = TypeVar("T")


@dataclass(frozen=True)
class Failure:
    """A call failed after retries: an error, the run is incomplete."""

    message: str
    location: str


@dataclass(frozen=True)
class NotCollected:
    """Types that could not be read in one account/region, and why."""

    types: frozenset[str]
    scope: str
    reason: str


@dataclass(frozen=True)
class Count:
    key: str
    n: int = 1


@dataclass
class Task:
    account: AccountSession
    region: str  # where calls go
    location_region: str  # the region resources are placed in ("global" for account-wide)
    types: frozenset[str]  # the requested types this task produces
    runner: Runner
    service: str = ""
    label: str = field(default="")

    @cached_property
    def recorder(self) -> Recorder:
        return self.account.recorder(self.region, self.runner.post)

    @property
    def scope(self) -> str:
        return f"{self.account.account}/{self.location_region}"

    def wants(self, type_name: str) -> bool:
        return type_name in self.types

    def client(self, service: str, region: str | None = None) -> Any:
        return self.account.clients.get(service, region or self.region)

    def call(self, service: str, operation: str, params: Mapping[str, Any] | None = None, *,
             absent: Collection[str] = (), key: str | None = None,
             region: str | None = None) -> dict[str, Any] | None:
        recorder = self.recorder if region in (None, self.region) else \
            self.account.recorder(region or self.region, self.runner.post)
        return recorder.call(self.client(service, region), operation, params,
                             absent=absent, key=key)

    def items(self, service: str, operation: str, result_key: str,
              params: Mapping[str, Any] | None = None, *, key: str | None = None) -> list[Any]:
        """The concatenated ``result_key`` lists of every page."""
        pages = self.recorder.pages(self.client(service), operation, params, key=key)
        return [item for page in pages for item in page.get(result_key, [])]

    def detail(self, service: str, operation: str, params: Mapping[str, Any] | None = None, *,
               absent: Collection[str] = (), key: str | None = None,
               region: str | None = None) -> dict[str, Any] | None | Unknown:
        """A per-resource call whose failure must not drop the resource: a denied call
        gives ``Unknown`` (checks reading it become unknown, never pass); a failed
        call gives ``Unknown`` and an error (the run is incomplete)."""
        return self._unknown_on_failure(
            lambda: self.call(service, operation, params, absent=absent, key=key, region=region),
            service, key)

    def detail_items(self, service: str, operation: str, result_key: str,
                     params: Mapping[str, Any] | None = None, *,
                     key: str | None = None) -> list[Any] | Unknown:
        """``items`` for a per-resource paginated call, failing like ``detail``."""
        return self._unknown_on_failure(
            lambda: self.items(service, operation, result_key, params, key=key), service, key)

    def _unknown_on_failure(self, call: Callable[[], T], service: str,
                            key: str | None) -> T | Unknown:
        try:
            return call()
        except Denied as exc:
            self.runner.post(Count("aws.denied_detail_calls"))
            return Unknown(f"{exc} — in {self.scope}")
        except CallFailed as exc:
            self.runner.post(Failure(f"{exc} ({key})", self.location(service)))
            return Unknown(f"{exc} — in {self.scope}")

    def location(self, service: str) -> str:
        return f"aws:{self.account.account}/{self.region}/{service}"

    def emit(self, type_name: str, arn: str, attributes: dict[str, Any], *,
             refs: Mapping[str, Iterable[str]] | None = None, region: str | None = None) -> None:
        clean_refs = {k: sorted(set(v)) for k, v in (refs or {}).items() if v}
        where = region or self.location_region
        self.runner.post(Resource(
            source="aws", type=type_name, id=arn, attributes=attributes,
            location=Location(account=self.account.account, region=where, arn=arn),
            refs=clean_refs))

    def spawn(self, fn: Callable[..., None], *args: Any) -> None:
        """Run ``fn(self, *args)`` as its own job in the pool (a per-resource detail job)."""
        self.runner.spawn(lambda: guarded(self, fn, *args))


def guarded(task: Task, fn: Callable[..., None], *args: Any) -> None:
    """Run a lister or detail job, turning its failures into not_collected or an error."""
    try:
        fn(task, *args)
    except Denied as exc:
        task.runner.post(NotCollected(task.types, task.scope, str(exc)))
    except CallFailed as exc:
        task.runner.post(Failure(str(exc), task.location(task.service)))


def put(attributes: dict[str, Any], name: str, value: Any) -> None:
    """Set ``name`` unless ``value`` is None (a configuration that is not set is absent)."""
    if value is not None:
        attributes[name] = value
