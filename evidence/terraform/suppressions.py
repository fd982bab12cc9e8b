"""Inline suppressions: ``# assay:ignore CONTROL-ID[.CHECK] reason="…" until=YYYY-MM-DD``.

A suppression belongs to the block on whose first line it stands, or to the
block right below the run of comment lines it is part of. Suppressions
without a reason or past their date are kept: the evaluator reports why they
did not apply.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from evidence.terraform.config import SuppressionTuple

_MARK = re.compile(r"(?:#|//)\s*assay:ignore\b(.*)$")
_TARGET = re.compile(r"\s*([A-Za-z][A-Za-z0-9-]*)(?:\.([a-z0-9][a-z0-9_-]*))?")
_REASON = re.compile(r"""reason\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')""")
_UNTIL = re.compile(r"until\s*=\s*(\S+)")
_COMMENT_LINE = re.compile(r"^\s*(#|//|/\*|\*)")


def find(text: str, block_lines: list[int]) -> dict[int, list[SuppressionTuple]]:
    """Suppressions attached to the blocks starting on ``block_lines`` (1-based)."""
    if "assay:ignore" not in text:
        return {}
    lines = text.splitlines()
    out: dict[int, list[SuppressionTuple]] = {}
    for block_line in block_lines:
        found: list[SuppressionTuple] = []
        candidates = [block_line]
        above = block_line - 1
        while above >= 1 and _COMMENT_LINE.match(lines[above - 1]):
            candidates.append(above)
            above -= 1
        for number in sorted(candidates):
            parsed = _parse(lines[number - 1], number) if number <= len(lines) else None
            if parsed:
                found.append(parsed)
        if found:
            out[block_line] = found
    return out


def _parse(line: str, number: int) -> SuppressionTuple | None:
    mark = _MARK.search(line)
    if not mark:
        return None
    rest = mark.group(1)
    target = _TARGET.match(rest)
    if not target:
        return None
    reason_match = _REASON.search(rest)
    reason = None
    if reason_match:
        reason = (reason_match.group(1) or reason_match.group(2) or "").strip() or None
    until_match = _UNTIL.search(rest)
    until = until_match.group(1) if until_match else None
    return (target.group(1), target.group(2), reason, until, number)


def parse_until(text: str) -> datetime | None:
    """``until=2027-01-31`` means to the end of that day, UTC; None when malformed."""
    try:
        if len(text) == 10:
            day = datetime.strptime(text, "%Y-%m-%d")
            return day.replace(hour=23, minute=59, second=59, tzinfo=UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
