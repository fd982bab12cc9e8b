"""Reason text: values rendered short, JSON-like and deterministically."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from engine.reasons import join, render, render_found, unknown_reason
from engine.values import Unknown


class Opaque:
    def __str__(self) -> str:
        return "opaque"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "null"), (True, "true"), (False, "false"), (3, "3"), (2.0, "2"), (2.5, "2.5"),
        ("AES256", '"AES256"'), ('say "hi"', '"say \\"hi\\""'), ("tab\there", '"tab\\there"'),
        ("é", '"é"'), (datetime(2026, 1, 2, 3, 4, tzinfo=UTC), "2026-01-02T03:04:00+00:00"),
        (date(2026, 1, 2), "2026-01-02"), (Unknown("var.x is not set"), "<unknown: var.x is not set>"),
        ({"a": 1, "b": [True]}, '{"a": 1, "b": [true]}'), ({"b", "a"}, '["a", "b"]'),
        ((1, 2), "[1, 2]"), (Opaque(), '"opaque"'),
        (list(range(7)), "[0, 1, 2, 3, 4, … +2 more]"),
        ({str(i): i for i in range(6)}, '{"0": 0, "1": 1, "2": 2, "3": 3, "4": 4, … +1 more}'),
    ],
)
def test_render(value: Any, text: str) -> None:
    assert render(value) == text


def test_render_found() -> None:
    assert render_found([]) == "no value"
    assert render_found(["a"]) == '"a"'
    assert render_found(["a", 1]) == '["a", 1]'


def test_join_dedupes_and_caps() -> None:
    assert join(["a"], " and ") == "a"
    assert join(["a", "a", "b"], " and ") == "a and b"
    assert join(["", "a"], "; ") == "a"
    assert join(iter("abcde"), ", ") == "a, b, c (+2 more)"


def test_unknown_reason() -> None:
    assert unknown_reason([Unknown("x"), Unknown("x")]) == "x"
    assert unknown_reason([]) == "a value could not be resolved"


def test_joined_reasons_are_cut_at_a_fixed_length() -> None:
    text = join(["a" * 300, "b" * 300, "c", "d"], " and ")
    assert text == "a" * 300 + " and " + "b" * 95 + "… (+1 more)"
