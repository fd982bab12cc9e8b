"""CloudTrail trails (with status and event selectors) and CloudWatch Logs log groups."""

from __future__ import annotations

from typing import Any

from evidence.aws.table import Lister
from evidence.aws.task import Task, put

TRAIL, LOG_GROUP = "aws.cloudtrail.trail", "aws.logs.log_group"


def log_group_arn(arn: str) -> str:
    """Log group ARNs without the ``:*`` some APIs append."""
    return arn[:-2] if arn.endswith(":*") else arn


def list_trails(task: Task) -> None:
    # Without shadow trails each trail is listed once, in its home region.
    found = task.call("cloudtrail", "DescribeTrails", {"includeShadowTrails": False}) or {}
    for trail in found.get("trailList", []):
        task.spawn(read_trail, trail)


def read_trail(task: Task, trail: dict[str, Any]) -> None:
    arn = trail["TrailARN"]
    name = trail.get("Name", arn)
    attrs = dict(trail)
    status = task.detail("cloudtrail", "GetTrailStatus", {"Name": arn}, key=name)
    put(attrs, "Status", status)
    selectors = task.detail("cloudtrail", "GetEventSelectors", {"TrailName": arn}, key=name)
    if isinstance(selectors, dict):
        put(attrs, "EventSelectors", selectors.get("EventSelectors"))
        put(attrs, "AdvancedEventSelectors", selectors.get("AdvancedEventSelectors"))
    else:
        put(attrs, "EventSelectors", selectors)
    refs = {}
    if trail.get("S3BucketName"):
        refs["S3BucketName"] = [f"arn:aws:s3:::{trail['S3BucketName']}"]
    if trail.get("KmsKeyId"):
        refs["KmsKeyId"] = [trail["KmsKeyId"]]
    if trail.get("CloudWatchLogsLogGroupArn"):
        refs["CloudWatchLogsLogGroupArn"] = [log_group_arn(trail["CloudWatchLogsLogGroupArn"])]
    task.emit(TRAIL, arn, attrs, refs=refs)


def list_log_groups(task: Task) -> None:
    for group in task.items("logs", "DescribeLogGroups", "logGroups"):
        arn = log_group_arn(group.get("logGroupArn") or group["arn"])
        refs = {"kmsKeyId": [group["kmsKeyId"]]} if group.get("kmsKeyId") else {}
        task.emit(LOG_GROUP, arn, group, refs=refs)


LISTERS = [
    Lister("cloudtrail", (TRAIL,), "regional", list_trails,
           ("DescribeTrails", "GetTrailStatus", "GetEventSelectors")),
    Lister("logs", (LOG_GROUP,), "regional", list_log_groups, ("DescribeLogGroups",)),
]
