"""S3: buckets (listed once per account, read in their own region) and the
account-level public access block."""

from __future__ import annotations

import json
from typing import Any

from engine.values import Unknown
from evidence.aws.calls import Denied
from evidence.aws.common import account_arn
from evidence.aws.session import GLOBAL
from evidence.aws.table import Lister
from evidence.aws.task import Count, NotCollected, Task, put

BUCKET = "aws.s3.bucket"
ACCOUNT_PAB = "aws.s3.account_public_access_block"


def _member(found: dict[str, Any] | None | Unknown, name: str) -> Any:
    if isinstance(found, Unknown) or found is None:
        return found
    return found.get(name)


def list_buckets(task: Task) -> None:
    for bucket in sorted(task.items("s3", "ListBuckets", "Buckets"), key=lambda b: b["Name"]):
        task.spawn(read_bucket, bucket)


def bucket_region(task: Task, bucket: dict[str, Any]) -> str:
    """The bucket's region: from ListBuckets when the endpoint gives it, else asked."""
    region = bucket.get("BucketRegion")
    if region is None:
        found = task.call("s3", "GetBucketLocation", {"Bucket": bucket["Name"]},
                          key=bucket["Name"]) or {}
        region = found.get("LocationConstraint") or "us-east-1"
    return "eu-west-1" if region == "EU" else str(region)  # EU: the legacy name


def located_region(task: Task, bucket: dict[str, Any]) -> str | None:
    """``bucket_region``, else HeadBucket's ``BucketRegion`` when GetBucketLocation is
    denied (a role may list buckets without s3:GetBucketLocation); None when neither
    answers: that bucket alone is then not collected."""
    try:
        return bucket_region(task, bucket)
    except Denied as location_denied:
        name = bucket["Name"]
        try:
            found = task.call("s3", "HeadBucket", {"Bucket": name}, key=name) or {}
        except Denied:
            found = {}
        region = found.get("BucketRegion")
        if not region:
            task.runner.post(NotCollected(
                task.types, f"{task.account.account}/arn:aws:s3:::{name}",
                f"{location_denied}; the bucket's region is unknown, so it was not read"))
            return None
        return str(region)


def read_bucket(task: Task, bucket: dict[str, Any]) -> None:
    """One job per bucket, so a thousand buckets are read side by side."""
    name = bucket["Name"]
    region = located_region(task, bucket)
    if region is None:
        return
    if region not in task.account.regions:
        task.runner.post(Count("aws.s3.buckets_outside_regions"))
        return
    attrs: dict[str, Any] = {"Name": name, "CreationDate": bucket.get("CreationDate"),
                             "Region": region}

    def get(operation: str, absent: tuple[str, ...] = ()) -> dict[str, Any] | None | Unknown:
        return task.detail("s3", operation, {"Bucket": name}, absent=absent, key=name,
                           region=region)

    put(attrs, "Encryption", _member(
        get("GetBucketEncryption", ("ServerSideEncryptionConfigurationNotFoundError",)),
        "ServerSideEncryptionConfiguration"))
    put(attrs, "PublicAccessBlock", _member(
        get("GetPublicAccessBlock", ("NoSuchPublicAccessBlockConfiguration",)),
        "PublicAccessBlockConfiguration"))
    versioning = get("GetBucketVersioning")
    if versioning:  # never configured: an empty answer, the key stays absent
        put(attrs, "Versioning", versioning)
    put(attrs, "Logging", _member(get("GetBucketLogging"), "LoggingEnabled"))
    policy = _member(get("GetBucketPolicy", ("NoSuchBucketPolicy",)), "Policy")
    put(attrs, "Policy", json.loads(policy) if isinstance(policy, str) else policy)
    put(attrs, "ObjectLock", _member(
        get("GetObjectLockConfiguration", ("ObjectLockConfigurationNotFoundError",)),
        "ObjectLockConfiguration"))
    put(attrs, "Tags", _member(get("GetBucketTagging", ("NoSuchTagSet",)), "TagSet"))
    refs = {}
    logging = attrs.get("Logging")
    if isinstance(logging, dict) and logging.get("TargetBucket"):
        refs["Logging"] = [f"arn:aws:s3:::{logging['TargetBucket']}"]
    task.emit(BUCKET, f"arn:aws:s3:::{name}", attrs, refs=refs, region=region)


def account_public_access_block(task: Task) -> None:
    account = task.account.account
    found = task.call("s3control", "GetPublicAccessBlock", {"AccountId": account},
                      absent=("NoSuchPublicAccessBlockConfiguration",))
    attrs = dict((found or {}).get("PublicAccessBlockConfiguration", {}))
    task.emit(ACCOUNT_PAB, account_arn("s3", "", account, "account_public_access_block"),
              attrs, region=GLOBAL)


LISTERS = [
    Lister("s3", (BUCKET,), "global", list_buckets,
           ("ListBuckets", "GetBucketLocation", "HeadBucket", "GetBucketEncryption", "GetPublicAccessBlock",
            "GetBucketVersioning", "GetBucketLogging", "GetBucketPolicy",
            "GetObjectLockConfiguration", "GetBucketTagging")),
    Lister("s3control", (ACCOUNT_PAB,), "global", account_public_access_block,
           ("GetPublicAccessBlock",)),
]
