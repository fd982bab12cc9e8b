"""Sessions, accounts and regions: who assay calls AWS as, and where.

One botocore client per (account session, region, service), created once under
a lock (creating clients is not thread-safe) and reused by every worker
(calling a client is). Clients use adaptive retries with a bounded number of
attempts and connect/read timeouts, so a throttled or unreachable endpoint
ends in an error instead of a hang.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import CredentialProvider, RefreshableCredentials

from evidence.aws.calls import CallScope, Record, Recorder, Sink
from evidence.aws.config import Account, AwsConfig

Hook = tuple[str, Callable[..., Any]]  # (botocore event name, handler) registered on every client
DEFAULT_REGION = "us-east-1"
GLOBAL = "global"  # the location region of account-wide resources (IAM, S3 account settings)


class Clients:
    """The client cache of one boto3 session."""

    def __init__(self, session: boto3.Session, cfg: AwsConfig, hooks: Sequence[Hook]) -> None:
        self._session = session
        self._cfg = cfg
        self._hooks = tuple(hooks)
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str], Any] = {}
        options: dict[str, Any] = {
            "retries": {"mode": "adaptive", "total_max_attempts": cfg.max_attempts},
            "connect_timeout": cfg.connect_timeout,
            "read_timeout": cfg.read_timeout,
            "max_pool_connections": max(10, cfg.max_workers + 4),
        }
        if cfg.endpoint_url:
            # A single local endpoint (moto, a proxy) serves every service by path.
            options["s3"] = {"addressing_style": "path"}
            options["inject_host_prefix"] = False
        self._config = Config(**options)

    def get(self, service: str, region: str) -> Any:
        with self._lock:
            client = self._clients.get((service, region))
            if client is None:
                client = self._session.client(service, region_name=region,
                                              endpoint_url=self._cfg.endpoint_url,
                                              config=self._config)
                if self._cfg.endpoint_url and service == "s3control":
                    client.meta.events.register("before-send", strip_account_host_prefix)
                for event, handler in self._hooks:
                    client.meta.events.register(event, handler)
                self._clients[(service, region)] = client
            return client


_ACCOUNT_HOST_PREFIX = re.compile(r"^(https?://)\d{12}\.")


def strip_account_host_prefix(request: Any, **_: Any) -> None:
    """S3 Control puts the account id in front of the host (``123….s3-control…``);
    a single custom endpoint (moto, a proxy on an IP address) serves it by path."""
    request.url = _ACCOUNT_HOST_PREFIX.sub(r"\1", request.url)


@dataclass
class AccountSession:
    """One account as assay reaches it: identity, clients, and the regions in scope."""

    account: str
    caller_arn: str
    clients: Clients
    regions: list[str] = field(default_factory=list)
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)
    _memo_locks: dict[str, threading.Lock] = field(default_factory=dict, repr=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per account (e.g. the credential report two listers read).
        A second caller waits for the first; an exception is not cached."""
        with self._guard:
            lock = self._memo_locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._memo:
                self._memo[key] = compute()
            return self._memo[key]

    @property
    def home_region(self) -> str:
        """Where account-wide services are called (and in which shard they are read)."""
        return DEFAULT_REGION if DEFAULT_REGION in self.regions or not self.regions \
            else self.regions[0]

    def recorder(self, region: str, sink: Sink) -> Recorder:
        return Recorder(CallScope(self.account, region, self.caller_arn), sink)


def base_session(cfg: AwsConfig) -> boto3.Session:
    """The profile's session, or the default credential chain."""
    return boto3.Session(profile_name=cfg.profile) if cfg.profile else boto3.Session()


def first_region(cfg: AwsConfig, session: boto3.Session) -> str:
    if cfg.regions:
        return cfg.regions[0]
    return session.region_name or DEFAULT_REGION


def caller_identity(clients: Clients, region: str, sink: Sink, account_hint: str) -> CallScope:
    """Ask STS who we are; the call is recorded with the identity it answered."""
    held: list[Record] = []
    found: dict[str, Any] = {}
    try:
        found = Recorder(CallScope(account_hint, region, ""), held.append).call(
            clients.get("sts", region), "GetCallerIdentity") or {}
    finally:
        for record in held:
            record.query["caller_arn"] = str(found.get("Arn", ""))
            record.query["account"] = str(found.get("Account", account_hint))
            sink(record)
    return CallScope(str(found.get("Account", account_hint)), region, str(found.get("Arn", "")))


def assume(base: Clients, caller: CallScope, account: Account, cfg: AwsConfig,
           sink: Sink) -> boto3.Session:
    """A session for ``account`` through STS AssumeRole, asked as ``caller`` (recorded,
    credentials redacted). The role is assumed again, and recorded again, shortly before
    the credentials expire, so a scan longer than the role's session keeps its access."""
    assert account.role_arn is not None
    params: dict[str, Any] = {"RoleArn": account.role_arn,
                              "RoleSessionName": cfg.role_session_name}
    if account.external_id:
        params["ExternalId"] = account.external_id
    if cfg.role_duration_seconds is not None:
        params["DurationSeconds"] = cfg.role_duration_seconds
    recorder = Recorder(CallScope(account.id, caller.region, caller.caller_arn), sink)

    def fetch() -> dict[str, str]:
        found = recorder.call(base.get("sts", caller.region), "AssumeRole", params,
                              key=account.id) or {}
        creds = found["Credentials"]
        expires = creds["Expiration"]
        return {"access_key": creds["AccessKeyId"], "secret_key": creds["SecretAccessKey"],
                "token": creds["SessionToken"],
                "expiry_time": expires.isoformat() if hasattr(expires, "isoformat")
                else str(expires)}

    credentials = RefreshableCredentials.create_from_metadata(
        fetch(), refresh_using=fetch, method=_Assumed.METHOD)  # the first call fails here
    core = botocore.session.Session()
    core.get_component("credential_provider").insert_before("env", _Assumed(credentials))
    return boto3.Session(botocore_session=core, region_name=caller.region)


class _Assumed(CredentialProvider):  # type: ignore[misc]  # botocore has no type hints
    """Hands a session the role's refreshing credentials ahead of any other source."""

    METHOD = "assay-assume-role"
    CANONICAL_NAME = "assay-assume-role"

    def __init__(self, credentials: RefreshableCredentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> RefreshableCredentials:
        return self._credentials


def enabled_regions(clients: Clients, region: str, recorder: Recorder) -> list[str]:
    """The account's enabled regions (``regions: all``), sorted."""
    found = recorder.call(clients.get("ec2", region), "DescribeRegions") or {}
    return sorted(r["RegionName"] for r in found.get("Regions", []))
