"""Reading attestation records: YAML mappings with the line each one starts on.

A record file holds one record (a mapping) or a list of them::

    name: quarterly-access-review-q2
    control: IAM-REVIEW-01
    owner: Dana Whitfield (Head of Security)
    date: 2026-04-03
    files: [access-review-2026-q2.pdf]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import yaml

from engine.yamlloc import loads_located

CONTROL_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
REQUIRED = ("name", "control", "owner", "date")
ALLOWED = frozenset({*REQUIRED, "files", "description"})


class RecordError(ValueError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Record:
    name: str
    control: str
    owner: str
    date: datetime
    files: tuple[str, ...]
    line: int
    description: str = ""


def parse_records(text: str) -> tuple[list[Record], list[RecordError]]:
    """All valid records of one YAML document and a located error for each bad one."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        return [], [RecordError(f"invalid YAML: {problem}", line)]
    except ValueError:  # an impossible date (2026-02-30): kept as text, _date then names it
        data, _ = loads_located(text, "attestation record")
    if node is None:
        return [], [RecordError("empty attestation file", 1)]
    if isinstance(data, dict) and isinstance(node, yaml.MappingNode):
        items: list[tuple[Any, yaml.Node]] = [(data, node)]
    elif isinstance(data, list) and isinstance(node, yaml.SequenceNode):
        items = list(zip(data, node.value, strict=True))
    else:
        return [], [RecordError("expected an attestation record (a mapping) or a list of them",
                                node.start_mark.line + 1)]
    records: list[Record] = []
    errors: list[RecordError] = []
    for value, item_node in items:
        try:
            records.append(_record(value, item_node))
        except RecordError as exc:
            errors.append(exc)
    return records, errors


def _key_lines(node: yaml.Node) -> dict[str, int]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): v.start_mark.line + 1 for k, v in node.value}


def _record(value: Any, node: yaml.Node) -> Record:
    line = node.start_mark.line + 1
    if not isinstance(value, dict):
        raise RecordError("expected an attestation record {name, control, owner, date, files}", line)
    lines = _key_lines(node)
    for key in value:
        if key not in ALLOWED:
            raise RecordError(f"unknown key {key!r}; expected {', '.join(sorted(ALLOWED))}",
                              lines.get(str(key), line))
    for key in REQUIRED:
        if value.get(key) in (None, ""):
            raise RecordError(f"missing {key}", line)
    for key in ("name", "control", "owner"):
        if not isinstance(value[key], str):
            raise RecordError(f"{key} must be text", lines.get(key, line))
    if not CONTROL_ID.match(value["control"]):
        raise RecordError(f"invalid control id {value['control']!r}", lines.get("control", line))
    return Record(
        name=value["name"], control=value["control"], owner=value["owner"],
        date=_date(value["date"], lines.get("date", line)),
        files=_files(value.get("files"), lines.get("files", line)),
        line=line, description=str(value.get("description") or ""),
    )


def _date(value: Any, line: int) -> datetime:
    """A date means midnight UTC that day; a time without an offset is UTC."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise RecordError(f"invalid date {value!r}; expected YYYY-MM-DD or ISO 8601", line) from None
    else:
        raise RecordError(f"invalid date {value!r}; expected YYYY-MM-DD or ISO 8601", line)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _files(value: Any, line: int) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(f, str) and f for f in value):
        raise RecordError("files must be a list of file names beside the record", line)
    return tuple(value)
