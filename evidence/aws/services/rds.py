"""RDS: DB instances and DB parameter groups (with their parameters)."""

from __future__ import annotations

from typing import Any

from evidence.aws.table import Lister
from evidence.aws.task import Task

DB_INSTANCE, PARAMETER_GROUP = "aws.rds.db_instance", "aws.rds.db_parameter_group"


def _group_arn(task: Task, name: str) -> str:
    return f"arn:aws:rds:{task.region}:{task.account.account}:pg:{name}"


def list_db_instances(task: Task) -> None:
    for db in task.items("rds", "DescribeDBInstances", "DBInstances"):
        refs = {"DBParameterGroups": [_group_arn(task, g["DBParameterGroupName"])
                                      for g in db.get("DBParameterGroups", [])]}
        if str(db.get("KmsKeyId", "")).startswith("arn:"):
            refs["KmsKeyId"] = [db["KmsKeyId"]]
        task.emit(DB_INSTANCE, db["DBInstanceArn"], db, refs=refs)


def list_parameter_groups(task: Task) -> None:
    for group in task.items("rds", "DescribeDBParameterGroups", "DBParameterGroups"):
        task.spawn(read_parameter_group, group)


def read_parameter_group(task: Task, group: dict[str, Any]) -> None:
    name = group["DBParameterGroupName"]
    parameters = task.detail_items("rds", "DescribeDBParameters", "Parameters",
                                   {"DBParameterGroupName": name}, key=name)
    arn = group.get("DBParameterGroupArn") or _group_arn(task, name)
    task.emit(PARAMETER_GROUP, arn, {**group, "Parameters": parameters})


LISTERS = [
    Lister("rds", (DB_INSTANCE,), "regional", list_db_instances, ("DescribeDBInstances",)),
    Lister("rds", (PARAMETER_GROUP,), "regional", list_parameter_groups,
           ("DescribeDBParameterGroups", "DescribeDBParameters")),
]
