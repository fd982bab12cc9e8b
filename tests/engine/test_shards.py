"""--shard parsing and what a shard's plan runs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from engine.errors import AssayError
from engine.run import RunPlan, run_id
from engine.shards import apply_shard, group_id, parse_shard

AS_OF = datetime(2026, 6, 30, 2, tzinfo=UTC)


def _plan(**sources: dict[str, Any]) -> RunPlan:
    return RunPlan(controls=[], catalogs={}, frameworks=["soc2"], sources=dict(sources),
                   base_dir=Path("."), as_of=AS_OF, period=(AS_OF, AS_OF),
                   redact=lambda data, name: data, config_digest="c")


AWS = {"regions": ["eu-west-1", "us-east-1"], "endpoint_url": None,
       "accounts": [{"id": "111111111111", "role_arn": "arn:aws:iam::111111111111:role/a"},
                    {"id": "222222222222", "role_arn": "arn:aws:iam::222222222222:role/a"}]}


def test_parse_shard() -> None:
    assert parse_shard(["regions=us-east-1, eu-west-1", "accounts=111111111111"]) == {
        "regions": ["eu-west-1", "us-east-1"], "accounts": ["111111111111"]}
    assert parse_shard([]) == {}
    for bad, message in (("regions", "KEY=VALUE"), ("zones=a", "KEY one of"),
                         ("regions=", "no values")):
        with pytest.raises(AssayError, match=message):
            parse_shard([bad])
    with pytest.raises(AssayError, match="given twice"):
        parse_shard(["regions=a", "regions=b"])


def test_aws_shard_runs_only_its_regions_and_accounts() -> None:
    plan = _plan(aws=AWS, terraform={"paths": ["infra"]}, manual={"path": "att"})
    shard = apply_shard(plan, parse_shard(["regions=eu-west-1", "accounts=222222222222"]))
    assert sorted(shard.sources) == ["aws"]
    assert shard.sources["aws"]["regions"] == ["eu-west-1"]
    assert [a["id"] for a in shard.sources["aws"]["accounts"]] == ["222222222222"]
    assert shard.shard == {"regions": ["eu-west-1"], "accounts": ["222222222222"],
                           "sources": ["aws"], "configured": ["aws", "manual", "terraform"]}
    assert plan.sources["aws"]["regions"] == ["eu-west-1", "us-east-1"]  # not changed in place
    # the shard's group is the run id of the whole night
    whole = group_id(shard, "lib")
    assert whole == group_id(apply_shard(plan, parse_shard(["sources=terraform,manual"])), "lib")
    assert whole == run_id(plan, "lib")


def test_bad_shards_for_the_configuration() -> None:
    plan = _plan(aws=AWS, terraform={"paths": ["infra"]})
    cases = [
        (["regions=ap-south-1"], "ap-south-1 not in sources.aws.regions"),
        (["accounts=333333333333"], "333333333333 not in sources.aws.accounts"),
        (["sources=cloudtrail"], "cloudtrail not configured"),
        (["sources=terraform", "regions=eu-west-1"], "does not run it"),
    ]
    for specs, message in cases:
        with pytest.raises(AssayError, match=message):
            apply_shard(plan, parse_shard(specs))
    assert apply_shard(plan, {}) is plan
