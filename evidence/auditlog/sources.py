"""Where log bytes come from: local files and folders, or ``s3://bucket/prefix``.

Every input is read as a stream of raw byte chunks that are hashed on the way
through (sha256 of the bytes exactly as stored, compressed or not), so a file
of any size costs one chunk of memory and the manifest can name its digest.
Folders are walked recursively in sorted order; hidden files are skipped.
Symbolic links are followed, and a link back into a folder already being
walked is reported instead of looping.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

CHUNK = 1 << 20


class InputError(Exception):
    """An input cannot be listed or read; the message names it."""


@dataclass
class Digest:
    """Running sha256 and size of the raw bytes of one input."""

    sha256: Any = field(default_factory=hashlib.sha256)
    size: int = 0

    def hexdigest(self) -> str:
        return str(self.sha256.hexdigest())


@dataclass(frozen=True)
class Input:
    """One file or object: a display name and a way to open its raw bytes."""

    name: str
    opener: Callable[[], BinaryIO]

    def chunks(self, digest: Digest) -> Iterator[bytes]:
        """Raw bytes in chunks, feeding ``digest``; InputError when unreadable."""
        try:
            stream = self.opener()
        except (OSError, InputError) as exc:
            raise InputError(f"{self.name}: cannot read: {_why(exc)}") from None
        with stream:
            while True:
                try:
                    chunk = stream.read(CHUNK)
                except Exception as exc:  # OSError locally; botocore errors mid-stream from S3
                    raise InputError(f"{self.name}: read failed: {_why(exc)}") from None
                if not chunk:
                    return
                digest.sha256.update(chunk)
                digest.size += len(chunk)
                yield chunk


def _why(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


@dataclass
class Listing:
    """What walking the configured paths found: inputs, and problems met on the way."""

    skip_dirs: frozenset[str] = frozenset()
    problems: list[tuple[str, str]] = field(default_factory=list)  # (input, message)
    skipped: int = 0


def local_inputs(path: Path, shown: str, listing: Listing) -> Iterator[Input]:
    """The file itself, or every file under the folder in sorted order."""
    if not path.exists():
        if path.is_symlink():
            listing.problems.append((shown, f"{shown}: broken symbolic link"))
        else:
            listing.problems.append((shown, f"{shown}: no such file or folder"))
        return
    if path.is_dir():
        yield from _walk(path, shown, listing, {path.resolve()})
    else:
        yield Input(shown, _file_opener(path))


def _walk(folder: Path, shown: str, listing: Listing, ancestors: set[Path]) -> Iterator[Input]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        listing.problems.append((shown, f"{shown}: cannot list folder: {_why(exc)}"))
        return
    for entry in entries:
        child, child_shown = Path(entry.path), f"{shown.rstrip('/')}/{entry.name}"
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            if entry.name in listing.skip_dirs:
                listing.skipped += 1
                continue
            real = child.resolve()
            if real in ancestors:
                listing.problems.append(
                    (child_shown, f"{child_shown}: symbolic link loop back to {real}"))
                continue
            yield from _walk(child, child_shown, listing, ancestors | {real})
        elif entry.is_file():
            yield Input(child_shown, _file_opener(child))
        elif entry.is_symlink():
            listing.problems.append((child_shown, f"{child_shown}: broken symbolic link"))


def _file_opener(path: Path) -> Callable[[], BinaryIO]:
    def open_file() -> BinaryIO:
        return path.open("rb")

    return open_file


# --------------------------------------------------------------------------- S3


def split_s3_url(url: str) -> tuple[str, str]:
    rest = url[len("s3://"):]
    bucket, _, prefix = rest.partition("/")
    if not bucket:
        raise InputError(f"{url}: no bucket name")
    return bucket, prefix


def s3_client(aws: Mapping[str, Any]) -> Any:
    """An S3 client honouring ``endpoint_url``, ``profile`` and ``region`` from ``aws``."""
    import boto3
    from botocore.config import Config

    session = boto3.Session(profile_name=aws.get("profile") or None)
    region = aws.get("region") or session.region_name or "us-east-1"
    return session.client(
        "s3",
        endpoint_url=aws.get("endpoint_url") or None,
        region_name=region,
        config=Config(retries={"mode": "adaptive", "max_attempts": 5}),
    )


def s3_inputs(client: Any, url: str, listing: Listing) -> Iterator[Input]:
    """Every object under the prefix, in key order (S3 lists UTF-8 binary order).

    Pages are consumed as they arrive, so a prefix of any size costs one page.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        bucket, prefix = split_s3_url(url)
    except InputError as exc:
        listing.problems.append((url, str(exc)))
        return
    paginator = client.get_paginator("list_objects_v2")
    try:
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                key = obj["Key"]
                parts = key.split("/")
                if key.endswith("/") or parts[-1].startswith("."):
                    continue
                if listing.skip_dirs.intersection(parts[:-1]):
                    listing.skipped += 1
                    continue
                yield Input(f"s3://{bucket}/{key}", _s3_opener(client, bucket, key))
    except (ClientError, BotoCoreError) as exc:
        listing.problems.append((url, f"{url}: cannot list objects: {exc}"))


def _s3_opener(client: Any, bucket: str, key: str) -> Callable[[], BinaryIO]:
    from botocore.exceptions import BotoCoreError, ClientError

    def open_object() -> BinaryIO:
        try:
            body: BinaryIO = client.get_object(Bucket=bucket, Key=key)["Body"]
        except (ClientError, BotoCoreError) as exc:
            raise InputError(str(exc)) from None
        return body

    return open_object
