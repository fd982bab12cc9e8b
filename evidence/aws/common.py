"""Small helpers shared by the AWS collector's modules: JSON forms and ARNs."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import orjson


def iso(value: datetime) -> str:
    """ISO 8601 in UTC with a ``Z`` suffix, the one time format of AWS attributes."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def plain(value: Any) -> Any:
    """A boto3 response as plain JSON values: datetimes → ISO strings, bytes → text
    when they are UTF-8, else base64."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, bytes | bytearray):
        try:  # text blobs (the credential report's CSV) stay readable
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            pass
        return base64.b64encode(bytes(value)).decode("ascii")
    if hasattr(value, "read"):  # a streaming body (never expected in listings)
        return "<stream>"
    return value


def dumps(value: Any) -> bytes:
    """Canonical JSON bytes (sorted keys) of an already plain value."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def account_arn(service: str, region: str, account: str, kind: str) -> str:
    """The id of an account-level setting: ``arn:aws:<service>:<region>:<account>:<kind>``."""
    return f"arn:aws:{service}:{region}:{account}:{kind}"


def statements_as_list(document: Any) -> Any:
    """A policy document whose ``Statement`` is always a list (AWS allows a single object)."""
    if isinstance(document, dict) and isinstance(document.get("Statement"), dict):
        return {**document, "Statement": [document["Statement"]]}
    return document
