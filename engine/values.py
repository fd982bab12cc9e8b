"""Values a collector could not resolve.

A collector puts an ``Unknown`` wherever a value is not known (an unset Terraform
variable, an attribute known only after apply). The condition language turns it
into an ``unknown`` verdict whose message is the ``reason``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Unknown:
    """An unresolved value; ``reason`` says which expression, e.g. ``var.rot is not set``."""

    reason: str

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


def to_jsonable(value: Any) -> Any:
    """Plain JSON form of attributes: an Unknown becomes ``{"$unknown": reason}``."""
    if isinstance(value, Unknown):
        return {"$unknown": value.reason}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value
