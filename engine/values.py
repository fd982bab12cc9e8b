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
    """An unresolved value; ``reason`` says which expression, e.g. ``var.rot is not set``.

    ``present`` marks a value that is certain to exist though its content is not
    known yet — ``aws_kms_key.k.arn`` before apply: ``exists`` holds on it, every
    other operator stays unknown.
    """

    reason: str
    present: bool = False

    def __repr__(self) -> str:
        if self.present:
            return f"Unknown({self.reason!r}, present=True)"
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
