"""Every AWS API call goes through here and is recorded as an artifact.

A call is one operation with its parameters, all its pages included. What is
recorded for it is what an auditor tests about a listing: what was asked
(operation, parameters), of which account and region, as which identity, how
many pages and items came back, how long it took, and whether the answer was
whole (``complete`` is true only when pagination finished without error). The
raw responses are redacted and kept with it, an error response too.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError

from evidence.aws.common import dumps, plain
from evidence.redact import redact

# The caller may not make this call: the types behind it are not collected.
DENIED_CODES = frozenset({
    "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
    "AuthorizationErrorException", "UnauthorizedAccess", "AllAccessDisabled",
})
# The region is not enabled for the account (or the service not subscribed there).
REGION_DISABLED_CODES = frozenset({
    "OptInRequired", "InvalidClientTokenId", "UnrecognizedClientException", "AuthFailure",
    "SubscriptionRequiredException",
})


class Denied(Exception):
    """The call was refused for lack of permission or because the region is disabled."""

    def __init__(self, operation: str, code: str, message: str) -> None:
        kind = "region not enabled" if code in REGION_DISABLED_CODES else "access denied"
        super().__init__(f"{operation}: {kind} ({code}: {message})")
        self.operation = operation
        self.code = code


class CallFailed(Exception):
    """The call failed after retries (throttling, network, service error)."""


@dataclass(frozen=True)
class CallScope:
    """Who calls where: recorded with every call."""

    account: str
    region: str
    caller_arn: str


@dataclass(frozen=True)
class Record:
    """One recorded call, handed to the context by the collector's main thread."""

    name: str
    data: bytes
    query: dict[str, Any]
    item_count: int
    complete: bool


Sink = Callable[[Record], None]


def _error_body(exc: Exception) -> dict[str, Any]:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return {"Code": error.get("Code", ""), "Message": error.get("Message", "")}
    return {"Code": type(exc).__name__, "Message": str(exc)}


def _request_id(page: Mapping[str, Any]) -> str | None:
    meta = page.get("ResponseMetadata") or {}
    rid = meta.get("RequestId")
    return str(rid) if rid else None


class Recorder:
    """Makes calls for one scope and sends a Record of each to ``sink``."""

    def __init__(self, scope: CallScope, sink: Sink) -> None:
        self.scope = scope
        self.sink = sink

    def call(self, client: Any, operation: str, params: Mapping[str, Any] | None = None, *,
             absent: Collection[str] = (), key: str | None = None) -> dict[str, Any] | None:
        """One non-paginated call; ``None`` when the error code is in ``absent``
        (the thing asked about is not configured — a complete answer)."""
        params = dict(params or {})
        started = time.monotonic()
        try:
            response = getattr(client, _method(operation))(**params)
        except (ClientError, BotoCoreError) as exc:
            code = _error_body(exc)["Code"]
            is_absent = code in absent
            self._record(client, operation, params, key, [], exc, started, 0, complete=is_absent)
            if is_absent:
                return None
            raise _translate(operation, exc) from exc
        items = 0 if not _payload(response) else 1
        self._record(client, operation, params, key, [response], None, started, items, True)
        return plain(response)  # type: ignore[no-any-return]

    def pages(self, client: Any, operation: str, params: Mapping[str, Any] | None = None, *,
              key: str | None = None) -> list[dict[str, Any]]:
        """Every page of a paginated call; raises Denied or CallFailed (pages so far recorded)."""
        params = dict(params or {})
        paginator = client.get_paginator(_method(operation))
        started = time.monotonic()
        pages: list[dict[str, Any]] = []
        items = 0
        try:
            for page in paginator.paginate(**params):
                pages.append(page)
                items += sum(len(found) for expr in paginator.result_keys
                             if isinstance(found := expr.search(page), list))
        except (ClientError, BotoCoreError) as exc:
            self._record(client, operation, params, key, pages, exc, started, items, False)
            raise _translate(operation, exc) from exc
        self._record(client, operation, params, key, pages, None, started, items, True)
        return [plain(p) for p in pages]

    def _record(self, client: Any, operation: str, params: dict[str, Any], key: str | None,
                pages: list[dict[str, Any]], exc: Exception | None, started: float,
                items: int, complete: bool) -> None:
        duration_ms = round((time.monotonic() - started) * 1000, 1)
        service = client.meta.service_model.service_name
        body: dict[str, Any] = {
            "operation": operation,
            "parameters": plain(params),
            "request_ids": [rid for p in pages if (rid := _request_id(p))],
            "responses": [plain(p) for p in pages],
        }
        if exc is not None:
            body["error"] = _error_body(exc)
        query = {
            "service": service,
            "operation": operation,
            "parameters": plain(params),
            "account": self.scope.account,
            "region": client.meta.region_name,
            "caller_arn": self.scope.caller_arn,
            "pages": len(pages),
            "duration_ms": duration_ms,
        }
        name = f"aws/{self.scope.account}/{client.meta.region_name}/{service}/{operation}"
        if key:
            name += f"/{key}"
        self.sink(Record(name, redact(dumps(body)), query, items, complete))


def _payload(response: Mapping[str, Any]) -> bool:
    return any(k != "ResponseMetadata" for k in response)


def _method(operation: str) -> str:
    """``GetBucketEncryption`` → ``get_bucket_encryption`` (boto3's method name)."""
    return str(xform_name(operation))


def _translate(operation: str, exc: Exception) -> Exception:
    body = _error_body(exc)
    code = body["Code"]
    if code in DENIED_CODES or code in REGION_DISABLED_CODES:
        return Denied(operation, code, body["Message"])
    if isinstance(exc, ClientError):
        return CallFailed(f"{operation} failed: {code}: {body['Message']}")
    return CallFailed(f"{operation} failed: {body['Message'] or code}")
