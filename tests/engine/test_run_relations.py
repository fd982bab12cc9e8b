"""The engine asks a source for the types a check's relations name, not only its own."""

from __future__ import annotations

from engine.model import Check
from engine.run import check_types


def test_related_types_nested_anywhere_are_requested() -> None:
    check = Check.model_validate({
        "id": "tf", "source": "terraform", "resource": "aws_s3_bucket",
        "where": {"not": {"related": "aws_s3_bucket_policy", "by": "bucket"}},
        "assert": {"any": [
            {"path": "a", "eq": 1},
            {"all": [{"any_item": {"path": "rule", "where": {
                "related": "aws_kms_key", "by": "key",
                "assert": {"related": "aws_kms_alias", "by": "target_key_id"}}}}]},
        ]},
        "remediation": "Fix it.",
    })
    assert check_types(check) == {"aws_s3_bucket", "aws_s3_bucket_policy", "aws_kms_key",
                                  "aws_kms_alias"}
