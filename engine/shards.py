"""Shards: one night's scan split over several machines, merged afterwards.

``assay scan --shard regions=eu-west-1`` reads only that part of AWS;
``--shard sources=terraform,cloudtrail,manual`` runs those sources. Terraform,
plan, log and attestation sources run in exactly one shard; AWS may be split
by ``accounts`` and ``regions``. Every shard of a night is started with the
same ``--as-of`` (or the config's pinned as-of) and records:

- ``shard``: ``{sources: [...], regions?: [...], accounts?: [...], configured: [...]}``;
- ``group_id``: the run id the whole, unsharded scan would have had —
  which is also the id ``assay merge`` gives the merged run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from engine.errors import AssayError
from engine.run import RunPlan, run_id

SHARD_KEYS = ("sources", "regions", "accounts")
AWS_KEYS = ("regions", "accounts")


def parse_shard(values: Sequence[str]) -> dict[str, list[str]]:
    """``["regions=eu-west-1,us-east-1", "sources=aws"]`` → ``{"regions": [...], ...}``."""
    shard: dict[str, list[str]] = {}
    for value in values:
        key, sep, items = value.partition("=")
        key = key.strip()
        if not sep or key not in SHARD_KEYS:
            raise AssayError(f"--shard {value!r}: expected KEY=VALUE[,VALUE…] with KEY one of "
                             f"{', '.join(SHARD_KEYS)}")
        parts = sorted({p.strip() for p in items.split(",") if p.strip()})
        if not parts:
            raise AssayError(f"--shard {value!r}: no values")
        if key in shard:
            raise AssayError(f"--shard {key} given twice")
        shard[key] = parts
    return shard


def _restrict_aws(config: dict[str, Any], shard: dict[str, list[str]]) -> dict[str, Any]:
    restricted = dict(config)
    if "regions" in shard:
        configured = config.get("regions")
        if isinstance(configured, list):
            unknown = sorted(set(shard["regions"]) - set(configured))
            if unknown:
                raise AssayError(f"--shard regions: {', '.join(unknown)} not in sources.aws.regions"
                                 f" ({', '.join(configured)})")
        restricted["regions"] = shard["regions"]
    if "accounts" in shard:
        accounts = config.get("accounts") or []
        known = {str(a.get("id")) for a in accounts}
        unknown = sorted(set(shard["accounts"]) - known)
        if unknown:
            raise AssayError(f"--shard accounts: {', '.join(unknown)} not in sources.aws.accounts")
        restricted["accounts"] = [a for a in accounts if str(a.get("id")) in shard["accounts"]]
    return restricted


def apply_shard(plan: RunPlan, shard: dict[str, list[str]]) -> RunPlan:
    """The plan of one shard: only its sources, AWS narrowed to its accounts/regions."""
    if not shard:
        return plan
    configured = sorted(plan.sources)
    aws_split = any(k in shard for k in AWS_KEYS)
    sources = shard.get("sources") or (["aws"] if aws_split else configured)
    unknown = sorted(set(sources) - set(configured))
    if unknown:
        raise AssayError(f"--shard sources: {', '.join(unknown)} not configured "
                         f"(configured: {', '.join(configured) or 'none'})")
    if aws_split and "aws" not in sources:
        raise AssayError("--shard regions/accounts split the aws source, "
                         "but this shard does not run it")
    selected = {name: plan.sources[name] for name in sources}
    if aws_split:
        selected["aws"] = _restrict_aws(selected["aws"], shard)
    recorded = {**shard, "sources": sorted(sources), "configured": configured}
    return dataclasses.replace(plan, sources=selected, shard=recorded)


def group_id(plan: RunPlan, library_digest: str) -> str:
    """The id of the unsharded run of the same night and inputs."""
    configured = plan.shard.get("configured") or sorted(plan.sources)
    whole = dataclasses.replace(plan, sources={s: {} for s in configured}, shard={})
    return run_id(whole, library_digest)
