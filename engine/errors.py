"""One error family. The CLI turns any AssayError into one located line and an exit code."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where bad input sits: file, 1-based line and column (0 when unknown)."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column or 1}"
        return self.file


def display_name(path: str | os.PathLike[str]) -> str:
    """The file name as errors show it: relative to the working folder when inside it."""
    text = os.fspath(path)
    try:
        rel = os.path.relpath(text)
    except ValueError:  # pragma: no cover - another drive on Windows
        return text
    return text if rel.startswith("..") else rel


class AssayError(Exception):
    """Base of every error assay reports to a user."""

    exit_code = 2

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class ControlError(AssayError):
    """Invalid control, catalog, waiver or configuration input (exit 2)."""


class InputErrors(AssayError):
    """Several located input errors found in one pass; all are reported."""

    def __init__(self, errors: list[AssayError]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class CollectorError(AssayError):
    """A collector could not collect; the run becomes incomplete."""

    exit_code = 3


class RenderError(AssayError):
    """A renderer could not produce its output."""


class ErrorList:
    """Collects located errors of one pass; raises them all at once, sorted by place."""

    def __init__(self) -> None:
        self.items: list[AssayError] = []

    def add(self, message: str, location: Location) -> None:
        self.items.append(ControlError(message, location))

    def extend(self, errors: Iterable[AssayError]) -> None:
        self.items.extend(errors)

    def raise_if_any(self) -> None:
        if self.items:
            raise InputErrors(sort_errors(self.items))


def sort_errors(errors: Iterable[AssayError]) -> list[AssayError]:
    def key(error: AssayError) -> tuple[str, int, int, str]:
        where = error.location or Location("")
        return (where.file, where.line, where.column, error.message)

    unique: dict[str, AssayError] = {}
    for error in errors:
        unique.setdefault(str(error), error)
    return sorted(unique.values(), key=key)
