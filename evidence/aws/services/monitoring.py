"""Detection services, one resource per region even when switched off (so a check
can fail on the region): AWS Config recorders, GuardDuty detectors, Security Hub."""

from __future__ import annotations

from evidence.aws.common import account_arn
from evidence.aws.table import Lister
from evidence.aws.task import Task

RECORDER, DETECTOR, HUB = "aws.config.recorder", "aws.guardduty.detector", "aws.securityhub.hub"


def list_recorders(task: Task) -> None:
    found = task.call("config", "DescribeConfigurationRecorders") or {}
    recorders = found.get("ConfigurationRecorders", [])
    if not recorders:
        task.emit(RECORDER, account_arn("config", task.region, task.account.account,
                                        "configuration-recorder"), {})
        return
    statuses = task.call("config", "DescribeConfigurationRecorderStatus") or {}
    by_name = {s.get("name"): s for s in statuses.get("ConfigurationRecordersStatus", [])}
    for recorder in recorders:
        arn = recorder.get("arn") or account_arn(
            "config", task.region, task.account.account,
            f"configuration-recorder/{recorder['name']}")
        attrs = dict(recorder)
        if recorder["name"] in by_name:
            attrs["Status"] = by_name[recorder["name"]]
        task.emit(RECORDER, arn, attrs)


def list_detectors(task: Task) -> None:
    ids = task.items("guardduty", "ListDetectors", "DetectorIds")
    account = task.account.account
    if not ids:
        task.emit(DETECTOR, account_arn("guardduty", task.region, account, "detector"), {})
    for detector_id in ids:
        found = task.call("guardduty", "GetDetector", {"DetectorId": detector_id},
                          key=detector_id) or {}
        task.emit(DETECTOR, account_arn("guardduty", task.region, account,
                                        f"detector/{detector_id}"),
                  {"DetectorId": detector_id, **found})


def hub(task: Task) -> None:
    found = task.call("securityhub", "DescribeHub",
                      absent=("InvalidAccessException", "ResourceNotFoundException"))
    account = task.account.account
    if found is None:
        task.emit(HUB, account_arn("securityhub", task.region, account, "hub/default"),
                  {"Enabled": False})
        return
    arn = found.get("HubArn") or account_arn("securityhub", task.region, account, "hub/default")
    task.emit(HUB, arn, {**found, "Enabled": True})


LISTERS = [
    Lister("config", (RECORDER,), "regional", list_recorders,
           ("DescribeConfigurationRecorders", "DescribeConfigurationRecorderStatus")),
    Lister("guardduty", (DETECTOR,), "regional", list_detectors,
           ("ListDetectors", "GetDetector")),
    Lister("securityhub", (HUB,), "regional", hub, ("DescribeHub",)),
]
