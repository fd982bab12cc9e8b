"""An unknown-but-present value (an id known only after apply): exists holds, nothing else is decided."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.conditions import compile_condition, compile_test
from engine.model import Leaf, Not
from engine.values import Unknown
from engine.verdicts import FALSE, TRUE, UNKNOWN, EvalContext

CTX = EvalContext(as_of=datetime(2026, 6, 30, tzinfo=UTC))
ARN = Unknown("aws_kms_key.k.arn is known only at apply", present=True)
UNSET = Unknown("var.key is not set")


@pytest.mark.parametrize("attrs, leaf, expected", [
    ({"kms_key_id": ARN}, Leaf(path="kms_key_id", exists=True), TRUE),
    ({"kms_key_id": ARN}, Leaf(path="kms_key_id", exists=False), FALSE),
    ({"kms_key_id": UNSET}, Leaf(path="kms_key_id", exists=True), UNKNOWN),
    ({"kms_key_id": ARN}, Leaf(path="kms_key_id", matches="^arn:aws:kms:"), UNKNOWN),
    ({"kms_key_id": ARN}, Leaf(path="kms_key_id", eq="x"), UNKNOWN),
    ({"rule": [{"key": ARN}]}, Leaf(path="rule.key", exists=True), TRUE),
    ({"rule": [{"key": ARN}, {"key": UNSET}]}, Leaf(path="rule.key", exists=True), TRUE),
])
def test_present_unknowns(attrs, leaf, expected):
    assert compile_condition(leaf)(attrs, CTX).truth is expected
    assert compile_test(leaf)(attrs, CTX) is expected


def test_not_exists_on_present_is_false():
    condition = Not(**{"not": Leaf(path="kms_key_id", exists=True)})
    assert compile_condition(condition)({"kms_key_id": ARN}, CTX).truth is FALSE


def test_present_is_part_of_identity_and_repr():
    assert Unknown("x") == Unknown("x") and Unknown("x") != Unknown("x", present=True)
    assert repr(Unknown("x")) == "Unknown('x')"
