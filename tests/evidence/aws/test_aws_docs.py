"""docs/aws-resources.md is the collector's public contract: it lists exactly the
types the collector's table knows."""

from __future__ import annotations

import re
from pathlib import Path

from evidence.aws.collector import AwsCollector
from evidence.aws.table import all_types

DOC = Path(__file__).resolve().parents[3] / "docs" / "aws-resources.md"


def documented_types() -> set[str]:
    return set(re.findall(r"^\| `(aws\.[a-z0-9_]+\.[a-z0-9_]+)` \|", DOC.read_text(), re.M))


def test_docs_table_matches_the_collector() -> None:
    assert documented_types() == set(all_types())


def test_knows_type_answers_from_the_table() -> None:
    assert AwsCollector.knows_type("aws.s3.bucket")
    assert AwsCollector.knows_type("aws.ec2.security_group")
    assert not AwsCollector.knows_type("aws.s3.bukket")
    assert not AwsCollector.knows_type("aws_s3_bucket")


def test_docs_name_every_api_call_behind_each_type() -> None:
    from evidence.aws.table import listers

    rows = {m.group(1): m.group(2) for m in re.finditer(
        r"^\| `(aws\.[a-z0-9_.]+)` \| [^|]* \| ([^|]*) \|", DOC.read_text(), re.M)}
    for lister in listers():  # a lister's calls are documented on the types it yields
        documented = " ".join(rows[t] for t in lister.types)
        for operation in lister.operations:
            assert re.search(rf"\b{operation}\b", documented), (lister.types, operation)


def test_the_documented_configuration_is_accepted() -> None:
    import yaml

    from engine.config import Config
    from evidence.aws.config import parse

    block = re.search(r"```yaml\n(sources:\n  aws:.*?)```", DOC.read_text(), re.S)
    assert block is not None
    config = Config.model_validate(yaml.safe_load(block.group(1)))
    aws = parse(config.sources.configured()["aws"])
    assert (aws.max_attempts, aws.read_timeout, aws.role_duration_seconds) == (8, 30.0, 3600)
