"""Property tests for the algebra of the condition language (Kleene three-valued logic)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from engine.conditions import EvalContext, Truth, Verdict, compile_condition, compile_test
from engine.model import Condition
from engine.values import Unknown

T, F, U = Truth.TRUE, Truth.FALSE, Truth.UNKNOWN
CTX = EvalContext(as_of=datetime(2026, 6, 30, tzinfo=UTC))
_ADAPTER: TypeAdapter[Any] = TypeAdapter(Condition)
_ORDER = {F: 0, U: 1, T: 2}
_NEGATE = {T: F, F: T, U: U}

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --------------------------------------------------------------------------- data

UNKNOWNS = st.sampled_from([Unknown("var.a is not set"), Unknown("var.b is not set")])
SCALARS = st.sampled_from([0, 1, 2, "x", "y", "0.0.0.0/0", True, False])
VALUES = st.one_of(
    SCALARS, st.none(), UNKNOWNS, st.lists(st.one_of(SCALARS, UNKNOWNS, st.none()), max_size=3)
)
ITEM = st.fixed_dictionaries({}, optional={"a": VALUES, "b": VALUES})
ATTRS = st.fixed_dictionaries(
    {},
    optional={
        "a": VALUES,
        "b": VALUES,
        "items": st.one_of(UNKNOWNS, st.lists(st.one_of(ITEM, UNKNOWNS), max_size=3)),
    },
)

# --------------------------------------------------------------------------- conditions

PATHS = st.sampled_from(["a", "b", "items.a", "items[0].b", "missing"])
OPERATIONS = st.one_of(
    st.builds(lambda v: {"eq": v}, SCALARS),
    st.builds(lambda v: {"ne": v}, SCALARS),
    st.builds(lambda v: {"in": v}, st.lists(SCALARS, max_size=3)),
    st.builds(lambda v: {"not_in": v}, st.lists(SCALARS, max_size=3)),
    st.builds(lambda v: {"gt": v}, st.integers(0, 2)),
    st.builds(lambda v: {"lte": v}, st.integers(0, 2)),
    st.builds(lambda v: {"matches": v}, st.sampled_from(["^x", "1", "/0$"])),
    st.builds(lambda v: {"exists": v}, st.booleans()),
    st.builds(lambda v: {"contains": v}, SCALARS),
    st.builds(lambda v: {"not_contains": v}, SCALARS),
    st.builds(lambda v: {"cidr_open": v}, st.booleans()),
)
LEAVES = st.builds(lambda path, op: {"path": path, **op}, PATHS, OPERATIONS)
QUANTIFIERS = st.sampled_from(["any_item", "all_items", "no_item"])


def _extend(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    lists = st.lists(children, min_size=1, max_size=3)
    return st.one_of(
        lists.map(lambda cs: {"all": cs}),
        lists.map(lambda cs: {"any": cs}),
        children.map(lambda c: {"not": c}),
        st.builds(lambda q, c: {q: {"path": "items", "where": c}}, QUANTIFIERS, children),
    )


CONDITIONS = st.recursive(LEAVES, _extend, max_leaves=8)


def verdict(data: dict[str, Any], attrs: dict[str, Any]) -> Verdict:
    """Evaluate a condition given as data; the truth-only compilation must agree."""
    condition = _ADAPTER.validate_python(data)
    result = compile_condition(condition)(attrs, CTX)
    assert compile_test(condition)(attrs, CTX) is result.truth
    return result


def truth(data: dict[str, Any], attrs: dict[str, Any]) -> Truth:
    return verdict(data, attrs).truth


# --------------------------------------------------------------------------- properties


@PROPERTY
@given(CONDITIONS, ATTRS)
def test_double_negation(c: dict[str, Any], attrs: dict[str, Any]) -> None:
    assert verdict({"not": {"not": c}}, attrs) == verdict(c, attrs)


@PROPERTY
@given(CONDITIONS, ATTRS)
def test_not_is_kleene_negation(c: dict[str, Any], attrs: dict[str, Any]) -> None:
    assert truth({"not": c}, attrs) is _NEGATE[truth(c, attrs)]


@PROPERTY
@given(st.lists(CONDITIONS, min_size=1, max_size=3), ATTRS)
def test_all_is_kleene_minimum_and_any_maximum(cs: list[dict[str, Any]], attrs: dict[str, Any]) -> None:
    truths = [truth(c, attrs) for c in cs]
    assert truth({"all": cs}, attrs) is min(truths, key=_ORDER.__getitem__)
    assert truth({"any": cs}, attrs) is max(truths, key=_ORDER.__getitem__)


@PROPERTY
@given(st.lists(CONDITIONS, min_size=1, max_size=3), ATTRS)
def test_de_morgan(cs: list[dict[str, Any]], attrs: dict[str, Any]) -> None:
    negated = [{"not": c} for c in cs]
    assert truth({"not": {"all": cs}}, attrs) is truth({"any": negated}, attrs)
    assert truth({"not": {"any": cs}}, attrs) is truth({"all": negated}, attrs)


@PROPERTY
@given(CONDITIONS, ATTRS)
def test_all_or_any_of_one_is_the_one(c: dict[str, Any], attrs: dict[str, Any]) -> None:
    assert verdict({"all": [c]}, attrs) == verdict(c, attrs)
    assert verdict({"any": [c]}, attrs) == verdict(c, attrs)


@PROPERTY
@given(CONDITIONS, ATTRS)
def test_item_quantifier_dualities(c: dict[str, Any], attrs: dict[str, Any]) -> None:
    def items(quantifier: str, where: dict[str, Any]) -> dict[str, Any]:
        return {quantifier: {"path": "items", "where": where}}

    any_item = truth(items("any_item", c), attrs)
    assert truth(items("no_item", c), attrs) is _NEGATE[any_item]
    assert truth({"not": items("any_item", c)}, attrs) is truth(items("no_item", c), attrs)
    assert truth(items("all_items", c), attrs) is truth(items("no_item", {"not": c}), attrs)
    assert truth({"not": items("all_items", c)}, attrs) is truth(items("any_item", {"not": c}), attrs)


@PROPERTY
@given(CONDITIONS, ATTRS)
def test_without_unknowns_nothing_is_unknown(c: dict[str, Any], attrs: dict[str, Any]) -> None:
    resolved = _substitute(attrs, lambda: 1)
    assert truth(c, resolved) is not U


@PROPERTY
@given(CONDITIONS, ATTRS, st.data())
def test_a_definite_verdict_survives_resolving_unknowns(
    c: dict[str, Any], attrs: dict[str, Any], data: st.DataObject
) -> None:
    """Kleene soundness: if the unknowns did not matter, no value they take can matter."""
    before = truth(c, attrs)
    after = truth(c, _substitute(attrs, lambda: data.draw(st.one_of(VALUES, ITEM))))
    if before is not U:
        assert after is before


@PROPERTY
@given(PATHS, OPERATIONS, UNKNOWNS)
def test_a_leaf_on_only_unknowns_is_unknown_with_its_reason(
    path: str, op: dict[str, Any], unknown: Unknown
) -> None:
    attrs = {"a": unknown, "b": [unknown], "items": unknown, "missing": unknown}
    assert verdict({"path": path, **op}, attrs) == Verdict(U, unknown.reason)


def _substitute(value: Any, replacement: Any) -> Any:
    if isinstance(value, Unknown):
        return replacement()
    if isinstance(value, dict):
        return {k: _substitute(v, replacement) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, replacement) for v in value]
    return value


@PROPERTY
@given(CONDITIONS, st.lists(ATTRS, max_size=3))
def test_related_is_kleene_exists_over_related_resources(
    c: dict[str, Any], related: list[dict[str, Any]]
) -> None:
    from engine.model import Resource

    resources = [Resource(source="terraform", type="t", id=f"t.r{i}", attributes=attrs)
                 for i, attrs in enumerate(related)]
    ctx = EvalContext(as_of=CTX.as_of, subject_id="s.x", lookup=lambda subject, kind, by: resources)
    relation = _ADAPTER.validate_python({"related": "t", "by": "s", "assert": c})
    negated = _ADAPTER.validate_python({"not": {"related": "t", "by": "s", "assert": c}})
    inner = [truth(c, r.attributes) for r in resources]
    expected = max(inner, key=_ORDER.__getitem__) if inner else F
    result = compile_condition(relation)({}, ctx)
    assert result.truth is expected is compile_test(relation)({}, ctx)
    assert compile_condition(negated)({}, ctx).truth is _NEGATE[expected]
    assert compile_test(negated)({}, ctx) is _NEGATE[expected]
