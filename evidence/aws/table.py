"""The resource table: every type the AWS collector yields and the lister behind it.

This is the collector's public contract (documented in docs/aws-resources.md; a
test keeps the two in step). A lister produces one or more types from shared
calls; the collector runs only the listers whose types a request names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

ListerFn = Callable[[Any], None]  # called with an evidence.aws.task.Task


@dataclass(frozen=True)
class Lister:
    service: str  # boto3 client name
    types: tuple[str, ...]
    scope: Literal["global", "regional"]
    fn: ListerFn
    operations: tuple[str, ...]  # the API operations it may call, for the docs


def listers() -> list[Lister]:
    from evidence.aws.services import (
        data,
        ec2,
        iam,
        kms,
        logging,
        monitoring,
        network,
        rds,
        s3,
    )

    found: list[Lister] = []
    for module in (s3, iam, kms, ec2, network, rds, logging, monitoring, data):
        found.extend(module.LISTERS)
    return found


def all_types() -> frozenset[str]:
    return frozenset(t for lister in listers() for t in lister.types)
