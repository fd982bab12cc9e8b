"""EC2: security groups, volumes, VPCs with their flow logs, EBS encryption by default."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from evidence.aws.common import account_arn
from evidence.aws.table import Lister
from evidence.aws.task import Task

SECURITY_GROUP, VOLUME = "aws.ec2.security_group", "aws.ec2.volume"
VPC, EBS_DEFAULT = "aws.ec2.vpc", "aws.ec2.ebs_encryption_by_default"


def _arn(task: Task, kind: str, resource_id: str) -> str:
    return f"arn:aws:ec2:{task.region}:{task.account.account}:{kind}/{resource_id}"


def list_security_groups(task: Task) -> None:
    for group in task.items("ec2", "DescribeSecurityGroups", "SecurityGroups"):
        arn = group.get("SecurityGroupArn") or _arn(task, "security-group", group["GroupId"])
        refs = {"VpcId": [_arn(task, "vpc", group["VpcId"])]} if group.get("VpcId") else {}
        task.emit(SECURITY_GROUP, arn, group, refs=refs)


def _kms_refs(item: dict[str, Any]) -> dict[str, list[str]]:
    key = item.get("KmsKeyId")
    return {"KmsKeyId": [key]} if isinstance(key, str) and key.startswith("arn:") else {}


def list_volumes(task: Task) -> None:
    for volume in task.items("ec2", "DescribeVolumes", "Volumes"):
        task.emit(VOLUME, _arn(task, "volume", volume["VolumeId"]), volume,
                  refs=_kms_refs(volume))


def list_vpcs(task: Task) -> None:
    vpcs = task.items("ec2", "DescribeVpcs", "Vpcs")
    flow_logs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if vpcs:
        for log in task.items("ec2", "DescribeFlowLogs", "FlowLogs"):
            flow_logs[log.get("ResourceId", "")].append(log)
    for vpc in vpcs:
        arn = _arn(task, "vpc", vpc["VpcId"])
        task.emit(VPC, arn, {**vpc, "FlowLogs": flow_logs.get(vpc["VpcId"], [])})


def ebs_encryption_by_default(task: Task) -> None:
    found = task.call("ec2", "GetEbsEncryptionByDefault") or {}
    attrs = {k: v for k, v in found.items() if k in ("EbsEncryptionByDefault", "SseType")}
    task.emit(EBS_DEFAULT,
              account_arn("ec2", task.region, task.account.account, "ebs_encryption_by_default"),
              attrs)


LISTERS = [
    Lister("ec2", (SECURITY_GROUP,), "regional", list_security_groups,
           ("DescribeSecurityGroups",)),
    Lister("ec2", (VOLUME,), "regional", list_volumes, ("DescribeVolumes",)),
    Lister("ec2", (VPC,), "regional", list_vpcs, ("DescribeVpcs", "DescribeFlowLogs")),
    Lister("ec2", (EBS_DEFAULT,), "regional", ebs_encryption_by_default,
           ("GetEbsEncryptionByDefault",)),
]
