"""Placeholder."""

from __future__ import annotations

from evidence.aws.table import Lister

LISTERS: list[Lister] = []
