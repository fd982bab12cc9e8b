"""Small builders for controls, catalogs and resources used across engine tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from engine.model import Control, Framework, Resource

AS_OF = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


def control(control_id: str = "EX-KMS-01", *, checks: list[dict[str, Any]] | None = None,
            severity: str = "medium", frameworks: dict[str, list[str]] | None = None,
            params: dict[str, Any] | None = None) -> Control:
    return Control.model_validate({
        "id": control_id, "title": "Keys rotate", "objective": "Key material is replaced.",
        "severity": severity, "frameworks": frameworks or {"demo": ["R1"]},
        "params": params or {},
        "checks": checks or [{
            "id": "tf", "source": "terraform", "resource": "aws_kms_key",
            "assert": {"path": "enable_key_rotation", "eq": True},
            "remediation": "Set enable_key_rotation = true.",
        }],
    })


def catalog(framework_id: str = "demo", ids: tuple[str, ...] = ("R1", "R2", "R3")) -> Framework:
    return Framework.model_validate({
        "id": framework_id, "name": "Demo framework", "version": "1",
        "requirements": [{"id": "G", "title": "Group", "heading": True}]
        + [{"id": i, "title": f"Requirement {i}", "parent": "G"} for i in ids],
        "not_covered": {"R3": "inherited from the cloud provider"},
    })


def resource(resource_id: str, attributes: dict[str, Any], *, type_name: str = "aws_kms_key",
             source: str = "terraform", refs: dict[str, list[str]] | None = None,
             **extra: Any) -> Resource:
    return Resource(source=source, type=type_name, id=resource_id, attributes=attributes,
                    refs=refs or {}, **extra)
