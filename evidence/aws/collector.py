"""The ``aws`` collector: live posture read through boto3 across accounts and regions.

Every account is set up in its own job (AssumeRole, caller identity, enabled
regions), which then spawns one job per (lister, region) for the requested
types; listings spawn their per-resource detail jobs into the same pool.
What workers find comes back to this thread as messages, where resources are
gathered and call records, errors and gaps are handed to the context.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import partial
from typing import Any, ClassVar, Literal

from engine.model import Event, Resource
from evidence.aws import config as aws_config
from evidence.aws.calls import CallFailed, CallScope, Denied, Record
from evidence.aws.runner import Crash, Runner
from evidence.aws.session import (
    AccountSession,
    Clients,
    Hook,
    assume,
    base_session,
    caller_identity,
    enabled_regions,
    first_region,
)
from evidence.aws.table import Lister, all_types, listers
from evidence.aws.task import Count, Failure, NotCollected, Task, guarded
from evidence.interface import CollectContext, Collector, CollectRequest


class AwsCollector(Collector):
    source: ClassVar[str] = "aws"
    kind: ClassVar[Literal["posture", "events", "manual"]] = "posture"
    version: ClassVar[str] = "1"

    def __init__(self, config: Mapping[str, Any], context: CollectContext, *,
                 hooks: Sequence[Hook] = ()) -> None:
        """``hooks`` are botocore event handlers registered on every client (tests
        inject denied calls with them; the benchmark adds network latency)."""
        super().__init__(config, context)
        self.cfg = aws_config.parse(config)
        self.hooks = tuple(hooks)

    @classmethod
    def knows_type(cls, type_name: str) -> bool:
        return type_name in all_types()

    def scope(self) -> dict[str, Any]:
        accounts = [{"id": a.id, "role_arn": a.role_arn} for a in self.cfg.accounts]
        return {"regions": list(self.cfg.regions) if self.cfg.regions is not None else "all",
                "accounts": accounts or "caller", "endpoint_url": self.cfg.endpoint_url,
                "max_workers": self.cfg.max_workers}

    def collect(self, request: CollectRequest) -> Iterator[Resource | Event]:
        known = all_types()
        unknown = sorted(t for t in request.types if t not in known)
        if unknown:
            self.context.note(f"aws: no such resource types: {', '.join(unknown)}")
        wanted = frozenset(request.types) & known if request.types else known
        if not wanted:
            return
        runner = Runner(self.cfg.max_workers)
        plan = _Plan(self.cfg, self.hooks, runner, wanted, request.shard)
        resources: list[Resource] = []
        reported: set[tuple[frozenset[str], str]] = set()
        for message in runner.run(plan.account_jobs()):
            if isinstance(message, Resource):
                resources.append(message)
            else:
                self._dispatch(message, reported)
        self.context.count("aws.resources", len(resources))
        yield from sorted(resources, key=lambda r: (r.type, r.id))

    def _dispatch(self, message: Any, reported: set[tuple[frozenset[str], str]]) -> None:
        ctx = self.context
        if isinstance(message, Record):
            ctx.store_artifact(name=message.name, data=message.data,
                               media_type="application/json", query=message.query,
                               item_count=message.item_count, complete=message.complete)
            ctx.count("aws.api_calls")
        elif isinstance(message, NotCollected):
            if (message.types, message.scope) not in reported:
                reported.add((message.types, message.scope))
                ctx.not_collected(sorted(message.types), scope=message.scope,
                                  reason=message.reason)
        elif isinstance(message, Failure):
            ctx.error(f"aws: {message.message}", location=message.location)
        elif isinstance(message, Count):
            ctx.count(message.key, message.n)
        elif isinstance(message, Crash):
            ctx.error(f"aws: internal error while collecting: {message.error!r}", location="aws")
        else:  # pragma: no cover - a message type added without a dispatch branch
            ctx.error(f"aws: unexpected message {message!r}", location="aws")


class _Plan:
    """Turns accounts × regions × requested types into jobs."""

    def __init__(self, cfg: aws_config.AwsConfig, hooks: Sequence[Hook], runner: Runner,
                 wanted: frozenset[str], shard: Mapping[str, list[str]]) -> None:
        self.cfg = cfg
        self.runner = runner
        self.wanted = wanted
        self.shard_accounts = set(shard.get("accounts") or ())
        self.shard_regions = set(shard.get("regions") or ())
        self.session = base_session(cfg)
        self.base = Clients(self.session, cfg, hooks)
        self.hooks = hooks
        self.region = first_region(cfg, self.session)
        self.listers = [lister for lister in listers() if set(lister.types) & wanted]
        self._identity: CallScope | None = None
        self._identity_lock = threading.Lock()

    def account_jobs(self) -> list[Any]:
        if not self.cfg.accounts:
            return [lambda: self._guard_account(None)]
        return [lambda a=a: self._guard_account(a) for a in self.cfg.accounts
                if not self.shard_accounts or a.id in self.shard_accounts]

    def _guard_account(self, account: aws_config.Account | None) -> None:
        label = account.id if account else "caller"
        try:
            self._set_up(account)
        except Denied as exc:
            self.runner.post(NotCollected(self.wanted, f"{label}/*", str(exc)))
        except CallFailed as exc:
            self.runner.post(Failure(f"account {label}: {exc}", f"aws:{label}"))

    def _set_up(self, account: aws_config.Account | None) -> None:
        clients = self.base
        if account is not None and account.role_arn:
            session = assume(self.base, self._base_identity(), account, self.cfg,
                             self.runner.post)
            clients = Clients(session, self.cfg, self.hooks)
        identity = caller_identity(clients, self.region, self.runner.post,
                                   account.id if account else "")
        if account is not None and identity.account != account.id:
            raise CallFailed(f"the credentials belong to account {identity.account}, "
                             f"not {account.id} (give a role_arn to reach it)")
        if account is None and self.shard_accounts \
                and identity.account not in self.shard_accounts:
            return
        acct = AccountSession(identity.account, identity.caller_arn, clients)
        acct.regions = self._regions(acct)
        for lister in self.listers:
            self._spawn(acct, lister)

    def _base_identity(self) -> CallScope:
        """Who assumes the accounts' roles (asked once, for the record of AssumeRole)."""
        with self._identity_lock:
            if self._identity is None:
                self._identity = caller_identity(self.base, self.region, self.runner.post, "")
            return self._identity

    def _regions(self, acct: AccountSession) -> list[str]:
        if self.cfg.regions is None:
            return enabled_regions(acct.clients, self.region, acct.recorder(self.region,
                                                                           self.runner.post))
        return list(self.cfg.regions) or [self.region]

    def _in_shard(self, regions: Iterable[str]) -> list[str]:
        return [r for r in regions if not self.shard_regions or r in self.shard_regions]

    def _spawn(self, acct: AccountSession, lister: Lister) -> None:
        types = frozenset(lister.types) & self.wanted
        if lister.scope == "global":
            # Account-wide types are read once, by the shard holding the home region.
            targets = [(acct.home_region, "global")] if self._in_shard([acct.home_region]) else []
        else:
            targets = [(r, r) for r in self._in_shard(acct.regions)]
        for region, where in targets:
            task = Task(acct, region, where, types, self.runner, service=lister.service)
            self.runner.spawn(partial(guarded, task, lister.fn))
