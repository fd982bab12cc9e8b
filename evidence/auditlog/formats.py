"""From raw bytes to records: gzip, JSON Lines, JSON documents and CSV.

Gzip is recognised by its magic bytes, whatever the file is called; a gzip
stream that ends before its trailer is a truncated file, an error. JSON Lines
are streamed line by line. A JSON document (CloudTrail's ``{"Records": [...]}``
as delivered to S3, a Kubernetes ``EventList``, or a top-level array) has to
be parsed whole: it is read up to ``max_document_bytes`` (CloudTrail delivers
files of a few MB) and a larger one is an error naming the file rather than
unbounded memory.
"""

from __future__ import annotations

import csv
import gc
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson


def _inflate_module() -> Any:
    """ISA-L inflates gzip about twice as fast as zlib: same format, same API."""
    try:
        from isal import isal_zlib
    except ImportError:  # pragma: no cover - isal is a dependency; zlib reads the same
        return zlib
    return isal_zlib


_zlib: Any = _inflate_module()

GZIP_MAGIC = b"\x1f\x8b"
MAX_LINE_BYTES = 16 << 20
MAX_DOCUMENT_BYTES = 512 << 20
_DOCUMENT_START = re.compile(rb'^\s*\{\s*"(Records|items)"\s*:')
_SNIFF_LINES = 20
BOM = b"\xef\xbb\xbf"


class FormatError(Exception):
    """The whole input cannot be read as the expected format; the message says why."""


@dataclass(frozen=True, slots=True)
class Bad:
    """A line or record that could not be read: where (line or record number) and why."""

    number: int
    reason: str


Record = tuple[int, Any]  # (line or record number, parsed record)


# --------------------------------------------------------------------------- gzip


def decompressed(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The input's bytes, inflated when they start with the gzip magic."""
    iterator = iter(chunks)
    first = b""
    for first in iterator:
        if first:
            break
    if not first:
        return
    if not first.startswith(GZIP_MAGIC):
        yield first
        yield from iterator
        return
    yield from _inflate(first, iterator)


def _inflate(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    inflater = _zlib.decompressobj(wbits=31)
    pending = first
    while True:
        try:
            out = inflater.decompress(pending)
        except (_zlib.error, zlib.error) as exc:
            raise FormatError(f"corrupt gzip data: {exc}") from None
        if out:
            yield out
        if inflater.eof:  # a member ended; more members may follow (concatenated gzip)
            pending = inflater.unused_data
            if not pending:
                pending = next(rest, b"")
                if not pending:
                    return
            inflater = _zlib.decompressobj(wbits=31)
            continue
        pending = next(rest, b"")
        if not pending:
            raise FormatError("truncated gzip file: the compressed stream ends early")


# --------------------------------------------------------------------------- sniffing


def peek(chunks: Iterator[bytes]) -> tuple[bytes, Iterator[bytes]]:
    """The first non-empty chunk and an iterator that still yields it."""
    for chunk in chunks:
        if chunk:
            return chunk, _chain(chunk, chunks)
    return b"", iter(())


def _chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


def is_document(head: bytes, key: str) -> bool:
    """Whether the data is one JSON document rather than JSON Lines.

    ``{"Records": …`` / ``{"items": …`` or ``[`` start a document; so does a
    pretty-printed object whose first line is only ``{``, and a one-line object
    holding a ``key`` array (``{"kind": "EventList", …, "items": […]}``).
    Any other first line that is a JSON object makes JSON Lines.
    """
    text = head.removeprefix(BOM).lstrip(b" \t\r\n")
    if _DOCUMENT_START.match(text) or text.startswith(b"["):
        return True
    first_line = text.partition(b"\n")[0]
    if first_line.strip() == b"{":
        return True
    try:
        record = orjson.loads(first_line)
    except orjson.JSONDecodeError:
        return False
    return isinstance(record, dict) and isinstance(record.get(key), list)


def looks_like_jsonl(head: bytes) -> bool:
    """Whether any of the first lines is a JSON object (a file may open with garbage)."""
    for line in head.split(b"\n")[:_SNIFF_LINES]:
        try:
            if isinstance(orjson.loads(line), dict):
                return True
        except orjson.JSONDecodeError:
            continue
    return False


# --------------------------------------------------------------------------- JSON


def _without_bom(chunks: Iterable[bytes]) -> Iterator[bytes]:
    iterator = iter(chunks)
    for first in iterator:
        yield first[len(BOM):] if first.startswith(BOM) else first
        break
    yield from iterator



def lines(chunks: Iterable[bytes]) -> Iterator[bytes | None]:
    """The lines of the data; ``None`` stands for a line longer than MAX_LINE_BYTES."""
    pending = b""
    overlong = False
    for chunk in chunks:
        if pending:
            chunk = pending + chunk
        parts = chunk.split(b"\n")
        pending = parts.pop()
        if overlong and parts:  # the first part ends the overlong line
            yield None
            parts, overlong = parts[1:], False
        yield from parts
        if len(pending) > MAX_LINE_BYTES:
            pending, overlong = b"", True
    if overlong:
        yield None
    elif pending:
        yield pending


def json_lines(chunks: Iterable[bytes]) -> Iterator[Record | Bad]:
    """Each non-blank line parsed as a JSON object, numbered from 1 (a BOM is skipped)."""
    loads, decode_error = orjson.loads, orjson.JSONDecodeError
    number = 0
    for line in lines(_without_bom(chunks)):
        number += 1
        if line is None:
            yield Bad(number, f"line longer than {MAX_LINE_BYTES} bytes")
            continue
        try:
            record = loads(line)
        except decode_error as exc:
            if not line.strip():
                continue
            yield Bad(number, f"not valid JSON: {exc}")
            continue
        if type(record) is not dict:
            yield Bad(number, "not a JSON object")
            continue
        yield number, record


def json_document(chunks: Iterable[bytes], key: str,
                  max_bytes: int = MAX_DOCUMENT_BYTES) -> list[Any]:
    """The records of one document, ``{key: [...]}`` or a top-level array, as parsed.

    Elements are not checked here: the caller numbers them from 1 and reports
    any that is not an object.
    """
    buffer = bytearray()
    for chunk in _without_bom(chunks):
        buffer += chunk
        if len(buffer) > max_bytes:
            raise FormatError(f"JSON document larger than {max_bytes} bytes; "
                              "split it or deliver it as JSON Lines")
    document = _parse_document(buffer)
    del buffer
    if isinstance(document, dict) and isinstance(document.get(key), list):
        records: list[Any] = document[key]
        return records
    if isinstance(document, list):
        return document
    raise FormatError(f"unknown format: a JSON document without a {key!r} array")


def _parse_document(data: bytearray) -> Any:
    """``orjson.loads`` with the cyclic garbage collector paused.

    Parsing a delivery file allocates tens of thousands of dicts and lists at
    once; each few hundred allocations would otherwise start a collection that
    walks the growing, cycle-free tree again (about a quarter of the parse
    time). JSON cannot hold cycles, so pausing the collector frees nothing
    late; it is restored at once.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise FormatError(f"not a valid JSON document: {exc}") from None
    finally:
        if paused:
            gc.enable()


# --------------------------------------------------------------------------- CSV


def csv_rows(chunks: Iterable[bytes]) -> Iterator[Record | Bad]:
    """Rows after the header as ``{column: text}``, numbered by the line they end on."""
    tracker = _LineTracker()
    reader = csv.reader(tracker.decoded(lines(chunks)))
    header: list[str] | None = None
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield Bad(tracker.number, f"malformed CSV: {exc}")
            continue
        yield from tracker.take_bad()
        if header is None:
            header = [name.strip().lstrip("\ufeff") for name in row]
            continue
        if not row or row == [""]:
            continue
        if len(row) != len(header):
            yield Bad(tracker.number, f"{len(row)} fields where the header has {len(header)}")
            continue
        yield tracker.number, dict(zip(header, row, strict=True))
    yield from tracker.take_bad()


class _LineTracker:
    """Decodes lines for the csv module, counting them and setting aside undecodable ones."""

    def __init__(self) -> None:
        self.number = 0
        self.bad: list[Bad] = []

    def decoded(self, raw: Iterable[bytes | None]) -> Iterator[str]:
        for line in raw:
            self.number += 1
            if line is None:
                self.bad.append(Bad(self.number, f"line longer than {MAX_LINE_BYTES} bytes"))
                continue
            try:
                yield line.decode("utf-8") + "\n"
            except UnicodeDecodeError as exc:
                self.bad.append(Bad(self.number, f"not UTF-8: {exc.reason} at byte {exc.start}"))

    def take_bad(self) -> list[Bad]:
        taken, self.bad = self.bad, []
        return taken
