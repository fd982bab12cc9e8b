"""The evidence locker in an S3 bucket (``s3://bucket/prefix``).

Every PUT is atomic in S3, so a killed scan can leave objects behind but never
a half-written one; the run's manifest is PUT last and a run without a manifest
does not exist. When the bucket has Object Lock, new objects carry the
configured retention (or the bucket's default rule applies).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from evidence.locker import (
    MANIFEST,
    RESULTS,
    RUN_ID,
    Locker,
    LockerError,
    check_run_id,
    check_sha,
    compress,
    object_key,
    sha256_hex,
)

_MISSING = {"404", "NoSuchKey", "NotFound"}
_NO_BUCKET = {"NoSuchBucket"}
_DENIED = {"AccessDenied", "403", "Forbidden", "InvalidAccessKeyId", "SignatureDoesNotMatch"}


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class S3Locker(Locker):
    def __init__(self, client: Any, bucket: str, prefix: str, *,
                 retention: timedelta | None = None, retention_mode: str = "COMPLIANCE") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.spec = f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}"
        self.retention = retention
        self.retention_mode = retention_mode
        self._lock: dict[str, Any] | None = None

    @classmethod
    def from_spec(cls, spec: str, aws: Mapping[str, Any], *, retention: timedelta | None = None,
                  retention_mode: str = "COMPLIANCE") -> S3Locker:
        bucket, _, prefix = spec.removeprefix("s3://").partition("/")
        if not bucket:
            raise LockerError(f"evidence locker {spec!r}: no bucket name")
        try:
            session = boto3.session.Session(profile_name=aws.get("profile") or None)
            client = session.client(
                "s3", endpoint_url=aws.get("endpoint_url") or None,
                region_name=aws.get("region") or _first_region(aws) or session.region_name
                or "us-east-1",
                config=Config(retries={"mode": "adaptive", "max_attempts": 5},
                              connect_timeout=10, read_timeout=60),
            )
        except BotoCoreError as exc:
            raise LockerError(f"evidence locker {spec}: {exc}") from None
        return cls(client, bucket, prefix, retention=retention, retention_mode=retention_mode)

    # ---- helpers

    def _key(self, rel: str) -> str:
        return f"{self.prefix}/{rel}" if self.prefix else rel

    def _fail(self, action: str, exc: Exception) -> LockerError:
        if isinstance(exc, ClientError):
            code = _code(exc)
            if code in _NO_BUCKET:
                return LockerError(f"evidence locker {self.spec}: bucket {self.bucket} does not exist", 2)
            if code in _DENIED:
                return LockerError(f"evidence locker {self.spec}: cannot {action}: access denied ({code})", 2)
            return LockerError(f"evidence locker {self.spec}: cannot {action}: {code or exc}", 3)
        return LockerError(f"evidence locker {self.spec}: cannot {action}: {exc}", 3)

    def _exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
            return True
        except ClientError as exc:
            if _code(exc) in _MISSING:
                return False
            raise self._fail(f"read {key}", exc) from None
        except BotoCoreError as exc:
            raise self._fail(f"read {key}", exc) from None

    def _get(self, key: str, action: str) -> bytes | None:
        try:
            body: bytes = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
            return body
        except ClientError as exc:
            if _code(exc) in _MISSING:
                return None
            raise self._fail(action, exc) from None
        except BotoCoreError as exc:
            raise self._fail(action, exc) from None

    def object_lock(self) -> dict[str, Any]:
        """The bucket's Object Lock configuration ({} when it has none); read once."""
        if self._lock is None:
            try:
                got = self.client.get_object_lock_configuration(Bucket=self.bucket)
                self._lock = dict(got.get("ObjectLockConfiguration") or {})
            except ClientError as exc:
                code = _code(exc)
                # Without a configured retention a role that may not read the setting can
                # still write: the bucket's default rule (if any) applies on its own.
                if code == "ObjectLockConfigurationNotFoundError" or (
                        code in _DENIED and self.retention is None):
                    self._lock = {}
                else:
                    raise self._fail("read the bucket's Object Lock configuration", exc) from None
            except BotoCoreError as exc:
                raise self._fail("read the bucket's Object Lock configuration", exc) from None
        return self._lock

    def _put(self, key: str, body: bytes, content_type: str, action: str) -> None:
        extra: dict[str, Any] = {
            # Object Lock buckets require an integrity header on every PUT.
            "ContentMD5": base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode(),
        }
        if self.object_lock().get("ObjectLockEnabled") == "Enabled" and self.retention:
            extra["ObjectLockMode"] = self.retention_mode
            extra["ObjectLockRetainUntilDate"] = datetime.now(UTC) + self.retention
        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=body,
                                   ContentType=content_type, **extra)
        except (ClientError, BotoCoreError) as exc:
            raise self._fail(action, exc) from None

    # ---- objects

    def put_object(self, sha256: str, data: bytes) -> None:
        check_sha(sha256)
        if sha256_hex(data) != sha256:
            raise LockerError(f"object {sha256}: the data does not match the hash", 3)
        key = self._key(object_key(sha256))
        if self._exists(key):
            return
        self._put(key, compress(data), "application/gzip", f"store object {sha256[:12]}…")

    def has_object(self, sha256: str) -> bool:
        check_sha(sha256)
        return self._exists(self._key(object_key(sha256)))

    def get_object(self, sha256: str) -> bytes:
        check_sha(sha256)
        stored = self._get(self._key(object_key(sha256)), f"read object {sha256[:12]}…")
        if stored is None:
            raise LockerError(f"{self.spec}: no object {sha256}", 2)
        return self._checked(sha256, stored)

    # ---- runs

    def write_run(self, run_id: str, results_json: bytes, manifest: Mapping[str, Any]) -> str:
        check_run_id(run_id)
        manifest_key = self._key(f"runs/{run_id}/{MANIFEST}")
        if self._exists(manifest_key):
            raise LockerError(f"evidence locker {self.spec}: run {run_id} already exists")
        body = self._with_results_hash(results_json, manifest)
        self._put(self._key(f"runs/{run_id}/{RESULTS}"), results_json, "application/json",
                  f"write run {run_id}")
        self._put(manifest_key, body, "application/json", f"write run {run_id}")
        return sha256_hex(body)

    def list_runs(self) -> list[str]:
        runs_prefix = self._key("runs/")
        found: list[str] = []
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=runs_prefix)
            for page in pages:
                for item in page.get("Contents", []):
                    run_id, _, name = item["Key"][len(runs_prefix):].partition("/")
                    if name == MANIFEST and RUN_ID.match(run_id):
                        found.append(run_id)
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("list runs", exc) from None
        return sorted(found)

    def _read_run_file(self, run_id: str, name: str) -> bytes:
        check_run_id(run_id)
        data = self._get(self._key(f"runs/{run_id}/{name}"), f"read run {run_id}")
        if data is None:
            raise LockerError(f"evidence locker {self.spec} has no run {run_id}")
        return data

    def ensure_writable(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            if _code(exc) in ("404", "NoSuchBucket", "NotFound"):
                raise LockerError(
                    f"evidence locker {self.spec}: bucket {self.bucket} does not exist", 2) from None
            raise self._fail("reach the bucket", exc) from None
        except BotoCoreError as exc:
            raise self._fail("reach the bucket", exc) from None
        self.object_lock()


def _first_region(aws: Mapping[str, Any]) -> str | None:
    regions = aws.get("regions")
    if isinstance(regions, list) and regions and regions[0] != "all":
        return str(regions[0])
    return None
