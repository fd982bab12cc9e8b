"""evidence.redact over JSON and text forms."""

from __future__ import annotations

import json

import pytest

from evidence.redact import REDACTED, is_secret_name, redact

CASES = [
    (b'{"Credentials": {"AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "wJalr/K7MDENG+bPx"}}',
     [b"wJalr/K7MDENG+bPx"], [b"ASIAEXAMPLE"]),
    (b'{"SessionToken": "IQoJb3JpZ2luX2VjEJr//////////wEaCXVz"}', [b"IQoJb3JpZ2luX2VjEJr"], []),
    (b"[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = abc/DEF+ghi\n",
     [b"abc/DEF+ghi"], [b"AKIAEXAMPLE"]),
    (b'export AWS_SESSION_TOKEN="FwoGZXIvYXdzEJr//////////wEaDAbcdefghij"\n',
     [b"FwoGZXIvYXdzEJr"], []),
    (b'resource "aws_db_instance" "db" {\n  password = "hunter2"\n  username = "admin"\n}',
     [b"hunter2"], [b"admin"]),
    (b"db:\n  MasterUserPassword: s3cr3t!\n  port: 5432\n", [b"s3cr3t!"], [b"5432"]),
    (b'{"message": "login failed password=letmein for bob"}', [b"letmein"], [b"bob"]),
    (b'{"Policy": "{\\"DbPassword\\": \\"inner-secret\\"}"}', [b"inner-secret"], []),
    (b'{"Tags": [{"Key": "api_key", "Value": "k-123"}, {"Key": "env", "Value": "prod"}]}',
     [b"k-123"], [b"prod"]),
    (b"key: -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----",
     [b"b3BlbnNzaC1rZXk"], [b"BEGIN OPENSSH PRIVATE KEY"]),
    (b"postgres://app:pa55w0rd@db.internal:5432/app", [b"pa55w0rd"], [b"db.internal"]),
]


@pytest.mark.parametrize("data,secrets,kept", CASES)
def test_secrets_removed_and_the_rest_kept(data: bytes, secrets: list[bytes],
                                           kept: list[bytes]) -> None:
    out = redact(data)
    for secret in secrets:
        assert secret not in out
    for value in kept:
        assert value in out
    assert REDACTED in out
    assert redact(out) == out  # idempotent


def test_credential_report_columns_are_not_secrets() -> None:
    row = {"password_enabled": True, "password_last_used": "2026-01-01T00:00:00Z",
           "PasswordReusePrevention": 24, "PasswordPolicy": {"MinimumPasswordLength": 14}}
    data = json.dumps(row).encode()
    assert redact(data) == data
    assert not is_secret_name("password_last_used")
    assert is_secret_name("db_password") and is_secret_name("SecretAccessKey")


def test_json_stays_json() -> None:
    data = json.dumps({"a": {"Password": "x\\\"y"}, "b": [1, 2]}).encode()
    assert json.loads(redact(data)) == {"a": {"Password": "[REDACTED]"}, "b": [1, 2]}


def test_names_split_by_separators_still_pass_the_quick_filter() -> None:
    data = b'{"pass_word": "hunter2", "Secret-Access.Key": "abc", "region": "eu-west-1"}'
    assert redact(data) == (b'{"pass_word": "[REDACTED]", "Secret-Access.Key": "[REDACTED]", '
                            b'"region": "eu-west-1"}')


def test_evidence_naming_no_secret_is_returned_unchanged() -> None:
    data = b'{"bucket": "docs", "acl": "private", "tags": {"Name": "x"}}\nkey = value\n'
    assert redact(data) == data
