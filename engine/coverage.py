"""How much of each framework the controls cover: automated, manual only, or not at all.

Computed from the catalogs and the controls' ``frameworks:`` mappings, never
typed in. Every non-heading requirement lands in exactly one bucket; one that is
not covered carries the catalog's reason, or says that no control maps to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from engine.model import Control, Framework

NO_CONTROL = "no control maps to it"


@dataclass(frozen=True)
class Coverage:
    framework: str
    name: str
    total: int
    automated: list[str] = field(default_factory=list)
    manual: list[str] = field(default_factory=list)
    not_covered: dict[str, str] = field(default_factory=dict)  # requirement id → reason

    def to_json(self) -> dict[str, Any]:
        return {
            "framework": self.framework,
            "name": self.name,
            "total": self.total,
            "automated": len(self.automated),
            "manual": len(self.manual),
            "not_covered": len(self.not_covered),
            "not_covered_ids": list(self.not_covered),
            "not_covered_reasons": dict(self.not_covered),
        }


def is_automated(control: Control) -> bool:
    return any(check.kind != "manual" for check in control.checks)


def framework_coverage(framework: Framework, controls: Iterable[Control]) -> Coverage:
    """Sort every requirement of ``framework`` into automated, manual or not covered."""
    mapped: dict[str, bool] = {}  # requirement id → covered by an automated control
    for control in controls:
        automated = is_automated(control)
        for req_id in control.frameworks.get(framework.id, []):
            mapped[req_id] = mapped.get(req_id, False) or automated
    result = Coverage(framework.id, framework.name, len(framework.requirement_ids))
    for req_id in framework.requirement_ids:
        if req_id in mapped:
            (result.automated if mapped[req_id] else result.manual).append(req_id)
        elif req_id in framework.not_covered:
            result.not_covered[req_id] = framework.not_covered[req_id]
        elif req_id in framework.not_applicable:
            result.not_covered[req_id] = f"not applicable: {framework.not_applicable[req_id]}"
        else:
            result.not_covered[req_id] = NO_CONTROL
    return result
