"""Bytes to records: gzip (whole, multi-member, truncated), JSON Lines, documents, CSV."""

from __future__ import annotations

import gzip

import pytest

from evidence.auditlog import formats
from evidence.auditlog.formats import Bad, FormatError


def chunked(data: bytes, size: int = 7) -> list[bytes]:
    return [data[i:i + size] for i in range(0, len(data), size)]


def test_gzip_is_recognised_by_content_and_multi_member_streams_are_read() -> None:
    data = gzip.compress(b'{"a": 1}\n', mtime=0) + gzip.compress(b'{"a": 2}\n', mtime=0)
    out = b"".join(formats.decompressed(chunked(data)))
    assert out == b'{"a": 1}\n{"a": 2}\n'
    assert b"".join(formats.decompressed([b"plain"])) == b"plain"


def test_a_truncated_gzip_is_an_error_after_the_bytes_it_did_hold() -> None:
    data = gzip.compress(b"".join(b'{"n": %d}\n' % i for i in range(2000)), mtime=0)
    seen = []
    with pytest.raises(FormatError, match="truncated gzip"):
        for piece in formats.decompressed(chunked(data[: len(data) // 2], 512)):
            seen.append(piece)
    assert b"".join(seen).startswith(b'{"n": 0}\n')


def test_corrupt_gzip_data_is_an_error() -> None:
    data = bytearray(gzip.compress(b"x" * 1000, mtime=0))
    data[12:20] = b"\xff" * 8
    with pytest.raises(FormatError, match="gzip"):
        b"".join(formats.decompressed([bytes(data)]))


def test_json_lines_numbers_lines_and_reports_the_bad_ones() -> None:
    data = b'{"a": 1}\n\nnot json\n[1, 2]\n{"a": 2}\r\n{"a": 3}'
    out = list(formats.json_lines(chunked(data, 3)))
    assert out == [(1, {"a": 1}), Bad(3, out[1].reason), Bad(4, "not a JSON object"),  # type: ignore[union-attr]
                   (5, {"a": 2}), (6, {"a": 3})]
    assert out[1].reason.startswith("not valid JSON")  # type: ignore[union-attr]


def test_an_overlong_line_is_one_bad_line_and_reading_goes_on(monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    monkeypatch.setattr(formats, "MAX_LINE_BYTES", 10)
    data = b'{"a": 1}\n' + b"x" * 50 + b'\n{"a": 2}\n'
    out = list(formats.json_lines(chunked(data, 4)))
    assert out[0] == (1, {"a": 1})
    assert isinstance(out[1], Bad) and out[1].number == 2 and "longer than" in out[1].reason
    assert out[2] == (3, {"a": 2})


@pytest.mark.parametrize(("head", "document"), [
    (b'{"Records": [', True), (b' \n{ "items" : [', True), (b"[{}]", True),
    (b'{\n  "Records": []\n}', True), (b'{"a": 1}\n{"a": 2}\n', False),
])
def test_documents_are_told_from_json_lines(head: bytes, document: bool) -> None:
    assert formats.is_document(head, "items") is document


def test_document_records_are_read_whole_and_bounded() -> None:
    data = b'{"Records": [{"a": 1}, 5, {"a": 2}]}'
    assert formats.json_document(chunked(data), "Records") == [{"a": 1}, 5, {"a": 2}]
    assert formats.json_document([b'[{"a": 1}]'], "Records") == [{"a": 1}]
    with pytest.raises(FormatError, match="without a 'Records' array"):
        list(formats.json_document([b'{"Digest": 1}'], "Records"))
    with pytest.raises(FormatError, match="not a valid JSON document"):
        list(formats.json_document([b'{"Records": [{"a": 1}'], "Records"))
    with pytest.raises(FormatError, match="larger than 10 bytes"):
        list(formats.json_document([data], "Records", max_bytes=10))


def test_csv_rows_map_the_header_and_keep_line_numbers() -> None:
    data = (b'ts,user,note\n2026-01-01T00:00:00Z,alice,"two\nlines"\n'
            b'2026-01-02T00:00:00Z,bob\n2026-01-03T00:00:00Z,carol,x\n')
    data += b"\xff\xfe,bad,utf8\n2026-01-04T00:00:00Z,dave,y\n"
    out = list(formats.csv_rows(chunked(data, 5)))
    assert out[0] == (3, {"ts": "2026-01-01T00:00:00Z", "user": "alice", "note": "two\nlines"})
    assert out[1] == Bad(4, "2 fields where the header has 3")
    assert out[2] == (5, {"ts": "2026-01-03T00:00:00Z", "user": "carol", "note": "x"})
    assert isinstance(out[3], Bad) and out[3].number == 6 and "UTF-8" in out[3].reason
    assert out[4] == (7, {"ts": "2026-01-04T00:00:00Z", "user": "dave", "note": "y"})


def test_a_byte_order_mark_is_skipped() -> None:
    assert list(formats.json_lines([formats.BOM + b'{"a": 1}\n'])) == [(1, {"a": 1})]
    assert formats.json_document([formats.BOM, b'{"Records": [{"a": 1}]}'], "Records") == [
        {"a": 1}]
    assert formats.is_document(formats.BOM + b'{"Records": [', "Records")
