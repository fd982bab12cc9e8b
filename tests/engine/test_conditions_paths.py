"""Paths: parsing (validate_path) and what a path yields from data."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.conditions import validate_path
from engine.paths import Index, Key, compile_path, format_path, parse_path
from engine.values import Unknown


def values(path: str, data: Any) -> list[Any]:
    return list(compile_path(path)(data))


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "steps"),
    [
        ("a", (Key("a"),)),
        ("a.b.c", (Key("a"), Key("b"), Key("c"))),
        ("ingress[0].cidr_blocks", (Key("ingress"), Index(0), Key("cidr_blocks"))),
        ("a[-1]", (Key("a"), Index(-1))),
        ("a[0][1]", (Key("a"), Index(0), Index(1))),
        ('tags["kubernetes.io/role"]', (Key("tags"), Key("kubernetes.io/role"))),
        ("tags['a b']", (Key("tags"), Key("a b"))),
        ("Statement.Condition.aws:SecureTransport", (Key("Statement"), Key("Condition"),
                                                     Key("aws:SecureTransport"))),
        ("[0]", (Index(0),)),
    ],
)
def test_parse_path(text: str, steps: tuple[Any, ...]) -> None:
    assert parse_path(text) == steps
    validate_path(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "non-empty"),
        ("a..b", "column 3: empty key"),
        (".a", "column 1: empty key"),
        ("a.", "ends with '.'"),
        ("a[", "unclosed '['"),
        ("a[x]", "expected an integer index or a quoted key"),
        ("a[]", "expected an integer index"),
        ("a[1.5]", "expected an integer index"),
        ("a[0]b", "expected '.' or '['"),
        ("a.[0]", "expected a key after '.'"),
        ("a b", "unexpected ' '"),
        ("a.*.b", "no wildcards"),
        ('a[""]', "quoted key must be non-empty"),
        ("a]", "unexpected ']'"),
    ],
)
def test_malformed_paths_raise_clear_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match="invalid path|non-empty") as info:
        validate_path(text)
    assert message in str(info.value)


def test_non_string_path_is_rejected() -> None:
    with pytest.raises(ValueError):
        parse_path(3)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["a.b[0].c", 'tags["a.b"].x', "a[-2]", "x[0][1].y"])
def test_format_path_round_trips(text: str) -> None:
    assert parse_path(format_path(parse_path(text))) == parse_path(text)


# --------------------------------------------------------------------------- evaluation


def test_dotted_keys_read_nested_mappings() -> None:
    assert values("a.b.c", {"a": {"b": {"c": 5}}}) == [5]


def test_missing_key_and_null_yield_nothing() -> None:
    assert values("a.b", {"a": {}}) == []
    assert values("a.b", {"a": {"b": None}}) == []
    assert values("a.b", {"a": None}) == []
    assert values("a.b", {}) == []


def test_a_key_into_a_scalar_yields_nothing() -> None:
    assert values("a.b", {"a": "text"}) == []
    assert values("a[0]", {"a": "text"}) == []


def test_a_step_over_a_list_applies_to_every_element() -> None:
    data = {"rule": [{"algo": "AES256"}, {"algo": "aws:kms"}, {"other": 1}]}
    assert values("rule.algo", data) == ["AES256", "aws:kms"]


def test_nested_lists_are_traversed() -> None:
    data = {"a": [[{"b": 1}], [{"b": 2}, {"b": 3}]]}
    assert values("a.b", data) == [1, 2, 3]


def test_index_picks_one_element_of_each_list() -> None:
    data = {"ingress": [{"cidr": ["10.0.0.0/8", "0.0.0.0/0"]}, {"cidr": ["1.2.3.4/32"]}]}
    assert values("ingress[0].cidr", data) == ["10.0.0.0/8", "0.0.0.0/0"]
    assert values("ingress.cidr[0]", data) == ["10.0.0.0/8", "1.2.3.4/32"]
    assert values("ingress[-1].cidr", data) == ["1.2.3.4/32"]
    assert values("ingress[5]", data) == []


def test_a_list_at_the_end_is_flattened_and_nulls_dropped() -> None:
    assert values("a", {"a": [1, None, [2, [3]]]}) == [1, 2, 3]
    assert values("a", {"a": []}) == []


def test_a_mapping_at_the_end_is_one_value() -> None:
    assert values("a", {"a": {"k": 1}}) == [{"k": 1}]


def test_unknown_anywhere_along_the_path_is_yielded() -> None:
    unknown = Unknown("var.x is not set")
    assert values("a.b", {"a": unknown}) == [unknown]
    assert values("a[0].b", {"a": unknown}) == [unknown]
    assert values("a.b", {"a": [{"b": 1}, unknown]}) == [1, unknown]
    assert values("a", {"a": unknown}) == [unknown]


def test_quoted_keys_and_non_dict_mappings() -> None:
    from types import MappingProxyType

    data = MappingProxyType({"tags": MappingProxyType({"a.b": "x"})})
    assert values('tags["a.b"]', data) == ["x"]


def test_tuples_are_lists() -> None:
    assert values("a.b", {"a": ({"b": 1}, {"b": 2})}) == [1, 2]
    assert values("a[1]", {"a": (1, 2)}) == [2]


def test_probe_reads_one_scalar_or_defers() -> None:
    from engine.paths import ABSENT, COMPOUND, compile_probe

    nested = compile_probe("a.b")
    assert nested({"a": {"b": "x"}}) == "x"
    assert nested({"a": {}}) is ABSENT
    assert nested({"a": {"b": [1]}}) is COMPOUND
    assert nested({"a": [{"b": 1}]}) is COMPOUND
    assert compile_probe("a")({"a": {"k": 1}}) is COMPOUND
    assert compile_probe("a[0]")({"a": [1]}) is COMPOUND


_LEAVES = st.one_of(st.none(), st.integers(0, 3), st.text("ab", max_size=2), st.booleans(),
                    st.just(Unknown("u")))
_DATA = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["a", "b"]), inner, max_size=2)),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["a", "a.b", "b.a.b", "a[0]", "a.b[1].a"]), _DATA)
def test_probe_agrees_with_the_extractor(path: str, data: Any) -> None:
    from engine.paths import ABSENT, COMPOUND, compile_probe

    probed, extracted = compile_probe(path)(data), list(compile_path(path)(data))
    if probed is ABSENT:
        assert extracted == []
    elif probed is not COMPOUND:
        assert extracted == [probed]
