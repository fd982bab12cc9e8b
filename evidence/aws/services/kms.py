"""KMS: customer-managed keys with their rotation status."""

from __future__ import annotations

from typing import Any

from engine.values import Unknown
from evidence.aws.table import Lister
from evidence.aws.task import Task

KEY = "aws.kms.key"


_DESCRIBED = ("KeyManager", "KeyState", "KeySpec", "Origin", "KeyRotationEnabled")


def list_keys(task: Task) -> None:
    for key in task.items("kms", "ListKeys", "Keys"):
        task.spawn(read_key, key["KeyId"], key.get("KeyArn"))


def read_key(task: Task, key_id: str, key_arn: str | None = None) -> None:
    found = task.detail("kms", "DescribeKey", {"KeyId": key_id}, key=key_id)
    if isinstance(found, Unknown):
        # A key policy may refuse the auditor: the key stays in the population, unknown.
        arn = key_arn or f"arn:aws:kms:{task.region}:{task.account.account}:key/{key_id}"
        task.emit(KEY, arn, {"KeyId": key_id, "Arn": arn, **{k: found for k in _DESCRIBED}})
        return
    meta: dict[str, Any] = dict((found or {}).get("KeyMetadata", {}))
    if meta.get("KeyManager") != "CUSTOMER":
        return  # AWS-managed keys are not the customer's to configure
    attrs = dict(meta)
    if meta.get("KeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT" \
            and meta.get("Origin", "AWS_KMS") == "AWS_KMS" \
            and meta.get("KeyState") not in ("PendingDeletion", "PendingImport"):
        rotation = task.detail("kms", "GetKeyRotationStatus", {"KeyId": key_id}, key=key_id)
        attrs["KeyRotationEnabled"] = rotation if isinstance(rotation, Unknown) \
            else (rotation or {}).get("KeyRotationEnabled")
    else:  # rotation does not apply (asymmetric, imported or pending deletion): reported false
        attrs["KeyRotationEnabled"] = False
    task.emit(KEY, meta["Arn"], attrs)


LISTERS = [
    Lister("kms", (KEY,), "regional", list_keys,
           ("ListKeys", "DescribeKey", "GetKeyRotationStatus")),
]
