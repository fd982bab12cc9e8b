"""Elastic Load Balancing v2: load balancers (with their attributes) and listeners."""

from __future__ import annotations

from typing import Any

from evidence.aws.table import Lister
from evidence.aws.task import Task, put

LOAD_BALANCER, LISTENER = "aws.elbv2.load_balancer", "aws.elbv2.listener"


def list_load_balancers(task: Task) -> None:
    for balancer in task.items("elbv2", "DescribeLoadBalancers", "LoadBalancers"):
        task.spawn(read_load_balancer, balancer)


def read_load_balancer(task: Task, balancer: dict[str, Any]) -> None:
    arn = balancer["LoadBalancerArn"]
    name = balancer.get("LoadBalancerName", arn)
    if task.wants(LOAD_BALANCER):
        attrs = dict(balancer)
        found = task.detail("elbv2", "DescribeLoadBalancerAttributes",
                            {"LoadBalancerArn": arn}, key=name)
        put(attrs, "Attributes", found.get("Attributes", []) if isinstance(found, dict)
            else found)
        refs = {"SecurityGroups": [f"arn:aws:ec2:{task.region}:{task.account.account}:"
                                   f"security-group/{g}" for g in balancer.get("SecurityGroups", [])]}
        task.emit(LOAD_BALANCER, arn, attrs, refs=refs)
    if task.wants(LISTENER):
        for listener in task.items("elbv2", "DescribeListeners", "Listeners",
                                   {"LoadBalancerArn": arn}, key=name):
            task.emit(LISTENER, listener["ListenerArn"], listener,
                      refs={"LoadBalancerArn": [arn]})


LISTERS = [
    Lister("elbv2", (LOAD_BALANCER, LISTENER), "regional", list_load_balancers,
           ("DescribeLoadBalancers", "DescribeLoadBalancerAttributes", "DescribeListeners")),
]
