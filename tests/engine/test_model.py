from datetime import timedelta

import pytest
from pydantic import ValidationError

from engine.model import Check, Control, parse_duration
from tests.engine.factories import control


@pytest.mark.parametrize("text, expected", [
    ("90d", timedelta(days=90)), ("24h", timedelta(hours=24)), ("30m", timedelta(minutes=30)),
    ("1d12h", timedelta(days=1, hours=12)), ("2w", timedelta(weeks=2)),
])
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "90", "d90", "90 days", "1.5d", "-1d"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration(text)


def posture(**changes: object) -> dict[str, object]:
    check: dict[str, object] = {"id": "tf", "source": "terraform", "resource": "aws_kms_key",
                                "assert": {"path": "a", "eq": 1}, "remediation": "fix"}
    check.update(changes)
    return {k: v for k, v in check.items() if v is not None}


def test_a_leaf_needs_exactly_one_operator() -> None:
    with pytest.raises(ValidationError, match="exactly one operator, got 2"):
        Check.model_validate(posture(**{"assert": {"path": "a", "eq": 1, "ne": 2}}))
    with pytest.raises(ValidationError, match="exactly one operator, got 0"):
        Check.model_validate(posture(**{"assert": {"path": "a"}}))


def test_leaf_reports_operator_and_operand() -> None:
    check = Check.model_validate(posture(**{"assert": {"path": "a", "in": [1, 2]}}))
    assert check.assert_ is not None
    assert (check.assert_.operator, check.assert_.operand) == ("in", [1, 2])  # type: ignore[union-attr]


def test_unknown_condition_shape_is_named() -> None:
    with pytest.raises(ValidationError, match="expected a condition"):
        Check.model_validate(posture(**{"assert": {"foo": 1}}))


def test_invalid_regex_is_rejected() -> None:
    with pytest.raises(ValidationError, match="invalid regular expression"):
        Check.model_validate(posture(**{"assert": {"path": "a", "matches": "(["}}))


def test_posture_check_needs_resource_and_assert() -> None:
    with pytest.raises(ValidationError, match="needs resource"):
        Check.model_validate(posture(resource=None))
    with pytest.raises(ValidationError, match="needs assert"):
        Check.model_validate(posture(**{"assert": None}))


def test_event_check_shapes() -> None:
    base = {"id": "ct", "source": "cloudtrail", "remediation": "fix"}
    ok = Check.model_validate({**base, "events": {"where": {"path": "eventName", "eq": "X"}},
                               "expect": "none"})
    assert ok.kind == "events"
    gap = Check.model_validate({**base, "events": {}, "expect": {"max_gap": "24h"}})
    assert gap.kind == "events"
    with pytest.raises(ValidationError, match="without where every event would fail"):
        Check.model_validate({**base, "events": {}, "expect": "none"})
    with pytest.raises(ValidationError, match="exactly one of"):
        Check.model_validate({**base, "events": {}})
    with pytest.raises(ValidationError, match="needs events"):
        Check.model_validate({**base, "expect": "none"})


def test_manual_check_needs_attestation() -> None:
    check = Check.model_validate({"id": "m", "source": "manual", "remediation": "attest",
                                  "attestation": {"name": "policy", "max_age": "365d"}})
    assert check.kind == "manual"
    with pytest.raises(ValidationError, match="needs attestation"):
        Check.model_validate({"id": "m", "source": "manual", "remediation": "attest"})


def test_duplicate_check_ids_are_rejected() -> None:
    check = posture()
    with pytest.raises(ValidationError, match="duplicate check id 'tf'"):
        control(checks=[check, check])


def test_unknown_keys_are_rejected() -> None:
    data = control().model_dump(by_alias=True, exclude_none=True)
    data["owner"] = "me"
    with pytest.raises(ValidationError, match="Extra inputs"):
        Control.model_validate(data)


def test_an_explicit_null_quantifier_is_not_a_quantifier() -> None:
    with pytest.raises(ValidationError, match="exactly one of any_item"):
        Check.model_validate(posture(**{"assert": {"any_item": None}}))
    with pytest.raises(ValidationError, match="exactly one of any_item"):
        Check.model_validate(posture(**{"assert": {
            "any_item": None, "all_items": {"path": "a", "where": {"path": "b", "eq": 1}},
            "no_item": {"path": "a", "where": {"path": "b", "eq": 1}}}}))
    check = Check.model_validate(posture(**{"assert": {
        "any_item": None, "all_items": {"path": "a", "where": {"path": "b", "eq": 1}}}}))
    assert check.assert_.quantifier == "all_items"  # type: ignore[union-attr]
