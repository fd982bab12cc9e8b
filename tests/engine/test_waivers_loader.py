"""engine.loader.load_waivers: located errors and UTC expiry."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.errors import InputErrors
from engine.loader import load_waivers
from engine.model import Control

KMS = Control.model_validate({
    "id": "EX-KMS-01", "title": "t", "objective": "o", "severity": "high",
    "frameworks": {"acme": ["1.1"]},
    "checks": [{"id": "tf", "source": "terraform", "resource": "aws_kms_key",
                "assert": {"path": "a", "eq": 1}, "remediation": "r"}],
})

GOOD = """\
waivers:
  - id: W-1
    control: EX-KMS-01
    check: tf
    resources: ["aws_kms_key.legacy*"]
    justification: Legacy key, replaced in Q3.
    approver: ciso@example.com
    ticket: SEC-12
    expires: 2026-09-30
  - id: W-2
    control: EX-KMS-01
    justification: Pilot.
    approver: cto@example.com
    expires: 2026-07-01T12:00:00
  - id: W-3
    control: EX-KMS-01
    justification: Pilot.
    approver: cto@example.com
    expires: "2026-07-01T12:00:00+02:00"
  - id: W-4
    control: EX-KMS-01
    justification: Pilot.
    approver: cto@example.com
    expires: "2026-08-01"
"""


def test_waivers_load_with_utc_expiry(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(GOOD)
    waivers = load_waivers(path, [KMS])
    assert [w.id for w in waivers] == ["W-1", "W-2", "W-3", "W-4"]
    assert [w.expires for w in waivers] == [
        datetime(2026, 9, 30, 23, 59, 59, tzinfo=UTC),
        datetime(2026, 7, 1, 12, 0, tzinfo=UTC),
        datetime(2026, 7, 1, 10, 0, tzinfo=UTC),
        datetime(2026, 8, 1, 23, 59, 59, tzinfo=UTC),
    ]
    assert waivers[0].resources == ["aws_kms_key.legacy*"]


def errors(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "waivers.yaml"
    path.write_text(text)
    with pytest.raises(InputErrors) as caught:
        load_waivers(path, [KMS])
    return [line.removeprefix(f"{path}:") for line in str(caught.value).splitlines()]


def test_every_waiver_mistake_is_located(tmp_path: Path) -> None:
    text = (GOOD.replace("    approver: ciso@example.com\n", "")
            .replace("check: tf", "check: aws")
            .replace("    justification: Pilot.\n", "", 1)
            .replace("id: W-3\n    control: EX-KMS-01", "id: W-3\n    control: EX-NOPE-01")
            .replace('expires: "2026-08-01"', "expires: next week")
            .replace("id: W-2", "id: W-1"))
    assert errors(tmp_path, text) == [
        "2:5: missing required key 'approver'",
        "4:12: control EX-KMS-01 has no check 'aws'; its checks: tf",
        "9:5: missing required key 'justification'",
        "9:9: duplicate waiver id 'W-1' (first at line 2)",
        "14:14: unknown control 'EX-NOPE-01'",
        "22:14: expires: invalid date 'next week'; expected YYYY-MM-DD or an ISO 8601 date-time",
    ]


def test_unknown_check_and_missing_expiry(tmp_path: Path) -> None:
    text = GOOD.replace("check: tf", "check: aws")
    assert errors(tmp_path, text) == ["4:12: control EX-KMS-01 has no check 'aws'; its checks: tf"]
    text = GOOD.replace("    expires: 2026-09-30\n", "").replace("ticket: SEC-12", "ticket: [1]")
    assert errors(tmp_path, text) == [
        "2:5: missing required key 'expires'",
        "8:13: ticket: expected a string, got a list",
    ]


def test_bad_files(tmp_path: Path) -> None:
    assert errors(tmp_path, "waivers: [\n") == [
        "2:1: invalid YAML: did not find expected node content"]
    assert errors(tmp_path, "waivers:\n") == ["1:9: waivers: expected a list, got nothing"]
    assert errors(tmp_path, "") == ["1:1: the file is empty; expected a mapping"]


def test_an_impossible_date_does_not_hide_the_other_mistakes(tmp_path: Path) -> None:
    text = (GOOD.replace("expires: 2026-09-30", "expires: 2026-13-40")
            .replace("    approver: cto@example.com\n", "", 1))
    assert errors(tmp_path, text) == [
        "9:14: expires: invalid date '2026-13-40'; expected YYYY-MM-DD or an ISO 8601 date-time",
        "10:5: missing required key 'approver'",
    ]
