"""IAM: users and the root user (credential report), password policy, and the
account's groups, roles and customer-managed policies (one paginated
GetAccountAuthorizationDetails call instead of one call per principal)."""

from __future__ import annotations

import csv
import io
import time
from datetime import datetime
from typing import Any

from engine.values import Unknown
from evidence.aws.calls import CallFailed
from evidence.aws.common import account_arn, iso, statements_as_list
from evidence.aws.session import GLOBAL
from evidence.aws.table import Lister
from evidence.aws.task import Task

USER, ROOT = "aws.iam.user", "aws.iam.root"
PASSWORD_POLICY, POLICY = "aws.iam.password_policy", "aws.iam.policy"
GROUP, ROLE = "aws.iam.group", "aws.iam.role"

ROOT_ROW = "<root_account>"
_BOOLEAN_COLUMNS = {"password_enabled", "mfa_active", "access_key_1_active",
                    "access_key_2_active", "cert_1_active", "cert_2_active"}
_TIME_COLUMNS = {"user_creation_time", "password_last_used", "password_last_changed",
                 "password_next_rotation", "access_key_1_last_rotated",
                 "access_key_1_last_used_date", "access_key_2_last_rotated",
                 "access_key_2_last_used_date", "cert_1_last_rotated", "cert_2_last_rotated"}
_NOT_A_VALUE = {"N/A", "no_information", "not_supported", ""}
REPORT_POLL_SECONDS = (0.2, 0.5, 1.0, 2.0, 2.0, 5.0, 5.0, 10.0, 10.0, 20.0, 20.0)


def typed_row(row: dict[str, str]) -> dict[str, Any]:
    """A credential-report row with booleans and ISO 8601 UTC times; N/A-like values absent."""
    typed: dict[str, Any] = {}
    for column, raw in row.items():
        value = (raw or "").strip()
        if value in _NOT_A_VALUE:
            continue
        if column in _BOOLEAN_COLUMNS:
            typed[column] = value.lower() == "true"
        elif column in _TIME_COLUMNS:
            typed[column] = iso(datetime.fromisoformat(value.replace("Z", "+00:00")))
        else:
            typed[column] = value
    return typed


def parse_report(content: str) -> dict[str, dict[str, Any]]:
    """Rows of the credential report CSV by user name (``<root_account>`` included)."""
    return {row["user"]: typed_row(row) for row in csv.DictReader(io.StringIO(content))}


def credential_report(task: Task) -> dict[str, dict[str, Any]]:
    def fetch() -> dict[str, dict[str, Any]]:
        for pause in (*REPORT_POLL_SECONDS, None):
            state = (task.call("iam", "GenerateCredentialReport") or {}).get("State")
            if state == "COMPLETE":
                break
            if pause is not None:
                time.sleep(pause)
        else:
            raise CallFailed("GenerateCredentialReport did not complete in time")
        found = task.call("iam", "GetCredentialReport") or {}
        return parse_report(str(found.get("Content", "")))

    report: dict[str, dict[str, Any]] = task.account.memo("iam.credential_report", fetch)
    return report


def authorization_details(task: Task, filters: list[str]) -> dict[str, list[Any]]:
    pages = task.recorder.pages(task.client("iam"), "GetAccountAuthorizationDetails",
                                {"Filter": filters})
    merged: dict[str, list[Any]] = {}
    for page in pages:
        for key in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"):
            merged.setdefault(key, []).extend(page.get(key, []))
    return merged


def list_root(task: Task) -> None:
    account = task.account.account
    row = credential_report(task).get(ROOT_ROW, {})
    attrs = dict(row)
    summary = (task.call("iam", "GetAccountSummary") or {}).get("SummaryMap", {})
    for name in ("AccountMFAEnabled", "AccountAccessKeysPresent"):
        if name in summary:
            attrs[name] = summary[name] == 1
    arn = str(row.get("arn") or f"arn:aws:iam::{account}:root")
    task.emit(ROOT, arn, attrs, region=GLOBAL)


def list_users(task: Task) -> None:
    report = credential_report(task)
    details = authorization_details(task, ["User"])["UserDetailList"]
    for user in details:
        attrs: dict[str, Any] = {k: v for k, v in user.items()
                                 if k not in ("AttachedManagedPolicies", "UserPolicyList")}
        row = report.get(user["UserName"])
        if row is None:  # created after the report was generated
            missing = Unknown(f"user {user['UserName']} is not in the credential report yet")
            for column in _BOOLEAN_COLUMNS | _TIME_COLUMNS:
                attrs[column] = missing
            attrs.update(user=user["UserName"], arn=user["Arn"])
        else:
            attrs.update(row)
        attrs["AttachedPolicies"] = user.get("AttachedManagedPolicies", [])
        attrs["InlinePolicyNames"] = [p["PolicyName"] for p in user.get("UserPolicyList", [])]
        refs = {"AttachedPolicies": [p["PolicyArn"] for p in attrs["AttachedPolicies"]]}
        task.emit(USER, user["Arn"], attrs, refs=refs, region=GLOBAL)


def list_password_policy(task: Task) -> None:
    found = task.call("iam", "GetAccountPasswordPolicy", absent=("NoSuchEntity",))
    attrs = dict((found or {}).get("PasswordPolicy", {}))
    task.emit(PASSWORD_POLICY, account_arn("iam", "", task.account.account, "password_policy"),
              attrs, region=GLOBAL)


def _inline(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**p, "PolicyDocument": statements_as_list(p.get("PolicyDocument"))}
            for p in documents]


def list_principals_and_policies(task: Task) -> None:
    filters = [f for t, f in ((GROUP, "Group"), (ROLE, "Role"), (POLICY, "LocalManagedPolicy"))
               if task.wants(t)]
    details = authorization_details(task, filters)
    attached = "AttachedManagedPolicies"
    for group in details.get("GroupDetailList", []) if task.wants(GROUP) else []:
        attrs = {**group, "GroupPolicyList": _inline(group.get("GroupPolicyList", []))}
        task.emit(GROUP, group["Arn"], attrs, region=GLOBAL,
                  refs={attached: [p["PolicyArn"] for p in group.get(attached, [])]})
    for role in details.get("RoleDetailList", []) if task.wants(ROLE) else []:
        attrs = {**role, "RolePolicyList": _inline(role.get("RolePolicyList", [])),
                 "AssumeRolePolicyDocument":
                     statements_as_list(role.get("AssumeRolePolicyDocument"))}
        task.emit(ROLE, role["Arn"], attrs, region=GLOBAL,
                  refs={attached: [p["PolicyArn"] for p in role.get(attached, [])]})
    for policy in details.get("Policies", []) if task.wants(POLICY) else []:
        versions = policy.get("PolicyVersionList", [])
        default: dict[str, Any] = next((v for v in versions if v.get("IsDefaultVersion")), {})
        attrs = {k: v for k, v in policy.items() if k != "PolicyVersionList"}
        # the policy name is the ARN's last segment (some endpoints omit the member)
        attrs.setdefault("PolicyName", policy["Arn"].rsplit("/", 1)[-1])
        attrs["Document"] = statements_as_list(default.get("Document"))
        task.emit(POLICY, policy["Arn"], attrs, region=GLOBAL)


LISTERS = [
    Lister("iam", (ROOT,), "global", list_root,
           ("GenerateCredentialReport", "GetCredentialReport", "GetAccountSummary")),
    Lister("iam", (USER,), "global", list_users,
           ("GenerateCredentialReport", "GetCredentialReport",
            "GetAccountAuthorizationDetails")),
    Lister("iam", (PASSWORD_POLICY,), "global", list_password_policy,
           ("GetAccountPasswordPolicy",)),
    Lister("iam", (GROUP, ROLE, POLICY), "global", list_principals_and_policies,
           ("GetAccountAuthorizationDetails",)),
]
