from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import regex
from jsonschema import Draft7Validator, FormatChecker, ValidationError, validators

from engine.results import Results
from reports.testing import sample_results


@pytest.fixture(scope="session")
def results() -> Results:
    return sample_results(complete=False)


@pytest.fixture(scope="session")
def complete_results() -> Results:
    return sample_results(complete=True)


def shared_schemas() -> Path:
    """The shared schemas folder: ``../shared/schemas`` beside the clone, else /work/shared."""
    beside = Path(__file__).resolve().parents[2].parent / "shared" / "schemas"
    return beside if beside.is_dir() else Path("/work/shared/schemas")


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    # OSCAL's token patterns use \p{L} and \p{N}, which the stdlib re cannot compile.
    if validator.is_type(instance, "string") and not regex.search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _format_checker() -> FormatChecker:
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value: object) -> bool:
        return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None

    @checker.checks("uri")
    def _uri(value: object) -> bool:
        return not isinstance(value, str) or bool(regex.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$", value))

    @checker.checks("uri-reference")
    def _uri_reference(value: object) -> bool:
        return not isinstance(value, str) or not regex.search(r"\s", value)

    return checker


@pytest.fixture(scope="session")
def oscal_validator() -> Any:
    schema = json.loads((shared_schemas() / "oscal_assessment-results_schema.json").read_text())
    cls = validators.extend(Draft7Validator, {"pattern": _pattern})
    return cls(schema, format_checker=_format_checker())
