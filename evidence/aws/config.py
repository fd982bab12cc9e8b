"""``sources.aws`` of assay.yaml, checked once before any call is made."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.errors import CollectorError

DEFAULT_MAX_WORKERS = 16
_KEYS = {"regions", "profile", "endpoint_url", "accounts", "max_workers", "max_attempts",
         "connect_timeout", "read_timeout", "role_session_name", "role_duration_seconds"}


@dataclass(frozen=True)
class Account:
    """An account reached by assuming ``role_arn`` (with ``external_id`` when the role
    asks); without ``role_arn``, the account the credentials themselves belong to."""

    id: str
    role_arn: str | None = None
    external_id: str | None = None


@dataclass(frozen=True)
class AwsConfig:
    regions: tuple[str, ...] | None = None  # None: "all" (the account's enabled regions)
    profile: str | None = None
    endpoint_url: str | None = None
    accounts: tuple[Account, ...] = field(default_factory=tuple)  # empty: the caller's account
    max_workers: int = DEFAULT_MAX_WORKERS
    max_attempts: int = 8  # adaptive retries: attempts per call, throttling included
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    role_session_name: str = "assay"
    role_duration_seconds: int | None = None  # AssumeRole's DurationSeconds; None: the role's


def _fail(message: str) -> CollectorError:
    return CollectorError(f"sources.aws: {message}")


def _regions(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return ()
    if value == "all":
        return None
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(r, str) and r for r in value):
        return tuple(dict.fromkeys(value))
    raise _fail("regions must be a list of region names or \"all\"")


def _accounts(value: Any) -> tuple[Account, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _fail("accounts must be a list of {id, role_arn, external_id?}")
    accounts = []
    for n, item in enumerate(value):
        if not isinstance(item, Mapping) or not item.get("id"):
            raise _fail(f"accounts[{n}] needs an id")
        unknown = set(item) - {"id", "role_arn", "external_id"}
        if unknown:
            raise _fail(f"accounts[{n}] has unknown keys: {', '.join(sorted(unknown))}")
        role, external = item.get("role_arn"), item.get("external_id")
        accounts.append(Account(str(item["id"]), None if role is None else str(role),
                                None if external is None else str(external)))
    return tuple(accounts)


def parse(config: Mapping[str, Any]) -> AwsConfig:
    """The typed form of ``sources.aws``; a CollectorError names the bad key."""
    unknown = set(config) - _KEYS
    if unknown:
        raise _fail(f"unknown keys: {', '.join(sorted(unknown))}")
    workers = config.get("max_workers", DEFAULT_MAX_WORKERS)
    if not isinstance(workers, int) or isinstance(workers, bool) or not 1 <= workers <= 256:
        raise _fail("max_workers must be an integer from 1 to 256")
    attempts = config.get("max_attempts", 8)
    if not isinstance(attempts, int) or isinstance(attempts, bool) or not 1 <= attempts <= 20:
        raise _fail("max_attempts must be an integer from 1 to 20")
    return AwsConfig(
        regions=_regions(config.get("regions")),
        profile=config.get("profile"),
        endpoint_url=config.get("endpoint_url"),
        accounts=_accounts(config.get("accounts")),
        max_workers=workers,
        max_attempts=attempts,
        connect_timeout=float(config.get("connect_timeout", 10.0)),
        read_timeout=float(config.get("read_timeout", 30.0)),
        role_session_name=str(config.get("role_session_name", "assay")),
        role_duration_seconds=_duration(config.get("role_duration_seconds")),
    )


def _duration(value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 900 <= value <= 43200:
        raise _fail("role_duration_seconds must be an integer from 900 to 43200")
    return value
