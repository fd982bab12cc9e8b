"""The condition language end to end: logic, items, relations, unknowns, reasons, params."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
import yaml
from pydantic import TypeAdapter, ValidationError

from engine.conditions import (
    EvalContext,
    Truth,
    Verdict,
    compile_condition,
    compile_test,
)
from engine.errors import ControlError
from engine.model import Condition, Param, Resource
from engine.values import Unknown

T, F, U = Truth.TRUE, Truth.FALSE, Truth.UNKNOWN
CTX = EvalContext(as_of=datetime(2026, 6, 30, tzinfo=UTC))
_ADAPTER: TypeAdapter[Any] = TypeAdapter(Condition)


def cond(source: str | dict[str, Any]) -> Any:
    data = yaml.safe_load(source) if isinstance(source, str) else source
    return _ADAPTER.validate_python(data)


def run(source: str | dict[str, Any], attrs: dict[str, Any], ctx: EvalContext = CTX,
        params: dict[str, Any] | None = None) -> Verdict:
    condition = cond(source)
    verdict = compile_condition(condition, params)(attrs, ctx)
    assert compile_test(condition, params)(attrs, ctx) is verdict.truth
    return verdict


# --------------------------------------------------------------------------- issue 2 example

KMS = "{path: enable_key_rotation, eq: true}"


def test_issue_example_reasons() -> None:
    assert run(KMS, {"enable_key_rotation": True}).truth is T
    assert run(KMS, {}) == Verdict(F, "enable_key_rotation: no value; expected true")
    assert run(KMS, {"enable_key_rotation": False}) == Verdict(
        F, "enable_key_rotation: false; expected true")
    assert run(KMS, {"enable_key_rotation": Unknown("var.rot is not set")}) == Verdict(
        U, "var.rot is not set")


def test_verdict_is_frozen_and_context_defaults() -> None:
    verdict = Verdict(T, "x")
    with pytest.raises(AttributeError):
        verdict.truth = F  # type: ignore[misc]
    ctx = EvalContext(as_of=datetime(2026, 1, 1))
    assert ctx.as_of.tzinfo is UTC and ctx.subject_id is None and ctx.lookup is None


# --------------------------------------------------------------------------- all / any / not

ALL = "{all: [{path: a, eq: 1}, {path: b, eq: 1}]}"
ANY = "{any: [{path: a, eq: 1}, {path: b, eq: 1}]}"
UNSET = Unknown("var.x is not set")


@pytest.mark.parametrize(
    ("a", "b", "all_", "any_"),
    [
        (1, 1, T, T), (1, 2, F, T), (2, 2, F, F), (UNSET, 1, U, T), (UNSET, 2, F, U),
        (UNSET, UNSET, U, U),
    ],
)
def test_kleene_all_and_any(a: Any, b: Any, all_: Truth, any_: Truth) -> None:
    assert run(ALL, {"a": a, "b": b}).truth is all_
    assert run(ANY, {"a": a, "b": b}).truth is any_
    assert run("{not: " + ALL + "}", {"a": a, "b": b}).truth is _negate(all_)
    assert run("{not: " + ANY + "}", {"a": a, "b": b}).truth is _negate(any_)


def _negate(truth: Truth) -> Truth:
    return {T: F, F: T, U: U}[truth]


def test_all_reasons_list_every_failure() -> None:
    verdict = run(ALL, {"a": 2})
    assert verdict == Verdict(F, "a: 2; expected 1 and b: no value; expected 1")
    assert run(ALL, {"a": 1, "b": 1}).reason == "a: 1; expected 1 and b: 1; expected 1"
    assert run(ALL, {"a": UNSET, "b": Unknown("var.y is not set")}).reason == (
        "var.x is not set; var.y is not set")


def test_any_reasons_give_the_alternatives() -> None:
    assert run(ANY, {"a": 2}).reason == "a: 2; expected 1 or b: no value; expected 1"
    assert run(ANY, {"a": 2, "b": 1}).reason == "b: 1; expected 1"


def test_reasons_are_truncated() -> None:
    many = {"all": [{"path": f"k{i}", "eq": 1} for i in range(5)]}
    assert run(many, {}).reason.endswith("k2: no value; expected 1 (+2 more)")
    long_list = run("{path: a, eq: x}", {"a": [f"v{i}" for i in range(8)]}).reason
    assert long_list == 'a: ["v0", "v1", "v2", "v3", "v4", … +3 more]; expected "x"'
    long_text = run("{path: a, eq: x}", {"a": "y" * 100}).reason
    assert long_text == 'a: "' + "y" * 80 + '…"; expected "x"'


def test_not_inverts_the_expectation_in_the_reason() -> None:
    assert run("{not: {path: a, eq: 1}}", {"a": 1}) == Verdict(F, "a: 1; expected not 1")
    assert run("{not: {path: a, in: [1, 2]}}", {"a": 1}).reason == "a: 1; expected none of [1, 2]"
    assert run("{not: {path: a, exists: true}}", {"a": 1}).reason == "a: 1; expected no value"
    assert run("{path: a, exists: false}", {"a": [1, 2]}).reason == "a: [1, 2]; expected no value"
    assert run("{not: {path: a, gt: 5}}", {"a": 7}).reason == "a: 7; expected <= 5"
    assert run("{not: {path: t, age_lte: 1d}}", {"t": "2026-06-30"}).reason == (
        't: "2026-06-30"; expected older than 1d')
    assert run("{not: {path: a, ne: 1}}", {"a": 2}).reason == "a: 2; expected 1"
    assert run("{not: {not: {path: a, eq: 1}}}", {"a": 2}) == Verdict(F, "a: 2; expected 1")


def test_value_operators_show_the_offending_values() -> None:
    verdict = run("{path: rule.algo, eq: 'aws:kms'}", {"rule": [{"algo": "aws:kms"}, {"algo": "AES256"}]})
    assert verdict == Verdict(F, 'rule.algo: "AES256"; expected "aws:kms"')
    verdict = run("{path: cidrs, cidr_open: false}", {"cidrs": ["10.0.0.0/8", "0.0.0.0/0"]})
    assert verdict == Verdict(F, 'cidrs: "0.0.0.0/0"; expected no open CIDR (0.0.0.0/0 or ::/0)')
    verdict = run("{path: actions, contains: 's3:*'}", {"actions": ["s3:Get", "s3:Put"]})
    assert verdict == Verdict(F, 'actions: ["s3:Get", "s3:Put"]; expected to contain "s3:*"')
    verdict = run("{path: m, matches: '^a'}", {"m": "b"})
    assert verdict == Verdict(F, 'm: "b"; expected a match for "^a"')
    assert run("{path: t, age_lte: 30d}", {"t": "2020-01-01"}).reason == (
        't: "2020-01-01"; expected at most 30d old')


def test_unknown_reasons_are_joined_and_a_definite_value_decides() -> None:
    attrs = {"a": [Unknown("var.x is not set"), Unknown("var.y is not set"), Unknown("var.x is not set")]}
    assert run("{path: a, eq: 1}", attrs) == Verdict(U, "var.x is not set; var.y is not set")
    assert run("{path: a, eq: 1}", {"a": [Unknown("u"), 2]}).truth is F
    assert run("{path: a, contains: 1}", {"a": [Unknown("u"), 1]}).truth is T
    assert run("{path: a.b, eq: 1}", {"a": Unknown("module output")}) == Verdict(U, "module output")


def test_nested_paths_to_scalars() -> None:
    leaf = "{path: response.login, eq: Failure}"
    assert run(leaf, {"response": {"login": "Failure"}}).truth is T
    assert run(leaf, {"response": {"login": "Success"}}) == Verdict(
        F, 'response.login: "Success"; expected "Failure"')
    assert run(leaf, {"response": {}}).truth is F
    assert run(leaf, {"response": "text"}).truth is F
    assert run("{path: login, eq: x}", {"login": {"nested": "x"}}).truth is F


def test_age_verdicts_follow_the_clock() -> None:
    condition = cond("{path: t, age_lte: 1d}")
    predicate = compile_condition(condition)
    attrs = {"t": "2026-01-01T00:00:00Z"}
    assert predicate(attrs, EvalContext(as_of=datetime(2026, 1, 1, 12))).truth is T
    assert predicate(attrs, EvalContext(as_of=datetime(2026, 1, 3))).truth is F


def test_single_child_all_is_the_child() -> None:
    assert run("{all: [{path: a, eq: 1}]}", {}) == run("{path: a, eq: 1}", {})
    assert run("{any: [{path: a, eq: 1}]}", {"a": 1}) == run("{path: a, eq: 1}", {"a": 1})


# --------------------------------------------------------------------------- items

SG = {
    "ingress": [
        {"from_port": 443, "cidr_blocks": ["0.0.0.0/0"]},
        {"from_port": 22, "cidr_blocks": ["10.0.0.0/8"]},
    ]
}
OPEN_SSH = "{path: ingress, where: {all: [{path: from_port, eq: 22}, {path: cidr_blocks, cidr_open: true}]}}"


def test_items_quantifiers() -> None:
    assert run("{any_item: " + OPEN_SSH + "}", SG).truth is F
    assert run("{no_item: " + OPEN_SSH + "}", SG).truth is T
    assert run("{all_items: {path: ingress, where: {path: from_port, gt: 0}}}", SG).truth is T
    assert run("{all_items: {path: ingress, where: {path: from_port, eq: 22}}}", SG).truth is F
    opened = {"ingress": [*SG["ingress"], {"from_port": 22, "cidr_blocks": ["::/0"]}]}
    assert run("{any_item: " + OPEN_SSH + "}", opened).truth is T
    assert run("{no_item: " + OPEN_SSH + "}", opened).truth is F


def test_items_over_zero_items() -> None:
    for attrs in ({}, {"ingress": []}, {"ingress": None}):
        assert run("{any_item: " + OPEN_SSH + "}", attrs) == Verdict(F, "ingress: no items")
        assert run("{all_items: " + OPEN_SSH + "}", attrs) == Verdict(T, "ingress: no items")
        assert run("{no_item: " + OPEN_SSH + "}", attrs) == Verdict(T, "ingress: no items")


def test_items_reasons_name_the_item() -> None:
    opened = {"ingress": [{"from_port": 22, "cidr_blocks": ["0.0.0.0/0"]}]}
    assert run("{no_item: " + OPEN_SSH + "}", opened) == Verdict(
        F, 'ingress[0]: from_port: 22; expected not 22 or cidr_blocks: "0.0.0.0/0"; '
           "expected no open CIDR (0.0.0.0/0 or ::/0)")
    assert run("{all_items: {path: ingress, where: {path: from_port, eq: 22}}}", SG) == Verdict(
        F, "ingress[0]: from_port: 443; expected 22")
    assert run("{any_item: {path: ingress, where: {path: from_port, eq: 80}}}", SG) == Verdict(
        F, "ingress[0]: from_port: 443; expected 80 and ingress[1]: from_port: 22; expected 80")
    assert run("{any_item: {path: ingress, where: {path: from_port, eq: 22}}}", SG) == Verdict(
        T, "ingress[1]: from_port: 22; expected 22")
    assert run("{all_items: {path: ingress, where: {path: from_port, gt: 0}}}", SG) == Verdict(
        T, "ingress: every item holds (2 checked)")
    assert run("{no_item: " + OPEN_SSH + "}", SG) == Verdict(
        T, "ingress: no item matches (2 checked)")


def test_items_with_unknowns() -> None:
    attrs = {"ingress": [{"from_port": 443}, Unknown("dynamic block")]}
    where = "{path: ingress, where: {path: from_port, eq: 22}}"
    assert run("{any_item: " + where + "}", attrs) == Verdict(U, "dynamic block")
    assert run("{all_items: " + where + "}", attrs).truth is F
    assert run("{no_item: " + where + "}", attrs).truth is U
    attrs = {"ingress": [{"from_port": 22}, {"from_port": Unknown("var.port is not set")}]}
    assert run("{any_item: " + where + "}", attrs).truth is T
    assert run("{all_items: " + where + "}", attrs) == Verdict(U, "var.port is not set")


def test_items_paths_are_relative_to_the_item_and_nest() -> None:
    attrs = {"rules": [{"grants": [{"who": "a"}, {"who": "b"}]}, {"grants": [{"who": "c"}]}]}
    nested = ("{all_items: {path: rules, where: {any_item: {path: grants, "
              "where: {path: who, in: [a, c]}}}}}")
    assert run(nested, attrs).truth is T
    assert run(nested, {"rules": [{"grants": [{"who": "b"}]}]}) == Verdict(
        F, 'rules[0]: grants[0]: who: "b"; expected one of ["a", "c"]')


def test_items_over_scalars_see_no_keys() -> None:
    assert run("{any_item: {path: a, where: {path: x, exists: true}}}", {"a": [1, 2]}).truth is F


# --------------------------------------------------------------------------- related

BUCKET = "aws_s3_bucket.logs"


def _resource(rid: str, rtype: str, **attributes: Any) -> Resource:
    return Resource(source="terraform", type=rtype, id=rid, attributes=attributes)


RELATED = [
    _resource("aws_s3_bucket_sse.b", "aws_s3_bucket_sse", algo="aws:kms", bucket=BUCKET),
    _resource("aws_s3_bucket_sse.a", "aws_s3_bucket_sse", algo="AES", bucket=BUCKET),
]


def lookup_for(resources: list[Resource]) -> Any:
    calls: list[tuple[str, str, str]] = []

    def lookup(subject_id: str, related_type: str, by: str) -> Sequence[Resource]:
        calls.append((subject_id, related_type, by))
        return [r for r in resources if r.type == related_type and r.attributes.get(by) == subject_id]

    lookup.calls = calls  # type: ignore[attr-defined]
    return lookup


def related_ctx(resources: list[Resource]) -> EvalContext:
    return EvalContext(as_of=CTX.as_of, subject_id=BUCKET, lookup=lookup_for(resources))


def test_related_with_assert() -> None:
    ctx = related_ctx(RELATED)
    kms = "{related: aws_s3_bucket_sse, by: bucket, assert: {path: algo, eq: 'aws:kms'}}"
    assert run(kms, {}, ctx) == Verdict(T, 'aws_s3_bucket_sse.b: algo: "aws:kms"; expected "aws:kms"')
    dsse = "{related: aws_s3_bucket_sse, by: bucket, assert: {path: algo, eq: dsse}}"
    assert run(dsse, {}, ctx) == Verdict(
        F, 'aws_s3_bucket_sse.a: algo: "AES"; expected "dsse" and '
           'aws_s3_bucket_sse.b: algo: "aws:kms"; expected "dsse"')
    assert ctx.lookup.calls[0] == (BUCKET, "aws_s3_bucket_sse", "bucket")  # type: ignore[union-attr]
    assert run("{not: " + kms + "}", {}, ctx) == Verdict(
        F, 'aws_s3_bucket_sse.b: algo: "aws:kms"; expected not "aws:kms"')
    assert run("{not: " + dsse + "}", {}, ctx) == Verdict(
        T, "no aws_s3_bucket_sse that references this resource through bucket matches (2 checked)")


def test_related_without_assert() -> None:
    exists = "{related: aws_s3_bucket_sse, by: bucket}"
    assert run(exists, {}, related_ctx(RELATED)) == Verdict(
        T, "aws_s3_bucket_sse.a, aws_s3_bucket_sse.b reference this resource through bucket")
    assert run(exists, {}, related_ctx(RELATED[:1])) == Verdict(
        T, "aws_s3_bucket_sse.b references this resource through bucket")
    assert run("{not: " + exists + "}", {}, related_ctx(RELATED[:1])) == Verdict(
        F, "aws_s3_bucket_sse.b references this resource through bucket; expected none")
    assert run(exists, {}, related_ctx([])) == Verdict(
        F, "no aws_s3_bucket_sse references this resource through bucket")
    assert run("{not: " + exists + "}", {}, related_ctx([])).truth is T
    assert run("{not: " + exists + "}", {}, related_ctx(RELATED)).truth is F


def test_a_relation_resting_on_unread_resources_is_unknown() -> None:
    """A denied scope may hold the related resource: only what was read can decide."""
    gap = "the aws_s3_bucket_sse resources of 111111111111/eu-west-1 could not be read (AccessDenied)"

    def ctx(resources: list[Resource]) -> EvalContext:
        return replace(related_ctx(resources),
                       missing=lambda t: gap if t == "aws_s3_bucket_sse" else None)

    exists = "{related: aws_s3_bucket_sse, by: bucket}"
    kms = "{related: aws_s3_bucket_sse, by: bucket, assert: {path: algo, eq: 'aws:kms'}}"
    dsse = "{related: aws_s3_bucket_sse, by: bucket, assert: {path: algo, eq: dsse}}"
    assert run(exists, {}, ctx([])) == Verdict(
        U, f"no aws_s3_bucket_sse references this resource through bucket, but {gap}")
    assert run("{not: " + exists + "}", {}, ctx([])).truth is U
    assert run(dsse, {}, ctx(RELATED)).truth is U  # none read matches; an unread one might
    assert run("{not: " + dsse + "}", {}, ctx(RELATED)).truth is U
    # what was read decides when it can
    assert run(kms, {}, ctx(RELATED)).truth is T
    assert run("{not: " + kms + "}", {}, ctx(RELATED)).truth is F
    assert run(exists, {}, ctx(RELATED)).truth is T
    assert run("{not: " + exists + "}", {}, ctx(RELATED)).truth is F
    # a gap in another type changes nothing
    other = replace(related_ctx([]), missing=lambda t: gap if t == "aws_kms_key" else None)
    assert run(exists, {}, other).truth is F


def test_related_assert_sees_the_related_resource_as_subject() -> None:
    key = _resource("aws_kms_key.k", "aws_kms_key", enable_key_rotation=True)
    sse = _resource("aws_s3_bucket_sse.x", "aws_s3_bucket_sse", bucket=BUCKET, key="aws_kms_key.k")
    everything = [key, sse]

    def lookup(subject_id: str, related_type: str, by: str) -> Sequence[Resource]:
        if related_type == "aws_kms_key":  # the key referenced by the subject's `key`
            return [r for r in everything if r.type == related_type
                    and any(s.id == subject_id and s.attributes.get(by) == r.id for s in everything)]
        return [r for r in everything if r.type == related_type and r.attributes.get(by) == subject_id]

    chain = ("{related: aws_s3_bucket_sse, by: bucket, assert: "
             "{related: aws_kms_key, by: key, assert: {path: enable_key_rotation, eq: true}}}")
    ctx = EvalContext(as_of=CTX.as_of, subject_id=BUCKET, lookup=lookup)
    assert run(chain, {}, ctx).truth is T


def test_related_unknowns_and_missing_index() -> None:
    unknown = [_resource("x.a", "x", bucket=BUCKET, algo=Unknown("var.algo is not set"))]
    rel = "{related: x, by: bucket, assert: {path: algo, eq: a}}"
    assert run(rel, {}, related_ctx(unknown)) == Verdict(U, "var.algo is not set")
    expected = Verdict(U, "cannot check x resources: no resource index to look them up")
    assert run(rel, {}) == expected
    assert run(rel, {}, EvalContext(as_of=CTX.as_of, lookup=lookup_for([]))) == expected
    assert run("{related: x, by: bucket}", {}) == expected


def test_related_inside_items_keeps_the_subject() -> None:
    rel = "{any_item: {path: rules, where: {related: aws_s3_bucket_sse, by: bucket}}}"
    assert run(rel, {"rules": [{}]}, related_ctx(RELATED)).truth is T


# --------------------------------------------------------------------------- params


def test_params_are_resolved_at_compile_time() -> None:
    params = {"algos": ["aws:kms"], "role": Param(default="deployer"), "max": 90, "age": "30d",
              "pattern": "^prod-"}
    assert run("{path: a, in: {param: algos}}", {"a": "aws:kms"}, params=params).truth is T
    assert run("{path: a, eq: {param: role}}", {"a": "deployer"}, params=params).truth is T
    assert run("{path: a, lte: {param: max}}", {"a": 91}, params=params) == Verdict(
        F, "a: 91; expected <= 90")
    assert run("{path: a, age_lte: {param: age}}", {"a": "2026-06-29"}, params=params).truth is T
    assert run("{path: a, matches: {param: pattern}}", {"a": "prod-1"}, params=params).truth is T
    assert run("{path: a, not_contains: {param: role}}", {"a": ["x"]}, params=params).truth is T


def test_params_inside_a_list_operand_are_resolved() -> None:
    params = {"extra": Param(default="aws:kms:dsse"), "more": ["x", "y"]}
    assert run("{path: a, in: [AES256, {param: extra}]}", {"a": "aws:kms:dsse"},
               params=params).truth is T
    assert run("{path: a, in: [AES256, {param: extra}]}", {"a": "other"},
               params=params).truth is F
    assert run("{path: a, not_in: [{param: more}, z]}", {"a": "y"}, params=params).truth is F
    with pytest.raises(ControlError, match="a: in: parameter 'nope' is not declared"):
        compile_condition(cond("{path: a, in: [1, {param: nope}]}"), params)


def test_missing_or_bad_params_are_control_errors() -> None:
    with pytest.raises(ControlError, match="a: in: parameter 'algos' is not declared"):
        compile_condition(cond("{path: a, in: {param: algos}}"))
    with pytest.raises(ControlError, match=r"declared: other\)"):
        compile_condition(cond("{path: a, eq: {param: role}}"), {"other": 1})
    with pytest.raises(ControlError, match="a: in: expected a list"):
        compile_condition(cond("{path: a, in: {param: p}}"), {"p": "x"})
    with pytest.raises(ControlError, match="invalid duration"):
        compile_condition(cond("{path: a, age_lte: {param: p}}"), {"p": "soon"})
    with pytest.raises(ControlError, match="invalid regular expression"):
        compile_condition(cond("{path: a, matches: {param: p}}"), {"p": "("})


def test_malformed_paths_are_control_errors() -> None:
    with pytest.raises(ControlError, match="invalid path 'a..b'"):
        compile_condition(cond("{path: a..b, eq: 1}"))
    with pytest.raises(ControlError, match="invalid path 'x.'"):
        compile_condition(cond("{any_item: {path: x., where: {path: a, eq: 1}}}"))


def test_not_a_condition() -> None:
    with pytest.raises(ControlError, match="not a condition"):
        compile_condition("nope")  # type: ignore[arg-type]


def test_model_rejects_unknown_operators_at_load_time() -> None:
    with pytest.raises(ValidationError):
        cond("{path: a, equals: 1}")


def test_a_value_that_is_no_date_says_so() -> None:
    """``age_lte`` on text that is no date fails, and the reason says why."""
    assert run("{path: a, age_lte: 90d}", {"a": "yesterday"}) == Verdict(
        F, 'a: "yesterday" (not a date or time); expected at most 90d old')
    assert run("{path: a, age_lte: 90d}", {"a": ["2020-01-01", "soon"]}) == Verdict(
        F, 'a: ["2020-01-01", "soon" (not a date or time)]; expected at most 90d old')
    assert run("{path: a, age_lte: 90d}", {"a": "2020-01-01"}) == Verdict(
        F, 'a: "2020-01-01"; expected at most 90d old')
