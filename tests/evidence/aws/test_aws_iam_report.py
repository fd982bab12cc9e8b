"""The credential report's root row, root MFA and backdated access keys.

moto's credential report has no ``<root_account>`` row, its GetAccountSummary
cannot say the root has MFA, and it cannot backdate access keys, so these calls
are answered by botocore's Stubber with recorded responses of the real service
(shapes as AWS returns them, values made up).
"""

from __future__ import annotations

import queue
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.stub import Stubber

from engine.model import Resource
from evidence.aws.runner import Runner
from evidence.aws.services import iam
from evidence.aws.session import AccountSession
from evidence.aws.task import Task

ACCOUNT = "210987654321"
REPORT = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n"
    f"<root_account>,arn:aws:iam::{ACCOUNT}:root,2019-03-01T10:00:00+00:00,not_supported,"
    "2026-11-20T08:15:02+00:00,not_supported,not_supported,true,true,2020-01-05T09:00:00+00:00,"
    "2026-10-01T12:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
    f"old-keys,arn:aws:iam::{ACCOUNT}:user/old-keys,2021-06-01T00:00:00+00:00,false,N/A,N/A,"
    "N/A,false,true,2022-02-01T00:00:00+00:00,no_information,N/A,N/A,true,"
    "2026-11-01T00:00:00+00:00,2026-11-24T23:59:59+00:00,eu-west-1,iam,false,N/A,false,N/A\n"
)


class _Clients:
    def __init__(self, client: Any) -> None:
        self.client = client

    def get(self, service: str, region: str) -> Any:
        return self.client


def run_lister(fn: Any, responses: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    client = boto3.client("iam", region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="x")
    with Stubber(client) as stub:
        for operation, response in responses:
            stub.add_response(operation, response)
        runner = Runner(1)
        account = AccountSession(ACCOUNT, f"arn:aws:iam::{ACCOUNT}:role/audit", _Clients(client),
                                 ["us-east-1"])
        task = Task(account, "us-east-1", "global", frozenset(), runner, service="iam")
        fn(task)
        stub.assert_no_pending_responses()
    messages: list[Any] = []
    out: queue.SimpleQueue[Any] = runner._out
    while not out.empty():
        messages.append(out.get())
    return messages


def test_root_row_and_root_mfa() -> None:
    messages = run_lister(iam.list_root, [
        ("generate_credential_report", {"State": "COMPLETE"}),
        ("get_credential_report", {"Content": REPORT.encode(), "ReportFormat": "text/csv",
                                   "GeneratedTime": datetime(2026, 11, 25, tzinfo=UTC)}),
        ("get_account_summary", {"SummaryMap": {"AccountMFAEnabled": 1,
                                                "AccountAccessKeysPresent": 1, "Users": 1}}),
    ])
    [root] = [m for m in messages if isinstance(m, Resource)]
    assert root.type == "aws.iam.root" and root.id == f"arn:aws:iam::{ACCOUNT}:root"
    attrs = root.attributes
    assert attrs["AccountMFAEnabled"] is True and attrs["AccountAccessKeysPresent"] is True
    assert attrs["mfa_active"] is True and attrs["access_key_1_active"] is True
    assert attrs["password_last_used"] == "2026-11-20T08:15:02Z"
    assert attrs["access_key_1_last_rotated"] == "2020-01-05T09:00:00Z"
    assert "password_enabled" not in attrs  # not_supported for root → absent
    assert "access_key_2_last_rotated" not in attrs  # N/A → absent
    assert attrs["access_key_2_active"] is False


def test_backdated_keys_are_typed() -> None:
    rows = iam.parse_report(REPORT)
    old = rows["old-keys"]
    assert old["access_key_1_last_rotated"] == "2022-02-01T00:00:00Z"
    assert "access_key_1_last_used_date" not in old  # no_information → absent
    assert old["access_key_2_last_used_date"] == "2026-11-24T23:59:59Z"
    assert old["password_enabled"] is False and old["access_key_2_active"] is True
    assert old["access_key_2_last_used_service"] == "iam"


def test_report_still_generating_is_polled(monkeypatch: Any) -> None:
    monkeypatch.setattr(iam, "REPORT_POLL_SECONDS", (0.0, 0.0))
    messages = run_lister(iam.list_root, [
        ("generate_credential_report", {"State": "STARTED"}),
        ("generate_credential_report", {"State": "COMPLETE"}),
        ("get_credential_report", {"Content": REPORT.encode()}),
        ("get_account_summary", {"SummaryMap": {"AccountMFAEnabled": 0}}),
    ])
    [root] = [m for m in messages if isinstance(m, Resource)]
    assert root.attributes["AccountMFAEnabled"] is False
